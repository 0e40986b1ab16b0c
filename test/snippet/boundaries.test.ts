import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutPoints } from '../../src/snippet/boundaries.ts';
import { anyText, graphemeBoundaries } from './support.ts';

describe('cutPoints', () => {
  it('agrees with Intl.Segmenter on grapheme boundaries, whatever the text', () => {
    const latin = fc.string({ unit: fc.integer({ min: 0, max: 0x2ff }).map((code) => String.fromCharCode(code)), maxLength: 60 });
    fc.assert(
      fc.property(fc.oneof(anyText, latin, fc.string({ unit: 'binary', maxLength: 60 })), (text) => {
        const cuts = cutPoints(text);
        const oracle = graphemeBoundaries(text);
        for (let i = 0; i <= text.length; i += 1) expect(cuts.isGrapheme(i)).toBe(oracle.has(i));
      }),
    );
  });

  it('snaps an index inside a grapheme to its edges', () => {
    const cuts = cutPoints('a😀e\u0301b');
    expect([cuts.graphemeFloor(2), cuts.graphemeCeil(2)]).toEqual([1, 3]);
    expect([cuts.graphemeFloor(4), cuts.graphemeCeil(4)]).toEqual([3, 5]);
    expect([cuts.graphemeFloor(-4), cuts.graphemeCeil(99)]).toEqual([0, 6]);
  });

  it('finds the word start nearest to the target', () => {
    const cuts = cutPoints('the four-day truce holds');
    expect(cuts.wordStart(6, 0, 24)).toBe(4);
    expect(cuts.wordStart(11, 0, 24)).toBe(9);
    expect(cuts.wordStart(11, 0, 8)).toBe(4);
    expect(cuts.wordStart(11, 14, 18)).toBeUndefined();
  });

  it('finds the word end nearest to the target', () => {
    const cuts = cutPoints('the four-day truce holds');
    expect(cuts.wordEnd(14, 0, 24)).toBe(12);
    expect(cuts.wordEnd(17, 0, 24)).toBe(18);
    expect(cuts.wordEnd(17, 0, 16)).toBe(12);
  });

  it('finds the sentence boundary nearest to the target', () => {
    const cuts = cutPoints('One fine day. Two more days! Three.');
    expect(cuts.sentence(10, 0, 35)).toBe(14);
    expect(cuts.sentence(4, 0, 35)).toBe(0);
    expect(cuts.sentence(20, 15, 25)).toBeUndefined();
    expect(cuts.sentence(35, 30, 35)).toBe(35);
  });

  it('finds word boundaries in Chinese text without spaces', () => {
    const text = '中华人民共和国是一个国家';
    const cuts = cutPoints(text);
    const start = cuts.wordStart(5, 0, text.length);
    expect(start).toBeDefined();
    expect(start).not.toBe(5); // 共和国 is one word: ICU does not cut inside it
  });

  it('never throws on odd input', () => {
    fc.assert(
      fc.property(anyText, fc.double(), fc.double(), fc.double(), (text, target, from, to) => {
        const cuts = cutPoints(text);
        for (const found of [cuts.sentence(target, from, to), cuts.wordStart(target, from, to), cuts.wordEnd(target, from, to)]) {
          if (found !== undefined) expect(graphemeBoundaries(text).has(found)).toBe(true);
        }
        cuts.graphemeFloor(target);
        cuts.graphemeCeil(target);
      }),
    );
    expect(cutPoints('').sentence(0, 0, 0)).toBe(0);
    expect(cutPoints('').wordStart(0, 0, 0)).toBeUndefined();
  });
});
