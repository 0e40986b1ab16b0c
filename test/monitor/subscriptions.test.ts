/**
 * Subscriptions on both backends against a local feed server: the first fetch, polls with
 * conditional GET, stable item ids, failures recorded and backed off, no overlapping polls, a
 * delete during a poll, a clean close, and subscriptions surviving a restart.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Subscription } from '../../src/backends/feed-store.ts';
import { BACKENDS } from '../contract.ts';
import { feedArchive, type FeedArchive } from './feed-archive.ts';
import { answer, rssFeed, startLocalServer, type LocalServer } from './local-server.ts';

const MINUTE = 60_000;
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function server(): Promise<LocalServer> {
  const local = await startLocalServer();
  cleanups.push(() => local.close());
  return local;
}

/**
 * A feed at `/feed.xml` whose items the test sets, with an ETag per version; answers 304 to the
 * current ETag and counts those answers. `failing` makes it answer 500.
 */
function versionedFeed(local: LocalServer) {
  const state = { version: 1, items: [] as Array<{ title: string; link?: string; guid?: string; text: string }>, notModified: 0, failing: false };
  local.route('/feed.xml', (request, response: ServerResponse) => {
    if (state.failing) return void response.writeHead(500).end();
    const etag = `"v${state.version}"`;
    if (request.headers['if-none-match'] === etag) {
      state.notModified += 1;
      return void response.writeHead(304, { ETag: etag }).end();
    }
    response.writeHead(200, { 'Content-Type': 'application/rss+xml', ETag: etag }).end(rssFeed('Valley Wire', state.items));
  });
  return state;
}

const total = async (archive: FeedArchive, q: string) => (await archive.service.search(q)).total;

