/**
 * @module search/engine
 * The seam to MiniSearch, and the only module that imports it. Paragraphs go in as documents
 * with the fields `title` and `text`, analyzed by our analyzer; parsed queries come out as
 * candidates in our own types. A second backend (SPEC §9) would implement {@link SearchEngine}.
 */
import MiniSearch, { type Options, type Query } from 'minisearch';
import { analyze, isStemmable, stem, termsOf } from '../text/analyzer.ts';
import { createError } from '../errors.ts';
import type { AndNode, Field, QueryNode } from './query.ts';
import { createTopK } from './top-k.ts';

/** One paragraph as the engine indexes it. */
export type ParagraphDoc = { id: string; title: string; text: string };

/**
 * Receives each paragraph the engine found for a query, before verification and ranking:
 * its id, its BM25 score, and whether some positive term matched in its own text (not only
 * in its article's title).
 */
export type CandidateVisitor = (id: string, score: number, textMatched: boolean) => void;

/** A term of the index and the number of paragraphs holding it. */
export type TermCount = { term: string; paragraphs: number };

/** The contract of a search backend: add, remove, candidates for a parsed query, stats. */
export interface SearchEngine {
  /** Indexes paragraphs (their ids must be new). */
  add(docs: readonly ParagraphDoc[]): void;
  /** Removes paragraphs by id; unknown ids are ignored. */
  remove(ids: readonly string[]): void;
  /** True when a paragraph with this id is indexed. */
  has(id: string): boolean;
  /**
   * Visits the paragraphs that may match `query`, in no particular order, and returns how many
   * there were. Every exact match is among them, and they are exact unless the query holds a
   * phrase (phrases are looked up as all their words; the caller verifies them).
   */
  forEachCandidate(query: AndNode, visit: CandidateVisitor): number;
  /** The index terms starting with `prefix`, most frequent first. */
  completions(prefix: string, limit: number): TermCount[];
  /** Number of paragraphs and of distinct terms. */
  stats(): { paragraphs: number; terms: number };
  /** A JSON-serializable form, read back by {@link loadEngine}. */
  toJSON(): unknown;
}

/** How much more a title match weighs than a text match: titles are short and chosen with care. */
const TITLE_BOOST = 2;

/**
 * Analyzes field values once. MiniSearch tokenizes each field of each paragraph; the title is the
 * same for all paragraphs of an article, so the last one is remembered.
 */
function createTokenizer(): (text: string) => string[] {
  let lastText = '';
  let lastTerms: string[] = [];
  return function tokenizeField(text: string): string[] {
    if (text !== lastText) {
      lastText = text;
      lastTerms = termsOf(analyze(text));
    }
    return lastTerms;
  };
}

/** Terms are already folded by the analyzer: MiniSearch must leave them as they are. */
function keepTerm(term: string): string {
  return term;
}

/** A query string handed to MiniSearch is always a single analyzed term. */
function singleTerm(term: string): string[] {
  return [term];
}

/**
 * The MiniSearch options used both to build an index and to load a snapshot of it: the two
 * must agree, so there is one object.
 */
export const MINISEARCH_OPTIONS: Options<ParagraphDoc> = {
  fields: ['title', 'text'],
  storeFields: [],
  tokenize: createTokenizer(),
  processTerm: keepTerm,
  searchOptions: {
    boost: { title: TITLE_BOOST },
    combineWith: 'AND',
    tokenize: singleTerm,
    processTerm: keepTerm,
  },
};

/**
 * MiniSearch keeps some of what we need private: its term dictionary (walked for suggestions
 * and stem variants), its unsorted query results and its id table. This is the one place that
 * reaches in, typed as narrowly as it is used; the version is pinned in package.json and the
 * tests exercise every member.
 */
type TermDictionary = {
  atPrefix(prefix: string): Iterable<[string, Map<number, Map<number, number>>]> & { size: number };
};
type RawMatch = { score: number; terms: string[]; match: Record<string, string[]> };
type Internals = {
  _index: TermDictionary;
  _documentIds: Map<number, string>;
  executeQuery(query: Query): Map<number, RawMatch>;
};

function internalsOf(index: MiniSearch<ParagraphDoc>): Internals {
  return index as unknown as Internals;
}

/** Most terms a `prefix*` may expand to; beyond it the query is refused (SPEC §4 bounds cost). */
export const MAX_PREFIX_TERMS = 5000;
/** Most dictionary terms `/suggest` looks at under a prefix: one letter would walk them all. */
const MAX_COMPLETION_TERMS = 20_000;

/** Stems of dictionary terms, remembered: variants of a query term are looked up often. */
const STEM_CACHE_LIMIT = 200_000;

class MiniSearchEngine implements SearchEngine {
  readonly #index: MiniSearch<ParagraphDoc>;
  readonly #internals: Internals;
  readonly #stems = new Map<string, string>();

  constructor(index: MiniSearch<ParagraphDoc>) {
    this.#index = index;
    this.#internals = internalsOf(index);
  }

  add(docs: readonly ParagraphDoc[]): void {
    this.#index.addAll(docs);
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) if (this.#index.has(id)) this.#index.discard(id);
  }

  has(id: string): boolean {
    return this.#index.has(id);
  }

