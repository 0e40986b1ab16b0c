import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../../src/ingest/article.ts';
import { articleCopies, deleteArticle, putArticles } from '../../../src/backends/embedded/library.ts';
import { executeSearch } from '../../../src/backends/embedded/execute.ts';
import { DEFAULT_SEARCH_REQUEST } from '../../../src/backends/backend.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { libraryOf, makeArticle } from '../../helpers.ts';
import { useFreshBackend } from './database.ts';

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

describe('copy clusters (PostgreSQL against the embedded backend)', () => {
  it('are the same on both backends as articles come, change and go: copies of each article, collapsed searches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
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
      }),
      { seed: 17, numRuns: 40 },
    );
  }, 240_000);
});
