/**
 * @module test/service/exports
 * The export's walk over every match: each chunk asks the backend for the hits after the last
 * key it got, the walk ends at a short chunk, and nothing is searched before it is asked for;
 * the plain snippet is the HTML snippet read back as text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BackendSearch, HitKey, SearchBackend, SearchRequest } from '../../src/backends/backend.ts';
import { createAdmission } from '../../src/service/admission.ts';
import { exportChunks } from '../../src/service/exports.ts';
import { DEFAULT_SEARCH_PARAMS } from '../../src/service/search-service.ts';
import { makeSnippets, PLAIN_MARKUP } from '../../src/snippet/highlight.ts';
import { makeArticle } from '../helpers.ts';

/** A backend holding `count` matching paragraphs of one article, pageable by key; it records every request. */
function pagedBackend(count: number, requests: SearchRequest[]): Pick<SearchBackend, 'search' | 'copyClusters'> {
  const article = makeArticle({ id: 'a', paragraphs: Array.from({ length: count }, (_, i) => `truce ${i}`) });
  const keyOf = (index: number): HitKey => ({ clauses: 0, textMatched: true, score: 1, date: null, id: `a:${String(index + 1).padStart(5, '0')}` });
  return {
    async search(_query, request): Promise<BackendSearch> {
      requests.push(request);
      const start = request.after === undefined ? 0 : article.paragraphs.findIndex((_, i) => keyOf(i).id > (request.after as HitKey).id);
      const indexes = start < 0 ? [] : Array.from({ length: Math.min(request.limit, count - start) }, (_, i) => start + i);
      return { total: count, relaxed: false, facets: {}, expansions: new Map(), hits: indexes.map((index) => ({ article, index, score: 1, textMatched: true, key: keyOf(index) })) };
    },
    copyClusters: async (ids) => new Map(ids.map((id) => [id, null])),
  };
}

describe('exportChunks', () => {
  it('walks every match a chunk at a time, each after the last key, until a short chunk', async () => {
    const requests: SearchRequest[] = [];
    const rows: string[] = [];
    for await (const chunk of exportChunks({ backend: pagedBackend(10, requests), searches: createAdmission(4), chunkHits: 4 }, 'truce', { ...DEFAULT_SEARCH_PARAMS, limit: 2, offset: 6 })) {
      expect(chunk.total).toBe(10);
      rows.push(...chunk.rows.map((row) => row.id));
    }
    expect(rows).toEqual(Array.from({ length: 10 }, (_, i) => `a:${i + 1}`));
    expect(requests.map((request) => [request.limit, request.offset, request.after?.id])).toEqual([
      [4, 0, undefined],
      [4, 0, 'a:00004'],
      [4, 0, 'a:00008'],
    ]);
  });

  it('asks one more chunk when the last one was full, and then stops on an empty one', async () => {
    const requests: SearchRequest[] = [];
    const chunks = [];
    for await (const chunk of exportChunks({ backend: pagedBackend(8, requests), searches: createAdmission(4), chunkHits: 4 }, 'truce', DEFAULT_SEARCH_PARAMS)) chunks.push(chunk.rows.length);
    expect(chunks).toEqual([4, 4, 0]);
  });

  it('searches nothing until the first chunk is asked for, and nothing after the consumer stops', async () => {
    const requests: SearchRequest[] = [];
    const walk = exportChunks({ backend: pagedBackend(10, requests), searches: createAdmission(4), chunkHits: 4 }, 'truce', DEFAULT_SEARCH_PARAMS);
    expect(requests).toHaveLength(0);
    await walk.next();
    await walk.return(undefined);
    expect(requests).toHaveLength(1);
    expect((await walk.next()).done).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('refuses a query with no positive clause before searching', async () => {
    const requests: SearchRequest[] = [];
    await expect(exportChunks({ backend: pagedBackend(1, requests), searches: createAdmission(4) }, '-truce', DEFAULT_SEARCH_PARAMS).next()).rejects.toMatchObject({ code: 'bad_request' });
    expect(requests).toHaveLength(0);
  });
});

describe('the plain snippets of exports', () => {
  it('are a piece of their paragraph, ellipses aside', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }), fc.nat(), fc.nat(), (text, a, b) => {
        const start = a % text.length;
        const end = start + 1 + (b % (text.length - start));
        const plain = makeSnippets(text, [{ start, end, key: 'k' }], { markup: PLAIN_MARKUP }).snippet;
        expect(text).toContain(plain.replace(/^…/, '').replace(/…$/, ''));
      }),
      { seed: 18, numRuns: 500 },
    );
  });

  it('hold no marks and no entities', () => {
    const text = 'a b & <c> "d" \'e\'';
    expect(makeSnippets(text, [{ start: 2, end: 3, key: 'k' }], { markup: PLAIN_MARKUP }).snippet).toBe(text);
    expect(makeSnippets(text, [{ start: 2, end: 3, key: 'k' }]).snippet).toBe('a <mark>b</mark> &amp; &lt;c&gt; &quot;d&quot; &#39;e&#39;');
  });
});
