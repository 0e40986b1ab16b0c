import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SNIPPET_DEFAULTS, selectFragments } from '../../src/snippet/fragments.ts';
import { normalizeSpans } from '../../src/snippet/highlight.ts';
import { graphemeBoundaries, options, textWithSpans } from './support.ts';

/** A sentence of filler that matches nothing the tests look for. */
const FILLER = 'Officials in the region met again on Thursday to discuss the details of the plan. ';

describe('selectFragments', () => {
  it('takes the whole paragraph when it is at most a quarter longer than the size', () => {
    const text = 'x'.repeat(250);
    expect(selectFragments(text, [{ start: 240, end: 245, key: 'x' }])).toEqual({ best: [0, 250], ranges: [[0, 250]] });
    expect(selectFragments(`${text} y`, [], {}).best[1]).toBeLessThan(252);
  });

  it('uses the defaults of SPEC §5', () => {
    expect(SNIPPET_DEFAULTS).toEqual({ fragments: 1, size: 200 });
    const text = FILLER.repeat(10);
    const [start, end] = selectFragments(text, [{ start: 400, end: 405, key: 'a' }]).best;
    expect(end - start).toBeGreaterThan(150);
    expect(end - start).toBeLessThanOrEqual(250);
  });

  it('cuts at sentence boundaries where it can', () => {
    const text = FILLER.repeat(10);
    const at = text.indexOf('Thursday', 300);
    const [start, end] = selectFragments(text, [{ start: at, end: at + 8, key: 'thursday' }]).best;
    expect(text.slice(start)).toMatch(/^Officials/u);
    expect(text.slice(0, end)).toMatch(/plan\.$/u);
  });

  it('returns the best fragment among the fragments, in text order, without overlap', () => {
    const text = `${FILLER}Qatar. ${FILLER.repeat(3)}Gaza truce. ${FILLER.repeat(3)}Qatar. ${FILLER}`;
    const spans = ['Qatar', 'Gaza', 'truce'].flatMap((word) =>
      [...text.matchAll(new RegExp(word, 'gu'))].map((match) => ({ start: match.index, end: match.index + word.length, key: word })),
    );
    const { best, ranges } = selectFragments(text, spans, { fragments: 3 });
    expect(ranges).toHaveLength(3);
    expect(text.slice(...best)).toContain('Gaza truce.');
    expect(ranges).toContainEqual(best);
  });

  it('gives sorted, disjoint ranges on grapheme boundaries, no more than asked', () => {
    fc.assert(
      fc.property(textWithSpans, options, ([text, spans], opts) => {
        const { best, ranges } = selectFragments(text, spans, opts);
        const boundaries = graphemeBoundaries(text);
        expect(ranges.length).toBeGreaterThanOrEqual(1);
        expect(ranges.length).toBeLessThanOrEqual(opts.fragments);
        expect(ranges).toContainEqual(best);
        ranges.forEach(([start, end], i) => {
          expect(0 <= start && start <= end && end <= text.length).toBe(true);
          expect(boundaries.has(start) && boundaries.has(end)).toBe(true);
          if (i > 0) expect(start).toBeGreaterThanOrEqual((ranges[i - 1] as [number, number])[1]);
        });
      }),
    );
  });

  it('keeps fragments near the size asked, allowing for edges moved to boundaries and whole highlights', () => {
    fc.assert(
      fc.property(textWithSpans, options, ([text, spans], opts) => {
        const size = opts.size + 30; // tiny sizes are dominated by single long graphemes
        if (text.length <= size * 1.25) return;
        const longest = Math.max(0, ...normalizeSpans(text, spans).map(([start, end]) => end - start));
        for (const [start, end] of selectFragments(text, spans, { ...opts, size }).ranges) {
          expect(end - start).toBeLessThanOrEqual(size * 1.5 + 2 * longest);
        }
      }),
    );
  });

  it('gives every fragment a match when there are matches', () => {
    fc.assert(
      fc.property(textWithSpans, options, ([text, spans], opts) => {
        const highlights = normalizeSpans(text, spans);
        const { ranges } = selectFragments(text, spans, opts);
        if (highlights.length === 0 || ranges.length === 1) return;
        for (const [start, end] of ranges) expect(highlights.some(([a, b]) => a >= start && b <= end)).toBe(true);
      }),
    );
  });
});
