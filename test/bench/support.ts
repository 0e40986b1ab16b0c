/**
 * Results of one benchmark side, written for the report and target tests.
 */
import type { SideResult, TypeLatency } from '../../src/bench/protocol.ts';
import { QUERY_TYPES, type QueryType } from '../../src/bench/queries.ts';

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
