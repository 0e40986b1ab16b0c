/**
 * @module cli
 * The command line: `serve` (npm start), `ingest`, `search`, `import`. The only module that
 * reads `process.env` and `process.argv`, prints, or exits. `DATABASE_URL` picks the PostgreSQL
 * backend; without it, the embedded one serves `corpus/` (SPEC §9).
 */
import { stat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { isServiceError, messageOf } from './errors.ts';
import { readArticleBatch, readKeptArticles } from './ingest/corpus.ts';
import type { ParsedBatch } from './ingest/batch.ts';
import { megabytes } from './bench/format.ts';
import { formatOfPath } from './ingest/formats.ts';
import { createApp, MAX_BODY_BYTES } from './server/app.ts';
import { listen } from './server/listen.ts';
import { CONNECTION_LIMITS, type ConnectionLimits } from './server/connection-limits.ts';
import { createNewsService } from './service/news-service.ts';
import { MAX_SEARCHES_IN_FLIGHT } from './service/admission.ts';
import { createEmbeddedBackend } from './backends/embedded/embedded-backend.ts';
import { openLibrary, type Progress } from './backends/embedded/open-library.ts';
import { DEFAULT_SEARCH_PARAMS } from './service/search-service.ts';
import { createCorpusState } from './backends/embedded/corpus-writer.ts';
import type { ArticleResult, SearchBackend } from './backends/backend.ts';
import type { PostgresBackend } from './backends/postgres/index.ts';
import { ordersAfterImport } from './backends/postgres/postings.ts';
import { databaseName } from './backends/postgres/url.ts';
import { IMPORT_BATCH_ARTICLES, IMPORT_IN_FLIGHT, putInBatches } from './backends/put-in-batches.ts';
import { fetchUrl } from './ingest/fetch-url.ts';
import type { FeedStore } from './backends/feed-store.ts';
import { feedsFileOf, openFeedFileStore } from './backends/embedded/feed-file-store.ts';
import { createFeedMonitor, DEFAULT_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES } from './monitor/subscriptions.ts';
import { ingestUrl, type Fetcher } from './monitor/url-ingest.ts';

/** Settings read from the environment (SPEC §1). */
type Config = {
  port: number;
  host: string;
  corpusDir: string;
  indexDir: string;
  ingestToken: string | undefined;
  maxBodyBytes: number;
  /** Requests per minute per client address (`RATE_LIMIT_PER_MINUTE`); `undefined` = no limit. */
  rateLimitPerMinute: number | undefined;
  /** Searches running or waiting at once before more are refused with 503 (`MAX_SEARCHES_IN_FLIGHT`). */
  maxSearchesInFlight: number;
  /** Searches run in the database at once (`DATABASE_SEARCH_CONNECTIONS`); `undefined` = the backend's default. */
  databaseSearchConnections: number | undefined;
  /** The PostgreSQL backend's database (`DATABASE_URL`); `undefined` = the embedded backend. */
  databaseUrl: string | undefined;
  /** Minutes between polls of a subscribed feed (`FEED_INTERVAL_MINUTES`, SPEC §11). */
  feedIntervalMinutes: number;
  /** URL ingest may reach private and loopback addresses (`ALLOW_PRIVATE_FETCH=1`). */
  allowPrivateFetch: boolean;
  /** Timeouts and connection caps (`HEADERS_TIMEOUT_SECONDS`, `REQUEST_TIMEOUT_SECONDS`, `KEEP_ALIVE_TIMEOUT_SECONDS`, `MAX_CONNECTIONS`, `MAX_CONNECTIONS_PER_CLIENT`, `MIN_BODY_BYTES_PER_SECOND`, `MIN_BODY_RATE_GRACE_SECONDS`). */
  limits: ConnectionLimits;
};

/** Rebuilds shorter than this show no progress bar: it would only flicker. */
const PROGRESS_MIN_ITEMS = 50;
/** Ingests of fewer files show no progress bar; a file may hold thousands of articles (a feed, a JSONL dump), so a few files are worth one. */
const PROGRESS_MIN_FILES = 5;

/**
 * The integer setting `name` of `env`, at least `min` (and at most `max`); unset or empty means
 * `fallback`. Anything else exits with a message naming the variable and the value.
 */
function integerSetting<T extends number | undefined>(env: NodeJS.ProcessEnv, name: string, limits: { min: number; max?: number; fallback: T }): number | T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return limits.fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < limits.min || (limits.max !== undefined && value > limits.max)) {
    const range = limits.max === undefined ? (limits.min === 1 ? 'a positive integer' : `an integer of at least ${limits.min}`) : `an integer from ${limits.min} to ${limits.max}`;
    fail(`${name} must be ${range}, got "${raw}"`);
  }
  return value;
}

