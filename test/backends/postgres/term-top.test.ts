/**
 * One word's search on the PostgreSQL backend (term-top.ts): over a word whose postings span many
 * blocks, its exact total and its pages are the embedded backend's, before and after articles are
 * replaced and deleted (which rewrite the blocks' frontiers and the title-only counts), and the best
 * page reads only some of the word's blocks.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_REQUEST, type SearchBackend, type SearchRequest } from '../../../src/backends/backend.ts';
import { executeSearch } from '../../../src/backends/embedded/execute.ts';
import type { Article } from '../../../src/ingest/article.ts';
import { openDatabase, type Database, type Reader } from '../../../src/backends/postgres/connection.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { runSearch } from '../../../src/backends/postgres/search.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { createPrng } from '../../../src/bench/queries.ts';
import { libraryOf, makeArticle } from '../../helpers.ts';
import { freshBackend, freshDatabase, queryOn } from './database.ts';
import { expectSameAnswer } from './parity.ts';

const FILLER = ['shares', 'trading', 'prices', 'rose', 'fell', 'banks', 'said', 'analysts', 'week', 'oil'];

/**
 * Article `n` of a seeded corpus: one to three paragraphs, most holding "market" one to four
 * times among up to twenty other words; some titles hold it, a few only there.
 */
function article(n: number, random: () => number, version = 0): Article {
  const paragraph = (withWord: boolean) => {
    const words = Array.from({ length: 1 + Math.floor(random() * 20) }, () => FILLER[Math.floor(random() * FILLER.length)] as string);
    if (withWord) for (let times = 1 + Math.floor(random() * 4); times > 0; times--) words.splice(Math.floor(random() * words.length), 0, 'market');
    return `${words.join(' ')}.`;
  };
  const titleOnly = n % 17 === 0;
  const paragraphs = Array.from({ length: 1 + Math.floor(random() * 3) }, () => paragraph(!titleOnly && random() < 0.8));
  const title = titleOnly || n % 5 === 0 ? `Market report ${version}` : `Report ${version}`;
  return makeArticle({ id: `m${String(n).padStart(4, '0')}`, title, paragraphs });
}

/**
 * Article `n` of a corpus where "market" is frequent and in short paragraphs only in a stretch of
 * `hot` articles (and only their titles hold it), and appears once in long paragraphs elsewhere:
 * the best page lies in the blocks of that stretch.
 */
function skewed(n: number, random: () => number, hot: (n: number) => boolean): Article {
  const isHot = hot(n);
  const paragraph = () => {
    const words = Array.from({ length: isHot ? 2 + Math.floor(random() * 4) : 10 + Math.floor(random() * 15) }, () => FILLER[Math.floor(random() * FILLER.length)] as string);
    for (let times = isHot ? 3 + Math.floor(random() * 3) : 1; times > 0; times--) words.splice(Math.floor(random() * words.length), 0, 'market');
    return `${words.join(' ')}.`;
  };
  return makeArticle({ id: `s${String(n).padStart(4, '0')}`, title: isHot ? 'Market report' : 'Report', paragraphs: Array.from({ length: 1 + Math.floor(random() * 2) }, paragraph) });
}

const REQUESTS: Array<Partial<SearchRequest>> = [{}, { limit: 5, offset: 7 }, { limit: 50, offset: 100 }, { limit: 1 }];

/** Asserts that `q` on the backend answers as the embedded backend over `articles` does, for every request of {@link REQUESTS}. */
async function expectSameAsEmbedded(backend: SearchBackend, articles: readonly Article[], q: string): Promise<void> {
  const library = libraryOf(articles);
  const parsed = parseQuery(q);
  for (const fields of REQUESTS) {
    const request: SearchRequest = { ...DEFAULT_SEARCH_REQUEST, ...fields };
    const actual = await backend.search(parsed, request);
    expectSameAnswer(articles, parsed, request, executeSearch(library, parsed, request), executeSearch(library, parsed, { ...request, offset: 0, limit: 1000 }), actual);
  }
}

/** A database whose search transactions count the posting blocks read by block number. */
function countingBlockReads(db: Database): { db: Database; reads: () => number } {
  let reads = 0;
  const counting = (client: Reader): Reader => ({
    query: (text, values) => client.query(text, values),
    copyOut: (select) => {
      const blocks = /block = ANY\('\{([^}]*)\}'::int\[\]\)/u.exec(select)?.[1];
      if (blocks !== undefined) reads += blocks.split(',').length;
      return client.copyOut(select);
    },
  });
  return { db: { ...db, transaction: (kind, work, setup) => db.transaction(kind, (client) => work(counting(client)), setup) }, reads: () => reads };
}

