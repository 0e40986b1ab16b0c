/**
 * @module monitor/subscriptions
 * Feed subscriptions (SPEC §11): subscribe (the feed is fetched and ingested once, and stored
 * only when that worked, so a typo is an answer, not a subscription that fails forever), list,
 * read, unsubscribe; and the polls: conditional GET with the validators of the last copy (a 304
 * ingests nothing), new and changed items ingested under ids derived from their link or guid (a
 * re-poll finds them `unchanged`), each outcome recorded on the feed (`lastSuccess`,
 * `lastResult`, `lastError`) and failures backed off (`poller.ts`). One feed is never polled
 * twice at once; closing aborts polls in flight and waits for them.
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { FeedStore, PollResult, Subscription } from '../backends/feed-store.ts';
import { createError, isServiceError, messageOf } from '../errors.ts';
import { checkUrl } from '../ingest/fetch-url.ts';
import { readFetched } from '../ingest/read-fetched.ts';
import { createPoller, nextPollDelayMs, SYSTEM_CLOCK, type Clock } from './poller.ts';
import { ingestUrl, type Fetcher, type Ingest, type UrlIngestResult } from './url-ingest.ts';

/** Default minutes between polls of a feed (SPEC §1: `FEED_INTERVAL_MINUTES`). */
export const DEFAULT_INTERVAL_MINUTES = 15;
/** Longest interval a subscription may ask for: a week. */
export const MAX_INTERVAL_MINUTES = 7 * 24 * 60;
/** How long a claimed poll keeps other rounds (and servers) off its feed: longer than any fetch and ingest. */
const POLL_LEASE_MS = 15 * 60_000;
/** Feeds fetched at once in a round: a hundred feeds due together after a restart do not open a hundred connections. */
const POLLS_AT_ONCE = 4;

/** What the HTTP routes and the CLI ask of subscriptions and URL ingest. */
export interface FeedMonitor {
  /** Fetches a URL once and ingests what it holds (SPEC §11, ingest by URL). */
  ingestUrl(url: string): Promise<UrlIngestResult>;
  /** Subscribes to the feed at `url` (fetched and ingested first); `created` is false when it was subscribed already. */
  subscribe(url: string, intervalMinutes?: number): Promise<{ subscription: Subscription; created: boolean }>;
  list(): Promise<Subscription[]>;
  get(id: string): Promise<Subscription | undefined>;
  /** Unsubscribes; the articles already ingested stay. Resolves false for an unknown id. */
  unsubscribe(id: string): Promise<boolean>;
  /** Polls every feed that is due now; resolves when they are all done. */
  pollDue(): Promise<void>;
  /** Starts polling on the clock's timers (a server; one-off commands do not). */
  start(): void;
  /** Stops polling, aborts fetches in flight and waits for them, closes the store. */
  close(): Promise<void>;
}

/** What a monitor is built from. */
export type FeedMonitorOptions = {
  store: FeedStore;
  fetch: Fetcher;
  ingest: Ingest;
  /** Minutes between polls of a subscription that names none (`FEED_INTERVAL_MINUTES`). */
  intervalMinutes?: number;
  clock?: Clock;
  /** How often the poller looks for due feeds, in milliseconds (see `poller.ts`). */
  tickMs?: number;
  log?: (line: string) => void;
};

/**
 * The id of the subscription to `url` (an absolute http(s) URL as `URL` writes it).
 *
 * @example
 * feedIdOf('https://example.com/feed.xml') // 16 hex digits
 */
