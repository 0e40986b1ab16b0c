/**
 * The posting blocks in order of lexeme (schema migration 12, `orderPostings`): batches write
 * each lexeme's blocks at the table's end, among the other words of their batch; ordering puts
 * each lexeme's side by side, and changes no answer. The rewrite leaves the visibility map empty:
 * migration 14 and `orderPostings` vacuum the table after it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_REQUEST, type BackendSearch } from '../../../src/backends/backend.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { makeArticle } from '../../helpers.ts';
import { blocksOutOfOrder, freshDatabase, queryOn, visiblePostingPages } from './database.ts';

/** Batch `n`: 300 articles on ferries and the harbour, a word of the batch's own in each. */
function batch(n: number) {
  return Array.from({ length: 300 }, (_, i) =>
    makeArticle({ id: `b${n}-${i}`, title: `Harbour ${n}`, paragraphs: [`Ferries crossed the harbour at dawn, tally${n}x${i % 7}.`, `Gulls over the ${n % 2 === 0 ? 'quay' : 'pier'}.`] }),
  );
}

const QUERIES = ['ferries', 'harbour gulls', 'tally2x3', '"the harbour"', 'ferries -tally0x1', 'title:harbour pier'];

/** Writes batches 0 to 2 into the database of `url`, on a backend of its own; returns what {@link QUERIES} then find. */
async function writeBatches(url: string): Promise<BackendSearch[]> {
  const backend = await createPostgresBackend({ url });
  try {
    for (let n = 0; n < 3; n++) await backend.putArticles(batch(n));
    return await Promise.all(QUERIES.map((q) => backend.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)));
  } finally {
    await backend.close();
  }
}

describe('posting blocks in order of lexeme', () => {
  it('migration 12 orders the blocks of a database written batch by batch, and orderPostings those written since; answers unchanged', async () => {
    const database = await freshDatabase();
    const url = database.url;
    try {
      const before = await writeBatches(url);
      // Three batches: each lexeme's blocks (new ones, and the rewritten small ones) after the other words of its batch.
      expect(await blocksOutOfOrder(url)).toBeGreaterThan(0);

      // The database as it was before migration 12.
      await queryOn(url, 'DELETE FROM schema_migrations WHERE version = 12');
      const lines: string[] = [];
      const upgraded = await createPostgresBackend({ url, log: (line) => lines.push(line) });
      try {
        expect(lines.filter((line) => line.includes('applying migration'))).toEqual(['postgres: applying migration 12 (posting blocks in order of lexeme)']);
        expect(await blocksOutOfOrder(url)).toBe(0);
        expect(await Promise.all(QUERIES.map((q) => upgraded.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)))).toEqual(before);

        // Blocks written since are at the table's end again, until orderPostings.
        await upgraded.putArticles(batch(3));
        expect(await blocksOutOfOrder(url)).toBeGreaterThan(0);
        const after = await Promise.all(QUERIES.map((q) => upgraded.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)));
        const [{ blocks }] = (await queryOn(url, 'SELECT count(*)::int AS blocks FROM postings')) as [{ blocks: number }];
        const ordered = await upgraded.orderPostings();
        expect(ordered.blocks).toBe(blocks);
        expect(ordered.bytesAfter).toBeGreaterThan(0);
        expect(await blocksOutOfOrder(url)).toBe(0);
        expect(await Promise.all(QUERIES.map((q) => upgraded.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)))).toEqual(after);
        expect(after.map((search) => search.total)).toEqual([1200, 1200, 43, 1200, 1157, 600]);
      } finally {
        await upgraded.close();
      }
      expect(before.map((search) => search.total)).toEqual([900, 900, 43, 900, 857, 300]);
    } finally {
      await database.drop();
    }
  }, 120_000);

  it('migration 14 and orderPostings leave the table vacuumed after a rewrite, so that where blocks lie is read from their index alone', async () => {
    const database = await freshDatabase();
    const url = database.url;
    try {
      await writeBatches(url);
      // A database ordered by migration 12 before migration 14: its visibility map empty.
      await queryOn(url, 'CLUSTER postings USING postings_pkey');
      await queryOn(url, 'DELETE FROM schema_migrations WHERE version = 14; ALTER TABLE postings RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor)');
      expect((await visiblePostingPages(url)).visible).toBe(0);
      const lines: string[] = [];
      const upgraded = await createPostgresBackend({ url, log: (line) => lines.push(line) });
      try {
        expect(lines.filter((line) => line.includes('migration'))).toEqual(['postgres: applying migration 14 (posting blocks visible to index-only scans)']);
        // Vacuumed (other transactions may keep a page from being marked: not all of them asked).
        expect((await visiblePostingPages(url)).visible).toBeGreaterThan(0);
        const [options] = (await queryOn(url, "SELECT reloptions FROM pg_class WHERE relname = 'postings'")) as [{ reloptions: string[] }];
        expect(options.reloptions).toEqual(expect.arrayContaining(['autovacuum_vacuum_scale_factor=0.01', 'autovacuum_vacuum_insert_scale_factor=0.01']));

        // orderPostings rewrites the table again, and vacuums it after.
        await upgraded.putArticles(batch(3));
        await upgraded.orderPostings();
        expect((await visiblePostingPages(url)).visible).toBeGreaterThan(0);
        expect((await upgraded.search(parseQuery('ferries'), DEFAULT_SEARCH_REQUEST)).total).toBe(1200);
      } finally {
        await upgraded.close();
      }
    } finally {
      await database.drop();
    }
  }, 120_000);
});
