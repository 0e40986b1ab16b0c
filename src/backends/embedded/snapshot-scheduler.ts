/**
 * @module backends/embedded/snapshot-scheduler
 * Saves the snapshot in the background after changes: debounced (a burst of writes is one
 * save), never two saves at once, and flushable on shutdown.
 */
import { messageOf } from '../../errors.ts';

/** Schedules background saves. */
export type SnapshotScheduler = {
  /** Notes a change: a save follows within `delayMs`. */
  changed(): void;
  /** Saves now if anything changed since the last save; resolves when saved. */
  flush(): Promise<void>;
  /** Stops the timer (pending changes are kept for a final `flush`). */
  stop(): void;
  /** True while a change is not yet in a saved snapshot: waiting for its save, being saved, or after a failed save. */
  pending(): boolean;
};

/** What the scheduler calls and when. */
export type SnapshotSchedulerOptions = {
  save: () => Promise<void>;
  /** Quiet time after the last change before saving. */
  delayMs: number;
  /** Receives a line when a background save fails (the next change retries). */
  log: (message: string) => void;
};

/**
 * Creates a scheduler.
 *
 * @example
 * const snapshots = createSnapshotScheduler({ save, delayMs: 1000, log });
 * snapshots.changed();
 */
export function createSnapshotScheduler(options: SnapshotSchedulerOptions): SnapshotScheduler {
  const { save, delayMs, log } = options;
  let dirty = false;
  let saving = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const saveNow = (): Promise<void> => {
    running = running.then(async () => {
      if (!dirty) return;
      dirty = false;
      saving = true;
      try {
        await save();
      } catch (error) {
        dirty = true;
        log(`snapshot save failed: ${messageOf(error)}`);
      } finally {
        saving = false;
      }
    });
    return running;
  };

  return {
    changed() {
      dirty = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        void saveNow();
      }, delayMs);
      timer.unref();
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      return saveNow();
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    pending: () => dirty || saving,
  };
}
