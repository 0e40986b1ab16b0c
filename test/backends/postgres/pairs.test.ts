/**
 * Phrases on the PostgreSQL backend find their candidates by the pairs of their words that follow
 * each other (schema migration 9): on a corpus of a few words, which stand side by side in some
 * paragraphs and titles and apart in others, every phrase answers as on the embedded backend; a
 * database written before migration 9 finds no phrase without slop until the migration gives its
 * paragraphs the pairs the writer gives them.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_REQUEST, type SearchBackend, type SearchRequest } from '../../../src/backends/backend.ts';
import { executeSearch } from '../../../src/backends/embedded/execute.ts';
import type { Article } from '../../../src/ingest/article.ts';
import { openDatabase } from '../../../src/backends/postgres/connection.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { runSearch } from '../../../src/backends/postgres/search.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { createPrng } from '../../../src/bench/queries.ts';
import { libraryOf, makeArticle } from '../../helpers.ts';
import { freshDatabase, queryOn } from './database.ts';
import { expectSameAnswer } from './parity.ts';

const WORDS = ['oil', 'prices', 'rose', 'sharply', 'banks', 'said', 'Oil', 'price'];

/** Article `n`: a title and one to three paragraphs of up to twelve of {@link WORDS}, drawn at random. */
function article(n: number, random: () => number): Article {
  const words = (most: number) => Array.from({ length: 1 + Math.floor(random() * most) }, () => WORDS[Math.floor(random() * WORDS.length)] as string).join(' ');
  return makeArticle({ id: `p${String(n).padStart(3, '0')}`, title: words(4), paragraphs: Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${words(12)}.`) });
}

/** Phrases of two and three words, without slop and with, in either field and in the title only. */
const QUERIES = [
  '"oil prices"',
  '"prices oil"',
  '"oil prices rose"',
  '"rose sharply said"',
  '"oil oil"',
  '"banks said" prices',
  'title:"oil prices"',
  '"oil prices"~1',
  '"oil rose"~2',
  'oil -"prices rose"',
  '"said banks" OR "sharply rose"',
];

const REQUESTS: Array<Partial<SearchRequest>> = [{}, { limit: 3, offset: 4 }];

async function expectSameAsEmbedded(backend: SearchBackend, articles: readonly Article[]): Promise<void> {
  const library = libraryOf(articles);
  for (const q of QUERIES) {
    const parsed = parseQuery(q);
    for (const fields of REQUESTS) {
      const request: SearchRequest = { ...DEFAULT_SEARCH_REQUEST, ...fields };
      const outcome = executeSearch(library, parsed, request);
      expectSameAnswer(articles, parsed, request, outcome, executeSearch(library, parsed, { ...request, offset: 0, limit: 1000 }), await backend.search(parsed, request));
    }
  }
}

describe('word pairs', () => {
  it('find the paragraphs of a phrase; migration 9 gives them to a database written before it', async () => {
    const database = await freshDatabase();
    const url = database.url;
    try {
      const random = createPrng(5);
      const articles = Array.from({ length: 120 }, (_, n) => article(n, random));
      const library = libraryOf(articles);
      const total = (q: string) => executeSearch(library, parseQuery(q), DEFAULT_SEARCH_REQUEST).total;
      // The corpus holds both kinds: paragraphs with the words side by side, and with them apart only.
      expect(total('"oil prices"')).toBeGreaterThan(0);
      expect(total('oil prices')).toBeGreaterThan(total('"oil prices"'));
      expect(total('title:"oil prices"')).toBeGreaterThan(0);

      const backend = await createPostgresBackend({ url });
      await backend.putArticles(articles);
      await expectSameAsEmbedded(backend, articles);
      await backend.close();
      const tsv = 'SELECT article_id, n, tsv::text AS tsv FROM paragraphs ORDER BY article_id, n';
      const written = await queryOn(url, tsv);
      expect(JSON.stringify(written)).toContain("'poil prices'");
      expect(JSON.stringify(written)).toContain("'qoil prices'");

      // The database as migration 8 left it: no pairs in the tsvectors.
      await queryOn(
        url,
        `UPDATE paragraphs SET tsv = array_to_tsvector(ARRAY(SELECT l FROM unnest(tsvector_to_array(tsv)) AS l WHERE left(l, 1) NOT IN ('p', 'q')));
         DELETE FROM schema_migrations WHERE version = 9`,
      );
      const db = openDatabase(url, () => undefined, 1);
      try {
        // A phrase without slop looks its pairs up: none are there. With slop, it looks up its words.
        expect((await runSearch(db, parseQuery('"oil prices"'), DEFAULT_SEARCH_REQUEST)).total).toBe(0);
        expect((await runSearch(db, parseQuery('"oil prices"~1'), DEFAULT_SEARCH_REQUEST)).total).toBe(total('"oil prices"~1'));
      } finally {
        await db.close();
      }

      const lines: string[] = [];
      const upgraded = await createPostgresBackend({ url, log: (line) => lines.push(line) });
      try {
        expect(lines.filter((line) => line.includes('applying migration'))).toEqual(['postgres: applying migration 9 (word pairs in the tsvector)']);
        expect(await queryOn(url, tsv)).toEqual(written);
        await expectSameAsEmbedded(upgraded, articles);
      } finally {
        await upgraded.close();
      }
    } finally {
      await database.drop();
    }
  }, 120_000);
});
