import { describe, expect, it } from 'vitest';
import { createTurns, RESUMED_EVERY, type TurnKind } from '../../src/backends/turns.ts';

/** Asks `turns` for one turn per entry of `asks`, all at once; resolves with the order they were given in. */
async function order(asks: ReadonlyArray<[string, TurnKind]>): Promise<string[]> {
  const turns = createTurns();
  const given: string[] = [];
  await Promise.all(asks.map(([name, kind]) => turns.next(kind).then(() => given.push(name))));
  return given;
}

describe('turns', () => {
  it('gives turns first come first served within a kind', async () => {
    expect(await order([['a', 'fresh'], ['b', 'fresh'], ['c', 'fresh']])).toEqual(['a', 'b', 'c']);
    expect(await order([['a', 'resumed'], ['b', 'resumed']])).toEqual(['a', 'b']);
  });

  it('lets fresh work go before work resuming after a pause, though it asked later', async () => {
    expect(await order([['long', 'resumed'], ['short', 'fresh']])).toEqual(['short', 'long']);
  });

  it('gives resumed work one turn in RESUMED_EVERY while fresh work keeps coming', async () => {
    const fresh = Array.from({ length: 3 * RESUMED_EVERY }, (_, n) => [`f${n}`, 'fresh'] as [string, TurnKind]);
    const given = await order([['r0', 'resumed'], ['r1', 'resumed'], ...fresh]);
    expect(given.indexOf('r0')).toBe(RESUMED_EVERY - 1);
    expect(given.indexOf('r1')).toBe(2 * RESUMED_EVERY - 1);
  });

  it('runs one piece per turn of the event loop: I/O callbacks get in between', async () => {
    const turns = createTurns();
    const events: string[] = [];
    const pieces = [1, 2, 3].map((n) => turns.next().then(() => events.push(`piece ${n}`)));
    setImmediate(() => events.push('immediate'));
    await Promise.all(pieces);
    expect(events.indexOf('immediate')).toBeGreaterThan(0);
    expect(events.indexOf('immediate')).toBeLessThan(3);
  });
});