export function feedIdOf(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/**
 * Creates the monitor.
 *
 * @example
 * const monitor = createFeedMonitor({ store, fetch: (url, o) => fetchUrl(url, { ...o, allowPrivate }), ingest: service.ingest });
 * monitor.start();
 */
export function createFeedMonitor(options: FeedMonitorOptions): FeedMonitor {
  const { store, fetch, ingest, intervalMinutes = DEFAULT_INTERVAL_MINUTES, clock = SYSTEM_CLOCK, log = () => undefined } = options;
  const inFlight = new Map<string, Promise<void>>();
  const aborter = new AbortController();
  // Every fetch in flight (polls, URL ingests) listens to it: more than Node's default of 10 is no leak.
  setMaxListeners(0, aborter.signal);
  const nowIso = () => new Date(clock.now()).toISOString();
  const after = (ms: number) => new Date(clock.now() + ms).toISOString();

  /** Fetches a subscription's feed and ingests its items; the subscription as it stands after this success. */
  async function readFeedOf(subscription: Subscription): Promise<Subscription> {
    const fetched = await fetch(subscription.url, { etag: subscription.etag, lastModified: subscription.lastModified, signal: aborter.signal });
    let result: PollResult;
    let title = subscription.title;
    let validators = { etag: fetched.etag, lastModified: fetched.lastModified };
    if (fetched.status === 'not_modified') {
      result = { created: 0, updated: 0, unchanged: 0, skipped: 0, notModified: true };
      validators = { etag: subscription.etag ?? fetched.etag, lastModified: subscription.lastModified ?? fetched.lastModified };
    } else {
      const batch = readFetched(fetched.body, fetched.contentType, fetched.url);
      if (batch.kind !== 'feed') throw createError('bad_request', `${subscription.url}: not an RSS or Atom feed (${batch.kind === 'page' ? 'an article page: ingest it with POST /articles {"url"}' : 'another format'})`);
      const results = batch.articles.length === 0 ? [] : await ingest(batch.articles);
      const count = (status: string) => results.filter((outcome) => outcome.status === status).length;
      result = { created: count('created'), updated: count('updated'), unchanged: count('unchanged'), skipped: batch.warnings.length, notModified: false };
      title = batch.title ?? title;
    }
    return { ...subscription, title, ...validators, lastSuccess: nowIso(), lastResult: result, lastError: null, failures: 0, nextPollAt: after(nextPollDelayMs(subscription.intervalMinutes, 0)) };
  }

  /** One poll: its outcome recorded on the feed whatever happens; never throws. */
  function poll(subscription: Subscription): Promise<void> {
    const running = inFlight.get(subscription.id);
    if (running !== undefined) return running;
    const work = (async () => {
      let next: Subscription;
      try {
        next = await readFeedOf(subscription);
      } catch (error) {
        const failures = subscription.failures + 1;
        // A ServiceError's message names the URL and what was wrong; anything else is a bug, logged, its message kept.
        if (!isServiceError(error)) log(`feeds: polling ${subscription.url} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        next = { ...subscription, lastError: { message: messageOf(error), at: nowIso() }, failures, nextPollAt: after(nextPollDelayMs(subscription.intervalMinutes, failures)) };
      }
      try {
        await store.update(next);
      } catch (error) {
        log(`feeds: cannot record the poll of ${subscription.url}: ${messageOf(error)}`);
      }
    })().finally(() => inFlight.delete(subscription.id));
    inFlight.set(subscription.id, work);
    return work;
  }

  async function pollDue(): Promise<void> {
    const due = await store.claimDue(new Date(clock.now()), new Date(clock.now() + POLL_LEASE_MS));
    const queue = [...due];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await poll(next);
    };
    await Promise.all(Array.from({ length: Math.min(POLLS_AT_ONCE, queue.length) }, worker));
  }

  const poller = createPoller({ round: pollDue, log, clock, ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }) });

  return {
    ingestUrl: (url) => ingestUrl(url, { fetch: (target) => fetch(target, { signal: aborter.signal }), ingest }),
    async subscribe(url, minutes = intervalMinutes) {
      const href = checkUrl(url).href;
      const id = feedIdOf(href);
      const existing = await store.get(id);
      if (existing !== undefined) return { subscription: existing, created: false };
      const fresh: Subscription = {
        id,
        url: href,
        title: null,
        intervalMinutes: minutes,
        createdAt: nowIso(),
        etag: null,
        lastModified: null,
        lastSuccess: null,
        lastResult: null,
        lastError: null,
        failures: 0,
        nextPollAt: nowIso(),
      };
      return store.add(await readFeedOf(fresh));
    },
    list: () => store.list(),
    get: (id) => store.get(id),
    unsubscribe: (id) => store.remove(id),
    pollDue,
    start: () => poller.start(),
    async close() {
      aborter.abort();
      await poller.stop();
      await Promise.all(inFlight.values());
      await store.close();
    },
  };
}
