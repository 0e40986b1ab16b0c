import { describe, expect, it } from 'vitest';
import { median, percentile, ratePerSecond, settledHeapBytes, summarize, timed } from '../../src/bench/measure.ts';

describe('percentile', () => {
  it('returns the nearest-rank sample of sorted samples', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
  });

  it('returns one of the samples, never an interpolation', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([10, 20, 30], 99)).toBe(30);
  });

  it('returns the first sample for p 0 and the only sample of one', () => {
    expect(percentile([3, 5], 0)).toBe(3);
    expect(percentile([7], 99)).toBe(7);
  });

  it('returns NaN when there are no samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('median', () => {
  it('returns the middle sample of an odd count, in any order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('returns the mean of the two middle samples of an even count', () => {
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });

  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('gives count, p50, p99 and max of unsorted samples', () => {
    const samples = Array.from({ length: 200 }, (_, index) => 200 - index);
    expect(summarize(samples)).toEqual({ count: 200, p50: 100, p99: 198, max: 200 });
  });
});

describe('timed', () => {
  it('returns the work\'s value and a non-negative duration', () => {
    const { value, ms } = timed(() => 42);
    expect(value).toBe(42);
    expect(ms).toBeGreaterThanOrEqual(0);
  });
});

describe('settledHeapBytes', () => {
  it('collects twice before reading the heap', () => {
    let collections = 0;
    const bytes = settledHeapBytes(() => collections++);
    expect(collections).toBe(2);
    expect(bytes).toBeGreaterThan(0);
  });
});

describe('ratePerSecond', () => {
  it('turns a count and milliseconds into a rate per second', () => {
    expect(ratePerSecond(500, 250)).toBe(2000);
    expect(ratePerSecond(1, 0)).toBeNaN();
  });
});