describe.each(BACKENDS)('feed subscriptions (%s backend)', (kind) => {
  async function archiveOf(): Promise<FeedArchive> {
    const archive = await feedArchive(kind);
    cleanups.push(() => archive.close());
    return archive;
  }

  it('subscribes by fetching and ingesting the feed once, and is idempotent', async () => {
    const [local, archive] = await Promise.all([server(), archiveOf()]);
    const feed = versionedFeed(local);
    feed.items = [
      { title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' },
      { title: 'Flood', guid: 'flood-1', text: 'The river rose.' },
    ];
    const { subscription, created } = await archive.monitor.subscribe(`${local.origin}/feed.xml`);
    expect(created).toBe(true);
    expect(subscription).toMatchObject({
      url: `${local.origin}/feed.xml`,
      title: 'Valley Wire',
      intervalMinutes: 15,
      lastSuccess: new Date(archive.clock.now()).toISOString(),
      lastResult: { created: 2, updated: 0, unchanged: 0, skipped: 0, notModified: false },
      lastError: null,
      failures: 0,
      nextPollAt: new Date(archive.clock.now() + 15 * MINUTE).toISOString(),
    });
    expect(await total(archive, 'wheat')).toBe(1);
    const again = await archive.monitor.subscribe(`${local.origin}/feed.xml`);
    expect(again.created).toBe(false);
    expect(again.subscription.id).toBe(subscription.id);
    expect(local.hits.get('/feed.xml')).toBe(1);
  });

  it('refuses to subscribe to what cannot be fetched or is no feed, storing nothing', async () => {
    const [local, archive] = await Promise.all([server(), archiveOf()]);
    local.route('/page', answer('<!doctype html><html><head><title>Storm</title></head><body><article><p>A storm hit the coast.</p></article></body></html>', 'text/html'));
    await expect(archive.monitor.subscribe(`${local.origin}/missing.xml`)).rejects.toMatchObject({ code: 'bad_request', message: `${local.origin}/missing.xml: answered 404 Not Found` });
    await expect(archive.monitor.subscribe(`${local.origin}/page`)).rejects.toMatchObject({
      code: 'bad_request',
      message: `${local.origin}/page: not an RSS or Atom feed (an article page: ingest it with POST /articles {"url"})`,
    });
    expect(await archive.monitor.list()).toEqual([]);
  });

  it('polls when due with conditional GET: a 304 ingests nothing; new items are created and known ones unchanged', async () => {
    const [local, archive] = await Promise.all([server(), archiveOf()]);
    const feed = versionedFeed(local);
    feed.items = [{ title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' }];
    const { subscription } = await archive.monitor.subscribe(`${local.origin}/feed.xml`, 10);

    await archive.monitor.pollDue(); // not due yet
    expect(local.hits.get('/feed.xml')).toBe(1);

    archive.clock.advance(10 * MINUTE);
    await archive.monitor.pollDue();
    expect(feed.notModified).toBe(1);
    expect(await archive.monitor.get(subscription.id)).toMatchObject({ lastResult: { created: 0, updated: 0, unchanged: 0, notModified: true }, lastError: null });

    feed.version = 2;
    feed.items = [{ title: 'Flood', guid: 'flood-1', text: 'The river rose.' }, ...feed.items];
    archive.clock.advance(10 * MINUTE);
    await archive.monitor.pollDue();
    expect(await archive.monitor.get(subscription.id)).toMatchObject({
      lastResult: { created: 1, updated: 0, unchanged: 1, notModified: false },
      lastSuccess: new Date(archive.clock.now()).toISOString(),
      nextPollAt: new Date(archive.clock.now() + 10 * MINUTE).toISOString(),
    });
    expect(await total(archive, 'river')).toBe(1);
    expect(await total(archive, 'wheat')).toBe(1);
    expect(local.hits.get('/feed.xml')).toBe(3);
  });

  it('records failures with the URL and the reason, backs off exponentially, and resets on success', async () => {
    const [local, archive] = await Promise.all([server(), archiveOf()]);
    const feed = versionedFeed(local);
    feed.items = [{ title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' }];
    const { subscription } = await archive.monitor.subscribe(`${local.origin}/feed.xml`);
    const firstSuccess = (await archive.monitor.get(subscription.id))?.lastSuccess;
    feed.failing = true;
    const delays: number[] = [];
    for (let failure = 1; failure <= 4; failure++) {
      const before = (await archive.monitor.get(subscription.id)) as Subscription;
      archive.clock.advance(Date.parse(before.nextPollAt) - archive.clock.now());
      await archive.monitor.pollDue();
      const after = (await archive.monitor.get(subscription.id)) as Subscription;
      expect(after.failures).toBe(failure);
      expect(after.lastError).toEqual({ message: `${local.origin}/feed.xml: answered 500 Internal Server Error`, at: new Date(archive.clock.now()).toISOString() });
      expect(after.lastSuccess).toBe(firstSuccess);
      delays.push((Date.parse(after.nextPollAt) - archive.clock.now()) / MINUTE);
    }
    expect(delays).toEqual([30, 60, 120, 240]);

    feed.failing = false;
    archive.clock.advance(240 * MINUTE);
    await archive.monitor.pollDue();
    const recovered = (await archive.monitor.get(subscription.id)) as Subscription;
    expect(recovered).toMatchObject({ failures: 0, lastError: null, lastSuccess: new Date(archive.clock.now()).toISOString() });
    expect(Date.parse(recovered.nextPollAt) - archive.clock.now()).toBe(15 * MINUTE);
  });

  it('never polls one feed twice at once', async () => {
    const [local, archive] = await Promise.all([server(), archiveOf()]);
    const feed = versionedFeed(local);
    feed.items = [{ title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' }];
    await archive.monitor.subscribe(`${local.origin}/feed.xml`);
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    local.route('/feed.xml', (_request, response) => {
      release = () => response.writeHead(304).end();
      arrived();
    });
    archive.clock.advance(15 * MINUTE);
    const rounds = [archive.monitor.pollDue(), archive.monitor.pollDue(), archive.monitor.pollDue()];
    await reached;
    rounds.push(archive.monitor.pollDue()); // and one more while the request is at the server
    release();
    await Promise.all(rounds);
    expect(local.hits.get('/feed.xml')).toBe(2); // the subscription's fetch, then one poll
  });

  it('does not bring back a feed deleted while it was being polled', async () => {
    const [local, archive] = await Promise.all([server(), archiveOf()]);
    const feed = versionedFeed(local);
    feed.items = [{ title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' }];
    const { subscription } = await archive.monitor.subscribe(`${local.origin}/feed.xml`);
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    local.route('/feed.xml', (_request, response) => {
      release = () => response.writeHead(500).end();
      arrived();
    });
    archive.clock.advance(15 * MINUTE);
    const round = archive.monitor.pollDue();
    await reached;
    expect(await archive.monitor.unsubscribe(subscription.id)).toBe(true);
    release();
    await round;
    expect(await archive.monitor.list()).toEqual([]);
    expect(await total(archive, 'wheat')).toBe(1); // what was ingested stays
  });

  it('closes while a feed never answers: the poll is aborted and recorded as failed', async () => {
    const [local, archive] = await Promise.all([server(), archiveOf()]);
    const feed = versionedFeed(local);
    feed.items = [{ title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' }];
    await archive.monitor.subscribe(`${local.origin}/feed.xml`);
    let arrived: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    local.route('/feed.xml', () => arrived()); // never answers
    archive.clock.advance(15 * MINUTE);
    const round = archive.monitor.pollDue();
    await reached;
    await archive.restart(); // closes the monitor first
    await round;
    const [stored] = await archive.monitor.list();
    expect(stored?.lastError?.message).toBe(`${local.origin}/feed.xml: aborted (the server is stopping)`);
    expect(stored?.failures).toBe(1);
  });

  it('keeps subscriptions, their validators and their history across a restart', async () => {
    const [local, archive] = await Promise.all([server(), archiveOf()]);
    const feed = versionedFeed(local);
    feed.items = [{ title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' }];
    await archive.monitor.subscribe(`${local.origin}/feed.xml`, 20);
    local.route('/other.xml', answer(rssFeed('Hill Wire', [{ title: 'Snow', link: 'https://hill.example/snow', text: 'Snow fell on the pass.' }]), 'application/rss+xml'));
    await archive.monitor.subscribe(`${local.origin}/other.xml`);
    const before = await archive.monitor.list();
    await archive.restart();
    expect(await archive.monitor.list()).toEqual(before);
    archive.clock.advance(20 * MINUTE);
    await archive.monitor.pollDue();
    expect(feed.notModified).toBe(1); // the ETag came back from storage
    expect(await total(archive, 'snow')).toBe(1);
  });
});
