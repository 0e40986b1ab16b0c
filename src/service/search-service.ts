/**
 * @module service/search-service
 * The search of SPEC §5 end to end: parse the query, execute it, and dress the page of hits
 * with highlights, snippets, fragments and context.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_SEARCH_REQUEST, type BackendHit, type CopiesSummary, type BackendSearch, type SearchBackend, type SearchRequest } from '../backends/backend.ts';
import { analyzeDoc, matchSpans } from '../search/matches.ts';
import { parseQuery } from '../search/query-parser.ts';
import type { AndNode, Expansions, ParsedQuery } from '../search/query.ts';
import { HTML_MARKUP, makeSnippets, normalizeSpans, type Markup } from '../snippet/highlight.ts';
import { eventLoopTurns } from '../backends/turns.ts';

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
  /** With `collapse=copies`: the hit's copy cluster (SPEC §10). */
  copies?: CopiesSummary;
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
  facets?: BackendSearch['facets'];
};

/** What a relaxed response says (SPEC §4). */
export const RELAXED_WARNING = 'no paragraph holds all the words; showing those with most of them';

/** Characters a snippet aims for (SPEC §5: about 200). */
const SNIPPET_CHARS = 200;

/**
 * Searches `backend`: parses `q`, runs it, and dresses the page of hits. Throws `bad_request`
 * for a query the parser or the backend refuses (SPEC §4).
 *
 * @example
 * (await searchBackend(backend, 'ceasefire', { ...DEFAULT_SEARCH_PARAMS, limit: 3 })).hits[0]?.snippet
 */
export async function searchBackend(backend: SearchBackend, q: string, params: SearchParams = DEFAULT_SEARCH_PARAMS): Promise<SearchResponse> {
  const started = performance.now();
  // Parsing and dressing are work too: each waits for its turn of the event loop (backends/turns.ts).
  await eventLoopTurns.next();
  const query = parseQuery(q);
  const result = await backend.search(query, params);
  await eventLoopTurns.next();
  return dressSearch(q, query, result, params, performance.now() - started);
}

/**
 * The response of `/search` for a backend's result: the echo of the query, the warnings, and each
 * hit with its highlights, snippet, fragments and context, computed from the hit's paragraph
 * with the one analyzer (the same for every backend).
 */
export function dressSearch(q: string, query: ParsedQuery, result: BackendSearch, params: SearchParams, elapsedMs: number, markup: Markup = HTML_MARKUP): SearchResponse {
  // Relaxed hits hold some of the clauses: what they match is the clauses ORed.
  const root: AndNode = result.relaxed ? { kind: 'and', must: [{ kind: 'or', should: query.root.must }], not: query.root.not } : query.root;
  const warnings = [...query.warnings];
  if (result.relaxed && params.mode !== 'any') warnings.push(RELAXED_WARNING);
  const response: SearchResponse = {
    q,
    query: query.canonical,
    warnings,
    relaxed: result.relaxed,
    total: result.total,
    offset: params.offset,
    limit: params.limit,
    tookMs: Math.round(elapsedMs * 100) / 100,
    hits: result.hits.map((hit) => toHit(hit, root, result.expansions, params, markup)),
  };
  if (params.facets.length > 0) response.facets = result.facets;
  return response;
}

function toHit(found: BackendHit, root: AndNode, expansions: Expansions, params: SearchParams, markup: Markup): Hit {
  const { article, index } = found;
  const text = article.paragraphs[index] ?? '';
  const spans = matchSpans(root, analyzeDoc(article.title, text), expansions);
  const snippets = makeSnippets(text, spans.text, { fragments: params.fragments, size: SNIPPET_CHARS, markup });
  const hit: Hit = {
    id: `${article.id}:${index + 1}`,
    articleId: article.id,
    paragraph: index + 1,
    score: Math.round(found.score * 1000) / 1000,
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
      before: article.paragraphs.slice(Math.max(0, index - params.context), index),
      after: article.paragraphs.slice(index + 1, index + 1 + params.context),
    };
  }
  if (found.matchingParagraphs !== undefined) hit.matchingParagraphs = found.matchingParagraphs;
  if (found.copies !== undefined) hit.copies = found.copies;
  return hit;
}
