import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import type { Article } from '../../src/ingest/article.ts';
import type { SearchResponse } from '../../src/service/search-service.ts';
import { BACKENDS, contractArchive, type ContractArchive } from '../contract.ts';
import { readSeed } from '../helpers.ts';

describe.each(BACKENDS)('%s backend', (kind) => {
  let seed: Article;
  let app: Hono;
  let archive: ContractArchive;

  beforeAll(async () => {
    seed = await readSeed();
    archive = await contractArchive(kind, [seed]);
    app = archive.app;
  });
  afterAll(async () => {
    await archive?.close();
  });

  async function searchSeed(query: string): Promise<SearchResponse> {
    const response = await app.request(`/search?${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as SearchResponse;
  }

  async function errorOf(path: string): Promise<{ status: number; code: string; message: string }> {
    const response = await app.request(path);
    const body = (await response.json()) as { error: { code: string; message: string } };
    return { status: response.status, ...body.error };
  }

  describe('GET /search', () => {
    it('ranks the two paragraphs that say ceasefire first, marked', async () => {
      const body = await searchSeed('q=ceasefire');
      expect(body.hits.slice(0, 2).map((hit) => hit.paragraph).sort()).toEqual([4, 5]);
      for (const hit of body.hits.slice(0, 2)) {
        expect(hit.snippet).toContain('<mark>ceasefire</mark>');
        for (const [start, end] of hit.highlights) expect(hit.text.slice(start, end).toLowerCase()).toBe('ceasefire');
      }
      // The title says ceasefire too, but paragraphs that hold the word are the hits (SPEC §4): 2, not 8.
      expect(body.total).toBe(2);
      expect(body.query).toBe('ceasefire');
      expect(body.warnings).toEqual([]);
      expect(body.relaxed).toBe(false);
      const at = seed.title.indexOf('ceasefire');
      expect(body.hits[0]?.titleHighlights).toEqual([[at, at + 'ceasefire'.length]]);
    });

    it('represents an article that matches only by its title by its first paragraph, unmarked', async () => {
      const body = await searchSeed('q=title:ceasefire');
      expect(body.total).toBe(1);
      expect(body.hits[0]?.paragraph).toBe(1);
      expect(body.hits[0]?.highlights).toEqual([]);
      const at = seed.title.indexOf('ceasefire');
      expect(body.hits[0]?.titleHighlights).toEqual([[at, at + 'ceasefire'.length]]);
    });

    it('returns every field of a hit', async () => {
      const [hit] = (await searchSeed('q=Haniyeh')).hits;
      expect(hit).toMatchObject({
        id: `${seed.id}:1`,
        articleId: seed.id,
        paragraph: 1,
        title: seed.title,
        source: 'Radio Habana Cuba',
        date: null,
        url: seed.url,
        text: seed.paragraphs[0],
      });
      expect(typeof hit?.score).toBe('number');
      expect(hit?.snippet).toContain('<mark>Haniyeh</mark>');
    });

    it('finds the paragraph that names Haniyeh and only it', async () => {
      const body = await searchSeed('q=Haniyeh');
      expect(body.total).toBe(1);
      expect(body.hits[0]?.paragraph).toBe(1);
    });

    it('finds talks when asked for talk', async () => {
      const body = await searchSeed('q=talk');
      expect(body.hits.map((hit) => hit.paragraph)).toEqual([1]);
      expect(body.hits[0]?.snippet).toContain('<mark>talks</mark>');
    });

    it("finds Qatar's when asked for Qatar", async () => {
      const body = await searchSeed('q=qatar');
      expect(body.hits.map((hit) => hit.paragraph)).toEqual([3]);
      expect(body.hits[0]?.snippet).toContain("<mark>Qatar&#39;s</mark>");
    });

    it('requires every term', async () => {
      expect((await searchSeed('q=Haniyeh%20Syria')).total).toBe(0);
      expect((await searchSeed('q=Iraq%20Syria')).hits.map((hit) => hit.paragraph)).toEqual([7]);
    });

    it('pages with limit and offset and keeps the exact total', async () => {
      const all = await searchSeed('q=gaza&limit=100');
      const page = await searchSeed('q=gaza&limit=2&offset=2');
      expect(page.total).toBe(all.total);
      expect(page.hits.map((hit) => hit.id)).toEqual(all.hits.slice(2, 4).map((hit) => hit.id));
      expect(page).toMatchObject({ q: 'gaza', limit: 2, offset: 2 });
    });

    it('returns 400 naming the parameter when limit is not a number', async () => {
      const error = await errorOf('/search?q=gaza&limit=abc');
      expect(error).toMatchObject({ status: 400, code: 'bad_request' });
      expect(error.message).toMatch(/^limit/);
    });

    it('returns 400 when limit or offset is out of range', async () => {
      expect((await errorOf('/search?q=gaza&limit=0')).message).toMatch(/^limit/);
      expect((await errorOf('/search?q=gaza&limit=101')).message).toMatch(/^limit/);
      expect((await errorOf('/search?q=gaza&offset=10001')).message).toMatch(/^offset/);
    });

    it('returns 400 when q is missing or blank', async () => {
      expect(await errorOf('/search')).toMatchObject({ status: 400, code: 'bad_request' });
      expect((await errorOf('/search?q=%20%20')).message).toMatch(/^q/);
    });
  });

  describe('GET /articles/:id', () => {
    it('returns the article', async () => {
      const response = await app.request(`/articles/${seed.id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: seed.id, title: seed.title, paragraphs: seed.paragraphs });
    });

    it('returns 404 for an unknown id', async () => {
      expect(await errorOf('/articles/nope')).toMatchObject({ status: 404, code: 'not_found' });
    });
  });

  describe('GET /health and /stats', () => {
    it('reports ok', async () => {
      expect(await (await app.request('/health')).json()).toEqual({ status: 'ok' });
    });

    it('counts articles, paragraphs, terms and sources', async () => {
      const stats = (await (await app.request('/stats')).json()) as Record<string, unknown>;
      expect(stats).toMatchObject({ articles: 1, paragraphs: 8, sources: { 'Radio Habana Cuba': 1 }, backend: kind });
      expect(stats.terms).toBeGreaterThan(100);
    });
  });

  describe('unknown routes', () => {
    it('answer 404 in the error envelope', async () => {
      expect(await errorOf('/nowhere')).toMatchObject({ status: 404, code: 'not_found' });
    });
  });
});
