/**
 * @module backends/postgres/write
 * The write path: a batch of articles is one transaction (all or nothing), durable when it
 * commits. The articles whose content hash the database does not hold are analyzed in Node
 * before the transaction opens (so rerunning an import costs a hash per article, not its
 * analysis); inside it, the batch's article ids are locked (advisory locks, in a fixed order), an
 * identical article is left `unchanged` by its content hash (what changed since the first look is
 * analyzed then), a changed one loses its old paragraphs and what they counted
 * in the corpus statistics (read back from its stored rows, so the statistics stay exact even
 * if the analyzer has changed since), and the new rows go in. The shared statistics are updated
 * next, each table's rows in sorted order, then the posting blocks, and copy detection last
 * under a lock of its own (copies.ts): concurrent writers take every lock in one order, so they
 * never deadlock, and hold the shared ones only for the end of their transaction.
 */
import { createHash } from 'node:crypto';
import { createError } from '../../errors.ts';
import { contentHash, type Article } from '../../ingest/article.ts';
import type { ArticleResult } from '../backend.ts';
import { articleRows, type ArticleRows } from './article-rows.ts';
import { stemLexeme } from './lexemes.ts';
import type { Database, Queryable } from './connection.ts';
import { recordCopies } from './copies.ts';
import { addEntry, appendPostings, removePostings, type LexemeEntries } from './postings.ts';

/** What a transaction changes in the corpus statistics. */
type Delta = {
  /** Per stem key: [paragraphs holding it in their title, in their text, articles holding it in their title only]. */
  stems: Map<string, [number, number, number]>;
  /** Per word key: its stem key and the number of articles holding it. */
  words: Map<string, { stem: string; articles: number }>;
  articles: number;
  paragraphs: number;
  titleLength: number;
  textLength: number;
};

/** Paragraph rows sent in one statement: bounded, so a huge batch does not make one huge parameter. */
const ROWS_PER_STATEMENT = 2000;
/** First key of the advisory locks on article ids ("nsar"); the second is a hash of the id. */
const ARTICLE_LOCK_CLASS = 0x6e736172;

/**
 * Adds or replaces `articles` in one transaction; see {@link SearchBackend.putArticles}.
 *
 * @example
 * await writeArticles(db, [article]) // [{ id: 'a', status: 'created', paragraphs: 3 }]
 */
export async function writeArticles(db: Database, articles: readonly Article[]): Promise<ArticleResult[]> {
  const ids = articles.map((article) => article.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined) throw createError('bad_request', `the batch holds the article id "${duplicate}" twice`);
  if (articles.length === 0) return [];
  const hashes = articles.map(contentHash);
  const analyzed = new Map<string, ArticleRows>();
  const rowsOf = (article: Article): ArticleRows => {
    let rows = analyzed.get(article.id);
    if (rows === undefined) analyzed.set(article.id, (rows = articleRows(article)));
    return rows;
  };
  // One statement on a write connection, no transaction: the hashes are looked at again under the lock.
  const firstLook = hashesOf(await db.query(STORED_HASHES, [ids], 'write'));
  for (const [index, article] of articles.entries()) if (firstLook.get(article.id) !== hashes[index]) rowsOf(article);
  return db.transaction('write', async (client) => {
    await lockArticles(client, ids);
    const stored = hashesOf((await client.query(STORED_HASHES, [ids])).rows);
    const changed = articles.filter((article, index) => stored.get(article.id) !== hashes[index]).map(rowsOf);
    const replaced = changed.map((rows) => rows.article.id).filter((id) => stored.has(id));
    const delta = emptyDelta();
    const removed = replaced.length > 0 ? await removeArticles(client, replaced, delta, false) : NOTHING_REMOVED;
    let added: LexemeEntries = new Map();
    if (changed.length > 0) {
      const arts = await upsertArticles(client, changed);
      await insertParagraphs(client, changed);
      for (const rows of changed) addArticle(delta, rows);
      added = postingsOf(changed, arts);
    }
    await applyDelta(client, delta);
    // After applyDelta: the stems of every lexeme touched are locked by this transaction.
    await removePostings(client, removed.lexemes, removed.arts);
    await appendPostings(client, added);
    // Last, under copy detection's lock: writers wait for it only where the stems' locks already
    // have them wait, and take it after those (one order, no cycle).
    if (changed.length > 0) await recordCopies(client, replaced, changed.map((rows) => ({ id: rows.article.id, print: rows.copyPrint })));
    return articles.map((article, index): ArticleResult => {
      const hash = stored.get(article.id);
      const status = hash === undefined ? 'created' : hash === hashes[index] ? 'unchanged' : 'updated';
      return { id: article.id, status, paragraphs: article.paragraphs.length };
    });
  });
}

