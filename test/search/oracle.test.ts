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
  | { kind: 'prefix'; prefix: string }
  | { kind: 'fuzzy'; word: string; distance: number }
  | { kind: 'phrase'; words: string[]; slop: number }
  | { kind: 'or'; left: Clause; right: Clause };
type Leaf = Exclude<Clause, { kind: 'or' }>;
type Query = { must: Clause[]; not: Leaf[] };

const word = fc.constantFrom(...QUERY_WORDS);
const term = word.map((w): Clause => ({ kind: 'term', word: w }));
const phrase = fc
  .record({ words: fc.array(word, { minLength: 1, maxLength: 3 }), slop: fc.constantFrom(0, 0, 1, 2) })
  .map(({ words, slop }): Clause => ({ kind: 'phrase', words, slop }));
/** Prefixes that hit whole stem families (`talk*`) and parts of them (`talks*`, `truces*`). */
const prefix = fc.constantFrom('tal', 'talk', 'talks', 'tru', 'truces', 'ga', 'cease', 'ceasef', 'el', 'fo').map((p): Clause => ({ kind: 'prefix', prefix: p }));
const fuzzy = fc.record({ word: fc.constantFrom('truse', 'talkz', 'gazza', 'chef', 'hamaz', 'ceasfire', 'wars', 'elam', 'th'), distance: fc.constantFrom(1, 2) }).map(({ word, distance }): Clause => ({ kind: 'fuzzy', word, distance }));
const leaf: fc.Arbitrary<Clause> = fc.oneof(term, term, phrase, prefix, fuzzy);
const clause: fc.Arbitrary<Clause> = fc.oneof(leaf, leaf, fc.record({ left: leaf, right: leaf }).map(({ left, right }): Clause => ({ kind: 'or', left, right })));
const query: fc.Arbitrary<Query> = fc.record({
  must: fc.array(clause, { minLength: 1, maxLength: 3 }),
  not: fc.array(fc.oneof(term, phrase, prefix, fuzzy) as fc.Arbitrary<Leaf>, { maxLength: 2 }),
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
    case 'prefix':
      return `${c.prefix}*`;
    case 'fuzzy':
      return `${c.word}~${c.distance}`;
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

/** Levenshtein distance, by the textbook table. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/**
 * A prefix or fuzzy term (SPEC §4, README "Query language") matches like its keyword and like
 * every word of the vocabulary (all index terms of the corpus) it expands to, each by stem.
 */
function expansionStems(c: Leaf, vocabulary: readonly string[]): Set<string> | null {
  if (c.kind === 'prefix') return new Set([stem(c.prefix), ...vocabulary.filter((t) => t.startsWith(c.prefix)).map(stem)]);
  if (c.kind !== 'fuzzy') return null;
  // SPEC §4 with AUTO fuzziness: no edit up to 2 characters, 1 up to 5, then as asked (max 2).
  const allowed = Math.min(c.distance, c.word.length <= 2 ? 0 : c.word.length <= 5 ? 1 : 2);
  return new Set([stem(c.word), ...vocabulary.filter((t) => editDistance(t, c.word) <= allowed).map(stem)]);
}

function fieldMatches(c: Leaf, field: Analysis, vocabulary: readonly string[]): boolean {
  const terms = termsOf(field);
  switch (c.kind) {
    case 'term':
      return terms.some((t) => stem(t) === stem(c.word));
    case 'prefix':
    case 'fuzzy': {
      const stems = expansionStems(c, vocabulary) as Set<string>;
      return terms.some((t) => stems.has(stem(t)));
    }
    case 'phrase':
      return hasPhrase(field.tokens.map((t) => t.term), c.words, c.slop);
  }
}

function oracle(c: Clause, title: Analysis, text: Analysis, vocabulary: readonly string[]): boolean {
  if (c.kind === 'or') return oracle(c.left, title, text, vocabulary) || oracle(c.right, title, text, vocabulary);
  return fieldMatches(c, title, vocabulary) || fieldMatches(c, text, vocabulary);
}

describe('GET /search against a brute-force scan', () => {
  it('returns exactly the paragraphs that match terms, AND, OR, exclusions, phrases and slop', async () => {
    await fc.assert(
      fc.asyncProperty(corpus, query, async (articles, q) => {
        const fixtures = articles.map((a, i) => makeArticle({ id: `a${i}`, title: a.title, paragraphs: a.paragraphs }));
        const app = appOf(fixtures);
        const vocabulary = fixtures.flatMap((article) => [article.title, ...article.paragraphs].flatMap((text) => termsOf(analyze(text))));
        const expected: string[] = [];
        for (const article of fixtures) {
          const title = analyze(article.title);
          article.paragraphs.forEach((text, index) => {
            const analysis = analyze(text);
            const ok = q.must.every((c) => oracle(c, title, analysis, vocabulary)) && !q.not.some((c) => oracle(c, title, analysis, vocabulary));
            if (ok) expected.push(`${article.id}:${index + 1}`);
          });
        }
        const response = await app.request(`/search?q=${encodeURIComponent(renderQuery(q))}&limit=100`);
        expect(response.status).toBe(200);
        const body = (await response.json()) as SearchResponse;
        expect(body.total).toBe(expected.length);
        expect(body.hits.map((hit) => hit.id).sort()).toEqual(expected.sort());
      }),
      { numRuns: 400 },
    );
  });
});
