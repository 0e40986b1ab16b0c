/**
 * Migrations of the PostgreSQL backend: applied once, in one transaction, even when two servers
 * start at once; a database indexed by another analyzer version is refused.
 */
import { describe, expect, it } from 'vitest';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { openDatabase } from '../../../src/backends/postgres/connection.ts';
import { migrate } from '../../../src/backends/postgres/migrations.ts';
import { MIGRATIONS } from '../../../src/backends/postgres/schema.ts';
import { makeArticle } from '../../helpers.ts';
import { freshDatabase, queryOn } from './database.ts';

describe('createPostgresBackend', () => {
  it('applies each migration once when two servers start at once, and none on a restart', async () => {
    const database = await freshDatabase();
    try {
      const lines: string[] = [];
      const log = (line: string) => lines.push(line);
      const [one, two] = await Promise.all([createPostgresBackend({ url: database.url, log }), createPostgresBackend({ url: database.url, log })]);
      await Promise.all([one.close(), two.close()]);
      expect(lines.filter((line) => line.includes('applying migration'))).toHaveLength(MIGRATIONS.length);
      const rows = await queryOn(database.url, 'SELECT version FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(MIGRATIONS.map((migration) => ({ version: migration.version })));
      lines.length = 0;
      const three = await createPostgresBackend({ url: database.url, log });
      await three.close();
      expect(lines).toEqual([]);
    } finally {
      await database.drop();
    }
  });

  it('adds the byline column to a database of version 1, whose articles keep their content hash', async () => {
    const database = await freshDatabase();
    try {
      const article = makeArticle({ id: 'old-1', paragraphs: ['Written before bylines.'] });
      const first = await createPostgresBackend({ url: database.url });
      await first.putArticles([article]);
      await first.close();
      // The database as migration 1 left it: no byline column, version 2 not recorded.
      await queryOn(database.url, 'ALTER TABLE articles DROP COLUMN byline; DELETE FROM schema_migrations WHERE version = 2');
      const lines: string[] = [];
      const upgraded = await createPostgresBackend({ url: database.url, log: (line) => lines.push(line) });
      try {
        expect(lines).toEqual(['postgres: applying migration 2 (articles.byline)']);
        expect(await upgraded.getArticle('old-1')).toEqual(article);
        expect(await upgraded.putArticles([article])).toEqual([{ id: 'old-1', status: 'unchanged', paragraphs: 1 }]);
        expect(await upgraded.putArticles([{ ...article, byline: 'Anna de Vries' }])).toEqual([{ id: 'old-1', status: 'updated', paragraphs: 1 }]);
        expect((await upgraded.getArticle('old-1'))?.byline).toBe('Anna de Vries');
      } finally {
        await upgraded.close();
      }
    } finally {
      await database.drop();
    }
  });

  it('records the copy clusters of articles written before copy detection, at the start after the migration', async () => {
    const database = await freshDatabase();
    try {
      const wire = ['Negotiators agreed on Tuesday to extend the truce by four days, officials said.', 'Talks are expected to resume on Friday, when prisoner exchanges will be discussed.'];
      const first = await createPostgresBackend({ url: database.url });
      await first.putArticles([
        makeArticle({ id: 'wire', date: '2023-11-28', paragraphs: wire }),
        makeArticle({ id: 'herald', date: '2023-11-29', paragraphs: ['(Local Herald) —', ...wire] }),
        makeArticle({ id: 'brief', paragraphs: ['Wheat prices fell.'] }),
      ]);
      await first.close();
      // As a database of version 3 was once migrated to 5: articles, and no copy tables' rows (migration 6 finds the backfill due).
      await queryOn(database.url, 'DELETE FROM copy_pairs; DELETE FROM copy_print_keys; DELETE FROM copy_prints; DROP TABLE copy_backfill; DELETE FROM schema_migrations WHERE version = 6');
      const lines: string[] = [];
      const second = await createPostgresBackend({ url: database.url, log: (line) => lines.push(line) });
      try {
        expect(lines).toContain('postgres: recorded the copy prints of 3 articles written before copy detection');
        expect(await second.copiesOf('herald')).toMatchObject({ copyOf: 'wire', copies: [{ id: 'wire' }] });
        expect(await second.copiesOf('brief')).toEqual({ copyOf: null, copies: [] });
      } finally {
        await second.close();
      }
      const third = await createPostgresBackend({ url: database.url, log: (line) => lines.push(line) });
      await third.close();
      expect(lines.filter((line) => line.includes('copy prints'))).toHaveLength(1);
    } finally {
      await database.drop();
    }
  });

  it('files the LSH keys of a database of version 6 by distinct print: copies found before and after it are one cluster', async () => {
    const database = await freshDatabase();
    try {
      const wire = ['Negotiators agreed on Tuesday to extend the truce by four days, officials said.', 'Talks are expected to resume on Friday, when prisoner exchanges will be discussed.'];
      const first = await createPostgresBackend({ url: database.url });
      await first.putArticles(['a', 'b', 'c'].map((id) => makeArticle({ id, date: '2023-11-28', paragraphs: wire })));
      await first.close();
      // Back to version 6: LSH keys by article, no print column.
      await queryOn(
        database.url,
        `CREATE TABLE copy_keys (key int NOT NULL, article_id text COLLATE "C" NOT NULL, PRIMARY KEY (key, article_id));
         CREATE INDEX copy_keys_article ON copy_keys (article_id);
         INSERT INTO copy_keys SELECT k.key, c.article_id FROM copy_print_keys AS k JOIN copy_prints AS c USING (print);
         DROP TABLE copy_print_keys; ALTER TABLE copy_prints DROP COLUMN print; DELETE FROM schema_migrations WHERE version = 7`,
      );
      const [before] = (await queryOn(database.url, 'SELECT count(*)::int AS n FROM copy_keys')) as Array<{ n: number }>;
      const second = await createPostgresBackend({ url: database.url });
      try {
        const [after] = (await queryOn(database.url, 'SELECT count(*)::int AS n, count(DISTINCT print)::int AS prints FROM copy_print_keys')) as Array<{ n: number; prints: number }>;
        expect(after).toEqual({ n: (before?.n ?? 0) / 3, prints: 1 });
        await second.putArticles([makeArticle({ id: 'd', date: '2023-11-27', paragraphs: wire })]);
        expect(await second.copiesOf('a')).toMatchObject({ copyOf: 'd', copies: [{ id: 'd' }, { id: 'b' }, { id: 'c' }] });
      } finally {
        await second.close();
      }
    } finally {
      await database.drop();
    }
  });

  it('refuses a database indexed by another version of the analyzer', async () => {
    const database = await freshDatabase();
    try {
      const backend = await createPostgresBackend({ url: database.url });
      await backend.putArticles([makeArticle({ id: 'a', paragraphs: ['Truce.'] })]);
      await backend.close();
      await queryOn(database.url, 'UPDATE corpus_totals SET analyzer_version = 999');
      await expect(createPostgresBackend({ url: database.url })).rejects.toThrow(/analyzer version 999/);
    } finally {
      await database.drop();
    }
  });

  it('fails with the reason when the database cannot be reached', async () => {
    await expect(createPostgresBackend({ url: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toThrow(/postgres: cannot prepare the database/);
  });

  it("runs a migration's after-step once it has committed, only when it applied it, and starts when that step fails", async () => {
    const database = await freshDatabase();
    const db = openDatabase(database.url, () => undefined, 1);
    try {
      const lines: string[] = [];
      const log = (line: string) => lines.push(line);
      const extra = [
        { version: 100, name: 'a note', sql: 'CREATE TABLE notes (n int)', after: 'INSERT INTO notes VALUES (1)' },
        { version: 101, name: 'a failing step', sql: 'SELECT 1', after: 'VACUUM no_such_table' },
      ];
      expect(await migrate(db, log, [...MIGRATIONS, ...extra])).toEqual([...MIGRATIONS.map((migration) => migration.version), 100, 101]);
      expect(lines).toContain('postgres: after migration 101, VACUUM no_such_table failed (relation "no_such_table" does not exist); searches are slower until it is run by hand');
      expect(await queryOn(database.url, 'SELECT n FROM notes')).toEqual([{ n: 1 }]);
      // Applied: neither the migration nor its step again.
      expect(await migrate(db, log, [...MIGRATIONS, ...extra])).toEqual([]);
      expect(await queryOn(database.url, 'SELECT n FROM notes')).toEqual([{ n: 1 }]);
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
