/**
 * The PostgreSQL backend's subscriptions: the feeds table of migration 5, shared by servers on
 * one database, each due feed claimed by one of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedStore, Subscription } from '../../../src/backends/feed-store.ts';
import { openPostgresFeedStore } from '../../../src/backends/postgres/feeds.ts';
import { freshDatabase } from './database.ts';

const subscription = (id: string, nextPollAt: string): Subscription => ({
  id,
  url: `https://wire.example/${id}.xml`,
  title: 'Wire',
  intervalMinutes: 15,
  createdAt: '2026-12-01T11:00:00.000Z',
  etag: '"v1"',
  lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT',
  lastSuccess: '2026-12-01T11:00:00.000Z',
  lastResult: { created: 2, updated: 0, unchanged: 1, skipped: 0, notModified: false },
  lastError: { message: 'https://wire.example/x: answered 500', at: '2026-12-01T11:30:00.000Z' },
  failures: 1,
  nextPollAt,
});

describe('openPostgresFeedStore', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let one: FeedStore;
  let two: FeedStore;
  beforeAll(async () => {
    database = await freshDatabase();
    [one, two] = [await openPostgresFeedStore({ url: database.url }), await openPostgresFeedStore({ url: database.url })];
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await database?.drop();
  });

  it('stores every field of a subscription as it was given, seen by every server', async () => {
    const stored = subscription('fields', '2026-12-01T12:00:00.000Z');
    expect(await one.add(stored)).toEqual({ subscription: stored, created: true });
    expect(await two.add({ ...stored, title: 'Other' })).toEqual({ subscription: stored, created: false });
    expect(await two.get('fields')).toEqual(stored);
    expect(await one.remove('fields')).toBe(true);
    expect(await two.update(stored)).toBe(false);
  });

  it('hands each due feed to one server only, with the schedule it had', async () => {
    await one.add(subscription('due-1', '2026-12-01T12:00:00.000Z'));
    await one.add(subscription('due-2', '2026-12-01T12:10:00.000Z'));
    await one.add(subscription('later', '2026-12-01T14:00:00.000Z'));
    const now = new Date('2026-12-01T12:30:00.000Z');
    const lease = new Date('2026-12-01T12:35:00.000Z');
    const [a, b] = await Promise.all([one.claimDue(now, lease), two.claimDue(now, lease)]);
    const claimed = [...a, ...b].map((feed) => feed.id).sort();
    expect(claimed).toEqual(['due-1', 'due-2']);
    expect([...a, ...b].find((feed) => feed.id === 'due-1')?.nextPollAt).toBe('2026-12-01T12:00:00.000Z');
    expect((await one.get('due-1'))?.nextPollAt).toBe(lease.toISOString());
    expect(await two.claimDue(now, lease)).toEqual([]);
  });
});
