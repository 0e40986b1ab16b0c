/**
 * Ranking from the posting blocks in windows of article numbers (postings-rank.ts): the windows
 * cover every article once, each reading about as many entries as it is allowed, and a search
 * ranked in many small windows answers exactly as one ranked in a single piece, and as the
 * embedded backend does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_REQUEST, type SearchRequest } from '../../../src/backends/backend.ts';
import { executeSearch } from '../../../src/backends/embedded/execute.ts';
import { openDatabase, type Database, type Reader } from '../../../src/backends/postgres/connection.ts';
import { runsOf, windowsOf } from '../../../src/backends/postgres/postings-rank.ts';
import { runSearch } from '../../../src/backends/postgres/search.ts';
import type { Article } from '../../../src/ingest/article.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { createPrng } from '../../../src/bench/queries.ts';
import { libraryOf, makeArticle } from '../../helpers.ts';
import { freshBackend } from './database.ts';
import { expectSameAnswer } from './parity.ts';

const range = fc
  .record({ firstArt: fc.nat(200), span: fc.nat(30), paragraphs: fc.integer({ min: 1, max: 40 }) })
  .map(({ firstArt, span, paragraphs }) => ({ lexeme: 'sx', block: 0, firstArt, lastArt: firstArt + span, entries: paragraphs, paragraphs }));

describe('windowsOf', () => {
  it('cuts the article numbers into consecutive windows, from 0 on, each holding at most the limit in the blocks starting in it but for those of its last first article', () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 60 }), fc.integer({ min: 1, max: 100 }), (ranges, limit) => {
        const windows = windowsOf(ranges, limit);
        expect(windows[0]?.low).toBe(0);
        expect(windows[windows.length - 1]?.high).toBe(Number.MAX_SAFE_INTEGER);
        for (let i = 1; i < windows.length; i++) expect(windows[i]?.low).toBe((windows[i - 1]?.high as number) + 1);
        for (const window of windows) {
          const starting = ranges.filter((block) => block.firstArt >= window.low && block.firstArt <= window.high);
          // Blocks starting at one article are never split: only those of the window's last start may take it past the limit.
          const lastStart = Math.max(...starting.map((block) => block.firstArt));
          const before = starting.filter((block) => block.firstArt < lastStart).reduce((sum, block) => sum + block.paragraphs, 0);
          expect(before).toBeLessThanOrEqual(limit);
        }
      }),
    );
  });

  it('is one window when the blocks hold no more than the limit', () => {
    expect(windowsOf([{ lexeme: 'sx', block: 0, firstArt: 3, lastArt: 90, entries: 10, paragraphs: 10 }], 10)).toEqual([{ low: 0, high: Number.MAX_SAFE_INTEGER }]);
    expect(windowsOf([], 10)).toEqual([{ low: 0, high: Number.MAX_SAFE_INTEGER }]);
  });
});

const FILLER = ['shares', 'trading', 'prices', 'rose', 'fell', 'banks', 'bank', 'said', 'analysts', 'week', 'oil'];

/** Article `n` of a seeded corpus: one to three paragraphs of filler words, about half with "market"; some titles hold words too. */
function article(n: number, random: () => number): Article {
  const word = () => FILLER[Math.floor(random() * FILLER.length)] as string;
  const paragraph = () => {
    const words = Array.from({ length: 1 + Math.floor(random() * 12) }, word);
    if (random() < 0.5) words.splice(Math.floor(random() * words.length), 0, 'market');
    return `${words.join(' ')}.`;
  };
  const title = n % 6 === 0 ? `Market ${word()}` : n % 4 === 0 ? `Report on ${word()}` : 'Report';
  return makeArticle({ id: `w${String(n).padStart(4, '0')}`, title, paragraphs: Array.from({ length: 1 + Math.floor(random() * 3) }, paragraph) });
}

