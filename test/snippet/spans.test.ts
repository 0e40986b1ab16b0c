import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanSpans, mergeSpans } from '../../src/snippet/spans.ts';
import { anyText, graphemeBoundaries, rawSpans } from './support.ts';

describe('cleanSpans', () => {
  it('turns reversed spans round and clips them to the text', () => {
    expect(
      cleanSpans('gaza truce', [
        { start: 10, end: 5, key: 'truce' },
        { start: -3, end: 4, key: 'gaza' },
      ]),
    ).toEqual([
      { start: 0, end: 4, key: 'gaza' },
      { start: 5, end: 10, key: 'truce' },
    ]);
  });

  it('drops empty, out-of-range, duplicate and non-numeric spans', () => {
    const spans = [
      { start: 3, end: 3, key: 'a' },
      { start: 40, end: 50, key: 'a' },
      { start: 0, end: 4, key: 'a' },
      { start: 0, end: 4, key: 'a' },
      { start: Number.NaN, end: 2, key: 'a' },
    ];
    expect(cleanSpans('gaza truce', spans)).toEqual([{ start: 0, end: 4, key: 'a' }]);
  });

  it('widens a span to the whole graphemes it touches', () => {
    expect(cleanSpans('a😀e\u0301b', [{ start: 2, end: 4, key: 'x' }])).toEqual([{ start: 1, end: 5, key: 'x' }]);
  });

  it('keeps spans of different keys apart, even on the same text', () => {
    const spans = [
      { start: 0, end: 4, key: 'gaza' },
      { start: 0, end: 4, key: 'title:gaza' },
    ];
    expect(cleanSpans('gaza', spans)).toHaveLength(2);
  });

  it('gives sorted spans on grapheme boundaries whatever the input', () => {
    fc.assert(
      fc.property(anyText, rawSpans, (text, spans) => {
        const boundaries = graphemeBoundaries(text);
        const clean = cleanSpans(text, spans);
        clean.forEach((span, i) => {
          expect(span.start).toBeLessThan(span.end);
          expect(span.start).toBeGreaterThanOrEqual(0);
          expect(span.end).toBeLessThanOrEqual(text.length);
          expect(boundaries.has(span.start) && boundaries.has(span.end)).toBe(true);
          if (i > 0) expect(span.start).toBeGreaterThanOrEqual((clean[i - 1] as (typeof clean)[number]).start);
        });
      }),
    );
  });
});

describe('mergeSpans', () => {
  it('merges overlapping and touching spans and keeps apart the others', () => {
    const spans = [
      { start: 0, end: 4, key: 'a' },
      { start: 2, end: 6, key: 'b' },
      { start: 6, end: 8, key: 'c' },
      { start: 9, end: 12, key: 'a' },
    ];
    expect(mergeSpans(spans)).toEqual([
      [0, 8],
      [9, 12],
    ]);
  });

  it('keeps a span that lies inside another within it', () => {
    const spans = [
      { start: 0, end: 10, key: 'phrase' },
      { start: 2, end: 4, key: 'term' },
    ];
    expect(mergeSpans(spans)).toEqual([[0, 10]]);
  });
});
