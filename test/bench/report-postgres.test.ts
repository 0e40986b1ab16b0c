import { describe, expect, it } from 'vitest';
import type { TypeLatency } from '../../src/bench/protocol.ts';
import { QUERY_TYPES, type QueryType } from '../../src/bench/queries.ts';
import { formatPostgresReport, type EmbeddedResult, type PostgresBenchReport, type SlowQuery, type TotalsCheck } from '../../src/bench/report-postgres.ts';
import { operationsResult } from './support.ts';

const MB = 1024 * 1024;

function latency(p50: number, p99: number): Record<QueryType, TypeLatency> {
  return Object.fromEntries(QUERY_TYPES.map((type) => [type, { count: 100, p50, p99, max: p99, errors: 0, firstError: null, meanMatches: 12 }])) as Record<QueryType, TypeLatency>;
}

function agreeing(): Record<QueryType, TotalsCheck> {
  return Object.fromEntries(QUERY_TYPES.map((type) => [type, { compared: 100, mismatches: 0, examples: [] as string[] }])) as Record<QueryType, TotalsCheck>;
}

function report(fields: Partial<PostgresBenchReport> = {}): PostgresBenchReport {
  return {
    machine: { cpu: 'Test CPU', cores: 2, memoryBytes: 24 * 1024 ** 3, node: 'v20.0.0' },
    server: 'PostgreSQL 15.4',
    corpus: { file: 'tiny.jsonl', scale: 1, articles: 10, paragraphs: 1000 },
    queriesPerType: 100,
    warmupPerType: 20,
    seed: 1,
    embedded: {
      articles: 10,
      paragraphs: 1000,
      ingestMs: 100,
      heapBytes: 100 * MB,
      snapshot: { ok: true, bytes: 50 * MB, saveMs: 20 },
      memory: { heapBytes: 120 * MB, rssBytes: 300 * MB },
      latency: latency(1, 10),
    },
    postgres: {
      articles: 10,
      paragraphs: 1000,
      importMs: 400,
      orderMs: 1250,
      batches: 1,
      unchanged: 0,
      batchSize: 500,
      databaseBytes: 200 * MB,
      memory: { heapBytes: 30 * MB, rssBytes: 150 * MB },
      latency: latency(4, 15),
      slowest: { ...Object.fromEntries(QUERY_TYPES.map((type) => [type, []])), phrase: [{ query: '"said the"', ms: 2950.4, total: null }, { query: '"oil prices"', ms: 612.3, total: 14_020 }] } as Record<QueryType, SlowQuery[]>,
    },
    totals: agreeing(),
    operations: operationsResult({ start: undefined, sqlite: undefined }),
    elapsedMs: 61_000,
    ...fields,
  };
}

