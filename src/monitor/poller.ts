/**
 * @module monitor/poller
 * When feeds are polled (SPEC §11): a round every {@link TICK_MS} polls the feeds that are due
 * (their `nextPollAt` passed); rounds never overlap, and a round's failure is logged, never
 * thrown (an unhandled rejection would stop the server). The clock and timers are injected, so
 * tests run rounds without waiting. Also the schedule itself: the interval after a success, and
 * an exponential back-off after failures.
 */

/** How often the poller looks for due feeds: a feed is polled at most this late. */
export const TICK_MS = 30_000;
/** Longest back-off after failures (unless the feed's own interval is longer): a feed that comes back is noticed within hours. */
export const MAX_BACKOFF_MS = 6 * 60 * 60_000;

/** Time and timers, injected: the real ones by default. */
export type Clock = {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/** The real clock; its timers do not keep the process alive (the server does). */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Milliseconds until the next poll of a feed polled every `intervalMinutes` that has failed
 * `failures` times in a row: the interval after a success, doubled at each failure, at most
 * {@link MAX_BACKOFF_MS} (or the interval, when that is longer).
 *
 * @example
 * nextPollDelayMs(15, 0) // 900000 (15 minutes)
 * nextPollDelayMs(15, 3) // 7200000 (2 hours)
 * nextPollDelayMs(15, 20) // 21600000 (6 hours, the cap)
 */
export function nextPollDelayMs(intervalMinutes: number, failures: number): number {
  const interval = intervalMinutes * 60_000;
  const cap = Math.max(MAX_BACKOFF_MS, interval);
  // 2^failures overflows nothing: the exponent is bounded before it can matter.
  return Math.min(interval * 2 ** Math.min(failures, 32), cap);
}

/** A poller that runs rounds: started once, stopped on shutdown. */
export interface Poller {
  start(): void;
  /** Stops scheduling rounds; resolves once a round in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Creates a poller running `round` now and then every `tickMs` after the previous round ended.
 *
 * @example
 * const poller = createPoller({ round: () => monitor.pollDue(), log });
 * poller.start();
 * process.on('SIGTERM', () => void poller.stop());
 */
export function createPoller(options: { round: () => Promise<void>; log: (line: string) => void; clock?: Clock; tickMs?: number }): Poller {
  const { round, log, clock = SYSTEM_CLOCK, tickMs = TICK_MS } = options;
  let timer: unknown;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = clock.setTimeout(function pollRound() {
      timer = undefined;
      running = round()
        .catch((error: unknown) => log(`feeds: a polling round failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          running = undefined;
          schedule(tickMs);
        });
    }, ms);
  };
  return {
    start() {
      if (timer === undefined && running === undefined) schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
