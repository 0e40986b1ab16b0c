import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, type Contender } from '../../src/bench/contender.ts';
import type { BenchQuery } from '../../src/bench/queries.ts';
import { createSession, mergeBatches, runQueries } from '../../src/bench/session.ts';

/** A contender that refuses the prefix `co` and finds a page of hits for anything else. */
function fakeContender(): Contender & { indexed: number } {
  const fake = {
    side: 'service' as const,
    indexed: 0,
    index: (articles: readonly unknown[]) => {
      fake.indexed = articles.length;
    },
    save: async () => 0,
    load: async () => {},
    search: (query: BenchQuery) => {
      if (query.words[0] === 'co') throw new Error('too many words');
      return PAGE_SIZE;
    },
  };
  return fake;
}

const QUERIES: BenchQuery[] = [
  { type: 'prefix', words: ['oil'] },
  { type: 'prefix', words: ['co'] },
  { type: 'prefix', words: ['wheat'] },
  { type: 'prefix', words: ['co'] },
];

describe('runQueries', () => {
  it('times every query, counting refusals as errors with the first reason', () => {
    const batch = runQueries(fakeContender(), QUERIES);
    expect(batch.samples).toHaveLength(4);
    expect(batch.errors).toBe(2);
    expect(batch.firstError).toBe('co: too many words');
    expect(batch.matches).toBe(20);
  });

  it('records each query\'s total in order, null for a refused one', () => {
    expect(runQueries(fakeContender(), QUERIES).totals).toEqual([PAGE_SIZE, null, PAGE_SIZE, null]);
  });
});

describe('mergeBatches', () => {
  it('summarizes the samples of every batch together', () => {
    const latency = mergeBatches([
      { samples: [1, 2], errors: 0, firstError: null, matches: 4, totals: [2, 2] },
      { samples: [3, 4], errors: 1, firstError: 'x: refused', matches: 0, totals: [null, 0] },
    ]);
    expect(latency).toEqual({ count: 4, p50: 2, p99: 4, max: 4, errors: 1, firstError: 'x: refused', meanMatches: 1 });
  });
});

describe('createSession', () => {
  it('collects before a batch only when asked', () => {
    let collections = 0;
    const session = createSession(fakeContender(), { collect: () => collections++, progress: () => {} });
    const before = collections;
    session.run(QUERIES, false);
    expect(collections).toBe(before);
    session.run(QUERIES, true);
    expect(collections).toBe(before + 1);
  });

  it('warms up without throwing on refused queries', () => {
    const session = createSession(fakeContender(), { collect: () => {}, progress: () => {} });
    expect(() => session.warmup(QUERIES)).not.toThrow();
  });

  it('saves, loads and discards a snapshot', async () => {
    const session = createSession(fakeContender(), { collect: () => {}, progress: () => {} });
    await expect(session.save()).resolves.toMatchObject({ ok: true, bytes: 0 });
    await expect(session.loadSnapshot()).resolves.toBeGreaterThanOrEqual(0);
    await session.discardSnapshot();
    await expect(session.loadSnapshot()).rejects.toThrow(/no snapshot/);
  });

  it('reports a snapshot that fails to save instead of throwing', async () => {
    const contender = { ...fakeContender(), save: async () => Promise.reject(new RangeError('Invalid string length')) };
    const session = createSession(contender, { collect: () => {}, progress: () => {} });
    await expect(session.save()).resolves.toEqual({ ok: false, reason: 'RangeError: Invalid string length' });
    await session.discardSnapshot();
  });
});

