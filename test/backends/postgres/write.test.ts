/**
 * The write path of the PostgreSQL backend: batches are all or nothing, identical articles are
 * `unchanged`, updates and deletes keep the corpus statistics exact (the answers equal those of
 * a library built from scratch), and concurrent writers neither deadlock nor lose counts.
 */
import pg from 'pg';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { articleRows } from '../../../src/backends/postgres/article-rows.ts';
import type { SearchRequest } from '../../../src/backends/backend.ts';
import { DEFAULT_SEARCH_REQUEST } from '../../../src/backends/backend.ts';
import { isServiceError } from '../../../src/errors.ts';
import type { Article } from '../../../src/ingest/article.ts';
import { executeSearch } from '../../../src/backends/embedded/execute.ts';
import { libraryCounts } from '../../../src/backends/embedded/library.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { libraryOf, makeArticle } from '../../helpers.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { lockArticles } from '../../../src/backends/postgres/write.ts';
import { queryOn, useFreshBackend } from './database.ts';

// The analysis, counted: a batch analyzes only the articles the database does not hold as they are.
vi.mock('../../../src/backends/postgres/article-rows.ts', async (importOriginal) => {
  const module = await importOriginal<typeof import('../../../src/backends/postgres/article-rows.ts')>();
  return { ...module, articleRows: vi.fn(module.articleRows) };
});

const fresh = useFreshBackend();
beforeEach(async () => {
  for (const id of ['a', 'b', 'c', 'd', ...Array.from({ length: 12 }, (_, i) => `w${i}`)]) await fresh.backend.deleteArticle(id);
});

const REQUEST: SearchRequest = { ...DEFAULT_SEARCH_REQUEST, limit: 100, facets: ['source', 'month'] };

/** Asserts the backend answers `queries` and counts as a library built from `articles` alone does. */
async function expectLike(articles: readonly Article[], queries: readonly string[]): Promise<void> {
  const library = libraryOf(articles);
  const stats = await fresh.backend.stats();
  expect({ articles: stats.articles, paragraphs: stats.paragraphs, terms: stats.terms, sources: stats.sources }).toEqual(libraryCounts(library));
  for (const q of queries) {
    const parsed = parseQuery(q);
    const expected = executeSearch(library, parsed, REQUEST);
    const actual = await fresh.backend.search(parsed, REQUEST);
    expect(actual.total, q).toBe(expected.total);
    const scores = new Map(expected.page.map((hit) => [`${hit.stored.article.id}:${hit.index}`, hit.score]));
    for (const hit of actual.hits) expect(hit.score / (scores.get(`${hit.article.id}:${hit.index}`) ?? Number.NaN), q).toBeCloseTo(1, 9);
  }
}

describe('putArticles', () => {
  it('writes nothing of a batch when one article fails', async () => {
    const good = makeArticle({ id: 'a', paragraphs: ['Wheat prices fell.'] });
    const bad = makeArticle({ id: 'b', paragraphs: ['A NUL \u0000 character PostgreSQL cannot store.'] });
    const error = await fresh.backend.putArticles([good, bad]).catch((caught: unknown) => caught);
    expect(isServiceError(error) && error.code).toBe('bad_request');
    expect(await fresh.backend.getArticle('a')).toBeUndefined();
    const stats = await fresh.backend.stats();
    expect({ articles: stats.articles, paragraphs: stats.paragraphs, terms: stats.terms }).toEqual({ articles: 0, paragraphs: 0, terms: 0 });
    expect(await fresh.backend.suggest('whe', 5)).toEqual([]);
  });

  it('says created, unchanged and updated, and returns the article as stored', async () => {
    const first = makeArticle({ id: 'a', title: 'Harvest', date: '2024-01-02', paragraphs: ['Wheat prices fell.', 'Farmers talked.'] });
    expect(await fresh.backend.putArticles([first])).toEqual([{ id: 'a', status: 'created', paragraphs: 2 }]);
    expect(await fresh.backend.putArticles([first])).toEqual([{ id: 'a', status: 'unchanged', paragraphs: 2 }]);
    const second = { ...first, paragraphs: ['Wheat prices rose.'] };
    expect(await fresh.backend.putArticles([second, makeArticle({ id: 'b', paragraphs: ['Rain.'] })])).toEqual([
      { id: 'a', status: 'updated', paragraphs: 1 },
      { id: 'b', status: 'created', paragraphs: 1 },
    ]);
    expect(await fresh.backend.getArticle('a')).toEqual(second);
  });

  it('keeps statistics exact across updates: answers equal a library built from the latest versions', async () => {
    const v1 = [
      makeArticle({ id: 'a', title: 'Gaza truce talks', paragraphs: ['The truce held.', 'Talks resumed in Qatar.', 'Hamas chief spoke.'] }),
      makeArticle({ id: 'b', title: 'Oil', source: 'Other', paragraphs: ['Oil prices rose.', 'The truce in Gaza.'] }),
    ];
    await fresh.backend.putArticles(v1);
    const v2 = [makeArticle({ id: 'a', title: 'Truce', paragraphs: ['Talks, talks and more talks.'] }), makeArticle({ id: 'c', paragraphs: ['A new truce.'] })];
    await fresh.backend.putArticles(v2);
    await expectLike([v2[0] as Article, v1[1] as Article, v2[1] as Article], ['truce', 'talks', 'gaza', 'tru*', '"the truce"', 'oil OR hamas']);
    expect(await fresh.backend.suggest('ha', 5)).toEqual([]);
  });
});

