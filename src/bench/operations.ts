/**
 * @module bench/operations
 * The operational measurements of SPEC §13, after the benchmark's other phases and in the same
 * run: start (build of a missing index next to plain MiniSearch's `addAll` of the same
 * paragraphs, restart from the snapshot) with SQLite FTS5 as the native reference, head-of-line
 * blocking behind a slow query, writes under read load, and (PostgreSQL) a server over the whole
 * archive under search load, with its memory after. Each runs on real server processes
 * (`node dist/cli.js serve`) in a temporary folder removed at the end; a phase that fails is
 * reported as such and the others still run.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Article } from '../ingest/article.ts';
import { createPostgresBackend } from '../backends/postgres/index.ts';
import { messageOf } from '../errors.ts';
import { paragraphTexts, writeCorpusCopies, type BenchCorpus } from './corpus.ts';
import { createBenchDatabase } from './database.ts';
import { measureHeadOfLine, type HeadOfLineResult } from './head-of-line.ts';
import { loadTest, type HttpResult } from './http.ts';
import { commonPrefixes, rareWord, searchMix, splitArchive } from './load-mix.ts';
import { median } from './measure.ts';
import type { WorkerSide } from './protocol.ts';
import type { Worker } from './run.ts';
import { launchServer, type RunningServer, type ServerData, type ServerMemory } from './server-process.ts';
import type { FtsBuilt } from './sqlite.ts';
import { measureStart, RESTARTS, type StartResult } from './start.ts';
import { ARCHIVE_PARAGRAPHS, measureWritesUnderLoad, SEARCHERS, WRITERS, type WriteLoadResult } from './write-load.ts';

/** A phase that could not be measured, and why. */
export type Failed = { error: string };

/** SQLite FTS5 over the same paragraphs: the table built, and reopened until a first query answered. */
export type FtsResult = FtsBuilt & { word: string; reopensMs: number[]; reopenMs: number };

/** Clients searching a server over the whole archive without pause, and the server's memory once they stopped. */
export type SearchLoadResult = HttpResult & { queries: number; server: ServerMemory | null };

/** Everything the operational phases measured; `start` and `sqlite` on the embedded backend only, `searchLoad` on PostgreSQL only. */
export type OperationsResult = {
  start?: StartResult | Failed;
  sqlite?: FtsResult | Failed;
  headOfLine: HeadOfLineResult | Failed;
  writes: WriteLoadResult | Failed;
  searchLoad?: SearchLoadResult | Failed;
};

/** Prefixes tried for the slow query, most common first (on Reuters, 16 ORed took 0.75 s once ORs were combined in typed arrays). */
const SLOW_QUERY_PREFIXES = 40;

/** What the phases need from the run. */
export type OperationsOptions = {
  corpusPath: string;
  /** The corpus read once (×1): the archive of the writes, the articles they post, the queries. */
  base: BenchCorpus;
  scale: number;
  seconds: number;
  /** A word of the corpus for SQLite's first query (the benchmark's first term query). */
  word: string;
  startWorker: (side: WorkerSide) => Worker;
  log: (line: string) => void;
};

/** What the PostgreSQL phases need besides: the benchmark's database, its server, and the search paths of the search load. */
export type PostgresOperationsOptions = OperationsOptions & { databaseUrl: string; serverUrl: string; searchPaths: readonly string[] };

/** Runs `work`, turning a failure into a {@link Failed} (logged) so that the next phase still runs. */
async function phase<T>(name: string, log: (line: string) => void, work: () => Promise<T>): Promise<T | Failed> {
  try {
    return await work();
  } catch (error) {
    log(`${name} failed: ${messageOf(error)}`);
    return { error: messageOf(error) };
  }
}

