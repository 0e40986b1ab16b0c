import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../../src/ingest/article.ts';
import { articleCopies, deleteArticle, putArticles } from '../../../src/backends/embedded/library.ts';
import { executeSearch } from '../../../src/backends/embedded/execute.ts';
import { DEFAULT_SEARCH_REQUEST } from '../../../src/backends/backend.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { libraryOf, makeArticle } from '../../helpers.ts';
import { queryOn, useFreshBackend } from './database.ts';

const fresh = useFreshBackend();

/** Sentences of our own: articles made of a few of them are often copies of each other, and often not. */
const SENTENCES = [
  'Negotiators agreed on Tuesday to extend the truce by another four days, officials said.',
  'Mediators from Qatar and Egypt brokered the extension, which lets more aid reach the south.',
  'Aid agencies said convoys had reached areas cut off for weeks, though supplies remained short.',
  'Talks are expected to resume on Friday, when prisoner exchanges will be discussed.',
  'Markets in the region rose on the news, with the main index gaining almost two percent.',
  'Wheat prices fell sharply in Chicago on forecasts of rain across the plains.',
];

const article = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  source: fc.constantFrom('Wire', 'Herald', 'Gazette', null),
  date: fc.constantFrom('2023-11-28', '2023-11-29', '2023-11-30', null),
  paragraphs: fc.array(fc.constantFrom(...SENTENCES), { minLength: 1, maxLength: 5 }),
});
const step = fc.oneof(fc.record({ put: fc.array(article, { minLength: 1, maxLength: 3 }) }), fc.record({ remove: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') }));

/** Versions of one story as outlets run it: all of it, one sentence dropped, two dropped; most are copies of most others, not all. */
const VERSIONS = [SENTENCES, ...SENTENCES.map((_, drop) => SENTENCES.filter((__, index) => index !== drop)), SENTENCES.slice(2), SENTENCES.slice(0, 4), [...SENTENCES.slice(0, 2), ...SENTENCES.slice(4)]];
const wireArticle = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  source: fc.constantFrom('Wire', 'Herald', null),
  date: fc.constantFrom('2023-11-28', '2023-11-29', null),
  paragraphs: fc.constantFrom(...VERSIONS),
});
const wireStep = fc.oneof(fc.record({ put: fc.array(wireArticle, { minLength: 1, maxLength: 3 }) }), fc.record({ remove: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') }));

/** Applies `steps` to an embedded library and the PostgreSQL backend, and checks after each that copies and collapsed searches agree. */
async function sameOnBoth(steps: ReadonlyArray<{ put: Array<{ id: string; source: string | null; date: string | null; paragraphs: string[] }> } | { remove: string }>): Promise<void> {
  const library = libraryOf([]);
  const present = new Set<string>();
  try {
    for (const change of steps) {
      if ('put' in change) {
        // One version of each id per batch: PostgreSQL refuses an id twice in a batch.
        const batch = [...new Map(change.put.map((a) => [a.id, makeArticle({ ...a, title: `Story ${a.id}` }) as Article])).values()];
        putArticles(library, batch.map((a) => ({ article: a, file: `${a.id}.json` })));
        await fresh.backend.putArticles(batch);
        for (const a of batch) present.add(a.id);
      } else {
        deleteArticle(library, change.remove);
        await fresh.backend.deleteArticle(change.remove);
        present.delete(change.remove);
      }
      for (const id of present) expect(await fresh.backend.copiesOf(id), `copies of ${id} after ${JSON.stringify(steps)}`).toEqual(articleCopies(library, id));
      for (const q of ['truce', 'wheat OR markets', '"talks are expected"']) {
        const request = { ...DEFAULT_SEARCH_REQUEST, collapse: 'copies' as const, limit: 100, facets: ['copies' as const] };
        const embedded = executeSearch(library, parseQuery(q), request);
        const postgres = await fresh.backend.search(parseQuery(q), request);
        expect(postgres.total).toBe(embedded.total);
        expect(postgres.facets).toEqual(embedded.facets);
        const hits = (list: Array<{ id: string; copies?: unknown }>) => list.map((hit) => [hit.id, hit.copies]).sort();
        expect(hits(postgres.hits.map((hit) => ({ id: `${hit.article.id}:${hit.index + 1}`, copies: hit.copies })))).toEqual(hits(embedded.page.map((hit) => ({ id: hit.id, copies: hit.copies }))));
      }
    }
  } finally {
    for (const id of present) await fresh.backend.deleteArticle(id);
  }
}

describe('copy clusters (PostgreSQL against the embedded backend)', () => {
  it('are the same on both backends as articles come, change and go: copies of each article, collapsed searches', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), sameOnBoth), { seed: 17, numRuns: 40 });
  }, 240_000);

  it('are the same on both backends when most articles are copies of each other, and the one that joined them goes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(wireStep, { minLength: 1, maxLength: 8 }), sameOnBoth), { seed: 23, numRuns: 40 });
  }, 240_000);

  it('join copies written by concurrent transactions into one cluster', async () => {
    const copies = Array.from({ length: 8 }, (_, index) => makeArticle({ id: `outlet-${index}`, title: 'Truce extended', date: '2023-11-28', paragraphs: SENTENCES }) as Article);
    try {
      await Promise.all(copies.map((article) => fresh.backend.putArticles([article])));
      for (const article of copies) expect((await fresh.backend.copiesOf(article.id))?.copies, article.id).toHaveLength(copies.length - 1);
    } finally {
      for (const article of copies) await fresh.backend.deleteArticle(article.id);
    }
  }, 120_000);

  it('keep one pair per copy of a story with many copies, and stay one cluster when the first goes', async () => {
    const copies = Array.from({ length: 60 }, (_, index) => makeArticle({ id: `wire-${String(index).padStart(2, '0')}`, title: 'Truce extended', date: '2023-11-28', paragraphs: SENTENCES }) as Article);
    try {
      for (let start = 0; start < copies.length; start += 20) await fresh.backend.putArticles(copies.slice(start, start + 20));
      const [pairs] = (await queryOn(fresh.url, 'SELECT count(*)::int AS n FROM copy_pairs')) as Array<{ n: number }>;
      expect(pairs?.n).toBe(2 * 59);
      expect((await fresh.backend.copiesOf('wire-59'))?.copies).toHaveLength(59);
      await fresh.backend.deleteArticle('wire-00');
      const after = await fresh.backend.copiesOf('wire-59');
      expect(after?.copyOf).toBe('wire-01');
      expect(after?.copies).toHaveLength(58);
    } finally {
      for (const article of copies) await fresh.backend.deleteArticle(article.id);
    }
  }, 120_000);
});
