/**
 * Completions from the PostgreSQL backend's vocabulary: the embedded engine's, most frequent first.
 */
import { describe, expect, it } from 'vitest';
import { libraryOf, makeArticle, readSeed } from '../../helpers.ts';
import { useFreshBackend } from './database.ts';

const fresh = useFreshBackend();

describe('suggest', () => {
  it('completes words as the embedded engine does, most frequent first', async () => {
    const articles = [await readSeed(), makeArticle({ id: 'b', title: 'Talks', paragraphs: ['Talks on the truce; talkative chiefs.', 'The talk went on. Cease-fire!'] })];
    await fresh.backend.putArticles(articles);
    const library = libraryOf(articles);
    for (const prefix of ['ta', 'ce', 'tru', 'h', 'zzz', "we'"]) {
      expect(await fresh.backend.suggest(prefix, 5), prefix).toEqual(library.engine.completions(prefix, 5).map((count) => count.term));
    }
    expect(await fresh.backend.suggest('', 5)).toEqual([]);
    expect(await fresh.backend.suggest('50%_', 5)).toEqual([]);
  });
});
