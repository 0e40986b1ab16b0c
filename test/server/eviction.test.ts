/**
 * Which connection makes room for a new one: the pure choice of `server/eviction.ts`, on
 * connections described by hand, and a property test against a brute-force ranking.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVICTION_GRACE_MS, rankForEviction, type ConnectionActivity } from '../../src/server/eviction.ts';

const NOW = 1_000_000;
const idle = (since: number): ConnectionActivity => ({ state: 'idle', since });
const receiving = (since: number, bytes: number): ConnectionActivity => ({ state: 'receiving', since, bytes });
const answering: ConnectionActivity = { state: 'answering' };

/** The connection closed to make room for a new one: the first of the ranking, `undefined` when none may go. */
const chooseEviction = <T>(connections: Iterable<readonly [T, ConnectionActivity]>, now: number): T | undefined => rankForEviction(connections, now)[0];

/** What a connection may be doing, over ten minutes. */
const activity = fc.oneof(
  fc.constant(answering),
  fc.integer({ min: 0, max: 600_000 }).map((age) => idle(NOW - age)),
  fc.record({ age: fc.integer({ min: 0, max: 600_000 }), bytes: fc.integer({ min: 0, max: 10_000_000 }) }).map(({ age, bytes }) => receiving(NOW - age, bytes)),
);

/** The brute-force oracle's sort key of a connection that may go: (group, rate or time, since). */
function oracleKey(a: ConnectionActivity): [number, number, number] {
  if (a.state === 'idle') return [0, a.since, a.since];
  if (a.state === 'receiving') {
    const elapsed = NOW - a.since;
    return a.bytes === 0 && elapsed < EVICTION_GRACE_MS ? [2, a.since, a.since] : [1, a.bytes / (Math.max(elapsed, 1) / 1000), a.since];
  }
  return [3, 0, 0];
}
const byOracle = (x: [number, number, number], y: [number, number, number]) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

describe('chooseEviction', () => {
  it('returns undefined when there is no connection', () => {
    expect(chooseEviction([], NOW)).toBeUndefined();
  });

  it('returns undefined when every connection has a request being answered', () => {
    expect(chooseEviction([['a', answering], ['b', answering]], NOW)).toBeUndefined();
  });

  it('chooses an idle keep-alive connection before any connection sending a request, however slow', () => {
    const connections = [
      ['trickle', receiving(NOW - 100_000, 1)],
      ['idle', idle(NOW - 10)],
      ['answering', answering],
    ] as const;
    expect(chooseEviction(connections, NOW)).toBe('idle');
  });

  it('chooses the connection idle the longest among idle ones', () => {
    expect(chooseEviction([['recent', idle(NOW - 100)], ['oldest', idle(NOW - 4_000)], ['middle', idle(NOW - 2_000)]], NOW)).toBe('oldest');
  });

  it('chooses the request arriving with the fewest bytes a second', () => {
    const connections = [
      // A 10 MiB upload at 20 KiB/s, under way for 60 s: older, but far faster.
      ['upload', receiving(NOW - 60_000, 60 * 20 * 1024)],
      // A trickle of a byte a second for 10 s.
      ['trickle', receiving(NOW - 10_000, 10)],
      ['answering', answering],
    ] as const;
    expect(chooseEviction(connections, NOW)).toBe('trickle');
  });

  it('chooses the request sending longer between two equally slow ones', () => {
    expect(chooseEviction([['newer', receiving(NOW - 5_000, 0)], ['older', receiving(NOW - 9_000, 0)]], NOW)).toBe('older');
  });

  it('chooses a connection that has sent nothing for the grace period before any that has sent something', () => {
    const connections = [
      ['trickle', receiving(NOW - 100_000, 1)],
      ['silent', receiving(NOW - EVICTION_GRACE_MS, 0)],
    ] as const;
    expect(chooseEviction(connections, NOW)).toBe('silent');
  });

  it('spares a connection that has sent nothing yet for the grace period: the server may not have read it', () => {
    const connections = [
      ['just accepted', receiving(NOW - 1, 0)],
      ['steady upload, young', receiving(NOW - 100, 40_000)],
    ] as const;
    expect(chooseEviction(connections, NOW)).toBe('steady upload, young');
  });

  it('chooses the oldest of the connections that have sent nothing yet when no other can go', () => {
    expect(chooseEviction([['newest', receiving(NOW - 10, 0)], ['oldest', receiving(NOW - 400, 0)], ['answering', answering]], NOW)).toBe('oldest');
  });

  it('never chooses a request being answered, and chooses as a brute-force ranking does', () => {
    fc.assert(
      fc.property(fc.array(activity, { maxLength: 30 }), (activities) => {
        const connections = activities.map((a, i) => [i, a] as const);
        const chosen = chooseEviction(connections, NOW);
        const candidates = connections.filter(([, a]) => a.state !== 'answering');
        if (candidates.length === 0) return chosen === undefined;
        if (chosen === undefined) return false;
        const picked = activities[chosen]!;
        if (picked.state === 'answering') return false;
        // The brute-force oracle: sort by (group, key, since) and compare with the first.
        const best = candidates.map(([, a]) => oracleKey(a)).sort(byOracle)[0]!;
        expect(oracleKey(picked)).toEqual(best);
        return true;
      }),
      { seed: 15 },
    );
  });
});

describe('rankForEviction', () => {
  it('orders idle connections, then requests by rate, then connections that have sent nothing yet, leaving out those being answered', () => {
    const connections = [
      ['young', receiving(NOW - 10, 0)],
      ['fast', receiving(NOW - 30_000, 3_000_000)],
      ['answering', answering],
      ['idle recently', idle(NOW - 100)],
      ['trickle', receiving(NOW - 30_000, 30)],
      ['idle long', idle(NOW - 4_000)],
      ['younger', receiving(NOW - 5, 0)],
    ] as const;
    expect(rankForEviction(connections, NOW)).toEqual(['idle long', 'idle recently', 'trickle', 'fast', 'young', 'younger']);
  });

  it('ranks every connection that may go, in the brute-force ranking\'s order', () => {
    fc.assert(
      fc.property(fc.array(activity, { maxLength: 30 }), (activities) => {
        const connections = activities.map((a, i) => [i, a] as const);
        const ranked = rankForEviction(connections, NOW);
        expect(ranked).toHaveLength(activities.filter((a) => a.state !== 'answering').length);
        // Equal ranks may be ordered either way: compare the keys in order, not which connection holds them.
        const keys = ranked.map((connection) => oracleKey(activities[connection]!));
        expect(keys).toEqual([...keys].sort(byOracle));
      }),
      { seed: 15 },
    );
  });
});
