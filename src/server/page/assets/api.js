/**
 * @module assets/api
 * Calls the JSON API. Never throws for an answer the user should see: an error response
 * (`{"error": {"code", "message"}}`) or an unreachable server comes back as a failure carrying
 * the API's code and message, which `messages.js` puts into plain words before anyone sees them.
 */

/**
 * @template T
 * @typedef {{ ok: true, value: T, status: number } | { ok: false, code: string, message: string, status: number, aborted: boolean }} ApiResult
 */

/**
 * GETs `path` and reads its JSON.
 *
 * @template T
 * @param {string} path
 * @param {AbortSignal} [signal] aborts the request when a newer one replaces it
 * @returns {Promise<ApiResult<T>>}
 */
export function getJson(path, signal) {
  return requestJson(path, { signal, headers: { Accept: 'application/json' } });
}

/**
 * Sends a request to `path` (`init` as `fetch` takes it) and reads its JSON answer: a success
 * with a JSON body (or 204, whose value is `null`), else a failure with the API's code and message.
 *
 * @template T
 * @param {string} path
 * @param {RequestInit} init
 * @returns {Promise<ApiResult<T>>}
 */
export async function requestJson(path, init) {
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    const aborted = error instanceof DOMException && error.name === 'AbortError';
    return { ok: false, code: 'unreachable', message: String(error), status: 0, aborted };
  }
  /** @type {any} */
  let body = null;
  try {
    if (response.status !== 204) body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, say): the status alone is the message.
  }
  if (response.ok && (body !== null || response.status === 204)) return { ok: true, value: body, status: response.status };
  const code = typeof body?.error?.code === 'string' ? body.error.code : 'http';
  const message = typeof body?.error?.message === 'string' ? body.error.message : `${response.status} ${response.statusText}`;
  return { ok: false, code, message, status: response.status, aborted: false };
}
