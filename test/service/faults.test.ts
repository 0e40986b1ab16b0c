/**
 * Fault injection on real server processes (issue 12): odd ids, files placed by hand, a full
 * or read-only disk under the corpus or the index, a damaged snapshot, oversized input, aborted
 * uploads. Disks are small tmpfs mounts where this process may mount them, and simulated
 * (a preload that makes writes fail with the same error codes) where it may not: every test
 * runs either way. After each fault the server is restarted (with `index/` removed where that
 * matters) and must serve every acknowledged article.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { SAVING_REBUILT } from '../../src/backends/embedded/open-library.ts';
import type { Manifest } from '../../src/backends/embedded/snapshot.ts';
import { stopServer, useServerFixtures, type ServerProcess } from './server-process.ts';
import { smallDisk, type SmallDisk } from './small-disk.ts';
import { wordyArticle } from '../helpers.ts';

const fixture = useServerFixtures();
let disks: SmallDisk[] = [];
afterEach(async () => {
  for (const disk of disks) await disk.cleanup();
  disks = [];
});

async function disk(dir: string, options: Parameters<typeof smallDisk>[1]): Promise<SmallDisk> {
  const made = await smallDisk(dir, options);
  disks.push(made);
  return made;
}

const json = { 'content-type': 'application/json' };
const story = (id: string, text = `The ${id.replace(/[^a-z0-9]/gi, '')}word paragraph.`) => ({ id, title: `Story ${id}`, source: 'Fault Wire', paragraphs: [text] });
const post = (server: ServerProcess, body: unknown) => fetch(`${server.url}/articles`, { method: 'POST', body: JSON.stringify(body), headers: json });
const status = async (server: ServerProcess, id: string) => (await fetch(`${server.url}/articles/${encodeURIComponent(id)}`)).status;
const total = async (server: ServerProcess, q: string) => ((await (await fetch(`${server.url}/search?q=${encodeURIComponent(q)}`)).json()) as { total: number }).total;
const stats = async (server: ServerProcess) => (await (await fetch(`${server.url}/stats`)).json()) as { articles: number; index: { persisted: boolean; reason?: string } };
/** `/stats` once the background save of a rebuilt index has ended, saved or not (the server answers before). */
const settledStats = async (server: ServerProcess) => {
  for (;;) {
    const current = await stats(server);
    if (current.index.reason !== SAVING_REBUILT) return current;
    await sleep(20);
  }
};
const temporaryFiles = async (dir: string) => (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.tmp'));

describe('ids (1)', () => {
  it('refuses a leading dot, and serves every accepted id after a kill and a restart without index/', async () => {
    const { indexDir, start } = await fixture();
    const server = await start();
    for (const id of ['.hidden', '...', '..', '.']) expect((await post(server, story(id))).status, id).toBe(400);
    const ids = ['a..b', 'x.', '-lead', '_under', 'ends.json', 'A.b-c_d'];
    expect((await post(server, ids.map((id) => story(id)))).status).toBe(201);
    await stopServer(server, 'SIGKILL');
    await rm(indexDir, { recursive: true, force: true });

    const restarted = await start();
    for (const id of ids) expect(await status(restarted, id), id).toBe(200);
    expect((await stats(restarted)).articles).toBe(ids.length);
    expect(restarted.stderr.filter((line) => line.startsWith('skipped'))).toEqual([]);
  });

  it('never overwrites a hand-placed file holding other articles: all 51 survive a restart without index/', async () => {
    const { corpusDir, indexDir, start } = await fixture();
    const fifty = Array.from({ length: 50 }, (_, i) => story(`wn${i}`));
    await writeFile(join(corpusDir, 'wikinews.json'), JSON.stringify(fifty));
    const server = await start();
    expect((await post(server, story('wikinews', 'The postedword paragraph.'))).status).toBe(201);
    await stopServer(server);
    await rm(indexDir, { recursive: true, force: true });

    const restarted = await start();
    expect((await stats(restarted)).articles).toBe(51);
    expect(await total(restarted, 'postedword')).toBe(1);
    expect(await total(restarted, 'wn49word')).toBe(1);
    expect(JSON.parse(await readFile(join(corpusDir, 'wikinews.json'), 'utf8'))).toHaveLength(50);
  });
});

for (const kind of ['tmpfs', 'simulated'] as const) {
  const where = kind === 'tmpfs' ? 'a small tmpfs (simulated where mounting is impossible)' : 'a simulated disk';

  describe(`a full corpus disk, on ${where} (2)`, () => {
    it('answers 507 to a batch that does not fit, keeps none of it, and leaves no temporary file, then or after a restart', async () => {
      const { root, indexDir, start } = await fixture();
      const corpusDir = join(root, 'small-corpus');
      // Room for two articles of about 3 KB (two tmpfs pages), not three.
      const small = await disk(corpusDir, { mode: 'full', freeBytes: 8192, kind });
      const server = await start({ ...small.start, env: { ...small.start.env, CORPUS_DIR: corpusDir } });
      const batch = ['full1', 'full2', 'full3'].map((id) => story(id, `The ${id}word paragraph. ${'Filler text of a long story. '.repeat(95)}`));
      const response = await post(server, batch);
      expect(response.status).toBe(507);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('insufficient_storage');
      for (const { id } of batch) expect(await status(server, id), id).toBe(404);
      expect(await total(server, 'full1word')).toBe(0);
      expect(await temporaryFiles(corpusDir)).toEqual([]);
      expect(server.stderr.filter((line) => line.includes('internal error'))).toEqual([]);

      await stopServer(server, 'SIGKILL');
      await rm(indexDir, { recursive: true, force: true });
      const restarted = await start({ ...small.start, env: { ...small.start.env, CORPUS_DIR: corpusDir } });
      for (const { id } of batch) expect(await status(restarted, id), id).toBe(404);
      expect(await temporaryFiles(corpusDir)).toEqual([]);
    });
  });

  describe(`an index folder on ${where} (3)`, () => {
    for (const mode of ['full', 'read-only'] as const) {
      it(`starts from corpus/ when the index disk is ${mode}, serves, and says so in the log and in /stats`, async () => {
        const { root, corpusDir, start } = await fixture();
        await writeFile(join(corpusDir, 'kept.json'), JSON.stringify(story('kept')));
        const indexDir = join(root, `index-${mode}`);
        const faulty = await disk(indexDir, { mode, freeBytes: 0, kind });
        const server = await start({ ...faulty.start, env: { ...faulty.start.env, INDEX_DIR: indexDir } });
        expect((await fetch(`${server.url}/health`)).status).toBe(200);
        expect(await total(server, 'keptword')).toBe(1);
        expect((await settledStats(server)).index).toEqual({ persisted: false, reason: mode === 'full' ? 'no space left on the index disk (ENOSPC)' : 'the index folder is on a read-only file system (EROFS)' });
        expect(server.stderr).toContainEqual(expect.stringMatching(/^index not saved in .*: serving from .*; the next start rebuilds the index$/));
        // Writes still go to the corpus, which is fine.
        expect((await post(server, story('added'))).status).toBe(201);
        expect(await total(server, 'addedword')).toBe(1);
        expect(await temporaryFiles(indexDir)).toEqual([]);
      });
    }
  });
}

describe('an index folder that is damaged (3)', () => {
  it('starts from corpus/ when a file stands where the index folder should be', async () => {
    const { root, corpusDir, start } = await fixture();
    await writeFile(join(corpusDir, 'kept.json'), JSON.stringify(story('kept')));
    const indexFile = join(root, 'index-file');
    await writeFile(indexFile, 'not a folder');
    const server = await start({ env: { INDEX_DIR: indexFile } });
    expect(await total(server, 'keptword')).toBe(1);
    expect((await settledStats(server)).index.persisted).toBe(false);
    expect(server.stderr).toContainEqual(expect.stringMatching(/^index not saved in /));
  });

  it('starts from corpus/ when a folder stands where the manifest should be', async () => {
    const { corpusDir, indexDir, start } = await fixture();
    await writeFile(join(corpusDir, 'kept.json'), JSON.stringify(story('kept')));
    await mkdir(join(indexDir, 'manifest.json'), { recursive: true });
    const server = await start();
    expect(await total(server, 'keptword')).toBe(1);
    expect(server.stderr).toContainEqual(expect.stringMatching(/^building the index from .* \(manifest unreadable: EISDIR/));
    expect((await settledStats(server)).index).toEqual({ persisted: false, reason: 'a folder stands where an index file should be (EISDIR)' });
  });
});

describe('a damaged snapshot (4)', () => {
  it('is rebuilt, with the reason logged, when edited in place without a change of length', async () => {
    const { indexDir, start } = await fixture();
    const server = await start();
    const articles = Array.from({ length: 30 }, (_, i) => story(`gov${i}`, i < 20 ? 'The government spoke.' : 'The minister spoke.'));
    expect((await post(server, articles)).status).toBe(201);
    await stopServer(server);
    const manifest = JSON.parse(await readFile(join(indexDir, 'manifest.json'), 'utf8')) as Manifest;
    const path = join(indexDir, manifest.snapshotFile);
    const original = await readFile(path, 'utf8');
    // "government" becomes "gavernment" in every article (same length): a corpus no longer served as it is.
    await writeFile(path, original.replaceAll('The government spoke.', 'The gavernment spoke.'));

    const restarted = await start();
    expect(restarted.stderr).toContainEqual(expect.stringMatching(/^building the index from .* \(snapshot checksum mismatch .*\)$/));
    expect(await total(restarted, 'government')).toBe(20);
    expect(await total(restarted, 'gavernment')).toBe(0);
    // The next save is sound: a third start loads it.
    await stopServer(restarted);
    const third = await start();
    expect(third.stderr.filter((line) => line.startsWith('building the index'))).toEqual([]);
    expect(await total(third, 'government')).toBe(20);
  });

  it('is never put in place when a write stores less than it says, and the next start rebuilds', async () => {
    const { indexDir, start } = await fixture();
    await mkdir(indexDir);
    const lying = { env: { NEWS_SEARCH_TEST_FAULTS: JSON.stringify({ dir: indexDir, mode: 'lie' }) }, nodeArgs: ['--import', new URL('../fault-preload.ts', import.meta.url).pathname] };
    const server = await start(lying);
    expect((await settledStats(server)).index.persisted).toBe(false);
    expect(server.stderr).toContainEqual(expect.stringMatching(/^index not saved in .*short write/));
    expect((await post(server, story('lied'))).status).toBe(201);
    await stopServer(server);
    expect(await readdir(indexDir)).toEqual([]);
    const restarted = await start();
    expect(restarted.stderr).toContainEqual(expect.stringMatching(/^building the index from .* \(no snapshot\)$/));
    expect(await total(restarted, 'liedword')).toBe(1);
  });
});

describe('oversized input (5)', () => {
  it('answers 400 naming item and field for each limit, and 413 past MAX_BODY_BYTES', async () => {
    const { corpusDir, start } = await fixture();
    const server = await start({ env: { MAX_BODY_BYTES: String(2 * 1024 * 1024) } });
    const cases: Array<[unknown, number, RegExp]> = [
      [{ title: 'Long', paragraphs: ['x'.repeat(50_001)] }, 400, /^item 1: paragraphs has a paragraph of 50001 characters/],
      [{ title: 'Many', paragraphs: Array.from({ length: 10_001 }, (_, i) => `P${i}.`) }, 400, /^item 1: paragraphs holds 10001 paragraphs/],
      [wordyArticle('wordy', 50_001), 400, /^item 1: paragraphs hold more than 50000 distinct terms/],
      [{ title: 'Huge', paragraphs: Array.from({ length: 100 }, () => 'y'.repeat(30_000)) }, 413, /larger than 2097152 bytes/],
    ];
    for (const [body, expected, message] of cases) {
      const response = await post(server, body);
      expect(response.status).toBe(expected);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(await readdir(corpusDir)).toEqual([]);
  });

  it('ingests a huge valid article while searches keep being answered, each seeing it whole or not at all', async () => {
    const { start } = await fixture();
    const server = await start();
    const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(17);
    const huge = { id: 'huge', title: 'Huge', paragraphs: Array.from({ length: 9000 }, (_, i) => `Hugeword paragraph ${i} ${filler}`) };
    let posted = false;
    const ingest = post(server, huge).then((response) => {
      posted = true;
      return response.status;
    });
    const seen: number[] = [];
    while (!posted) seen.push(await total(server, 'hugeword'));
    expect(await ingest).toBe(201);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((count) => count === 0 || count === 9000)).toBe(true);
    expect(await total(server, 'hugeword')).toBe(9000);
  });
});

describe('noise and idle cost (6)', () => {
  it('logs an aborted upload as one access line, without an error, a stack or a 500', async () => {
    const { start } = await fixture();
    const server = await start();
    await new Promise<void>((resolve) => {
      const req = request(`${server.url}/articles`, { method: 'POST', headers: { ...json, 'content-length': 100_000, 'x-request-id': 'aborted-1' } });
      req.on('error', () => resolve());
      req.write('{"title": "half an upl');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    // The server logs the request once it has noticed: wait for its line.
    while (!server.stderr.some((line) => line.includes('id=aborted-1'))) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const lines = server.stderr.filter((line) => !line.startsWith('building the index') && !line.includes(' GET /health '));
    expect(lines).toEqual([expect.stringMatching(/ POST \/articles 499 [\d.]+ms id=aborted-1$/)]);
  });

  it('picks up a file placed by hand, in a new folder too, without waiting for the periodic scan', async () => {
    const { corpusDir, start } = await fixture();
    const server = await start();
    await mkdir(join(corpusDir, '2024'));
    await writeFile(join(corpusDir, '2024', 'hand.json'), JSON.stringify(story('hand')));
    // The periodic scan runs every 30 s; the watcher finds it long before (no deadline here but the test's own).
    while ((await status(server, 'hand')) !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await total(server, 'handword')).toBe(1);
  });
});
