/**
 * @module backends/postgres/copies
 * The copy clusters of the PostgreSQL backend (SPEC §10), kept in the transaction of each write
 * as the embedded backend keeps them in memory (src/backends/embedded/copy-clusters.ts), with the same rules
 * (src/news/copies.ts): articles sharing an LSH band key are candidates, each pair is decided on
 * its shingles (and, in doubt, on the other article's words), a cluster is a connected component
 * of the pairs, named by its earliest article. Tables: `copy_prints`, `copy_keys`, `copy_pairs`.
 */
import type { ArticleCopies } from '../backend.ts';
import { bandKeys, copyPrintOf, copyVerdict, decideOnWords, earliestFirst, type CopyPrint } from '../../news/copies.ts';
import type { Database, Queryable } from './connection.ts';
import { lockArticles } from './write.ts';

/** An article about to be recorded: its id and copy print. */
export type PrintedArticle = { id: string; print: CopyPrint };

/**
 * Takes the articles `gone` (removed, or about to be written again) out of the clusters, then
 * records `written`, finding their copies among the articles already there and among each other,
 * then names again every cluster that changed. Runs inside the caller's write transaction, after
 * the articles' rows are written (their dates decide the clusters' names).
 */
export async function recordCopies(client: Queryable, gone: readonly string[], written: readonly PrintedArticle[]): Promise<void> {
  const touched = new Set<string>(written.map((article) => article.id));
  if (gone.length > 0) {
    const { rows } = await client.query('SELECT DISTINCT b FROM copy_pairs WHERE a = ANY($1)', [gone]);
    for (const row of rows as Array<{ b: string }>) touched.add(row.b);
    await client.query('DELETE FROM copy_pairs WHERE a = ANY($1) OR b = ANY($1)', [gone]);
    await client.query('DELETE FROM copy_keys WHERE article_id = ANY($1)', [gone]);
    await client.query('DELETE FROM copy_prints WHERE article_id = ANY($1)', [gone]);
  }
  if (written.length > 0) await findCopies(client, written);
  for (const id of gone) if (!written.some((article) => article.id === id)) touched.delete(id);
  await nameClusters(client, [...touched]);
}

