/**
 * @module search/execute
 * Runs a parsed query against the library: candidates from the engine, filters, exact phrase
 * verification on the analyzer's tokens, ranking, grouping, facets and the requested page.
 */
import { analyze, type Analysis } from '../text/analyzer.ts';
import { containsPhrase } from './engine.ts';
import { findParagraph, type Library, type StoredArticle } from './library.ts';
import { analyzeDoc } from './matches.ts';
import type { ParsedQuery } from './query.ts';
import { matchesQuery } from './verify.ts';

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
  total: number;
  page: RankedParagraph[];
  facets: Partial<Record<FacetName, Record<string, number>>>;
};

type Match = RankedParagraph & { textMatched: boolean };

/**
 * Executes `query`. `total` is exact: every candidate is verified and counted, only the page
 * is cut.
 *
 * @example
 * executeSearch(library, parseQuery('ceasefire'), DEFAULT_SEARCH_REQUEST).total // 8 on the seed
 */
export function executeSearch(library: Library, query: ParsedQuery, request: SearchRequest): SearchOutcome {
  const accept = articleFilter(request);
  const verify = containsPhrase(query.root);
  const titles = new Map<string, Analysis>();
  const matches: Match[] = [];
  for (const candidate of library.engine.candidates(query.root)) {
    const found = findParagraph(library, candidate.id);
    if (found === undefined || !accept(found.stored)) continue;
    if (verify) {
      const article = found.stored.article;
      let title = titles.get(article.id);
      if (title === undefined) {
        title = analyze(article.title);
        titles.set(article.id, title);
      }
      if (!matchesQuery(query.root, analyzeDoc(title, found.text))) continue;
    }
    matches.push({ id: candidate.id, stored: found.stored, index: found.index, score: candidate.score, textMatched: candidate.textMatched });
  }

  matches.sort(comparator(request.sort));
  const ranked = request.group === 'article' ? groupByArticle(matches) : matches;
  return {
    total: ranked.length,
    page: ranked.slice(request.offset, request.offset + request.limit).map(({ textMatched: _, ...hit }) => hit),
    facets: countFacets(matches, request.facets),
  };
}

function articleFilter(request: SearchRequest): (stored: StoredArticle) => boolean {
  const sources = new Set(request.sources.map((source) => source.toLowerCase()));
  const { from, to } = request;
  if (sources.size === 0 && from === null && to === null) return () => true;
  return ({ article }) => {
    if (sources.size > 0 && (article.source === null || !sources.has(article.source.toLowerCase()))) return false;
    if (from === null && to === null) return true;
    if (article.date === null) return false;
    const day = article.date.slice(0, 10);
    return (from === null || day >= from) && (to === null || day <= to);
  };
}

/** Relevance: paragraphs whose own text matched first, then by score; dates break no ties there. */
function comparator(sort: SearchRequest['sort']): (a: Match, b: Match) => number {
  const byRelevance = (a: Match, b: Match): number =>
    Number(b.textMatched) - Number(a.textMatched) || b.score - a.score || compareIds(a, b);
  if (sort === 'relevance') return byRelevance;
  const direction = sort === 'newest' ? -1 : 1;
  return (a, b) => {
    const dateA = a.stored.article.date;
    const dateB = b.stored.article.date;
    if (dateA !== dateB) {
      if (dateA === null) return 1; // undated articles last in both orders
      if (dateB === null) return -1;
      return dateA < dateB ? -direction : direction;
    }
    return a.stored.article.id === b.stored.article.id ? a.index - b.index : byRelevance(a, b);
  };
}

function compareIds(a: Match, b: Match): number {
  if (a.stored.article.id !== b.stored.article.id) return a.stored.article.id < b.stored.article.id ? -1 : 1;
  return a.index - b.index;
}

/** Keeps the best paragraph of each article (the first in ranked order) and counts its matches. */
function groupByArticle(matches: readonly Match[]): Match[] {
  const best = new Map<string, Match>();
  for (const match of matches) {
    const articleId = match.stored.article.id;
    const kept = best.get(articleId);
    if (kept === undefined) best.set(articleId, { ...match, matchingParagraphs: 1 });
    else kept.matchingParagraphs = (kept.matchingParagraphs ?? 1) + 1;
  }
  return [...best.values()];
}

function countFacets(matches: readonly Match[], names: readonly FacetName[]): SearchOutcome['facets'] {
  const facets: SearchOutcome['facets'] = {};
  for (const name of names) {
    const counts: Record<string, number> = {};
    for (const { stored } of matches) {
      const key = name === 'source' ? stored.article.source : (stored.article.date?.slice(0, 7) ?? null);
      if (key !== null) counts[key] = (counts[key] ?? 0) + 1;
    }
    facets[name] = counts;
  }
  return facets;
}
