/**
 * @module ingest/fetch-url
 * Fetches a URL for ingest (SPEC §11) without letting the URL reach what it should not: http(s)
 * only; the host name resolved first, every address it resolves to checked by
 * {@link classifyAddress}, then the connection made to the checked address itself (a `lookup`
 * that answers only that address, so no second DNS answer can pick another); at most
 * {@link MAX_REDIRECTS} redirects, each target checked the same way; a time limit for the
 * response's headers and one for the whole body; a cap on the body's size. Conditional GET
 * (`If-None-Match`, `If-Modified-Since`) for feeds that are polled.
 *
 * Every failure is a `bad_request` whose message names the URL and what was wrong, and whose
 * `details.reason` says which kind: `invalid_url`, `refused` (scheme or address), or `upstream`
 * (the far side failed: no connection, a time limit, an error status, too many redirects, too
 * large). SPEC §5 has no code for a failed upstream (no 502), so it is a `bad_request` too.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { createError, messageOf, systemCodeOf, type ServiceError } from '../errors.ts';
import { classifyAddress, type AddressVerdict } from './address-rules.ts';

/** Redirects followed before giving up (SPEC §11). */
export const MAX_REDIRECTS = 5;
/**
 * Largest body fetched: 10 MiB, what `POST /articles` accepts by default (`MAX_BODY_BYTES`), so a
 * page or feed that could be posted can be fetched, and no more.
 */
export const MAX_FETCH_BYTES = 10 * 1024 * 1024;
/** Time to resolve the host, connect and receive the response's headers: a news site answers in well under this. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** Time for the whole response, body included: 10 MiB at a slow 400 kB/s. */
export const BODY_TIMEOUT_MS = 30_000;
/** The User-Agent of every fetch: names the service, so a site's operator knows who asks. */
export const USER_AGENT = 'news-search/0.1 (URL ingest and feed subscriptions)';

/** Resolves a host name to its addresses (`dns.lookup` with `all: true` by default; tests inject their own). */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** How to fetch. */
export type FetchOptions = {
  /** Lets the fetch reach private, loopback and other non-public addresses (`ALLOW_PRIVATE_FETCH=1`). */
  allowPrivate?: boolean;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  resolve?: Resolver;
  /** The address rule (default {@link classifyAddress}); tests stand a loopback address in for a public one with it. */
  classify?: (address: string) => AddressVerdict;
  /** Validators of the copy held: sent as `If-None-Match` and `If-Modified-Since`. */
  etag?: string | null;
  lastModified?: string | null;
  /** What to ask for (the `Accept` header). */
  accept?: string;
  /** Aborts the fetch (a server shutting down): it fails as `upstream`, "aborted". */
  signal?: AbortSignal;
};

/** A fetched response: 200-like with its body, or 304 (not modified) without one. */
export type Fetched =
  | { status: 'ok'; url: string; contentType: string | null; etag: string | null; lastModified: string | null; body: Buffer }
  | { status: 'not_modified'; url: string; etag: string | null; lastModified: string | null };

/** Which kind of failure (see the module's header). */
export type FetchFailure = 'invalid_url' | 'refused' | 'upstream';

const DEFAULT_ACCEPT = 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5';
/** Statuses that redirect (with a `Location`). */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

const defaultResolve: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A fetch failure: `bad_request`, the URL and what was wrong in the message, the kind in `details.reason`. */
export function fetchError(reason: FetchFailure, url: string, message: string): ServiceError {
  return createError('bad_request', `${url}: ${message}`, { reason, url });
}

/** The kind of a fetch failure made by {@link fetchError}, or `undefined` for any other error. */
export function fetchFailureOf(error: unknown): FetchFailure | undefined {
  const details = (error as { details?: { reason?: unknown } } | null)?.details;
  const reason = details?.reason;
  return reason === 'invalid_url' || reason === 'refused' || reason === 'upstream' ? reason : undefined;
}

/**
 * Parses `text` as an absolute http(s) URL; throws `invalid_url` or `refused` (another scheme).
 *
 * @example
 * checkUrl('https://example.com/feed').hostname // 'example.com'
 * checkUrl('file:///etc/passwd') // throws 'file:///etc/passwd: only http and https URLs are fetched, not file:'
 */
export function checkUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fetchError('invalid_url', text.slice(0, 2000), 'not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fetchError('refused', text.slice(0, 2000), `only http and https URLs are fetched, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw fetchError('refused', redact(url), 'a URL with a user name or password is not fetched');
  return url;
}

