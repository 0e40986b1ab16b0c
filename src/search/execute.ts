/**
 * @module search/execute
 * Runs a parsed query against the library: candidates from the engine, filters, exact phrase
 * verification on the analyzer's tokens, ranking, grouping, facets and the requested page.
 */
import { performance } from 'node:perf_hooks';
import { createError } from '../errors.ts';
import { findParagraph, type Library, type ParagraphRef, type StoredArticle } from './library.ts';
import type { AndNode, ParsedQuery } from './query.ts';
import { createTopK } from './top-k.ts';

/** The facets a search can count. */
export type FacetName = 'source' | 'month';

/** What to search for and how to rank, filter and page (SPEC §5); validated by the caller. */
export type SearchRequest = {
  limit: number;
  offset: number;
  sources: string[];
  from: string | null;
  to: string | null;
  sort: 'relevance' | 'newest' | 'oldest';
  group: 'paragraph' | 'article';
  facets: FacetName[];
};

/** The defaults of every search parameter. */
export const DEFAULT_SEARCH_REQUEST: SearchRequest = {
  limit: 10,
  offset: 0,
  sources: [],
  from: null,
  to: null,
  sort: 'relevance',
  group: 'paragraph',
  facets: [],
};

/** A paragraph that matched, ranked. */
export type RankedParagraph = {
  id: string;
  stored: StoredArticle;
  /** 0-based index of the paragraph in its article. */
  index: number;
  score: number;
  /** With `group=article`: how many paragraphs of the article matched. */
  matchingParagraphs?: number;
};

/** The outcome of a search, before hits are dressed with highlights and snippets. */
export type SearchOutcome = {
  /** The query with its prefix and fuzzy terms expanded by the engine: what the highlights mark. */
  root: AndNode;
  total: number;
  page: RankedParagraph[];
  facets: Partial<Record<FacetName, Record<string, number>>>;
};

/**
 * Longest a query may spend filtering and verifying candidates before it is refused with a 400:
 * an exact answer or an honest refusal, never a silently partial total.
 */
export const QUERY_BUDGET_MS = 3000;
/** The budget is checked every 1024 candidates (a mask): often enough, cheaply. */
const BUDGET_CHECK_EVERY = 1023;

/** A candidate being ranked: the paragraph is looked up only when something needs it. */
type Match = { id: string; score: number; textMatched: boolean; ref: ParagraphRef | undefined; matchingParagraphs?: number };

/**
 * Executes `query`. `total` is exact: every candidate is filtered, verified and counted; only
 * the page is kept, with a bounded selection instead of a sort of every match.
 *
 * @example
 * executeSearch(library, parseQuery('ceasefire'), DEFAULT_SEARCH_REQUEST).total // 8 on the seed
 */
export function executeSearch(library: Library, query: ParsedQuery, request: SearchRequest, budgetMs: number = QUERY_BUDGET_MS): SearchOutcome {
  const accept = articleFilter(request);
  const root = library.engine.expand(query.root);
  const prepared = library.engine.prepare(root);
  const verify = prepared.exact ? undefined : createVerifier(library, root);
  const needsParagraph = accept !== undefined || verify !== undefined || request.facets.length > 0 || request.sort !== 'relevance';
  const compare = comparator(request.sort);
  const facets = createFacetCounter(request.facets);
  const byArticle = request.group === 'article' ? new Map<string, Match>() : undefined;
  const top = createTopK<Match>(request.offset + request.limit, compare);
  let total = 0;

  const started = performance.now();
  let visited = 0;
  prepared.forEach((id, score, textMatched) => {
    visited += 1;
    if ((visited & BUDGET_CHECK_EVERY) === 0 && performance.now() - started > budgetMs) {
      throw createError('bad_request', `q took longer than ${budgetMs} ms to verify; narrow it (fewer very common words in phrases, longer prefixes)`);
    }
    let ref: ParagraphRef | undefined;
    if (needsParagraph) {
      ref = findParagraph(library, id);
      if (ref === undefined || (accept !== undefined && !accept(ref.stored)) || (verify !== undefined && !verify(ref))) return;
      facets?.count(ref.stored);
    }
    const match: Match = { id, score, textMatched, ref };
    if (byArticle === undefined) {
      total += 1;
      top.push(match);
      return;
    }
    const articleId = id.slice(0, id.lastIndexOf(':'));
    const best = byArticle.get(articleId);
    if (best === undefined) byArticle.set(articleId, { ...match, matchingParagraphs: 1 });
    else if (compare(match, best) < 0) byArticle.set(articleId, { ...match, matchingParagraphs: (best.matchingParagraphs ?? 1) + 1 });
    else best.matchingParagraphs = (best.matchingParagraphs ?? 1) + 1;
  });

  if (byArticle !== undefined) {
    total = byArticle.size;
    for (const best of byArticle.values()) top.push(best);
  }
  const page: RankedParagraph[] = [];
  for (const match of top.sorted().slice(request.offset)) {
    const ref = match.ref ?? findParagraph(library, match.id);
    if (ref === undefined) continue;
    const hit: RankedParagraph = { id: match.id, stored: ref.stored, index: ref.index, score: match.score };
    if (match.matchingParagraphs !== undefined) hit.matchingParagraphs = match.matchingParagraphs;
    page.push(hit);
  }
  return { root, total, page, facets: facets?.result() ?? {} };
}

/** Verifies candidates of a phrase query on the analyzer's terms, in the library's term store. */
function createVerifier(library: Library, root: AndNode): (ref: ParagraphRef) => boolean {
  const matches = library.terms.matcher(root);
  return (ref) => matches(library.terms.doc(ref.stored, ref.index));
}

function articleFilter(request: SearchRequest): ((stored: StoredArticle) => boolean) | undefined {
  const sources = new Set(request.sources.map((source) => source.toLowerCase()));
  const { from, to } = request;
  if (sources.size === 0 && from === null && to === null) return undefined;
  return ({ article }) => {
    if (sources.size > 0 && (article.source === null || !sources.has(article.source.toLowerCase()))) return false;
    if (from === null && to === null) return true;
    if (article.date === null) return false;
    const day = article.date.slice(0, 10);
    return (from === null || day >= from) && (to === null || day <= to);
  };
}

/** Relevance: paragraphs whose own text matched first, then by score, then by id for stable pages. */
function comparator(sort: SearchRequest['sort']): (a: Match, b: Match) => number {
  const byRelevance = (a: Match, b: Match): number =>
    Number(b.textMatched) - Number(a.textMatched) || b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (sort === 'relevance') return byRelevance;
  const direction = sort === 'newest' ? -1 : 1;
  return (a, b) => {
    const dateA = a.ref?.stored.article.date ?? null;
    const dateB = b.ref?.stored.article.date ?? null;
    if (dateA !== dateB) {
      if (dateA === null) return 1; // undated articles last in both orders
      if (dateB === null) return -1;
      return dateA < dateB ? -direction : direction;
    }
    return byRelevance(a, b);
  };
}

/** Counts matches per source and per month, for the facets asked for. */
function createFacetCounter(names: readonly FacetName[]): { count(stored: StoredArticle): void; result(): SearchOutcome['facets'] } | undefined {
  if (names.length === 0) return undefined;
  const counts: SearchOutcome['facets'] = {};
  for (const name of names) counts[name] = {};
  return {
    count({ article }) {
      for (const name of names) {
        const key = name === 'source' ? article.source : (article.date?.slice(0, 7) ?? null);
        const table = counts[name] as Record<string, number>;
        if (key !== null) table[key] = (table[key] ?? 0) + 1;
      }
    },
    result: () => counts,
  };
}
