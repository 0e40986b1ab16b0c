/**
 * GET /metrics (SPEC §13), read through HTTP and parsed from the Prometheus text format: requests
 * by route pattern and status, the index's size, writes, the embedded backend's snapshot — against
 * both backends (test/contract.ts) — and what the application's own registry promises: no global
 * state, no series a scanner can multiply, no rate limit, no stale numbers when the backend fails.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { register as globalRegistry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createCorpusState } from '../../src/backends/embedded/corpus-writer.ts';
import { createEmbeddedBackend } from '../../src/backends/embedded/embedded-backend.ts';
import { openLibrary } from '../../src/backends/embedded/open-library.ts';
import { createApp, type AppOptions } from '../../src/server/app.ts';
import { createNewsService, type NewsService } from '../../src/service/news-service.ts';
import { BACKENDS, contractArchive, type ContractArchive } from '../contract.ts';
import { libraryOf, makeArticle, readSeed, tempDir } from '../helpers.ts';

/** One sample of the text format. */
type Sample = { name: string; labels: Record<string, string>; value: number };

/** Matches a sample line: the metric name, its labels between braces (optional), the value. */
const SAMPLE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
/** Matches one `name="value"` pair of a label set (the value may hold escaped quotes). */
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a scrape; comment lines (`# HELP`, `# TYPE`) and blank lines are skipped, anything else fails the test. */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE_RE.exec(line);
      if (match === null) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL_RE)].map((pair) => [pair[1], pair[2]]));
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

/** One scrape of `/metrics`, with a reader of its samples. */
type Scrape = {
  text: string;
  samples: Sample[];
  /** The value of the sample with exactly these labels, or `undefined` when there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
};

async function scrape(app: Hono): Promise<Scrape> {
  const response = await app.request('/metrics');
  expect(response.status).toBe(200);
  const text = await response.text();
  const samples = parseSamples(text);
  const sameLabels = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([key, value]) => a[key] === value);
  return { text, samples, value: (name, labels = {}) => samples.find((sample) => sample.name === name && sameLabels(sample.labels, labels))?.value };
}

/** How much a series moved between two scrapes (a series not there yet counts as 0). */
function moved(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): number {
  return (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
}

/** The requests counted between two scrapes, by `method route status`, leaving out the scrapes themselves. */
function requestsBetween(before: Scrape, after: Scrape): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const sample of after.samples) {
    if (sample.name !== 'http_requests_total' || sample.labels.route === '/metrics') continue;
    const delta = moved(before, after, sample.name, sample.labels);
    if (delta !== 0) counted[`${sample.labels.method} ${sample.labels.route} ${sample.labels.status}`] = delta;
  }
  return counted;
}

