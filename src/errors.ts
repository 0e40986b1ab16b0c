/**
 * @module errors
 * The one table of error codes: each maps to an HTTP status. Code everywhere throws
 * `createError(code, message)`; the server turns it into `{"error": {code, message}}` in one place.
 */

/** Every error code the service can answer with, and its HTTP status. */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  writes_disabled: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  /** More searches are running or waiting than the server takes at once: retry after `Retry-After` seconds. */
  unavailable: 503,
  /** The store of record (the corpus folder's disk, the database) is full: nothing of the request was written. */
  insufficient_storage: 507,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A failure with a code from {@link ERROR_STATUS} and a message naming the offending value. */
export class ServiceError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable detail, such as the list of invalid items of a batch. */
  readonly details: unknown;
  /** Seconds after which the request may be tried again (the `Retry-After` header), for refusals that pass. */
  retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
    this.details = details;
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }
}

/**
 * Creates a {@link ServiceError}.
 *
 * @example
 * throw createError('bad_request', 'limit must be an integer from 1 to 100, got "abc"');
 */
export function createError(code: ErrorCode, message: string, details?: unknown): ServiceError {
  return new ServiceError(code, message, details);
}

/** True when `value` is a {@link ServiceError}. */
export function isServiceError(value: unknown): value is ServiceError {
  return value instanceof ServiceError;
}

/** Matches the `code` of a Node.js file-system error that means "the disk or the quota is full". */
const DISK_FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/** The `code` of a Node.js system error (`ENOENT`, `ENOSPC`…), or `undefined` for anything else. */
export function systemCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when `error` says the disk (or the user's quota) is full.
 *
 * @example
 * isDiskFull(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })) // true
 */
export function isDiskFull(error: unknown): boolean {
  return DISK_FULL_CODES.has(systemCodeOf(error) ?? '');
}

/**
 * The message of anything thrown, for a log line or a reason: an Error's message, else the value as text.
 *
 * @example
 * messageOf(new Error('disk full')) // 'disk full'
 * messageOf('gone')                 // 'gone'
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
