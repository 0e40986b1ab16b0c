/**
 * Graceful shutdown (issue 8): on SIGTERM or SIGINT the server stops accepting connections,
 * answers the requests in flight, saves the snapshot and exits 0; the next start loads that
 * snapshot instead of rebuilding.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/backends/embedded/snapshot.ts';
import { stopServer, useServerFixtures } from './server-process.ts';

const fixture = useServerFixtures();

function articleBody(id: string): string {
  return JSON.stringify({ id, title: `Story ${id}`, source: 'Shutdown Wire', paragraphs: [`The ${id}word paragraph.`] });
}

/**
 * Starts a POST whose body is sent in two halves: the request is in flight (headers read,
 * body awaited) until `finish` is called. Resolves with the status once answered.
 */
function slowPost(url: string, body: string): { answered: Promise<number>; finish: () => void } {
  const half = Math.floor(body.length / 2);
  const req = request(`${url}/articles`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
  const answered = new Promise<number>((resolve, reject) => {
    req.once('response', (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    req.once('error', reject);
  });
  req.write(body.slice(0, half));
  return { answered, finish: () => req.end(body.slice(half)) };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('serve on SIGTERM', () => {
  it('finishes the request in flight, refuses new connections, saves the snapshot and exits 0', async () => {
    const { indexDir, start } = await fixture();
    const server = await start();
    const posted = await fetch(`${server.url}/articles`, { method: 'POST', body: articleBody('first'), headers: { 'content-type': 'application/json' } });
    expect(posted.status).toBe(201);

    const inFlight = slowPost(server.url, articleBody('second'));
    await wait(200); // the server has read the headers and waits for the rest of the body
    server.process.kill('SIGTERM');
    await wait(200);
    // No longer listening, yet still running: the request in flight holds it open.
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    expect(server.process.exitCode).toBeNull();
    inFlight.finish();
    expect(await inFlight.answered).toBe(201);

    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr).toContain('shutting down (SIGTERM)');
    expect(server.stdout.at(-1)).toBe('stopped');
    // The snapshot was saved on the way out, though the background save had no time to run.
    const manifest = JSON.parse(await readFile(join(indexDir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.articles).toBe(2);

    const restarted = await start();
    expect(restarted.stderr.filter((line) => line.startsWith('building the index'))).toEqual([]);
    for (const id of ['first', 'second']) {
      expect((await fetch(`${restarted.url}/articles/${id}`)).status).toBe(200);
      const found = (await (await fetch(`${restarted.url}/search?q=${id}word`)).json()) as { total: number };
      expect(found.total).toBe(1);
    }
    const stats = (await (await fetch(`${restarted.url}/stats`)).json()) as { snapshot: { createdAt: string } | null };
    expect(stats.snapshot?.createdAt).toBe(manifest.createdAt);
  });

  it('stops the same way on SIGINT (Ctrl-C)', async () => {
    const { start } = await fixture();
    const server = await start();
    // An idle keep-alive connection must not hold the shutdown open.
    expect((await fetch(`${server.url}/health`, { keepalive: true })).status).toBe(200);
    expect(await stopServer(server, 'SIGINT')).toEqual({ code: 0, signal: null });
    expect(server.stderr).toContain('shutting down (SIGINT)');
    expect(server.stdout.at(-1)).toBe('stopped');
  });
});
