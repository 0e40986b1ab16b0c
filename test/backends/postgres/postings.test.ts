/**
 * The posting blocks of the PostgreSQL backend: entries survive their bytes; every write leaves
 * the blocks holding exactly the postings of the paragraph rows (new, replaced and deleted
 * articles, a small last block filled before a new one is started); migration 3 builds them for a
 * database written before it, and the searches answer as before.
 */
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_REQUEST } from '../../../src/backends/backend.ts';
import { openDatabase } from '../../../src/backends/postgres/connection.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { runSearch } from '../../../src/backends/postgres/search.ts';
import { appendPostings, BLOCK_ENTRIES, decodeEntries, encodeEntries, frontierOf, type Entry } from '../../../src/backends/postgres/postings.ts';
import { bm25 } from '../../../src/backends/postgres/postings-rank.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { makeArticle } from '../../helpers.ts';
import { freshDatabase, queryOn, useFreshBackend } from './database.ts';

const fresh = useFreshBackend();

/** The postings the paragraph rows hold, per lexeme, sorted: a text stem per paragraph, a title stem per article. */
const ROWS_POSTINGS = `
  SELECT e.key AS lexeme, a.art, p.n AS slot, e.value::int AS tf, p.text_length AS length
  FROM paragraphs AS p JOIN articles AS a ON a.article_id = p.article_id CROSS JOIN LATERAL jsonb_each_text(p.tf) AS e WHERE left(e.key, 1) = 's'
  UNION ALL
  SELECT e.key, a.art, a.paragraph_count, e.value::int, p.title_length
  FROM paragraphs AS p JOIN articles AS a ON a.article_id = p.article_id CROSS JOIN LATERAL jsonb_each_text(p.tf) AS e WHERE p.n = 1 AND left(e.key, 1) = 't'`;

type Block = { lexeme: string; block: number; first_art: number; last_art: number; entries: number; data: Buffer; frontier: number[] };

const byEntry = (a: Entry, b: Entry) => a.art - b.art || a.slot - b.slot;

/** Asserts the blocks hold the rows' postings, each block's counts and bounds right. */
async function expectPostingsOfRows(url: string): Promise<Block[]> {
  const expected = new Map<string, Entry[]>();
  for (const row of (await queryOn(url, ROWS_POSTINGS)) as Array<Entry & { lexeme: string }>) {
    const { lexeme, ...entry } = row;
    expected.set(lexeme, [...(expected.get(lexeme) ?? []), entry]);
  }
  const blocks = (await queryOn(url, 'SELECT lexeme, block, first_art, last_art, entries, data, frontier FROM postings ORDER BY lexeme, block')) as Block[];
  const actual = new Map<string, Entry[]>();
  for (const block of blocks) {
    const entries = decodeEntries(block.data);
    expect(entries.length).toBe(block.entries);
    expect(entries.length).toBeGreaterThan(0);
    expect(Math.min(...entries.map((entry) => entry.art))).toBe(block.first_art);
    expect(Math.max(...entries.map((entry) => entry.art))).toBe(block.last_art);
    expect(block.frontier).toEqual(frontierOf(entries));
    actual.set(block.lexeme, [...(actual.get(block.lexeme) ?? []), ...entries]);
  }
  const sorted = (map: Map<string, Entry[]>) => Object.fromEntries([...map].map(([lexeme, entries]) => [lexeme, [...entries].sort(byEntry)]));
  expect(sorted(actual)).toEqual(sorted(expected));
  return blocks;
}

describe('encodeEntries', () => {
  it('gives back the entries decodeEntries reads', () => {
    const entries: Entry[] = [
      { art: 1, slot: 1, tf: 1, length: 1 },
      { art: 4_000_000_000, slot: 10_000, tf: 65_535, length: 30_000 },
    ];
    expect(decodeEntries(encodeEntries(entries))).toEqual(entries);
  });

  it('throws, naming the article number, for a value past two bytes', () => {
    expect(() => encodeEntries([{ art: 7, slot: 1, tf: 70_000, length: 1 }])).toThrow(/article number 7/);
  });
});

