import { describe, expect, it } from 'vitest';
import type { HeadOfLineResult } from '../../src/bench/head-of-line.ts';
import type { StartResult } from '../../src/bench/start.ts';
import { checkOperationsTargets, checkTargets, formatChecks, ratio } from '../../src/bench/targets.ts';
import { operationsResult, sideResult } from './support.ts';

describe('ratio', () => {
  it('divides, and is NaN for a zero denominator', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
  });
});

describe('checkTargets', () => {
  it('meets every target when the service equals plain MiniSearch', () => {
    const checks = checkTargets(sideResult({ side: 'service' }), sideResult({ side: 'plain' }));
    expect(checks).toHaveLength(6);
    expect(checks.every((check) => check.met)).toBe(true);
  });

  it('misses search p50 when one query type is over 1.2 times plain', () => {
    const service = sideResult({ side: 'service' });
    service.latency.fuzzy = { ...service.latency.fuzzy, p50: 1.3 };
    const check = checkTargets(service, sideResult({ side: 'plain' })).find((entry) => entry.target.startsWith('search p50'));
    expect(check?.met).toBe(false);
    expect(check?.detail).toContain('fuzzy 1.30×');
  });

  it('compares the ingest rate, not the ingest time', () => {
    // Service takes twice as long: its rate is half of plain's, under 0.7.
    const check = checkTargets(sideResult({ side: 'service', ingestMs: 200 }), sideResult({ side: 'plain' })).find((entry) => entry.target.startsWith('ingest'));
    expect(check).toEqual({ target: 'ingest ≥ 0.7× plain', met: false, detail: '0.50×' });
  });

  it('misses the phrase target when phrase p50 is over three times the two-term p50', () => {
    const service = sideResult({ side: 'service' });
    service.latency.phrase = { ...service.latency.phrase, p50: 3.5 };
    const check = checkTargets(service, sideResult({ side: 'plain' })).find((entry) => entry.target.startsWith('phrase'));
    expect(check?.met).toBe(false);
  });

  it('misses the snapshot target when a snapshot failed', () => {
    const service = sideResult({ side: 'service', snapshot: { ok: false, reason: 'RangeError: Invalid string length' } });
    const check = checkTargets(service, sideResult({ side: 'plain' })).find((entry) => entry.target.startsWith('snapshot'));
    expect(check).toMatchObject({ met: false, detail: 'n/a' });
  });

  it('counts the snapshot target as met when only plain MiniSearch could not save', () => {
    const plain = sideResult({ side: 'plain', snapshot: { ok: false, reason: 'RangeError: Invalid string length' } });
    const check = checkTargets(sideResult({ side: 'service' }), plain).find((entry) => entry.target.startsWith('snapshot'));
    expect(check?.met).toBe(true);
    expect(check?.detail).toContain('plain could not save its snapshot (RangeError: Invalid string length)');
  });
});

describe('checkOperationsTargets', () => {
  it('checks the start, the write p99 and the head of line, with the figures', () => {
    const checks = checkOperationsTargets(operationsResult(), { embedded: true });
    expect(checks.map((check) => [check.target, check.met, check.detail])).toEqual([
      ['start from the snapshot ≤ 1.5 s', true, '1.33 s'],
      ['missing index built ≤ 1.5× plain addAll', true, '1.03×: 9.30 s against 9.00 s'],
      ['write p99 ≤ 250 ms under 16 searchers and 4 writers', false, '1,700 ms'],
      ['trivial search while a slow query runs ≤ 50 ms', false, 'max 1,050 ms over 150 searches'],
    ]);
  });

  it('misses the build target past 1.5 times plain addAll', () => {
    const operations = operationsResult();
    operations.start = { ...(operations.start as StartResult), buildMs: 13_600 };
    expect(checkOperationsTargets(operations, { embedded: true })[1]).toMatchObject({ met: false, detail: '1.51×: 13.60 s against 9.00 s' });
  });

  it('counts a phase that failed as missed, with the reason', () => {
    const checks = checkOperationsTargets(operationsResult({ start: { error: 'npm run build failed' }, headOfLine: { error: 'no slow query' } }), { embedded: true });
    expect(checks[0]).toEqual({ target: 'start from the snapshot ≤ 1.5 s', met: false, detail: 'not measured: npm run build failed' });
    expect(checks[3]).toMatchObject({ met: false, detail: 'not measured: no slow query' });
  });

  it('leaves out the start targets on the PostgreSQL backend', () => {
    const checks = checkOperationsTargets(operationsResult({ start: undefined, sqlite: undefined }), { embedded: false });
    expect(checks.map((check) => check.target)).toEqual(['write p99 ≤ 250 ms under 16 searchers and 4 writers', 'trivial search while a slow query runs ≤ 50 ms']);
  });

  it('meets the head-of-line target only when some trivial search ran and every one answered in time', () => {
    const operations = operationsResult();
    const headOfLine = operations.headOfLine as HeadOfLineResult;
    operations.headOfLine = { ...headOfLine, trivial: { count: 40, p50: 3, p99: 40, max: 48 } };
    expect(checkOperationsTargets(operations, { embedded: true })[3]?.met).toBe(true);
    operations.headOfLine = { ...headOfLine, trivial: { count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN } };
    expect(checkOperationsTargets(operations, { embedded: true })[3]?.met).toBe(false);
  });
});

describe('formatChecks', () => {
  it('prints each check as met or MISSED with its detail', () => {
    expect(formatChecks([{ target: 'a', met: true, detail: '1×' }, { target: 'b', met: false, detail: '2×' }])).toBe('a: met (1×) · b: MISSED (2×)');
  });
});
