/**
 * @module backends/embedded/embedded-backend
 * The embedded backend (SPEC §9): MiniSearch in this process over the library, `corpus/` files as
 * the store of record, a snapshot in `index/`. Writes are serialized, durable before they are
 * acknowledged, and followed by a background snapshot; changes made to `corpus/` by hand or by
 * another process are followed too.
 */
import type { Article } from '../../ingest/article.ts';
import { messageOf } from '../../errors.ts';
import type { BackendSearch, SearchBackend } from '../backend.ts';
import { addArticles, checkNewArticles, removeArticle, stateFingerprint, type CheckedArticle, type CorpusState } from './corpus-writer.ts';
import { createGroupCommit } from './group-commit.ts';
import { syncCorpus, type SyncOutcome } from './corpus-sync.ts';
import { watchCorpus } from './corpus-watcher.ts';
import { searchInSlices, SEARCH_SLICE_MS, type SearchOutcome } from './execute.ts';
import { runInTurns } from '../pace.ts';
import { articleCopies, libraryCounts, type Library } from './library.ts';
import { indexFailure, type IndexState } from './open-library.ts';
import { createSerialQueue } from './serial-queue.ts';
import { eventLoopTurns } from '../turns.ts';
import { saveSnapshot, SnapshotOutdated, type Manifest } from './snapshot.ts';
import { createSnapshotScheduler } from './snapshot-scheduler.ts';

/** What the embedded backend is made of. */
export type EmbeddedBackendOptions = {
  state: CorpusState;
  /** Where snapshots are saved; without it, nothing is saved (tests, one-off commands). */
  indexDir?: string | undefined;
  /** The manifest of the snapshot the library was loaded from or saved to, if any. */
  manifest?: Manifest | undefined;
  /** Whether the snapshot could be saved at start (default: yes). */
  index?: IndexState | undefined;
  /**
   * The library was rebuilt and its snapshot not saved yet (`openLibrary`'s `deferSave`): it is
   * saved at once, in the background, while searches are answered. Until then `index` says why
   * it is not persisted; if the save fails, the log says so and the next start rebuilds.
   */
  unsaved?: boolean;
  /** Quiet time after a change before the snapshot is saved. */
  snapshotDelayMs?: number;
  /**
   * Whether to build, in the background, what prefix and fuzzy lookups need (a server: its first
   * such query then finds it ready). A one-off command does without: it would only delay its exit.
   */
  prepareInBackground?: boolean;
  /** Whether `corpus/` is watched for outside changes (`fs.watch`, plus a scan every `scanIntervalMs`). */
  watch?: boolean;
  /** How often the whole of `corpus/` is scanned while watched (the watcher's fallback); 0: never. */
  scanIntervalMs?: number;
  log?: (message: string) => void;
};

/** The embedded backend, with what only it can do: follow `corpus/`, and show its library (benchmarks, tests). */
export interface EmbeddedBackend extends SearchBackend {
  readonly library: Library;
  /** Picks up corpus files changed outside the service: all of them, or those at `paths`. */
  sync(paths?: Iterable<string>): Promise<SyncOutcome>;
}

/** Default quiet time before a background snapshot: a burst of ingests costs one save. */
const SNAPSHOT_DELAY_MS = 1000;
/**
 * Default interval of the full corpus scan behind the watcher: the watcher picks up a change
 * within a fraction of a second; the scan only catches what it misses, so it can be rare (a
 * scan of 19,000 files costs about 0.1 s of CPU).
 */
export const SCAN_INTERVAL_MS = 30_000;

/**
 * Creates the embedded backend over an opened library.
 *
 * @example
 * const opened = await openLibrary({ corpusDir, indexDir });
 * const backend = createEmbeddedBackend({ state: createCorpusState(opened.library, corpusDir, opened.files), indexDir });
 */
