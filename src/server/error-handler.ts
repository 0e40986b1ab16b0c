/**
 * @module server/error-handler
 * The one place where errors become HTTP responses: `{"error": {"code", "message"}}` with the
 * status of the code. Unknown errors are logged and answered as `internal`, without details.
 */
import type { HttpBindings } from '@hono/node-server';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_STATUS, isServiceError, systemCodeOf, type ErrorCode } from '../errors.ts';
import { logTarget } from './access-log.ts';
import { EVICTED_CODE, REQUEST_TIMEOUT_CODE } from './connection-limits.ts';

/** The JSON body of every error response. */
export type ErrorBody = { error: { code: ErrorCode; message: string; details?: unknown } };

/** HTTP statuses Hono's own exceptions may carry, and our code for each. */
const STATUS_CODES: Record<number, ErrorCode> = Object.fromEntries(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
);

/** Answers an error response. */
export function errorResponse(c: Context, code: ErrorCode, message: string, details?: unknown): Response {
  const body: ErrorBody = { error: details === undefined ? { code, message } : { code, message, details } };
  return c.json(body, ERROR_STATUS[code] as ContentfulStatusCode);
}

/**
 * The status of a request whose client went away before it was answered (an aborted upload):
 * nginx's "client closed request". Nothing is sent; the access log says 499, and nothing else does.
 */
export const CLIENT_CLOSED_STATUS = 499;

/** The status of a request whose body did not arrive within the request timeout, or arrived too slowly: Node (or the minimum rate of `connection-limits.ts`) has answered it so and closed its connection. */
export const REQUEST_TIMEOUT_STATUS = 408;

/** The status of a request whose connection was closed to make room for a new one (`connection-limits.ts`): it was answered so. */
export const EVICTED_STATUS = 503;

/**
 * What the server told a request whose connection it cut itself (too slow, or closed to make
 * room), told apart by the error the socket was destroyed with; `undefined` when the client went away.
 */
function statusOfCut(c: Context): number | undefined {
  // Served by @hono/node-server, the environment holds Node's request; under `app.request()` there is none.
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  const code = systemCodeOf(incoming?.socket?.errored);
  if (code === REQUEST_TIMEOUT_CODE) return REQUEST_TIMEOUT_STATUS;
  if (code === EVICTED_CODE) return EVICTED_STATUS;
  return undefined;
}

/**
 * True when `error` is the client going away, not a fault of ours: the request was aborted
 * (its signal says so), or reading its body failed because the connection was reset.
 */
export function isClientAbort(error: unknown, c: Context): boolean {
  if (c.req.raw.signal.aborted) return true;
  if (error instanceof Error && error.name === 'AbortError') return true;
  return systemCodeOf(error) === 'ECONNRESET' || (error instanceof Error && error.message === 'aborted');
}

/**
 * Creates the `onError` handler. `log` receives unexpected errors (with their stack and the
 * request id, for matching them with the access log), which never reach the client. A client
 * that went away is no error: answered {@link CLIENT_CLOSED_STATUS}, for the access log only
 * ({@link REQUEST_TIMEOUT_STATUS} when the server cut it for being too slow, {@link EVICTED_STATUS}
 * when it closed it to make room).
 */
export function createErrorHandler(log: (message: string) => void): ErrorHandler {
  return function handleError(error, c) {
    if (isServiceError(error)) {
      if (error.retryAfterSeconds !== undefined) c.header('Retry-After', String(error.retryAfterSeconds));
      return errorResponse(c, error.code, error.message, error.details);
    }
    if (isClientAbort(error, c)) return new Response(null, { status: statusOfCut(c) ?? CLIENT_CLOSED_STATUS });
    if (error instanceof HTTPException) {
      const code = STATUS_CODES[error.status] ?? (error.status >= 500 ? 'internal' : 'bad_request');
      return errorResponse(c, code, error.message || `request failed with status ${error.status}`);
    }
    const id = (c.get('requestId') as string | undefined) ?? '-';
    log(`internal error on ${c.req.method} ${logTarget(c.req.url)} id=${id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return errorResponse(c, 'internal', 'internal error');
  };
}

/** Answers 404 `not_found` for unknown routes. */
export const handleNotFound: NotFoundHandler = (c) => errorResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
