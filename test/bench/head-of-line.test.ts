import { describe, expect, it } from 'vitest';
import { chooseSlowQuery, type Timing } from '../../src/bench/head-of-line.ts';

/** A server where each prefix adds its cost to the query, `zz` is refused at once and `yy` runs past the budget. */
function fakeServer(costs: Record<string, number>): { time: (query: string) => Promise<Timing>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    time: async (query) => {
      asked.push(query);
      const prefixes = query.split(' OR ').map((term) => term.replace('*', ''));
      if (prefixes.includes('zz')) return { status: 400, ms: 2 };
      if (prefixes.includes('yy')) return { status: 400, ms: 3000 };
      return { status: 200, ms: prefixes.reduce((sum, prefix) => sum + (costs[prefix] ?? 0), 0) };
    },
  };
}

describe('chooseSlowQuery', () => {
  it('ORs one more prefix at a time until the query takes a second', async () => {
    const server = fakeServer({ th: 400, co: 700, sa: 300 });
    expect(await chooseSlowQuery(['th', 'co', 'sa'], server.time, () => {})).toEqual({ query: 'th* OR co*', ms: 1100 });
    expect(server.asked).toEqual(['th*', 'th* OR co*']);
  });

  it('leaves out a prefix that gets the query refused or past two seconds, and tries the next', async () => {
    const server = fakeServer({ th: 400, an: 1800, co: 700 });
    expect(await chooseSlowQuery(['th', 'zz', 'an', 'yy', 'co'], server.time, () => {})).toEqual({ query: 'th* OR co*', ms: 1100 });
    expect(server.asked).toEqual(['th*', 'th* OR zz*', 'th* OR an*', 'th* OR yy*', 'th* OR co*']);
  });

  it('settles for the slowest query when the prefixes run out', async () => {
    const server = fakeServer({ th: 200, co: 100 });
    expect(await chooseSlowQuery(['th', 'co'], server.time, () => {})).toEqual({ query: 'th* OR co*', ms: 300 });
  });

  it('throws when every prefix is refused', async () => {
    await expect(chooseSlowQuery(['zz', 'yy'], fakeServer({}).time, () => {})).rejects.toThrow(/no slow query/);
  });
});
