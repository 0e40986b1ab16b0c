import { describe, expect, it } from 'vitest';
import { checkTargets, ratio } from '../../src/bench/targets.ts';
import { sideResult } from './support.ts';

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
