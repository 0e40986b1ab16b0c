/**
 * A clock for the poller's tests: time moves only when the test says, and timers fire only when
 * the test fires them, so no test sleeps and none depends on speed.
 */
import type { Clock } from '../../src/monitor/poller.ts';

export type FakeClock = Clock & {
  /** Moves time on by `ms`. */
  advance(ms: number): void;
  /** Timers waiting, with the time each is due. */
  readonly pending: ReadonlyArray<{ at: number; ms: number }>;
  /** Runs the timers due by now (those set while running wait for the next call). */
  fireDue(): void;
};

export function fakeClock(start = Date.parse('2026-12-01T12:00:00Z')): FakeClock {
  let now = start;
  let timers: Array<{ at: number; ms: number; callback: () => void }> = [];
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const timer = { at: now + ms, ms, callback };
      timers.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers = timers.filter((timer) => timer !== handle);
    },
    advance(ms) {
      now += ms;
    },
    get pending() {
      return timers.map(({ at, ms }) => ({ at, ms }));
    },
    fireDue() {
      const due = timers.filter((timer) => timer.at <= now);
      timers = timers.filter((timer) => timer.at > now);
      for (const timer of due) timer.callback();
    },
  };
}