/** Longest timeout a setting may ask for: a day (Node's timers take no more than 24.8 days). */
const MAX_TIMEOUT_SECONDS = 86_400;

/** The timeout setting `name` of `env`, in seconds, as milliseconds. */
function timeoutSetting(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
  return integerSetting(env, name, { min: 1, max: MAX_TIMEOUT_SECONDS, fallback: fallbackMs / 1000 }) * 1000;
}

/** Timeouts and connection caps; the header timeout cannot be longer than the whole request's. */
function readLimits(env: NodeJS.ProcessEnv): ConnectionLimits {
  const limits: ConnectionLimits = {
    headersTimeoutMs: timeoutSetting(env, 'HEADERS_TIMEOUT_SECONDS', CONNECTION_LIMITS.headersTimeoutMs),
    requestTimeoutMs: timeoutSetting(env, 'REQUEST_TIMEOUT_SECONDS', CONNECTION_LIMITS.requestTimeoutMs),
    keepAliveTimeoutMs: timeoutSetting(env, 'KEEP_ALIVE_TIMEOUT_SECONDS', CONNECTION_LIMITS.keepAliveTimeoutMs),
    maxConnections: integerSetting(env, 'MAX_CONNECTIONS', { min: 1, fallback: CONNECTION_LIMITS.maxConnections }),
    maxConnectionsPerClient: integerSetting(env, 'MAX_CONNECTIONS_PER_CLIENT', { min: 1, fallback: CONNECTION_LIMITS.maxConnectionsPerClient }),
    minBodyBytesPerSecond: integerSetting(env, 'MIN_BODY_BYTES_PER_SECOND', { min: 0, fallback: CONNECTION_LIMITS.minBodyBytesPerSecond }),
    minBodyRateGraceMs: timeoutSetting(env, 'MIN_BODY_RATE_GRACE_SECONDS', CONNECTION_LIMITS.minBodyRateGraceMs),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    fail(`HEADERS_TIMEOUT_SECONDS (${limits.headersTimeoutMs / 1000}) must not be longer than REQUEST_TIMEOUT_SECONDS (${limits.requestTimeoutMs / 1000}): the whole request includes its headers`);
  }
  return limits;
}

function readConfig(env: NodeJS.ProcessEnv): Config {
  const port = integerSetting(env, 'PORT', { min: 0, max: 65535, fallback: 3000 });
  const maxBodyBytes = integerSetting(env, 'MAX_BODY_BYTES', { min: 1, fallback: MAX_BODY_BYTES });
  const rateLimitPerMinute = integerSetting(env, 'RATE_LIMIT_PER_MINUTE', { min: 1, fallback: undefined });
  const maxSearchesInFlight = integerSetting(env, 'MAX_SEARCHES_IN_FLIGHT', { min: 1, fallback: MAX_SEARCHES_IN_FLIGHT });
  const databaseSearchConnections = integerSetting(env, 'DATABASE_SEARCH_CONNECTIONS', { min: 1, max: 100, fallback: undefined });
  return {
    port,
    maxBodyBytes,
    rateLimitPerMinute,
    maxSearchesInFlight,
    databaseSearchConnections,
    limits: readLimits(env),
    feedIntervalMinutes: integerSetting(env, 'FEED_INTERVAL_MINUTES', { min: 1, max: MAX_INTERVAL_MINUTES, fallback: DEFAULT_INTERVAL_MINUTES }),
    allowPrivateFetch: flagSetting(env, 'ALLOW_PRIVATE_FETCH'),
    ingestToken: env.INGEST_TOKEN === '' ? undefined : env.INGEST_TOKEN,
    host: env.HOST ?? '127.0.0.1',
    corpusDir: resolve(env.CORPUS_DIR ?? 'corpus'),
    indexDir: resolve(env.INDEX_DIR ?? 'index'),
    databaseUrl: env.DATABASE_URL === undefined || env.DATABASE_URL.trim() === '' ? undefined : env.DATABASE_URL,
  };
}

