/**
 * @module backends/embedded/serial-queue
 * Runs async tasks one at a time, in arrival order: concurrent writes are serialized, while
 * reads (searches) never wait on it.
 */

/** A queue that runs each task after the previous one settled. */
export type SerialQueue = {
  /** Runs `task` after every task queued before it; resolves or rejects with its outcome. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void>;
};

/**
 * Creates a serial queue.
 *
 * @example
 * const writes = createSerialQueue();
 * await writes.run(() => writeArticle(article));
 */
export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task, task);
      tail = result.catch(() => undefined);
      return result;
    },
    idle: () => tail.then(() => undefined),
  };
}