  forEachCandidate(query: AndNode, visit: CandidateVisitor): number {
    // MiniSearch's public search() builds a result object per match and sorts them all; for a
    // common word that is most of the time. The raw matches are enough: ranking is ours.
    const raw = this.#internals.executeQuery(this.#toMiniSearch(query));
    const ids = this.#internals._documentIds;
    for (const [shortId, { score, terms, match }] of raw) {
      const id = ids.get(shortId);
      if (id === undefined) continue;
      let textMatched = false;
      for (const term in match) {
        if ((match[term] as string[]).includes('text')) {
          textMatched = true;
          break;
        }
      }
      visit(id, score * (terms.length || 1), textMatched);
    }
    return raw.size;
  }

  completions(prefix: string, limit: number): TermCount[] {
    if (prefix.length === 0) return [];
    const top = createTopK<TermCount>(limit, (a, b) => b.paragraphs - a.paragraphs || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
    let visited = 0;
    for (const [term, fields] of this.#internals._index.atPrefix(prefix)) {
      if (++visited > MAX_COMPLETION_TERMS) break;
      // Paragraphs holding the term in their text, else in their title: a ranking, not a count.
      let paragraphs = 0;
      for (const docs of fields.values()) paragraphs = Math.max(paragraphs, docs.size);
      if (paragraphs > 0) top.push({ term, paragraphs });
    }
    return top.sorted();
  }

  stats(): { paragraphs: number; terms: number } {
    return { paragraphs: this.#index.documentCount, terms: this.#index.termCount };
  }

  toJSON(): unknown {
    return this.#index.toJSON();
  }

  /**
   * Index terms sharing the English stem of `term` (`talk` → talk, talks, talked…). Porter stems
   * differ from their word at most in the last letter, so the variants sit under the stem's
   * prefix less one letter.
   */
  #variants(term: string): string[] {
    if (!isStemmable(term)) return [term];
    const root = stem(term);
    const variants = new Set([term]);
    const prefix = root.length > 3 ? root.slice(0, -1) : root;
    for (const [candidate] of this.#internals._index.atPrefix(prefix)) {
      if (this.#stemOf(candidate) === root) variants.add(candidate);
    }
    return [...variants];
  }

  /** Refuses a prefix that expands to too many terms: its cost would grow with the dictionary. */
  #checkExpansion(prefix: string): void {
    let count = 0;
    for (const _ of this.#internals._index.atPrefix(prefix)) {
      if (++count > MAX_PREFIX_TERMS) {
        throw createError('bad_request', `q: the prefix "${prefix}*" matches over ${MAX_PREFIX_TERMS} terms; use a longer prefix`);
      }
    }
  }

  #stemOf(term: string): string {
    let cached = this.#stems.get(term);
    if (cached === undefined) {
      cached = stem(term);
      if (this.#stems.size >= STEM_CACHE_LIMIT) this.#stems.clear();
      this.#stems.set(term, cached);
    }
    return cached;
  }

  #toMiniSearch(node: QueryNode): Query {
    switch (node.kind) {
      case 'term': {
        const fields = fieldsOf(node.field);
        if (node.mode === 'prefix') {
          this.#checkExpansion(node.term);
          return { queries: [node.term], prefix: true, fields };
        }
        if (node.mode === 'fuzzy') return { queries: [node.term], fuzzy: node.distance, fields };
        return { queries: this.#variants(node.term), combineWith: 'OR', fields };
      }
      case 'phrase':
        return { queries: node.terms, combineWith: 'AND', fields: fieldsOf(node.field) };
      case 'or':
        return { queries: node.should.map((child) => this.#toMiniSearch(child)), combineWith: 'OR' };
      case 'and': {
        const must: Query = { queries: node.must.map((child) => this.#toMiniSearch(child)), combineWith: 'AND' };
        // Phrases can only be excluded after verification: excluding their words would drop too much.
        const exact = node.not.filter((child) => !containsPhrase(child));
        if (exact.length === 0) return must;
        return { queries: [must, ...exact.map((child) => this.#toMiniSearch(child))], combineWith: 'AND_NOT' };
      }
    }
  }
}

function fieldsOf(field: Field | null): Field[] {
  return field === null ? ['title', 'text'] : [field];
}

/** True when `node` has a phrase anywhere: its candidates then need verification. */
export function containsPhrase(node: QueryNode): boolean {
  switch (node.kind) {
    case 'term':
      return false;
    case 'phrase':
      return true;
    case 'or':
      return node.should.some(containsPhrase);
    case 'and':
      return node.must.some(containsPhrase) || node.not.some(containsPhrase);
  }
}

/** Creates an empty engine. */
export function createEngine(): SearchEngine {
  return new MiniSearchEngine(new MiniSearch<ParagraphDoc>(MINISEARCH_OPTIONS));
}

/**
 * Loads an engine from the parsed JSON of {@link SearchEngine.toJSON}. Throws when it is not an
 * index MiniSearch can read (the caller then rebuilds from the corpus).
 */
export function loadEngine(json: unknown): SearchEngine {
  if (typeof json !== 'object' || json === null) throw new Error('search engine snapshot is not an object');
  const index = MiniSearch.loadJS<ParagraphDoc>(json as Parameters<typeof MiniSearch.loadJS>[0], MINISEARCH_OPTIONS);
  return new MiniSearchEngine(index);
}
