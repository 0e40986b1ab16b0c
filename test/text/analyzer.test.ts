import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, fold, indexTerms, stem } from '../../src/text/analyzer.ts';

const terms = (text: string) => analyze(text).tokens.map((token) => token.term);

describe('analyze', () => {
  /** The term a surface form must fold to: separators of numbers kept, other joiners and a possessive dropped. */
  const expectedTerm = (surface: string): string =>
    /^\p{N}+(?:[.,]\p{N}+)+$/u.test(surface)
      ? fold(surface.replace(/,/g, ''))
      : fold(surface.replace(/['\u2019\u02BC][sS]$/u, '').replace(/[-\u2010\u2011'\u2019\u02BC.,]/gu, ''));

  const newsLike = fc
    .array(
      fc.constantFrom("Qatar's", 'U.S.', 'cease-fire', '3.5', '1,000', 'É', 'élan', ' ', '  ', ', ', '. ', 'x', '北京', '\u00AD', '😀', 'o\u0301', "l'", 'Москва', '--', '"', 'a.b'),
      { maxLength: 20 },
    )
    .map((parts) => parts.join(''));

  it('gives every token offsets that slice back to the word as written', () => {
    fc.assert(
      fc.property(fc.oneof(newsLike, fc.string({ unit: 'grapheme', maxLength: 80 })), (text) => {
        for (const token of analyze(text).tokens) {
          const surface = text.slice(token.start, token.end);
          expect(token.start).toBeLessThan(token.end);
          expect(expectedTerm(surface)).toBe(token.term);
        }
      }),
    );
  });

  it('numbers positions consecutively and keeps tokens in text order', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        const tokens = analyze(text).tokens;
        tokens.forEach((token, index) => {
          expect(token.position).toBe(index);
          if (index > 0) expect(token.start).toBeGreaterThanOrEqual((tokens[index - 1] as { end: number }).end);
        });
      }),
    );
  });

  it('folds case, diacritics, compatibility forms and soft hyphens', () => {
    expect(terms('Élodie ÇA Ｇａｚａ co\u00ADoperation naïve')).toEqual(['elodie', 'ca', 'gaza', 'cooperation', 'naive']);
  });

  it("reads Qatar's as qatar and marks the whole word", () => {
    const [token] = analyze("Qatar's").tokens;
    expect(token).toEqual({ term: 'qatar', start: 0, end: 7, position: 0 });
  });

  it('splits hyphenated words and also indexes them joined', () => {
    expect(terms('Amir-Abdollahian')).toEqual(['amir', 'abdollahian']);
    expect(indexTerms('cease-fire')).toEqual(['cease', 'fire', 'ceasefire']);
  });

  it('reads U.S. as us, covering the final period', () => {
    const text = 'U.S. forces';
    const [token] = analyze(text).tokens;
    expect(token?.term).toBe('us');
    expect(text.slice(token?.start, token?.end)).toBe('U.S.');
  });

  it('keeps numbers with separators whole', () => {
    expect(terms('3.5 percent of 1,000')).toEqual(['3.5', 'percent', 'of', '1000']);
  });

  it('splits French elisions', () => {
    expect(terms("l'armée d’Israël")).toEqual(['l', 'armee', 'd', 'israel']);
  });

  it('tokenizes Cyrillic, Arabic and CJK text', () => {
    expect(terms('Москва مرحبا')).toEqual(['москва', 'مرحبا']);
    expect(terms('北京大学')).toEqual(['北', '京', '大', '学']);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      expect(() => analyze(text)).not.toThrow();
    }));
  });
});

describe('stem', () => {
  it('relates English inflections', () => {
    expect(stem('talks')).toBe(stem('talk'));
    expect(stem('elections')).toBe(stem('election'));
  });

  it('leaves numbers and non-Latin terms alone', () => {
    expect(stem('1987')).toBe('1987');
    expect(stem('москва')).toBe('москва');
  });

  it('leaves words of at most 3 letters alone, so us and its stay apart from use and it', () => {
    for (const word of ['us', 'use', 'its', 'it', 'was', 'has', 'new', 'war']) expect(stem(word)).toBe(word);
    expect(stem(terms('U.S.')[0] as string)).toBe('us');
    expect(stem(terms('US')[0] as string)).toBe('us');
  });

  it('gives used, uses, using the stem of use, never the term us', () => {
    for (const word of ['used', 'uses', 'using']) expect(stem(word)).toBe('use');
    expect(stem('ones')).toBe('one');
    expect(stem('aged')).toBe(stem('age'));
  });

  it('relates a short word to its inflections when Porter cuts them alike', () => {
    expect(stem('wars')).toBe('war');
    expect(stem('taxes')).toBe('tax');
    expect(stem('buying')).toBe('buy');
    expect(stem('days')).toBe('day');
  });

  it('marks a Porter stem of fewer than 3 letters, so that no term equals it', () => {
    expect(stem('doing')).not.toBe('do');
    expect(stem('lies')).not.toBe('li');
    expect(stem('died')).toBe(stem('dies'));
    expect(indexTerms(stem('doing'))).not.toContain(stem('doing'));
  });

  it('never gives a word of 4 letters or more a word of 1 or 2 letters as its stem', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{4,12}$/), (word) => {
        expect(stem(word)).not.toMatch(/^[a-z]{1,2}$/);
      }),
    );
    for (const word of ['used', 'uses', 'using', 'doing', 'going', 'being', 'ones', 'inning', 'upped', 'added', 'lies']) {
      expect(stem(word)).not.toMatch(/^[a-z]{1,2}$/);
    }
  });
});
