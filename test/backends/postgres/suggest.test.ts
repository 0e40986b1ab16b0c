/**
 * Completions from the PostgreSQL backend's vocabulary: the embedded engine's, most frequent first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchBackend } from '../../../src/backends/backend.ts';
import { libraryOf, makeArticle, readSeed } from '../../helpers.ts';
import { freshBackend } from './database.ts';

let backend: SearchBackend;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ backend, cleanup } = await freshBackend());
});
afterAll(async () => {
  await cleanup?.();
});

describe('suggest', () => {
  it('completes words as the embedded engine does, most frequent first', async () => {
    const articles = [await readSeed(), makeArticle({ id: 'b', title: 'Talks', paragraphs: ['Talks on the truce; talkative chiefs.', 'The talk went on. Cease-fire!'] })];
    await backend.putArticles(articles);
    const library = libraryOf(articles);
    for (const prefix of ['ta', 'ce', 'tru', 'h', 'zzz', "we'"]) {
      expect(await backend.suggest(prefix, 5), prefix).toEqual(library.engine.completions(prefix, 5).map((count) => count.term));
    }
    expect(await backend.suggest('', 5)).toEqual([]);
    expect(await backend.suggest('50%_', 5)).toEqual([]);
  });
});
