/**
 * @module test/server/page-chart
 * The pure parts of the page's chart and chips (`src/server/page/assets/chart.js`, `chips.js`):
 * round counts on the count axis, bars filling the time axis, the undated sentence and the
 * words for a date range. Plain browser modules without DOM use at load, so Node imports them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type Bar = { label: string; title: string; count: number; from: string; to: string };
type Chart = {
  countTicks(max: number): number[];
  toBars(months: Record<string, number>): Bar[];
  undatedText(undated: number, total: number, narrowed: boolean): string | null;
};
type Chips = { describeDates(from: string, to: string): string | null };

/** Loaded by URL: the modules are JavaScript for the browser, outside the type-checked sources. */
const asset = async <T>(name: string) => (await import(new URL(`../../src/server/page/assets/${name}`, import.meta.url).href)) as T;
const chart = await asset<Chart>('chart.js');
const chips = await asset<Chips>('chips.js');

describe('countTicks', () => {
  it('runs from 0 to at least the highest count in at most five even, whole steps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), (max) => {
        const ticks = chart.countTicks(max);
        expect(ticks[0]).toBe(0);
        expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max);
        expect(ticks.length).toBeGreaterThanOrEqual(2);
        expect(ticks.length).toBeLessThanOrEqual(5);
        const step = (ticks[1] ?? 0) - (ticks[0] ?? 0);
        ticks.forEach((tick, index) => {
          expect(Number.isInteger(tick)).toBe(true);
          expect(tick).toBe(index * step);
        });
        // The top tick wastes at most a step: the tallest bar fills most of the height.
        expect((ticks[ticks.length - 1] ?? 0) - max).toBeLessThan(step);
      }),
      { seed: 16, numRuns: 500 },
    );
  });

  it('picks round steps', () => {
    expect(chart.countTicks(1)).toEqual([0, 1]);
    expect(chart.countTicks(3)).toEqual([0, 1, 2, 3]);
    expect(chart.countTicks(12)).toEqual([0, 5, 10, 15]);
    expect(chart.countTicks(100)).toEqual([0, 25, 50, 75, 100]);
  });
});

describe('toBars', () => {
  it('gives every month of the span a bar, widened to a year, each narrowing to its own days', () => {
    const bars = chart.toBars({ '2023-11': 2, '2024-02': 1 });
    expect(bars.map((bar) => bar.label)).toEqual(['2023-07', '2023-08', '2023-09', '2023-10', '2023-11', '2023-12', '2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06']);
    expect(bars.map((bar) => bar.count).reduce((sum, count) => sum + count)).toBe(3);
    expect(bars.find((bar) => bar.label === '2024-02')).toMatchObject({ from: '2024-02-01', to: '2024-02-29', count: 1 });
  });

  it('counts years instead over a span longer than five years', () => {
    const bars = chart.toBars({ '2015-03': 4, '2015-09': 1, '2023-11': 2 });
    expect(bars.map((bar) => [bar.label, bar.count])).toEqual([
      ['2015', 5], ['2016', 0], ['2017', 0], ['2018', 0], ['2019', 0], ['2020', 0], ['2021', 0], ['2022', 0], ['2023', 2],
    ]);
    expect(bars[0]).toMatchObject({ from: '2015-01-01', to: '2015-12-31' });
  });
});

describe('undatedText', () => {
  it('says nothing when every match is dated, and otherwise how many are not in the chart', () => {
    expect(chart.undatedText(0, 5, false)).toBeNull();
    expect(chart.undatedText(1, 5, false)).toBe('1 matching paragraph is from an undated article and not in the chart.');
    expect(chart.undatedText(1_200, 5_000, true)).toBe('1,200 matching paragraphs are from undated articles and not in the chart. The date filter leaves them out of the results.');
    expect(chart.undatedText(3, 3, false)).toBe('All 3 matching paragraphs are from undated articles, so there is nothing to chart.');
  });
});

describe('describeDates', () => {
  it('names a whole month, a whole year, a day, an open or a closed range', () => {
    expect(chips.describeDates('', '')).toBeNull();
    expect(chips.describeDates('2023-03-01', '2023-03-31')).toBe('Mar 2023');
    expect(chips.describeDates('2024-02-01', '2024-02-29')).toBe('Feb 2024');
    expect(chips.describeDates('2023-01-01', '2023-12-31')).toBe('2023');
    expect(chips.describeDates('2023-11-22', '2023-11-22')).toBe('22 Nov 2023');
    expect(chips.describeDates('2023-06-01', '')).toBe('from 1 Jun 2023');
    expect(chips.describeDates('', '2023-06-30')).toBe('until 30 Jun 2023');
    expect(chips.describeDates('2023-03-01', '2023-04-15')).toBe('1 Mar 2023 – 15 Apr 2023');
    expect(chips.describeDates('2023-03-01', '2023-03-30')).toBe('1 Mar 2023 – 30 Mar 2023');
  });
});