describe('frontierOf', () => {
  const entry = fc.record({ art: fc.nat(50), slot: fc.integer({ min: 1, max: 9 }), tf: fc.integer({ min: 1, max: 30 }), length: fc.integer({ min: 1, max: 300 }) });
  it('keeps pairs of the entries that none beats on both, whose best BM25+ is the best of all the entries for any statistics', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 60 }), fc.array(entry, { maxLength: 20 }), fc.double({ min: 0.01, max: 20, noNaN: true }), fc.double({ min: 1, max: 200, noNaN: true }), (entries, earlier, idf, average) => {
        const frontier = frontierOf(entries, frontierOf(earlier));
        const all = [...entries, ...earlier];
        const pairs = Array.from({ length: frontier.length / 2 }, (_, i) => [frontier[2 * i] as number, frontier[2 * i + 1] as number] as const);
        for (const [tf, length] of pairs) {
          expect(all.some((e) => e.tf === tf && e.length === length)).toBe(true);
          expect(all.some((e) => e.tf >= tf && e.length <= length && (e.tf > tf || e.length < length))).toBe(false);
        }
        const best = Math.max(...all.map((e) => bm25(e.tf, idf, e.length, average)));
        expect(Math.max(...pairs.map(([tf, length]) => bm25(tf, idf, length, average)))).toBe(best);
      }),
    );
  });
});

describe('postings', () => {
  it('hold the postings of the rows after articles are added, replaced and deleted', async () => {
    const { backend, url } = fresh;
    await backend.putArticles([
      makeArticle({ id: 'a', title: 'Truce talks', paragraphs: ['Truce talks resumed in Qatar.', 'The truce held.'] }),
      makeArticle({ id: 'b', title: 'Oil', paragraphs: ['Oil prices rose.'] }),
      makeArticle({ id: 'c', title: 'Talks', paragraphs: ['Talks, talks and more talks.'] }),
    ]);
    await expectPostingsOfRows(url);
    await backend.putArticles([makeArticle({ id: 'a', title: 'Truce over', paragraphs: ['The truce ended.'] }), makeArticle({ id: 'b', title: 'Oil', paragraphs: ['Oil prices rose.'] })]);
    await expectPostingsOfRows(url);
    await backend.deleteArticle('c');
    await expectPostingsOfRows(url);
    const search = await backend.search(parseQuery('talks'), DEFAULT_SEARCH_REQUEST);
    expect(search.total).toBe(0);
    for (const id of ['a', 'b']) await backend.deleteArticle(id);
    expect(await queryOn(url, 'SELECT * FROM postings')).toEqual([]);
  });

  it('fill a small last block of a lexeme before starting another, and drop a block left empty', async () => {
    const { backend, url } = fresh;
    await backend.putArticles([makeArticle({ id: 'long', title: 'Long', paragraphs: Array.from({ length: BLOCK_ENTRIES + 10 }, () => 'Truce.') })]);
    await backend.putArticles([makeArticle({ id: 'short', title: 'Short', paragraphs: ['Truce.', 'Truce again.'] })]);
    const blocks = await expectPostingsOfRows(url);
    expect(blocks.filter((block) => block.lexeme === 'struce').map((block) => block.entries)).toEqual([BLOCK_ENTRIES, 12]);
    await backend.deleteArticle('long');
    const left = await expectPostingsOfRows(url);
    expect(left.filter((block) => block.lexeme === 'struce').map((block) => [block.block, block.entries])).toEqual([[1, 2]]);
    expect((await backend.search(parseQuery('truce'), DEFAULT_SEARCH_REQUEST)).total).toBe(2);
    await backend.deleteArticle('short');
  });
});