function redact(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/**
 * The address to connect to for `url`: every address its host resolves to must be allowed (one
 * refused address refuses the URL: which one a connection would use is not ours to choose),
 * then the first is used. With `allowPrivate`, any address.
 */
async function pickAddress(url: URL, options: { allowPrivate: boolean; resolve: Resolver; classify: (address: string) => AddressVerdict; timeoutMs: number }): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    let timer: NodeJS.Timeout | undefined;
    // A resolver that never answers counts against the time to the headers, as a silent server does.
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(fetchError('upstream', url.href, `cannot resolve ${host} within ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    try {
      addresses = await Promise.race([options.resolve(host), timeout]);
    } catch (error) {
      if (fetchFailureOf(error) !== undefined) throw error;
      throw fetchError('upstream', url.href, `cannot resolve ${host} (${systemCodeOf(error) ?? messageOf(error)})`);
    } finally {
      clearTimeout(timer);
    }
    if (addresses.length === 0) throw fetchError('upstream', url.href, `${host} resolves to no address`);
  }
  if (!options.allowPrivate) {
    for (const { address } of addresses) {
      const verdict = options.classify(address);
      if (!verdict.allowed) {
        throw fetchError('refused', url.href, `${host === address ? '' : `${host} resolves to `}${address}, a ${verdict.reason} address: only public addresses are fetched (ALLOW_PRIVATE_FETCH=1 allows others)`);
      }
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A `lookup` that answers `address` whatever it is asked: the connection goes where the check said. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return function lookupPinned(_hostname, options, callback) {
    if (options.all === true) (callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * Fetches `url` as described in the module's header. Resolves with the body (2xx) or with
 * `not_modified` (304, when validators were given); throws a {@link fetchError} otherwise.
 *
 * @example
 * const fetched = await fetchUrl('https://example.com/feed.xml', { etag: '"abc"' });
 * if (fetched.status === 'ok') console.log(fetched.contentType, fetched.body.length);
 */
export async function fetchUrl(url: string, options: FetchOptions = {}): Promise<Fetched> {
  const { allowPrivate = false, maxRedirects = MAX_REDIRECTS, resolve = defaultResolve, classify = classifyAddress } = options;
  let current = checkUrl(url);
  for (let redirects = 0; ; redirects++) {
    const pinned = await pickAddress(current, { allowPrivate, resolve, classify, timeoutMs: options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS });
    const response = await request(current, pinned, options);
    if (response.kind === 'redirect') {
      if (redirects >= maxRedirects) throw fetchError('upstream', url, `more than ${maxRedirects} redirects (the last to ${response.location})`);
      let next: URL;
      try {
        next = new URL(response.location, current);
      } catch {
        throw fetchError('upstream', current.href, `redirects to an invalid URL: ${response.location.slice(0, 500)}`);
      }
      current = checkUrl(next.href);
      continue;
    }
    return response.fetched;
  }
}

type Answer = { kind: 'redirect'; location: string } | { kind: 'done'; fetched: Fetched };

/** One request to `url` over a connection to `pinned`. */
function request(url: URL, pinned: { address: string; family: 4 | 6 }, options: FetchOptions): Promise<Answer> {
  const { headersTimeoutMs = HEADERS_TIMEOUT_MS, bodyTimeoutMs = BODY_TIMEOUT_MS, maxBytes = MAX_FETCH_BYTES } = options;
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: options.accept ?? DEFAULT_ACCEPT, 'Accept-Encoding': 'identity' };
  if (options.etag) headers['If-None-Match'] = options.etag;
  if (options.lastModified) headers['If-Modified-Since'] = options.lastModified;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<Answer>((resolvePromise, rejectPromise) => {
    let settled = false;
    const finish = (error: ServiceError | null, answer?: Answer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(headersTimer);
      clearTimeout(bodyTimer);
      if (error !== null) {
        req.destroy();
        rejectPromise(error);
      } else resolvePromise(answer as Answer);
    };
    // No agent: a connection of its own, never one kept alive to an address checked for another URL.
    const req = transport.request(url, { method: 'GET', headers, agent: false, lookup: pinnedLookup(pinned.address, pinned.family) });
    const headersTimer = setTimeout(() => finish(fetchError('upstream', url.href, `no response within ${headersTimeoutMs} ms`)), headersTimeoutMs);
    const bodyTimer = setTimeout(() => finish(fetchError('upstream', url.href, `the response took longer than ${bodyTimeoutMs} ms`)), bodyTimeoutMs);
    const abort = (): void => finish(fetchError('upstream', url.href, 'aborted (the server is stopping)'));
    if (options.signal?.aborted === true) queueMicrotask(abort);
    options.signal?.addEventListener('abort', abort, { once: true });
    req.on('close', () => options.signal?.removeEventListener('abort', abort));
    req.on('error', (error) => finish(fetchError('upstream', url.href, `cannot fetch (${systemCodeOf(error) ?? messageOf(error)})`)));
    req.on('response', (response: IncomingMessage) => {
      clearTimeout(headersTimer);
      const status = response.statusCode ?? 0;
      const header = (name: string): string | null => {
        const value = response.headers[name];
        return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
      };
      if (REDIRECT_STATUSES.has(status)) {
        response.resume();
        const location = header('location');
        if (location === null) return finish(fetchError('upstream', url.href, `answered ${status} without a Location`));
        return finish(null, { kind: 'redirect', location });
      }
      if (status === 304) {
        response.resume();
        return finish(null, { kind: 'done', fetched: { status: 'not_modified', url: url.href, etag: header('etag') ?? options.etag ?? null, lastModified: header('last-modified') ?? options.lastModified ?? null } });
      }
      if (status < 200 || status > 299) {
        response.resume();
        return finish(fetchError('upstream', url.href, `answered ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`));
      }
      const declared = Number(header('content-length') ?? NaN);
      if (declared > maxBytes) return finish(fetchError('upstream', url.href, `the body is ${declared} bytes, over the limit of ${maxBytes}`));
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > maxBytes) return finish(fetchError('upstream', url.href, `the body is over the limit of ${maxBytes} bytes`));
        chunks.push(chunk);
      });
      response.on('error', (error) => finish(fetchError('upstream', url.href, `the body was cut off (${systemCodeOf(error) ?? messageOf(error)})`)));
      response.on('aborted', () => finish(fetchError('upstream', url.href, 'the body was cut off')));
      response.on('end', () =>
        finish(null, {
          kind: 'done',
          fetched: { status: 'ok', url: url.href, contentType: header('content-type'), etag: header('etag'), lastModified: header('last-modified'), body: Buffer.concat(chunks) },
        }),
      );
    });
    req.end();
  });
}