/** Records `written` (prints, keys) and the pairs they make with each other and with the articles there. */
async function findCopies(client: Queryable, written: readonly PrintedArticle[]): Promise<void> {
  const keysOf = written.map((article) => Int32Array.from(bandKeys(article.print.shingles)));
  const allKeys = [...new Set(keysOf.flatMap((keys) => [...keys]))];
  const holders = new Map<number, string[]>();
  const { rows: keyRows } = await client.query('SELECT key, article_id FROM copy_keys WHERE key = ANY($1::int[])', [allKeys]);
  for (const row of keyRows as Array<{ key: number; article_id: string }>) {
    const list = holders.get(row.key);
    if (list === undefined) holders.set(row.key, [row.article_id]);
    else list.push(row.article_id);
  }
  const stored = new Map<string, Pick<CopyPrint, 'shingles' | 'single'>>();
  const candidateIds = [...new Set(keyRows.map((row) => (row as { article_id: string }).article_id))];
  if (candidateIds.length > 0) {
    const { rows } = await client.query('SELECT article_id, shingles, single FROM copy_prints WHERE article_id = ANY($1)', [candidateIds]);
    for (const row of rows as Array<{ article_id: string; shingles: Buffer; single: number | null }>) stored.set(row.article_id, { shingles: fromBytes(row.shingles), single: row.single === null ? null : row.single >>> 0 });
  }
  const pairs: Array<[string, string]> = [];
  /** Pairs the shingles did not rule out: decided on the other article's words (figures, and alike enough). */
  const doubts: Array<{ article: PrintedArticle; other: string; otherPrint: Pick<CopyPrint, 'shingles' | 'single'>; verdict: 'copy' | 'compare words' }> = [];
  for (const [index, article] of written.entries()) {
    const candidates = new Set<string>();
    for (const key of keysOf[index] as Int32Array) {
      for (const other of holders.get(key) ?? []) candidates.add(other);
      // Later articles of the batch find this one as the stored ones.
      const list = holders.get(key);
      if (list === undefined) holders.set(key, [article.id]);
      else list.push(article.id);
    }
    stored.set(article.id, article.print);
    for (const other of candidates) {
      if (other === article.id) continue;
      const otherPrint = stored.get(other);
      if (otherPrint === undefined) continue;
      const verdict = copyVerdict(article.print, otherPrint);
      if (verdict !== 'not a copy') doubts.push({ article, other, otherPrint, verdict });
    }
  }
  if (doubts.length > 0) {
    const batchWords = new Map(written.map((article) => [article.id, article.print.words]));
    const need = [...new Set(doubts.map((doubt) => doubt.other).filter((id) => !batchWords.has(id)))];
    const wordsOf = new Map<string, readonly string[]>(batchWords);
    if (need.length > 0) {
      const { rows } = await client.query('SELECT article_id, array_agg(w ORDER BY n, o) AS words FROM paragraphs CROSS JOIN LATERAL unnest(words) WITH ORDINALITY AS t(w, o) WHERE article_id = ANY($1) GROUP BY article_id', [need]);
      for (const row of rows as Array<{ article_id: string; words: string[] }>) wordsOf.set(row.article_id, row.words);
    }
    for (const { article, other, otherPrint, verdict } of doubts) {
      const words = wordsOf.get(other);
      if (words !== undefined && decideOnWords(article.print, otherPrint, verdict, words)) pairs.push([article.id, other]);
    }
  }
  await client.query(
    `INSERT INTO copy_prints (article_id, shingles, single)
     SELECT * FROM unnest($1::text[], $2::bytea[], $3::int[])`,
    [written.map((article) => article.id), written.map((article) => toBytes(article.print.shingles)), written.map((article) => (article.print.single === null ? null : article.print.single | 0))],
  );
  await client.query('INSERT INTO copy_keys (key, article_id) SELECT * FROM unnest($1::int[], $2::text[]) ON CONFLICT DO NOTHING', [
    keysOf.flatMap((keys) => [...keys]),
    written.flatMap((article, index) => Array.from(keysOf[index] as Int32Array, () => article.id)),
  ]);
  if (pairs.length > 0) {
    await client.query('INSERT INTO copy_pairs (a, b) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [
      pairs.flatMap(([a, b]) => [a, b]),
      pairs.flatMap(([a, b]) => [b, a]),
    ]);
  }
}

/** Names again the clusters of `ids`: each member's `cluster` is the id of the earliest member, or NULL for an article alone. */
async function nameClusters(client: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  // Most articles of a batch have no copy: one statement names them all (NULL), and only those
  // with pairs are walked, a cluster at a time.
  const { rows: paired } = await client.query('SELECT DISTINCT a FROM copy_pairs WHERE a = ANY($1)', [ids]);
  const withPairs = new Set((paired as Array<{ a: string }>).map((row) => row.a));
  const alone = ids.filter((id) => !withPairs.has(id));
  if (alone.length > 0) await client.query('UPDATE copy_prints SET cluster = NULL WHERE article_id = ANY($1) AND cluster IS NOT NULL', [alone]);
  const done = new Set<string>();
  for (const start of withPairs) {
    if (done.has(start)) continue;
    const members = new Set([start]);
    for (let frontier = [start]; frontier.length > 0; ) {
      const { rows } = await client.query('SELECT DISTINCT b FROM copy_pairs WHERE a = ANY($1)', [frontier]);
      frontier = (rows as Array<{ b: string }>).map((row) => row.b).filter((id) => !members.has(id));
      for (const id of frontier) members.add(id);
    }
    for (const id of members) done.add(id);
    const { rows } = await client.query('SELECT article_id AS id, date FROM articles WHERE article_id = ANY($1)', [[...members]]);
    const articles = (rows as Array<{ id: string; date: string | null }>).sort(earliestFirst);
    const name = articles.length > 1 ? (articles[0] as { id: string }).id : null;
    await client.query('UPDATE copy_prints SET cluster = $2 WHERE article_id = ANY($1) AND cluster IS DISTINCT FROM $2', [[...members], name]);
  }
}

/** Articles a backfill reads and records per transaction. */
const BACKFILL_BATCH = 500;

