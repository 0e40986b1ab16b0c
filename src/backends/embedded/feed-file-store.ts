/**
 * @module backends/embedded/feed-file-store
 * The embedded backend's feed subscriptions (SPEC §11): one JSON file next to the corpus folder
 * (`corpus.feeds.json` beside `corpus/`), not in it (every `.json` there is read as articles) and
 * not in `index/` (derived data, deleted freely). Written whole at every change, durably (a
 * temporary file, flushed, renamed: `writeFileDurably`), one write at a time; the subscriptions
 * are held in memory, so reads cost nothing. The file carries a format version and a start
 * refuses a file it cannot read, naming it, rather than starting without the subscriptions.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { messageOf, systemCodeOf } from '../../errors.ts';
import { writeFileDurably } from '../../ingest/durable-files.ts';
import type { FeedStore, Subscription } from '../feed-store.ts';

/** The version of the file's layout; another version is refused at start. */
const FEEDS_FILE_VERSION = 1;

/**
 * The subscriptions file of the corpus folder `corpusDir`: `<folder name>.feeds.json` beside it.
 *
 * @example
 * feedsFileOf('/srv/news/corpus') // '/srv/news/corpus.feeds.json'
 */
export function feedsFileOf(corpusDir: string): string {
  return join(dirname(corpusDir), `${basename(corpusDir)}.feeds.json`);
}

/**
 * Opens the store of `path` (created at the first subscription). Throws, naming the file, when it
 * exists but cannot be read or is not a subscriptions file of this version.
 *
 * @example
 * const store = await openFeedFileStore(feedsFileOf(config.corpusDir));
 */
export async function openFeedFileStore(path: string): Promise<FeedStore> {
  const feeds = new Map<string, Subscription>();
  for (const subscription of await readFeedsFile(path)) feeds.set(subscription.id, subscription);
  let writing: Promise<void> = Promise.resolve();
  /** Writes the whole map, after any write in progress; the change is durable when it resolves. */
  const save = (): Promise<void> => {
    const content = `${JSON.stringify({ version: FEEDS_FILE_VERSION, feeds: [...feeds.values()] }, null, 2)}\n`;
    writing = writing.catch(() => undefined).then(async () => {
      await writeFileDurably(path, content);
    });
    return writing;
  };
  return {
    list: async () => [...feeds.values()],
    get: async (id) => feeds.get(id),
    async add(subscription) {
      const existing = feeds.get(subscription.id);
      if (existing !== undefined) return { subscription: existing, created: false };
      feeds.set(subscription.id, subscription);
      await save().catch((error: unknown) => {
        feeds.delete(subscription.id);
        throw error;
      });
      return { subscription, created: true };
    },
    async update(subscription) {
      if (!feeds.has(subscription.id)) return false;
      feeds.set(subscription.id, subscription);
      await save();
      return true;
    },
    async remove(id) {
      const existing = feeds.get(id);
      if (existing === undefined) return false;
      feeds.delete(id);
      await save().catch((error: unknown) => {
        feeds.set(id, existing);
        throw error;
      });
      return true;
    },
    async claimDue(now, leaseUntil) {
      const due = [...feeds.values()].filter((subscription) => Date.parse(subscription.nextPollAt) <= now.getTime());
      // The lease is kept in memory only: one process polls an embedded corpus, and a restart polls what was due anew.
      for (const subscription of due) feeds.set(subscription.id, { ...subscription, nextPollAt: leaseUntil.toISOString() });
      return due;
    },
    close: () => writing.catch(() => undefined),
  };
}

async function readFeedsFile(path: string): Promise<Subscription[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (systemCodeOf(error) === 'ENOENT') return [];
    throw new Error(`${path}: cannot be read (${systemCodeOf(error) ?? messageOf(error)})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${messageOf(error)}); fix or remove it to start without its subscriptions`, { cause: error });
  }
  const file = parsed as { version?: unknown; feeds?: unknown };
  if (typeof parsed !== 'object' || parsed === null || file.version !== FEEDS_FILE_VERSION || !Array.isArray(file.feeds)) {
    throw new Error(`${path}: not a subscriptions file of version ${FEEDS_FILE_VERSION} (got version ${JSON.stringify(file.version ?? null)})`);
  }
  return (file.feeds as unknown[]).filter(isSubscription);
}

function isSubscription(value: unknown): value is Subscription {
  const candidate = value as Partial<Subscription> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.id === 'string' && typeof candidate.url === 'string' && typeof candidate.nextPollAt === 'string' && typeof candidate.intervalMinutes === 'number';
}
