/**
 * Writing many articles through `putArticles` with more than one batch in flight.
 */
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import type { ArticleResult } from '../../src/backends/backend.ts';
import { putInBatches } from '../../src/backends/put-in-batches.ts';
import type { Article } from '../../src/ingest/article.ts';
import { makeArticle } from '../helpers.ts';

/** A backend whose writes take a few milliseconds each, recording the batches and how many ran at once. */
function slowBackend(failOn?: number) {
  const batches: string[][] = [];
  let running = 0;
  let most = 0;
  return {
    batches,
    most: () => most,
    async putArticles(articles: readonly Article[]): Promise<ArticleResult[]> {
      const number = batches.push(articles.map((article) => article.id)) - 1;
      running++;
      most = Math.max(most, running);
      await sleep(1 + (number % 3));
      running--;
      if (number === failOn) throw new Error(`batch ${number} failed`);
      return articles.map((article) => ({ id: article.id, status: 'created', paragraphs: article.paragraphs.length }));
    },
  };
}

const articles = (count: number) => Array.from({ length: count }, (_, n) => makeArticle({ id: `a${n}`, paragraphs: ['x'] }));

describe('putInBatches', () => {
  it('writes every article once, in order, in batches of the size asked, never more at once than asked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(7), { maxLength: 8 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), async (groupSizes, batchSize, inFlight) => {
        let next = 0;
        const groups = groupSizes.map((size) => articles(size).map((article) => ({ ...article, id: `a${next++}` })));
        const backend = slowBackend();
        const acknowledged: string[] = [];
        await putInBatches(backend, groups, { batchSize, inFlight, onBatch: (results) => acknowledged.push(...results.map((result) => result.id)) });
        const all = groups.flat().map((article) => article.id);
        expect(backend.batches.flat()).toEqual(all);
        expect(backend.batches.every((batch, index) => batch.length === batchSize || index === backend.batches.length - 1)).toBe(true);
        expect(backend.most()).toBeLessThanOrEqual(inFlight);
        expect([...acknowledged].sort()).toEqual([...all].sort());
      }),
      { numRuns: 40 },
    );
  });

  it('runs batches side by side when asked', async () => {
    const backend = slowBackend();
    await putInBatches(backend, [articles(10)], { batchSize: 2, inFlight: 2 });
    expect(backend.most()).toBe(2);
  });

  it('rejects with a failed batch, after every batch sent has settled', async () => {
    const backend = slowBackend(1);
    await expect(putInBatches(backend, [articles(6)], { batchSize: 2, inFlight: 2 })).rejects.toThrow('batch 1 failed');
    // Batch 2 was sent while 1 ran; nothing after the failure was seen.
    expect(backend.batches.length).toBeLessThanOrEqual(3);
  });
});