/**
 * Records the copy prints of articles written before the copy tables existed (a database
 * migrated from version 3 or earlier), from their stored words, a batch per transaction, when
 * `copy_backfill` says some are due (migration 6). Returns how many it recorded; another server
 * doing the same meanwhile waits for each batch, then finds it done.
 */
export async function backfillCopies(db: Database): Promise<number> {
  const [flag] = (await db.query('SELECT due FROM copy_backfill')) as Array<{ due: boolean }>;
  if (flag?.due !== true) return 0;
  let recorded = 0;
  for (;;) {
    const batch = await db.transaction('write', async (client) => {
      const { rows } = await client.query(
        'SELECT article_id FROM articles AS a WHERE NOT EXISTS (SELECT 1 FROM copy_prints AS c WHERE c.article_id = a.article_id) ORDER BY article_id LIMIT $1',
        [BACKFILL_BATCH],
      );
      const ids = (rows as Array<{ article_id: string }>).map((row) => row.article_id);
      if (ids.length === 0) return 0;
      await lockArticles(client, ids);
      const { rows: words } = await client.query(
        `SELECT a.article_id, a.paragraph_count, coalesce(array_agg(t.w ORDER BY p.n, t.o) FILTER (WHERE t.w IS NOT NULL), '{}') AS words
         FROM articles AS a JOIN paragraphs AS p USING (article_id) LEFT JOIN LATERAL unnest(p.words) WITH ORDINALITY AS t(w, o) ON true
         WHERE a.article_id = ANY($1) AND NOT EXISTS (SELECT 1 FROM copy_prints AS c WHERE c.article_id = a.article_id)
         GROUP BY a.article_id, a.paragraph_count`,
        [ids],
      );
      const printed = (words as Array<{ article_id: string; paragraph_count: number; words: string[] }>).map((row) => ({ id: row.article_id, print: copyPrintOf(row.words, row.paragraph_count) }));
      await recordCopies(client, [], printed);
      return printed.length;
    });
    if (batch === 0) {
      await db.transaction('write', (client) => client.query('UPDATE copy_backfill SET due = false'));
      return recorded;
    }
    recorded += batch;
  }
}

/** The copy cluster of article `id`, or `undefined` when there is no such article. */
export async function readCopies(client: Queryable, id: string): Promise<ArticleCopies | undefined> {
  const { rows } = await client.query('SELECT a.article_id, c.cluster FROM articles AS a LEFT JOIN copy_prints AS c USING (article_id) WHERE a.article_id = $1', [id]);
  const row = rows[0] as { cluster: string | null } | undefined;
  if (row === undefined) return undefined;
  if (row.cluster === null) return { copyOf: null, copies: [] };
  const members = await client.query(
    'SELECT a.article_id AS id, a.title, a.source, a.date, a.url FROM copy_prints AS c JOIN articles AS a USING (article_id) WHERE c.cluster = $1',
    [row.cluster],
  );
  const copies = (members.rows as Array<{ id: string; title: string; source: string | null; date: string | null; url: string | null }>)
    .sort(earliestFirst)
    .filter((member) => member.id !== id)
    .map(({ id: copy, title, source, date, url }) => ({ id: copy, title, source, date, url }));
  return { copyOf: row.cluster, copies };
}

/** The copy cluster of each of `ids` (null: no copy); unknown ids are left out. */
export async function readCopyClusters(client: Queryable, ids: readonly string[]): Promise<Map<string, string | null>> {
  const { rows } = await client.query('SELECT a.article_id, c.cluster FROM articles AS a LEFT JOIN copy_prints AS c USING (article_id) WHERE a.article_id = ANY($1)', [[...ids]]);
  return new Map((rows as Array<{ article_id: string; cluster: string | null }>).map((row) => [row.article_id, row.cluster]));
}

/** Sorted shingle hashes as stored: 32-bit little-endian. */
function toBytes(shingles: Uint32Array): Buffer {
  const bytes = Buffer.alloc(shingles.length * 4);
  for (const [index, value] of shingles.entries()) bytes.writeUInt32LE(value, index * 4);
  return bytes;
}

function fromBytes(bytes: Buffer): Uint32Array {
  const shingles = new Uint32Array(bytes.length / 4);
  for (let index = 0; index < shingles.length; index += 1) shingles[index] = bytes.readUInt32LE(index * 4);
  return shingles;
}
