/**
 * @module backends/turns
 * One event loop, shared fairly: CPU work that could hold it up (a slice of a search, dressing
 * a page of hits) waits for its turn, and one piece runs per turn of the event loop. Between two
 * pieces the event loop polls for I/O, so a write's next step, an incoming request or a health
 * check never waits for more than one piece of work.
 *
 * Work that has just arrived goes before work resuming after a pause (a search that already
 * used a whole slice is a long one), as a scheduler favours short jobs: a trivial search issued
 * while a long query runs waits for one slice of it, not for one slice per turn it takes. So
 * that a stream of short work cannot stall the long, every {@link RESUMED_EVERY}th turn goes to
 * resumed work when some waits.
 */

/** Work just arriving (`fresh`) or resuming after a pause (`resumed`): fresh work goes first. */
export type TurnKind = 'fresh' | 'resumed';

/**
 * Takes turns between pieces of work that pause: one piece runs per turn of the event loop,
 * first come first served within each kind, so that between two slices of searching the event
 * loop handles what is waiting (writes' I/O, new requests).
 */
export type Turns = {
  /** Resolves when it is the caller's turn; the caller works one slice, then asks again or stops. */
  next(kind?: TurnKind): Promise<void>;
  /** Pieces waiting for a turn. */
  readonly waiting: number;
};

/** Resumed work gets at least one turn in this many while it waits. */
export const RESUMED_EVERY = 4;

/**
 * Creates a turn-taker.
 *
 * @example
 * const turns = createTurns();
 * await turns.next();          // then work one slice
 * await turns.next('resumed'); // then the next one
 */
export function createTurns(): Turns {
  const fresh: Array<() => void> = [];
  const resumed: Array<() => void> = [];
  /** Turns given to fresh work since resumed work last had one. */
  let freshInARow = 0;
  let scheduled = false;
  const release = (): void => {
    scheduled = false;
    if (resumed.length > 0 && (fresh.length === 0 || freshInARow >= RESUMED_EVERY - 1)) {
      freshInARow = 0;
      resumed.shift()?.();
    } else {
      freshInARow += 1;
      fresh.shift()?.();
    }
    // The next turn comes after the event loop has polled for I/O once more.
    if (fresh.length + resumed.length > 0) schedule();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(release);
  };
  return {
    next(kind: TurnKind = 'fresh') {
      return new Promise((resolve) => {
        (kind === 'fresh' ? fresh : resumed).push(resolve);
        schedule();
      });
    },
    get waiting() {
      return fresh.length + resumed.length;
    },
  };
}

/** The turns of this process's event loop: every search of every service in the process takes them. */
export const eventLoopTurns: Turns = createTurns();
