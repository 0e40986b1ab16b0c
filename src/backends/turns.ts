/**
 * @module backends/turns
 * One event loop, shared fairly: CPU work that could hold it up (a slice of a search, dressing
 * a page of hits) waits for its turn, and one piece runs per turn of the event loop, first come
 * first served. Between two pieces the event loop polls for I/O, so a write's next step, an
 * incoming request or a health check never waits for more than one piece of work.
 */

/**
 * Takes turns between pieces of work that pause: one piece runs per turn of the event loop,
 * first come first served, so that between two slices of searching the event loop handles what
 * is waiting (writes' I/O, new requests).
 */
export type Turns = {
  /** Resolves when it is the caller's turn; the caller works one slice, then asks again or stops. */
  next(): Promise<void>;
  /** Pieces waiting for a turn. */
  readonly waiting: number;
};

/**
 * Creates a turn-taker.
 *
 * @example
 * const turns = createTurns();
 * await turns.next(); // then work one slice
 */
export function createTurns(): Turns {
  const queue: Array<() => void> = [];
  let scheduled = false;
  const release = (): void => {
    scheduled = false;
    queue.shift()?.();
    // The next turn comes after the event loop has polled for I/O once more.
    if (queue.length > 0) schedule();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(release);
  };
  return {
    next() {
      return new Promise((resolve) => {
        queue.push(resolve);
        schedule();
      });
    },
    get waiting() {
      return queue.length;
    },
  };
}

/** The turns of this process's event loop: every search of every service in the process takes them. */
export const eventLoopTurns: Turns = createTurns();
