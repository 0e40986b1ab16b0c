/**
 * @module bench/protocol
 * The commands the benchmark's parent sends to its workers (one child process per side, so the
 * two heaps never mix) and their replies, over Node's IPC channel. The parent sends one command
 * at a time and waits for its reply, alternating between the sides so that a change in the
 * machine's load hits both alike.
 */
import type { Side } from './contender.ts';
import type { Distribution } from './measure.ts';
import type { BenchQuery, QueryType } from './queries.ts';
import type { FtsBuilt } from './sqlite.ts';
import type { CopyClustersCount } from './service.ts';

/** What loading and indexing the corpus measured. */
export type Loaded = { articles: number; paragraphs: number; ingestMs: number; heapBytes: number };

/** A snapshot's size and timings, or why it could not be made. */
export type SnapshotResult = { ok: true; bytes: number; saveMs: number; loadMs: number; loads: number } | { ok: false; reason: string };

/** A saved snapshot, or why it could not be saved. */
export type Saved = { ok: true; bytes: number; saveMs: number } | { ok: false; reason: string };

/**
 * One batch of timed queries. A query that throws (the service refusing it) is an error, its time
 * still counted. `totals` holds each query's count of matches in order, `null` for a refused one.
 */
export type QueryBatch = { samples: number[]; errors: number; firstError: string | null; matches: number; totals: Array<number | null> };

/** What importing the corpus into the PostgreSQL backend measured: `orderMs`, the time ordering its posting blocks took afterwards (null: not run, the import wrote under a tenth of the archive, as `npm run import`). */
export type Imported = { articles: number; paragraphs: number; importMs: number; batches: number; unchanged: number; orderMs: number | null };

/** A worker's memory after a full GC: V8's live heap and the process's resident set. */
export type Memory = { heapBytes: number; rssBytes: number };

/** Which process a worker is: one of the two sides of the embedded benchmark, the PostgreSQL backend's client, or SQLite FTS5. */
export type WorkerSide = Side | 'postgres' | 'sqlite';

/** A command to a worker; `Replies[kind]` is what it answers. */
export type Command =
  | { kind: 'load'; side: Side; corpusPath: string; scale: number; detectsCopies?: boolean }
  | { kind: 'copyClusters' }
  | { kind: 'save' }
  | { kind: 'loadSnapshot' }
  | { kind: 'discardSnapshot' }
  | { kind: 'warmup'; queries: BenchQuery[] }
  | { kind: 'queries'; queries: BenchQuery[]; collectFirst: boolean }
  | { kind: 'heap' }
  | { kind: 'import'; corpusPath: string; scale: number; url: string; batchSize: number }
  | { kind: 'memory' }
  | { kind: 'serve' }
  | { kind: 'ftsBuild'; corpusPath: string; scale: number }
  | { kind: 'ftsReopen'; word: string }
  | { kind: 'stop' };

/** The reply to each command. */
export type Replies = {
  load: Loaded;
  save: Saved;
  /** Milliseconds the load took (it fails only if the saved snapshot does not load back). */
  loadSnapshot: number;
  discardSnapshot: null;
  warmup: null;
  queries: QueryBatch;
  /** Bytes of heap over the worker's baseline, after a full GC. */
  heap: number;
  import: Imported;
  memory: Memory;
  /** The URL the service side serves on. */
  serve: string;
  ftsBuild: FtsBuilt;
  /** Milliseconds from opening the SQLite file to the first query's rows. */
  ftsReopen: number;
  /** The copy clusters the service side found. */
  copyClusters: CopyClustersCount;
  stop: null;
};

/** Messages from a worker to the parent. */
export type WorkerMessage = { kind: 'reply'; value: Replies[keyof Replies] } | { kind: 'progress'; text: string } | { kind: 'failed'; message: string };

/** Latencies of one query type, and how many paragraphs the queries matched on average. */
export type TypeLatency = Distribution & { errors: number; firstError: string | null; meanMatches: number };

/** What one side measured. */
export type SideResult = Loaded & {
  side: Side;
  /** Heap once the queries ran: the service caches term ids of articles it verified phrases in. */
  heapAfterQueriesBytes: number;
  snapshot: SnapshotResult;
  latency: Record<QueryType, TypeLatency>;
};