/** A yes/no setting: `1` is yes; unset, empty or `0` is no; anything else exits naming the variable. */
function flagSetting(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim() ?? '';
  if (raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  fail(`${name} must be 1 (on) or 0 (off), got "${raw}"`);
}

/** The fetcher of URL ingest and subscriptions, with the address rule of `ALLOW_PRIVATE_FETCH`. */
function fetcherOf(config: Config): Fetcher {
  return (url, options) => fetchUrl(url, { ...options, allowPrivate: config.allowPrivateFetch });
}

/** Where the subscriptions live: the database's `feeds` table, or the file beside `corpus/`. */
async function openFeedStore(config: Config): Promise<FeedStore> {
  if (config.databaseUrl === undefined) return openFeedFileStore(feedsFileOf(config.corpusDir));
  const { openPostgresFeedStore } = await import('./backends/postgres/feeds.ts');
  return openPostgresFeedStore({ url: config.databaseUrl, log });
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A progress bar on standard error, or none when it is not a terminal or the job has fewer than `minimum` steps. */
function terminalBar(format: string, total: number, minimum: number): SingleBar | undefined {
  if (!process.stderr.isTTY || total < minimum) return undefined;
  return new SingleBar({ format, stream: process.stderr }, Presets.shades_classic);
}

/** A progress reporter: a bar on a terminal for long jobs, nothing otherwise. */
function progressReporter(): { report: (progress: Progress) => void; stop: () => void } {
  let bar: SingleBar | undefined;
  let phase: Progress['phase'] | undefined;
  return {
    report(progress) {
      if (phase !== progress.phase) {
        bar?.stop();
        phase = progress.phase;
        const unit = progress.phase === 'read' ? 'files' : 'paragraphs';
        bar = terminalBar(`${progress.phase === 'read' ? 'reading ' : 'indexing'} [{bar}] {percentage}% {value}/{total} ${unit} | {eta_formatted} left`, progress.total, PROGRESS_MIN_ITEMS);
        bar?.start(progress.total, 0);
      }
      bar?.update(progress.done);
    },
    stop() {
      bar?.stop();
    },
  };
}

async function open(config: Config, options: { deferSave?: boolean } = {}) {
  const progress = progressReporter();
  try {
    return await openLibrary({ corpusDir: config.corpusDir, indexDir: config.indexDir, onProgress: progress.report, log, deferSave: options.deferSave ?? false });
  } finally {
    progress.stop();
  }
}

/** The PostgreSQL backend of `DATABASE_URL`; exits with one line when it cannot be reached or prepared. */
async function openDatabase(url: string, searchConnections: number | undefined): Promise<PostgresBackend> {
  try {
    // Loaded only when asked for: `pg` and the backend cost a tenth of a second at every start.
    const { createPostgresBackend } = await import('./backends/postgres/index.ts');
    return await createPostgresBackend(searchConnections === undefined ? { url, log } : { url, log, searchConnections });
  } catch (error) {
    fail(`DATABASE_URL: cannot use ${databaseName(url)} (${messageOf(error)})`);
  }
}

/**
 * The backend the settings name: PostgreSQL with `DATABASE_URL`, else the embedded one over
 * `corpus/`. A server (`watch`) has it watch `corpus/`, prepare lookups in the background and
 * save a rebuilt index in the background, answering meanwhile.
 */
async function openBackend(config: Config, options: { watch: boolean }): Promise<SearchBackend> {
  if (config.databaseUrl !== undefined) return openDatabase(config.databaseUrl, config.databaseSearchConnections);
  const opened = await open(config, { deferSave: options.watch });
  const state = createCorpusState(opened.library, config.corpusDir, opened.files);
  return createEmbeddedBackend({
    state,
    indexDir: config.indexDir,
    manifest: opened.manifest,
    index: opened.index,
    unsaved: opened.unsaved,
    watch: options.watch,
    prepareInBackground: options.watch,
    log,
  });
}

async function serveCommand(config: Config): Promise<void> {
  const backend = await openBackend(config, { watch: true });
  if (config.databaseUrl !== undefined) log(`serving the PostgreSQL database ${databaseName(config.databaseUrl)}`);
  const service = createNewsService({ backend, maxSearchesInFlight: config.maxSearchesInFlight });
  const feedStore = await openFeedStore(config).catch((error: unknown) => fail(`feed subscriptions: ${messageOf(error)}`));
  const feeds = createFeedMonitor({ store: feedStore, fetch: fetcherOf(config), ingest: (articles) => service.ingest(articles), intervalMinutes: config.feedIntervalMinutes, log });
  const app = createApp({
    feeds,
    service,
    log,
    accessLog: log,
    writeAccess: { token: config.ingestToken, host: config.host },
    maxBodyBytes: config.maxBodyBytes,
    rateLimit: config.rateLimitPerMinute === undefined ? undefined : { limit: config.rateLimitPerMinute },
    metrics: { processMetrics: true },
  });
  const listening = await listen(app, { host: config.host, port: config.port, limits: config.limits, log }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') fail(`PORT ${config.port} is already in use on ${config.host}: stop what listens there, or set PORT to another port (0: any free one)`);
    if (error.code === 'EACCES') fail(`PORT ${config.port} on ${config.host} needs privileges this process lacks: set PORT to 1024 or above`);
    if (error.code === 'EADDRNOTAVAIL') fail(`HOST ${config.host} is no address of this machine: set HOST to one (127.0.0.1, 0.0.0.0)`);
    throw error;
  });
  process.stdout.write(`listening on ${listening.url}\n`);
  feeds.start();

  // Graceful stop: refuse new connections, answer the requests in flight, flush the snapshot.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) fail(`${signal} again: stopping without waiting`);
    stopping = true;
    log(`shutting down (${signal})`);
    listening
      .close()
      .then(() => feeds.close())
      .then(() => service.close())
      .then(() => {
        process.stdout.write('stopped\n');
        process.exit(0);
      })
      .catch((error: unknown) => fail(`shutdown failed: ${messageOf(error)}`));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Expands files and folders (recursively) into the article files they hold. */
async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => fail(`no such file or folder: ${path}`));
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (entry.isFile() && formatOfPath(entry.name) !== null) files.push(join(entry.parentPath, entry.name));
      }
    } else {
      files.push(path);
    }
  }
  return files.sort();
}

