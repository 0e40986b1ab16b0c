import { describe, expect, it } from 'vitest';
import { formatMs, formatReport, machineInfo, type BenchReport } from '../../src/bench/report.ts';
import { sideResult } from './support.ts';

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
    elapsedMs: 61_000,
    ...fields,
  };
}

describe('formatReport', () => {
  it('starts with a header line naming the machine and the corpus', () => {
    const [header] = formatReport(report()).split('\n');
    expect(header).toContain('Test CPU, 2 cores, 24.0 GiB RAM, Node v20.0.0');
    expect(header).toContain('tiny.jsonl ×1 = 10 articles, 1,000 paragraphs');
  });

  it('prints one markdown table with the service, plain MiniSearch and their ratio', () => {
    const text = formatReport(report());
    const tableLines = text.split('\n').filter((line) => line.startsWith('|'));
    expect(tableLines[0]).toBe('| measure | service | plain MiniSearch | service / plain |');
    expect(text.split('\n').filter((line) => line.startsWith('| measure')).length).toBe(1);
    expect(text).toContain('| ingest (paragraphs/s) | 8,000 | 10,000 | 0.80× |');
    expect(text).toContain('| fuzzy p50 (ms) | 1.50 | 1.00 | 1.50× |');
    expect(text).toContain('| phrase ¹ p99 (ms) | 12.0 | 10.0 | 1.20× |');
    expect(text).toContain('| HTTP /search, 10 connections, 10 s: requests/s ⁵ | 500 | — | — |');
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

describe('formatMs', () => {
  it('keeps three significant digits or so', () => {
    expect(formatMs(0.12345)).toBe('0.123');
    expect(formatMs(3.14159)).toBe('3.14');
    expect(formatMs(42.42)).toBe('42.4');
    expect(formatMs(4696.2)).toBe('4,696');
    expect(formatMs(Number.NaN)).toBe('n/a');
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
