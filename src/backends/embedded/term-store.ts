/**
 * @module backends/embedded/term-store
 * The analyzer's terms of each paragraph, as integer ids in text order, built the first time a
 * phrase query has to verify it and kept while its article is unchanged. Built a paragraph at a
 * time: a phrase found in one paragraph of a 10,000-paragraph article costs that paragraph.
 * MiniSearch has no positions; this is the positional data phrases need, at 4 bytes a word,
 * without re-tokenizing a paragraph for every query that touches it.
 */
import { analyze, type Analysis } from '../../text/analyzer.ts';
import type { StoredArticle } from './library.ts';
import { BOTH_FIELDS, NO_EXPANSIONS, type Expansions, type Field, type PhraseNode, type QueryNode, type TermNode } from '../../search/query.ts';
import { allowedSlop, analyzeDoc, chainIn, evaluateQuery, matchesInText, phraseEndAt, termMatches, type AnalyzedDoc, type Leaf } from '../../search/verify.ts';

/** The terms of one paragraph and its article's title: one buffer of ids, and per field (title, then text) its bounds. */
type ParagraphTerms = {
  ids: Int32Array;
  /** For field f: tokens are ids[bounds[3f] .. bounds[3f+1]), compounds up to bounds[3f+2]. */
  bounds: Int32Array;
};

/**
 * One paragraph in term ids: its buffer and bounds, which fields are its title and text, and the
 * article itself (proximity chains are checked on its analyzed text).
 */
export type TermDoc = ParagraphTerms & { title: number; text: number; stored: StoredArticle; index: number };

/** How a paragraph matches a query: not at all, only through its article's title, or in its own text (SPEC §4). */
export type Verdict = 'none' | 'title' | 'text';

/** What is built of an article: its title's ids (tokens, then compounds), and the paragraphs asked for so far. */
type ArticleTerms = { title: number[]; titleTokens: number; paragraphs: Array<ParagraphTerms | undefined> };

/** Term ids of articles, and the query evaluation over them. */
export type TermStore = {
  /** The paragraph `index` of an article, in term ids (analyzed on first use). */
  doc(stored: StoredArticle, index: number): TermDoc;
  /**
   * Tells whether a paragraph matches `root` exactly (same meaning as `matchesQuery`), and if so
   * whether some positive clause matches in its own text (`matchesInText`).
   */
  matcher(root: QueryNode, expansions?: Expansions): (doc: TermDoc) => Verdict;
};

/**
 * Creates an empty store.
 *
 * @example
 * const store = createTermStore();
 * const matches = store.matcher(parseQuery('"four-day truce"').root);
 * matches(store.doc(stored, 1)) // true for the seed's second paragraph
 */
export function createTermStore(): TermStore {
  const idOf = new Map<string, number>();
  const terms: string[] = [];
  const articles = new WeakMap<StoredArticle, ArticleTerms>();

  const intern = (term: string): number => {
    let id = idOf.get(term);
    if (id === undefined) {
      id = terms.length;
      terms.push(term);
      idOf.set(term, id);
    }
    return id;
  };

  const idsOf = (analysis: Analysis): number[] => [...analysis.tokens.map((token) => intern(token.term)), ...analysis.compounds.map((compound) => intern(compound.term))];

  const build = (article: ArticleTerms, text: string): ParagraphTerms => {
    const analysis = analyze(text);
    const ids = Int32Array.from([...article.title, ...idsOf(analysis)]);
    const start = article.title.length;
    const bounds = Int32Array.of(0, article.titleTokens, start, start, start + analysis.tokens.length, ids.length);
    return { ids, bounds };
  };

  return {
    doc(stored, index) {
      let article = articles.get(stored);
      if (article === undefined) {
        const title = analyze(stored.article.title);
        article = { title: idsOf(title), titleTokens: title.tokens.length, paragraphs: [] };
        articles.set(stored, article);
      }
      let built = article.paragraphs[index];
      if (built === undefined) {
        built = build(article, stored.article.paragraphs[index] ?? '');
        article.paragraphs[index] = built;
      }
      return { ids: built.ids, bounds: built.bounds, title: 0, text: 1, stored, index };
    },
    matcher(root, expansions = NO_EXPANSIONS) {
      const memos = new Map<TermNode, Map<number, boolean>>();
      const matchesTerm = (node: TermNode, id: number): boolean => {
        let memo = memos.get(node);
        if (memo === undefined) {
          memo = new Map();
          memos.set(node, memo);
        }
        let verdict = memo.get(id);
        if (verdict === undefined) {
          verdict = termMatches(node, terms[id] as string, expansions);
          memo.set(id, verdict);
        }
        return verdict;
      };
      const phraseIds = new Map<QueryNode, number[]>();
      /** The ids of a phrase's terms, or null while one of them is in no article analyzed yet. */
      const idsOfPhrase = (node: PhraseNode): number[] | null => {
        const known = phraseIds.get(node);
        if (known !== undefined) return known;
        const ids = node.terms.map((term) => idOf.get(term));
        if (ids.some((id) => id === undefined)) return null;
        phraseIds.set(node, ids as number[]);
        return ids as number[];
      };

      // Proximity chains need positions of compounds and sentences: they are checked on the analysis.
      let analyzed: { doc: TermDoc; analysis: AnalyzedDoc } | undefined;
      const analysisOf = (doc: TermDoc): AnalyzedDoc => {
        if (analyzed?.doc !== doc) analyzed = { doc, analysis: analyzeDoc(doc.stored.article.title, doc.stored.article.paragraphs[doc.index] ?? '') };
        return analyzed.analysis;
      };
      const leafMatches = (node: Leaf, doc: TermDoc, only: Field | null): boolean => {
        if (node.kind === 'near') {
          const analysis = analysisOf(doc);
          return (only === null ? BOTH_FIELDS : [only]).some((field) => chainIn(node, analysis, field, expansions) !== null);
        }
        const restriction = node.field ?? only;
        if (only !== null && restriction !== only) return false;
        if (node.kind === 'term') {
          return fieldsOf(restriction, doc).some((f) => {
            const start = doc.bounds[3 * f] as number;
            const end = doc.bounds[3 * f + 2] as number;
            for (let i = start; i < end; i += 1) if (matchesTerm(node, doc.ids[i] as number)) return true;
            return false;
          });
        }
        const wanted = idsOfPhrase(node);
        if (wanted === null) return false;
        const slop = allowedSlop(node.slop);
        return fieldsOf(restriction, doc).some((f) => {
          const end = doc.bounds[3 * f + 1] as number;
          for (let p = doc.bounds[3 * f] as number; p < end; p += 1) if (phraseEndAt(doc.ids, end, wanted, slop, p) !== -1) return true;
          return false;
        });
      };
      return (doc) => {
        if (!evaluateQuery(root, (leaf) => leafMatches(leaf, doc, null))) return 'none';
        return matchesInText(root, (leaf) => leafMatches(leaf, doc, 'text')) ? 'text' : 'title';
      };
    },
  };
}

function fieldsOf(field: Field | null, doc: TermDoc): number[] {
  if (field === 'title') return [doc.title];
  if (field === 'text') return [doc.text];
  return [doc.title, doc.text];
}
