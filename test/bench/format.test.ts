import { describe, expect, it } from 'vitest';
import { formatMs, integer, megabytes } from '../../src/bench/format.ts';

describe('formatMs', () => {
  it('keeps three significant digits or so', () => {
    expect(formatMs(0.12345)).toBe('0.123');
    expect(formatMs(3.14159)).toBe('3.14');
    expect(formatMs(42.42)).toBe('42.4');
    expect(formatMs(4696.2)).toBe('4,696');
    expect(formatMs(Number.NaN)).toBe('n/a');
  });
});

describe('integer', () => {
  it('rounds and separates thousands, and says n/a for what is not a number', () => {
    expect(integer(107_331.4)).toBe('107,331');
    expect(integer(Number.POSITIVE_INFINITY)).toBe('n/a');
  });
});

describe('megabytes', () => {
  it('gives MiB with one decimal, and says n/a for a size that was not measured', () => {
    expect(megabytes(3_486 * 1024 * 1024 + 60_000)).toBe('3486.1');
    expect(megabytes(Number.NaN)).toBe('n/a');
  });
});
