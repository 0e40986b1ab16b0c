/**
 * @module server/metrics
 * `GET /metrics` (SPEC §13): the Prometheus text format, written by prom-client from a registry
 * of the application's own — never prom-client's global one, so that each application counts
 * alone and a process (a test file) can make many. Three kinds of series:
 *
 * - requests, counted and timed by method, route pattern and status (middleware);
 * - the index: articles, paragraphs and the embedded backend's snapshot, read from the service
 *   at each scrape (cheap on both backends: {@link NewsService.metrics});
 * - writes, counted as the write routes report them: articles created, updated, unchanged and
 *   deleted, and batches refused.
 *
 * Node's process metrics (CPU, memory, event-loop delay, GC) join them when asked for.
 */
import type { Context, Handler, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ArticleResult, BackendMetrics } from '../backends/backend.ts';
import { isServiceError, messageOf } from '../errors.ts';
import type { NewsService } from '../service/news-service.ts';
import { CLIENT_CLOSED_STATUS, EVICTED_STATUS, REQUEST_TIMEOUT_STATUS } from './error-handler.ts';

/** The statuses the error handler gives a request cut short, by its client or by the connection limits: such a request refused nothing. */
const CUT_SHORT_STATUSES: ReadonlySet<number> = new Set([CLIENT_CLOSED_STATUS, REQUEST_TIMEOUT_STATUS, EVICTED_STATUS]);

/**
 * Latency buckets, in seconds: from a millisecond (a search of a small archive) to 10 s (a big
 * upload), with bounds at the numbers SPEC §13 and the query budget name — 50 ms (a trivial
 * search), 250 ms (a write at p99), 2.5 and 5 s around the 3 s query budget.
 */
const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The route label of a request no route matched: one value whatever its path, so a scanner cannot add series. */
const UNMATCHED_ROUTE = 'unmatched';
/** Methods the method label keeps; any other (WebDAV's, say) is `OTHER`, so methods cannot add series either. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
/** The method of the routes `app.use` adds: middleware, which matches every path and names no route. */
const MIDDLEWARE_METHOD = 'ALL';
/** What a write did to an article, each a value of the `result` label from the start (a counter that exists at 0 can be rated). */
const INGEST_RESULTS = ['created', 'updated', 'unchanged', 'deleted'] as const;

/** How `/metrics` is set up. */
export type MetricsOptions = {
  /**
   * Also expose prom-client's Node process metrics (`process_*`, `nodejs_*`). Off by default:
   * they keep an event-loop delay monitor and a GC observer running for the life of the process,
   * which the CLI's one server wants and a test making hundreds of applications does not.
   */
  processMetrics?: boolean;
  /** The clock, in milliseconds since the epoch, for the snapshot's age (tests pass their own). */
  now?: () => number;
};

/** The parts of `/metrics` the application wires into its routes. */
export type Metrics = {
  /** Middleware counting and timing every request; goes before anything that may refuse one. */
  observeRequests: MiddlewareHandler;
  /** Middleware of `POST /articles`, after the write guard: counts the batches refused past it. */
  countRejectedBatches: MiddlewareHandler;
  /** Counts what a batch written through the API did. */
  ingested(results: readonly ArticleResult[]): void;
  /** Counts an article deleted through the API. */
  deleted(): void;
  /** The `GET /metrics` handler. */
  expose: Handler;
};

/**
 * Creates the registry and the series of one application.
 *
 * @example
 * const metrics = createMetrics({ service, log, processMetrics: true });
 * app.use(metrics.observeRequests);
 * app.get('/metrics', metrics.expose);
 */
export function createMetrics(options: MetricsOptions & { service: NewsService; log: (message: string) => void }): Metrics {
  const { service, log, processMetrics = false, now = Date.now } = options;
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const requests = requestSeries(registry);
  const index = indexSeries(registry);
  const writes = writeSeries(registry);

  return {
    observeRequests: async function observeRequest(c, next) {
      const started = performance.now();
      try {
        await next();
      } finally {
        // Without a response (an error that escaped every handler) Node answers 500.
        requests.record({ method: methodLabel(c.req.method), route: routeLabel(c), status: String(c.finalized ? c.res.status : 500) }, (performance.now() - started) / 1000);
      }
    },
    countRejectedBatches: async function countRejectedBatch(c, next) {
      await next();
      // A request cut short (the client went away, or the server cut it as too slow or to make room) refused nothing; 401 and 403 never get here (the guard runs first).
      if (c.error === undefined || (!isServiceError(c.error) && CUT_SHORT_STATUSES.has(c.res.status))) return;
      writes.rejected.inc({ code: isServiceError(c.error) ? c.error.code : 'internal' });
    },
    ingested(results) {
      for (const result of results) writes.articles.inc({ result: result.status });
    },
    deleted() {
      writes.articles.inc({ result: 'deleted' });
    },
    expose: async function exposeMetrics(c) {
      const read = await service.metrics().catch((error: unknown) => {
        log(`metrics: could not read the index counts: ${messageOf(error)}`);
        return null;
      });
      // The index series are set and the text taken in one turn of the event loop: a scrape
      // answered meanwhile cannot mix its numbers into this one.
      index.show(read, now());
      return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
    },
  };
}

