import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, fold, indexTerms, stem } from '../../src/text/analyzer.ts';

const terms = (text: string) => analyze(text).tokens.map((token) => token.term);

describe('analyze', () => {
  /** Matches the apostrophe of an English contraction: a letter, then `re`, `ll`, `ve`, `d`, `m`, or `n` then `t`. */
  const contractionApostrophe = /(?<=\p{L})['\u2019\u02BC](?=(?:re|ll|ve|d|m)(?:['\u2019\u02BC]|$))|(?<=n)['\u2019\u02BC](?=t(?:['\u2019\u02BC]|$))/giu;
  /**
   * The term a surface form must fold to: separators of numbers kept, a possessive `'s` dropped,
   * a contraction's apostrophe kept as `'`, other joiners dropped.
   */
  const expectedTerm = (surface: string): string =>
    /^\p{N}+(?:[.,]\p{N}+)+$/u.test(surface)
      ? fold(surface.replace(/,/g, ''))
      : fold(
          surface
            .replace(/['\u2019\u02BC][sS](?=['\u2019\u02BC]|$)/gu, '')
            .replace(contractionApostrophe, '\u0000')
            .replace(/[-\u2010\u2011'\u2019\u02BC.,]/gu, '')
            .replace(/\u0000/g, "'"),
        );

  const newsLike = fc
    .array(
      fc.constantFrom("Qatar's", 'U.S.', 'cease-fire', '3.5', '1,000', 'É', 'élan', ' ', '  ', ', ', '. ', 'x', '北京', '\u00AD', '😀', 'o\u0301', "l'", 'Москва', '--', '"', 'a.b', "we're", "can't", 'I\u2019m', "won't", "it's", "'d", 'n'),
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

  it('reads ASCII words the same on the fast path as by the chunk rules', () => {
    // A no-break space after a word is a separator, but not ASCII: it sends the word to the chunk rules.
    const asciiNews = fc
      .array(fc.constantFrom('We', "we're", "can't", "CAN'T", "don't", "it's", "Qatar's", 'US', 'U.S.', 'used', 'were', 'x', "l'", '-', "'", '.', ',', '3', ' '), { maxLength: 20 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(asciiNews, (text) => {
        const viaChunks = `${text.replace(/ /g, '\u00A0')}\u00A0`;
        expect(analyze(viaChunks)).toEqual(analyze(`${text} `));
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

  it('keeps an English contraction as one token, apart from the word it would spell without its apostrophe', () => {
    expect(terms("We're we'll he'll she'd I’m they've")).toEqual(["we're", "we'll", "he'll", "she'd", "i'm", "they've"]);
    expect(terms("can't don't won’t isn't couldn't've")).toEqual(["can't", "don't", "won't", "isn't", "couldn't've"]);
    const text = 'We’re ready';
    const [token] = analyze(text).tokens;
    expect(token).toEqual({ term: "we're", start: 0, end: 5, position: 0 });
  });

  it('indexes a contraction also under the word it is built on', () => {
    expect(indexTerms("they're")).toEqual(["they're", 'they']);
    expect(indexTerms("can't don't won't shan't isn't ain't")).toEqual(["can't", "don't", "won't", "shan't", "isn't", "ain't", 'can', 'do', 'will', 'shall', 'is']);
    const text = "they can't";
    expect(analyze(text).compounds).toEqual([{ term: 'can', start: 5, end: 10, position: 1, span: 1 }]);
  });

  it("drops 's as a possessive, so it's is it and not its", () => {
    expect(terms("it's its he's that's")).toEqual(['it', 'its', 'he', 'that']);
  });

  it('puts the hyphen compound before the base of a contraction at the same position', () => {
    expect(analyze("can't-miss").compounds.map((compound) => [compound.term, compound.position, compound.span])).toEqual([
      ["can'tmiss", 0, 2],
      ['can', 0, 1],
    ]);
  });

  it('joins an apostrophe that makes no contraction, as before', () => {
    expect(terms("rock'n'roll 90's Shi'ite ma'am")).toEqual(['rocknroll', '90', 'shiite', 'maam']);
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
