/**
 * @module server/rate-limit
 * An optional per-client rate limit: a fixed window per client, counted in memory, answering
 * 429 `rate_limited` with a `Retry-After` header once a client has used up its window. Off
 * unless configured (`RATE_LIMIT_PER_MINUTE` in the CLI).
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { createError } from '../errors.ts';

/** Default window: the limit is "per minute". */
const WINDOW_MS = 60_000;
/** Default cap on the clients remembered at once, so a crowd of addresses cannot grow memory without bound. */
const MAX_CLIENTS = 10_000;

/** How the limit is applied. */
export type RateLimitOptions = {
  /** Requests one client may make per window. */
  limit: number;
  /** Length of a window, in milliseconds. */
  windowMs?: number;
  /** Names the client of a request; by default its remote address ({@link clientAddress}). */
  keyOf?: (c: Context) => string;
  /** Most clients remembered at once; past it, the client whose window is oldest is forgotten. */
  maxClients?: number;
  /** Requests that are neither counted nor limited (health checks, say). */
  skip?: (c: Context) => boolean;
  /** The clock, in milliseconds (tests pass their own). */
  now?: () => number;
};

/**
 * The remote address of a request's connection, or `"unknown"` when there is no connection
 * (requests made with `app.request()` in tests). Behind a reverse proxy this is the proxy's
 * address: every client then shares one window.
 *
 * @example
 * rateLimit({ limit: 600, keyOf: clientAddress });
 */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Creates the rate-limiting middleware.
 *
 * @example
 * app.use(rateLimit({ limit: 600 })); // 600 requests per minute per client address
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { limit, windowMs = WINDOW_MS, keyOf = clientAddress, maxClients = MAX_CLIENTS, skip = () => false, now = Date.now } = options;
  if (!Number.isInteger(limit) || limit < 1) throw createError('bad_request', `rate limit must be a positive integer, got ${limit}`);
  // Insertion order is window start order (a renewed window is re-inserted), so the expired
  // windows are always at the front: pruning stops at the first live one, and costs next to
  // nothing on each request.
  const windows = new Map<string, { start: number; count: number }>();

  const prune = (time: number): void => {
    for (const [key, window] of windows) {
      if (time - window.start < windowMs) break;
      windows.delete(key);
    }
  };

  return async function limitRate(c, next) {
    if (skip(c)) return next();
    const time = now();
    prune(time);
    const key = keyOf(c);
    let window = windows.get(key);
    if (window === undefined) {
      if (windows.size >= maxClients) {
        const oldest = windows.keys().next();
        if (oldest.done !== true) windows.delete(oldest.value);
      }
      window = { start: time, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count > limit) {
      const retryAfter = Math.max(1, Math.ceil((window.start + windowMs - time) / 1000));
      c.header('Retry-After', String(retryAfter));
      throw createError('rate_limited', `too many requests: at most ${limit} per ${windowMs / 1000} s per client; retry in ${retryAfter} s`);
    }
    await next();
  };
}
