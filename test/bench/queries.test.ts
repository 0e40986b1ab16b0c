import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPrng, generateQueries, MIN_WORD_LETTERS, QUERY_TYPES, serviceSyntax, slotsOf } from '../../src/bench/queries.ts';
import { searchLibrary as search } from '../../src/service/library-search.ts';
import { libraryOf, makeArticle } from '../helpers.ts';

/** A tiny corpus written for these tests: common words, rare words, punctuation, numbers. */
const PARAGRAPHS = [
  'Oil prices rose sharply in early trading, dealers said.',
  'The central bank said it would keep interest rates unchanged (for now).',
  'Crude oil output fell to 1.2 mln barrels a day, the ministry said.',
  'Wheat exports from the U.S. reached a record, officials said on Tuesday.',
  'Dealers said oil prices could rise further if output stays low.',
  'Cocoa arrivals in Bahia were 155,221 bags; the harvest is nearly over.',
];

describe('createPrng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const take = (seed: number) => Array.from({ length: 5 }, createPrng(seed));
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
  });

  it('draws numbers in [0, 1)', () => {
    const next = createPrng(1);
    for (let draw = 0; draw < 1000; draw++) {
      const value = next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('slotsOf', () => {
  it('keeps letters-only words in lower case and marks edge punctuation', () => {
    expect(slotsOf('(Oil prices, U.S. 1.2')).toEqual([
      { word: 'oil', leading: true, trailing: false },
      { word: 'prices', leading: false, trailing: true },
      { word: null, leading: false, trailing: true },
      { word: null, leading: false, trailing: false },
    ]);
  });
});

describe('generateQueries', () => {
  it('gives the same queries for the same paragraphs and seed', () => {
    expect(generateQueries(PARAGRAPHS, { seed: 42, perType: 20 })).toEqual(generateQueries(PARAGRAPHS, { seed: 42, perType: 20 }));
  });

  it('gives other queries for another seed', () => {
    expect(generateQueries(PARAGRAPHS, { seed: 42, perType: 20 })).not.toEqual(generateQueries(PARAGRAPHS, { seed: 43, perType: 20 }));
  });

  it('gives the requested number of queries of every type', () => {
    const set = generateQueries(PARAGRAPHS, { seed: 1, perType: 15 });
    for (const type of QUERY_TYPES) {
      expect(set[type]).toHaveLength(15);
      for (const query of set[type]) expect(query.type).toBe(type);
    }
  });

  it('draws words of at least four letters, as written in the corpus', () => {
    const set = generateQueries(PARAGRAPHS, { seed: 3, perType: 30 });
    const words = new Set(PARAGRAPHS.flatMap((text) => text.toLowerCase().split(/[^a-z]+/)));
    for (const type of ['term', 'two terms', 'fuzzy', 'exclusion'] as const) {
      for (const query of set[type]) {
        for (const word of query.words) {
          expect(word.length).toBeGreaterThanOrEqual(MIN_WORD_LETTERS);
          expect(words.has(word)).toBe(true);
        }
      }
    }
  });

  it('draws common words more often than rare ones (occurrences, not distinct words)', () => {
    const terms = generateQueries(PARAGRAPHS, { seed: 5, perType: 600 }).term.map((query) => query.words[0]);
    const count = (word: string) => terms.filter((term) => term === word).length;
    // "said" occurs 5 times in the corpus, "wheat" once.
    expect(count('said')).toBeGreaterThan(count('wheat') * 2);
    expect(count('wheat')).toBeGreaterThan(0);
  });

  it('draws the two words of two-term and exclusion queries from one paragraph, distinct', () => {
    const set = generateQueries(PARAGRAPHS, { seed: 9, perType: 30 });
    for (const query of [...set['two terms'], ...set.exclusion]) {
      const [first = '', second = ''] = query.words;
      expect(first).not.toBe(second);
      expect(PARAGRAPHS.some((text) => slotsOf(text).some((slot) => slot.word === first) && slotsOf(text).some((slot) => slot.word === second))).toBe(true);
    }
  });

  it('makes prefixes of three to five letters of a corpus word', () => {
    for (const query of generateQueries(PARAGRAPHS, { seed: 11, perType: 30 }).prefix) {
      const [prefix = ''] = query.words;
      expect(prefix.length).toBeGreaterThanOrEqual(3);
      expect(prefix.length).toBeLessThanOrEqual(5);
      expect(PARAGRAPHS.some((text) => slotsOf(text).some((slot) => slot.word?.startsWith(prefix) === true))).toBe(true);
    }
  });

  it('makes phrases of two or three words that occur, as written, in a paragraph', () => {
    for (const query of generateQueries(PARAGRAPHS, { seed: 13, perType: 40 }).phrase) {
      expect(query.words.length).toBeGreaterThanOrEqual(2);
      expect(query.words.length).toBeLessThanOrEqual(3);
      expect(PARAGRAPHS.some((text) => text.toLowerCase().includes(query.words.join(' ')))).toBe(true);
    }
  });

  it('makes phrases the service finds', () => {
    const library = libraryOf(PARAGRAPHS.map((text, index) => makeArticle({ id: `a${index}`, paragraphs: [text] })));
    for (const query of generateQueries(PARAGRAPHS, { seed: 17, perType: 40 }).phrase) {
      expect(search(library, serviceSyntax(query)).total, serviceSyntax(query)).toBeGreaterThan(0);
    }
  });

  it('makes phrases that occur in the paragraphs, whatever the text', () => {
    const token = fc.constantFrom('oil', 'Prices', 'rose', 'to', 'a', 'record,', '(crude', 'U.S.', '1.2', 'said.', 'wheat', 'éclair', '');
    const paragraph = fc.array(token, { minLength: 1, maxLength: 12 }).map((tokens) => `Market ${tokens.join(' ')} today`);
    fc.assert(
      fc.property(fc.array(paragraph, { minLength: 1, maxLength: 5 }), fc.nat(1000), (paragraphs, seed) => {
        let set;
        try {
          set = generateQueries(paragraphs, { seed, perType: 5 });
        } catch {
          return; // some tiny corpora hold no two-word phrase: refusing is the documented outcome
        }
        for (const query of set.phrase) {
          expect(paragraphs.some((text) => text.toLowerCase().includes(query.words.join(' ')))).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('throws when the corpus has no word long enough', () => {
    expect(() => generateQueries(['a b c', 'to be'], { seed: 1, perType: 1 })).toThrow(/no word of 4 letters/);
  });
});

describe('serviceSyntax', () => {
  it('writes each type in the query language of SPEC §4', () => {
    expect(serviceSyntax({ type: 'term', words: ['oil'] })).toBe('oil');
    expect(serviceSyntax({ type: 'two terms', words: ['oil', 'prices'] })).toBe('oil prices');
    expect(serviceSyntax({ type: 'phrase', words: ['oil', 'prices', 'rose'] })).toBe('"oil prices rose"');
    expect(serviceSyntax({ type: 'prefix', words: ['pric'] })).toBe('pric*');
    expect(serviceSyntax({ type: 'fuzzy', words: ['prices'] })).toBe('prices~1');
    expect(serviceSyntax({ type: 'exclusion', words: ['oil', 'crude'] })).toBe('oil -crude');
  });
});