/** A database whose search transactions count the statements reading posting blocks by lexeme and block. */
function countingBlockStatements(db: Database): { db: Database; statements: () => number } {
  let statements = 0;
  const counting = (client: Reader): Reader => ({
    query: (text, values) => client.query(text, values),
    copyOut: (select) => {
      if (/AS w\(lexeme, low, high\)/u.test(select)) statements += 1;
      return client.copyOut(select);
    },
  });
  return { db: { ...db, transaction: (kind, work, setup) => db.transaction(kind, (client) => work(counting(client)), setup) }, statements: () => statements };
}

const QUERIES = ['market oil', 'oil market', 'said -market', 'ban*', 'trading~1', 'market zebra oil', 'shares rose week', 'fell -oil -said'];
const REQUESTS: Array<Partial<SearchRequest>> = [{}, { limit: 5, offset: 7 }, { limit: 50, offset: 100 }, { mode: 'any' }];

describe('runsOf', () => {
  it('names the same blocks as runs of consecutive numbers of one lexeme, none adjacent to the next', () => {
    const block = fc.record({ lexeme: fc.constantFrom('sa', 'sb', 'ta'), block: fc.nat(40) });
    fc.assert(
      fc.property(fc.array(block, { maxLength: 80 }), (blocks) => {
        const runs = runsOf(blocks);
        const named = runs.flatMap((run) => Array.from({ length: run.high - run.low + 1 }, (_, i) => `${run.lexeme}/${run.low + i}`));
        expect(new Set(named).size).toBe(named.length);
        expect(new Set(named)).toEqual(new Set(blocks.map((one) => `${one.lexeme}/${one.block}`)));
        for (let i = 1; i < runs.length; i++) {
          const [before, run] = [runs[i - 1], runs[i]] as [(typeof runs)[0], (typeof runs)[0]];
          if (before.lexeme === run.lexeme) expect(run.low).toBeGreaterThan(before.high + 1);
        }
      }),
    );
  });

  it("reads a lexeme's consecutive blocks as one run", () => {
    const blocks = [5, 2, 3, 9, 4, 10].map((block) => ({ lexeme: 'smarch', block }));
    expect(runsOf([...blocks, { lexeme: 'siowa', block: 3 }])).toEqual([
      { lexeme: 'siowa', low: 3, high: 3 },
      { lexeme: 'smarch', low: 2, high: 5 },
      { lexeme: 'smarch', low: 9, high: 10 },
    ]);
  });
});

describe('a search ranked in windows', () => {
  it('answers as in one piece and as the embedded backend, over blocks cut into many windows', async () => {
    const { backend, url, cleanup } = await freshBackend();
    const db = openDatabase(url, () => undefined, 1);
    try {
      const random = createPrng(5);
      const articles = Array.from({ length: 600 }, (_, n) => article(n, random));
      // Batches of 20: each lexeme's postings span several blocks, written in article order.
      for (let from = 0; from < articles.length; from += 20) await backend.putArticles(articles.slice(from, from + 20));
      const library = libraryOf(articles);
      const counted = countingBlockStatements(db);
      for (const q of QUERIES) {
        const parsed = parseQuery(q);
        for (const fields of REQUESTS) {
          const request: SearchRequest = { ...DEFAULT_SEARCH_REQUEST, ...fields };
          const start = counted.statements();
          const whole = await runSearch(counted.db, parsed, request);
          const middle = counted.statements();
          const windowed = await runSearch(counted.db, parsed, request, { windowParagraphs: 40 });
          // One statement reads each window's blocks (two when other lexemes' blocks follow): more windows, more statements.
          expect(counted.statements() - middle, `${q}: statements reading blocks`).toBeGreaterThan(middle - start);
          expect(windowed, q).toEqual(whole);
          expect(await runSearch(db, parsed, request, { windowParagraphs: 1 }), q).toEqual(whole);
          expectSameAnswer(articles, parsed, request, executeSearch(library, parsed, request), executeSearch(library, parsed, { ...request, offset: 0, limit: 1000 }), windowed);
        }
      }
    } finally {
      await db.close();
      await cleanup();
    }
  }, 180_000);
});