/** The method label: the method, or `OTHER` past the usual ones. */
function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'OTHER';
}

/**
 * The route label: the pattern of the route the request matched (`/articles/:id`), never its
 * path; {@link UNMATCHED_ROUTE} when only middleware matched (a 404 for want of a route). The
 * last route that is not middleware is the one the request was for, even when a middleware
 * before it answered (the rate limit's 429 for a search is labelled `/search`).
 *
 * @example
 * routeLabel(c) // '/articles/:id' for GET /articles/abc; 'unmatched' for GET /wp-login.php
 */
function routeLabel(c: Context): string {
  return matchedRoutes(c).findLast((route) => route.method !== MIDDLEWARE_METHOD)?.path ?? UNMATCHED_ROUTE;
}

type RequestLabels = { method: string; route: string; status: string };

/** `http_requests_total` and `http_request_duration_seconds`, by method, route and status. */
function requestSeries(registry: Registry) {
  const labelNames = ['method', 'route', 'status'] as const;
  const total = new Counter({ name: 'http_requests_total', help: 'Requests answered, by method, route pattern and status.', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request reaching the application to its response being ready (reading the body included), by method, route pattern and status.',
    labelNames,
    buckets: [...LATENCY_BUCKETS],
    registers: [registry],
  });
  return {
    record(labels: RequestLabels, seconds: number): void {
      total.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

/**
 * The index's gauges, labelled with the backend. A gauge with labels has no sample until one is
 * set: so the snapshot's series are absent for PostgreSQL (it has none) and every index series is
 * absent from a scrape when the backend could not be read, instead of showing a number it did
 * not give.
 */
function indexSeries(registry: Registry) {
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['backend'] as const, registers: [registry] });
  const articles = gauge('news_index_articles', 'Articles in the index.');
  const paragraphs = gauge('news_index_paragraphs', 'Paragraphs in the index (each a search document).');
  const bytes = gauge('news_snapshot_bytes', 'Size of the snapshot file in index/ (embedded backend).');
  const age = gauge('news_snapshot_age_seconds', 'Seconds since the snapshot in index/ was written, by this process or the one before (embedded backend).');
  const persisted = gauge('news_snapshot_persisted', '1 when the index can be saved in index/, 0 when it cannot (read-only, full, no index folder): every start rebuilds (embedded backend).');
  const pending = gauge('news_snapshot_pending', '1 while the index holds changes the snapshot does not yet (saved about a second after the last change): a start now would rebuild (embedded backend).');
  const all = [articles, paragraphs, bytes, age, persisted, pending];
  return {
    /** Shows what the backend said (nothing when it could not be read); `now` dates the snapshot's age. */
    show(read: BackendMetrics | null, now: number): void {
      for (const series of all) series.reset();
      if (read === null) return;
      const labels = { backend: read.name };
      articles.set(labels, read.articles);
      paragraphs.set(labels, read.paragraphs);
      if (read.snapshot === null) return;
      persisted.set(labels, read.snapshot.persisted ? 1 : 0);
      pending.set(labels, read.snapshot.pending ? 1 : 0);
      if (read.snapshot.saved === null) return;
      bytes.set(labels, read.snapshot.saved.bytes);
      age.set(labels, Math.max(0, (now - read.snapshot.saved.at) / 1000));
    },
  };
}

/** `news_ingest_articles_total` by result and `news_ingest_rejected_batches_total` by error code. */
function writeSeries(registry: Registry) {
  const articles = new Counter({
    name: 'news_ingest_articles_total',
    help: 'Articles written through the API (POST and DELETE /articles), by result: created, updated, unchanged, deleted.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  for (const result of INGEST_RESULTS) articles.inc({ result }, 0);
  const rejected = new Counter({
    name: 'news_ingest_rejected_batches_total',
    help: 'POST /articles batches refused after the write guard (nothing of them written), by error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return { articles, rejected };
}
