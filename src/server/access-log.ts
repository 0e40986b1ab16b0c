/**
 * @module server/access-log
 * One line per request, handed to an injected `log`: time, method, target (truncated), status,
 * duration and request id. Placed after Hono's `requestId` middleware, before everything else,
 * so it also sees the responses of errors, refusals and rate limits.
 */
import type { MiddlewareHandler } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';

/** Longest request target written to the log: a 10,000-character query would drown it. */
const MAX_TARGET_CHARS = 200;
/** Matches control characters, which must never reach a log line (log forging). */
const CONTROL_RE = /\p{Cc}/gu;

/** How requests are logged. */
export type AccessLogOptions = {
  /** Receives each line. */
  log: (line: string) => void;
  /** Longest path and query string written; longer ones are cut and marked. */
  maxTargetChars?: number;
  /** The clock for the time stamp (tests pass their own). */
  date?: () => Date;
};

/**
 * The request target (path and query string, percent-encoded as received) for a log line,
 * cut to `max` characters with the number of characters left out.
 *
 * @example
 * logTarget('http://h/search?q=gaza', 200) // '/search?q=gaza'
 */
export function logTarget(url: string, max: number = MAX_TARGET_CHARS): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const target = (start === -1 ? '/' : url.slice(start)).replace(CONTROL_RE, '?');
  return target.length <= max ? target : `${target.slice(0, max)}…(+${target.length - max} chars)`;
}

/**
 * Creates the access-log middleware. A line reads
 * `2024-05-01T12:00:00.000Z GET /search?q=gaza 200 1.3ms id=4f1c…`.
 *
 * @example
 * app.use(requestId(), accessLog({ log: (line) => process.stderr.write(`${line}\n`) }));
 */
export function accessLog(options: AccessLogOptions): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  const { log, maxTargetChars = MAX_TARGET_CHARS, date = () => new Date() } = options;
  return async function logAccess(c, next) {
    const started = performance.now();
    const at = date().toISOString();
    try {
      await next();
    } finally {
      const ms = (performance.now() - started).toFixed(1);
      // Without a response (an error that escaped every handler) Node answers 500.
      const status = c.finalized ? c.res.status : 500;
      log(`${at} ${c.req.method} ${logTarget(c.req.url, maxTargetChars)} ${status} ${ms}ms id=${c.get('requestId') ?? '-'}`);
    }
  };
}