describe('formatPostgresReport', () => {
  it('quotes the slowest queries of each type with the total each found, or that it was refused', () => {
    const text = formatPostgresReport(report());
    expect(text).toContain('phrase: `"said the"` 2,950 ms (refused), `"oil prices"` 612 ms (total 14,020)');
    expect(text).toContain('term: none');
  });

  it('starts with a header line naming the machine, the server and the corpus', () => {
    const [header] = formatPostgresReport(report()).split('\n');
    expect(header).toContain('Test CPU, 2 cores, 24.0 GiB RAM, Node v20.0.0 · PostgreSQL 15.4');
    expect(header).toContain('tiny.jsonl ×1 = 10 articles, 1,000 paragraphs');
  });

  it('prints one markdown table with postgres, the embedded service and their ratio', () => {
    const text = formatPostgresReport(report());
    expect(text.split('\n').filter((line) => line.startsWith('| measure'))).toEqual(['| measure | postgres | embedded service | postgres / embedded |']);
    expect(text).toContain('| import (paragraphs/s) ¹ | 2,500 | 10,000 | 0.25× |');
    expect(text).toContain('| then ordering the posting blocks (s) ¹ | 1.3 | — | — |');
    expect(text).toContain('| size (MB) ² | 200.0 | 50.0 | 4.00× |');
    expect(text).toContain('| node RSS after the queries (MB) ³ | 150.0 | 300.0 | 0.50× |');
    expect(text).toContain('| prefix p50 (ms) ⁴ | 4.00 | 1.00 | 4.00× |');
    expect(text).toContain('| exclusion p99 (ms) ⁴ | 15.0 | 10.0 | 1.50× |');
    expect(text).toContain('| exact totals differing from embedded ⁵ | 0 of 600 | — | — |');
    expect(text).toContain('| queries refused (3 s budget) ⁶ | 0 | 0 | — |');
  });

  it('leaves the embedded column empty with --postgres-only, and says no total was compared', () => {
    const text = formatPostgresReport(report({ embedded: null, totals: Object.fromEntries(QUERY_TYPES.map((type) => [type, { compared: 0, mismatches: 0, examples: [] }])) as unknown as Record<QueryType, TotalsCheck> }));
    expect(text).toContain('| import (paragraphs/s) ¹ | 2,500 | — | — |');
    expect(text).toContain('| size (MB) ² | 200.0 | — | — |');
    expect(text).toContain('| term p99 (ms) ⁴ | 15.0 | — | — |');
    expect(text).toContain('| exact totals differing from embedded ⁵ | not compared | — | — |');
    expect(text).toContain('| queries refused (3 s budget) ⁶ | 0 | — | — |');
    expect(text).toContain('With `--postgres-only` the embedded side did not run');
  });

  it('says when the import was resumed into a database that held some of the articles, and that its rate is that run\'s only', () => {
    expect(formatPostgresReport(report())).not.toContain('Resumed');
    const resumed = report();
    resumed.postgres = { ...resumed.postgres, unchanged: 4 };
    expect(formatPostgresReport(resumed)).toContain('**Resumed:** 4 of the 10 articles were already in the database');
    // A resumed run that wrote under a tenth of the archive leaves the blocks as they were.
    resumed.postgres = { ...resumed.postgres, unchanged: 10, orderMs: null };
    expect(formatPostgresReport(resumed)).toContain('| then ordering the posting blocks (s) ¹ | not run | — | — |');
  });

  it('counts differing totals and quotes them by type', () => {
    const totals = { ...agreeing(), phrase: { compared: 98, mismatches: 1, examples: ['"oil prices": embedded 12, postgres 11'] } };
    const text = formatPostgresReport(report({ totals }));
    expect(text).toContain('| exact totals differing from embedded ⁵ | 1 of 598 | — | — |');
    expect(text).toContain('phrase: 1 of 98 ("oil prices": embedded 12, postgres 11)');
  });

  it('counts refused queries per side with the first reason', () => {
    const postgres = report().postgres;
    postgres.latency.fuzzy = { ...postgres.latency.fuzzy, errors: 2, firstError: 'tion: q took too long to run' };
    const text = formatPostgresReport(report({ postgres }));
    expect(text).toContain('| queries refused (3 s budget) ⁶ | 2 | 0 | — |');
    expect(text).toContain('postgres fuzzy: 2 (first: tion: q took too long to run)');
  });

  it('says the embedded snapshot failed instead of printing a size', () => {
    const embedded = { ...(report().embedded as EmbeddedResult), snapshot: { ok: false as const, reason: 'RangeError: Invalid string length' } };
    const text = formatPostgresReport(report({ embedded }));
    expect(text).toContain('| size (MB) ² | 200.0 | failed ² | n/a |');
    expect(text).toContain('(it failed: RangeError: Invalid string length)');
  });

  it('prints the PostgreSQL server\'s writes under load and head of line, and their targets', () => {
    const text = formatPostgresReport(report());
    expect(text).toContain('| 16 searchers + 4 writers: write p50 / p99 / max (ms) ⁷ | 980 / 1,700 / 2,100 | — | — |');
    expect(text).toContain('| head of line: trivial search p50 / max (ms) while a slow query runs ⁸ | 520 / 1,050 | — | — |');
    expect(text).not.toContain('| start');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'Targets (SPEC §13, PostgreSQL backend): write p99 ≤ 250 ms under 16 searchers and 4 writers: MISSED (1,700 ms) · trivial search while a slow query runs ≤ 50 ms: MISSED (max 1,050 ms over 150 searches)',
    );
  });

  it('says plain MiniSearch and the in-process HTTP load test were skipped', () => {
    expect(formatPostgresReport(report())).toContain('Plain MiniSearch and the HTTP load test of the in-process service are skipped with `--backend postgres`');
  });
});
