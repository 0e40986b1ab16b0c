/**
 * @module backends/feed-store
 * The contract of the store of feed subscriptions (SPEC §11), which each backend keeps where it
 * keeps its articles: the embedded one in a file next to `corpus/`, the PostgreSQL one in a table.
 * Subscriptions survive restarts; with several servers on one database, {@link FeedStore.claimDue}
 * hands each due poll to one of them.
 */

/** What the last successful poll did: articles created, updated, unchanged; `notModified` when the feed answered 304. */
export type PollResult = { created: number; updated: number; unchanged: number; skipped: number; notModified: boolean };

/** A subscribed feed and what its polls found. Times are ISO 8601 strings. */
export type Subscription = {
  /** 16 hex digits of SHA-256 over the URL: subscribing twice to one URL is one subscription. */
  id: string;
  url: string;
  /** The feed's own title, once read. */
  title: string | null;
  intervalMinutes: number;
  createdAt: string;
  /** Validators of the last copy read, sent back on the next poll (conditional GET). */
  etag: string | null;
  lastModified: string | null;
  lastSuccess: string | null;
  lastResult: PollResult | null;
  lastError: { message: string; at: string } | null;
  /** Polls failed in a row since the last success: the back-off grows with them. */
  failures: number;
  nextPollAt: string;
};

/** Where subscriptions are kept. Every method may be called concurrently. */
export interface FeedStore {
  /** Every subscription, oldest first. */
  list(): Promise<Subscription[]>;
  get(id: string): Promise<Subscription | undefined>;
  /** Stores `subscription` unless one with its id exists; resolves with the stored one and whether it is new. */
  add(subscription: Subscription): Promise<{ subscription: Subscription; created: boolean }>;
  /** Replaces a subscription that still exists (a poll finishing after a delete writes nothing); resolves false when it is gone. */
  update(subscription: Subscription): Promise<boolean>;
  remove(id: string): Promise<boolean>;
  /**
   * The subscriptions due at `now` (`nextPollAt` ≤ now), each moved to `leaseUntil` in the same
   * step, so that another server (or a second tick) does not poll it too; a poll that never
   * finishes (a crash) is retried once the lease has passed.
   */
  claimDue(now: Date, leaseUntil: Date): Promise<Subscription[]>;
  close(): Promise<void>;
}
