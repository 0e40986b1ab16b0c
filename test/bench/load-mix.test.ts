import { describe, expect, it } from 'vitest';
import { commonPhrases, commonPrefixes, commonWords, markerWord, postedArticle, postedId, prefixQuery, rareWord, searchMix, splitArchive, wordCounts } from '../../src/bench/load-mix.ts';
import { analyze, termsOf } from '../../src/text/analyzer.ts';
import { makeArticle } from '../helpers.ts';

/** A tiny corpus written for these tests: a few common words and phrases, one word met once. */
const PARAGRAPHS = [
  'Oil prices rose sharply, dealers said.',
  'Crude oil prices fell, dealers said on Monday.',
  'The company said crude output fell.',
  'Wheat prices rose; the company said exports were steady.',
  'Dealers said the company expects higher prices.',
];

describe('wordCounts', () => {
  it('counts letters-only words in lower case, punctuation stripped', () => {
    const counts = wordCounts(['Oil rose, oil fell.', 'U.S. oil']);
    expect(counts.get('oil')).toBe(3);
    expect(counts.get('fell')).toBe(1);
    expect(counts.has('u.s')).toBe(false);
  });
});

describe('commonWords', () => {
  it('returns the most frequent words of at least four letters, ties alphabetically', () => {
    expect(commonWords(PARAGRAPHS, 3)).toEqual(['said', 'prices', 'company']);
  });

  it('takes a longer minimum when asked', () => {
    expect(commonWords(PARAGRAPHS, 1, 7)).toEqual(['company']);
  });
});

describe('commonPhrases', () => {
  it('returns the most frequent pairs read consecutively, with no punctuation between the words', () => {
    expect(commonPhrases(PARAGRAPHS, 2)).toEqual([
      ['dealers', 'said'],
      ['company', 'said'],
    ]);
  });

  it('does not join words across punctuation', () => {
    expect(commonPhrases(['Prices rose, dealers said.', 'Prices rose, dealers said.'], 5)).toEqual([
      ['dealers', 'said'],
      ['prices', 'rose'],
    ]);
  });
});

describe('searchMix', () => {
  it('gives four common words, two phrases, a prefix and an exclusion, in the query language', () => {
    expect(searchMix(PARAGRAPHS)).toEqual(['said', 'prices', 'company', 'dealers', '"dealers said"', '"company said"', 'pric*', 'said -prices']);
  });

  it('throws when the corpus is too small', () => {
    expect(() => searchMix(['Oil rose.'])).toThrow(/too small/);
  });
});

describe('rareWord', () => {
  it('returns the first word of six letters or more met only once', () => {
    expect(rareWord(PARAGRAPHS)).toBe('sharply');
  });

  it('throws when every long word repeats', () => {
    expect(() => rareWord(['prices prices', 'oil'])).toThrow(/no word/);
  });
});

describe('commonPrefixes', () => {
  it('orders two-letter prefixes by the occurrences of the words they start', () => {
    expect(commonPrefixes(['contract costs rose', 'records rested', 'copper'], 2)).toEqual(['co', 're']);
  });

  it('leaves out words of two letters, which a prefix query does not expand to more of', () => {
    expect(commonPrefixes(['to to to to told'], 5)).toEqual(['to']);
  });
});

describe('prefixQuery', () => {
  it('ORs the prefixes', () => {
    expect(prefixQuery(['co', 're', 'pr'])).toBe('co* OR re* OR pr*');
  });
});

describe('splitArchive', () => {
  const articles = [makeArticle({ id: 'a', paragraphs: ['1', '2'] }), makeArticle({ id: 'b', paragraphs: ['3'] }), makeArticle({ id: 'c', paragraphs: ['4', '5'] })];

  it('takes the first articles until they hold the paragraphs asked for, and leaves the rest', () => {
    const { archive, rest } = splitArchive(articles, 3);
    expect(archive.map((article) => article.id)).toEqual(['a', 'b']);
    expect(rest.map((article) => article.id)).toEqual(['c']);
  });

  it('takes everything when the corpus holds fewer paragraphs', () => {
    expect(splitArchive(articles, 100)).toEqual({ archive: articles, rest: [] });
  });
});

describe('markerWord', () => {
  it('spells the writer and the number in consonants, so no two articles share one', () => {
    expect(markerWord(2, 15)).toBe('zdqchx');
    const words = new Set<string>();
    for (let writer = 0; writer < 4; writer++) for (let n = 0; n < 300; n++) words.add(markerWord(writer, n));
    expect(words.size).toBe(1200);
  });

  it('is one term for the analyzer, unchanged by stemming', () => {
    for (const word of [markerWord(0, 0), markerWord(3, 1234), markerWord(1, 90)]) expect(termsOf(analyze(`Prices ${word} rose.`))).toContain(word);
  });
});

describe('postedArticle', () => {
  it('posts a corpus article under a new id with its marker at the end of the first paragraph', () => {
    const source = makeArticle({ id: 'reuters-9', paragraphs: ['Oil rose.', 'Wheat fell.'] });
    const posted = postedArticle(source, 1, 7);
    expect(posted.id).toBe(postedId(1, 7));
    expect(posted.paragraphs).toEqual([`Oil rose. ${markerWord(1, 7)}`, 'Wheat fell.']);
    expect(posted.title).toBe(source.title);
  });
});
