/**
 * @module bench/session
 * What a worker does for the commands of `bench/protocol.ts`, for one side: read the corpus
 * and index it (ingest rate), settle the heap, save and load a snapshot, run batches of
 * queries. A full GC runs before each phase so that one phase's garbage is not collected on
 * the next one's clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Contender } from './contender.ts';
import { loadCorpus } from './corpus.ts';
import { settledHeapBytes, summarize, timed, timedAsync } from './measure.ts';
import type { Loaded, QueryBatch, Saved, TypeLatency } from './protocol.ts';
import type { BenchQuery } from './queries.ts';
import { messageOf } from '../errors.ts';

/** What a session needs from its process. */
export type SessionContext = {
  /** A full garbage collection (`global.gc` under `--expose-gc`). */
  collect: () => void;
  /** Reports what is going on (the parent prints it to stderr). */
  progress: (text: string) => void;
};

/** The phases one side goes through, in its own process. */
export type Session = {
  load(corpusPath: string, scale: number): Promise<Loaded>;
  /** Saves a snapshot into a temporary folder; a failure (too large for one string, say) is reported, not thrown. */
  save(): Promise<Saved>;
  /** Loads the saved snapshot as a cold start would; resolves to the milliseconds it took. */
  loadSnapshot(): Promise<number>;
  /** Removes the saved snapshot. */
  discardSnapshot(): Promise<void>;
  warmup(queries: readonly BenchQuery[]): void;
  run(queries: readonly BenchQuery[], collectFirst: boolean): QueryBatch;
  /** Bytes of heap over the baseline taken when the session was created. */
  heap(): number;
};

/** Creates a session for `contender`; the heap baseline is taken now, before any corpus is read. */
export function createSession(contender: Contender, context: SessionContext): Session {
  const { collect, progress } = context;
  const baseline = settledHeapBytes(collect);
  let snapshotDir: string | undefined;
  return {
    async load(corpusPath, scale) {
      progress(`${contender.side}: reading ${corpusPath} ×${scale}`);
      let corpus = await loadCorpus(corpusPath, scale);
      const articles = corpus.articles.length;
      const paragraphs = corpus.articles.reduce((sum, article) => sum + article.paragraphs.length, 0);
      collect();
      progress(`${contender.side}: indexing ${paragraphs} paragraphs`);
      const ingest = timed(() => contender.index(corpus.articles));
      // Drop our own references: what stays on the heap is what the side keeps to answer searches.
      corpus = { file: corpus.file, articles: [] };
      return { articles, paragraphs, ingestMs: ingest.ms, heapBytes: settledHeapBytes(collect) - baseline };
    },
    async save() {
      progress(`${contender.side}: saving a snapshot`);
      const dir = (snapshotDir ??= await mkdtemp(join(tmpdir(), `news-search-bench-${contender.side}-`)));
      collect();
      try {
        const saved = await timedAsync(() => contender.save(dir));
        return { ok: true, bytes: saved.value, saveMs: saved.ms };
      } catch (error) {
        // A snapshot too large for one JavaScript string fails here: a finding, reported in the table.
        return { ok: false, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
    },
    async loadSnapshot() {
      if (snapshotDir === undefined) throw new Error('no snapshot was saved');
      const dir = snapshotDir;
      collect();
      const loaded = await timedAsync(() => contender.load(dir));
      collect();
      return loaded.ms;
    },
    async discardSnapshot() {
      if (snapshotDir !== undefined) await rm(snapshotDir, { recursive: true, force: true });
      snapshotDir = undefined;
    },
    warmup(queries) {
      progress(`${contender.side}: warm-up, ${queries.length} queries`);
      for (const query of queries) {
        try {
          contender.search(query);
        } catch {
          // Counted when measured; the warm-up only warms.
        }
      }
    },
    run(queries, collectFirst) {
      if (collectFirst) collect();
      return runQueries(contender, queries);
    },
    heap: () => settledHeapBytes(collect) - baseline,
  };
}

/** Times each query as a caller would see it. */
export function runQueries(contender: Contender, queries: readonly BenchQuery[]): QueryBatch {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let matches = 0;
  const totals: Array<number | null> = [];
  for (const query of queries) {
    const started = performance.now();
    try {
      const total = contender.search(query);
      matches += total;
      totals.push(total);
    } catch (error) {
      errors++;
      firstError ??= `${query.words.join(' ')}: ${messageOf(error)}`;
      totals.push(null);
    }
    samples.push(performance.now() - started);
  }
  return { samples, errors, firstError, matches, totals };
}

/** The latency of a query type from its batches. */
export function mergeBatches(batches: readonly QueryBatch[]): TypeLatency {
  const samples = batches.flatMap((batch) => batch.samples);
  const errors = batches.reduce((sum, batch) => sum + batch.errors, 0);
  const matches = batches.reduce((sum, batch) => sum + batch.matches, 0);
  const firstError = batches.find((batch) => batch.firstError !== null)?.firstError ?? null;
  return { ...summarize(samples), errors, firstError, meanMatches: samples.length === 0 ? 0 : matches / samples.length };
}