const postJson = (app: Hono, body: unknown, headers: Record<string, string> = {}) =>
  app.request('/articles', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

const WRITE_RESULTS = ['created', 'updated', 'unchanged', 'deleted'] as const;

/** The ingest counters' movement between two scrapes, by result. */
function writesBetween(before: Scrape, after: Scrape): Record<(typeof WRITE_RESULTS)[number], number> {
  return Object.fromEntries(WRITE_RESULTS.map((result) => [result, moved(before, after, 'news_ingest_articles_total', { result })])) as Record<(typeof WRITE_RESULTS)[number], number>;
}

describe.each(BACKENDS)('GET /metrics (%s backend)', (kind) => {
  const backend = { backend: kind };
  let archive: ContractArchive;
  let seedId: string;
  beforeAll(async () => {
    const seed = await readSeed();
    seedId = seed.id;
    archive = await contractArchive(kind, [seed]);
  });
  afterAll(async () => {
    await archive?.close();
  });

  it('counts and times a search once, under its route and status', async () => {
    const before = await scrape(archive.app);
    expect((await archive.app.request('/search?q=ceasefire')).status).toBe(200);
    expect((await archive.app.request('/search?q=ceasefire&limit=0')).status).toBe(400);
    const after = await scrape(archive.app);
    expect(requestsBetween(before, after)).toEqual({ 'GET /search 200': 1, 'GET /search 400': 1 });
    const ok = { method: 'GET', route: '/search', status: '200' };
    expect(moved(before, after, 'http_request_duration_seconds_count', ok)).toBe(1);
    expect(moved(before, after, 'http_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(1);
    expect(moved(before, after, 'http_request_duration_seconds_sum', ok)).toBeGreaterThan(0);
    // A search writes nothing.
    expect(writesBetween(before, after)).toEqual({ created: 0, updated: 0, unchanged: 0, deleted: 0 });
  });

  it('labels an article read by its route pattern, never by its id', async () => {
    const before = await scrape(archive.app);
    expect((await archive.app.request(`/articles/${seedId}`)).status).toBe(200);
    expect((await archive.app.request('/articles/no-such-article')).status).toBe(404);
    const after = await scrape(archive.app);
    expect(requestsBetween(before, after)).toEqual({ 'GET /articles/:id 200': 1, 'GET /articles/:id 404': 1 });
    expect(after.text).not.toContain(seedId);
    expect(after.text).not.toContain('no-such-article');
  });

  it('counts created, unchanged, updated and deleted articles, and the index size follows them', async () => {
    const id = `metrics-${kind}-writes`;
    const article = { id, title: 'Harvest', source: 'Farm Wire', paragraphs: ['Wheat prices fell.', 'Barley held.'] };
    const start = await scrape(archive.app);

    expect((await postJson(archive.app, article)).status).toBe(201);
    const created = await scrape(archive.app);
    expect(writesBetween(start, created)).toEqual({ created: 1, updated: 0, unchanged: 0, deleted: 0 });
    expect(moved(start, created, 'news_index_articles', backend)).toBe(1);
    expect(moved(start, created, 'news_index_paragraphs', backend)).toBe(2);

    expect((await postJson(archive.app, article)).status).toBe(200);
    const unchanged = await scrape(archive.app);
    expect(writesBetween(created, unchanged)).toEqual({ created: 0, updated: 0, unchanged: 1, deleted: 0 });
    expect(moved(created, unchanged, 'news_index_paragraphs', backend)).toBe(0);

    expect((await postJson(archive.app, { ...article, paragraphs: ['Rye rose.', 'Oats rose.', 'Millet held.'] })).status).toBe(201);
    const updated = await scrape(archive.app);
    expect(writesBetween(unchanged, updated)).toEqual({ created: 0, updated: 1, unchanged: 0, deleted: 0 });
    expect(moved(unchanged, updated, 'news_index_articles', backend)).toBe(0);
    expect(moved(unchanged, updated, 'news_index_paragraphs', backend)).toBe(1);

    expect((await archive.app.request(`/articles/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await archive.app.request(`/articles/${id}`, { method: 'DELETE' })).status).toBe(404);
    const deleted = await scrape(archive.app);
    expect(writesBetween(updated, deleted)).toEqual({ created: 0, updated: 0, unchanged: 0, deleted: 1 });
    expect(moved(start, deleted, 'news_index_articles', backend)).toBe(0);
    expect(moved(start, deleted, 'news_index_paragraphs', backend)).toBe(0);
    expect(requestsBetween(start, deleted)).toEqual({ 'POST /articles 201': 2, 'POST /articles 200': 1, 'DELETE /articles/:id 204': 1, 'DELETE /articles/:id 404': 1 });
  });

  it('counts a refused batch by its error code, and nothing of it as written', async () => {
    const before = await scrape(archive.app);
    const invalid = [
      { id: `metrics-${kind}-fine`, title: 'Fine', paragraphs: ['Oats are fine.'] },
      { id: `metrics-${kind}-bad`, paragraphs: ['No title here.'] },
    ];
    expect((await postJson(archive.app, invalid)).status).toBe(400);
    expect((await archive.app.request('/articles', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: 'png' })).status).toBe(415);
    const after = await scrape(archive.app);
    expect(moved(before, after, 'news_ingest_rejected_batches_total', { code: 'bad_request' })).toBe(1);
    expect(moved(before, after, 'news_ingest_rejected_batches_total', { code: 'unsupported_media_type' })).toBe(1);
    expect(writesBetween(before, after)).toEqual({ created: 0, updated: 0, unchanged: 0, deleted: 0 });
    expect(moved(before, after, 'news_index_articles', backend)).toBe(0);
  });

  it('shows the size of the index the backend holds, and a snapshot only for the embedded backend', async () => {
    const stats = await archive.service.stats();
    const now = await scrape(archive.app);
    expect(now.value('news_index_articles', backend)).toBe(stats.articles);
    expect(now.value('news_index_paragraphs', backend)).toBe(stats.paragraphs);
    const snapshotSeries = now.samples.filter((sample) => sample.name.startsWith('news_snapshot_'));
    if (kind === 'postgres') {
      // The database is the index: there is no snapshot to be old or unsaved.
      expect(snapshotSeries).toEqual([]);
    } else {
      // The contract archive has no index folder: nothing can be saved, and /metrics says so.
      expect(now.value('news_snapshot_persisted', backend)).toBe(0);
      expect(now.value('news_snapshot_bytes', backend)).toBeUndefined();
    }
  });
});

/** A service and app over an empty corpus and index folder, opened like `npm start` does; snapshots wait a minute after a change. */
async function appWithIndexFolder(clock: () => number) {
  const dir = await tempDir();
  const corpusDir = join(dir.path, 'corpus');
  await mkdir(corpusDir);
  const indexDir = join(dir.path, 'index');
  const opened = await openLibrary({ corpusDir, indexDir });
  const state = createCorpusState(opened.library, corpusDir, opened.files);
  // A minute: the test decides when the snapshot is saved (on close), never a timer.
  const backend = createEmbeddedBackend({ state, indexDir, manifest: opened.manifest, index: opened.index, snapshotDelayMs: 60_000 });
  const service = createNewsService({ backend });
  return { app: createApp({ service, metrics: { now: clock } }), service, cleanup: dir.cleanup };
}

/** When the snapshot `/stats` names was written, and its size. */
async function savedSnapshot(service: NewsService): Promise<{ at: number; bytes: number }> {
  const snapshot = (await service.stats()).snapshot as { bytes: number; createdAt: string } | null;
  if (snapshot === null) throw new Error('no snapshot was saved');
  return { at: Date.parse(snapshot.createdAt), bytes: snapshot.bytes };
}

describe('GET /metrics: the embedded snapshot', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('shows its size and age, and a change waiting to be saved until it is', async () => {
    let now = 0;
    const opened = await appWithIndexFolder(() => now);
    cleanup = async () => {
      await opened.service.close();
      await opened.cleanup();
    };
    const embedded = { backend: 'embedded' };
    const first = await savedSnapshot(opened.service);
    now = first.at + 90_000;
    const fresh = await scrape(opened.app);
    expect(fresh.value('news_snapshot_age_seconds', embedded)).toBe(90);
    expect(fresh.value('news_snapshot_bytes', embedded)).toBe(first.bytes);
    expect(fresh.value('news_snapshot_persisted', embedded)).toBe(1);
    expect(fresh.value('news_snapshot_pending', embedded)).toBe(0);

    expect((await postJson(opened.app, { id: 'snap-1', title: 'Snap', paragraphs: ['Sorghum harvest.'] })).status).toBe(201);
    const changed = await scrape(opened.app);
    expect(changed.value('news_snapshot_pending', embedded)).toBe(1);
    expect(changed.value('news_snapshot_age_seconds', embedded)).toBe(90);
    expect(changed.value('news_snapshot_persisted', embedded)).toBe(1);

    // Closing saves what is pending (a graceful stop does the same).
    await opened.service.close();
    const second = await savedSnapshot(opened.service);
    expect(second.at).toBeGreaterThanOrEqual(first.at);
    now = second.at + 5_000;
    const saved = await scrape(opened.app);
    expect(saved.value('news_snapshot_pending', embedded)).toBe(0);
    expect(saved.value('news_snapshot_age_seconds', embedded)).toBe(5);
    expect(saved.value('news_snapshot_bytes', embedded)).toBe(second.bytes);
    expect(second.bytes).toBeGreaterThan(first.bytes);
  });
});

/** A service over an in-memory library of one article (no corpus folder: writes are not under test here). */
function memoryService(): NewsService {
  const library = libraryOf([makeArticle({ id: 'a1', paragraphs: ['Wheat harvest.'] })]);
  return createNewsService({ backend: createEmbeddedBackend({ state: createCorpusState(library, '/nonexistent-corpus', []) }) });
}

const appOver = (options: Partial<AppOptions> = {}) => createApp({ service: memoryService(), ...options });

describe('GET /metrics: the application', () => {
  it('answers in the Prometheus text format', async () => {
    const response = await appOver().request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('gives every path no route matches one route label, however many paths a scanner tries', async () => {
    const app = appOver();
    const before = await scrape(app);
    const paths = ['/wp-login.php', '/.env', '/a/b/c/d', '/search/extra', '/ARTICLES/a1'];
    for (const path of paths) expect((await app.request(path)).status).toBe(404);
    expect((await app.request('/search?q=wheat', { method: 'PUT' })).status).toBe(404);
    const after = await scrape(app);
    expect(requestsBetween(before, after)).toEqual({ 'GET unmatched 404': paths.length, 'PUT unmatched 404': 1 });
    for (const path of paths) expect(after.text).not.toContain(path);

    const series = (scraped: Scrape) => scraped.samples.filter((sample) => sample.name === 'http_requests_total').length;
    for (let n = 0; n < 20; n++) await app.request(`/scan-${n}/${'x'.repeat(n)}`);
    expect(series(await scrape(app))).toBe(series(after));
  });

  it('labels a method past the usual ones OTHER', async () => {
    const app = appOver();
    const before = await scrape(app);
    await app.request('/search?q=wheat', { method: 'PROPFIND' });
    expect(requestsBetween(before, await scrape(app))).toEqual({ 'OTHER unmatched 404': 1 });
  });

  it('is never rate limited, while the limit refuses searches', async () => {
    const app = appOver({ rateLimit: { limit: 1 } });
    expect((await app.request('/search?q=wheat')).status).toBe(200);
    expect((await app.request('/search?q=wheat')).status).toBe(429);
    for (let n = 0; n < 3; n++) expect((await app.request('/metrics')).status).toBe(200);
    const after = await scrape(app);
    expect(after.value('http_requests_total', { method: 'GET', route: '/search', status: '429' })).toBe(1);
    expect(after.value('http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(3);
  });

  it('counts a write refused for want of a token as a request, not as a rejected batch', async () => {
    const app = appOver({ writeAccess: { token: 's3cret', host: '0.0.0.0' } });
    const before = await scrape(app);
    expect((await postJson(app, { title: 'No token' })).status).toBe(401);
    expect((await postJson(app, { title: 'No paragraphs' }, { Authorization: 'Bearer s3cret' })).status).toBe(400);
    const after = await scrape(app);
    expect(requestsBetween(before, after)).toEqual({ 'POST /articles 401': 1, 'POST /articles 400': 1 });
    expect(after.samples.filter((sample) => sample.name === 'news_ingest_rejected_batches_total')).toEqual([
      { name: 'news_ingest_rejected_batches_total', labels: { code: 'bad_request' }, value: 1 },
    ]);
  });

  it('keeps each application to its own registry, never prom-client global one', async () => {
    const first = appOver({ metrics: { processMetrics: true } });
    const second = appOver({ metrics: { processMetrics: true } });
    const before = await scrape(second);
    expect((await first.request('/search?q=wheat')).status).toBe(200);
    const [one, two] = [await scrape(first), await scrape(second)];
    expect(one.value('http_requests_total', { method: 'GET', route: '/search', status: '200' })).toBe(1);
    expect(requestsBetween(before, two)).toEqual({});
    for (const scraped of [one, two]) {
      // CPU is counted from the registry's creation: present, whatever it amounts to.
      expect(scraped.value('process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
      expect(scraped.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    }
    expect(globalRegistry.getSingleMetric('http_requests_total')).toBeUndefined();
    expect(globalRegistry.getSingleMetric('process_cpu_user_seconds_total')).toBeUndefined();
  });

  it("leaves Node's process metrics out unless asked for", async () => {
    const scraped = await scrape(appOver());
    expect(scraped.samples.filter((sample) => sample.name.startsWith('process_') || sample.name.startsWith('nodejs_'))).toEqual([]);
  });

  it('still answers when the backend cannot be read, without the last index numbers it gave, and logs why', async () => {
    const errors: string[] = [];
    const working = memoryService();
    let reachable = true;
    const service: NewsService = { ...working, metrics: () => (reachable ? working.metrics() : Promise.reject(new Error('connection refused'))) };
    const app = createApp({ service, log: (message) => errors.push(message) });
    const indexSeries = (scraped: Scrape) => scraped.samples.filter((sample) => sample.name.startsWith('news_index_') || sample.name.startsWith('news_snapshot_'));
    expect((await scrape(app)).value('news_index_articles', { backend: 'embedded' })).toBe(1);

    reachable = false;
    expect((await app.request('/search?q=wheat')).status).toBe(200);
    const scraped = await scrape(app);
    expect(indexSeries(scraped)).toEqual([]);
    expect(scraped.value('http_requests_total', { method: 'GET', route: '/search', status: '200' })).toBe(1);
    expect(errors).toEqual(['metrics: could not read the index counts: connection refused']);
  });
});
