/**
 * @module server/export-routes
 * Feeds out and exports (SPEC §11): `GET /search.atom` and `/search.rss` (a page of hits, newest
 * first, as a feed) and `GET /search.csv` and `/search.jsonl` (every match, streamed). They take
 * the parameters of `/search`, validated by the same schema.
 *
 * An export is a pull stream: the next rows are written, and the next chunk searched for, only
 * when the connection has taken the previous ones (Node's socket buffer full means no pull), so
 * a slow client holds the server to one chunk; a client that goes away cancels the stream,
 * which stops the search.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { messageOf } from '../errors.ts';
import { atomFeed, ATOM_TYPE, rssFeed, RSS_TYPE, type FeedInput } from '../monitor/feeds.ts';
import { CSV_FORMAT, JSONL_FORMAT, type TableFormat } from '../monitor/tables.ts';
import type { ExportChunk, ExportRow } from '../service/exports.ts';
import type { NewsService } from '../service/news-service.ts';
import type { SearchParams } from '../service/search-service.ts';
import { refuseInvalidQuery, searchQuerySchema, toSearchParams } from './search-params.ts';

/** Rows written to the connection at once: a few dozen kilobytes, so a slow client's pace is felt within one chunk. */
const ROWS_PER_WRITE = 100;
/** Longest query text kept in an export's file name. */
const FILENAME_QUERY_CHARS = 40;
/** Matches runs of characters left out of a file name (anything but ASCII letters and digits). */
const FILENAME_UNSAFE_RE = /[^a-z0-9]+/g;

/** Matches the dashes at either end of a file name's query part. */
const EDGE_DASHES_RE = /^-+|-+$/g;
/** Matches the dashes a cut left at the end of it. */
const TRAILING_DASHES_RE = /-+$/;

/** What the routes are built from. */
export type ExportRoutesOptions = {
  service: NewsService;
  /** Receives the failure of an export that had already started (its response is cut short). */
  log?: (message: string) => void;
};

/**
 * Creates the routes of feeds and exports, to mount at `/`.
 *
 * @example
 * app.route('/', createExportRoutes({ service, log }));
 * await app.request('/search.csv?q=ceasefire');
 */
export function createExportRoutes({ service, log = () => {} }: ExportRoutesOptions): Hono {
  const routes = new Hono();
  const validate = zValidator('query', searchQuerySchema, refuseInvalidQuery);

  for (const [extension, write, mediaType] of [
    ['atom', atomFeed, ATOM_TYPE],
    ['rss', rssFeed, RSS_TYPE],
  ] as const) {
    routes.get(`/search.${extension}`, validate, async function searchFeed(c) {
      const { q, params } = toSearchParams(c.req.valid('query'));
      // A feed lists the newest first, whatever the page sorts by.
      const response = await service.search(q, { ...params, sort: 'newest', facets: [], fragments: 1, context: 0 });
      const input: FeedInput = {
        q,
        selfUrl: c.req.url,
        pageUrl: new URL(pagePath(q, params), c.req.url).href,
        articleUrl: (hit) => new URL(pagePath(q, params, { article: hit.articleId, p: hit.paragraph }), c.req.url).href,
        perArticle: params.group === 'article',
        hits: response.hits,
      };
      return c.body(write(input), 200, { 'Content-Type': mediaType });
    });
  }

  for (const format of [CSV_FORMAT, JSONL_FORMAT]) {
    routes.get(`/search.${format.extension}`, validate, async function searchExport(c) {
      const { q, params } = toSearchParams(c.req.valid('query'));
      const chunks = service.exportSearch(q, params);
      // The first chunk is searched before anything is sent: a refused query is still a JSON error.
      const first = await chunks.next();
      const total = first.done === true ? 0 : first.value.total;
      const body = rowStream(chunks, first.done === true ? [] : first.value.rows, format, (error) => log(`export of ${JSON.stringify(q.slice(0, 200))} failed: ${messageOf(error)}`));
      return c.body(body, 200, {
        'Content-Type': format.mediaType,
        'Content-Disposition': `attachment; filename="${exportFilename(q, format.extension)}"`,
        'X-Total-Count': String(total),
      });
    });
  }
  return routes;
}

/**
 * The rows of an export as bytes, pulled: each pull writes {@link ROWS_PER_WRITE} rows, and asks
 * `chunks` for the next chunk only when the current one is written. Cancelling the stream (the
 * client went away) ends `chunks`.
 */
function rowStream(chunks: AsyncGenerator<ExportChunk, void, undefined>, firstRows: ExportRow[], format: TableFormat, onFailure: (error: unknown) => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let rows = firstRows;
  let next = 0;
  let started = false;
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const head = started ? '' : format.head();
          started = true;
          while (next >= rows.length) {
            const chunk = await chunks.next();
            if (chunk.done === true) {
              if (head !== '') controller.enqueue(encoder.encode(head));
              controller.close();
              return;
            }
            rows = chunk.value.rows;
            next = 0;
          }
          const batch = rows.slice(next, next + ROWS_PER_WRITE);
          next += batch.length;
          controller.enqueue(encoder.encode(head + format.rows(batch)));
        } catch (error) {
          // A client that left while rows were being made is no failure: the stream is closed already.
          if (cancelled) return;
          onFailure(error);
          controller.error(error);
        }
      },
      async cancel() {
        cancelled = true;
        await chunks.return(undefined);
      },
    },
    // Nothing is prepared ahead of a read: the consumer's pace is the export's.
    { highWaterMark: 0 },
  );
}

/** A file name for an export of `q`: `news-search-<query in ASCII letters and digits>.<extension>`. */
export function exportFilename(q: string, extension: string): string {
  const slug = q.normalize('NFKD').toLowerCase().replace(FILENAME_UNSAFE_RE, '-').replace(EDGE_DASHES_RE, '').slice(0, FILENAME_QUERY_CHARS).replace(TRAILING_DASHES_RE, '');
  return `news-search${slug === '' ? '' : `-${slug}`}.${extension}`;
}

/**
 * The search page's path for the same search (its state in the query string: page/assets/state.js),
 * or for one article of it. The page shows one hit per article unless told `group=paragraph`, and
 * groups copies unless told `copies=all`.
 */
export function pagePath(q: string, params: SearchParams, open?: { article: string; p: number }): string {
  const query = new URLSearchParams({ q });
  if (params.group === 'paragraph') query.set('group', 'paragraph');
  else if (params.collapse === 'none') query.set('copies', 'all');
  if (params.sort !== 'relevance') query.set('sort', params.sort);
  for (const source of params.sources) query.append('source', source);
  if (params.from !== null) query.set('from', params.from);
  if (params.to !== null) query.set('to', params.to);
  if (open !== undefined) {
    query.set('article', open.article);
    query.set('p', String(open.p));
  }
  return `/?${query}`;
}
