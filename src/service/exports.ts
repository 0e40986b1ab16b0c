/**
 * @module service/exports
 * Every match of a search, in the order of `/search` with the same parameters, a chunk at a time
 * (SPEC §11 exports): the backend is asked for {@link EXPORT_CHUNK_HITS} hits after the key of the
 * last hit it returned (keyset paging, {@link SearchRequest.after}), each chunk is dressed as a
 * page of `/search` is, and the next is asked for only when the consumer wants more. Memory holds
 * one chunk, however many rows the export has; the consumer stopping (`return()`) stops the work.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HitKey, SearchBackend, SearchRequest } from '../backends/backend.ts';
import { eventLoopTurns } from '../backends/turns.ts';
import { ServiceError } from '../errors.ts';
import { parseQuery } from '../search/query-parser.ts';
import { PLAIN_MARKUP } from '../snippet/highlight.ts';
import type { Admission } from './admission.ts';
import { dressSearch, type Hit, type SearchParams } from './search-service.ts';

/**
 * Hits asked of the backend at once. Each chunk runs the search again (keyset paging), so the
 * chunk trades memory for time: exporting 40,000 matching paragraphs of the embedded backend
 * took 4.5 s in chunks of 500, 2.6 s in chunks of 2,000 and 2.2 s in one piece (dressing the hits
 * with snippets is most of it); a chunk of 2,000 hits (their articles included) is a few megabytes.
 */
export const EXPORT_CHUNK_HITS = 2000;
/** Hits given their snippets in one turn of the event loop: about 5 ms of work, as a slice of a search. */
const DRESS_SLICE_HITS = 100;
/** Times a later chunk waits for a busy server before the export gives up: an export in progress is not refused at the first 503. */
const BUSY_RETRIES = 30;

/** One row of an export (SPEC §11): a hit, with its article's copy cluster and a plain snippet. */
export type ExportRow = {
  id: string;
  articleId: string;
  paragraph: number;
  title: string;
  source: string | null;
  date: string | null;
  url: string | null;
  /** ISO 639-1, when the article says it (SPEC §12 is not built yet: null for now). */
  language: string | null;
  /** The article's copy cluster (`copyOf` of `GET /articles/:id`), null when it has no copy. */
  copyOf: string | null;
  /** The snippet as plain text: no markup, no entities. */
  snippet: string;
};

/** The columns of an export, in order: the CSV header and the JSON Lines keys. */
export const EXPORT_COLUMNS: ReadonlyArray<keyof ExportRow> = ['id', 'articleId', 'paragraph', 'title', 'source', 'date', 'url', 'language', 'copyOf', 'snippet'];

/** A chunk of an export: the exact total (the same in every chunk) and the next rows. */
export type ExportChunk = { total: number; query: string; rows: ExportRow[] };

/** What an export needs of the service: its backend and its admission of searches. */
export type ExportSource = { backend: Pick<SearchBackend, 'search' | 'copyClusters'>; searches: Admission; chunkHits?: number };

/**
 * The rows of every match of `q` under `params` (`limit` and `offset` ignored), a chunk at a
 * time. The first chunk is admitted or refused at once (`unavailable`); a later one waits for a
 * busy server. Throws `bad_request` as `/search` does, before yielding anything.
 *
 * @example
 * for await (const { rows } of exportChunks({ backend, searches }, 'ceasefire', DEFAULT_SEARCH_PARAMS)) write(rows);
 */
export async function* exportChunks(source: ExportSource, q: string, params: SearchParams): AsyncGenerator<ExportChunk, void, undefined> {
  const { backend, searches, chunkHits = EXPORT_CHUNK_HITS } = source;
  const query = parseQuery(q);
  const request: SearchRequest = { ...params, limit: chunkHits, offset: 0, facets: [] };
  let after: HitKey | undefined;
  for (let first = true; ; first = false) {
    const chunk = { ...request, after };
    const result = first ? await searches.run(() => backend.search(query, chunk)) : await whenAdmitted(searches, () => backend.search(query, chunk));
    const clusters = await backend.copyClusters([...new Set(result.hits.map((hit) => hit.article.id))]);
    const rows: ExportRow[] = [];
    // Dressing is work too, a slice of hits per turn of the event loop (backends/turns.ts), as a search's.
    for (let at = 0; at < result.hits.length; at += DRESS_SLICE_HITS) {
      await eventLoopTurns.next();
      const page = dressSearch(q, query, { ...result, hits: result.hits.slice(at, at + DRESS_SLICE_HITS) }, { ...params, fragments: 1, context: 0 }, 0, PLAIN_MARKUP);
      for (const hit of page.hits) rows.push(toRow(hit, clusters.get(hit.articleId) ?? null));
    }
    yield { total: result.total, query: query.canonical, rows };
    const last = result.hits.at(-1);
    if (last === undefined || result.hits.length < chunkHits) return;
    after = last.key;
  }
}

/** Runs `work` once the server admits it, waiting as a refused client is told to. */
async function whenAdmitted<T>(searches: Admission, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await searches.run(work);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.code !== 'unavailable' || attempt >= BUSY_RETRIES) throw error;
      await sleep((error.retryAfterSeconds ?? 1) * 1000);
    }
  }
}

function toRow(hit: Hit, copyOf: string | null): ExportRow {
  return {
    id: hit.id,
    articleId: hit.articleId,
    paragraph: hit.paragraph,
    title: hit.title,
    source: hit.source,
    date: hit.date,
    url: hit.url,
    language: null,
    copyOf,
    snippet: hit.snippet,
  };
}
