import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deleteArticle, putArticles, SLICE_CHARS, putArticlesInSlices, type Library } from '../../../src/backends/embedded/library.ts';
import { searchLibrary as search } from '../../../src/service/library-search.ts';
import { DEFAULT_SEARCH_PARAMS } from '../../../src/service/search-service.ts';
import { libraryOf, makeArticle } from '../../helpers.ts';

/** An article of `count` paragraphs of about 1,000 characters, each holding `word`. */
function bigArticle(id: string, word: string, count: number) {
  const filler = 'lorem ipsum dolor sit amet '.repeat(36);
  return makeArticle({ id, title: `Big ${id}`, paragraphs: Array.from({ length: count }, (_, i) => `${word} number${i} ${filler}`) });
}

/** What searches see of the two versions: how many paragraphs hold each word, and the article's paragraph count. */
function seen(library: Library, id: string) {
  return { old: search(library, 'oldword').total, new: search(library, 'newword').total, paragraphs: library.articles.get(id)?.article.paragraphs.length ?? 0 };
}

describe('putArticlesInSlices', () => {
  it('indexes a large article a slice at a time, and searches between slices see the old version whole', async () => {
    const library = libraryOf([bigArticle('big', 'oldword', 3)]);
    const during: Array<ReturnType<typeof seen>> = [];
    const outcomes = await putArticlesInSlices(library, [{ article: bigArticle('big', 'newword', 500), file: 'big.json' }], async () => {
      during.push(seen(library, 'big'));
    });
    expect(outcomes).toEqual(['updated']);
    // 500 paragraphs of about 1,000 characters: one pause per slice.
    expect(during.length).toBeGreaterThanOrEqual(Math.floor((500 * 1000) / SLICE_CHARS) - 1);
    expect(new Set(during.map((state) => JSON.stringify(state)))).toEqual(new Set([JSON.stringify({ old: 3, new: 0, paragraphs: 3 })]));
    expect(seen(library, 'big')).toEqual({ old: 0, new: 500, paragraphs: 500 });
    expect(library.engine.stats().paragraphs).toBe(500);
    expect(search(library, 'number499').hits.map((hit) => hit.id)).toEqual(['big:500']);
  });

  it('shows a new large article only once it is whole', async () => {
    const library = libraryOf([]);
    const during: number[] = [];
    await putArticlesInSlices(library, [{ article: bigArticle('fresh', 'newword', 100), file: 'fresh.json' }], async () => {
      during.push(search(library, 'newword').total, library.engine.stats().paragraphs);
    });
    expect(during.length).toBeGreaterThan(0);
    expect(new Set(during)).toEqual(new Set([0]));
    expect(search(library, 'newword').total).toBe(100);
  });

  it('puts a small batch at once, with one outcome per entry', async () => {
    const library = libraryOf([makeArticle({ id: 'a', paragraphs: ['Barley.'] })]);
    let pauses = 0;
    const outcomes = await putArticlesInSlices(
      library,
      [
        { article: makeArticle({ id: 'a', paragraphs: ['Barley.'] }), file: 'a.json' },
        { article: makeArticle({ id: 'b', paragraphs: ['Oats.'] }), file: 'b.json' },
        { article: makeArticle({ id: 'b', paragraphs: ['Rye.'] }), file: 'b.json' },
      ],
      async () => {
        pauses += 1;
      },
    );
    expect(outcomes).toEqual(['unchanged', 'created', 'updated']);
    expect(pauses).toBe(0);
    expect(search(library, 'rye').total).toBe(1);
    expect(search(library, 'oats').total).toBe(0);
  });
});

describe('updates and deletions', () => {
  /** Articles over a few words, so that queries match many paragraphs with different frequencies. */
  const WORDS = ['oil', 'prices', 'rose', 'wheat', 'fell', 'bank', 'rates'];
  const paragraph = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }).map((words) => words.join(' '));
  const article = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), paragraphs: fc.array(paragraph, { minLength: 1, maxLength: 3 }) });
  const change = fc.oneof(fc.record({ put: article }), fc.record({ remove: fc.constantFrom('a', 'b', 'c', 'd') }));

  it('leave an archive that ranks exactly as one built afresh from the articles it holds', () => {
    fc.assert(
      fc.property(fc.array(article, { minLength: 1, maxLength: 4 }), fc.array(change, { minLength: 1, maxLength: 6 }), (first, changes) => {
        const library = libraryOf([...new Map(first.map((a) => [a.id, makeArticle(a)])).values()]);
        for (const step of changes) {
          if ('put' in step) putArticles(library, [{ article: makeArticle(step.put), file: `${step.put.id}.json` }]);
          else deleteArticle(library, step.remove);
        }
        const afresh = libraryOf([...library.articles.values()].map((stored) => stored.article));
        for (const q of ['oil', 'oil prices', 'wheat OR bank', 'rates -fell', 'pri*']) {
          const ranked = (of: Library) => search(of, q, { ...DEFAULT_SEARCH_PARAMS, limit: 100 }).hits.map((hit) => [hit.id, hit.score]);
          expect(ranked(library), q).toEqual(ranked(afresh));
        }
      }),
      { numRuns: 300 },
    );
  });
});