/** The content hashes the database holds for the ids `$1`. */
const STORED_HASHES = 'SELECT article_id, content_hash FROM articles WHERE article_id = ANY($1)';

/** The rows of {@link STORED_HASHES}, by id. */
function hashesOf(rows: unknown[]): Map<string, string> {
  return new Map((rows as Array<{ article_id: string; content_hash: string }>).map((row) => [row.article_id, row.content_hash]));
}

/** Removes an article in one transaction; false when it is unknown. */
export async function removeArticle(db: Database, id: string): Promise<boolean> {
  return db.transaction('write', async (client) => {
    await lockArticles(client, [id]);
    const { rows } = await client.query('SELECT 1 FROM articles WHERE article_id = $1', [id]);
    if (rows.length === 0) return false;
    const delta = emptyDelta();
    const removed = await removeArticles(client, [id], delta, true);
    await applyDelta(client, delta);
    await removePostings(client, removed.lexemes, removed.arts);
    await recordCopies(client, [id], []);
    return true;
  });
}

/** Locks article ids for the transaction, in one order for every writer. */
export async function lockArticles(client: Queryable, ids: readonly string[]): Promise<void> {
  const keys = [...new Set(ids.map((id) => createHash('sha256').update(id).digest().readInt32BE(0)))].sort((a, b) => a - b);
  await client.query('SELECT pg_advisory_xact_lock($1, k) FROM unnest($2::int[]) WITH ORDINALITY AS t(k, o) ORDER BY o', [ARTICLE_LOCK_CLASS, keys]);
}

function emptyDelta(): Delta {
  return { stems: new Map(), words: new Map(), articles: 0, paragraphs: 0, titleLength: 0, textLength: 0 };
}

/** Counts a new article's rows into `delta`. */
function addArticle(delta: Delta, rows: ArticleRows): void {
  for (const [lexeme, count] of rows.documentFrequencies) addStem(delta, lexeme, count);
  for (const key of rows.titleOnly) addTitleOnly(delta, key, 1);
  for (const [word, stem] of rows.vocabulary) addWord(delta, word, stem, 1);
  delta.articles += 1;
  delta.paragraphs += rows.paragraphs.length;
  delta.titleLength += rows.titleLength * rows.paragraphs.length;
  delta.textLength += rows.textLength;
}

function addStem(delta: Delta, lexeme: string, count: number): void {
  stemCounts(delta, lexeme.slice(1))[lexeme.startsWith('t') ? 0 : 1] += count;
}

function addTitleOnly(delta: Delta, key: string, articles: number): void {
  stemCounts(delta, key)[2] += articles;
}

/** The counts of stem `key` in `delta`, made when absent. */
function stemCounts(delta: Delta, key: string): [number, number, number] {
  let counts = delta.stems.get(key);
  if (counts === undefined) delta.stems.set(key, (counts = [0, 0, 0]));
  return counts;
}

function addWord(delta: Delta, word: string, stem: string, articles: number): void {
  const entry = delta.words.get(word);
  if (entry === undefined) delta.words.set(word, { stem, articles });
  else entry.articles += articles;
}

/** What removing stored articles leaves for the postings: their numbers and the lexemes they held. */
type Removed = { arts: number[]; lexemes: string[] };
const NOTHING_REMOVED: Removed = { arts: [], lexemes: [] };

/**
 * Subtracts what the stored articles `ids` count in the statistics (read from their rows) and
 * deletes their paragraphs; their article rows too when `whole` (an update overwrites them).
 * Returns their article numbers and lexemes, whose postings go once the stems are locked.
 */