describe('posting blocks out of article order', () => {
  it('start a new block rather than append entries before the last block\'s, so each block stays sorted', async () => {
    const database = await freshDatabase();
    const client = new pg.Client({ connectionString: database.url });
    try {
      await (await createPostgresBackend({ url: database.url })).close();
      await client.connect();
      await appendPostings(client, new Map([['struce', [{ art: 10, slot: 1, tf: 1, length: 3 }]]]));
      // A batch numbered before the last one, committing after it.
      await appendPostings(client, new Map([['struce', [{ art: 5, slot: 1, tf: 2, length: 4 }]]]));
      await appendPostings(client, new Map([['struce', [{ art: 11, slot: 2, tf: 1, length: 5 }]]]));
      const blocks = (await client.query('SELECT block, first_art, last_art, data FROM postings ORDER BY block')).rows as Block[];
      expect(blocks.map((block) => [block.block, decodeEntries(block.data).map((entry) => entry.art)])).toEqual([
        [0, [10]],
        [1, [5, 11]],
      ]);
    } finally {
      await client.end();
      await database.drop();
    }
  });

  it('rank as sorted ones do, when their entries interleave across blocks (batches that drew numbers at once)', async () => {
    const { backend, url } = fresh;
    const articles = Array.from({ length: 40 }, (_, n) =>
      makeArticle({
        id: `w${n}`,
        title: n % 3 === 0 ? 'Truce talks' : 'Report',
        paragraphs: [`Truce ${'word '.repeat(n % 5)}held.`, n % 2 === 0 ? 'Talks resumed.' : 'Ferries sailed.', ...(n % 7 === 0 ? ['Truce and talks.'] : [])],
      }),
    );
    await backend.putArticles(articles);
    const queries = ['truce', 'talks', 'truce talks', 'ferries truce', 'truce -talks', 'talks ferries'];
    const sorted = await Promise.all(queries.map((q) => backend.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)));
    // Each lexeme's entries dealt into two blocks, alternately: the two overlap over the whole range.
    const blocks = (await queryOn(url, 'SELECT lexeme, data FROM postings ORDER BY lexeme, block')) as Block[];
    const byLexeme = new Map<string, Entry[]>();
    for (const block of blocks) byLexeme.set(block.lexeme, [...(byLexeme.get(block.lexeme) ?? []), ...decodeEntries(block.data)]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('DELETE FROM postings');
      for (const [lexeme, entries] of byLexeme) {
        for (const [block, part] of [entries.filter((_, i) => i % 2 === 1), entries.filter((_, i) => i % 2 === 0)].entries()) {
          if (part.length === 0) continue;
          const arts = part.map((entry) => entry.art);
          await client.query('INSERT INTO postings (lexeme, block, first_art, last_art, entries, data, frontier) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
            lexeme,
            block,
            Math.min(...arts),
            Math.max(...arts),
            part.length,
            encodeEntries(part),
            frontierOf(part),
          ]);
        }
      }
    } finally {
      await client.end();
    }
    const interleaved = await Promise.all(queries.map((q) => backend.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)));
    expect(interleaved).toEqual(sorted);
    // In windows of one paragraph, the other terms' blocks read one at a time: parts that overlap, joined.
    const db = openDatabase(url, () => undefined, 1);
    try {
      for (const [i, q] of queries.entries()) expect(await runSearch(db, parseQuery(q), DEFAULT_SEARCH_REQUEST, { windowParagraphs: 1 }), q).toEqual(sorted[i]);
    } finally {
      await db.close();
    }
    expect(sorted.every((search) => search.total > 0)).toBe(true);
    for (const article of articles) await backend.deleteArticle(article.id);
  });
});

describe('migration 3', () => {
  it('builds the postings of a database written before it, which answers as before', async () => {
    const database = await freshDatabase();
    try {
      const articles = [
        makeArticle({ id: 'z', title: 'Gaza truce', paragraphs: ['A four-day truce in Gaza.', 'Talks in Qatar.'] }),
        makeArticle({ id: 'y', title: 'Oil', paragraphs: ['Oil prices rose as talks stalled.'] }),
      ];
      const queries = ['truce', 'talks', 'tal*', 'truse~1', 'talks -oil', 'gaza truce qatar'];
      const first = await createPostgresBackend({ url: database.url });
      await first.putArticles(articles);
      const before = await Promise.all(queries.map((q) => first.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)));
      await first.close();
      // The database as migration 2 left it (migration 8 adds to what 3 makes: undone too).
      await queryOn(database.url, 'DROP TABLE postings; ALTER TABLE articles DROP COLUMN art; ALTER TABLE stems DROP COLUMN title_only; DELETE FROM schema_migrations WHERE version IN (3, 8)');
      const lines: string[] = [];
      const upgraded = await createPostgresBackend({ url: database.url, log: (line) => lines.push(line) });
      try {
        expect(lines).toEqual(['postgres: applying migration 3 (article numbers, posting blocks)', 'postgres: applying migration 8 (block frontiers, title-only articles per stem)']);
        await expectPostingsOfRows(database.url);
        const after = await Promise.all(queries.map((q) => upgraded.search(parseQuery(q), DEFAULT_SEARCH_REQUEST)));
        expect(after).toEqual(before);
        await upgraded.putArticles([makeArticle({ id: 'x', title: 'Truce', paragraphs: ['Truce.'] })]);
        await expectPostingsOfRows(database.url);
      } finally {
        await upgraded.close();
      }
    } finally {
      await database.drop();
    }
  });
});
