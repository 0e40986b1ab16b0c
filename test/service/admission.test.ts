/**
 * Load shedding (SPEC §13): past the number of searches the server takes at once, one more is
 * refused at once with 503 `unavailable` and a `Retry-After`, and the searches already in are
 * answered as usual.
 */
import { describe, expect, it } from 'vitest';
import type { SearchBackend } from '../../src/backends/backend.ts';
import { createAdmission } from '../../src/service/admission.ts';
import { createNewsService } from '../../src/service/news-service.ts';
import { createApp } from '../../src/server/app.ts';
import { isServiceError } from '../../src/errors.ts';
import { createCorpusState } from '../../src/backends/embedded/corpus-writer.ts';
import { createEmbeddedBackend } from '../../src/backends/embedded/embedded-backend.ts';
import { libraryOf, readSeed } from '../helpers.ts';

describe('createAdmission', () => {
  it('admits up to its limit, refuses one more with a retry delay, and admits again once one leaves', async () => {
    const admission = createAdmission(2);
    const releases: Array<() => void> = [];
    const held = () => admission.run(() => new Promise<string>((resolve) => releases.push(() => resolve('done'))));
    const first = held();
    const second = held();
    expect(admission.inFlight).toBe(2);
    const refusal = await admission.run(async () => 'never').catch((error: unknown) => error);
    expect(isServiceError(refusal) && refusal.code).toBe('unavailable');
    expect(isServiceError(refusal) && refusal.retryAfterSeconds).toBe(1);
    expect((refusal as Error).message).toBe('the server is busy: 2 searches are already running or waiting; retry in 1 s');
    releases[0]?.();
    expect(await first).toBe('done');
    expect(await admission.run(async () => 'admitted')).toBe('admitted');
    releases[1]?.();
    expect(await second).toBe('done');
    expect(admission.inFlight).toBe(0);
  });

  it('lets a failing search leave', async () => {
    const admission = createAdmission(1);
    await expect(admission.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await admission.run(async () => 'next')).toBe('next');
  });
});

describe('GET /search under overload', () => {
  it('answers 503 unavailable with Retry-After while the server is full, and 200 again after', async () => {
    const backend = createEmbeddedBackend({ state: createCorpusState(libraryOf([await readSeed()]), '/nonexistent-corpus', []) });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The backend's searches wait at the gate: the one search allowed in stays in.
    const slow: SearchBackend = { ...backend, search: async (query, request) => gate.then(() => backend.search(query, request)) };
    const app = createApp({ service: createNewsService({ backend: slow, maxSearchesInFlight: 1 }) });
    const inside = app.request('/search?q=ceasefire');
    const refused = await app.request('/search?q=truce');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ error: { code: 'unavailable', message: 'the server is busy: 1 search is already running or waiting; retry in 1 s' } });
    // Other endpoints are not searches: they are answered meanwhile.
    expect((await app.request('/health')).status).toBe(200);
    release();
    expect((await inside).status).toBe(200);
    expect(((await (await app.request('/search?q=ceasefire')).json()) as { total: number }).total).toBe(2);
  });
});
