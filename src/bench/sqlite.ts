/**
 * @module bench/sqlite
 * The native reference of SPEC §8: SQLite FTS5 (`better-sqlite3`, porter tokenizer, `bm25()` and
 * `snippet()`) over the same paragraphs, in a temporary database file, in a worker process of its
 * own. It measures what the start of the service is compared with: building the full-text table,
 * and reopening the file until a first query is answered.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { loadCorpus } from './corpus.ts';
import type { SessionContext } from './session.ts';

/** The full-text table: one row per paragraph, its article's title and its text; stems by the porter tokenizer over unicode61. */
const CREATE_TABLE = "CREATE VIRTUAL TABLE paragraphs USING fts5(title, text, tokenize = 'porter unicode61')";
const INSERT = 'INSERT INTO paragraphs (title, text) VALUES (?, ?)';
/**
 * The first query after a reopen: a page of 10 ranked by BM25 (the title weighing twice the text,
 * as the service's title boost), each with a snippet of the text.
 */
const FIRST_QUERY =
  "SELECT rowid, bm25(paragraphs, 2.0, 1.0) AS score, snippet(paragraphs, 1, '<mark>', '</mark>', '…', 16) AS snippet " +
  'FROM paragraphs WHERE paragraphs MATCH ? ORDER BY score LIMIT 10';

/** What building the table measured. */
export type FtsBuilt = { paragraphs: number; buildMs: number; bytes: number; sqliteVersion: string };

/**
 * An FTS5 MATCH expression for one word: quoted as an FTS5 string, so no word is read as an operator.
 *
 * @example
 * ftsMatch('oil') // '"oil"'
 */
export function ftsMatch(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}

/** The SQLite side: a database file built once, reopened as a restart would. */
export type FtsSession = {
  /** Reads the corpus ×`scale` (not timed), then creates the table and inserts every paragraph in one transaction (timed). */
  build(corpusPath: string, scale: number): Promise<FtsBuilt>;
  /** Opens the file and answers a first query for `word`; resolves to the milliseconds from open to the rows. */
  reopen(word: string): number;
  /** Removes the database file. */
  close(): Promise<void>;
};

/** Creates the SQLite side; nothing is written before {@link FtsSession.build}. */
export function createFtsSession(context: SessionContext): FtsSession {
  const { collect, progress } = context;
  let dir: string | undefined;
  const file = (): string => {
    if (dir === undefined) throw new Error('the SQLite side was asked to reopen before it built');
    return join(dir, 'fts5.db');
  };
  return {
    async build(corpusPath, scale) {
      progress(`sqlite: reading ${corpusPath} ×${scale}`);
      let { articles } = await loadCorpus(corpusPath, scale);
      dir = await mkdtemp(join(tmpdir(), 'news-search-bench-sqlite-'));
      const database = new Database(file());
      try {
        const paragraphs = articles.reduce((sum, article) => sum + article.paragraphs.length, 0);
        collect();
        progress(`sqlite: building an FTS5 table of ${paragraphs} paragraphs`);
        const started = performance.now();
        database.exec(CREATE_TABLE);
        const insert = database.prepare(INSERT);
        database.transaction(() => {
          for (const article of articles) for (const text of article.paragraphs) insert.run(article.title, text);
        })();
        const buildMs = performance.now() - started;
        articles = [];
        const { version } = database.prepare('SELECT sqlite_version() AS version').get() as { version: string };
        database.close();
        return { paragraphs, buildMs, bytes: (await stat(file())).size, sqliteVersion: version };
      } catch (error) {
        if (database.open) database.close();
        throw error;
      }
    },
    reopen(word) {
      const started = performance.now();
      const database = new Database(file(), { fileMustExist: true });
      try {
        database.prepare(FIRST_QUERY).all(ftsMatch(word));
        return performance.now() - started;
      } finally {
        database.close();
      }
    },
    async close() {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}
