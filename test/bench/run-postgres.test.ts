import { describe, expect, it } from 'vitest';
import type { BenchQuery } from '../../src/bench/queries.ts';
import { compareTotals, slowestQueries, typeSummary } from '../../src/bench/run-postgres.ts';

const QUERIES: BenchQuery[] = [
  { type: 'exclusion', words: ['oil', 'crude'] },
  { type: 'exclusion', words: ['wheat', 'corn'] },
  { type: 'exclusion', words: ['gold', 'silver'] },
  { type: 'exclusion', words: ['bank', 'rate'] },
];

describe('compareTotals', () => {
  it('counts the queries both sides answered and those whose totals differ, quoting them', () => {
    expect(compareTotals(QUERIES, [10, 20, 30, 40], [10, 21, 30, 39])).toEqual({
      compared: 4,
      mismatches: 2,
      examples: ['wheat -corn: embedded 20, postgres 21', 'bank -rate: embedded 40, postgres 39'],
    });
  });

  it('leaves out a query either side refused', () => {
    expect(compareTotals(QUERIES, [null, 20, 30, 40], [10, null, 30, 40])).toEqual({ compared: 2, mismatches: 0, examples: [] });
  });

  it('quotes at most three mismatches', () => {
    expect(compareTotals(QUERIES, [1, 1, 1, 1], [2, 2, 2, 2]).examples).toHaveLength(3);
  });
});

describe('typeSummary', () => {
  it('gives the percentiles, the worst query and the refusals of one query type', () => {
    const line = typeSummary({ count: 300, p50: 4.24, p99: 61, max: 80.26, errors: 2, firstError: 'too costly', meanMatches: 12 });
    expect(line).toBe('p50 4.2 ms, p99 61.0 ms, max 80.3 ms, 300 queries, 2 refused');
  });
});

describe('slowestQueries', () => {
  it('pairs each query with its time and total across batches, slowest first, as many as asked', () => {
    const batch = (samples: number[], totals: Array<number | null>) => ({ samples, totals, errors: 0, firstError: null, matches: 0 });
    const slowest = slowestQueries(QUERIES, [batch([5, 90], [3, 7]), batch([40, 2], [null, 1])], 3);
    expect(slowest).toEqual([
      { query: 'wheat -corn', ms: 90, total: 7 },
      { query: 'gold -silver', ms: 40, total: null },
      { query: 'oil -crude', ms: 5, total: 3 },
    ]);
  });
});
