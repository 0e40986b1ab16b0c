/**
 * The embedded backend's subscriptions file: where it lives, what a restart reads back, and a
 * start that refuses a file it cannot read rather than dropping the subscriptions.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { feedsFileOf, openFeedFileStore } from '../../../src/backends/embedded/feed-file-store.ts';
import type { Subscription } from '../../../src/backends/feed-store.ts';
import { tempDir } from '../../helpers.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const subscription = (id: string, nextPollAt = '2026-12-01T12:00:00.000Z'): Subscription => ({
  id,
  url: `https://wire.example/${id}.xml`,
  title: null,
  intervalMinutes: 15,
  createdAt: '2026-12-01T11:00:00.000Z',
  etag: '"v1"',
  lastModified: null,
  lastSuccess: null,
  lastResult: null,
  lastError: null,
  failures: 0,
  nextPollAt,
});

describe('feedsFileOf', () => {
  it('puts the file beside the corpus folder, named after it', () => {
    expect(feedsFileOf('/srv/news/corpus')).toBe('/srv/news/corpus.feeds.json');
  });
});

describe('openFeedFileStore', () => {
  it('writes every change durably and reads it back after a restart, leaving no temporary file', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const path = join(dir.path, 'corpus.feeds.json');
    const store = await openFeedFileStore(path);
    expect(await store.add(subscription('a'))).toEqual({ subscription: subscription('a'), created: true });
    expect(await store.add({ ...subscription('a'), title: 'other' })).toEqual({ subscription: subscription('a'), created: false });
    await store.add(subscription('b'));
    expect(await store.update({ ...subscription('b'), title: 'Hill Wire' })).toBe(true);
    expect(await store.remove('a')).toBe(true);
    expect(await store.update(subscription('a'))).toBe(false);
    await store.close();
    expect(await readdir(dir.path)).toEqual(['corpus.feeds.json']);
    const reopened = await openFeedFileStore(path);
    expect(await reopened.list()).toEqual([{ ...subscription('b'), title: 'Hill Wire' }]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('claims due feeds once: a second claim before the lease ends finds nothing', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const store = await openFeedFileStore(join(dir.path, 'f.json'));
    await store.add(subscription('due', '2026-12-01T12:00:00.000Z'));
    await store.add(subscription('later', '2026-12-01T13:00:00.000Z'));
    const now = new Date('2026-12-01T12:30:00.000Z');
    const lease = new Date('2026-12-01T12:35:00.000Z');
    expect((await store.claimDue(now, lease)).map((claimed) => claimed.id)).toEqual(['due']);
    expect(await store.claimDue(now, lease)).toEqual([]);
    expect((await store.claimDue(lease, new Date('2026-12-01T12:40:00.000Z'))).map((claimed) => claimed.id)).toEqual(['due']);
  });

  it('refuses to open a file that is not valid JSON or of another version, naming it', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const broken = join(dir.path, 'broken.feeds.json');
    await writeFile(broken, '{"version": 1, "feeds": [');
    await expect(openFeedFileStore(broken)).rejects.toThrow(`${broken}: not valid JSON`);
    const future = join(dir.path, 'future.feeds.json');
    await writeFile(future, '{"version": 2, "feeds": []}');
    await expect(openFeedFileStore(future)).rejects.toThrow(`${future}: not a subscriptions file of version 1 (got version 2)`);
  });
});
