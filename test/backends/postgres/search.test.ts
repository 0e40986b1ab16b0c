/**
 * The PostgreSQL backend against the embedded one (SPEC §9: both give the same answers): random
 * small corpora built into both, random queries of every kind of SPEC §4 with random filters,
 * sorts, grouping, facets, modes and pages. Totals, relaxed, facets and expansions are equal;
 * pages hold the same paragraphs in the same order up to score ties (tie groups compared as sets);
 * scores agree within 1e-6 relative.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SearchRequest } from '../../../src/backends/backend.ts';
import type { Article } from '../../../src/ingest/article.ts';
import { executeSearch } from '../../../src/backends/embedded/execute.ts';
import { libraryCounts } from '../../../src/backends/embedded/library.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import type { ParsedQuery } from '../../../src/search/query.ts';
import { libraryOf, makeArticle, readSeed } from '../../helpers.ts';
import { useFreshBackend } from './database.ts';
import { expectSameAnswer } from './parity.ts';

const fresh = useFreshBackend();

/** Words with inflections, case, accents, possessives, hyphens, contractions, acronyms and numbers: the cases the analyzer folds. */
const VOCABULARY = ['truce', 'truces', 'Truce', 'gaza', 'Gaza', 'talk', 'talks', 'talked', 'iran', "Iran's", 'qatar', 'ceasefire', 'cease-fire', 'four-day', 'four', 'day', 'hamas', 'chief', 'U.S.', 'us', 'war', 'wars', 'élan', 'Elan', 'the', "we're", 'were', "can't", 'can', 'fire', '3.5', 'connect-ion', 'connection'];
const QUERY_WORDS = ['truce', 'truces', 'gaza', 'talk', 'talks', 'iran', 'qatar', 'ceasefire', 'cease-fire', 'four', 'day', 'hamas', 'chief', 'us', 'war', 'elan', 'the', 'fire', 'cease', "we're", 'were', 'can', 'connection', 'connect'];
const SEPARATORS = [' ', ' ', ' ', ' ', ', ', '. ', '! ', '? ', ' — '];
const SOURCES = ['Wire One', 'wire one', 'Other Wire', null];
const DATES = ['2023-11-01', '2023-11-24T10:00:00.000Z', '2023-12-05', '2024-01-15T08:30:00.000Z', null];

const text = (maxWords: number) =>
  fc.array(fc.constantFrom(...VOCABULARY), { minLength: 1, maxLength: maxWords }).chain((words) =>
    fc.array(fc.constantFrom(...SEPARATORS), { minLength: words.length, maxLength: words.length }).map((gaps) => words.map((w, i) => `${w}${i < words.length - 1 ? gaps[i] : '.'}`).join('')),
  );

