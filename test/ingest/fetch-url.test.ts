/**
 * The safe fetcher against local servers: what it fetches, and everything it refuses or gives up
 * on (scheme, addresses after DNS and on every redirect, redirects, time limits, size cap), with
 * conditional GET. Time limits are short and injected: the servers that test them never answer,
 * so the outcome does not depend on speed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { classifyAddress, type AddressVerdict } from '../../src/ingest/address-rules.ts';
import { fetchFailureOf, fetchUrl, USER_AGENT, type FetchOptions } from '../../src/ingest/fetch-url.ts';
import { isServiceError } from '../../src/errors.ts';
import { answer, startLocalServer, type LocalServer } from '../monitor/local-server.ts';

let servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function server(host?: string): Promise<LocalServer> {
  const started = await startLocalServer(host);
  servers.push(started);
  return started;
}

/** The error `promise` rejects with (fails the test when it resolves). */
async function failureOf(promise: Promise<unknown>): Promise<{ reason: string | undefined; message: string; code: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    return { reason: fetchFailureOf(error), message: error instanceof Error ? error.message : String(error), code: isServiceError(error) ? error.code : undefined };
  }
  throw new Error('expected the fetch to fail');
}

const PRIVATE_OK: FetchOptions = { allowPrivate: true };
/** 127.0.0.2 stands in for a public address: the one loopback address these tests let through without allowPrivate. */
const PUBLIC_STAND_IN = '127.0.0.2';
const classifyWithStandIn = (address: string): AddressVerdict => (address === PUBLIC_STAND_IN ? { allowed: true } : classifyAddress(address));