async function removeArticles(client: Queryable, ids: readonly string[], delta: Delta, whole: boolean): Promise<Removed> {
  const numbers = await client.query('SELECT art FROM articles WHERE article_id = ANY($1)', [ids]);
  const arts = (numbers.rows as Array<{ art: number }>).map((row) => row.art);
  const frequencies = await client.query(
    'SELECT key, count(*)::int AS paragraphs FROM paragraphs AS p CROSS JOIN LATERAL jsonb_object_keys(p.tf) AS key WHERE p.article_id = ANY($1) GROUP BY key',
    [ids],
  );
  const lexemes: string[] = [];
  for (const row of frequencies.rows as Array<{ key: string; paragraphs: number }>) {
    addStem(delta, row.key, -row.paragraphs);
    lexemes.push(row.key);
  }
  // Title stems no paragraph's text holds (stemLexeme's namespaces: t… title, s… text).
  const titleOnly = await client.query(
    `SELECT substr(t.key, 2) AS stem, count(*)::int AS articles
     FROM paragraphs AS p CROSS JOIN LATERAL jsonb_object_keys(p.tf) AS t(key)
     WHERE p.article_id = ANY($1) AND p.n = 1 AND left(t.key, 1) = 't'
       AND NOT EXISTS (SELECT 1 FROM paragraphs AS q WHERE q.article_id = p.article_id AND q.tf ? ('s' || substr(t.key, 2)))
     GROUP BY 1`,
    [ids],
  );
  for (const row of titleOnly.rows as Array<{ stem: string; articles: number }>) addTitleOnly(delta, row.stem, -row.articles);
  const words = await client.query(
    `SELECT w.word, w.stem, count(*)::int AS articles FROM (
       SELECT a.article_id, t AS word FROM articles AS a CROSS JOIN LATERAL unnest(a.title_words || a.title_compounds) AS t WHERE a.article_id = ANY($1)
       UNION
       SELECT p.article_id, t FROM paragraphs AS p CROSS JOIN LATERAL unnest(p.words || p.compounds) AS t WHERE p.article_id = ANY($1)
     ) AS held JOIN words AS w ON w.word = held.word GROUP BY w.word, w.stem`,
    [ids],
  );
  for (const row of words.rows as Array<{ word: string; stem: string; articles: number }>) addWord(delta, row.word, row.stem, -row.articles);
  const totals = await client.query(
    'SELECT count(*)::int AS paragraphs, coalesce(sum(title_length), 0)::float8 AS title, coalesce(sum(text_length), 0)::float8 AS text FROM paragraphs WHERE article_id = ANY($1)',
    [ids],
  );
  const sums = totals.rows[0] as { paragraphs: number; title: number; text: number };
  delta.articles -= ids.length;
  delta.paragraphs -= sums.paragraphs;
  delta.titleLength -= sums.title;
  delta.textLength -= sums.text;
  await client.query('DELETE FROM paragraphs WHERE article_id = ANY($1)', [ids]);
  if (whole) await client.query('DELETE FROM articles WHERE article_id = ANY($1)', [ids]);
  return { arts, lexemes };
}

/** Writes the article rows of new and changed articles, each with a new article number; returns the numbers by id. */
async function upsertArticles(client: Queryable, changed: readonly ArticleRows[]): Promise<Map<string, number>> {
  const records = changed.map(({ article, hash, title }) => ({
    article_id: article.id,
    title: article.title,
    source: article.source,
    date: article.date,
    url: article.url,
    caption: article.caption,
    dateline: article.dateline,
    byline: article.byline,
    content_hash: hash,
    paragraph_count: article.paragraphs.length,
    title_words: title.words,
    title_compounds: title.compounds,
    title_compound_starts: title.compoundStarts,
    title_compound_spans: title.compoundSpans,
    title_sentence_starts: title.sentenceStarts,
  }));
  const { rows } = await client.query(
    `INSERT INTO articles (article_id, title, source, date, url, caption, dateline, byline, content_hash, paragraph_count,
       title_words, title_compounds, title_compound_starts, title_compound_spans, title_sentence_starts)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(article_id text, title text, source text, date text, url text, caption text,
       dateline text, byline text, content_hash text, paragraph_count int, title_words text[], title_compounds text[],
       title_compound_starts int[], title_compound_spans int[], title_sentence_starts int[])
     ON CONFLICT (article_id) DO UPDATE SET title = excluded.title, source = excluded.source, date = excluded.date,
       url = excluded.url, caption = excluded.caption, dateline = excluded.dateline, byline = excluded.byline,
       content_hash = excluded.content_hash,
       paragraph_count = excluded.paragraph_count, title_words = excluded.title_words, title_compounds = excluded.title_compounds,
       title_compound_starts = excluded.title_compound_starts, title_compound_spans = excluded.title_compound_spans,
       title_sentence_starts = excluded.title_sentence_starts, ingested_at = now(), art = nextval('article_numbers')
     RETURNING article_id, art`,
    [JSON.stringify(records)],
  );
  return new Map((rows as Array<{ article_id: string; art: number }>).map((row) => [row.article_id, row.art]));
}

