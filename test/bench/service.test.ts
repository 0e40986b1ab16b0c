import { describe, expect, it } from 'vitest';
import { createServiceContender } from '../../src/bench/service.ts';
import { makeArticle, tempDir } from '../helpers.ts';

const ARTICLES = [
  makeArticle({ id: 'a1', title: 'Oil markets', paragraphs: ['Oil prices rose sharply.', 'Dealers said crude output fell.'] }),
  makeArticle({ id: 'a2', title: 'Grain', paragraphs: ['Wheat prices fell.', 'The oil price was flat.'] }),
];

describe('createServiceContender', () => {
  it('searches with the service path, stems included', () => {
    const service = createServiceContender('tiny.jsonl');
    service.index(ARTICLES);
    expect(service.library.articles.size).toBe(2);
    expect(service.search({ type: 'term', words: ['price'] })).toBe(3);
    expect(service.search({ type: 'phrase', words: ['oil', 'prices'] })).toBe(1);
  });

  it('saves a snapshot it loads back', async () => {
    const dir = await tempDir();
    try {
      const service = createServiceContender('tiny.jsonl');
      service.index(ARTICLES);
      expect(await service.save(dir.path)).toBeGreaterThan(0);
      await expect(service.load(dir.path)).resolves.toBeUndefined();
    } finally {
      await dir.cleanup();
    }
  });
});