describe('fetchUrl', () => {
  it('fetches a body with its type and validators, naming the service in User-Agent', async () => {
    const local = await server();
    local.route('/feed.xml', answer('<rss/>', 'application/rss+xml', { ETag: '"v1"', 'Last-Modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }));
    const fetched = await fetchUrl(`${local.origin}/feed.xml`, PRIVATE_OK);
    expect(fetched).toMatchObject({ status: 'ok', url: `${local.origin}/feed.xml`, contentType: 'application/rss+xml', etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' });
    expect(fetched.status === 'ok' && fetched.body.toString()).toBe('<rss/>');
    expect(local.lastHeaders.get('/feed.xml')?.['user-agent']).toBe(USER_AGENT);
  });

  it('sends If-None-Match and If-Modified-Since and reports a 304 as not modified', async () => {
    const local = await server();
    local.route('/feed.xml', (request, response) => {
      if (request.headers['if-none-match'] === '"v1"' && request.headers['if-modified-since'] === 'Tue, 01 Dec 2026 10:00:00 GMT') response.writeHead(304).end();
      else response.writeHead(200, { ETag: '"v1"' }).end('<rss/>');
    });
    const fetched = await fetchUrl(`${local.origin}/feed.xml`, { ...PRIVATE_OK, etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' });
    expect(fetched).toEqual({ status: 'not_modified', url: `${local.origin}/feed.xml`, etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' });
  });

  it.each([
    ['file:///etc/passwd', 'refused', 'only http and https URLs are fetched, not file:'],
    ['ftp://example.com/feed.xml', 'refused', 'only http and https URLs are fetched, not ftp:'],
    ['javascript:alert(1)', 'refused', 'only http and https URLs are fetched, not javascript:'],
    ['https://user:secret@example.com/', 'refused', 'a URL with a user name or password is not fetched'],
    ['not a url', 'invalid_url', 'not an absolute URL'],
    ['/relative/feed.xml', 'invalid_url', 'not an absolute URL'],
  ])('refuses %s as a bad request naming the URL', async (url, reason, message) => {
    const failure = await failureOf(fetchUrl(url, PRIVATE_OK));
    expect(failure).toMatchObject({ code: 'bad_request', reason });
    expect(failure.message).toContain(message);
    expect(failure.message.startsWith(url.includes('secret') ? 'https://example.com/' : url)).toBe(true);
    expect(failure.message).not.toContain('secret');
  });

  it('follows up to 5 redirects, relative ones included, and gives up on the 6th', async () => {
    const local = await server();
    for (let n = 0; n < 6; n++) local.route(`/r${n}`, (_request, response) => response.writeHead(n % 2 === 0 ? 301 : 307, { Location: `/r${n + 1}` }).end());
    local.route('/r6', answer('arrived', 'text/plain'));
    const fromOne = await fetchUrl(`${local.origin}/r1`, PRIVATE_OK);
    expect(fromOne).toMatchObject({ status: 'ok', url: `${local.origin}/r6` });
    const fromZero = await failureOf(fetchUrl(`${local.origin}/r0`, PRIVATE_OK));
    expect(fromZero).toMatchObject({ code: 'bad_request', reason: 'upstream' });
    expect(fromZero.message).toBe(`${local.origin}/r0: more than 5 redirects (the last to /r6)`);
    expect(local.hits.get('/r6')).toBe(1);
  });

  it('gives up when no response arrives within the headers time limit', async () => {
    const local = await server();
    local.route('/silent', () => undefined); // accepts the request, never answers
    const failure = await failureOf(fetchUrl(`${local.origin}/silent`, { ...PRIVATE_OK, headersTimeoutMs: 100 }));
    expect(failure).toMatchObject({ reason: 'upstream', message: `${local.origin}/silent: no response within 100 ms` });
  });

  it('gives up when the host name is not resolved within the headers time limit', async () => {
    const failure = await failureOf(fetchUrl('http://slow-dns.test/feed.xml', { headersTimeoutMs: 100, resolve: () => new Promise(() => undefined) }));
    expect(failure).toMatchObject({ reason: 'upstream', message: 'http://slow-dns.test/feed.xml: cannot resolve slow-dns.test within 100 ms' });
  });

  it('reports a name that does not resolve as an upstream failure naming the host', async () => {
    const resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    expect(await failureOf(fetchUrl('http://nowhere.test/', { resolve }))).toMatchObject({ reason: 'upstream', message: 'http://nowhere.test/: cannot resolve nowhere.test (ENOTFOUND)' });
  });

  it('gives up when the body does not finish within the body time limit', async () => {
    const local = await server();
    local.route('/trickle', (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.write('<html>'); // and never more
    });
    const failure = await failureOf(fetchUrl(`${local.origin}/trickle`, { ...PRIVATE_OK, bodyTimeoutMs: 150 }));
    expect(failure).toMatchObject({ reason: 'upstream', message: `${local.origin}/trickle: the response took longer than 150 ms` });
  });

  it('refuses a body over the cap, whether its length is declared or not', async () => {
    const local = await server();
    local.route('/declared', answer('x'.repeat(5000), 'text/plain', { 'Content-Length': '5000' }));
    local.route('/chunked', (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      for (let i = 0; i < 10; i++) response.write('y'.repeat(500));
      response.end();
    });
    expect(await failureOf(fetchUrl(`${local.origin}/declared`, { ...PRIVATE_OK, maxBytes: 1000 }))).toMatchObject({
      reason: 'upstream',
      message: `${local.origin}/declared: the body is 5000 bytes, over the limit of 1000`,
    });
    expect(await failureOf(fetchUrl(`${local.origin}/chunked`, { ...PRIVATE_OK, maxBytes: 1000 }))).toMatchObject({
      reason: 'upstream',
      message: `${local.origin}/chunked: the body is over the limit of 1000 bytes`,
    });
    const fits = await fetchUrl(`${local.origin}/chunked`, { ...PRIVATE_OK, maxBytes: 5000 });
    expect(fits.status === 'ok' && fits.body.length).toBe(5000);
  });

  it('reports an error status and a refused connection as upstream failures', async () => {
    const local = await server();
    local.route('/broken', (_request, response) => response.writeHead(500).end());
    expect(await failureOf(fetchUrl(`${local.origin}/broken`, PRIVATE_OK))).toMatchObject({ reason: 'upstream', message: `${local.origin}/broken: answered 500 Internal Server Error` });
    const closed = await server();
    await closed.close();
    servers = servers.filter((s) => s !== closed);
    const refused = await failureOf(fetchUrl(`${closed.origin}/`, PRIVATE_OK));
    expect(refused).toMatchObject({ reason: 'upstream' });
    expect(refused.message).toBe(`${closed.origin}/: cannot fetch (ECONNREFUSED)`);
  });
});

describe('fetchUrl address rule (without ALLOW_PRIVATE_FETCH)', () => {
  it('refuses loopback addresses written as IPv4, IPv6 and IPv4-mapped IPv6, without connecting', async () => {
    const local = await server();
    local.route('/feed.xml', answer('<rss/>', 'application/rss+xml'));
    const ipv4 = await failureOf(fetchUrl(`${local.origin}/feed.xml`));
    expect(ipv4).toMatchObject({ code: 'bad_request', reason: 'refused' });
    expect(ipv4.message).toBe(`${local.origin}/feed.xml: 127.0.0.1, a loopback address: only public addresses are fetched (ALLOW_PRIVATE_FETCH=1 allows others)`);
    expect((await failureOf(fetchUrl(`http://[::1]:${local.port}/feed.xml`))).reason).toBe('refused');
    expect((await failureOf(fetchUrl(`http://[::ffff:127.0.0.1]:${local.port}/feed.xml`))).message).toContain('IPv4-mapped');
    expect(local.hits.get('/feed.xml')).toBeUndefined();
  });

  it('refuses a host name that resolves to loopback (localhost, through the system resolver)', async () => {
    const local = await server();
    local.route('/feed.xml', answer('<rss/>', 'application/rss+xml'));
    const failure = await failureOf(fetchUrl(`http://localhost:${local.port}/feed.xml`));
    expect(failure.reason).toBe('refused');
    expect(failure.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(local.hits.get('/feed.xml')).toBeUndefined();
  });

  it('refuses a name when any one of its addresses is refused', async () => {
    const resolve = async () => [
      { address: PUBLIC_STAND_IN, family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    const failure = await failureOf(fetchUrl('http://news.test/feed.xml', { resolve, classify: classifyWithStandIn }));
    expect(failure).toMatchObject({ reason: 'refused', message: 'http://news.test/feed.xml: news.test resolves to 10.0.0.7, a private address: only public addresses are fetched (ALLOW_PRIVATE_FETCH=1 allows others)' });
  });

  it('connects to the address it checked, resolving each host once (no second lookup can move it)', async () => {
    const standIn = await server(PUBLIC_STAND_IN);
    standIn.route('/feed.xml', answer('<rss/>', 'application/rss+xml'));
    const lookups: string[] = [];
    const resolve = async (hostname: string) => {
      lookups.push(hostname);
      return [{ address: PUBLIC_STAND_IN, family: 4 }];
    };
    // news.test exists in no DNS: the fetch can only reach the server through the pinned address.
    const fetched = await fetchUrl(`http://news.test:${standIn.port}/feed.xml`, { resolve, classify: classifyWithStandIn });
    expect(fetched.status).toBe('ok');
    expect(lookups).toEqual(['news.test']);
    expect(standIn.lastHeaders.get('/feed.xml')?.host).toBe(`news.test:${standIn.port}`);
  });

  it('checks every redirect: an allowed URL redirecting to loopback, by address or by name, is refused', async () => {
    const inside = await server('127.0.0.1');
    inside.route('/secret', answer('internal', 'text/plain'));
    const standIn = await server(PUBLIC_STAND_IN);
    standIn.route('/to-address', (_request, response) => response.writeHead(302, { Location: `${inside.origin}/secret` }).end());
    standIn.route('/to-name', (_request, response) => response.writeHead(302, { Location: `http://internal.test:${inside.port}/secret` }).end());
    const resolve = async (hostname: string) => [{ address: hostname === 'internal.test' ? '127.0.0.1' : PUBLIC_STAND_IN, family: 4 }];
    const byAddress = await failureOf(fetchUrl(`${standIn.origin}/to-address`, { resolve, classify: classifyWithStandIn }));
    expect(byAddress).toMatchObject({ reason: 'refused', message: `${inside.origin}/secret: 127.0.0.1, a loopback address: only public addresses are fetched (ALLOW_PRIVATE_FETCH=1 allows others)` });
    const byName = await failureOf(fetchUrl(`http://news.test:${standIn.port}/to-name`, { resolve, classify: classifyWithStandIn }));
    expect(byName.reason).toBe('refused');
    expect(byName.message).toContain('internal.test resolves to 127.0.0.1, a loopback address');
    expect(inside.hits.get('/secret')).toBeUndefined();
    expect(standIn.hits.get('/to-address')).toBe(1);
  });

  it('refuses a redirect to another scheme', async () => {
    const local = await server();
    local.route('/to-file', (_request, response) => response.writeHead(301, { Location: 'file:///etc/passwd' }).end());
    expect(await failureOf(fetchUrl(`${local.origin}/to-file`, PRIVATE_OK))).toMatchObject({ reason: 'refused', message: 'file:///etc/passwd: only http and https URLs are fetched, not file:' });
  });

  it('stops a fetch in flight when its signal aborts', async () => {
    const local = await server();
    local.route('/silent', () => undefined);
    const controller = new AbortController();
    const pending = failureOf(fetchUrl(`${local.origin}/silent`, { ...PRIVATE_OK, signal: controller.signal }));
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await pending).toMatchObject({ reason: 'upstream', message: `${local.origin}/silent: aborted (the server is stopping)` });
  });
});
