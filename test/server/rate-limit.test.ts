import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createError } from '../../src/errors.ts';
import { createApp } from '../../src/server/app.ts';
import { createErrorHandler } from '../../src/server/error-handler.ts';
import { clientAddress, rateLimit } from '../../src/server/rate-limit.ts';
import { createCorpusState } from '../../src/backends/embedded/corpus-writer.ts';
import { createEmbeddedBackend } from '../../src/backends/embedded/embedded-backend.ts';
import { createNewsService } from '../../src/service/news-service.ts';
import { libraryOf, makeArticle } from '../helpers.ts';

/** A small app behind the limiter, with a hand-driven clock and the client named by a header. */
function limitedApp(options: { limit: number; maxClients?: number }) {
  const clock = { now: 1_000_000 };
  const app = new Hono();
  app.onError(createErrorHandler(() => {}));
  app.use(rateLimit({ ...options, keyOf: (c) => c.req.header('x-client') ?? 'anonymous', now: () => clock.now }));
  app.get('/', (c) => c.json({ ok: true }));
  const get = (client: string) => app.request('/', { headers: { 'x-client': client } });
  return { clock, get };
}

describe('rateLimit', () => {
  it('answers 429 rate_limited with Retry-After once a client has used its window', async () => {
    const { clock, get } = limitedApp({ limit: 3 });
    for (let i = 0; i < 3; i += 1) expect((await get('a')).status).toBe(200);
    clock.now += 15_000;
    const refused = await get('a');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('45');
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/^too many requests: at most 3 per 60 s/) } });
  });

  it('counts each client on its own', async () => {
    const { get } = limitedApp({ limit: 1 });
    expect((await get('a')).status).toBe(200);
    expect((await get('a')).status).toBe(429);
    expect((await get('b')).status).toBe(200);
  });

  it('opens a new window once the old one has passed', async () => {
    const { clock, get } = limitedApp({ limit: 1 });
    expect((await get('a')).status).toBe(200);
    expect((await get('a')).status).toBe(429);
    clock.now += 60_000;
    expect((await get('a')).status).toBe(200);
  });

  it('forgets the oldest client rather than remember more than maxClients', async () => {
    const { clock, get } = limitedApp({ limit: 1, maxClients: 2 });
    expect((await get('a')).status).toBe(200);
    clock.now += 1;
    expect((await get('b')).status).toBe(200);
    clock.now += 1;
    expect((await get('c')).status).toBe(200); // forgets a, the oldest window
    expect((await get('b')).status).toBe(429);
    expect((await get('a')).status).toBe(200); // a new window for a (forgets b)
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => rateLimit({ limit: 0 })).toThrowError(createError('bad_request', 'rate limit must be a positive integer, got 0'));
  });
});

describe('clientAddress', () => {
  it('names the client "unknown" when there is no connection (app.request)', async () => {
    const app = new Hono();
    app.get('/', (c) => c.text(clientAddress(c)));
    expect(await (await app.request('/')).text()).toBe('unknown');
  });
});

describe('createApp rateLimit option', () => {
  const service = () => createNewsService({ backend: createEmbeddedBackend({ state: createCorpusState(libraryOf([makeArticle({ id: 'a1', paragraphs: ['Wheat harvest.'] })]), '/nonexistent-corpus', []) }) });

  it('limits every route but /health and /metrics, in the error envelope, with a request id', async () => {
    const app = createApp({ service: service(), rateLimit: { limit: 2, keyOf: () => 'one-client' } });
    expect((await app.request('/search?q=wheat')).status).toBe(200);
    expect((await app.request('/articles/a1')).status).toBe(200);
    const refused = await app.request('/stats');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('x-request-id')).toMatch(/^[\w=-]+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/metrics')).status).toBe(200);
  });

  it('limits nothing without the option', async () => {
    const app = createApp({ service: service() });
    for (let i = 0; i < 50; i += 1) expect((await app.request('/health')).status).toBe(200);
    for (let i = 0; i < 50; i += 1) expect((await app.request('/search?q=wheat')).status).toBe(200);
  });
});
