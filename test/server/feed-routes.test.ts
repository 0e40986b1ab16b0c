/**
 * `/feeds` and `POST /articles {"url"}` over HTTP (`app.request()`), on both backends, against a
 * local feed server: answers, validation naming the field, write access as for `/articles`, the
 * address rule, and subscriptions still listed after a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../contract.ts';
import { feedArchive, type FeedArchive } from '../monitor/feed-archive.ts';
import { answer, rssFeed, startLocalServer, type LocalServer } from '../monitor/local-server.ts';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

const FEED = rssFeed('Valley Wire', [
  { title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' },
  { title: 'Flood', link: 'https://wire.example/flood', text: 'The river rose.' },
]);
const PAGE = '<!doctype html><html><head><title>Storm hits coast</title></head><body><article><h1>Storm hits coast</h1><p>A storm hit the coast on Monday, felling trees.</p></article></body></html>';

async function setup(kind: (typeof BACKENDS)[number], options: Parameters<typeof feedArchive>[1] = {}): Promise<{ local: LocalServer; archive: FeedArchive }> {
  const local = await startLocalServer();
  cleanups.push(() => local.close());
  local.route('/feed.xml', answer(FEED, 'application/rss+xml'));
  local.route('/story', answer(PAGE, 'text/html; charset=utf-8'));
  local.route('/moved', (_request, response) => response.writeHead(301, { Location: '/story' }).end());
  const archive = await feedArchive(kind, options);
  cleanups.push(() => archive.close());
  return { local, archive };
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string; details?: unknown } }).error;

describe.each(BACKENDS)('/feeds (%s backend)', (kind) => {
  it('subscribes (201, then 200 for the same URL), lists, reads and deletes a feed', async () => {
    const { local, archive } = await setup(kind);
    const created = await archive.app.request('/feeds', json({ url: `${local.origin}/feed.xml`, intervalMinutes: 30 }));
    expect(created.status).toBe(201);
    const feed = (await created.json()) as { id: string };
    expect(feed).toMatchObject({ url: `${local.origin}/feed.xml`, title: 'Valley Wire', intervalMinutes: 30, lastResult: { created: 2, updated: 0, unchanged: 0 }, lastError: null });
    expect(feed).not.toHaveProperty('etag');
    expect((await archive.app.request('/search?q=wheat')).status).toBe(200);
    expect(((await (await archive.app.request('/search?q=wheat')).json()) as { total: number }).total).toBe(1);

    const again = await archive.app.request('/feeds', json({ url: `${local.origin}/feed.xml` }));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(feed.id);

    expect(await (await archive.app.request('/feeds')).json()).toEqual({ feeds: [feed] });
    expect(await (await archive.app.request(`/feeds/${feed.id}`)).json()).toEqual(feed);
    expect((await archive.app.request(`/feeds/${feed.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await archive.app.request(`/feeds/${feed.id}`, { method: 'DELETE' })).status).toBe(404);
    const missing = await archive.app.request(`/feeds/${feed.id}`);
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toEqual({ code: 'not_found', message: `no feed with id "${feed.id}"` });
    expect(await (await archive.app.request('/feeds')).json()).toEqual({ feeds: [] });
  });

  it('still lists its subscriptions after a restart', async () => {
    const { local, archive } = await setup(kind);
    const created = (await (await archive.app.request('/feeds', json({ url: `${local.origin}/feed.xml` }))).json()) as { id: string };
    await archive.restart();
    expect(await (await archive.app.request('/feeds')).json()).toEqual({ feeds: [created] });
  });

  it.each([
    ['not JSON', '{"url":', 'the body is not valid JSON: send {"url": "https://…"}'],
    ['an array', '[]', 'the body must be a JSON object: {"url": "https://…", "intervalMinutes": 15}'],
    ['no url', { intervalMinutes: 5 }, 'url is required: the address of an RSS or Atom feed'],
    ['a url that is no string', { url: 42 }, 'url must be a string'],
    ['an empty url', { url: '' }, 'url must not be empty'],
    ['a zero interval', { url: 'https://wire.example/feed', intervalMinutes: 0 }, 'intervalMinutes must be an integer from 1 to 10080'],
    ['a fractional interval', { url: 'https://wire.example/feed', intervalMinutes: 1.5 }, 'intervalMinutes must be an integer from 1 to 10080'],
    ['an interval as text', { url: 'https://wire.example/feed', intervalMinutes: '15' }, 'intervalMinutes must be an integer from 1 to 10080'],
    ['a url of another scheme', { url: 'ftp://wire.example/feed' }, 'ftp://wire.example/feed: only http and https URLs are fetched, not ftp:'],
    ['a url that is not absolute', { url: 'feed.xml' }, 'feed.xml: not an absolute URL'],
  ])('answers 400 naming the field for %s', async (_case, body, message) => {
    const { archive } = await setup(kind);
    const response = await archive.app.request('/feeds', json(body));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'bad_request', message });
    expect(await (await archive.app.request('/feeds')).json()).toEqual({ feeds: [] });
  });

  it('answers 415 to a body that is not JSON by its type', async () => {
    const { archive } = await setup(kind);
    const response = await archive.app.request('/feeds', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'https://wire.example/feed' });
    expect(response.status).toBe(415);
  });

  it('needs the write token for POST and DELETE, never for reading', async () => {
    const { local, archive } = await setup(kind, { writeAccess: { token: 's3cret', host: '0.0.0.0' } });
    const refused = await archive.app.request('/feeds', json({ url: `${local.origin}/feed.xml` }));
    expect(refused.status).toBe(401);
    expect(local.hits.get('/feed.xml')).toBeUndefined();
    const wrong = await archive.app.request('/feeds', json({ url: `${local.origin}/feed.xml` }, { Authorization: 'Bearer nope' }));
    expect(wrong.status).toBe(401);
    const accepted = await archive.app.request('/feeds', json({ url: `${local.origin}/feed.xml` }, { Authorization: 'Bearer s3cret' }));
    expect(accepted.status).toBe(201);
    const { id } = (await accepted.json()) as { id: string };
    expect((await archive.app.request('/feeds')).status).toBe(200);
    expect((await archive.app.request(`/feeds/${id}`, { method: 'DELETE' })).status).toBe(401);
    expect((await archive.app.request(`/feeds/${id}`, { method: 'DELETE', headers: { Authorization: 'Bearer s3cret' } })).status).toBe(204);
  });

  it('refuses writes on a non-loopback address without a token (403)', async () => {
    const { local, archive } = await setup(kind, { writeAccess: { host: '0.0.0.0' } });
    const response = await archive.app.request('/feeds', json({ url: `${local.origin}/feed.xml` }));
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('writes_disabled');
  });
});

describe.each(BACKENDS)('POST /articles {"url"} (%s backend)', (kind) => {
  it('ingests every item of a feed, each with its link as url', async () => {
    const { local, archive } = await setup(kind);
    const response = await archive.app.request('/articles', json({ url: `${local.origin}/feed.xml` }));
    expect(response.status).toBe(201);
    const body = (await response.json()) as { results: Array<{ id: string }>; created: number };
    expect(body).toMatchObject({ created: 2, updated: 0, unchanged: 0, warnings: [], url: `${local.origin}/feed.xml`, kind: 'feed' });
    const first = (await (await archive.app.request(`/articles/${body.results[0]?.id}`)).json()) as { url: string; source: string };
    expect(first).toMatchObject({ url: 'https://wire.example/harvest', source: 'Valley Wire' });
    const again = await archive.app.request('/articles', json({ url: `${local.origin}/feed.xml` }));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: 0, unchanged: 2 });
  });

  it('ingests an article page, after a redirect, under the address it ended at', async () => {
    const { local, archive } = await setup(kind);
    const response = await archive.app.request('/articles', json({ url: `${local.origin}/moved` }));
    expect(response.status).toBe(201);
    const body = (await response.json()) as { results: Array<{ id: string }> };
    expect(body).toMatchObject({ created: 1, url: `${local.origin}/story`, kind: 'page' });
    expect(await (await archive.app.request(`/articles/${body.results[0]?.id}`)).json()).toMatchObject({ title: 'Storm hits coast', url: `${local.origin}/story` });
  });

  it('answers 400 naming the URL when the fetch fails upstream, with the kind of failure in details', async () => {
    const { local, archive } = await setup(kind);
    const response = await archive.app.request('/articles', json({ url: `${local.origin}/gone` }));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({ code: 'bad_request', message: `${local.origin}/gone: answered 404 Not Found`, details: { reason: 'upstream', url: `${local.origin}/gone` } });
  });

  it('refuses a loopback URL unless private fetches are allowed, without connecting', async () => {
    const { local, archive } = await setup(kind, { allowPrivate: false });
    const response = await archive.app.request('/articles', json({ url: `${local.origin}/feed.xml` }));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'bad_request', details: { reason: 'refused' } });
    expect(local.hits.get('/feed.xml')).toBeUndefined();
    const named = await archive.app.request('/feeds', json({ url: `http://localhost:${local.port}/feed.xml` }));
    expect(named.status).toBe(400);
    expect((await errorOf(named)).message).toMatch(/localhost resolves to .*, a loopback address/);
  });

  it('reads a JSON article that has a url and more as an article, without fetching it', async () => {
    const { local, archive } = await setup(kind);
    const response = await archive.app.request('/articles', json({ title: 'Harvest notes', url: `${local.origin}/feed.xml`, body: 'Barley held.' }));
    expect(response.status).toBe(201);
    expect(local.hits.get('/feed.xml')).toBeUndefined();
  });

  it('answers 400 to a url that is no string', async () => {
    const { archive } = await setup(kind);
    const response = await archive.app.request('/articles', json({ url: 7 }));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toBe('url must be a string: {"url": "https://…"} fetches that page or feed');
  });
});
