/**
 * Searches in slices (SPEC §13): a long search pauses and lets others run, its outcome is the
 * one it would have had in one go, a change of the index while it is paused makes it start over,
 * and its budget counts every step, the expansion of its prefixes included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executeSearch, searchInSlices, DEFAULT_SEARCH_REQUEST } from '../../../src/backends/embedded/execute.ts';
import { putArticles } from '../../../src/backends/embedded/library.ts';
import { createPacer } from '../../../src/backends/pace.ts';
import { createTurns } from '../../../src/backends/turns.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { isServiceError } from '../../../src/errors.ts';
import { libraryOf, makeArticle } from '../../helpers.ts';

/** Paragraphs enough that a common word has thousands of postings: many pauses at a slice of 0 ms. */
function bigLibrary(articles = 400) {
  return libraryOf(
    Array.from({ length: articles }, (_, n) =>
      makeArticle({
        id: `big-${n}`,
        title: `Harvest report ${n}`,
        source: n % 2 === 0 ? 'Farm News' : 'Wire',
        paragraphs: Array.from({ length: 5 }, (_, p) => `The harvest of wheat ${p} word${n}x${p} and rain on the fields of ${n % 7 === 0 ? 'gaza' : 'iowa'}.`),
      }),
    ),
  );
}

const REQUEST = { ...DEFAULT_SEARCH_REQUEST, facets: ['source' as const] };

describe('a search in slices', () => {
  it('gives what the same search gives in one go', async () => {
    const library = bigLibrary(120);
    const turns = createTurns();
    const queries = ['harvest', 'wheat -gaza', '"harvest of wheat"', 'word1* rain', 'gaza OR iowa', 'harvest w/3 wheat', 'wheet~', 'harvest zzzabsent rain'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...queries), fc.constantFrom('relevance', 'newest') as fc.Arbitrary<'relevance' | 'newest'>, fc.integer({ min: 0, max: 40 }), async (q, sort, offset) => {
        const request = { ...REQUEST, sort, offset, limit: 10 };
        const whole = executeSearch(library, parseQuery(q), request);
        const sliced = await searchInSlices(library, parseQuery(q), request, { turns, sliceMs: 0 });
        expect(sliced).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  });

  it('lets a short search issued while a long one runs finish first', async () => {
    const library = bigLibrary();
    const turns = createTurns();
    const finished: string[] = [];
    const long = searchInSlices(library, parseQuery('harvest wheat rain'), REQUEST, { turns, sliceMs: 0 }).then(() => finished.push('long'));
    // Issued once the long search has worked a slice and paused.
    await turns.next();
    const short = searchInSlices(library, parseQuery('word7x3'), REQUEST, { turns, sliceMs: 0 }).then(() => finished.push('short'));
    await Promise.all([long, short]);
    expect(finished).toEqual(['short', 'long']);
  });

  it('starts over when the index changes while it is paused, so it sees one state of the archive', async () => {
    const library = bigLibrary();
    const turns = createTurns();
    const q = parseQuery('harvest');
    const running = searchInSlices(library, q, { ...REQUEST, limit: 5 }, { turns, sliceMs: 0 });
    await turns.next();
    putArticles(library, [{ article: makeArticle({ id: 'late', title: 'Late harvest', paragraphs: ['A harvest that came late.', 'Harvest again.'] }), file: 'late.json' }]);
    const outcome = await running;
    const now = executeSearch(library, q, { ...REQUEST, limit: 5 });
    expect(outcome.total).toBe(now.total);
    expect(outcome.total).toBe(400 * 5 + 2);
    expect(outcome.page.map((hit) => hit.id)).toEqual(now.page.map((hit) => hit.id));
    expect(outcome.facets).toEqual(now.facets);
  });
});

describe('the query budget', () => {
  it('counts the expansion of prefixes: a query that spends it there is refused, naming the cost', async () => {
    const library = bigLibrary();
    // Zero budget: refused at the first look at the clock, inside the expansion of word* (2,000 words).
    const refusal = await searchInSlices(library, parseQuery('word*'), REQUEST, { turns: createTurns(), budgetMs: 0 }).catch((error: unknown) => error);
    expect(isServiceError(refusal) && refusal.code).toBe('bad_request');
    expect((refusal as Error).message).toContain('q took longer than 0 ms to run');
    // The same budget lets a query through whose work never reaches a look at the clock.
    expect((await searchInSlices(library, parseQuery('word7x3'), REQUEST, { turns: createTurns(), budgetMs: 0 })).total).toBe(1);
  });

  it('counts work, not time spent paused', () => {
    let clock = 0;
    const pacer = createPacer({ sliceMs: 10, budgetMs: 25, now: () => clock });
    const paceUntil = (time: number): boolean => {
      clock = time;
      let paused = false;
      for (let call = 0; call < 64; call += 1) paused = pacer.pace() || paused;
      return paused;
    };
    expect(paceUntil(5)).toBe(false);
    expect(paceUntil(10)).toBe(true); // 10 ms of work: the slice is spent
    clock = 1000; // paused for almost a second: not work
    pacer.resume();
    expect(paceUntil(1009)).toBe(false);
    expect(pacer.worked()).toBe(19);
    expect(paceUntil(1010)).toBe(true);
    pacer.resume();
    expect(() => paceUntil(1016)).toThrow('q took longer than 25 ms to run');
  });
});
