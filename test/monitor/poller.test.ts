/**
 * The poller's schedule: the back-off after failures and its cap, and rounds run on injected
 * timers, never overlapping, never throwing, stopped cleanly.
 */
import { describe, expect, it } from 'vitest';
import { createPoller, MAX_BACKOFF_MS, nextPollDelayMs } from '../../src/monitor/poller.ts';
import { fakeClock } from './fake-clock.ts';

const MINUTE = 60_000;

describe('nextPollDelayMs', () => {
  it('waits the interval after a success and doubles it at each failure in a row, up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((failures) => nextPollDelayMs(15, failures) / MINUTE)).toEqual([15, 30, 60, 120, 240, 360]);
    expect(nextPollDelayMs(15, 1000)).toBe(MAX_BACKOFF_MS);
  });

  it('never waits less than the interval of a feed polled less often than the cap', () => {
    expect(nextPollDelayMs(24 * 60, 3)).toBe(24 * 60 * MINUTE);
  });
});

describe('createPoller', () => {
  it('runs a round at once, then one a tick after each round ends, never two at a time', async () => {
    const clock = fakeClock();
    let rounds = 0;
    let release: () => void = () => undefined;
    const poller = createPoller({
      round: () => {
        rounds += 1;
        return new Promise<void>((resolve) => (release = resolve));
      },
      log: () => undefined,
      clock,
      tickMs: 1000,
    });
    poller.start();
    clock.fireDue();
    expect(rounds).toBe(1);
    clock.advance(5000);
    clock.fireDue(); // the round is still running: no timer waits meanwhile
    expect(rounds).toBe(1);
    expect(clock.pending).toEqual([]);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pending).toEqual([{ at: clock.now() + 1000, ms: 1000 }]);
    clock.advance(1000);
    clock.fireDue();
    expect(rounds).toBe(2);
    release();
    await poller.stop();
  });

  it('logs a failed round and goes on polling', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    let rounds = 0;
    const poller = createPoller({
      round: async () => {
        rounds += 1;
        throw new Error('database unreachable');
      },
      log: (line) => lines.push(line),
      clock,
      tickMs: 1000,
    });
    poller.start();
    clock.fireDue();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual(['feeds: a polling round failed: database unreachable']);
    clock.advance(1000);
    clock.fireDue();
    await new Promise((resolve) => setImmediate(resolve));
    expect(rounds).toBe(2);
    await poller.stop();
  });

  it('stops: waits for the round in progress and schedules none after it', async () => {
    const clock = fakeClock();
    let finished = false;
    let release: () => void = () => undefined;
    const poller = createPoller({
      round: () =>
        new Promise<void>((resolve) => {
          release = () => {
            finished = true;
            resolve();
          };
        }),
      log: () => undefined,
      clock,
    });
    poller.start();
    clock.fireDue();
    const stopped = poller.stop();
    release();
    await stopped;
    expect(finished).toBe(true);
    expect(clock.pending).toEqual([]);
  });
});
