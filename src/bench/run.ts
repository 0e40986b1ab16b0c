/**
 * @module bench/run
 * Runs the whole benchmark: draws the queries once, starts one worker process per side, and
 * drives them phase by phase, alternating between the sides (ingest, snapshot, then the queries
 * in small batches) so that a change in the machine's load hits both alike. Then the service's
 * worker serves HTTP and this process load-tests it. Last, the operational phases of SPEC §13
 * run on real server processes (`bench/operations.ts`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchBackend } from './args.ts';
import type { Side } from './contender.ts';
import { loadCorpus, paragraphTexts, type BenchCorpus } from './corpus.ts';
import { loadTest, searchPath, type HttpResult } from './http.ts';
import { median } from './measure.ts';
import type { Command, QueryBatch, Replies, SideResult, SnapshotResult, TypeLatency, WorkerMessage, WorkerSide } from './protocol.ts';
import { generateQueries, QUERY_TYPES, serviceSyntax, type QuerySet, type QueryType } from './queries.ts';
import { machineInfo, type BenchReport } from './report.ts';
import { measureCopies, type CopiesResult } from './copies.ts';
import { runEmbeddedOperations } from './operations.ts';
import { buildDist } from './server-process.ts';
import { mergeBatches } from './session.ts';
import { messageOf } from '../errors.ts';

/** What a run is asked to do (`npm run bench -- <corpus> [--scale N] [--queries N] [--seconds S]`). */
export type BenchOptions = {
  corpusPath: string;
  scale: number;
  queries: number;
  seconds: number;
  connections: number;
  seed: number;
  /** `embedded`: the service next to plain MiniSearch; `postgres`: the PostgreSQL backend next to the service. */
  backend: BenchBackend;
  /** The server `--backend postgres` creates its database on; `null` otherwise. */
  databaseUrl: string | null;
  /** `--postgres-only`: the PostgreSQL side alone, for a scale the embedded backend cannot hold in memory. */
  postgresOnly: boolean;
  /** `--keep-database`: the benchmark's database is left on the server at the end (its name is logged), not dropped. */
  keepDatabase: boolean;
  /** `--resume-database`: the name of a database an earlier run kept or left, to import into (the articles there stay unchanged) instead of a new one. */
  resumeDatabase: string | null;
};

/** Old-space limit of the workers, in MB: ten copies of Reuters (a million paragraphs) need several GB. */
const WORKER_HEAP_MB = 16_000;
/** Warm-up queries per type, as a share of the measured ones (with a floor, so the JIT sees each path). */
const WARMUP_SHARE = 0.2;
const MIN_WARMUP = 20;
/** Seed offset of the warm-up queries: other queries than the measured ones. */
const WARMUP_SEED_OFFSET = 1_000_003;
/** Snapshot loads timed per side, alternating; the median is reported (the first is often slower: JIT, file cache). */
const SNAPSHOT_LOADS = 3;
/** Queries a side runs before the other side takes its turn: small, so both see the same machine. */
export const BATCH_SIZE = 25;

/** A worker process, answering one command at a time. */
export type Worker = {
  call<K extends Command['kind']>(command: Extract<Command, { kind: K }>): Promise<Replies[K]>;
  kill(): void;
};

/** Runs the benchmark; `log` receives progress lines. */
export async function runBenchmark(options: BenchOptions, log: (line: string) => void): Promise<Omit<BenchReport, 'elapsedMs'>> {
  // First: a source that does not compile fails the run before minutes of work.
  log('building dist/ for the server processes (npm run build)');
  await buildDist();
  const { base, queries, warmup, warmupPerType } = await drawQueries(options, log);

  const workers: Record<Side, Worker> = { plain: startWorker('plain', log), service: startWorker('service', log) };
  const sides = ['plain', 'service'] as const;
  try {
    const loaded = { plain: await workers.plain.call({ kind: 'load', side: 'plain', corpusPath: options.corpusPath, scale: options.scale }), service: await workers.service.call({ kind: 'load', side: 'service', corpusPath: options.corpusPath, scale: options.scale }) };
    const snapshot = await measureSnapshots(workers);
    for (const side of sides) await workers[side].call({ kind: 'warmup', queries: QUERY_TYPES.flatMap((type) => warmup[type]) });

    const batches: Record<Side, Record<QueryType, QueryBatch[]>> = { plain: emptyBatches(), service: emptyBatches() };
    for (const type of QUERY_TYPES) {
      log(`queries: ${queries[type].length} ${type}, both sides in turn`);
      for (let start = 0, turn = 0; start < queries[type].length; start += BATCH_SIZE, turn++) {
        const batch = queries[type].slice(start, start + BATCH_SIZE);
        // Who goes first alternates too: neither side always runs right after the other.
        for (const side of turn % 2 === 0 ? sides : ([...sides].reverse() as Side[])) {
          batches[side][type].push(await workers[side].call({ kind: 'queries', queries: batch, collectFirst: start === 0 }));
        }
      }
    }
    const heapAfter = { plain: await workers.plain.call({ kind: 'heap' }), service: await workers.service.call({ kind: 'heap' }) };
    await workers.plain.call({ kind: 'stop' });

    const result = (side: Side): SideResult => ({ side, ...loaded[side], heapAfterQueriesBytes: heapAfter[side], snapshot: snapshot[side], latency: latencies(batches[side]) });
    const url = await workers.service.call({ kind: 'serve' });
    log(`http: ${options.connections} connections for ${options.seconds} s on ${url}`);
    let http: HttpResult | { error: string };
    try {
      http = await loadTest({ url, paths: httpPaths(queries), seconds: options.seconds, connections: options.connections });
    } catch (error) {
      http = { error: messageOf(error) };
    }
    await workers.service.call({ kind: 'stop' });

    const operations = await runEmbeddedOperations({
      corpusPath: options.corpusPath,
      base,
      scale: options.scale,
      seconds: options.seconds,
      word: queries.term[0]?.words[0] ?? '',
      startWorker: (side) => startWorker(side, log),
      log,
    });
    let copies: CopiesResult | { error: string };
    try {
      copies = await measureCopies({ corpusPath: options.corpusPath, scale: options.scale, base, startWorker: (side) => startWorker(side, log), log });
    } catch (error) {
      copies = { error: messageOf(error) };
    }
    const corpus = { file: base.file, scale: options.scale, articles: loaded.service.articles, paragraphs: loaded.service.paragraphs };
    return { machine: machineInfo(), corpus, queriesPerType: options.queries, warmupPerType, seed: options.seed, service: result('service'), plain: result('plain'), http, operations, copies };
  } finally {
    for (const side of sides) workers[side].kill();
  }
}

