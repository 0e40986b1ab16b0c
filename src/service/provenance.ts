/**
 * @module service/provenance
 * Where and when a quote appeared (SPEC §10): the articles matching a query, oldest first, each
 * with its source, date, url and paragraph, and whether it is a copy of an earlier article; the
 * first appearance, how many outlets ran it and over how many days. Built on the backend's search
 * (sorted by date, one hit per article) and its copy clusters, so it is the same on every backend.
 */
import { DEFAULT_SEARCH_PARAMS, type SearchParams, type SearchResponse } from './search-service.ts';

/** One article the quote appeared in. */
export type Appearance = {
  articleId: string;
  /** The paragraph (from 1) where it appeared first in the article, as `/search` ranks them. */
  paragraph: number;
  title: string;
  source: string | null;
  date: string | null;
  url: string | null;
  snippet: string;
  /** The article's copy cluster, by the id of its earliest article; `null` without copies. */
  copyOf: string | null;
  /** True when the cluster holds an article earlier than this one: a copy, not a new source. */
  earlierCopy: boolean;
};

/** The response of `GET /provenance`. */
export type ProvenanceResponse = {
  q: string;
  query: string;
  warnings: string[];
  /** Articles matching, dated or not. */
  total: number;
  offset: number;
  limit: number;
  /** The earliest appearance, whatever the page. */
  first: Appearance | null;
  /** Distinct sources of the matching paragraphs. */
  outlets: number;
  /** Days from the first dated appearance to the last; `null` with fewer than one dated. */
  days: number | null;
  appearances: Appearance[];
};

/** What provenance needs of the service. */
export type ProvenanceSources = {
  search(q: string, params: SearchParams): Promise<SearchResponse>;
  /** The copy cluster of each article (`copyOf`: named by its earliest article; `null` without copies). */
  copyClusters(ids: readonly string[]): Promise<Map<string, string | null>>;
};

const DAY_MS = 86_400_000;

/**
 * Traces `q`: a page of appearances, oldest first (undated last), with the first one and the span.
 *
 * @example
 * (await traceProvenance(sources, '"four-day truce"', { limit: 50, offset: 0 })).first?.source
 */
export async function traceProvenance(sources: ProvenanceSources, q: string, page: { limit: number; offset: number }): Promise<ProvenanceResponse> {
  const byDate: SearchParams = { ...DEFAULT_SEARCH_PARAMS, sort: 'oldest', group: 'article', facets: ['source'], ...page };
  const found = await sources.search(q, byDate);
  const first = page.offset === 0 ? found.hits[0] : (await sources.search(q, { ...byDate, offset: 0, limit: 1 })).hits[0];
  const newest = (await sources.search(q, { ...byDate, sort: 'newest', offset: 0, limit: 1, facets: [] })).hits[0];
  // One lookup for the page's clusters. A cluster is named by its earliest article, so an article
  // has an earlier copy exactly when its cluster is named by another.
  const clusters = await sources.copyClusters([...new Set([...found.hits, ...(first === undefined ? [] : [first])].map((hit) => hit.articleId))]);
  const appearance = (hit: SearchResponse['hits'][number]): Appearance => {
    const copyOf = clusters.get(hit.articleId) ?? null;
    return {
      articleId: hit.articleId,
      paragraph: hit.paragraph,
      title: hit.title,
      source: hit.source,
      date: hit.date,
      url: hit.url,
      snippet: hit.snippet,
      copyOf,
      earlierCopy: copyOf !== null && copyOf !== hit.articleId,
    };
  };
  const firstDate = first?.date ?? null;
  const lastDate = newest?.date ?? null;
  return {
    q,
    query: found.query,
    warnings: found.warnings,
    total: found.total,
    offset: page.offset,
    limit: page.limit,
    first: first === undefined ? null : appearance(first),
    outlets: Object.keys(found.facets?.source ?? {}).length,
    days: firstDate === null || lastDate === null ? null : Math.round((Date.parse(lastDate.slice(0, 10)) - Date.parse(firstDate.slice(0, 10))) / DAY_MS),
    appearances: found.hits.map(appearance),
  };
}
