/**
 * @module backends/embedded/group-commit
 * Group commit: batches submitted while the write queue is busy are written together, in the
 * order they came, as one batch (one round of flushes for many requests) — as databases do with
 * their log. Each submitter gets the results of its own items; a failure of the group is the
 * failure of each of its batches, none of which was written.
 */
import type { SerialQueue } from './serial-queue.ts';

/** Submits batches to be committed with whatever else is waiting. */
export type GroupCommit<I, O> = { submit(batch: readonly I[]): Promise<O[]> };

/**
 * Creates a group commit over `queue`: `commit` receives the items of every batch waiting, in
 * order, and returns one result per item.
 *
 * @example
 * const puts = createGroupCommit(writes, (articles) => addArticles(state, articles));
 * const results = await puts.submit([article]);
 */
export function createGroupCommit<I, O>(queue: SerialQueue, commit: (items: I[]) => Promise<O[]>): GroupCommit<I, O> {
  type Waiting = { batch: readonly I[]; resolve: (results: O[]) => void; reject: (error: unknown) => void };
  let waiting: Waiting[] = [];
  const run = async (): Promise<void> => {
    const group = waiting;
    waiting = [];
    try {
      const results = await commit(group.flatMap((entry) => entry.batch));
      let at = 0;
      for (const entry of group) {
        entry.resolve(results.slice(at, at + entry.batch.length));
        at += entry.batch.length;
      }
    } catch (error) {
      for (const entry of group) entry.reject(error);
    }
  };
  return {
    submit(batch) {
      return new Promise<O[]>((resolve, reject) => {
        waiting.push({ batch, resolve, reject });
        // The first batch of a group queues the commit; those arriving before it runs join it.
        if (waiting.length === 1) void queue.run(run);
      });
    },
  };
}
