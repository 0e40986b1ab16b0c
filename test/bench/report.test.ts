import { describe, expect, it } from 'vitest';
import { formatReport, machineInfo, type BenchReport } from '../../src/bench/report.ts';
import { copiesResult, operationsResult, sideResult } from './support.ts';

function report(fields: Partial<BenchReport> = {}): BenchReport {
  return {
    machine: { cpu: 'Test CPU', cores: 2, memoryBytes: 24 * 1024 ** 3, node: 'v20.0.0' },
    corpus: { file: 'tiny.jsonl', scale: 1, articles: 10, paragraphs: 1000 },
    queriesPerType: 100,
    warmupPerType: 20,
    seed: 1,
    service: sideResult({ side: 'service', ingestMs: 125 }, 1.5, 12),
    plain: sideResult({ side: 'plain' }),
    http: { seconds: 10, connections: 10, requests: 5000, requestsPerSecond: 500, p50: 15, p99: 60, errors: 0, timeouts: 0, non2xx: 0 },
    operations: operationsResult(),
    copies: copiesResult(),
    elapsedMs: 61_000,
    ...fields,
  };
}

describe('formatReport', () => {
  it('prints what copy detection costs and finds, and checks its targets', () => {
    const text = formatReport(report());
    expect(text).toContain('| ingest with / without copy detection (s, median of 2) ¹⁰ | 1.11 / 1.01 | — | 1.10× |');
    expect(text).toContain('| copy clusters in the corpus / their articles / largest | 556 / 1,160 / 6 | — | — |');
    expect(text).toContain('| copies: pairwise precision / recall on edited copies | 1.000 / 0.960 | — | — |');
    expect(text).toContain('copy detection adds ≤ 20% to ingest and ≤ 15% to the heap: met (ingest 1.10×, heap 1.05×)');
    expect(text).toContain('copies precision ≥ 0.98 and recall ≥ 0.95: met (1.000 / 0.960)');
    const dear = formatReport(report({ copies: copiesResult({ withDetection: { ingestMs: [1300, 1300], heapBytes: [105, 105] }, withoutDetection: { ingestMs: [1000, 1000], heapBytes: [100, 100] } }) }));
    expect(dear).toContain('copy detection adds ≤ 20% to ingest and ≤ 15% to the heap: MISSED (ingest 1.30×, heap 1.05×)');
    expect(formatReport(report({ copies: { error: 'worker died' } }))).toContain('copies precision ≥ 0.98 and recall ≥ 0.95: MISSED (not measured: worker died)');
  });

  it('starts with a header line naming the machine and the corpus', () => {
    const [header] = formatReport(report()).split('\n');
    expect(header).toContain('Test CPU, 2 cores, 24.0 GiB RAM, Node v20.0.0');
    expect(header).toContain('tiny.jsonl ×1 = 10 articles, 1,000 paragraphs');
  });

  it('prints one markdown table with the service, plain MiniSearch and their ratio', () => {
    const text = formatReport(report());
    const tableLines = text.split('\n').filter((line) => line.startsWith('|'));
    expect(tableLines[0]).toBe('| measure | service | plain MiniSearch | service / plain | SQLite FTS5 ⁷ |');
    expect(text.split('\n').filter((line) => line.startsWith('| measure')).length).toBe(1);
    expect(text).toContain('| ingest (paragraphs/s) | 8,000 | 10,000 | 0.80× |');
    expect(text).toContain('| fuzzy p50 (ms) | 1.50 | 1.00 | 1.50× |');
    expect(text).toContain('| phrase ¹ p99 (ms) | 12.0 | 10.0 | 1.20× |');
    expect(text).toContain('| HTTP /search, 10 connections, 10 s: requests/s ⁵ | 500 | — | — |');
  });

  it('prints the start next to plain addAll and SQLite FTS5, then the writes under load and the head of line', () => {
    const text = formatReport(report());
    expect(text).toContain('| start, index missing: launch → /health (s) ⁶ | 9.30 | 9.00 (addAll) | 1.03× | 3.10 (build) |');
    expect(text).toContain('| 16 searchers + 4 writers: write p50 / p99 / max (ms) ⁸ | 980 / 1,700 / 2,100 | — | — |');
    expect(text).toContain('| head of line: trivial search p50 / max (ms) while a slow query runs ⁹ | 520 / 1,050 | — | — |');
    expect(text).toMatch(/\n⁹ On a server over the whole corpus ×1/);
  });

  it('prints the targets of SPEC §13 and of copy detection before those of issue 7', () => {
    const lines = formatReport(report()).trimEnd().split('\n');
    expect(lines.at(-3)).toMatch(/^Targets \(SPEC §13\): start from the snapshot ≤ 1.5 s: met \(1.33 s\)/);
    expect(lines.at(-3)).toContain('write p99 ≤ 250 ms under 16 searchers and 4 writers: MISSED (1,700 ms)');
    expect(lines.at(-2)).toMatch(/^Targets \(SPEC §10, copies\): copy detection adds/);
  });

  it('ends with the targets, met or missed, with the numbers', () => {
    const last = formatReport(report()).trimEnd().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^Targets \(issue 7\): /);
    expect(last).toContain('search p50 ≤ 1.2× plain: MISSED (term 1.50×');
    expect(last).toContain('ingest ≥ 0.7× plain: met (0.80×)');
  });

  it('says why a snapshot or the load test failed instead of printing numbers', () => {
    const text = formatReport(report({ service: sideResult({ side: 'service', snapshot: { ok: false, reason: 'RangeError: Invalid string length' } }), http: { error: 'ECONNREFUSED' } }));
    expect(text).toContain('failed ⁴');
    expect(text).toContain('Snapshot failed: service: RangeError: Invalid string length');
    expect(text).toContain('| HTTP load test | failed: ECONNREFUSED | — | — |');
  });

  it('reports refused queries with the first reason', () => {
    const service = sideResult({ side: 'service' });
    service.latency.prefix = { ...service.latency.prefix, errors: 2, firstError: 'co: too many words' };
    expect(formatReport(report({ service }))).toContain('service prefix: 2 refused (first: co: too many words)');
  });
});

describe('machineInfo', () => {
  it('names a CPU, counts cores and memory, and gives the Node version', () => {
    const info = machineInfo();
    expect(info.cores).toBeGreaterThan(0);
    expect(info.memoryBytes).toBeGreaterThan(0);
    expect(info.node).toBe(process.version);
  });
});
