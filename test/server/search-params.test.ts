import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import type { SearchResponse } from '../../src/service/search-service.ts';
import { BACKENDS, contractArchive, type ContractArchive } from '../contract.ts';
import { makeArticle } from '../helpers.ts';

describe.each(BACKENDS)('%s backend', (kind) => {
  let app: Hono;
  let archive: ContractArchive;
  beforeAll(async () => {
    archive = await contractArchive(kind, [
      makeArticle({ id: 'jan', title: 'Truce in January', source: 'Wire A', date: '2020-01-15', paragraphs: ['Before the news.', 'The truce holds in January.', 'After the truce, calm.', 'Closing words.'] }),
      makeArticle({ id: 'feb', title: 'February report', source: 'Wire B', date: '2020-02-03T10:00:00.000Z', paragraphs: ['A truce was signed in February.'] }),
      makeArticle({ id: 'mar', title: 'March report', source: 'wire a', date: '2020-03-20', paragraphs: ['No truce in March.'] }),
      makeArticle({ id: 'undated', title: 'Undated', source: 'Wire C', date: null, paragraphs: ['A truce without a date.'] }),
    ]);
    app = archive.app;
  });
  afterAll(async () => {
    await archive?.close();
  });

  async function get(query: string): Promise<SearchResponse> {
    const response = await app.request(`/search?${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as SearchResponse;
  }

  async function badRequest(query: string): Promise<string> {
    const response = await app.request(`/search?${query}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    return body.error.message;
  }

  const ids = (body: SearchResponse) => body.hits.map((hit) => hit.id);

  describe('GET /search parameters', () => {
    it('filters by source, exactly but case-insensitively, and repeatably', async () => {
      // jan's first and last paragraphs match only through its title: its own truce paragraphs stand for it.
      expect(ids(await get('q=truce&source=wire%20a')).sort()).toEqual(['jan:2', 'jan:3', 'mar:1']);
      expect(ids(await get('q=truce&source=Wire%20B&source=Wire%20C')).sort()).toEqual(['feb:1', 'undated:1']);
      expect((await get('q=truce&source=Wire')).total).toBe(0);
    });

    it('filters by an inclusive date range and leaves undated articles out', async () => {
      expect(ids(await get('q=truce&from=2020-02-03&to=2020-03-20&limit=100')).sort()).toEqual(['feb:1', 'mar:1']);
      expect(ids(await get('q=truce&to=2020-01-15&limit=100')).every((id) => id.startsWith('jan:'))).toBe(true);
    });

    it('sorts by date, newest or oldest first, undated last', async () => {
      const newest = await get('q=truce&sort=newest&group=article');
      expect(newest.hits.map((hit) => hit.articleId)).toEqual(['mar', 'feb', 'jan', 'undated']);
      const oldest = await get('q=truce&sort=oldest&group=article');
      expect(oldest.hits.map((hit) => hit.articleId)).toEqual(['jan', 'feb', 'mar', 'undated']);
    });

    it('groups by article with its best paragraph and the number that matched', async () => {
      const body = await get('q=truce&group=article');
      expect(body.total).toBe(4);
      const jan = body.hits.find((hit) => hit.articleId === 'jan');
      expect(jan?.matchingParagraphs).toBe(2);
      expect([2, 3]).toContain(jan?.paragraph);
    });

    it('counts facets by source and month over every match', async () => {
      const body = await get('q=truce&facets=source,month&limit=1');
      expect(body.facets).toEqual({
        source: { 'Wire A': 2, 'Wire B': 1, 'wire a': 1, 'Wire C': 1 },
        month: { '2020-01': 2, '2020-02': 1, '2020-03': 1 },
      });
    });

    it('returns neighbouring paragraphs with context', async () => {
      const [hit] = (await get('q=january%20holds&context=1')).hits;
      expect(hit?.context).toEqual({ before: ['Before the news.'], after: ['After the truce, calm.'] });
      const [wide] = (await get('q=january%20holds&context=3')).hits;
      expect(wide?.context).toEqual({ before: ['Before the news.'], after: ['After the truce, calm.', 'Closing words.'] });
    });

    it('returns several fragments only when asked', async () => {
      const [one] = (await get('q=truce')).hits;
      expect(one?.fragments).toBeUndefined();
      const [two] = (await get('q=truce&fragments=2')).hits;
      expect(Array.isArray(two?.fragments)).toBe(true);
    });

    it('pages with an exact total', async () => {
      const all = await get('q=truce&limit=100');
      expect(all.total).toBe(5);
      const pages = [await get('q=truce&limit=2&offset=0'), await get('q=truce&limit=2&offset=2'), await get('q=truce&limit=2&offset=4')];
      expect(pages.flatMap(ids)).toEqual(ids(all));
      expect(pages.every((page) => page.total === 5)).toBe(true);
    });

    it('falls back to the paragraphs holding most of three or more words when none holds them all, and says so', async () => {
      const body = await get('q=truce%20february%20march&limit=100');
      expect(body.relaxed).toBe(true);
      expect(body.warnings).toEqual(['no paragraph holds all the words; showing those with most of them']);
      expect(ids(body).slice(0, 2).sort()).toEqual(['feb:1', 'mar:1']); // two of the three words each
      expect(body.total).toBe(5); // every paragraph hit holding one of the words
    });

    it('turns the fallback off with mode=all and on for any query with mode=any', async () => {
      const strict = await get('q=truce%20february%20march&mode=all');
      expect(strict).toMatchObject({ total: 0, relaxed: false, warnings: [] });
      const any = await get('q=signed%20march&mode=any');
      expect(any).toMatchObject({ relaxed: true, warnings: [], total: 2 });
      expect(ids(any).sort()).toEqual(['feb:1', 'mar:1']);
      expect((await get('q=signed%20march')).total).toBe(0); // two words: no fallback by default
      expect(await badRequest('q=truce&mode=some')).toMatch(/^mode must be one of all, any/);
    });

    it('answers 400 naming the parameter for malformed or out-of-range values', async () => {
      expect(await badRequest('q=truce&sort=best')).toMatch(/^sort/);
      expect(await badRequest('q=truce&group=site')).toMatch(/^group/);
      expect(await badRequest('q=truce&from=2020-13-01')).toMatch(/^from/);
      expect(await badRequest('q=truce&to=yesterday')).toMatch(/^to/);
      expect(await badRequest('q=truce&from=2020-03-01&to=2020-02-01')).toMatch(/^from/);
      expect(await badRequest('q=truce&fragments=6')).toMatch(/^fragments/);
      expect(await badRequest('q=truce&context=4')).toMatch(/^context/);
      expect(await badRequest('q=truce&facets=author')).toMatch(/^facets/);
      expect(await badRequest('q=truce&limit=1.5')).toMatch(/^limit/);
      expect(await badRequest('q=truce&q=gaza')).toMatch(/^q/);
    });
  });

  describe('GET /suggest', () => {
    it('completes the last word, most frequent first', async () => {
      const response = await app.request('/suggest?q=the%20tru');
      expect(await response.json()).toEqual({ suggestions: ['truce'] });
      const many = (await (await app.request('/suggest?q=m')).json()) as { suggestions: string[] };
      expect(many.suggestions).toContain('march');
      expect(many.suggestions.length).toBeLessThanOrEqual(10);
    });

    it('returns nothing for an empty query', async () => {
      expect(await (await app.request('/suggest?q=')).json()).toEqual({ suggestions: [] });
    });
  });
});