/** Matches an argument of `npm run ingest` that is a URL, not a path (`https://…`, and other schemes, to refuse them by name). */
const URL_ARGUMENT_RE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `npm run ingest -- --help`. */
const INGEST_USAGE = `usage: npm run ingest -- <files or folders or URLs>...

Adds the articles of each file (folders are read recursively) to the corpus and the index, or
to the database of DATABASE_URL. Formats, by extension: .txt, .json, .jsonl/.ndjson, .html/.htm,
.rss/.atom/.xml. A http(s) URL is fetched: a feed gives its items, an article page its
article (private and loopback addresses are refused unless ALLOW_PRIVATE_FETCH=1). Each file is all or nothing: a file with an invalid article is rejected whole,
naming the item (or the line, in JSON Lines) and the field. Fields an article does not have
(such as "tags") are ignored, with a warning.

options:
  -h, --help  this help
`;

/** Articles listed by id and title under each outcome of an ingest; more are counted. */
const MAX_LISTED_ARTICLES = 20;
/** Longest title printed in that list, in characters. */
const MAX_LISTED_TITLE_CHARS = 80;
type Outcome = ArticleResult['status'];

/** `1 article`, `2 articles`, `0 files`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `3 files`, `1 URL`, `2 files, 1 URL`: what an ingest read. */
function sources(files: number, urls: number): string {
  if (urls === 0) return count(files, 'file');
  return files === 0 ? count(urls, 'URL') : `${count(files, 'file')}, ${count(urls, 'URL')}`;
}

