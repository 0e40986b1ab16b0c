/**
 * Where posting blocks are stored (schema migration 10): a block that fits a page stays in its
 * row, a larger one goes to TOAST; a database written before migration 10, its blocks in TOAST,
 * has them brought back into their rows by it, and answers as before.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_REQUEST } from '../../../src/backends/backend.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { makeArticle } from '../../helpers.ts';
import { freshDatabase, queryOn } from './database.ts';

/** The sizes of the values the postings table keeps in its TOAST table (live chunks, by value), smallest first. */
async function toasted(url: string): Promise<number[]> {
  const [{ toast }] = (await queryOn(url, "SELECT reltoastrelid::regclass::text AS toast FROM pg_class WHERE oid = 'postings'::regclass")) as [{ toast: string }];
  const rows = (await queryOn(url, `SELECT sum(length(chunk_data))::int AS size FROM ${toast} GROUP BY chunk_id ORDER BY 1`)) as Array<{ size: number }>;
  return rows.map((row) => row.size);
}

/** The sizes of the blocks longer than `bytes`, smallest first. */
async function blocksOver(url: string, bytes: number): Promise<number[]> {
  const rows = (await queryOn(url, 'SELECT length(data) AS size FROM postings WHERE length(data) > $1 ORDER BY 1', [bytes])) as Array<{ size: number }>;
  return rows.map((row) => row.size);
}

describe('posting blocks', () => {
  it('stay in their rows when they fit a page; migration 10 brings those of an older database back from TOAST', async () => {
    const database = await freshDatabase();
    const url = database.url;
    try {
      // "truce" in 2,100 paragraphs of one article: a full block of 2,048 entries and one of 52;
      // "ferries" in 300 of them: one block of 3,000 bytes, over the 2 KB PostgreSQL's default sends to TOAST.
      const paragraphs = Array.from({ length: 2100 }, (_, n) => (n % 7 === 0 ? 'Truce held as ferries sailed.' : 'Truce held.'));
      const articles = [makeArticle({ id: 'long', title: 'Truce', paragraphs }), makeArticle({ id: 'short', title: 'Ferries', paragraphs: ['Ferries sailed.'] })];
      const backend = await createPostgresBackend({ url });
      await backend.putArticles(articles);
      const queries = ['truce', 'ferries', 'truce ferries', 'sailed -truce'];
      const before = await Promise.all(queries.map((q) => backend.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)));
      await backend.close();
      // In TOAST: the full block of "truce" (and of "held"), 20,480 bytes each; in their rows, the others, "ferries" among them.
      expect(await toasted(url)).toEqual([20480, 20480]);
      expect(await blocksOver(url, 2000)).toEqual(expect.arrayContaining([3000, 20480, 20480]));

      // The database as migration 9 left it: the default target, every block over 2 KB in TOAST.
      await queryOn(url, `ALTER TABLE postings RESET (toast_tuple_target); UPDATE postings SET data = data || ''::bytea; DELETE FROM schema_migrations WHERE version = 10`);
      expect(await toasted(url)).toEqual(await blocksOver(url, 2000));

      const lines: string[] = [];
      const upgraded = await createPostgresBackend({ url, log: (line) => lines.push(line) });
      try {
        expect(lines.filter((line) => line.includes('applying migration'))).toEqual(['postgres: applying migration 10 (small posting blocks in their rows)']);
        expect(await toasted(url)).toEqual([20480, 20480]);
        expect(await Promise.all(queries.map((q) => upgraded.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)))).toEqual(before);
        // New blocks stay in their rows too: "ferries", "sailed" and "again" in 400 paragraphs, 4,000 bytes each.
        await upgraded.putArticles([makeArticle({ id: 'more', title: 'Ferries', paragraphs: Array.from({ length: 400 }, () => 'Ferries sailed again.') })]);
        expect(await blocksOver(url, 3500)).toEqual([4000, 4000, 4000, 20480, 20480]);
        expect(await toasted(url)).toEqual([20480, 20480]);
      } finally {
        await upgraded.close();
      }
      expect(before.map((search) => search.total)).toEqual([2100, 301, 300, 1]);
    } finally {
      await database.drop();
    }
  }, 120_000);
});
