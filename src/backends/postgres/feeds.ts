/**
 * @module backends/postgres/feeds
 * The PostgreSQL backend's feed subscriptions (SPEC §11): the `feeds` table of migration 5, on a
 * small pool of its own. Claiming due feeds is one `UPDATE … RETURNING` that moves them ahead,
 * so that servers sharing the database poll each feed once.
 */
import type { FeedStore, PollResult, Subscription } from '../feed-store.ts';
import { openDatabase, type Database } from './connection.ts';
import { migrate } from './migrations.ts';

/** Connections of the store: subscriptions are few and seldom written. */
const FEED_CONNECTIONS = 1;

const COLUMNS = 'feed_id, url, title, interval_minutes, created_at, etag, last_modified, last_success, last_result, last_error, failures, next_poll_at';

/**
 * Opens the store on the database at `url`, applying pending migrations first (a no-op when the
 * backend has just done so).
 *
 * @example
 * const store = await openPostgresFeedStore({ url: process.env.DATABASE_URL ?? '' });
 */
export async function openPostgresFeedStore(options: { url: string; log?: (line: string) => void }): Promise<FeedStore> {
  const log = options.log ?? (() => undefined);
  const db = openDatabase(options.url, log, FEED_CONNECTIONS);
  try {
    await migrate(db, log);
  } catch (error) {
    await db.close();
    throw error;
  }
  return feedStoreOn(db);
}

function feedStoreOn(db: Database): FeedStore {
  return {
    async list() {
      return (await db.query(`SELECT ${COLUMNS} FROM feeds ORDER BY created_at, feed_id`)).map(toSubscription);
    },
    async get(id) {
      const [row] = await db.query(`SELECT ${COLUMNS} FROM feeds WHERE feed_id = $1`, [id]);
      return row === undefined ? undefined : toSubscription(row);
    },
    async add(subscription) {
      return db.transaction('write', async (client) => {
        const inserted = await client.query(`INSERT INTO feeds (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (feed_id) DO NOTHING`, values(subscription));
        if (inserted.rowCount === 1) return { subscription, created: true };
        const { rows } = await client.query(`SELECT ${COLUMNS} FROM feeds WHERE feed_id = $1`, [subscription.id]);
        return { subscription: toSubscription(rows[0]), created: false };
      });
    },
    async update(subscription) {
      return db.transaction('write', async (client) => {
        const updated = await client.query(
          'UPDATE feeds SET url = $2, title = $3, interval_minutes = $4, created_at = $5, etag = $6, last_modified = $7, last_success = $8, last_result = $9, last_error = $10, failures = $11, next_poll_at = $12 WHERE feed_id = $1',
          values(subscription),
        );
        return updated.rowCount === 1;
      });
    },
    async remove(id) {
      return db.transaction('write', async (client) => (await client.query('DELETE FROM feeds WHERE feed_id = $1', [id])).rowCount === 1);
    },
    async claimDue(now, leaseUntil) {
      return db.transaction('write', async (client) => {
        // The row as it was before the lease moved it: the caller polls with its real schedule.
        const { rows } = await client.query(
          `WITH due AS (SELECT feed_id, next_poll_at AS was FROM feeds WHERE next_poll_at <= $1 FOR UPDATE SKIP LOCKED)
           UPDATE feeds SET next_poll_at = $2 FROM due WHERE feeds.feed_id = due.feed_id
           RETURNING feeds.feed_id, url, title, interval_minutes, created_at, etag, last_modified, last_success, last_result, last_error, failures, due.was AS next_poll_at`,
          [now, leaseUntil],
        );
        return rows.map(toSubscription);
      });
    },
    close: () => db.close(),
  };
}

function values(subscription: Subscription): unknown[] {
  return [
    subscription.id,
    subscription.url,
    subscription.title,
    subscription.intervalMinutes,
    subscription.createdAt,
    subscription.etag,
    subscription.lastModified,
    subscription.lastSuccess,
    subscription.lastResult === null ? null : JSON.stringify(subscription.lastResult),
    subscription.lastError === null ? null : JSON.stringify(subscription.lastError),
    subscription.failures,
    subscription.nextPollAt,
  ];
}

type Row = Record<string, unknown>;

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

function toSubscription(value: unknown): Subscription {
  const row = value as Row;
  return {
    id: String(row.feed_id),
    url: String(row.url),
    title: row.title === null ? null : String(row.title),
    intervalMinutes: Number(row.interval_minutes),
    createdAt: iso(row.created_at) ?? '',
    etag: row.etag === null ? null : String(row.etag),
    lastModified: row.last_modified === null ? null : String(row.last_modified),
    lastSuccess: iso(row.last_success),
    lastResult: (row.last_result ?? null) as PollResult | null,
    lastError: (row.last_error ?? null) as Subscription['lastError'],
    failures: Number(row.failures),
    nextPollAt: iso(row.next_poll_at) ?? '',
  };
}
