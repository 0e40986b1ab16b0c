/**
 * @module server/app
 * The Hono application: the endpoints of SPEC §5, the search page of §7 (`page/`) and
 * `GET /metrics` of §13 (`metrics.ts`). It holds no state of its own but its metrics: every route
 * asks the {@link NewsService}. Tests call `app.request()`; `server/listen.ts` serves it.
 */
import { zValidator } from '@hono/zod-validator';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Hono, type Context } from 'hono';
import type { ArticleResult } from '../backends/backend.ts';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { createError } from '../errors.ts';
import type { Article } from '../ingest/article.ts';
import { formatOfMediaType, parseBatch, SUPPORTED_MEDIA_TYPES, type Format } from '../ingest/formats.ts';
import type { NewsService } from '../service/news-service.ts';
import { accessLog } from './access-log.ts';
import { createErrorHandler, handleNotFound } from './error-handler.ts';
import { createExportRoutes } from './export-routes.ts';
import { createFeedRoutes } from './feed-routes.ts';
import type { FeedMonitor } from '../monitor/subscriptions.ts';
import { createMetrics, type MetricsOptions } from './metrics.ts';
import { createPageRoutes } from './page/routes.ts';
import { rateLimit, type RateLimitOptions } from './rate-limit.ts';
import { provenanceQuerySchema, refuseInvalidQuery, searchQuerySchema, toSearchParams } from './search-params.ts';
import { requireWriteAccess, type WriteAccess } from './write-access.ts';

/** Default largest request body (SPEC §1: 10 MiB). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A body longer than this (about a megabyte) is parsed only after searches have had a turn. */
const LARGE_BODY_CHARS = 1_000_000;
/** Longest incoming `X-Request-Id` kept; a longer one (or one with other characters than `[A-Za-z0-9_=-]`) is replaced. */
const MAX_REQUEST_ID_CHARS = 128;
/**
 * Paths the rate limit never counts: health checks and Prometheus scrapes come from one address
 * at a steady pace, and refusing them would raise alarms about the wrong thing.
 */
const UNLIMITED_PATHS: ReadonlySet<string> = new Set(['/health', '/metrics']);

/** What the application is built from. */
export type AppOptions = {
  service: NewsService;
  /** Who may write; by default loopback-only writes without a token. */
  writeAccess?: WriteAccess;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes?: number;
  /** Receives server-side error reports. */
  log?: (message: string) => void;
  /** Receives one access-log line per request; no access log without it. */
  accessLog?: (line: string) => void;
  /** A per-client rate limit; none without it. */
  rateLimit?: RateLimitOptions;
  /** How `GET /metrics` is set up (Node's process metrics are off unless asked for). */
  metrics?: MetricsOptions;
  /** Ingest by URL and feed subscriptions (SPEC §11): `POST /articles {"url"}` and `/feeds`; neither without it. */
  feeds?: FeedMonitor;
};

/**
 * Creates the application.
 *
 * @example
 * const app = createApp({ service });
 * const response = await app.request('/search?q=ceasefire');
 */
