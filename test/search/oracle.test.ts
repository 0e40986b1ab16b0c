/**
 * The search API against a brute-force oracle: small random corpora and queries, the result set
 * and `total` compared with a scan of every paragraph's analyzer tokens. The oracle is written
 * here from the spec (SPEC §3–§4), independently of the parser, the engine and verify.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, stem, termsOf, type Analysis } from '../../src/text/analyzer.ts';
import type { SearchResponse } from '../../src/service/search-service.ts';
import { appOf, makeArticle } from '../helpers.ts';

/** Words with inflections, case, accents, possessives and hyphens: the cases the analyzer folds. */
const VOCABULARY = ['truce', 'truces', 'Truce', 'gaza', 'Gaza', 'talk', 'talks', 'talked', 'iran', "Iran's", 'qatar', 'ceasefire', 'cease-fire', 'four-day', 'four', 'day', 'hamas', 'chief', 'U.S.', 'war', 'élan', 'Elan', 'the'];
/** Single-token query words (so the oracle needs no hyphen logic on the query side). */
const QUERY_WORDS = ['truce', 'truces', 'gaza', 'talk', 'talks', 'iran', 'qatar', 'ceasefire', 'four', 'day', 'hamas', 'chief', 'us', 'war', 'elan', 'the', 'fire', 'cease'];

type Clause =
  | { kind: 'term'; word: string }
  | { kind: 'phrase'; words: string[]; slop: number }
  | { kind: 'or'; left: Clause; right: Clause };
type Query = { must: Clause[]; not: Array<Extract<Clause, { kind: 'term' | 'phrase' }>> };

const word = fc.constantFrom(...QUERY_WORDS);
const term = word.map((w): Clause => ({ kind: 'term', word: w }));
const phrase = fc
  .record({ words: fc.array(word, { minLength: 1, maxLength: 3 }), slop: fc.constantFrom(0, 0, 1, 2) })
  .map(({ words, slop }): Clause => ({ kind: 'phrase', words, slop }));
const leaf = fc.oneof(term, term, phrase);
const clause: fc.Arbitrary<Clause> = fc.oneof(leaf, leaf, fc.record({ left: leaf, right: leaf }).map(({ left, right }): Clause => ({ kind: 'or', left, right })));
const query: fc.Arbitrary<Query> = fc.record({
  must: fc.array(clause, { minLength: 1, maxLength: 3 }),
  not: fc.array(fc.oneof(term, phrase) as fc.Arbitrary<Extract<Clause, { kind: 'term' | 'phrase' }>>, { maxLength: 2 }),
});

const paragraph = fc.array(fc.constantFrom(...VOCABULARY), { minLength: 1, maxLength: 12 }).chain((words) =>
  fc.array(fc.constantFrom(' ', ' ', ', ', '. ', ' — '), { minLength: words.length, maxLength: words.length }).map((gaps) =>
    words.map((w, i) => `${w}${i < words.length - 1 ? gaps[i] : '.'}`).join(''),
  ),
);
const corpus = fc.array(
  fc.record({ title: fc.array(fc.constantFrom(...VOCABULARY), { minLength: 1, maxLength: 4 }).map((ws) => ws.join(' ')), paragraphs: fc.array(paragraph, { minLength: 1, maxLength: 4 }) }),
  { minLength: 1, maxLength: 6 },
);

function render(c: Clause): string {
  switch (c.kind) {
    case 'term':
      return c.word;
    case 'phrase':
      return `"${c.words.join(' ')}"${c.slop > 0 ? `~${c.slop}` : ''}`;
    case 'or':
      return `(${render(c.left)} OR ${render(c.right)})`;
  }
}

function renderQuery(q: Query): string {
  return [...q.must.map(render), ...q.not.map((c) => `-${render(c)}`)].join(' ');
}

/** In order, at most `slop` other tokens in between in total: tried over every tuple of positions. */
function hasPhrase(tokens: string[], words: string[], slop: number): boolean {
  const search = (from: number, index: number, first: number): boolean => {
    if (index === words.length) return true;
    for (let p = from; p < tokens.length; p += 1) {
      if (tokens[p] !== words[index]) continue;
      const start = index === 0 ? p : first;
      if (p - start - index > slop) break;
      if (search(p + 1, index + 1, start)) return true;
    }
    return false;
  };
  return search(0, 0, 0);
}

function fieldMatches(c: Extract<Clause, { kind: 'term' | 'phrase' }>, field: Analysis): boolean {
  if (c.kind === 'term') return termsOf(field).some((t) => stem(t) === stem(c.word));
  return hasPhrase(field.tokens.map((t) => t.term), c.words, c.slop);
}

function oracle(c: Clause, title: Analysis, text: Analysis): boolean {
  if (c.kind === 'or') return oracle(c.left, title, text) || oracle(c.right, title, text);
  return fieldMatches(c, title) || fieldMatches(c, text);
}

describe('GET /search against a brute-force scan', () => {
  it('returns exactly the paragraphs that match terms, AND, OR, exclusions, phrases and slop', async () => {
    await fc.assert(
      fc.asyncProperty(corpus, query, async (articles, q) => {
        const fixtures = articles.map((a, i) => makeArticle({ id: `a${i}`, title: a.title, paragraphs: a.paragraphs }));
        const app = appOf(fixtures);
        const expected: string[] = [];
        for (const article of fixtures) {
          const title = analyze(article.title);
          article.paragraphs.forEach((text, index) => {
            const analysis = analyze(text);
            const ok = q.must.every((c) => oracle(c, title, analysis)) && !q.not.some((c) => oracle(c, title, analysis));
            if (ok) expected.push(`${article.id}:${index + 1}`);
          });
        }
        const response = await app.request(`/search?q=${encodeURIComponent(renderQuery(q))}&limit=100`);
        expect(response.status).toBe(200);
        const body = (await response.json()) as SearchResponse;
        expect(body.total).toBe(expected.length);
        expect(body.hits.map((hit) => hit.id).sort()).toEqual(expected.sort());
      }),
      { numRuns: 300 },
    );
  });
});