export function createEmbeddedBackend(options: EmbeddedBackendOptions): EmbeddedBackend {
  const { state, indexDir, snapshotDelayMs = SNAPSHOT_DELAY_MS, watch = false, scanIntervalMs = SCAN_INTERVAL_MS, log = () => {} } = options;
  const library: Library = state.library;
  let manifest = options.manifest;
  let index: IndexState = indexDir === undefined ? { persisted: false, reason: 'no index folder: nothing is saved' } : (options.index ?? { persisted: true });
  const writes = createSerialQueue();
  // Batches arriving while a write runs are written together after it: one round of flushes.
  const puts = createGroupCommit(writes, (checked: CheckedArticle[]) => addArticles(state, checked.map(({ article }) => article), { checked }));
  const snapshots = createSnapshotScheduler({
    delayMs: snapshotDelayMs,
    log,
    save: async () => {
      if (indexDir === undefined) return;
      try {
        // The state is read inside the write queue, so the snapshot matches the fingerprint it
        // records; the save itself runs outside it, so writes never wait for a save: one that
        // changes the library makes the save stop (its own change schedules the next).
        const start = await writes.run(async () => ({ version: library.engine.version, fingerprint: stateFingerprint(state) }));
        manifest = await saveSnapshot(indexDir, library, start.fingerprint, () => library.engine.version === start.version);
        index = { persisted: true };
      } catch (error) {
        if (error instanceof SnapshotOutdated) return;
        index = { persisted: false, reason: indexFailure(error) };
        if (manifest === undefined) log(`index not saved in ${indexDir} (${messageOf(error)}): serving from ${state.corpusDir}; the next start rebuilds the index`);
        throw error;
      }
    },
  });
  if (options.unsaved === true && indexDir !== undefined) {
    snapshots.changed();
    void snapshots.flush();
  }

  const sync = (paths?: Iterable<string>): Promise<SyncOutcome> =>
    writes.run(async () => {
      const outcome = await syncCorpus(state, paths === undefined ? {} : { paths });
      for (const problem of outcome.problems) log(`skipped ${problem}`);
      if (outcome.filesRead + outcome.filesRemoved > 0) snapshots.changed();
      return outcome;
    });

  // Prefix, fuzzy and suggestion lookups need the vocabulary's radix tree: built in the background, behind any search.
  if (options.prepareInBackground === true) {
    void runInTurns((pace) => library.engine.warmUp(pace), eventLoopTurns, { sliceMs: SEARCH_SLICE_MS, kind: 'resumed' }).catch((error: unknown) => log(`could not prepare the vocabulary: ${messageOf(error)}`));
    // So is the LSH index of copy detection, for the articles of a snapshot (the next write finishes it otherwise).
    void runInTurns((pace) => library.copies.indexSteps(pace), eventLoopTurns, { sliceMs: SEARCH_SLICE_MS, kind: 'resumed' }).catch((error: unknown) => log(`could not index the copy prints: ${messageOf(error)}`));
  }

  const watcher = watch ? watchCorpus({ dir: state.corpusDir, scanIntervalMs, log, onChange: (change) => sync(change === 'all' ? undefined : change) }) : undefined;

  return {
    library,
    sync,
    search: async (query, request) => toBackendSearch(await searchInSlices(library, query, request, { turns: eventLoopTurns })),
    getArticle: async (id) => library.articles.get(id)?.article,
    async copyClusters(ids) {
      const clusters = new Map<string, string | null>();
      for (const id of ids) {
        const copies = articleCopies(library, id);
        if (copies !== undefined) clusters.set(id, copies.copyOf);
      }
      return clusters;
    },
    copiesOf: async (id) => articleCopies(library, id),
    async putArticles(articles: readonly Article[]) {
      const results = await puts.submit(await checkNewArticles(state, articles));
      if (results.some((result) => result.status !== 'unchanged')) snapshots.changed();
      return results;
    },
    async deleteArticle(id) {
      const removed = await writes.run(() => removeArticle(state, id));
      if (removed) snapshots.changed();
      return removed;
    },
    suggest: async (prefix, limit) => library.engine.completions(prefix, limit).map((entry) => entry.term),
    async stats() {
      return {
        ...libraryCounts(library),
        backend: {
          name: 'embedded',
          snapshot: manifest === undefined ? null : { bytes: manifest.bytes, createdAt: manifest.createdAt },
          // Not saved yet after changes is not "not persisted": the corpus holds them, the save follows.
          index,
        },
      };
    },
    async metrics() {
      return {
        name: 'embedded',
        articles: library.articles.size,
        paragraphs: library.engine.stats().paragraphs,
        snapshot: {
          saved: manifest === undefined ? null : { bytes: manifest.bytes, at: Date.parse(manifest.createdAt) },
          persisted: index.persisted,
          pending: snapshots.pending(),
        },
      };
    },
    async close() {
      watcher?.close();
      snapshots.stop();
      await writes.idle();
      await snapshots.flush();
    },
  };
}

/** An outcome of {@link executeSearch} in the backend-neutral shape. */
export function toBackendSearch(outcome: SearchOutcome): BackendSearch {
  return {
    total: outcome.total,
    relaxed: outcome.relaxed,
    facets: outcome.facets,
    expansions: outcome.expansions,
    hits: outcome.page.map((ranked) => ({
      article: ranked.stored.article,
      index: ranked.index,
      score: ranked.score,
      textMatched: ranked.textMatched,
      key: ranked.key,
      ...(ranked.matchingParagraphs === undefined ? {} : { matchingParagraphs: ranked.matchingParagraphs }),
      ...(ranked.copies === undefined ? {} : { copies: ranked.copies }),
    })),
  };
}