export function createApp(options: AppOptions): Hono {
  const { service, log = () => {}, writeAccess = { host: '127.0.0.1' }, maxBodyBytes = MAX_BODY_BYTES } = options;
  const app = new Hono();
  const metrics = createMetrics({ service, log, ...options.metrics });
  app.onError(createErrorHandler(log));
  app.notFound(handleNotFound);
  // Outermost first: every response, refusals included, carries an id, is logged and is counted.
  app.use(requestId({ limitLength: MAX_REQUEST_ID_CHARS }));
  if (options.accessLog !== undefined) app.use(accessLog({ log: options.accessLog }));
  app.use(metrics.observeRequests);
  if (options.rateLimit !== undefined) app.use(rateLimit({ skip: (c) => UNLIMITED_PATHS.has(c.req.path), ...options.rateLimit }));

  app.get(
    '/search',
    zValidator('query', searchQuerySchema, refuseInvalidQuery),
    async function search(c) {
      const { q, params } = toSearchParams(c.req.valid('query'));
      return c.json(await service.search(q, params));
    },
  );

  app.get('/provenance', zValidator('query', provenanceQuerySchema, refuseInvalidQuery), async (c) => {
    const { q, limit, offset } = c.req.valid('query');
    return c.json(await service.provenance(q, { limit, offset }));
  });

  app.get('/suggest', async (c) => {
    const q = c.req.query('q') ?? '';
    if (q.length > 1000) throw createError('bad_request', `q must be at most 1000 characters, got ${q.length}`);
    return c.json({ suggestions: await service.suggest(q) });
  });

  app.get('/articles/:id', async (c) => {
    const id = c.req.param('id');
    const article = await service.getArticle(id);
    if (article === undefined) throw createError('not_found', `no article with id "${id.slice(0, 128)}"`);
    return c.json(article);
  });

  const guard = requireWriteAccess(writeAccess);
  const limitBody = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw createError('payload_too_large', `request body is larger than ${maxBodyBytes} bytes`);
    },
  });

  app.post('/articles', guard, metrics.countRejectedBatches, async (c, next) => {
    // Checked before the body is read: an unsupported type costs nothing.
    if (formatOfMediaType(c.req.header('content-type')) === null) {
      const given = c.req.header('content-type') ?? '(none)';
      throw createError('unsupported_media_type', `Content-Type ${given} is not supported; use ${SUPPORTED_MEDIA_TYPES.join(', ')}`);
    }
    await next();
  }, limitBody, async (c) => {
    const format = formatOfMediaType(c.req.header('content-type')) as Format;
    const body = await c.req.text();
    const url = format === 'json' ? urlRequestOf(body) : undefined;
    if (url !== undefined) {
      if (options.feeds === undefined) throw createError('bad_request', 'ingest by URL is not enabled on this server');
      const fetched = await options.feeds.ingestUrl(url);
      metrics.ingested(fetched.results);
      return answerIngest(c, fetched.results, fetched.warnings, { url: fetched.url, kind: fetched.kind });
    }
    // Reading a large body ran without a break: searches get a turn before it is parsed.
    if (body.length > LARGE_BODY_CHARS) await yieldToEventLoop();
    // No origin: the body is the one input, and messages start with the item.
    const { articles, warnings, lines } = parseBatch(body, format);
    rejectDuplicateIds(articles, lines);
    const results = await service.ingest(articles);
    metrics.ingested(results);
    return answerIngest(c, results, warnings);
  });

  app.delete('/articles/:id', guard, async (c) => {
    const id = c.req.param('id');
    if (!(await service.remove(id))) throw createError('not_found', `no article with id "${id.slice(0, 128)}"`);
    metrics.deleted();
    return c.body(null, 204);
  });

  app.get('/stats', async (c) => c.json(await service.stats()));
  app.get('/health', (c) => c.json({ status: 'ok' }));
  // Unauthenticated, as /stats and /health are: it tells no more than /stats does, plus traffic (README: "What to watch in /metrics").
  app.get('/metrics', metrics.expose);
  app.route('/', createExportRoutes({ service, log }));
  if (options.feeds !== undefined) app.route('/', createFeedRoutes({ monitor: options.feeds, guard }));
  app.route('/', createPageRoutes());
  return app;
}

/** The answer to a write (SPEC §6): each article's outcome and the counts; 201 when something changed. `extra`: what a URL ingest adds (where it ended, what it was). */
function answerIngest(c: Context, results: readonly ArticleResult[], warnings: readonly string[], extra: Record<string, unknown> = {}): Response {
  const count = (status: string) => results.filter((result) => result.status === status).length;
  const changed = results.some((result) => result.status !== 'unchanged');
  return c.json({ results, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), warnings, ...extra }, changed ? 201 : 200);
}

/** Longest JSON body read as a `{"url"}` request: such a body is a line; an article batch is not parsed twice. */
const MAX_URL_REQUEST_CHARS = 10_000;

/**
 * The URL of a `POST /articles` body that is `{"url": "…"}` and nothing else (SPEC §11), else
 * `undefined` (an article: one needs a title, so `{"url"}` alone was never a valid article).
 */
function urlRequestOf(body: string): string | undefined {
  if (body.length > MAX_URL_REQUEST_CHARS || !body.trimStart().startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined; // the article parser names the syntax error
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'url') return undefined;
  const url = (value as { url: unknown }).url;
  if (typeof url !== 'string') throw createError('bad_request', 'url must be a string: {"url": "https://…"} fetches that page or feed');
  return url;
}

/** A batch naming one id twice is ambiguous: refuse it whole, naming the items (counted from 1), or their lines in JSON Lines. */
function rejectDuplicateIds(articles: readonly Article[], lines: readonly number[] | undefined): void {
  const seen = new Map<string, number>();
  articles.forEach((article, index) => {
    const first = seen.get(article.id);
    if (first !== undefined) {
      const [noun, numbers] = lines === undefined ? ['items', [first + 1, index + 1]] : ['lines', [lines[first], lines[index]]];
      throw createError('bad_request', `${noun} ${numbers[0]} and ${numbers[1]} have the same id "${article.id}"`);
    }
    seen.set(article.id, index);
  });
}
