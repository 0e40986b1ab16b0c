/**
 * @module service/corpus-watcher
 * Notices changes to `corpus/` made by hand or by another process: `fs.watch` reports the paths
 * that changed, within a fraction of a second and at no cost while nothing happens; a slow
 * periodic scan of the whole folder catches what a watcher can miss (a full event queue, a
 * file system that reports nothing, such as some network mounts).
 */
import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';
import { messageOf } from '../errors.ts';

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
  /** Whether `fs.watch` is active (false when unsupported or failed: the periodic scan remains). */
  readonly watching: boolean;
  /** Stops watching and scanning. */
  close(): void;
}

/** Default quiet time after an event before the sync: short, so pickup stays well under a second. */
const SETTLE_MS = 100;

/**
 * Starts watching `dir`.
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
  let watcher: FSWatcher | undefined;
  let closed = false;

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

  const startWatching = (): void => {
    if (options.watch === false || watcher !== undefined || closed) return;
    try {
      watcher = watch(dir, { recursive: true, persistent: false }, (_event, name) => {
        // No name: the platform does not say which file; look at everything.
        if (name === null) full = true;
        else pending.add(name.split(sep).join('/'));
        schedule();
      });
      watcher.on('error', (error: unknown) => {
        log(`corpus watcher stopped (${messageOf(error)}): changes are picked up by the scan every ${scanIntervalMs / 1000} s`);
        watcher?.close();
        watcher = undefined;
        full = true;
        schedule();
      });
    } catch (error) {
      log(`corpus watcher unavailable (${messageOf(error)}): changes are picked up by the scan every ${scanIntervalMs / 1000} s`);
      watcher = undefined;
    }
  };
  startWatching();

  let scan: NodeJS.Timeout | undefined;
  if (scanIntervalMs > 0) {
    scan = setInterval(() => {
      startWatching(); // a watcher that failed (the folder was missing, say) gets another chance
      full = true;
      schedule();
    }, scanIntervalMs);
    scan.unref();
  }

  return {
    get watching() {
      return watcher !== undefined;
    },
    close() {
      closed = true;
      watcher?.close();
      watcher = undefined;
      if (scan !== undefined) clearInterval(scan);
      if (settle !== undefined) clearTimeout(settle);
    },
  };
}
