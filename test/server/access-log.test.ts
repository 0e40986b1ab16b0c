import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { logTarget } from '../../src/server/access-log.ts';
import { createCorpusState } from '../../src/backends/embedded/corpus-writer.ts';
import { createEmbeddedBackend } from '../../src/backends/embedded/embedded-backend.ts';
import { createNewsService, type NewsService } from '../../src/service/news-service.ts';
import { libraryOf, makeArticle } from '../helpers.ts';

/** Matches a UUID, the form of the ids the server makes up. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function service(): NewsService {
  return createNewsService({ backend: createEmbeddedBackend({ state: createCorpusState(libraryOf([makeArticle({ id: 'a1', paragraphs: ['Wheat harvest.'] })]), '/nonexistent-corpus', []) }) });
}

/** An app whose access log and error log land in arrays. */
function loggedApp(overrides: Partial<NewsService> = {}) {
  const lines: string[] = [];
  const errors: string[] = [];
  const app = createApp({ service: { ...service(), ...overrides }, accessLog: (line) => lines.push(line), log: (message) => errors.push(message) });
  return { app, lines, errors };
}

describe('X-Request-Id', () => {
  it('gives every response an id of its own', async () => {
    const { app } = loggedApp();
    const first = (await app.request('/search?q=wheat')).headers.get('x-request-id');
    const second = (await app.request('/search?q=wheat')).headers.get('x-request-id');
    expect(first).toMatch(UUID_RE);
    expect(second).toMatch(UUID_RE);
    expect(first).not.toBe(second);
  });

  it('keeps a sane incoming id, on errors too', async () => {
    const { app } = loggedApp();
    const ok = await app.request('/search?q=wheat', { headers: { 'X-Request-Id': 'edge-42_a=' } });
    expect(ok.headers.get('x-request-id')).toBe('edge-42_a=');
    const missing = await app.request('/articles/nope', { headers: { 'X-Request-Id': 'edge-43' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('edge-43');
  });

  it('replaces an incoming id that is too long or holds other characters', async () => {
    const { app } = loggedApp();
    for (const given of ['x'.repeat(129), 'a b', 'id;drop', '<script>', 'é']) {
      const response = await app.request('/health', { headers: { 'X-Request-Id': given } });
      expect(response.headers.get('x-request-id')).toMatch(UUID_RE);
    }
  });
});

describe('access log', () => {
  it('writes one line per request: method, target, status, duration and request id', async () => {
    const { app, lines } = loggedApp();
    await app.request('/search?q=wheat', { headers: { 'X-Request-Id': 'req-1' } });
    await app.request('/search?limit=0&q=wheat', { headers: { 'X-Request-Id': 'req-2' } });
    await app.request('/articles', { method: 'POST', body: 'x', headers: { 'content-type': 'image/png', 'X-Request-Id': 'req-3' } });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z GET \/search\?q=wheat 200 \d+\.\dms id=req-1$/);
    expect(lines[1]).toMatch(/ GET \/search\?limit=0&q=wheat 400 \d+\.\dms id=req-2$/);
    expect(lines[2]).toMatch(/ POST \/articles 415 \d+\.\dms id=req-3$/);
  });

  it('cuts a long query string short', async () => {
    const { app, lines } = loggedApp();
    await app.request(`/search?q=${'a'.repeat(10_000)}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(400);
    expect(lines[0]).toContain(`/search?q=${'a'.repeat(190)}…(+9810 chars) 400 `);
  });

  it('logs an internal error with its request id, and answers without details', async () => {
    const { app, lines, errors } = loggedApp({
      search: () => {
        throw new Error('engine exploded');
      },
    });
    const response = await app.request('/search?q=wheat', { headers: { 'X-Request-Id': 'req-500' } });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^internal error on GET \/search\?q=wheat id=req-500: Error: engine exploded\n\s+at /);
    expect(lines[0]).toMatch(/ GET \/search\?q=wheat 500 [\d.]+ms id=req-500$/);
  });

  it('logs an upload the client aborted as one access line, 499, with no error and no stack', async () => {
    const { app, lines, errors } = loggedApp();
    for (const [name, abort] of [
      ['connection reset', (stream: ReadableStreamDefaultController) => stream.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))],
      ['signal', (_stream: ReadableStreamDefaultController, controller: AbortController) => controller.abort()],
    ] as const) {
      const controller = new AbortController();
      const body = new ReadableStream({
        start(stream) {
          stream.enqueue(new TextEncoder().encode('{"title": "half'));
          setTimeout(() => abort(stream, controller), 5);
          if (name === 'signal') setTimeout(() => stream.error(new DOMException('The operation was aborted.', 'AbortError')), 10);
        },
      });
      const request = new Request('http://localhost/articles', { method: 'POST', body, signal: controller.signal, headers: { 'content-type': 'application/json', 'X-Request-Id': `req-${name.replace(' ', '-')}` }, duplex: 'half' } as RequestInit);
      const response = await app.request(request);
      expect(response.status, name).toBe(499);
    }
    expect(errors).toEqual([]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ POST \/articles 499 [\d.]+ms id=req-connection-reset$/);
    expect(lines[1]).toMatch(/ POST \/articles 499 [\d.]+ms id=req-signal$/);
  });

  it('names the request of an internal error as the access log does: no line can be forged through the path', async () => {
    const { app, errors } = loggedApp({
      getArticle: () => {
        throw new Error('store exploded');
      },
    });
    await app.request('/articles/a1%0A2026-01-01T00:00:00.000Z%20GET%20%2Fforged', { headers: { 'X-Request-Id': 'req-f' } });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.split('\n')[0]).toBe('internal error on GET /articles/a1%0A2026-01-01T00:00:00.000Z%20GET%20%2Fforged id=req-f: Error: store exploded');
  });
});

describe('logTarget', () => {
  it('keeps the path and query string, percent-encoded, and cuts at the limit', () => {
    expect(logTarget('http://localhost/search?q=%22gaza%22')).toBe('/search?q=%22gaza%22');
    expect(logTarget('http://localhost')).toBe('/');
    expect(logTarget('http://localhost/abcdef', 4)).toBe('/abc…(+3 chars)');
  });

  it('never lets a control character into a line', () => {
    expect(logTarget('http://localhost/a\nb\u0000c')).toBe('/a?b?c');
  });
});
