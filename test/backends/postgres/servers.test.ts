/**
 * Many servers, one database (SPEC §9): two real server processes on the same `DATABASE_URL`.
 * A write through one is searchable through the other at once, and neither keeps the archive
 * in its memory.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, stopServer, type ServerProcess } from '../../service/server-process.ts';
import { freshDatabase } from './database.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Resident memory of a process, from /proc (Linux), in MB. */
async function rssMegabytes(server: ServerProcess): Promise<number> {
  const status = await readFile(`/proc/${server.process.pid}/status`, 'utf8');
  const kilobytes = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return kilobytes / 1024;
}

describe('two servers on one PostgreSQL database', () => {
  it('serves through one what was written through the other, at once, without holding articles in memory', async () => {
    const database = await freshDatabase();
    cleanups.push(database.drop);
    // No corpus folder: the database is the store of record.
    const env = { DATABASE_URL: database.url, CORPUS_DIR: '/nonexistent-corpus', INDEX_DIR: '/nonexistent-index' };
    const first = await startServer(env);
    cleanups.push(() => stopServer(first));
    const second = await startServer(env);
    cleanups.push(() => stopServer(second));

    // 300 articles of 20 paragraphs through the first server, then each one read through the second.
    for (let batch = 0; batch < 6; batch += 1) {
      const articles = Array.from({ length: 50 }, (_, i) => {
        const n = batch * 50 + i;
        return { id: `wire-${n}`, title: `Report ${n}`, source: 'Wire', paragraphs: Array.from({ length: 20 }, (_, p) => `Paragraph ${p} of report ${n} on grain quota${n}.`) };
      });
      const posted = await fetch(`${first.url}/articles`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(articles) });
      expect(posted.status).toBe(201);
      const n = batch * 50 + 49;
      const found = (await (await fetch(`${second.url}/search?q=quota${n}`)).json()) as { total: number };
      expect(found.total).toBe(20);
    }
    const stats = (await (await fetch(`${second.url}/stats`)).json()) as { articles: number; paragraphs: number; backend: string };
    expect(stats).toMatchObject({ articles: 300, paragraphs: 6000, backend: 'postgres' });

    // A delete through the second is gone from the first.
    expect((await fetch(`${second.url}/articles/wire-7`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${first.url}/articles/wire-7`)).status).toBe(404);
    expect(((await (await fetch(`${first.url}/search?q=quota7`)).json()) as { total: number }).total).toBe(0);

    // The servers hold no articles: their memory is the process's own, far under the 250 MB bound.
    for (const server of [first, second]) expect(await rssMegabytes(server)).toBeLessThan(250);
  });
});
