/**
 * The PostgreSQL side of `npm run bench -- --backend postgres`: its import, and the same import
 * resumed into the database it left (`--resume-database`), where every article is `unchanged`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresSession } from '../../src/bench/postgres.ts';
import { freshDatabase } from '../backends/postgres/database.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const quiet = { collect: () => undefined, progress: () => undefined };

describe('the PostgreSQL side of the benchmark', () => {
  it('imports the corpus copies, and a second import into the same database finds them all unchanged and searches the same', async () => {
    const database = await freshDatabase();
    cleanups.push(database.drop);
    const folder = await mkdtemp(join(tmpdir(), 'news-search-bench-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    const corpus = join(folder, 'tiny.jsonl');
    const lines = Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `t${i}`, title: `Harbour ${i}`, paragraphs: [`Ferries crossed at dawn, tally${i}.`, 'The port stayed open.'] }));
    await writeFile(corpus, `${lines.join('\n')}\n`);
    const query = [{ type: 'term' as const, words: ['ferries'] }];

    const first = createPostgresSession(quiet);
    expect(await first.import(corpus, 3, database.url, 4)).toMatchObject({ articles: 15, paragraphs: 30, batches: 4, unchanged: 0 });
    expect((await first.run(query, false)).totals).toEqual([15]);
    await first.close();

    const resumed = createPostgresSession(quiet);
    expect(await resumed.import(corpus, 3, database.url, 4)).toMatchObject({ articles: 15, paragraphs: 30, batches: 4, unchanged: 15 });
    expect((await resumed.run(query, false)).totals).toEqual([15]);
    await resumed.close();
  });
});