/** The operational phases on the embedded backend. */
export async function runEmbeddedOperations(options: OperationsOptions): Promise<OperationsResult> {
  const { base, scale, log } = options;
  const dir = await mkdtemp(join(tmpdir(), 'news-search-bench-operations-'));
  const texts = paragraphTexts(base.articles);
  try {
    let server: RunningServer | undefined;
    const plainAddAll = async (): Promise<number> => {
      const { ingestMs } = await inWorker(options.startWorker('plain'), (worker) => worker.call({ kind: 'load', side: 'plain', corpusPath: options.corpusPath, scale }));
      log(`start: plain MiniSearch addAll took ${Math.round(ingestMs)} ms`);
      return ingestMs;
    };
    const start = await phase('start', log, async () => {
      const measured = await measureStart({ dir: join(dir, 'start'), file: base.file, articles: base.articles, scale, plainAddAll, log });
      server = measured.server;
      return measured.result;
    });
    const headOfLine = await phase('head of line', log, async () => {
      const running = server;
      if (running === undefined) throw new Error('no server: the start failed');
      try {
        const measured = await measureHeadOfLine({ url: running.url, prefixes: commonPrefixes(texts, SLOW_QUERY_PREFIXES), trivialQuery: rareWord(texts), log });
        return { ...measured, server: await running.memory() };
      } finally {
        await running.stop();
      }
    });
    const sqlite = await phase('sqlite', log, () =>
      inWorker(options.startWorker('sqlite'), async (worker) => {
        const built = await worker.call({ kind: 'ftsBuild', corpusPath: options.corpusPath, scale });
        const reopensMs: number[] = [];
        for (let reopen = 0; reopen < RESTARTS; reopen++) reopensMs.push(await worker.call({ kind: 'ftsReopen', word: options.word }));
        return { ...built, word: options.word, reopensMs, reopenMs: median(reopensMs) };
      }),
    );
    const writes = await phase('writes under load', log, async () => {
      const { archive, rest } = splitArchive(base.articles, ARCHIVE_PARAGRAPHS);
      const corpusDir = join(dir, 'writes', 'corpus');
      await mkdir(corpusDir, { recursive: true });
      const counts = await writeCorpusCopies(join(corpusDir, base.file), archive, 1);
      return underLoad({ corpusDir, indexDir: join(dir, 'writes', 'index') }, join(dir, 'writes', 'server.log'), counts, postable(archive, rest), texts, options);
    });
    return { start, sqlite, headOfLine, writes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The operational phases on the PostgreSQL backend: head of line on `databaseUrl` (the corpus imported), writes on a database of their own on `serverUrl`. */
export async function runPostgresOperations(options: PostgresOperationsOptions): Promise<OperationsResult> {
  const { base, log } = options;
  const dir = await mkdtemp(join(tmpdir(), 'news-search-bench-operations-'));
  const texts = paragraphTexts(base.articles);
  try {
    const headOfLine = await phase('head of line', log, async () => {
      const server = await launchServer({ databaseUrl: options.databaseUrl }, join(dir, 'head-of-line.log'));
      try {
        const measured = await measureHeadOfLine({ url: server.url, prefixes: commonPrefixes(texts, SLOW_QUERY_PREFIXES), trivialQuery: rareWord(texts), log });
        return { ...measured, server: await server.memory() };
      } finally {
        await server.stop();
      }
    });
    const writes = await phase('writes under load', log, async () => {
      const { archive, rest } = splitArchive(base.articles, ARCHIVE_PARAGRAPHS);
      const database = await createBenchDatabase(options.serverUrl, log);
      try {
        const backend = await createPostgresBackend({ url: database.url, log });
        try {
          await backend.putArticles(archive);
        } finally {
          await backend.close();
        }
        const counts = { articles: archive.length, paragraphs: archive.reduce((sum, article) => sum + article.paragraphs.length, 0) };
        return await underLoad({ databaseUrl: database.url }, join(dir, 'writes.log'), counts, postable(archive, rest), texts, options);
      } finally {
        await database.drop().catch((error: unknown) => log(`postgres: could not drop ${database.name}: ${messageOf(error)}; drop it by hand`));
      }
    });
    const searchLoad = await phase('search load', log, async () => {
      const server = await launchServer({ databaseUrl: options.databaseUrl }, join(dir, 'search-load.log'));
      try {
        log(`search load: ${SEARCHERS} clients for ${options.seconds} s on a server over the whole archive`);
        const measured = await loadTest({ url: server.url, paths: options.searchPaths, seconds: options.seconds, connections: SEARCHERS });
        return { ...measured, queries: options.searchPaths.length, server: await server.memory() };
      } finally {
        await server.stop();
      }
    });
    return { headOfLine, writes, searchLoad };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The articles the writers post (under new ids): those after the archive, or the archive's own when the corpus holds no more. */
function postable(archive: readonly Article[], rest: readonly Article[]): readonly Article[] {
  return rest.length > 0 ? rest : archive;
}

/** Launches a server on `data` (its start not timed), runs the write load on it, stops it. */
async function underLoad(data: ServerData, logFile: string, archive: { articles: number; paragraphs: number }, sources: readonly Article[], texts: readonly string[], options: OperationsOptions): Promise<WriteLoadResult> {
  options.log(`writes under load: a server on ${archive.paragraphs} paragraphs, ${SEARCHERS} searchers and ${WRITERS} writers for ${options.seconds} s`);
  const server = await launchServer(data, logFile);
  try {
    return await measureWritesUnderLoad({ url: server.url, archive, searches: searchMix(texts), sources, seconds: options.seconds });
  } finally {
    await server.stop();
  }
}

/** Runs `work` with a worker, then stops and kills it whatever happened. */
async function inWorker<T>(worker: Worker, work: (worker: Worker) => Promise<T>): Promise<T> {
  try {
    const value = await work(worker);
    await worker.call({ kind: 'stop' });
    return value;
  } finally {
    worker.kill();
  }
}
