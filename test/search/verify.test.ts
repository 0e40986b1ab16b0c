import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/search/query-parser.ts';
import type { TermNode } from '../../src/search/query.ts';
import { analyzeDoc, boundedEditDistance, matchesQuery, phraseOccurrences, termMatches, type AnalyzedDoc } from '../../src/search/verify.ts';
import { analyze, type Token } from '../../src/text/analyzer.ts';

const tokensOf = (text: string): Token[] => analyze(text).tokens;
const doc = (title: string, text: string): AnalyzedDoc => analyzeDoc(title, text);
const exact = (term: string): TermNode => ({ kind: 'term', term, mode: 'exact', distance: 0, field: null });
const prefix = (term: string): TermNode => ({ kind: 'term', term, mode: 'prefix', distance: 0, field: null });
const fuzzy = (term: string, distance: number): TermNode => ({ kind: 'term', term, mode: 'fuzzy', distance, field: null });

/** True when `doc` matches the query string `q`. */
const matches = (q: string, analyzed: AnalyzedDoc): boolean => matchesQuery(parseQuery(q).root, analyzed);

/**
 * The oracle: every tuple of token indexes holding the terms in order within the slop, then for
 * each first index the smallest last index.
 */
function bruteForceOccurrences(tokens: readonly Token[], terms: readonly string[], slop: number): Array<[number, number]> {
  const lastByFirst = new Map<number, number>();
  const extend = (tuple: number[]): void => {
    if (tuple.length === terms.length) {
      const first = tuple[0] as number;
      const last = tuple[tuple.length - 1] as number;
      const gap = (tokens[last] as Token).position - (tokens[first] as Token).position - (terms.length - 1);
      if (gap <= slop) lastByFirst.set(first, Math.min(lastByFirst.get(first) ?? Infinity, last));
      return;
    }
    const from = tuple.length === 0 ? 0 : (tuple[tuple.length - 1] as number) + 1;
    for (let index = from; index < tokens.length; index += 1) {
      if ((tokens[index] as Token).term === terms[tuple.length]) extend([...tuple, index]);
    }
  };
  if (terms.length > 0) extend([]);
  return [...lastByFirst.entries()].sort(([a], [b]) => a - b);
}

