/**
 * @module backends/embedded/corpus-watcher
 * Notices changes to `corpus/` made by hand or by another process: `fs.watch` on each folder
 * reports the paths that changed, within a fraction of a second and at no cost while nothing
 * happens; a slow periodic scan of the whole corpus catches what watching can miss (a full
 * event queue, a file system that reports nothing, such as some network mounts).
 *
 * One watch per folder, not Node's `recursive` option: on Linux, Node 20 implements that with a
 * watch per file and reads the whole folder again on every event, which made each write to a
 * corpus of 19,000 files cost a listing (8 writes a second instead of 150).
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { messageOf } from '../../errors.ts';

/** What changed: some paths (relative to the folder, with `/`), or `'all'` for a full scan. */
export type CorpusChange = ReadonlySet<string> | 'all';

/** How the folder is watched. */
export type CorpusWatcherOptions = {
  dir: string;
  /** Called with what changed; never twice at once (a call waits for the previous one to settle). */
  onChange: (change: CorpusChange) => Promise<unknown>;
  /** Whether to use `fs.watch` (default true). */
  watch?: boolean;
  /** How often the whole folder is scanned anyway; 0: never. */
  scanIntervalMs: number;
  /** Quiet time after an event before the paths gathered are looked at: a copy of many files is one sync. */
  settleMs?: number;
  log?: (message: string) => void;
};

/** A running watcher. */
export interface CorpusWatcher {
  /** Whether `fs.watch` is active on the corpus folder (false when unsupported or failed: the periodic scan remains). */
  readonly watching: boolean;
  /** Stops watching and scanning. */
  close(): void;
}

/** Default quiet time after an event before the sync: short, so pickup stays well under a second. */
const SETTLE_MS = 100;

/**
 * Starts watching `dir` and its folders (hidden ones aside, as the corpus listing skips them).
 *
 * @example
 * const watcher = watchCorpus({ dir: 'corpus', scanIntervalMs: 30_000, onChange: (change) => service.sync(change) });
 */
export function watchCorpus(options: CorpusWatcherOptions): CorpusWatcher {
  const { dir, onChange, scanIntervalMs, settleMs = SETTLE_MS, log = () => {} } = options;
  let pending = new Set<string>();
  let full = false;
  let settle: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  /** Watches by folder, relative to `dir` ('' for `dir` itself). */
  const folders = new Map<string, FSWatcher>();

  const flush = (): void => {
    settle = undefined;
    const change: CorpusChange = full ? 'all' : pending;
    pending = new Set();
    full = false;
    running = running.then(() => (closed ? undefined : onChange(change).then(() => undefined, (error: unknown) => log(`corpus check failed: ${messageOf(error)}`))));
  };
  const schedule = (): void => {
    if (settle === undefined && !closed) {
      settle = setTimeout(flush, settleMs);
      settle.unref();
    }
  };
  const scanAll = (): void => {
    full = true;
    schedule();
  };

  const unwatch = (folder: string): void => {
    for (const [path, watcher] of folders) {
      if (path === folder || path.startsWith(`${folder}/`) || folder === '') {
        watcher.close();
        folders.delete(path);
      }
    }
  };

  const watchFolder = (folder: string): void => {
    if (folders.has(folder) || closed) return;
    const watcher = watch(folder === '' ? dir : join(dir, folder), { persistent: false }, (event, name) => {
      // No name: the platform does not say which file; look at everything.
      if (name === null) return scanAll();
      const path = folder === '' ? name : `${folder}/${name}`;
      pending.add(path);
      schedule();
      if (event === 'rename' && !name.startsWith('.')) {
        // A folder made or moved in: watch it, and list everything (files may have come before the watch).
        const info = statSync(join(dir, path), { throwIfNoEntry: false });
        if (info?.isDirectory() === true) {
          void watchTree(path).then(scanAll);
        } else if (info === undefined && folders.has(path)) {
          unwatch(path);
        }
      }
    });
    watcher.on('error', (error: unknown) => {
      unwatch(folder);
      if (folder === '') log(`corpus watcher stopped (${messageOf(error)}): changes are picked up by the scan every ${scanIntervalMs / 1000} s`);
      scanAll();
    });
    folders.set(folder, watcher);
  };

  /** Watches `folder` and every folder under it; a failure leaves it to the periodic scan. */
  const watchTree = async (folder: string): Promise<void> => {
    try {
      watchFolder(folder);
      const absolute = folder === '' ? dir : join(dir, folder);
      for (const entry of await readdir(absolute, { recursive: true, withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
        if (!path.split('/').some((part) => part.startsWith('.'))) watchFolder(path);
      }
    } catch (error) {
      if (folder === '') {
        log(`corpus watcher unavailable (${messageOf(error)}): changes are picked up by the scan every ${scanIntervalMs / 1000} s`);
        unwatch('');
      }
    }
  };

  const start = (): void => {
    if (options.watch === false || folders.has('') || closed) return;
    // Once watching, one full look: a change between the start-up listing and the watch is not lost.
    void watchTree('').then(() => {
      if (folders.has('')) scanAll();
    });
  };
  start();

  let scan: NodeJS.Timeout | undefined;
  if (scanIntervalMs > 0) {
    scan = setInterval(() => {
      start(); // a watcher that failed (the folder was missing, say) gets another chance
      scanAll();
    }, scanIntervalMs);
    scan.unref();
  }

  return {
    get watching() {
      return folders.has('');
    },
    close() {
      closed = true;
      unwatch('');
      if (scan !== undefined) clearInterval(scan);
      if (settle !== undefined) clearTimeout(settle);
    },
  };
}
