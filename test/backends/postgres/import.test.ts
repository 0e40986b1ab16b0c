/**
 * `npm run import -- --to postgres` (SPEC §1, §9): the corpus folder copied into the database,
 * each id once as a start keeps it, unreadable files named and skipped, idempotent on a rerun.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_REQUEST } from '../../../src/backends/backend.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { cli } from '../../helpers.ts';
import { blocksOutOfOrder, freshDatabase, queryOn } from './database.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `count` articles `<prefix>-<n>` as JSON Lines, each naming its number in a word of its own. */
function jsonLines(prefix: string, count: number, from = 0): string {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ id: `${prefix}-${from + i}`, title: `Harbour report ${from + i}`, paragraphs: [`Ferries crossed at dawn, tally${from + i}.`, 'The port stayed open.'] })).join('\n');
}

describe('npm run import -- --to postgres', () => {
  it('imports every article of the corpus once, batch after batch, keeps the file a start keeps for an id, names a broken file, and changes nothing on a rerun', async () => {
    const database = await freshDatabase();
    cleanups.push(database.drop);
    const corpus = await mkdtemp(join(tmpdir(), 'news-search-import-'));
    cleanups.push(() => rm(corpus, { recursive: true, force: true }));
    await mkdir(join(corpus, '2024'));
    // 1,300 articles over two files (three batches of 500, two in flight); wire-7 is in both,
    // and the later path wins, as at a start.
    await writeFile(join(corpus, '2024', 'a.jsonl'), jsonLines('wire', 700));
    await writeFile(join(corpus, '2024', 'b.jsonl'), `${jsonLines('wire', 600, 700)}\n${JSON.stringify({ id: 'wire-7', title: 'Harbour report 7, corrected', paragraphs: ['The count was revised.'] })}`);
    await writeFile(join(corpus, 'broken.json'), '{"id": "x", "paragraphs": [');
    const env = { DATABASE_URL: database.url, CORPUS_DIR: corpus, INDEX_DIR: join(corpus, 'no-index') };

    const first = await cli(['import', '--to', 'postgres'], env);
    expect(first.stdout).toMatch(/^1300 articles from .* 1300 created, 0 updated, 0 unchanged$/m);
    // Named by host (or socket directory) and database, as the URL gives them.
    expect(first.stdout).toContain(`/${database.url.split('?')[0]?.split('/').pop()}: 1300 created`);
    expect(first.stderr).toContain('skipped broken.json');
    expect(first.code).toBe(1);
    // A first import ends by ordering the posting blocks by word.
    expect(first.stderr).toContain('ordering the posting blocks by word (searches wait for it)');
    expect(first.stdout).toMatch(/^ordered and vacuumed \d+ posting blocks by word in \d+\.\d s \(\d+\.\d → \d+\.\d MB\)$/m);
    expect(await blocksOutOfOrder(database.url)).toBe(0);

    const backend = await createPostgresBackend({ url: database.url });
    cleanups.push(() => backend.close());
    expect((await backend.search(parseQuery('ferries'), DEFAULT_SEARCH_REQUEST)).total).toBe(1299);
    expect((await backend.search(parseQuery('tally1299'), DEFAULT_SEARCH_REQUEST)).total).toBe(1);
    expect((await backend.getArticle('wire-7'))?.title).toBe('Harbour report 7, corrected');
    // The index was not built: a corpus larger than memory imports.
    await expect(rm(join(corpus, 'no-index'), { recursive: false })).rejects.toThrow(/ENOENT/);

    await rm(join(corpus, 'broken.json'));
    const again = await cli(['import', '--to', 'postgres'], env);
    expect(again.stdout).toMatch(/^1300 articles from .* 0 created, 0 updated, 1300 unchanged$/m);
    expect(again.stdout).not.toContain('ordered');
    expect(again.code).toBe(0);

    // An increment under a tenth of the archive (129 of 1,429) is not followed by the ordering (searches would
    // wait for a rewrite of the whole table); one of a tenth or more (160 of 1,589) is.
    await writeFile(join(corpus, '2024', 'c.jsonl'), jsonLines('wire', 129, 1300));
    const increment = await cli(['import', '--to', 'postgres'], env);
    expect(increment.stdout).toMatch(/^1429 articles from .* 129 created, 0 updated, 1300 unchanged$/m);
    expect(increment.stdout).not.toContain('ordered');
    expect(await blocksOutOfOrder(database.url)).toBeGreaterThan(0);
    await writeFile(join(corpus, '2024', 'd.jsonl'), jsonLines('wire', 160, 1429));
    const bulk = await cli(['import', '--to', 'postgres'], env);
    expect(bulk.stdout).toMatch(/^1589 articles from .* 160 created, 0 updated, 1429 unchanged$/m);
    expect(bulk.stdout).toMatch(/^ordered and vacuumed \d+ posting blocks/m);
    expect(await blocksOutOfOrder(database.url)).toBe(0);
    expect((await backend.search(parseQuery('ferries'), DEFAULT_SEARCH_REQUEST)).total).toBe(1588);
  });

  it('stops on a batch the database refuses with one line saying how far it got, keeps the batches written, and resumes on a rerun', async () => {
    const database = await freshDatabase();
    cleanups.push(database.drop);
    await (await createPostgresBackend({ url: database.url })).close(); // the schema, migrated
    await queryOn(
      database.url,
      `CREATE FUNCTION refuse_wire_900() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'wire-900 refused by a trigger'; END $$;
       CREATE TRIGGER refuse_wire_900 BEFORE INSERT ON articles FOR EACH ROW WHEN (NEW.article_id = 'wire-900') EXECUTE FUNCTION refuse_wire_900()`,
    );
    const corpus = await mkdtemp(join(tmpdir(), 'news-search-import-'));
    cleanups.push(() => rm(corpus, { recursive: true, force: true }));
    await writeFile(join(corpus, 'wire.jsonl'), jsonLines('wire', 1300));
    const env = { DATABASE_URL: database.url, CORPUS_DIR: corpus, INDEX_DIR: join(corpus, 'no-index') };

    const stopped = await cli(['import', '--to', 'postgres'], env);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toBe('');
    expect(stopped.stderr.trim().split('\n').at(-1)).toMatch(/^error: the import stopped after \d+ articles: wire-900 refused by a trigger\. .* run the same command again to resume\.$/);
    expect(stopped.stderr).not.toMatch(/^\s+at /m);
    const backend = await createPostgresBackend({ url: database.url });
    cleanups.push(() => backend.close());
    // The refused batch (wire-500 to wire-999) left nothing; the first one is kept.
    expect(await backend.getArticle('wire-900')).toBeUndefined();
    expect(await backend.getArticle('wire-500')).toBeUndefined();
    expect((await backend.getArticle('wire-499'))?.title).toBe('Harbour report 499');

    await queryOn(database.url, 'DROP TRIGGER refuse_wire_900 ON articles');
    const resumed = await cli(['import', '--to', 'postgres'], env);
    expect(resumed.code).toBe(0);
    const [, created, unchanged] = /: (\d+) created, 0 updated, (\d+) unchanged$/m.exec(resumed.stdout) ?? [];
    expect(Number(created) + Number(unchanged)).toBe(1300);
    expect(Number(unchanged)).toBeGreaterThanOrEqual(500);
    expect((await backend.search(parseQuery('ferries'), DEFAULT_SEARCH_REQUEST)).total).toBe(1300);
  });
});
