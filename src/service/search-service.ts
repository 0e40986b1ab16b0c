/**
 * @module service/search-service
 * The search of SPEC §5 end to end: parse the query, execute it, and dress the page of hits
 * with highlights, snippets, fragments and context.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_SEARCH_REQUEST, executeSearch, type RankedParagraph, type SearchOutcome, type SearchRequest } from '../backends/embedded/execute.ts';
import type { Library } from '../backends/embedded/library.ts';
import { analyzeDoc, matchSpans } from '../search/matches.ts';
import { parseQuery } from '../search/query-parser.ts';
import type { AndNode, Expansions } from '../search/query.ts';
import { makeSnippets, normalizeSpans } from '../snippet/highlight.ts';

/** Everything `/search` takes besides `q`. */
export type SearchParams = SearchRequest & {
  /** Best fragments to return (1–5); more than one adds `fragments` to each hit. */
  fragments: number;
  /** Neighbouring paragraphs to return before and after each hit (0–3). */
  context: number;
};

/** The defaults of every `/search` parameter besides `q`. */
export const DEFAULT_SEARCH_PARAMS: SearchParams = { ...DEFAULT_SEARCH_REQUEST, fragments: 1, context: 0 };

/** One hit of the response (SPEC §5). */
export type Hit = {
  id: string;
  articleId: string;
  paragraph: number;
  score: number;
  title: string;
  source: string | null;
  date: string | null;
  url: string | null;
  text: string;
  highlights: Array<[number, number]>;
  titleHighlights: Array<[number, number]>;
  snippet: string;
  fragments?: string[];
  context?: { before: string[]; after: string[] };
  matchingParagraphs?: number;
};

/** The response of `/search`. */
export type SearchResponse = {
  q: string;
  /** How the query was read, in canonical form: sent back as `q`, it gives the same hits (SPEC §4). */
  query: string;
  /** What the parser reinterpreted, and relaxed matching when it happened, in words for the user. */
  warnings: string[];
  /** True when no paragraph held all the words and those holding most of them are returned. */
  relaxed: boolean;
  total: number;
  offset: number;
  limit: number;
  tookMs: number;
  hits: Hit[];
  facets?: SearchOutcome['facets'];
};

/** What a relaxed response says (SPEC §4). */
export const RELAXED_WARNING = 'no paragraph holds all the words; showing those with most of them';

/** Characters a snippet aims for (SPEC §5: about 200). */
const SNIPPET_CHARS = 200;

/**
 * Searches the library. Throws `bad_request` for a query the parser refuses (SPEC §4).
 *
 * @example
 * search(library, 'ceasefire', { ...DEFAULT_SEARCH_PARAMS, limit: 3 }).hits[0]?.snippet
 */
export function search(library: Library, q: string, params: SearchParams = DEFAULT_SEARCH_PARAMS): SearchResponse {
  const started = performance.now();
  const query = parseQuery(q);
  const outcome = executeSearch(library, query, params);
  const hits = outcome.page.map((ranked) => toHit(ranked, outcome.root, outcome.expansions, params));
  const warnings = [...query.warnings];
  if (outcome.relaxed && params.mode !== 'any') warnings.push(RELAXED_WARNING);
  const response: SearchResponse = {
    q,
    query: query.canonical,
    warnings,
    relaxed: outcome.relaxed,
    total: outcome.total,
    offset: params.offset,
    limit: params.limit,
    tookMs: Math.round((performance.now() - started) * 100) / 100,
    hits,
  };
  if (params.facets.length > 0) response.facets = outcome.facets;
  return response;
}

function toHit(ranked: RankedParagraph, root: AndNode, expansions: Expansions, params: SearchParams): Hit {
  const { article } = ranked.stored;
  const text = article.paragraphs[ranked.index] ?? '';
  const spans = matchSpans(root, analyzeDoc(article.title, text), expansions);
  const snippets = makeSnippets(text, spans.text, { fragments: params.fragments, size: SNIPPET_CHARS });
  const hit: Hit = {
    id: ranked.id,
    articleId: article.id,
    paragraph: ranked.index + 1,
    score: Math.round(ranked.score * 1000) / 1000,
    title: article.title,
    source: article.source,
    date: article.date,
    url: article.url,
    text,
    highlights: snippets.highlights,
    titleHighlights: normalizeSpans(article.title, spans.title),
    snippet: snippets.snippet,
  };
  if (params.fragments > 1) hit.fragments = snippets.fragments;
  if (params.context > 0) {
    hit.context = {
      before: article.paragraphs.slice(Math.max(0, ranked.index - params.context), ranked.index),
      after: article.paragraphs.slice(ranked.index + 1, ranked.index + 1 + params.context),
    };
  }
  if (ranked.matchingParagraphs !== undefined) hit.matchingParagraphs = ranked.matchingParagraphs;
  return hit;
}
