/**
 * @module service/admission
 * Load shedding: at most so many searches are in the server at once, running or waiting for
 * their turn; one more is refused at once with 503 `unavailable` and a `Retry-After`, rather than
 * queued without bound (latency that grows until every client times out). Each search waits for
 * at most as many others as the limit, a slice at a time.
 */
import { createError } from '../errors.ts';

/** Default most searches in the server at once (SPEC §13). */
export const MAX_SEARCHES_IN_FLIGHT = 64;
/** What a refused client is told to wait: searches take milliseconds, so one second clears the queue. */
const RETRY_AFTER_SECONDS = 1;

/** Admits work up to a limit. */
export type Admission = {
  /** Runs `work` when fewer than the limit are in; else throws `unavailable` (503 with `Retry-After`). */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Searches in the server now. */
  readonly inFlight: number;
  readonly limit: number;
};

/**
 * Creates an admission of at most `limit` at once.
 *
 * @example
 * const searches = createAdmission(64);
 * await searches.run(() => backend.search(query, request));
 */
export function createAdmission(limit: number = MAX_SEARCHES_IN_FLIGHT): Admission {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the admission limit must be a positive integer, got ${limit}`);
  let inFlight = 0;
  return {
    async run(work) {
      if (inFlight >= limit) {
        const error = createError('unavailable', `the server is busy: ${limit === 1 ? '1 search is' : `${limit} searches are`} already running or waiting; retry in ${RETRY_AFTER_SECONDS} s`);
        error.retryAfterSeconds = RETRY_AFTER_SECONDS;
        throw error;
      }
      inFlight += 1;
      try {
        return await work();
      } finally {
        inFlight -= 1;
      }
    },
    get inFlight() {
      return inFlight;
    },
    limit,
  };
}