describe('one word over many posting blocks', () => {
  it('gives the exact total and the pages of the embedded backend, before and after replacements and deletions', async () => {
    const { backend, url, cleanup } = await freshBackend();
    try {
      const random = createPrng(7);
      let articles = Array.from({ length: 900 }, (_, n) => article(n, random));
      // Batches of 20: a block takes appends until it holds 256 entries, so "market" spans several blocks.
      for (let from = 0; from < articles.length; from += 20) await backend.putArticles(articles.slice(from, from + 20));
      const blocks = (await queryOn(url, "SELECT count(*)::int AS n FROM postings WHERE lexeme = 'smarket'")) as Array<{ n: number }>;
      expect(blocks[0]?.n).toBeGreaterThan(3);
      await expectSameAsEmbedded(backend, articles, 'market');
      await expectSameAsEmbedded(backend, articles, 'markets');

      // Replaced (other frequencies and lengths, titles gaining or losing the word) and deleted.
      const replaced = articles.filter((_, n) => n % 7 === 3).map((old) => article(Number(old.id.slice(1)), random, 1));
      await backend.putArticles(replaced);
      const gone = articles.filter((_, n) => n % 11 === 5).map((old) => old.id);
      for (const id of gone) await backend.deleteArticle(id);
      const byId = new Map(articles.map((old) => [old.id, old]));
      for (const next of replaced) byId.set(next.id, next);
      for (const id of gone) byId.delete(id);
      articles = [...byId.values()];
      await expectSameAsEmbedded(backend, articles, 'market');
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('reads only the blocks that can hold the best page', async () => {
    const { backend, url, cleanup } = await freshBackend();
    const db = openDatabase(url, () => undefined, 1);
    try {
      const random = createPrng(11);
      const articles = Array.from({ length: 2400 }, (_, n) => skewed(n, random, (k) => k >= 1200 && k < 1230));
      for (let from = 0; from < articles.length; from += 100) await backend.putArticles(articles.slice(from, from + 100));
      const [{ n: blocks } = { n: 0 }] = (await queryOn(url, "SELECT count(*)::int AS n FROM postings WHERE lexeme = 'smarket'")) as Array<{ n: number }>;
      const counted = countingBlockReads(db);
      const search = await runSearch(counted.db, parseQuery('market'), DEFAULT_SEARCH_REQUEST);
      expect(search.hits).toHaveLength(10);
      expect(search.total).toBe(executeSearch(libraryOf(articles), parseQuery('market'), DEFAULT_SEARCH_REQUEST).total);
      expect(counted.reads()).toBeGreaterThan(0);
      expect(counted.reads()).toBeLessThan(blocks / 2);
    } finally {
      await db.close();
      await cleanup();
    }
  }, 120_000);

  it('are given their frontiers and title-only counts by migration 8 on a database written before it, as writes keep them', async () => {
    const database = await freshDatabase();
    const url = database.url;
    try {
      const backend = await createPostgresBackend({ url });
      const random = createPrng(3);
      const articles = Array.from({ length: 300 }, (_, n) => article(n, random));
      for (let from = 0; from < articles.length; from += 20) await backend.putArticles(articles.slice(from, from + 20));
      const frontiers = 'SELECT lexeme, block, frontier FROM postings ORDER BY lexeme, block';
      const titleOnly = 'SELECT stem, title_only FROM stems WHERE title_only > 0 ORDER BY stem';
      const written = { frontiers: await queryOn(url, frontiers), titleOnly: await queryOn(url, titleOnly) };
      const titleOnlyMarket = articles.filter((a) => /market/iu.test(a.title) && !a.paragraphs.some((p) => /market/iu.test(p))).length;
      expect(titleOnlyMarket).toBeGreaterThan(0);
      expect(written.titleOnly).toContainEqual({ stem: 'market', title_only: titleOnlyMarket });
      await backend.close();
      await queryOn(url, 'ALTER TABLE postings DROP COLUMN frontier; ALTER TABLE stems DROP COLUMN title_only; DELETE FROM schema_migrations WHERE version = 8');
      const upgraded = await createPostgresBackend({ url });
      try {
        expect({ frontiers: await queryOn(url, frontiers), titleOnly: await queryOn(url, titleOnly) }).toEqual(written);
        await expectSameAsEmbedded(upgraded, articles, 'market');
      } finally {
        await upgraded.close();
      }
    } finally {
      await database.drop();
    }
  });
});
