/**
 * @module service/news-service
 * The service the HTTP server and the CLI share, over any {@link SearchBackend} (SPEC §9): searches
 * parsed here and dressed with highlights and snippets here, whichever backend ran them; writes,
 * completions and counts passed to the backend.
 */
import type { ArticleCopies, ArticleResult, BackendMetrics, SearchBackend } from '../backends/backend.ts';
import type { Article } from '../ingest/article.ts';
import { fold } from '../text/analyzer.ts';
import { searchBackend, type SearchParams, type SearchResponse } from './search-service.ts';
import { createAdmission, MAX_SEARCHES_IN_FLIGHT } from './admission.ts';
import { traceProvenance, type ProvenanceResponse } from './provenance.ts';
import { exportChunks, type ExportChunk } from './exports.ts';

/** Most completions `/suggest` returns (SPEC §5). */
const MAX_SUGGESTIONS = 10;
/** Matches the last word of a partly typed query (what `/suggest` completes). */
const LAST_WORD_RE = /[\p{L}\p{N}\p{M}]+$/u;

/**
 * The counts of `/stats`: articles, paragraphs, terms and sources, which backend serves them, and
 * what that backend says of its storage (the embedded one: `snapshot` and `index`).
 */
export type Stats = {
  articles: number;
  paragraphs: number;
  terms: number;
  sources: Record<string, number>;
  backend: 'embedded' | 'postgres';
} & Record<string, unknown>;

/** The operations of the service. */
export interface NewsService {
  /** Ranked search (SPEC §4–§5). */
  search(q: string, params?: SearchParams): Promise<SearchResponse>;
  /**
   * Every match of `q` (`limit` and `offset` ignored), in the order of `search`, a chunk of rows
   * at a time; the next chunk is searched for only when asked for (SPEC §11 exports).
   */
  exportSearch(q: string, params: SearchParams): AsyncGenerator<ExportChunk, void, undefined>;
  /** An article by id with its copy cluster (SPEC §10), or `undefined`. */
  getArticle(id: string): Promise<(Article & ArticleCopies) | undefined>;
  /** Where and when `q` appeared, oldest first (SPEC §10). */
  provenance(q: string, page: { limit: number; offset: number }): Promise<ProvenanceResponse>;
  /** Up to 10 completions of the last word of `q`, most frequent first. */
  suggest(q: string): Promise<string[]>;
  /** Counts of articles, paragraphs, terms and sources, and the backend's storage. */
  stats(): Promise<Stats>;
  /** The backend's counts for `/metrics`: articles, paragraphs and, for the embedded backend, its snapshot. */
  metrics(): Promise<BackendMetrics>;
  /** Adds or replaces validated articles, all or nothing; resolves once they are durable and searchable. */
  ingest(articles: readonly Article[]): Promise<ArticleResult[]>;
  /** Removes an article; resolves false when it is unknown. */
  remove(id: string): Promise<boolean>;
  /** Stops the backend's background work and saves what must be saved. */
  close(): Promise<void>;
}

/**
 * Creates the service over `backend`, taking at most `maxSearchesInFlight` searches at once
 * (running or waiting; default {@link MAX_SEARCHES_IN_FLIGHT}): one more is refused with 503.
 * Exports ask the backend for `exportChunkHits` hits at a time (default `EXPORT_CHUNK_HITS`).
 *
 * @example
 * const service = createNewsService({ backend: createEmbeddedBackend({ state }) });
 * (await service.search('ceasefire')).total
 */
export function createNewsService(options: { backend: SearchBackend; maxSearchesInFlight?: number; exportChunkHits?: number }): NewsService {
  const { backend } = options;
  const searches = createAdmission(options.maxSearchesInFlight);
  return {
    search: (q, params) => searches.run(() => searchBackend(backend, q, params)),
    exportSearch: (q, params) => exportChunks({ backend, searches, ...(options.exportChunkHits === undefined ? {} : { chunkHits: options.exportChunkHits }) }, q, params),
    provenance: (q, page) => traceProvenance({ search: (query, params) => searches.run(() => searchBackend(backend, query, params)), copyClusters: (ids) => backend.copyClusters(ids) }, q, page),
    async getArticle(id) {
      const article = await backend.getArticle(id);
      if (article === undefined) return undefined;
      return { ...article, ...((await backend.copiesOf(id)) ?? { copyOf: null, copies: [] }) };
    },
    async suggest(q) {
      const word = LAST_WORD_RE.exec(q.trim())?.[0];
      return word === undefined ? [] : backend.suggest(fold(word), MAX_SUGGESTIONS);
    },
    async stats() {
      const { backend: about, ...counts } = await backend.stats();
      const { name, ...details } = about;
      return { ...counts, backend: name, ...details };
    },
    metrics: () => backend.metrics(),
    ingest: (articles) => backend.putArticles(articles),
    remove: (id) => backend.deleteArticle(id),
    close: () => backend.close(),
  };
}
