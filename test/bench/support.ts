/**
 * Results of one benchmark side and of the operational phases, written for the report and target tests.
 */
import type { OperationsResult } from '../../src/bench/operations.ts';
import type { SideResult, TypeLatency } from '../../src/bench/protocol.ts';
import { QUERY_TYPES, type QueryType } from '../../src/bench/queries.ts';
import type { CopiesResult } from '../../src/bench/copies.ts';

/** A side's result with every latency at `p50` / `p99`, and the given overrides. */
export function sideResult(fields: Partial<SideResult> & Pick<SideResult, 'side'>, p50 = 1, p99 = 10): SideResult {
  const latency = {} as Record<QueryType, TypeLatency>;
  for (const type of QUERY_TYPES) latency[type] = { count: 100, p50, p99, max: p99, errors: 0, firstError: null, meanMatches: 12 };
  return {
    articles: 10,
    paragraphs: 1000,
    ingestMs: 100,
    heapBytes: 100 * 1024 * 1024,
    heapAfterQueriesBytes: 110 * 1024 * 1024,
    snapshot: { ok: true, bytes: 5_000_000, saveMs: 50, loadMs: 40, loads: 3 },
    latency,
    ...fields,
  };
}

/** A distribution of `count` samples at `p50` / `p99` / `max`. */
function distribution(p50: number, p99: number, max: number, count = 100) {
  return { count, p50, p99, max };
}

/** Operational results (SPEC §13) with every phase measured, and the given overrides. */
export function operationsResult(fields: Partial<OperationsResult> = {}): OperationsResult {
  return {
    start: { articles: 10, paragraphs: 1000, buildMs: 9300, plainAddAllsMs: [8800, 9200], plainAddAllMs: 9000, restartsMs: [1400, 1330, 1310], restartMs: 1330 },
    sqlite: { paragraphs: 1000, buildMs: 3100, bytes: 40 * 1024 * 1024, sqliteVersion: '3.50.0', word: 'oil', reopensMs: [14, 12, 12.5], reopenMs: 12.5 },
    writes: {
      archive: { articles: 3700, paragraphs: 20_005 },
      seconds: 10,
      searchers: 16,
      writers: 4,
      queries: ['said', 'dlrs', 'that', 'from', '"billion dlrs"', '"company said"', 'bill*', 'said -dlrs'],
      write: distribution(980, 1700, 2100, 40),
      search: distribution(45, 300, 900, 3000),
      acknowledged: 40,
      writeErrors: 0,
      searchErrors: 0,
      errors: [],
      notSearchable: 0,
      notSearchableExamples: [],
    },
    headOfLine: {
      slowQuery: 'co* OR re* OR pr*',
      calibrationMs: 1150,
      slowStatus: 200,
      slowRunsMs: [1100, 1120, 1200],
      slowMs: 1120,
      trivialQuery: 'dificulties',
      trivial: distribution(520, 1040, 1050, 150),
      idle: distribution(1.2, 3, 3, 20),
      trivialErrors: 0,
      server: { rssBytes: 150 * 1024 * 1024, peakRssBytes: 210 * 1024 * 1024 },
    },
    ...fields,
  };
}

/** A copy detection result: ingest 10% dearer, heap 5% larger, precision 1, recall 0.96. */
export function copiesResult(fields: Partial<CopiesResult> = {}): CopiesResult {
  return {
    withDetection: { ingestMs: [1100, 1120], heapBytes: [105 * 1024 * 1024, 105 * 1024 * 1024] },
    withoutDetection: { ingestMs: [1000, 1020], heapBytes: [100 * 1024 * 1024, 100 * 1024 * 1024] },
    clusters: { clusters: 556, articles: 1160, largest: 6 },
    quality: { originals: 2605, edited: 377, truePairs: 493, foundPairs: 473, correctPairs: 473, precision: 1, recall: 0.96, naturalPairs: 136, missedBy: { dropped: 15, added: 4 } },
    qualityArticles: { minParagraphs: 3, minWords: 250 },
    ...fields,
  };
}
