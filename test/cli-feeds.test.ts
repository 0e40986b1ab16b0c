/**
 * The command line's side of SPEC §11: `npm run ingest -- <URL>` (and the address rule of
 * `ALLOW_PRIVATE_FETCH`), and a real server process that keeps its subscriptions across a
 * restart and stops cleanly on SIGTERM while a poll hangs.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.ts';
import { answer, rssFeed, startLocalServer } from './monitor/local-server.ts';
import { startServer, stopServer, type ServerProcess } from './service/server-process.ts';

let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

const FEED = rssFeed('Valley Wire', [
  { title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' },
  { title: 'Flood', link: 'https://wire.example/flood', text: 'The river rose.' },
]);

async function setup() {
  const dir = await tempDir();
  const local = await startLocalServer();
  cleanups.push(dir.cleanup, () => local.close());
  local.route('/feed.xml', answer(FEED, 'application/rss+xml'));
  const corpusDir = join(dir.path, 'corpus');
  return { local, corpusDir, env: { CORPUS_DIR: corpusDir, INDEX_DIR: join(dir.path, 'index') }, dir: dir.path };
}

describe('npm run ingest -- <URL>', () => {
  it('ingests the items of a feed with ALLOW_PRIVATE_FETCH=1, listing them as files are listed', async () => {
    const { local, corpusDir, env } = await setup();
    const result = await cli(['ingest', `${local.origin}/feed.xml`], { ...env, ALLOW_PRIVATE_FETCH: '1' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created 2 articles:\n {2}[0-9a-f]{16} {2}Harvest\n {2}[0-9a-f]{16} {2}Flood\n/);
    expect(result.stdout).toContain('1 URL, 2 articles: 2 created, 0 updated, 0 unchanged, 0 inputs rejected');
    expect(await readdir(corpusDir)).toHaveLength(2);
  });

  it('refuses a loopback URL without ALLOW_PRIVATE_FETCH, and another scheme always, naming each and exiting 1', async () => {
    const { local, env } = await setup();
    const result = await cli(['ingest', `${local.origin}/feed.xml`, 'ftp://wire.example/feed.xml'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`rejected ${local.origin}/feed.xml: 127.0.0.1, a loopback address: only public addresses are fetched (ALLOW_PRIVATE_FETCH=1 allows others)\n`);
    expect(result.stdout).toContain('rejected ftp://wire.example/feed.xml: only http and https URLs are fetched, not ftp:\n');
    expect(local.hits.get('/feed.xml')).toBeUndefined();
  });

  it('refuses a malformed ALLOW_PRIVATE_FETCH or FEED_INTERVAL_MINUTES in one line naming it', async () => {
    const { local, env } = await setup();
    const flag = await cli(['ingest', `${local.origin}/feed.xml`], { ...env, ALLOW_PRIVATE_FETCH: 'yes' });
    expect(flag).toMatchObject({ code: 1, stderr: 'error: ALLOW_PRIVATE_FETCH must be 1 (on) or 0 (off), got "yes"\n' });
    const interval = await cli(['ingest', `${local.origin}/feed.xml`], { ...env, FEED_INTERVAL_MINUTES: '0' });
    expect(interval).toMatchObject({ code: 1, stderr: 'error: FEED_INTERVAL_MINUTES must be an integer from 1 to 10080, got "0"\n' });
  });
});

describe('serve with subscriptions', () => {
  it('keeps subscriptions in a file beside the corpus across a restart, and stops on SIGTERM while a poll hangs', async () => {
    const { local, env, dir } = await setup();
    const serverEnv = { ...env, ALLOW_PRIVATE_FETCH: '1' };
    let server: ServerProcess = await startServer(serverEnv);
    cleanups.push(() => stopServer(server, 'SIGKILL'));
    const created = await fetch(`${server.url}/feeds`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: `${local.origin}/feed.xml` }) });
    expect(created.status).toBe(201);
    const feed = (await created.json()) as { id: string };
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });

    // Due at the next start, and the feed never answers: the start's first round hangs on it.
    const file = join(dir, 'corpus.feeds.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { feeds: Array<{ nextPollAt: string }> };
    stored.feeds[0]!.nextPollAt = '2000-01-01T00:00:00.000Z';
    await writeFile(file, JSON.stringify(stored));
    let arrived: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    local.route('/feed.xml', () => arrived());

    server = await startServer(serverEnv);
    expect(((await (await fetch(`${server.url}/feeds`)).json()) as { feeds: Array<{ id: string }> }).feeds.map((listed) => listed.id)).toEqual([feed.id]);
    await reached;
    expect(await stopServer(server)).toEqual({ code: 0, signal: null });
    expect(server.stdout).toContain('stopped');
    const after = JSON.parse(await readFile(file, 'utf8')) as { feeds: Array<{ lastError: { message: string } | null; failures: number }> };
    expect(after.feeds[0]).toMatchObject({ lastError: { message: `${local.origin}/feed.xml: aborted (the server is stopping)` }, failures: 1 });
  });
});