describe('putArticles again (an import run a second time)', () => {
  it('analyzes only the articles that changed, and answers as before', async () => {
    const articles = Array.from({ length: 12 }, (_, i) => makeArticle({ id: `w${i}`, title: `Report ${i}`, paragraphs: [`Ferries crossed at dawn, day ${i}.`, 'The port stayed open.'] }));
    await fresh.backend.putArticles(articles);
    vi.mocked(articleRows).mockClear();
    const changed = makeArticle({ id: 'w5', title: 'Report 5', paragraphs: ['Ferries crossed at noon.'] });
    const results = await fresh.backend.putArticles(articles.map((article) => (article.id === 'w5' ? changed : article)));
    expect(results.filter((result) => result.status === 'unchanged')).toHaveLength(11);
    expect(results[5]).toEqual({ id: 'w5', status: 'updated', paragraphs: 1 });
    expect(vi.mocked(articleRows).mock.calls.map(([article]) => article.id)).toEqual(['w5']);
    await expectLike([...articles.filter((article) => article.id !== 'w5'), changed], ['ferries', 'noon', 'dawn', 'port']);
  });
});

describe('deleteArticle', () => {
  it('removes an article and what it counted, and says false for an unknown id', async () => {
    const kept = makeArticle({ id: 'a', paragraphs: ['The truce held in Gaza.'] });
    await fresh.backend.putArticles([kept, makeArticle({ id: 'b', title: 'Truce', paragraphs: ['Truce talks, truce again.'] })]);
    expect(await fresh.backend.deleteArticle('b')).toBe(true);
    expect(await fresh.backend.deleteArticle('b')).toBe(false);
    expect(await fresh.backend.getArticle('b')).toBeUndefined();
    await expectLike([kept], ['truce', 'talks', 'gaza truce']);
  });
});

describe('concurrent writers', () => {
  it('neither deadlock nor lose counts when batches share words and articles', async () => {
    const words = ['truce', 'gaza', 'talks', 'hamas', 'qatar', 'oil', 'wheat'];
    const batch = (k: number): Article[] =>
      Array.from({ length: 4 }, (_, i) => {
        const id = `w${(k + i * 3) % 12}`;
        return makeArticle({ id, paragraphs: [`${words[(k + i) % 7]} ${words[(k * 2 + i) % 7]} ${words[i % 7]}.`, `Batch ${k}.`] });
      });
    const batches = Array.from({ length: 8 }, (_, k) => batch(k));
    const results = await Promise.all(batches.map((articles) => fresh.backend.putArticles(articles)));
    expect(results.flat()).toHaveLength(32);
    // Whichever batch committed last wrote each article: rebuild the expected state from the database's own articles.
    const latest: Article[] = [];
    for (let i = 0; i < 12; i += 1) {
      const article = await fresh.backend.getArticle(`w${i}`);
      if (article !== undefined) latest.push(article);
    }
    await expectLike(latest, ['truce', 'gaza talks', 'batch', 'o*', 'hamas OR wheat']);
  });
});

describe('a write the database aborts to break a deadlock', () => {
  it('is run again and acknowledged, once the other transaction is through, and the log says so', async () => {
    const lines: string[] = [];
    const backend = await createPostgresBackend({ url: fresh.url, log: (line) => lines.push(line) });
    const other = new pg.Client({ connectionString: fresh.url });
    await other.connect();
    try {
      await backend.putArticles([makeArticle({ id: 'd', title: 'Harbour', paragraphs: ['Ferries crossed at dawn.'] })]);
      // Another session (an operator's, say) holds article d's row, and will want the lock our
      // writer takes on d's id first: a cycle, which the database breaks by aborting our writer
      // (the other session waits far longer before looking for a deadlock).
      await other.query("BEGIN; SET LOCAL deadlock_timeout = '60s'");
      await other.query("SELECT 1 FROM articles WHERE article_id = 'd' FOR UPDATE");
      const writing = backend.putArticles([makeArticle({ id: 'd', title: 'Harbour, updated', paragraphs: ['Ferries crossed at noon.'] })]);
      // Once the writer waits for the row, take the id's lock it holds.
      for (let waiting = 0; waiting === 0; ) {
        waiting = ((await queryOn(fresh.url, "SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")) as Array<{ n: number }>)[0]?.n ?? 0;
      }
      await lockArticles(other, ['d']);
      await other.query('COMMIT');
      expect(await writing).toEqual([{ id: 'd', status: 'updated', paragraphs: 1 }]);
      expect((await backend.getArticle('d'))?.title).toBe('Harbour, updated');
      expect((await backend.search(parseQuery('noon'), DEFAULT_SEARCH_REQUEST)).total).toBe(1);
      expect((await backend.search(parseQuery('dawn'), DEFAULT_SEARCH_REQUEST)).total).toBe(0);
      expect(lines.some((line) => /^postgres: write transaction deadlock detected \(SQLSTATE 40P01\); running it again \(attempt 2 of 3\)$/.test(line))).toBe(true);
    } finally {
      await other.end();
      await backend.close();
    }
  });
});
