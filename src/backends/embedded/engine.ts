/**
 * @module backends/embedded/engine
 * The seam to MiniSearch: with the modules it delegates to (vocabulary, minisearch-internals),
 * the only code that uses it. Paragraphs go in as documents
 * with the fields `title` and `text`, analyzed by our analyzer and indexed by English stem (one
 * posting list serves `talk`, `talks` and `talked`); a vocabulary of the words as written serves
 * prefixes, fuzzy terms and suggestions. Parsed queries come out as candidates in our own types.
 * A second backend (SPEC §9) would implement {@link SearchEngine}.
 */
import MiniSearch, { type Options, type Query } from 'minisearch';
import { analyze, stem, termsOf } from '../../text/analyzer.ts';
import { discardParagraph, executeQueryInSteps, FieldLengths, livePostings, readDocuments, readPostings, renameDocument, writeRecords, type EngineRecord, type Internals } from './minisearch-internals.ts';
import { Vocabulary } from './vocabulary.ts';
import { NO_EXPANSIONS, type AndNode, type Expansions, type Field, type QueryNode, type TermNode } from '../../search/query.ts';
import { wildcardPattern } from '../../search/verify.ts';
import { BM25, MAX_EXPANDED_WORDS, TITLE_BOOST, tooManyWords } from '../../search/ranking.ts';
import { scoreConjunction, type Lookup, type PostingsView } from './conjunction.ts';
import { createTopK } from './top-k.ts';
import { evaluateTree, treeOf, worthArrays } from './query-tree.ts';
import { runToEnd, type Pace, type Steps } from '../pace.ts';

/** One paragraph as the engine indexes it. */
export type ParagraphDoc = { id: string; title: string; text: string };

/**
 * Receives each paragraph the engine found for a query, before verification and ranking:
 * its id, its BM25 score, whether some positive term matched in its own text, and whether
 * some matched in its article's title.
 */
export type CandidateVisitor = (id: string, score: number, textMatched: boolean, titleMatched: boolean) => void;

/**
 * A query ready to run. `exact` says whether the visited paragraphs are exactly the matches;
 * otherwise (phrases, and what an excluded phrase leaves) they are a superset the caller
 * verifies on the analyzer's tokens. `textExact` says whether `textMatched` and `titleMatched`
 * are exact; otherwise (MiniSearch's query tree, whose match table keeps one clause's fields per
 * stem) a paragraph reported as not matched in its text or title may still be.
 */
export type PreparedQuery = {
  exact: boolean;
  textExact: boolean;
  /** Visits the candidates, pausing when `pace` says so; returns how many were visited. */
  run(visit: CandidateVisitor, pace: Pace): Steps<number>;
};

/** A pace that never pauses. */
const UNPAUSED: Pace = () => false;

/** A word of the vocabulary and the number of paragraphs holding its stem. */
export type TermCount = { term: string; paragraphs: number };

