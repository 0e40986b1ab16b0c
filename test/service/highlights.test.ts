/**
 * Highlights and snippets of real searches (SPEC §5), as properties over random corpora and
 * queries: every highlight is whole words that a positive clause matched, a snippet is a piece
 * of its paragraph, and no matched word inside a snippet is left unmarked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, stem, termsOf } from '../../src/text/analyzer.ts';
import { searchLibrary as search } from '../../src/service/library-search.ts';
import { DEFAULT_SEARCH_PARAMS } from '../../src/service/search-service.ts';
import { libraryOf, makeArticle } from '../helpers.ts';
import { marksOf, plainOf } from '../snippet/support.ts';

const WORDS = ['truce', 'truces', 'Gaza', 'talk', 'talks', "Iran's", 'ceasefire', 'cease-fire', 'hamas', 'chief', 'U.S.', 'war', 'élan', 'the', '<script>', 'a&b', 'said', 'minister'];
const QUERY_WORDS = ['truce', 'gaza', 'talk', 'iran', 'ceasefire', 'hamas', 'chief', 'us', 'war', 'elan', 'said', 'minister'];

const paragraph = fc
  .array(fc.constantFrom(...WORDS, ...WORDS, 'and a long run of filler words that pads the paragraph.'), { minLength: 1, maxLength: 60 })
  .map((words) => words.join(' '));
const queryWord = fc.constantFrom(...QUERY_WORDS);
/** Terms, an OR pair, an exclusion, or a two-word phrase: the clauses whose spans are checked. */
const query = fc.oneof(
  fc.array(queryWord, { minLength: 1, maxLength: 3 }).map((words) => ({ q: words.join(' '), words, phrases: [] as string[][] })),
  fc.tuple(queryWord, queryWord).map(([a, b]) => ({ q: `${a} OR ${b}`, words: [a, b], phrases: [] as string[][] })),
  fc.tuple(queryWord, queryWord).map(([a, b]) => ({ q: `${a} -${b}`, words: [a], phrases: [] as string[][] })),
  fc.tuple(queryWord, queryWord).map(([a, b]) => ({ q: `"${a} ${b}"`, words: [] as string[], phrases: [[a, b]] })),
);

describe('search highlights and snippets', () => {
  it('marks whole words that a positive clause matched, and every such word in the snippet', () => {
    fc.assert(
      fc.property(fc.array(paragraph, { minLength: 1, maxLength: 5 }), query, fc.integer({ min: 1, max: 3 }), (paragraphs, { q, words, phrases }, fragments) => {
        const library = libraryOf([makeArticle({ id: 'a', title: 'Filler title', paragraphs })]);
        const response = search(library, q, { ...DEFAULT_SEARCH_PARAMS, limit: 100, fragments });
        const stems = new Set(words.map(stem));
        for (const hit of response.hits) {
          const tokens = analyze(hit.text).tokens;
          const starts = new Set(tokens.map((t) => t.start));
          const ends = new Set(tokens.map((t) => t.end));
          for (const [start, end] of hit.highlights) {
            // Whole words: a highlight starts where a token starts and ends where one ends.
            expect(starts.has(start) && ends.has(end)).toBe(true);
            const analysis = analyze(hit.text.slice(start, end));
            const inside = analysis.tokens.map((t) => t.term);
            const isTerm = termsOf(analysis).some((term) => stems.has(stem(term)));
            const isPhrase = phrases.some((phrase) => inside.join(' ').includes(phrase.join(' ')));
            expect(isTerm || isPhrase, `highlight "${hit.text.slice(start, end)}" for ${q}`).toBe(true);
          }
          for (const fragment of [hit.snippet, ...(hit.fragments ?? [])]) {
            expect(hit.text).toContain(plainOf(fragment));
            // Every token of a matched term that lies inside the fragment is inside a mark.
            const shown = plainOf(fragment);
            const offset = hit.text.indexOf(shown);
            for (const token of tokens) {
              if (token.start < offset || token.end > offset + shown.length || !stems.has(stem(token.term))) continue;
              const marked = hit.highlights.some(([start, end]) => start <= token.start && token.end <= end);
              expect(marked, `unmarked "${hit.text.slice(token.start, token.end)}" in ${fragment}`).toBe(true);
            }
            for (const mark of marksOf(fragment)) expect(hit.text).toContain(mark);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('escapes markup from the article and keeps the marks', () => {
    const library = libraryOf([makeArticle({ id: 'x', paragraphs: ['The <script>alert("truce")</script> & the <b>truce</b> held.'] })]);
    const [hit] = search(library, 'truce').hits;
    expect(hit?.snippet).toBe('The &lt;script&gt;alert(&quot;<mark>truce</mark>&quot;)&lt;/script&gt; &amp; the &lt;b&gt;<mark>truce</mark>&lt;/b&gt; held.');
  });

  it('cuts a long paragraph near the best passage with ellipses only where text was cut', () => {
    const filler = 'Markets were calm and traders waited for news from the capital. ';
    const text = `${filler.repeat(6)}The ceasefire talks resumed in Doha on Monday. ${filler.repeat(6)}`;
    const library = libraryOf([makeArticle({ id: 'long', paragraphs: [text] })]);
    const [hit] = search(library, 'ceasefire talks').hits;
    expect(hit?.snippet.startsWith('…')).toBe(true);
    expect(hit?.snippet.endsWith('…')).toBe(true);
    expect(hit?.snippet).toContain('<mark>ceasefire</mark> <mark>talks</mark>');
    expect(plainOf(hit?.snippet ?? '').length).toBeLessThanOrEqual(260);
  });

  it('marks stemmed, prefix and fuzzy matches at their surface form', () => {
    const library = libraryOf([makeArticle({ id: 's', paragraphs: ['Talks on the cease-fire with Haniyeh continued.'] })]);
    const marks = (q: string) => marksOf(search(library, q).hits[0]?.snippet ?? '');
    expect(marks('talk')).toEqual(['Talks']);
    expect(marks('ceasefire')).toEqual(['cease-fire']);
    expect(marks('contin*')).toEqual(['continued']);
    expect(marks('haniyah~')).toEqual(['Haniyeh']);
    expect(marks('"the cease-fire"')).toEqual(['the cease-fire']);
  });

  it('does not mark excluded terms or OR branches that did not match', () => {
    const library = libraryOf([makeArticle({ id: 'o', paragraphs: ['The truce held in Gaza.', 'Gaza and the truce, said Hamas.'] })]);
    const [hit] = search(library, '(truce OR "hamas truce") -hamas').hits;
    expect(marksOf(hit?.snippet ?? '')).toEqual(['truce']);
    const [other] = search(library, 'gaza -hamas').hits;
    expect(marksOf(other?.snippet ?? '')).toEqual(['Gaza']);
  });
});