/** The textbook Levenshtein distance over UTF-16 units, without a bound. */
function levenshtein(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

describe('phraseOccurrences', () => {
  it('finds consecutive tokens in order', () => {
    expect(phraseOccurrences(tokensOf('The four-day truce began; a four day truce'), ['four', 'day', 'truce'], 0)).toEqual([
      [1, 3],
      [6, 8],
    ]);
  });

  it('allows at most slop other tokens in between in total', () => {
    const tokens = tokensOf('hamas x haniyeh y z sinwar');
    // gaps: 1 between hamas and haniyeh, 2 between haniyeh and sinwar
    expect(phraseOccurrences(tokens, ['hamas', 'haniyeh', 'sinwar'], 2)).toEqual([]);
    expect(phraseOccurrences(tokens, ['hamas', 'haniyeh', 'sinwar'], 3)).toEqual([[0, 5]]);
    expect(phraseOccurrences(tokens, ['hamas', 'haniyeh'], 0)).toEqual([]);
    expect(phraseOccurrences(tokens, ['hamas', 'haniyeh'], 1)).toEqual([[0, 2]]);
  });

  it('does not match the terms out of order, whatever the slop', () => {
    expect(phraseOccurrences(tokensOf('haniyeh met hamas'), ['hamas', 'haniyeh'], 50)).toEqual([]);
  });

  it('ends each occurrence at the earliest continuation of its start', () => {
    expect(phraseOccurrences(tokensOf('a b b'), ['a', 'b'], 5)).toEqual([[0, 1]]);
    expect(phraseOccurrences(tokensOf('a a b'), ['a', 'b'], 5)).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('matches a repeated term at successive positions', () => {
    expect(phraseOccurrences(tokensOf('a a a'), ['a', 'a'], 0)).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('finds every token of a one-term phrase', () => {
    expect(phraseOccurrences(tokensOf('Truce, then truce'), ['truce'], 0)).toEqual([
      [0, 0],
      [2, 2],
    ]);
  });

  it('compares folded terms as written, without stemming', () => {
    expect(phraseOccurrences(tokensOf('Peace TALKS'), ['peace', 'talks'], 0)).toEqual([[0, 1]]);
    expect(phraseOccurrences(tokensOf('Peace talk'), ['peace', 'talks'], 0)).toEqual([]);
  });

  it('finds nothing for an empty phrase or an empty text', () => {
    expect(phraseOccurrences(tokensOf('a b'), [], 0)).toEqual([]);
    expect(phraseOccurrences([], ['a'], 0)).toEqual([]);
  });

  it('reads a negative or NaN slop as 0', () => {
    expect(phraseOccurrences(tokensOf('a b'), ['a', 'b'], -3)).toEqual([[0, 1]]);
    expect(phraseOccurrences(tokensOf('a x b'), ['a', 'b'], Number.NaN)).toEqual([]);
  });

  it('equals a brute-force scan of every tuple of positions', () => {
    const words = fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 9 });
    fc.assert(
      fc.property(words, fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 4 }), fc.nat({ max: 4 }), (text, terms, slop) => {
        const tokens = tokensOf(text.join(' '));
        expect(phraseOccurrences(tokens, terms, slop)).toEqual(bruteForceOccurrences(tokens, terms, slop));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('termMatches', () => {
  it('matches an exact term by its English stem', () => {
    expect(termMatches(exact('talk'), 'talks')).toBe(true);
    expect(termMatches(exact('elections'), 'election')).toBe(true);
    expect(termMatches(exact('talk'), 'walk')).toBe(false);
    expect(termMatches(exact('北'), '北')).toBe(true);
  });

  it('matches a prefix at the start of the index term only', () => {
    expect(termMatches(prefix('cease'), 'ceasefire')).toBe(true);
    expect(termMatches(prefix('cease'), 'cease')).toBe(true);
    expect(termMatches(prefix('fire'), 'ceasefire')).toBe(false);
  });

  it('matches a fuzzy term within its edit distance', () => {
    expect(termMatches(fuzzy('haniya', 1), 'haniyah')).toBe(true);
    expect(termMatches(fuzzy('haniya', 1), 'haniyeh')).toBe(false);
    expect(termMatches(fuzzy('haniya', 2), 'haniyeh')).toBe(true);
    expect(termMatches(fuzzy('haniya', 2), 'hania')).toBe(true);
    expect(termMatches(fuzzy('gaza', 1), 'gazas')).toBe(true);
  });

  it('does not stem fuzzy or prefix terms', () => {
    expect(termMatches(fuzzy('elections', 1), 'elect')).toBe(false);
    expect(termMatches(prefix('talks'), 'talk')).toBe(false);
  });
});

describe('boundedEditDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(boundedEditDistance('kitten', 'sitting', 5)).toBe(3);
    expect(boundedEditDistance('', 'abc', 5)).toBe(3);
    expect(boundedEditDistance('gaza', 'gaza', 0)).toBe(0);
    expect(boundedEditDistance('ab', 'ba', 2)).toBe(2);
  });

  it('returns the bound plus one when the distance is over it', () => {
    expect(boundedEditDistance('kitten', 'sitting', 2)).toBe(3);
    expect(boundedEditDistance('a', 'abcdef', 1)).toBe(2);
    expect(boundedEditDistance('a', 'b', 0)).toBe(1);
  });

  it('equals the textbook distance, capped at the bound plus one', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '😀'), maxLength: 7 });
    fc.assert(
      fc.property(word, word, fc.nat({ max: 4 }), (a, b, max) => {
        expect(boundedEditDistance(a, b, max)).toBe(Math.min(levenshtein(a, b), max + 1));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('matchesQuery', () => {
  const paragraph = doc('Gaza truce holds', 'Qatar said the four-day cease-fire between Israel and Hamas began on Friday.');

  it('matches a term in either field', () => {
    expect(matches('gaza', paragraph)).toBe(true);
    expect(matches('friday', paragraph)).toBe(true);
    expect(matches('beirut', paragraph)).toBe(false);
  });

  it('matches a term only in its restricted field', () => {
    expect(matches('title:gaza', paragraph)).toBe(true);
    expect(matches('text:gaza', paragraph)).toBe(false);
    expect(matches('title:qatar', paragraph)).toBe(false);
    expect(matches('text:(qatar OR gaza)', paragraph)).toBe(true);
  });

  it('matches a phrase within one field, never across title and text', () => {
    expect(matches('"truce holds"', paragraph)).toBe(true);
    expect(matches('"holds qatar"', paragraph)).toBe(false);
    expect(matches('"israel hamas"~1', paragraph)).toBe(true);
    expect(matches('"israel hamas"', paragraph)).toBe(false);
    expect(matches('title:"four day"', paragraph)).toBe(false);
  });

  it('needs every must clause and no excluded one', () => {
    expect(matches('gaza qatar', paragraph)).toBe(true);
    expect(matches('gaza beirut', paragraph)).toBe(false);
    expect(matches('gaza -beirut', paragraph)).toBe(true);
    expect(matches('gaza -israel', paragraph)).toBe(false);
    expect(matches('gaza -"hamas began"', paragraph)).toBe(false);
    expect(matches('gaza -"began hamas"', paragraph)).toBe(true);
  });

  it('needs some branch of an OR', () => {
    expect(matches('beirut OR qatar', paragraph)).toBe(true);
    expect(matches('beirut OR cairo', paragraph)).toBe(false);
    expect(matches('gaza (beirut OR (hamas -cairo))', paragraph)).toBe(true);
  });

  it('matches a hyphenated query word joined, hyphenated or as separate words', () => {
    expect(matches('cease-fire', doc('', 'The ceasefire began.'))).toBe(true);
    expect(matches('cease-fire', doc('', 'The cease fire began.'))).toBe(true);
    expect(matches('cease-fire', doc('', 'The cease-fire began.'))).toBe(true);
    expect(matches('cease-fire', doc('', 'Cease the fire.'))).toBe(false);
    expect(matches('ceasefire', doc('', 'The cease-fire began.'))).toBe(true);
    expect(matches('Amir-Abdollahian', doc('', 'Amir Abdollahian said'))).toBe(true);
  });

  it('matches stems for terms and the words as written for phrases', () => {
    const talks = doc('', 'Peace talks resumed');
    expect(matches('talk', talks)).toBe(true);
    expect(matches('"peace talk"', talks)).toBe(false);
    expect(matches('"talks"', talks)).toBe(true);
  });

  it('matches prefix and fuzzy terms against tokens and compounds', () => {
    expect(matches('ceasef*', paragraph)).toBe(true);
    expect(matches('haniya~2', doc('', 'Ismail Haniyeh spoke'))).toBe(true);
    expect(matches('haniya~', doc('', 'Ismail Haniyeh spoke'))).toBe(true); // AUTO: 2 edits for 6 letters
    expect(matches('haniya~1', doc('', 'Ismail Haniyeh spoke'))).toBe(false);
  });

  it('matches everything but the exclusions for an AND without must clauses', () => {
    expect(matchesQuery({ kind: 'and', must: [], not: [exact('beirut')] }, paragraph)).toBe(true);
    expect(matchesQuery({ kind: 'or', should: [] }, paragraph)).toBe(false);
  });
});