/** The contract of a search backend: add, remove, candidates for a parsed query, stats. */
export interface SearchEngine {
  /**
   * Indexes paragraphs (their ids must be new). `onWords` receives each paragraph's words as the
   * analyzer folds them, by its place in `docs`, for whoever needs them too (copy detection).
   */
  add(docs: readonly ParagraphDoc[], onWords?: (doc: number, words: string[]) => void): void;
  /** Removes paragraphs by id; unknown ids are ignored. */
  remove(ids: readonly string[]): void;
  /**
   * Indexes paragraphs that queries do not see until {@link SearchEngine.reveal}, so that an
   * article indexed a slice at a time shows up whole or not at all. Their ids may still be in
   * use by the version they replace. (Until revealed they count in BM25's statistics and in
   * completions, as a removed paragraph does until vacuumed.)
   */
  stage(docs: readonly ParagraphDoc[], onWords?: (doc: number, words: string[]) => void): void;
  /** Makes staged paragraphs visible under their ids, which must be free by then. */
  reveal(ids: readonly string[]): void;
  /** Drops staged paragraphs that will not be revealed. */
  unstage(ids: readonly string[]): void;
  /** True when a paragraph with this id is indexed. */
  has(id: string): boolean;
  /** Grows with every change (add, remove, stage, reveal, unstage): work that paused can tell whether the index changed meanwhile. */
  readonly version: number;
  /**
   * The stems of the vocabulary words each prefix, wildcard and fuzzy term of `query` expands to
   * (see {@link TermNode}). Throws `bad_request` when one expands to too many words.
   */
  expand(query: AndNode): Expansions;
  /** {@link SearchEngine.expand}, pausing between words when `pace` says so. */
  expandSteps(query: AndNode, pace: Pace): Steps<Expansions>;
  /**
   * Gets ready for prefix, wildcard and fuzzy terms and suggestions (the vocabulary's radix tree,
   * and the words of a snapshot), pausing when `pace` says so: run in the background after a
   * start, so that no search or suggestion has to do it at once.
   */
  warmUp(pace: Pace): Steps<void>;
  /** Prepares `query`, its terms expanded as `expansions` says (terms missing there are expanded here). */
  prepare(query: AndNode, expansions?: Expansions): PreparedQuery;
  /** Words starting with `prefix`, most frequent first. */
  completions(prefix: string, limit: number): TermCount[];
  /** Number of paragraphs and of distinct index terms (stems). */
  stats(): { paragraphs: number; terms: number };
  /**
   * The engine as JSON-serializable records, each of bounded size (a snapshot is written one
   * record per line, so no single string grows with the archive); read back by {@link loadEngine}.
   */
  records(): Generator<EngineRecord>;
}

/** Appended to the id of a staged paragraph: no article id holds this character. */
const STAGED_SUFFIX = '\u0000staged';

/** Most words `/suggest` looks at under a prefix: one letter would walk them all. */
const MAX_COMPLETION_TERMS = 20_000;

/** Where the words of each paragraph's text go as it is indexed, while someone wants them (see {@link SearchEngine.add}). */
type TextSink = { receive: ((words: string[]) => void) | undefined };

/**
 * The MiniSearch options, used both to build an index and to load a snapshot of it: the two
 * must agree, so there is one factory. Field values are analyzed by our analyzer and indexed
 * by stem; each word met is recorded in `vocabulary`. The title is the same for every
 * paragraph of an article, so the last title analyzed is remembered.
 */
export function miniSearchOptions(vocabulary: Vocabulary, texts: TextSink = { receive: undefined }): Options<ParagraphDoc> {
  const stemsOf = (text: string) => termsOf(analyze(text)).map((word) => vocabulary.add(word));
  let lastTitle = '';
  let lastTitleStems: string[] = [];
  return {
    fields: ['title', 'text'],
    storeFields: [],
    tokenize: function tokenizeField(text: string, field?: string): string[] {
      if (field !== 'title') {
        if (texts.receive === undefined) return stemsOf(text);
        const analysis = analyze(text);
        texts.receive(analysis.tokens.map((token) => token.term));
        return termsOf(analysis).map((word) => vocabulary.add(word));
      }
      if (text !== lastTitle) {
        lastTitle = text;
        lastTitleStems = stemsOf(text);
      }
      return lastTitleStems;
    },
    processTerm: (term: string) => term,
    searchOptions: {
      boost: { title: TITLE_BOOST },
      bm25: BM25,
      combineWith: 'AND',
      tokenize: (term: string) => [term],
      processTerm: (term: string) => term,
    },
  };
}

class MiniSearchEngine implements SearchEngine {
  readonly #index: MiniSearch<ParagraphDoc>;
  readonly #internals: Internals;
  readonly #vocabulary: Vocabulary;
  /** The words of the texts being indexed go here (the options' tokenizer writes to it). */
  readonly #texts: TextSink;
  readonly #lengths: FieldLengths;
  readonly #view: PostingsView;
  /** Short ids of staged paragraphs, which no query sees. */
  readonly #hidden = new Set<number>();
  #version = 0;