/** The posting entries of new and changed articles (numbered by `arts`), in order of article number. */
function postingsOf(changed: readonly ArticleRows[], arts: ReadonlyMap<string, number>): LexemeEntries {
  const entries: LexemeEntries = new Map();
  const numbered = changed.map((rows) => ({ rows, art: arts.get(rows.article.id) as number })).sort((a, b) => a.art - b.art);
  for (const { rows, art } of numbered) {
    if (rows.paragraphs.length === 0) continue;
    for (const [key, tf] of rows.title.stems) addEntry(entries, stemLexeme('title', key), { art, slot: rows.paragraphs.length, tf, length: rows.titleLength });
    for (const paragraph of rows.paragraphs) {
      const length = paragraph.text.stems.size;
      for (const [key, tf] of paragraph.text.stems) addEntry(entries, stemLexeme('text', key), { art, slot: paragraph.n, tf, length });
    }
  }
  return entries;
}

/** Writes the paragraph rows of new and changed articles, a bounded number per statement. */
async function insertParagraphs(client: Queryable, changed: readonly ArticleRows[]): Promise<void> {
  let records: unknown[] = [];
  const flush = async (): Promise<void> => {
    if (records.length === 0) return;
    await client.query(
      `INSERT INTO paragraphs (article_id, n, body, source, source_key, date, tsv, tf, title_length, text_length,
         words, compounds, compound_starts, compound_spans, sentence_starts)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(article_id text, n int, body text, source text, source_key text, date text,
         tsv tsvector, tf jsonb, title_length int, text_length int, words text[], compounds text[], compound_starts int[],
         compound_spans int[], sentence_starts int[])`,
      [JSON.stringify(records)],
    );
    records = [];
  };
  for (const { article, titleLength, paragraphs } of changed) {
    for (const paragraph of paragraphs) {
      records.push({
        article_id: article.id,
        n: paragraph.n,
        body: paragraph.body,
        source: article.source,
        source_key: article.source?.toLowerCase() ?? null,
        date: article.date,
        tsv: paragraph.tsv,
        tf: paragraph.tf,
        title_length: titleLength,
        text_length: paragraph.text.stems.size,
        words: paragraph.text.words,
        compounds: paragraph.text.compounds,
        compound_starts: paragraph.text.compoundStarts,
        compound_spans: paragraph.text.compoundSpans,
        sentence_starts: paragraph.text.sentenceStarts,
      });
      if (records.length >= ROWS_PER_STATEMENT) await flush();
    }
  }
  await flush();
}

/** Applies `delta` to the shared statistics: stems, then words (each in sorted order), then the totals. */
async function applyDelta(client: Queryable, delta: Delta): Promise<void> {
  // Stems whose counts do not change are locked too: their lexemes' postings change (postings.ts).
  const stems = [...delta.stems].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (stems.length > 0) {
    const keys = stems.map(([key]) => key);
    await client.query(
      `INSERT INTO stems (stem, title_df, text_df, title_only)
       SELECT stem, title, text, title_only FROM unnest($1::text[], $2::int[], $3::int[], $4::int[]) WITH ORDINALITY AS d(stem, title, text, title_only, o) ORDER BY o
       ON CONFLICT (stem) DO UPDATE SET title_df = stems.title_df + excluded.title_df, text_df = stems.text_df + excluded.text_df,
         title_only = stems.title_only + excluded.title_only`,
      [keys, stems.map(([, [title]]) => title), stems.map(([, [, text]]) => text), stems.map(([, [, , titleOnly]]) => titleOnly)],
    );
    await client.query('DELETE FROM stems WHERE stem = ANY($1) AND title_df <= 0 AND text_df <= 0', [keys]);
  }
  const words = [...delta.words].filter(([, { articles }]) => articles !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (words.length > 0) {
    const keys = words.map(([word]) => word);
    await client.query(
      `INSERT INTO words (word, stem, articles)
       SELECT word, stem, articles FROM unnest($1::text[], $2::text[], $3::int[]) WITH ORDINALITY AS d(word, stem, articles, o) ORDER BY o
       ON CONFLICT (word) DO UPDATE SET articles = words.articles + excluded.articles`,
      [keys, words.map(([, { stem }]) => stem), words.map(([, { articles }]) => articles)],
    );
    await client.query('DELETE FROM words WHERE word = ANY($1) AND articles <= 0', [keys]);
  }
  if (delta.articles !== 0 || delta.paragraphs !== 0 || delta.titleLength !== 0 || delta.textLength !== 0) {
    await client.query('UPDATE corpus_totals SET articles = articles + $1, paragraphs = paragraphs + $2, title_length = title_length + $3, text_length = text_length + $4', [
      delta.articles,
      delta.paragraphs,
      delta.titleLength,
      delta.textLength,
    ]);
  }
}
