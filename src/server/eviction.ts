/**
 * @module server/eviction
 * Which open connection to close when every slot is taken and a new one arrives: the one doing
 * the least for anyone. First an idle keep-alive connection (the longest idle), then the
 * connection sending its request the slowest (fewest bytes a second so far; a connection that has
 * sent nothing yet is spared for a moment, the server may not have read it yet), and never one
 * whose complete request is being answered. Pure: it sees what each
 * connection is doing, not the sockets (`connection-limits.ts` tracks them and closes the one
 * chosen).
 */

/** What an open connection is doing, as the choice sees it. Times are in milliseconds, on any one clock. */
export type ConnectionActivity =
  /** It has been answered and has sent no byte of another request since `since` (its last response). */
  | { state: 'idle'; since: number }
  /**
   * It is sending a request, headers or body, not complete yet: `bytes` received since `since`
   * (its opening for a first request, its last response for the next ones).
   */
  | { state: 'receiving'; since: number; bytes: number }
  /** Its request has arrived whole and is being answered: it is never chosen. */
  | { state: 'answering' };

/**
 * How long a connection that has sent nothing is spared: accepted a moment ago, it has sent 0
 * bytes as far as the server knows because the server has not had its turn to read them yet (a
 * flood accepts hundreds in one turn of the event loop). Half a second is a few turns even under
 * load. Past it, nothing at all is the slowest rate there is.
 */
export const EVICTION_GRACE_MS = 500;

/** Order of preference: lower goes first. */
const IDLE = 0;
const SLOW = 1;
const UNREAD = 2;

/** A candidate's place in the order: its class, then a number to compare within it (lower goes first). */
type Rank = { group: number; key: number; since: number };

function rankOf(activity: ConnectionActivity, now: number, graceMs: number): Rank | undefined {
  if (activity.state === 'answering') return undefined;
  if (activity.state === 'idle') return { group: IDLE, key: activity.since, since: activity.since };
  const elapsed = now - activity.since;
  if (activity.bytes === 0 && elapsed < graceMs) return { group: UNREAD, key: activity.since, since: activity.since };
  // Once a byte was read, the rate says how fast the client sends: a steady upload stays fast, a trickle's falls with every second.
  return { group: SLOW, key: activity.bytes / (Math.max(elapsed, 1) / 1000), since: activity.since };
}

function goesFirst(a: Rank, b: Rank): boolean {
  if (a.group !== b.group) return a.group < b.group;
  if (a.key !== b.key) return a.key < b.key;
  // Equally slow: the one that has been at it longer.
  return a.since < b.since;
}

/**
 * The connections that may be closed to make room for a new one, the first to close first; those
 * whose complete request is being answered are left out. In order: idle keep-alive connections,
 * the longest idle first; then requests by the fewest bytes a second so far (the longest going,
 * between equals), those that have sent nothing for `graceMs` or more first of all; then
 * connections younger than `graceMs` that have sent nothing yet, the oldest first.
 *
 * @example
 * rankForEviction([['a', { state: 'answering' }], ['b', { state: 'receiving', since: 0, bytes: 30 }], ['c', { state: 'idle', since: 9_000 }]], 10_000) // ['c', 'b']
 */
export function rankForEviction<T>(connections: Iterable<readonly [T, ConnectionActivity]>, now: number, graceMs: number = EVICTION_GRACE_MS): T[] {
  const ranked: Array<{ connection: T; rank: Rank }> = [];
  for (const [connection, activity] of connections) {
    const rank = rankOf(activity, now, graceMs);
    if (rank !== undefined) ranked.push({ connection, rank });
  }
  return ranked.sort((a, b) => (goesFirst(a.rank, b.rank) ? -1 : goesFirst(b.rank, a.rank) ? 1 : 0)).map(({ connection }) => connection);
}