/** The measured and the warm-up queries, drawn from the corpus read once (×1, whatever the scale). */
export async function drawQueries(options: BenchOptions, log: (line: string) => void): Promise<{ base: BenchCorpus; queries: QuerySet; warmup: QuerySet; warmupPerType: number }> {
  log(`reading ${options.corpusPath} to draw queries`);
  const base = await loadCorpus(options.corpusPath, 1);
  const texts = paragraphTexts(base.articles);
  const warmupPerType = Math.max(MIN_WARMUP, Math.round(options.queries * WARMUP_SHARE));
  const queries = generateQueries(texts, { seed: options.seed, perType: options.queries });
  const warmup = generateQueries(texts, { seed: options.seed + WARMUP_SEED_OFFSET, perType: warmupPerType });
  return { base, queries, warmup, warmupPerType };
}

/** Saves a snapshot on each side, then loads them in turn, {@link SNAPSHOT_LOADS} times each. */
async function measureSnapshots(workers: Record<Side, Worker>): Promise<Record<Side, SnapshotResult>> {
  const saved = { plain: await workers.plain.call({ kind: 'save' }), service: await workers.service.call({ kind: 'save' }) };
  const loads: Record<Side, number[]> = { plain: [], service: [] };
  for (let run = 0; run < SNAPSHOT_LOADS; run++) {
    for (const side of ['plain', 'service'] as const) if (saved[side].ok) loads[side].push(await workers[side].call({ kind: 'loadSnapshot' }));
  }
  for (const side of ['plain', 'service'] as const) await workers[side].call({ kind: 'discardSnapshot' });
  const result = (side: Side): SnapshotResult => {
    const save = saved[side];
    return save.ok ? { ok: true, bytes: save.bytes, saveMs: save.saveMs, loadMs: median(loads[side]), loads: loads[side].length } : save;
  };
  return { plain: result('plain'), service: result('service') };
}

export function emptyBatches(): Record<QueryType, QueryBatch[]> {
  return Object.fromEntries(QUERY_TYPES.map((type) => [type, []])) as unknown as Record<QueryType, QueryBatch[]>;
}

export function latencies(batches: Record<QueryType, QueryBatch[]>): Record<QueryType, TypeLatency> {
  return Object.fromEntries(QUERY_TYPES.map((type) => [type, mergeBatches(batches[type])])) as Record<QueryType, TypeLatency>;
}

/** The `/search` paths of the load test: the term and two-term queries, interleaved. */
export function httpPaths(queries: QuerySet): string[] {
  const paths: string[] = [];
  const longest = Math.max(queries.term.length, queries['two terms'].length);
  for (let index = 0; index < longest; index++) {
    for (const query of [queries.term[index], queries['two terms'][index]]) if (query !== undefined) paths.push(searchPath(serviceSyntax(query)));
  }
  return paths;
}

/** The search paths of every query of every type, the types in turn (the first of each type, then the second of each, …). */
export function everyTypePaths(queries: QuerySet): string[] {
  const paths: string[] = [];
  const longest = Math.max(...QUERY_TYPES.map((type) => queries[type].length));
  for (let index = 0; index < longest; index++) {
    for (const type of QUERY_TYPES) {
      const query = queries[type][index];
      if (query !== undefined) paths.push(searchPath(serviceSyntax(query)));
    }
  }
  return paths;
}

/** Starts a worker process for `side` (TypeScript through tsx, GC exposed, a large heap). */
export function startWorker(side: WorkerSide, log: (line: string) => void): Worker {
  const child: ChildProcess = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], {
    execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc', `--max-old-space-size=${WORKER_HEAP_MB}`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  let ended: Error | undefined;
  const settle = (outcome: { value: unknown } | { error: Error }) => {
    const waiting = pending;
    pending = undefined;
    if (waiting === undefined) return;
    if ('error' in outcome) waiting.reject(outcome.error);
    else waiting.resolve(outcome.value);
  };
  child.on('message', (message: WorkerMessage) => {
    if (message.kind === 'progress') log(message.text);
    else if (message.kind === 'reply') settle({ value: message.value });
    else settle({ error: new Error(`the ${side} worker failed: ${message.message}`) });
  });
  child.on('error', (error) => settle({ error }));
  child.on('exit', (code, signal) => {
    ended = new Error(`the ${side} worker exited (${signal ?? `code ${code}`})`);
    settle({ error: ended });
  });
  return {
    call<K extends Command['kind']>(command: Extract<Command, { kind: K }>): Promise<Replies[K]> {
      if (ended !== undefined) return Promise.reject(ended);
      if (pending !== undefined) return Promise.reject(new Error(`the ${side} worker is busy`));
      return new Promise<Replies[K]>((resolve, reject) => {
        pending = { resolve: resolve as (value: unknown) => void, reject };
        child.send(command);
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
