/**
 * Durability under SIGKILL (SPEC §6): a real server process takes a stream of ingests and is
 * killed at random moments; after each restart every acknowledged article is there, readable
 * and searchable, every batch is whole or absent, and the corpus holds no file that breaks the
 * start and no leftover of an interrupted write.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { stopServer, useServerFixtures } from './server-process.ts';

/** Kill-and-restart rounds: each one is a fresh chance to catch a write half done. */
const ROUNDS = 4;

const fixture = useServerFixtures();

describe('server under SIGKILL', () => {
  it('keeps every acknowledged article across kills at random moments', async () => {
    const { start } = await fixture();
    const acknowledged: string[] = [];
    let next = 0;

    for (let round = 0; round < ROUNDS; round += 1) {
      const server = await start();
      // Every article acknowledged so far survived the previous kill.
      for (const id of acknowledged) {
        const response = await fetch(`${server.url}/articles/${id}`);
        expect(response.status, `article ${id} after restart ${round}`).toBe(200);
      }
      if (acknowledged.length > 0) {
        const last = acknowledged[acknowledged.length - 1] as string;
        const found = (await (await fetch(`${server.url}/search?q=${last}word`)).json()) as { total: number };
        expect(found.total).toBe(1);
        const stats = (await (await fetch(`${server.url}/stats`)).json()) as { articles: number };
        expect(stats.articles).toBeGreaterThanOrEqual(acknowledged.length);
      }
      expect(server.stderr.filter((line) => line.startsWith('skipped'))).toEqual([]);

      // A stream of ingests, two at a time, cut by SIGKILL after a random delay.
      const killAt = Date.now() + 150 + Math.random() * 600;
      const writer = async (): Promise<void> => {
        while (Date.now() < killAt + 1000) {
          const id = `crash-${next++}`;
          const body = JSON.stringify({ id, title: `Story ${id}`, source: 'Crash Wire', paragraphs: [`Unique ${id}word text.`, 'Second paragraph.'] });
          try {
            const response = await fetch(`${server.url}/articles`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
            if (response.status === 201) acknowledged.push(id);
          } catch {
            return; // the server is gone: whatever was not acknowledged may be lost
          }
        }
      };
      // Searches keep being answered while the writes go on.
      const searchStatuses: number[] = [];
      let killed = false;
      const reader = async (): Promise<void> => {
        while (Date.now() < killAt - 20) {
          try {
            searchStatuses.push((await fetch(`${server.url}/search?q=unique`)).status);
          } catch (error) {
            // A search still in flight when the kill comes (a loaded machine) is cut with it.
            if (killed) return;
            throw error;
          }
        }
      };
      const writers = Promise.all([writer(), writer(), reader()]);
      await new Promise((resolve) => setTimeout(resolve, killAt - Date.now()));
      killed = true;
      await stopServer(server, 'SIGKILL');
      await writers;
      expect(searchStatuses.length).toBeGreaterThan(0);
      expect(searchStatuses.every((status) => status === 200)).toBe(true);
    }

    const server = await start();
    for (const id of acknowledged) expect((await fetch(`${server.url}/articles/${id}`)).status).toBe(200);
    expect(acknowledged.length).toBeGreaterThan(ROUNDS);
  }, 120_000);

  it('keeps each batch whole or absent across kills at random moments, and leaves no temporary file', async () => {
    const { corpusDir, start } = await fixture();
    const batches: string[][] = [];
    const acknowledged = new Set<number>();
    for (let round = 0; round < ROUNDS; round += 1) {
      const server = await start();
      const killAt = Date.now() + 150 + Math.random() * 600;
      const writer = async (): Promise<void> => {
        while (Date.now() < killAt + 1000) {
          const batch = batches.length;
          const ids = Array.from({ length: 6 }, (_, i) => `b${batch}-${i}`);
          batches.push(ids);
          const body = JSON.stringify(ids.map((id) => ({ id, title: `Batch ${batch}`, paragraphs: [`Batch${batch}word ${id} text.`] })));
          try {
            const response = await fetch(`${server.url}/articles`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
            if (response.status === 201) acknowledged.add(batch);
          } catch {
            return;
          }
        }
      };
      const writers = Promise.all([writer(), writer()]);
      await new Promise((resolve) => setTimeout(resolve, killAt - Date.now()));
      await stopServer(server, 'SIGKILL');
      await writers;
    }
    const server = await start();
    for (const [batch, ids] of batches.entries()) {
      const found = (await (await fetch(`${server.url}/search?q=batch${batch}word`)).json()) as { total: number };
      // Acknowledged: all there. Not acknowledged: all there or none, never part.
      if (acknowledged.has(batch)) expect(found.total, `batch ${batch}`).toBe(ids.length);
      else expect([0, ids.length], `batch ${batch}`).toContain(found.total);
    }
    expect(acknowledged.size).toBeGreaterThan(ROUNDS);
    expect((await readdir(corpusDir)).filter((name) => name.endsWith('.tmp') || name.endsWith('.journal'))).toEqual([]);
  }, 120_000);
});