  constructor(index: MiniSearch<ParagraphDoc>, vocabulary: Vocabulary, texts: TextSink) {
    this.#index = index;
    this.#texts = texts;
    const internals = index as unknown as Internals;
    this.#internals = internals;
    this.#vocabulary = vocabulary;
    const lengths = new FieldLengths(Object.keys(internals._fieldIds).length);
    lengths.sync(internals);
    this.#lengths = lengths;
    const hidden = this.#hidden;
    this.#view = {
      postings: (stem, field) => livePostings(internals, stem, internals._fieldIds[field] as number),
      fieldId: (field) => internals._fieldIds[field] as number,
      averageLength: (fieldId) => internals._avgFieldLength[fieldId] as number,
      lengthOf: (doc, fieldId) => lengths.of(doc, fieldId),
      idOf: (doc) => (hidden.size > 0 && hidden.has(doc) ? undefined : internals._documentIds.get(doc)),
      get total() {
        return internals._documentCount;
      },
      boost: (field) => (field === 'title' ? TITLE_BOOST : 1),
    };
  }

  get version(): number {
    return this.#version;
  }

  add(docs: readonly ParagraphDoc[], onWords?: (doc: number, words: string[]) => void): void {
    this.#version += 1;
    this.#withWords(onWords, () => this.#index.addAll(docs));
    this.#lengths.sync(this.#internals);
  }

  /** Runs `index` (which indexes paragraphs in order, each title then text) handing each text's words to `onWords`. */
  #withWords(onWords: ((doc: number, words: string[]) => void) | undefined, index: () => void): void {
    if (onWords === undefined) return index();
    let doc = 0;
    this.#texts.receive = (words) => onWords(doc++, words);
    try {
      index();
    } finally {
      this.#texts.receive = undefined;
    }
  }

  remove(ids: readonly string[]): void {
    this.#version += 1;
    for (const id of ids) if (this.#index.has(id)) discardParagraph(this.#index, id);
  }

  has(id: string): boolean {
    return this.#index.has(id);
  }

  stage(docs: readonly ParagraphDoc[], onWords?: (doc: number, words: string[]) => void): void {
    this.#version += 1;
    this.#withWords(onWords, () => this.#index.addAll(docs.map((doc) => ({ ...doc, id: doc.id + STAGED_SUFFIX }))));
    this.#lengths.sync(this.#internals);
    for (const doc of docs) this.#hidden.add(this.#internals._idToShortId.get(doc.id + STAGED_SUFFIX) as number);
  }

  reveal(ids: readonly string[]): void {
    this.#version += 1;
    for (const id of ids) {
      if (this.#index.has(id)) throw new Error(`cannot reveal paragraph ${id}: the id is in use`);
      const shortId = renameDocument(this.#internals, id + STAGED_SUFFIX, id);
      if (shortId !== undefined) this.#hidden.delete(shortId);
    }
  }

  unstage(ids: readonly string[]): void {
    this.#version += 1;
    for (const id of ids) {
      const shortId = this.#internals._idToShortId.get(id + STAGED_SUFFIX);
      if (shortId === undefined) continue;
      discardParagraph(this.#index, id + STAGED_SUFFIX);
      this.#hidden.delete(shortId);
    }
  }

  expand(query: AndNode): Expansions {
    return runToEnd(this.expandSteps(query, UNPAUSED));
  }

  *expandSteps(query: AndNode, pace: Pace): Steps<Expansions> {
    const expansions = new Map<TermNode, ReadonlySet<string>>();
    const terms: TermNode[] = [];
    const collect = (node: QueryNode): void => {
      switch (node.kind) {
        case 'term':
          if (node.mode !== 'exact') terms.push(node);
          return;
        case 'phrase':
          return;
        case 'near':
          return node.operands.forEach(collect);
        case 'or':
          return node.should.forEach(collect);
        case 'and':
          node.must.forEach(collect);
          return node.not.forEach(collect);
      }
    };
    collect(query);
    for (const node of terms) if (!expansions.has(node)) expansions.set(node, yield* this.#expansionOf(node, pace));
    return expansions;
  }

  *warmUp(pace: Pace): Steps<void> {
    yield* this.#vocabulary.readySteps(pace);
  }

  prepare(query: AndNode, expansions: Expansions = NO_EXPANSIONS): PreparedQuery {
    const conjunction = conjunctionOf(query, (node) => this.#stemsOf(node, expansions));
    if (conjunction !== null) {
      // Its phrases and proximity chains, wanted or excluded, are looked up as words: the caller verifies them.
      const exact = ![...query.must, ...query.not].some((child) => child.kind === 'phrase' || child.kind === 'near');
      return { exact, textExact: true, run: (visit, pace) => scoreConjunction(this.#view, conjunction.required, conjunction.excluded, visit, pace) };
    }
    const state = { exact: true };
    const tree = this.#toMiniSearch(query, state, expansions);
    const internals = this.#internals;
    const hidden = this.#hidden;
    return {
      exact: state.exact,
      textExact: false,
      run: function* (this: void, visit: CandidateVisitor, pace: Pace): Steps<number> {
        const dense = treeOf(tree);
        if (dense !== null && worthArrays(internals, dense)) {
          const matches = yield* evaluateTree(internals, dense, pace);
          const ids = internals._documentIds;
          const titleBit = 1 << (internals._fieldIds.title as number);
          const textBit = 1 << (internals._fieldIds.text as number);
          for (const shortId of matches.docs) {
            if (pace()) yield;
            const terms = matches.terms[shortId] as number;
            const id = ids.get(shortId);
            if (id === undefined || (hidden.size > 0 && hidden.has(shortId))) continue;
            const fields = matches.fields[shortId] as number;
            // MiniSearch's search() multiplies the score by the number of terms matched.
            visit(id, (matches.score[shortId] as number) * terms, (fields & textBit) !== 0, (fields & titleBit) !== 0);
          }
          return matches.docs.length;
        }
        // MiniSearch's public search() builds a result object per match and sorts them all; for
        // a common word that is most of the time. The raw matches are enough: ranking is ours.
        const raw = yield* executeQueryInSteps(internals, tree, pace);
        const ids = internals._documentIds;
        for (const [shortId, { score, terms, match }] of raw) {
          if (pace()) yield;
          const id = ids.get(shortId);
          if (id === undefined || (hidden.size > 0 && hidden.has(shortId))) continue;
          let textMatched = false;
          let titleMatched = false;
          for (const term in match) {
            const fields = match[term] as string[];
            if (fields.includes('text')) textMatched = true;
            if (fields.includes('title')) titleMatched = true;
          }
          visit(id, score * (terms.length || 1), textMatched, titleMatched);
        }
        return raw.size;
      },
    };
  }

  completions(prefix: string, limit: number): TermCount[] {
    if (prefix.length === 0) return [];
    const top = createTopK<TermCount>(limit, (a, b) => b.paragraphs - a.paragraphs || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
    let visited = 0;
    for (const [word, root] of this.#vocabulary.words.atPrefix(prefix)) {
      if (++visited > MAX_COMPLETION_TERMS) break;
      const paragraphs = this.#documentCount(root);
      if (paragraphs > 0) top.push({ term: word, paragraphs });
    }
    return top.sorted();
  }

  stats(): { paragraphs: number; terms: number } {
    return { paragraphs: this.#index.documentCount - this.#hidden.size, terms: this.#index.termCount };
  }

  records(): Generator<EngineRecord> {
    // Staging and saving both run in the write queue, one after the other: this never happens.
    if (this.#hidden.size > 0) throw new Error('the engine cannot be saved while paragraphs are staged');
    return writeRecords(this.#internals, this.#lengths, this.#vocabulary.list());
  }

  /** Paragraphs holding `root` in their text, else in their title: a ranking, not a count. */
  #documentCount(root: string): number {
    let count = 0;
    for (const docs of this.#internals._index.get(root)?.values() ?? []) count = Math.max(count, docs.size);
    return count;
  }

  /**
   * The stems a prefix or fuzzy term stands for: its own (it matches at least what the keyword
   * does) and those of the vocabulary words it matches (`talks*` → `talks`, `talkshow`).
   */
  #stemsOf(node: TermNode, expansions: Expansions): ReadonlySet<string> {
    return expansions.get(node) ?? runToEnd(this.#expansionOf(node, UNPAUSED));
  }

  /** The stems of {@link MiniSearchEngine.#stemsOf}, worked out, pausing between words when `pace` says so. */
  *#expansionOf(node: TermNode, pace: Pace): Steps<ReadonlySet<string>> {
    const vocabulary = yield* this.#vocabulary.readySteps(pace);
    if (node.mode === 'wildcard') {
      // A wildcard word has no stem of its own: only the words it matches count.
      const stems = new Set<string>();
      const pattern = wildcardPattern(node.term);
      const literal = /^[^*?]*/u.exec(node.term)?.[0] ?? '';
      let words = 0;
      for (const [word, root] of literal === '' ? vocabulary.entries() : vocabulary.atPrefix(literal)) {
        if (pace()) yield;
        if (!pattern.test(word)) continue;
        if (++words > MAX_EXPANDED_WORDS) throw tooManyWords(node);
        stems.add(root);
      }
      return stems;
    }
    const stems = new Set([stem(node.term)]);
    if (node.mode === 'prefix') {
      let words = 0;
      for (const [, root] of vocabulary.atPrefix(node.term)) {
        if (pace()) yield;
        if (++words > MAX_EXPANDED_WORDS) throw tooManyWords(node);
        stems.add(root);
      }
    } else {
      for (const [root] of vocabulary.fuzzyGet(node.term, node.distance).values()) stems.add(root);
    }
    return stems;
  }

  #toMiniSearch(node: QueryNode, state: { exact: boolean }, expansions: Expansions): Query {
    switch (node.kind) {
      case 'term': {
        const fields = fieldsOf(node.field);
        if (node.mode === 'exact') return { queries: [stem(node.term)], fields };
        return { queries: [...this.#stemsOf(node, expansions)], combineWith: 'OR', fields };
      }
      case 'phrase':
        state.exact = false;
        return { queries: node.terms.map(stem), combineWith: 'AND', fields: fieldsOf(node.field) };
      case 'near':
        // Looked up as the AND of its operands; the caller verifies the chain.
        state.exact = false;
        return { queries: node.operands.map((child) => this.#toMiniSearch(child, state, expansions)), combineWith: 'AND' };
      case 'or':
        return { queries: node.should.map((child) => this.#toMiniSearch(child, state, expansions)), combineWith: 'OR' };
      case 'and': {
        const must: Query = { queries: node.must.map((child) => this.#toMiniSearch(child, state, expansions)), combineWith: 'AND' };
        // What must be verified can only be excluded after verification: excluding its stems
        // here would drop paragraphs that do not hold the phrase (or the exact word) itself.
        const excluded: Query[] = [];
        for (const child of node.not) {
          const probe = { exact: true };
          const query = this.#toMiniSearch(child, probe, expansions);
          if (probe.exact) excluded.push(query);
          else state.exact = false;
        }
        if (excluded.length === 0) return must;
        return { queries: [must, ...excluded], combineWith: 'AND_NOT' };
      }
    }
  }
}

/**
 * The query as a plain conjunction when it is one: every positive clause an exact term, a prefix
 * or fuzzy term (any of its stems) or a phrase (looked up as its words); exclusions terms
 * (excluded phrases are left to verification, as in the query tree). Anything else (OR) returns
 * null, and so does a prefix or fuzzy term sharing a stem with another clause: MiniSearch counts
 * a stem matched twice once, which per-clause sums cannot tell.
 */
function conjunctionOf(query: AndNode, stemsOf: (node: TermNode) => ReadonlySet<string>): { required: Lookup[]; excluded: Lookup[] } | null {
  const required: Lookup[] = [];
  const lookup = (node: TermNode): Lookup => ({ stems: node.mode === 'exact' ? [stem(node.term)] : [...stemsOf(node)], fields: fieldsOf(node.field) });
  const add = (child: QueryNode): boolean => {
    if (child.kind === 'term') required.push(lookup(child));
    else if (child.kind === 'phrase') for (const term of child.terms) required.push({ stems: [stem(term)], fields: fieldsOf(child.field) });
    else if (child.kind === 'near') return child.operands.every(add);
    else return false;
    return true;
  };
  for (const child of query.must) if (!add(child)) return null;
  const excluded: Lookup[] = [];
  for (const child of query.not) {
    if (child.kind === 'term') excluded.push(lookup(child));
    else if (child.kind !== 'phrase' && child.kind !== 'near') return null;
  }
  if (required.length === 0) return null;
  const stems = required.flatMap((clause) => clause.stems);
  if (required.some((clause) => clause.stems.length > 1) && new Set(stems).size < stems.length) return null;
  return { required, excluded };
}

function fieldsOf(field: Field | null): Field[] {
  return field === null ? ['title', 'text'] : [field];
}

/** Creates an empty engine. */
export function createEngine(): SearchEngine {
  const vocabulary = new Vocabulary();
  const texts: TextSink = { receive: undefined };
  return new MiniSearchEngine(new MiniSearch<ParagraphDoc>(miniSearchOptions(vocabulary, texts)), vocabulary, texts);
}

/**
 * Loads an engine from the records of {@link SearchEngine.records}, `meta` first. Throws when
 * they do not make an index (the caller then rebuilds from the corpus).
 */
export function loadEngine(records: Iterable<unknown>): SearchEngine {
  const malformed = (what: string) => new Error(`search engine snapshot is malformed: ${what}`);
  const vocabulary = new Vocabulary();
  const texts: TextSink = { receive: undefined };
  const words: string[] = [];
  let internals: Internals | undefined;
  let fields = 0;
  for (const record of records) {
    if (!Array.isArray(record) || typeof record[0] !== 'string') throw malformed('a record is not [kind, data]');
    const [kind, data] = record as [string, unknown];
    if (kind === 'meta') {
      const meta = data as Extract<EngineRecord, ['meta', unknown]>[1];
      if (typeof meta?.nextId !== 'number' || typeof meta.fieldIds !== 'object') throw malformed('meta');
      const empty = { ...meta, documentIds: {}, fieldLength: {}, storedFields: {}, index: [], serializationVersion: 2 };
      internals = MiniSearch.loadJS<ParagraphDoc>(empty, miniSearchOptions(vocabulary, texts)) as unknown as Internals;
      fields = Object.keys(internals._fieldIds).length;
      continue;
    }
    if (internals === undefined) throw malformed(`"${kind}" before "meta"`);
    if (kind === 'postings') {
      readPostings(internals, data);
      continue;
    }
    if (!Array.isArray(data)) throw malformed(`"${kind}" holds no array`);
    if (kind === 'documents') {
      readDocuments(internals, data, fields);
    } else if (kind === 'words') {
      for (const word of data) if (typeof word === 'string') words.push(word);
    } else {
      throw malformed(`unknown record "${kind}"`);
    }
  }
  if (internals === undefined) throw malformed('no "meta" record');
  vocabulary.defer(words);
  return new MiniSearchEngine(internals as unknown as MiniSearch<ParagraphDoc>, vocabulary, texts);
}
