/**
 * The ids and dates of a page's articles, found by number (schema migration 13): read from the
 * index of article numbers alone, not from the articles' rows; the same answers as before it.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_REQUEST } from '../../../src/backends/backend.ts';
import { ARTICLE_KEYS_SQL } from '../../../src/backends/postgres/articles.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { makeArticle } from '../../helpers.ts';
import { freshDatabase, queryOn } from './database.ts';

/**
 * The plan's text of the page's lookup of `arts`, run (EXPLAIN ANALYZE), with sequential scans
 * off as a search runs, and bitmap scans off too: on a table of one page the planner may take
 * either, where at 100x Reuters it takes the index-only scan; the question here is whether the
 * index alone can answer.
 */
async function plan(url: string, arts: readonly number[]): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET enable_seqscan = off');
    await client.query('SET enable_bitmapscan = off');
    const { rows } = await client.query(`EXPLAIN (ANALYZE, COSTS OFF) ${ARTICLE_KEYS_SQL}`, [arts]);
    return (rows as Array<{ 'QUERY PLAN': string }>).map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

describe('article keys', () => {
  it('come from the index of article numbers alone since migration 13, with the same answers', async () => {
    const database = await freshDatabase();
    const url = database.url;
    try {
      const articles = Array.from({ length: 40 }, (_, i) => makeArticle({ id: `wire-${i}`, title: `Harbour ${i}`, date: `2024-03-${String((i % 28) + 1).padStart(2, '0')}`, paragraphs: ['Ferries crossed at dawn.', `Tally ${i}.`] }));
      const backend = await createPostgresBackend({ url });
      await backend.putArticles(articles);
      const queries = ['ferries', 'ferries dawn', 'tally', 'harbour -ferries'];
      const before = await Promise.all(queries.map((q) => backend.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)));
      await backend.close();
      // Whether the scan then fetches rows is up to the visibility map (vacuum, and the other
      // transactions running): an index-only scan is one the index can answer alone.
      await queryOn(url, 'VACUUM articles');
      const arts = ((await queryOn(url, 'SELECT art FROM articles ORDER BY art LIMIT 10')) as Array<{ art: number }>).map((row) => row.art);
      expect(await plan(url, arts)).toMatch(/Index Only Scan using articles_art on articles/u);

      // The database as it was before migration 13: the index of numbers holds the numbers only.
      await queryOn(url, 'DROP INDEX articles_art; CREATE UNIQUE INDEX articles_art ON articles (art); DELETE FROM schema_migrations WHERE version = 13');
      expect(await plan(url, arts)).not.toMatch(/Index Only Scan/u);
      const lines: string[] = [];
      const upgraded = await createPostgresBackend({ url, log: (line) => lines.push(line) });
      try {
        expect(lines.filter((line) => line.includes('applying migration'))).toEqual(['postgres: applying migration 13 (article ids and dates in the index of article numbers)']);
        expect(await plan(url, arts)).toMatch(/Index Only Scan using articles_art on articles/u);
        expect(await Promise.all(queries.map((q) => upgraded.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)))).toEqual(before);
        // Still unique: a number is one article's.
        await expect(queryOn(url, `UPDATE articles SET art = ${arts[0]} WHERE art = ${arts[1]}`)).rejects.toThrow(/duplicate key value violates unique constraint "articles_art"/u);
      } finally {
        await upgraded.close();
      }
      expect(before.map((search) => search.total)).toEqual([40, 40, 40, 40]);
      expect(new Set(before[0]?.hits.map((hit) => hit.article.id)).size).toBe(10);
    } finally {
      await database.drop();
    }
  }, 120_000);
});
