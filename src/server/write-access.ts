/**
 * @module server/write-access
 * Who may write (SPEC §6): with a token configured, requests bearing it; without one, anybody
 * when the server listens on loopback only, nobody otherwise.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { createError } from '../errors.ts';

/** The write policy. */
export type WriteAccess = {
  /** The bearer token writes need (`INGEST_TOKEN`), or `undefined`. */
  token?: string | undefined;
  /** The address the server listens on (`HOST`), deciding writes when there is no token. */
  host: string;
};

/** Matches loopback addresses: 127.0.0.0/8, ::1 and localhost. */
const LOOPBACK_RE = /^(?:127(?:\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;
/** Matches an `Authorization: Bearer <token>` header, capturing the token. */
const BEARER_RE = /^Bearer\s+(\S+)\s*$/i;

/** True when `host` is a loopback address. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_RE.test(host);
}

/** Compares secrets in constant time (digests first, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Creates the middleware guarding write routes.
 *
 * @example
 * app.post('/articles', requireWriteAccess({ token: 's3cret', host: '0.0.0.0' }), handler);
 */
export function requireWriteAccess(access: WriteAccess): MiddlewareHandler {
  const { token, host } = access;
  return async function checkWriteAccess(c, next) {
    if (token !== undefined && token !== '') {
      const given = BEARER_RE.exec(c.req.header('authorization') ?? '')?.[1];
      if (given === undefined || !sameSecret(given, token)) {
        c.header('WWW-Authenticate', 'Bearer');
        throw createError('unauthorized', 'writes need the header "Authorization: Bearer <INGEST_TOKEN>"');
      }
    } else if (!isLoopback(host)) {
      throw createError('writes_disabled', 'writes are disabled: set INGEST_TOKEN to accept them on a non-loopback address');
    }
    await next();
  };
}