const corpus: fc.Arbitrary<Article[]> = fc
  .array(
    fc.record({
      title: text(4),
      paragraphs: fc.oneof(fc.array(text(12), { minLength: 1, maxLength: 4 }), fc.array(text(6), { minLength: 9, maxLength: 11 })),
      source: fc.constantFrom(...SOURCES),
      date: fc.constantFrom(...DATES),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((records) => records.map((record, i) => makeArticle({ id: `a${i + 1}`, ...record })));

const word = fc.constantFrom(...QUERY_WORDS);
const field = fc.constantFrom('', '', '', 'title:', 'text:');
const term = fc.tuple(field, word).map(([f, w]) => `${f}${w}`);
const phrase = fc
  .tuple(field, fc.array(word, { minLength: 1, maxLength: 3 }), fc.constantFrom(0, 0, 1, 2))
  .map(([f, words, slop]) => `${f}"${words.join(' ')}"${slop > 0 ? `~${slop}` : ''}`);
const prefix = fc.tuple(field, fc.constantFrom('tal', 'talk', 'talks', 'tru', 'truces', 'ga', 'cease', 'ceasef', 'el', 'fo', 'we', 'conn')).map(([f, p]) => `${f}${p}*`);
const fuzzy = fc
  .tuple(field, fc.constantFrom('truse', 'talkz', 'gazza', 'chef', 'hamaz', 'ceasfire', 'wars', 'elam', 'th', 'wer'), fc.constantFrom('~', '~1', '~2'))
  .map(([f, w, d]) => `${f}${w}${d}`);
const wildcard = fc.tuple(field, fc.constantFrom('t?lk', 'tr*e', 'ta*s', '*ire', 'g?za', 'ce*fire', 'h?m?s', '*ar', 'zz*q')).map(([f, p]) => `${f}${p}`);
const leaf = fc.oneof(term, term, term, phrase, prefix, fuzzy, wildcard);
const connector = fc.oneof(
  fc.tuple(fc.constantFrom('w', 'pre'), fc.integer({ min: 1, max: 4 })).map(([kind, n]) => `${kind}/${n}`),
  fc.constantFrom('w/s', 'w/p'),
);
const group = fc.oneof(
  fc.tuple(leaf, leaf).map(([a, b]) => `(${a} OR ${b})`),
  fc.tuple(leaf, leaf).map(([a, b]) => `(${a} ${b})`),
  fc.tuple(leaf, leaf).map(([a, b]) => `(${a} -${b})`),
  fc.tuple(fc.constantFrom('title:', 'text:'), leaf, leaf).map(([f, a, b]) => `${f}(${a} OR ${b})`),
);
const operand = fc.oneof(term, term, phrase, group);
const near = fc
  .array(operand, { minLength: 2, maxLength: 3 })
  .chain((operands) => fc.array(connector, { minLength: operands.length - 1, maxLength: operands.length - 1 }).map((links) => operands.map((o, i) => (i === 0 ? o : `${links[i - 1]} ${o}`)).join(' ')));
const clause = fc.oneof(leaf, leaf, leaf, group, near.map((n) => `(${n})`), fc.tuple(leaf, leaf, leaf).map(([a, b, c]) => `${a} OR ${b} OR ${c}`));
const query = fc
  .tuple(fc.array(clause, { minLength: 1, maxLength: 4 }), fc.array(fc.oneof(leaf, group), { maxLength: 2 }), fc.constantFrom(' ', ' AND ', ' && '), fc.constantFrom('-', 'NOT ', '!'))
  .map(([must, not, and, neg]) => [must.join(and), ...not.map((c) => `${neg}${c}`)].join(' '));

const request: fc.Arbitrary<SearchRequest> = fc.record({
  limit: fc.integer({ min: 1, max: 12 }),
  offset: fc.constantFrom(0, 0, 0, 1, 3, 8),
  sources: fc.oneof(fc.constant<string[]>([]), fc.constant<string[]>([]), fc.subarray(['WIRE ONE', 'Other Wire', 'nobody'], { minLength: 1 })),
  from: fc.constantFrom(null, null, '2023-11-24', '2023-12-01'),
  to: fc.constantFrom(null, null, '2023-12-05', '2024-01-01'),
  sort: fc.constantFrom('relevance' as const, 'relevance' as const, 'newest' as const, 'oldest' as const),
  group: fc.constantFrom('paragraph' as const, 'paragraph' as const, 'article' as const),
  facets: fc.subarray(['source' as const, 'month' as const]),
  mode: fc.constantFrom('default' as const, 'default' as const, 'all' as const, 'any' as const),
  collapse: fc.constant('none' as const),
});

describe('search (PostgreSQL against the embedded backend)', () => {
  it('answers random queries over random corpora as the embedded backend does', async () => {
    await fc.assert(
      fc.asyncProperty(corpus, fc.array(fc.tuple(query, request), { minLength: 1, maxLength: 10 }), async (articles, searches) => {
        const library = libraryOf(articles);
        await fresh.backend.putArticles(articles);
        try {
          const stats = await fresh.backend.stats();
          const counts = libraryCounts(library);
          expect({ articles: stats.articles, paragraphs: stats.paragraphs, terms: stats.terms, sources: stats.sources }).toEqual(counts);
          for (const [q, req] of searches) {
            let parsed: ParsedQuery;
            try {
              parsed = parseQuery(q);
            } catch {
              continue; // nothing positive to find: refused before any backend sees it
            }
            const outcome = executeSearch(library, parsed, req);
            const full = executeSearch(library, parsed, { ...req, offset: 0, limit: 1000 });
            const actual = await fresh.backend.search(parsed, req);
            expectSameAnswer(articles, parsed, req, outcome, full, actual);
          }
        } finally {
          for (const article of articles) await fresh.backend.deleteArticle(article.id);
        }
        const emptied = await fresh.backend.stats();
        expect({ articles: emptied.articles, paragraphs: emptied.paragraphs, terms: emptied.terms }).toEqual({ articles: 0, paragraphs: 0, terms: 0 });
      }),
      { seed: 14, numRuns: 150 },
    );
  }, 240_000);

  it('finds the seed article as the embedded backend does', async () => {
    const seed = await readSeed();
    const library = libraryOf([seed]);
    await fresh.backend.putArticles([seed]);
    try {
      for (const q of ['ceasefire', 'hamas haniyeh', '"four-day truce"', 'cease*', 'haniya~', 'hamas w/5 haniyeh', 'gaza -israel', 'iran OR qatar', 'title:ceasefire', 'israel w/s support']) {
        const parsed = parseQuery(q);
        const req: SearchRequest = { limit: 10, offset: 0, sources: [], from: null, to: null, sort: 'relevance', group: 'paragraph', facets: ['source', 'month'], mode: 'default', collapse: 'none' };
        expectSameAnswer([seed], parsed, req, executeSearch(library, parsed, req), executeSearch(library, parsed, { ...req, limit: 1000 }), await fresh.backend.search(parsed, req));
      }
    } finally {
      await fresh.backend.deleteArticle(seed.id);
    }
  });
});
