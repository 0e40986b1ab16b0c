import { describe, expect, it } from 'vitest';
import { createPlainContender, plainQuery } from '../../src/bench/plain.ts';
import { makeArticle, tempDir } from '../helpers.ts';

const ARTICLES = [
  makeArticle({ id: 'a1', title: 'Oil markets', paragraphs: ['Oil prices rose sharply.', 'Dealers said crude output fell.'] }),
  makeArticle({ id: 'a2', title: 'Grain', paragraphs: ['Wheat prices fell.', 'The oil price was flat.'] }),
];

describe('plainQuery', () => {
  it('maps each type to the closest plain MiniSearch call', () => {
    expect(plainQuery({ type: 'term', words: ['oil'] })).toEqual({ query: 'oil', options: {} });
    expect(plainQuery({ type: 'two terms', words: ['oil', 'prices'] })).toEqual({ query: 'oil prices', options: { combineWith: 'AND' } });
    expect(plainQuery({ type: 'phrase', words: ['oil', 'prices', 'rose'] })).toEqual({ query: 'oil prices rose', options: { combineWith: 'AND' } });
    expect(plainQuery({ type: 'prefix', words: ['pri'] })).toEqual({ query: 'pri', options: { prefix: true } });
    expect(plainQuery({ type: 'fuzzy', words: ['prices'] })).toEqual({ query: 'prices', options: { fuzzy: 1 } });
    expect(plainQuery({ type: 'exclusion', words: ['prices', 'wheat'] })).toEqual({ query: { combineWith: 'AND_NOT', queries: ['prices', 'wheat'] }, options: {} });
  });
});

describe('createPlainContender', () => {
  it('indexes paragraphs and counts every match', () => {
    const plain = createPlainContender();
    plain.index(ARTICLES);
    expect(plain.search({ type: 'term', words: ['prices'] })).toBe(2);
    expect(plain.search({ type: 'exclusion', words: ['prices', 'wheat'] })).toBe(1);
    // No stemming: "price" is another word.
    expect(plain.search({ type: 'term', words: ['price'] })).toBe(1);
  });

  it('saves a snapshot it loads back', async () => {
    const dir = await tempDir();
    try {
      const plain = createPlainContender();
      plain.index(ARTICLES);
      expect(await plain.save(dir.path)).toBeGreaterThan(0);
      await expect(plain.load(dir.path)).resolves.toBeUndefined();
    } finally {
      await dir.cleanup();
    }
  });
});