/** What `npm run ingest` prints: each outcome's articles (up to {@link MAX_LISTED_ARTICLES}), warnings, rejected files, then the totals. */
function ingestReport(report: {
  files: number;
  /** URLs fetched (`npm run ingest -- https://…`). */
  urls: number;
  outcomes: Record<Outcome, Array<{ id: string; title: string }>>;
  warnings: readonly string[];
  rejected: readonly string[];
}): string {
  const lines: string[] = [];
  for (const outcome of ['created', 'updated', 'unchanged'] as const) {
    const articles = report.outcomes[outcome];
    if (articles.length === 0) continue;
    lines.push(`${outcome} ${count(articles.length, 'article')}:`);
    for (const { id, title } of articles.slice(0, MAX_LISTED_ARTICLES)) {
      lines.push(`  ${id}  ${title.length > MAX_LISTED_TITLE_CHARS ? `${title.slice(0, MAX_LISTED_TITLE_CHARS - 1)}…` : title}`);
    }
    if (articles.length > MAX_LISTED_ARTICLES) lines.push(`  … and ${articles.length - MAX_LISTED_ARTICLES} more`);
  }
  for (const warning of report.warnings) lines.push(`warning ${warning}`);
  for (const rejected of report.rejected) lines.push(`rejected ${rejected}`);
  const { created, updated, unchanged } = report.outcomes;
  const articles = created.length + updated.length + unchanged.length;
  lines.push(
    `${sources(report.files, report.urls)}, ${count(articles, 'article')}: ${created.length} created, ${updated.length} updated, ${unchanged.length} unchanged, ${count(report.rejected.length, report.urls === 0 ? 'file' : 'input')} rejected`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * The arguments of a command split into the options it knows and the rest; exits naming every
 * argument that starts with `--` (or is `-h`) and is no option of `known`. `valued`: options that
 * take a value (`--limit 5` or `--limit=5`). Everything after a lone `--` is no option.
 */
function splitOptions(args: readonly string[], known: { flags: readonly string[]; valued: readonly string[] }, command: string): { options: Map<string, string>; rest: string[] } {
  const options = new Map<string, string>();
  const rest: string[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      options.set('--help', '');
      continue;
    }
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    if (known.flags.includes(name) && equals === -1) options.set(name, '');
    else if (known.valued.includes(name)) options.set(name, equals === -1 ? (args[++i] ?? '') : arg.slice(equals + 1));
    else unknown.push(arg);
  }
  if (unknown.length > 0) fail(`unknown option${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}: see npm run ${command} -- --help`);
  return { options, rest };
}

async function ingestCommand(config: Config, args: readonly string[]): Promise<void> {
  const { options, rest: paths } = splitOptions(args, { flags: ['--help'], valued: [] }, 'ingest');
  if (options.has('--help')) {
    process.stdout.write(INGEST_USAGE);
    return;
  }
  if (paths.length === 0) fail('usage: npm run ingest -- <files or folders or URLs>... (--help for more)');
  const urls = paths.filter((path) => URL_ARGUMENT_RE.test(path));
  const files = await expandPaths(paths.filter((path) => !URL_ARGUMENT_RE.test(path)));
  const backend = await openBackend(config, { watch: false });
  const outcomes: Record<Outcome, Array<{ id: string; title: string }>> = { created: [], updated: [], unchanged: [] };
  const warnings: string[] = [];
  const rejected: string[] = [];
  const bar = terminalBar('ingesting [{bar}] {value}/{total} files | {articles} articles | {rate} articles/s | {eta_formatted} left', files.length, PROGRESS_MIN_FILES);
  const started = performance.now();
  let articleCount = 0;
  bar?.start(files.length, 0, { articles: 0, rate: 0 });
  for (const [index, file] of files.entries()) {
    // Each file is one batch: an invalid article rejects its whole file, naming the item.
    let batch: ParsedBatch | undefined;
    try {
      batch = await readArticleBatch(file);
    } catch (error) {
      rejected.push(messageOf(error)); // it starts with the file's path
    }
    if (batch !== undefined) {
      try {
        const results = await backend.putArticles(batch.articles);
        results.forEach((result, item) => outcomes[result.status].push({ id: result.id, title: batch.articles[item]?.title ?? '' }));
        articleCount += batch.articles.length;
        warnings.push(...batch.warnings.map((warning) => `${file}: ${warning}`));
      } catch (error) {
        rejected.push(`${file}: ${messageOf(error)}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    bar?.update(index + 1, { articles: articleCount, rate: seconds > 0 ? Math.round(articleCount / seconds) : 0 });
  }
  bar?.stop();
  for (const url of urls) {
    try {
      const fetched = await ingestUrl(url, { fetch: fetcherOf(config), ingest: (articles) => backend.putArticles(articles) });
      fetched.results.forEach((result, item) => outcomes[result.status].push({ id: result.id, title: fetched.articles[item]?.title ?? '' }));
      articleCount += fetched.results.length;
      warnings.push(...fetched.warnings.map((warning) => `${url}: ${warning}`));
    } catch (error) {
      rejected.push(isServiceError(error) ? error.message : `${url}: ${messageOf(error)}`); // a fetch error starts with the URL
    }
  }
  // The embedded backend saves its snapshot on close; one that cannot be saved costs the next start a rebuild, nothing more.
  await backend.close();
  process.stdout.write(ingestReport({ files: files.length, urls: urls.length, outcomes, warnings, rejected }));
  if (rejected.length > 0) process.exitCode = 1;
}


/**
 * `npm run import -- --to postgres`: copies every article of `corpus/` into the database of
 * `DATABASE_URL`, a batch per transaction, reading the corpus a file at a time (the embedded
 * index is not built, so an archive larger than memory imports). Idempotent: articles already
 * there with the same content are `unchanged`, so an interrupted import is resumed by running
 * it again. Unreadable files are named and skipped, and the command then exits with 1. An import
 * that wrote a tenth of the archive's articles or more (`ordersAfterImport`) ends by ordering the
 * posting blocks (searches wait for it; see `orderPostings`): a first or a bulk import, not an
 * increment.
 */
async function importCommand(config: Config, args: readonly string[]): Promise<void> {
  const to = args.indexOf('--to');
  if (to === -1 || args[to + 1] !== 'postgres') fail('usage: npm run import -- --to postgres (with DATABASE_URL set)');
  if (config.databaseUrl === undefined) fail('DATABASE_URL must name the PostgreSQL database to import into, e.g. postgres://user@localhost/news');
  const walk = await readKeptArticles(config.corpusDir);
  for (const problem of walk.problems) log(`skipped ${problem}`);
  const backend = await openDatabase(config.databaseUrl, config.databaseSearchConnections);
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const bar = terminalBar('importing [{bar}] {value}/{total} articles | {eta_formatted} left', walk.total, PROGRESS_MIN_ITEMS);
  bar?.start(walk.total, 0);
  let done = 0;
  let stopped: unknown;
  try {
    await putInBatches(backend, walk.files(), {
      batchSize: IMPORT_BATCH_ARTICLES,
      inFlight: IMPORT_IN_FLIGHT,
      onBatch: (results) => {
        for (const result of results) counts[result.status] += 1;
        done += results.length;
        bar?.update(done);
      },
    });
  } catch (error) {
    stopped = error;
  } finally {
    bar?.stop();
  }
  if (stopped !== undefined) {
    await backend.close();
    // A batch is one transaction: the refused one left nothing, those acknowledged are kept, and
    // a rerun finds them unchanged.
    fail(`the import stopped after ${done} articles: ${messageOf(stopped)}. Each batch of ${IMPORT_BATCH_ARTICLES} is written whole or not at all; run the same command again to resume.`);
  }
  process.stdout.write(
    `${done} articles from ${config.corpusDir} into ${databaseName(config.databaseUrl)}: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged\n`,
  );
  if (walk.problems.length > 0) process.exitCode = 1;
  try {
    if (ordersAfterImport(counts.created + counts.updated, (await backend.stats()).articles)) {
      log('ordering the posting blocks by word (searches wait for it)');
      const started = Date.now();
      const { blocks, bytesBefore, bytesAfter } = await backend.orderPostings();
      process.stdout.write(`ordered and vacuumed ${blocks} posting blocks by word in ${((Date.now() - started) / 1000).toFixed(1)} s (${megabytes(bytesBefore)} → ${megabytes(bytesAfter)} MB)\n`);
    }
  } catch (error) {
    // The articles are written and searchable; only the upkeep failed (a full disk: the rewrite needs the table's size again).
    log(`error: the articles are imported, but ordering the posting blocks failed: ${messageOf(error)}. Searches work; CLUSTER postings; VACUUM (ANALYZE) postings; in the database retries it.`);
    process.exitCode = 1;
  } finally {
    await backend.close();
  }
}

/** Matches `<mark>`, `</mark>` and the HTML entities of a snippet, to print it on a terminal. */
const SNIPPET_MARKUP_RE = /<\/?mark>|&(?:amp|lt|gt|quot|#39);/g;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function snippetForTerminal(snippet: string, colour: boolean): string {
  return snippet.replace(SNIPPET_MARKUP_RE, (markup) => {
    if (markup === '<mark>') return colour ? '\x1b[1;33m' : '**';
    if (markup === '</mark>') return colour ? '\x1b[0m' : '**';
    return ENTITIES[markup] ?? markup;
  });
}

/** `npm run search -- --help`: the usage, the query syntax in brief (README "Query language" in full), the options. */
const SEARCH_USAGE = `usage: npm run search -- '<query>' [--limit N]

Prints the paragraphs matching the query, best first, with the matches marked.

query syntax (README, "Query language"):
  gaza truce              every word (AND); talk also finds talks, talked
  iran OR qatar           either; ( ) groups
  "four-day truce"        exact phrase; "hamas haniyeh"~3: up to 3 words between
  -israel, NOT israel     exclude
  hamas w/5 haniyeh       within 5 words; pre/5: in that order; w/s: same sentence
  cease*, wom?n           prefix, wildcards
  haniya~, haniya~1       fuzzy
  title:ceasefire         in one field: title or text

options:
  --limit N               hits to print, 1 to 100 (default 10)
  -h, --help              this help

An argument starting with -- is an option; -word is an exclusion. After a lone --, every
argument is part of the query.
`;

async function searchCommand(config: Config, args: readonly string[]): Promise<void> {
  const { options, rest } = splitOptions(args, { flags: ['--help'], valued: ['--limit'] }, 'search');
  if (options.has('--help')) {
    process.stdout.write(SEARCH_USAGE);
    return;
  }
  const limitText = options.get('--limit');
  const limit = limitText === undefined ? 10 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) fail(`--limit must be an integer from 1 to 100, got "${limitText ?? ''}"`);
  const q = rest.join(' ');
  if (q.trim() === '') fail(`usage: npm run search -- '<query>' [--limit N] (--help for the query syntax)`);
  const service = createNewsService({ backend: await openBackend(config, { watch: false }) });
  const response = await service.search(q, { ...DEFAULT_SEARCH_PARAMS, limit });
  await service.close();
  const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const dim = (text: string) => (colour ? `\x1b[2m${text}\x1b[0m` : text);
  process.stdout.write(`${response.total} ${response.total === 1 ? 'paragraph matches' : 'paragraphs match'} ${JSON.stringify(q)} (${response.tookMs} ms)\n`);
  if (response.warnings.length > 0) process.stdout.write(`read as: ${response.query}\n${response.warnings.map((warning) => `  note: ${warning}\n`).join('')}`);
  process.stdout.write('\n');
  for (const [rank, hit] of response.hits.entries()) {
    const meta = [hit.source, hit.date?.slice(0, 10), `paragraph ${hit.paragraph}`, `score ${hit.score}`].filter(Boolean).join(' · ');
    process.stdout.write(`${rank + 1}. ${hit.title}\n   ${dim(`${meta} · ${hit.id}`)}\n   ${snippetForTerminal(hit.snippet, colour)}\n\n`);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...args] = argv;
  const config = readConfig(process.env);
  switch (command) {
    case 'serve':
      return serveCommand(config);
    case 'ingest':
      return ingestCommand(config, args);
    case 'search':
      return searchCommand(config, args);
    case 'import':
      return importCommand(config, args);
    default:
      fail(`unknown command "${command ?? ''}": use serve, ingest, search or import`);
  }
}

// A reader that stops early (`npm run search … | head`) closes the pipe: that ends the output, quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// One line for the operator; the stack of an unexpected error with DEBUG set.
main(process.argv.slice(2)).catch((error: unknown) => {
  const debug = process.env.DEBUG !== undefined && process.env.DEBUG !== '' && error instanceof Error && !isServiceError(error);
  fail(debug ? (error.stack ?? error.message) : messageOf(error));
});
