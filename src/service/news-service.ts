/**
 * @module service/news-service
 * The service the HTTP server and the CLI share: searches over the current library, and writes
 * that are serialized, durable before they are acknowledged, and followed by a background
 * snapshot. It also follows changes made to `corpus/` by hand or by another process.
 */
import type { Article } from '../ingest/article.ts';
import { libraryCounts, type Library } from '../backends/embedded/library.ts';
import { saveSnapshot, type Manifest } from '../backends/embedded/snapshot.ts';
import { fold } from '../text/analyzer.ts';
import { addArticles, removeArticle, stateFingerprint, type ArticleResult, type CorpusState } from '../backends/embedded/corpus-writer.ts';
import { syncCorpus, type SyncOutcome } from '../backends/embedded/corpus-sync.ts';
import { search, type SearchParams, type SearchResponse } from './search-service.ts';
import { createSerialQueue } from '../backends/embedded/serial-queue.ts';
import { createSnapshotScheduler } from '../backends/embedded/snapshot-scheduler.ts';
import { watchCorpus } from '../backends/embedded/corpus-watcher.ts';
import { indexFailure, type IndexState } from '../backends/embedded/open-library.ts';

/** Most completions `/suggest` returns (SPEC §5). */
const MAX_SUGGESTIONS = 10;
/** Matches the last word of a partly typed query (what `/suggest` completes). */
const LAST_WORD_RE = /[\p{L}\p{N}\p{M}]+$/u;

/** The counts of `/stats`. */
export type Stats = {
  articles: number;
  paragraphs: number;
  terms: number;
  sources: Record<string, number>;
  snapshot: { bytes: number; createdAt: string } | null;
  /** Whether `index/` holds the library as it is; when not, why (the service runs from `corpus/` all the same). */
  index: IndexState;
};

/** The operations of the service. */
export interface NewsService {
  /** Ranked search (SPEC §4–§5). */
  search(q: string, params?: SearchParams): SearchResponse;
  /** An article by id, or `undefined`. */
  getArticle(id: string): Article | undefined;
  /** Up to 10 completions of the last word of `q`, most frequent first. */
  suggest(q: string): string[];
  /** Counts of articles, paragraphs, terms and sources, and the snapshot's size and time. */
  stats(): Stats;
  /** Adds or replaces validated articles; resolves once they are on disk and searchable. */
  ingest(articles: readonly Article[]): Promise<ArticleResult[]>;
  /** Removes an article; resolves false when it is unknown. */
  remove(id: string): Promise<boolean>;
  /** Picks up corpus files changed outside the service: all of them, or those at `paths`. */
  sync(paths?: Iterable<string>): Promise<SyncOutcome>;
  /** Stops following the corpus and saves the snapshot if anything changed. */
  close(): Promise<void>;
}

/** What the service is made of. */
export type NewsServiceOptions = {
  state: CorpusState;
  /** Where snapshots are saved; without it, nothing is saved (tests, one-off commands). */
  indexDir?: string | undefined;
  /** The manifest of the snapshot the library was loaded from or saved to, if any. */
  manifest?: Manifest | undefined;
  /** Whether the snapshot could be saved at start (default: yes). */
  index?: IndexState | undefined;
  /** Quiet time after a change before the snapshot is saved. */
  snapshotDelayMs?: number;
  /** Whether `corpus/` is watched for outside changes (`fs.watch`, plus a scan every `scanIntervalMs`). */
  watch?: boolean;
  /** How often the whole of `corpus/` is scanned while watched (the watcher's fallback); 0: never. */
  scanIntervalMs?: number;
  log?: (message: string) => void;
};

/** Default quiet time before a background snapshot: a burst of ingests costs one save. */
const SNAPSHOT_DELAY_MS = 1000;
/**
 * Default interval of the full corpus scan behind the watcher: the watcher picks up a change
 * within a fraction of a second; the scan only catches what it misses, so it can be rare (a
 * scan of 19,000 files costs about 0.1 s of CPU).
 */
export const SCAN_INTERVAL_MS = 30_000;

/**
 * Creates the service.
 *
 * @example
 * const service = createNewsService({ state: createCorpusState(library, 'corpus', files) });
 * service.search('ceasefire').total
 */
export function createNewsService(options: NewsServiceOptions): NewsService {
  const { state, indexDir, snapshotDelayMs = SNAPSHOT_DELAY_MS, watch = false, scanIntervalMs = SCAN_INTERVAL_MS, log = () => {} } = options;
  const library: Library = state.library;
  let manifest = options.manifest;
  let index: IndexState = indexDir === undefined ? { persisted: false, reason: 'no index folder: nothing is saved' } : (options.index ?? { persisted: true });
  const writes = createSerialQueue();
  const snapshots = createSnapshotScheduler({
    delayMs: snapshotDelayMs,
    log,
    save: async () => {
      if (indexDir === undefined) return;
      try {
        // Taken inside the write queue so the snapshot matches the fingerprint it records.
        manifest = await writes.run(() => saveSnapshot(indexDir, library, stateFingerprint(state)));
        index = { persisted: true };
      } catch (error) {
        index = { persisted: false, reason: indexFailure(error) };
        throw error;
      }
    },
  });

  const sync = (paths?: Iterable<string>): Promise<SyncOutcome> =>
    writes.run(async () => {
      const outcome = await syncCorpus(state, paths === undefined ? {} : { paths });
      for (const problem of outcome.problems) log(`skipped ${problem}`);
      if (outcome.filesRead + outcome.filesRemoved > 0) snapshots.changed();
      return outcome;
    });

  const watcher = watch ? watchCorpus({ dir: state.corpusDir, scanIntervalMs, log, onChange: (change) => sync(change === 'all' ? undefined : change) }) : undefined;

  return {
    search: (q, params) => search(library, q, params),
    getArticle: (id) => library.articles.get(id)?.article,
    suggest(q) {
      const word = LAST_WORD_RE.exec(q.trim())?.[0];
      if (word === undefined) return [];
      return library.engine.completions(fold(word), MAX_SUGGESTIONS).map((entry) => entry.term);
    },
    stats() {
      return {
        ...libraryCounts(library),
        snapshot: manifest === undefined ? null : { bytes: manifest.bytes, createdAt: manifest.createdAt },
        // Not saved yet after changes is not "not persisted": the corpus holds them, the save follows.
        index,
      };
    },
    async ingest(articles) {
      const results = await writes.run(() => addArticles(state, articles));
      if (results.some((result) => result.status !== 'unchanged')) snapshots.changed();
      return results;
    },
    async remove(id) {
      const removed = await writes.run(() => removeArticle(state, id));
      if (removed) snapshots.changed();
      return removed;
    },
    sync,
    async close() {
      watcher?.close();
      snapshots.stop();
      await writes.idle();
      await snapshots.flush();
    },
  };
}
