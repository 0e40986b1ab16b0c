/**
 * @module backends/postgres/copies
 * The copy clusters of the PostgreSQL backend (SPEC §10), kept in the transaction of each write
 * as the embedded backend keeps them in memory (src/backends/embedded/copy-clusters.ts), with the same rules
 * (src/news/copies.ts): articles sharing an LSH band key are candidates, each pair is decided on
 * its shingles (and, in doubt, on the other article's words), a cluster is a connected component
 * of the pairs, named by its earliest article. Tables: `copy_prints`, `copy_print_keys`, `copy_pairs`.
 */
import type { ArticleCopies } from '../backend.ts';
import { bandKeys, copyPrintOf, copyVerdict, decideOnWords, earliestFirst, type CopyPrint } from '../../news/copies.ts';
import type { Database, Queryable } from './connection.ts';
import { lockArticles } from './write.ts';

/** An article about to be recorded: its id and copy print. */
export type PrintedArticle = { id: string; print: CopyPrint };

/** The advisory lock key of copy detection (any constant; "copy" in ASCII). */
const COPIES_LOCK = 0x636f7079;

/** What a pair needs of a stored article: its shingles and single-paragraph hash (its words are read only for a pair in doubt). */
type StoredPrint = Pick<CopyPrint, 'shingles' | 'single'>;

/**
 * An article looking for its copies in this transaction: one written now (`words` known), or one
 * of a cluster an article left (stored; its words read if a pair is in doubt). `print` is its
 * distinct print as the database computes it (hex; see migration 7).
 */
type Subject = { id: string; print: StoredPrint; printKey: string; words: readonly string[] | undefined; keys: Uint32Array };

/**
 * Takes the articles `gone` (removed, or about to be written again) out of the clusters, then
 * records `written` and links them to their copies, then names again every cluster that changed.
 * Runs inside the caller's write transaction, after the articles' rows are written (their dates
 * decide the clusters' names).
 *
 * Only enough pairs to connect each cluster are recorded (as the embedded backend does): an
 * article is linked to one copy in each cluster it joins, so a wire story with n copies keeps
 * about n pairs, not n²/2. When an article leaves a cluster, the rest of it may still be held
 * together by pairs never recorded: each of them looks for its copies again. The LSH index files
 * distinct prints, not articles (migration 7): a story's hundred identical copies are one print,
 * checked once, whose stored copies are all in one cluster.
 */
export async function recordCopies(client: Queryable, gone: readonly string[], written: readonly PrintedArticle[]): Promise<void> {
  // One writer at a time from here to its commit: a transaction sees the copies another one
  // recorded (it would miss those not committed yet) and names clusters from settled rows. A
  // writer takes this lock last, after the statistics rows' locks (write.ts), so none waits in a
  // cycle, and writers that share stems were waiting for each other from those locks on anyway.
  await client.query('SELECT pg_advisory_xact_lock($1)', [COPIES_LOCK]);
  const forest = new Forest();
  const subjects = gone.length > 0 ? await takeOut(client, gone, forest) : [];
  if (written.length > 0) subjects.push(...(await storePrints(client, written)));
  if (subjects.length === 0) return;
  await linkCopies(client, subjects, forest);
  await nameClusters(client, subjects, forest);
}

/**
 * Deletes what `gone` held (prints, pairs, and the LSH keys of prints no article holds any more)
 * and returns the other articles of their clusters, which look for their copies again; the pairs
 * left among them are put in `forest`.
 */
async function takeOut(client: Queryable, gone: readonly string[], forest: Forest): Promise<Subject[]> {
  const { rows } = await client.query(
    `SELECT article_id, shingles, single, encode(print, 'hex') AS print FROM copy_prints
     WHERE cluster IN (SELECT cluster FROM copy_prints WHERE article_id = ANY($1) AND cluster IS NOT NULL) AND NOT (article_id = ANY($1))`,
    [gone],
  );
  const kept = (rows as PrintRow[]).map((row): Subject => {
    const print = storedPrint(row);
    return { id: row.article_id, print, printKey: row.print, words: undefined, keys: bandKeys(print.shingles) };
  });
  await client.query('DELETE FROM copy_pairs WHERE a = ANY($1) OR b = ANY($1)', [gone]);
  const { rows: prints } = await client.query('DELETE FROM copy_prints WHERE article_id = ANY($1) RETURNING print', [gone]);
  await client.query('DELETE FROM copy_print_keys AS k WHERE k.print = ANY($1::bytea[]) AND NOT EXISTS (SELECT 1 FROM copy_prints AS c WHERE c.print = k.print)', [
    (prints as Array<{ print: Buffer }>).map((row) => row.print),
  ]);
  if (kept.length > 0) {
    const { rows: pairs } = await client.query('SELECT a, b FROM copy_pairs WHERE a = ANY($1)', [kept.map((subject) => subject.id)]);
    for (const pair of pairs as Array<{ a: string; b: string }>) forest.union(pair.a, pair.b);
  }
  return kept;
}

/** A `copy_prints` row as copy detection reads it, its print in hex. */
type PrintRow = { article_id: string; shingles: Buffer; single: number | null; print: string };

/** Stores the prints of articles written now, and the LSH keys of the prints not filed yet; returns them as subjects (their cluster is named later). */
async function storePrints(client: Queryable, written: readonly PrintedArticle[]): Promise<Subject[]> {
  const { rows } = await client.query(
    `INSERT INTO copy_prints (article_id, shingles, single)
     SELECT * FROM unnest($1::text[], $2::bytea[], $3::int[]) RETURNING article_id, encode(print, 'hex') AS print`,
    [written.map((article) => article.id), written.map((article) => toBytes(article.print.shingles)), written.map((article) => (article.print.single === null ? null : article.print.single | 0))],
  );
  const printOf = new Map((rows as Array<{ article_id: string; print: string }>).map((row) => [row.article_id, row.print]));
  const subjects = written.map(({ id, print }): Subject => ({ id, print, printKey: printOf.get(id) as string, words: print.words, keys: bandKeys(print.shingles) }));
  await client.query(
    `INSERT INTO copy_print_keys (key, print)
     SELECT DISTINCT u.key, decode(u.print, 'hex') FROM unnest($1::int[], $2::text[]) AS u(key, print) ON CONFLICT DO NOTHING`,
    [subjects.flatMap((subject) => signed(subject.keys)), subjects.flatMap((subject) => Array.from(subject.keys, () => subject.printKey))],
  );
  return subjects;
}

/** LSH keys as the `int` column holds them. */
function signed(keys: Uint32Array): number[] {
  return Array.from(new Int32Array(keys.buffer, keys.byteOffset, keys.length));
}

/**
 * A candidate part of a print: its stored articles (all copies of each other, so in one stored
 * cluster, represented by the first), or one subject holding it.
 */
type Part = { print: string; member: string; node: string; stored: boolean };

/**
 * Links each subject, in order, to one copy in each component among its candidates that it is
 * not in yet. Its candidates are the prints sharing an LSH key with it; a print's stored articles
 * are in the component of their stored cluster (`c:<name>` in `forest`), or alone, and each
 * subject holding it in its own. A print's shingles decide for all its articles, and its figures
 * are the same in all; only a pair left in doubt is decided on each article's words.
 */
async function linkCopies(client: Queryable, subjects: readonly Subject[], forest: Forest): Promise<void> {
  const { partsOf, shinglesOf } = await candidatesOf(client, subjects);
  const known = new StoredArticles(client, subjects);
  // Read ahead in one statement the words of the likely pairs (a copy's figures are compared on its words).
  await known.readWords(
    subjects.flatMap((subject, index) => {
      const likely = (partsOf[index] as Part[]).filter((part) => part.print !== subject.printKey && verdictOf(subject, shinglesOf.get(part.print)) !== 'not a copy');
      const ids = likely.map((part) => part.member);
      return ids.length > 0 && subject.words === undefined ? [subject.id, ...ids] : ids;
    }),
  );
  const pairs: Array<[string, string]> = [];
  for (const [index, subject] of subjects.entries()) {
    const byComponent = groupBy((partsOf[index] as Part[]).map((part) => [forest.find(part.node), part] as const));
    for (const [root, parts] of byComponent) {
      if (forest.find(root) === forest.find(subject.id)) continue;
      const copy = await firstCopy(client, known, subject, parts, shinglesOf);
      if (copy === undefined) continue;
      pairs.push([subject.id, copy.member]);
      forest.union(subject.id, copy.node);
    }
  }
  if (pairs.length > 0) {
    await client.query('INSERT INTO copy_pairs (a, b) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [
      pairs.flatMap(([a, b]) => [a, b]),
      pairs.flatMap(([a, b]) => [b, a]),
    ]);
  }
}

/**
 * Each subject's candidate parts (in the order of `subjects`): the prints sharing an LSH key with
 * it, as their first stored article (not a subject) and the other subjects holding them; and the
 * shingles of every print met, by print.
 */
async function candidatesOf(client: Queryable, subjects: readonly Subject[]): Promise<{ partsOf: Part[][]; shinglesOf: Map<string, StoredPrint> }> {
  const { rows: keyRows } = await client.query(`SELECT key, encode(print, 'hex') AS print FROM copy_print_keys WHERE key = ANY($1::int[])`, [
    [...new Set(subjects.flatMap((subject) => signed(subject.keys)))],
  ]);
  const printsOfKey = groupBy((keyRows as Array<{ key: number; print: string }>).map((row) => [row.key >>> 0, row.print] as const));
  const printsOf = subjects.map((subject) => [...new Set([...subject.keys].flatMap((key) => printsOfKey.get(key) ?? []))]);
  // Each print's first stored article (not a subject), with its shingles and cluster.
  const { rows: storedRows } = await client.query(
    `SELECT encode(p.print, 'hex') AS print, m.article_id, m.shingles, m.single, m.cluster
     FROM unnest($1::bytea[]) AS p(print)
     CROSS JOIN LATERAL (SELECT article_id, shingles, single, cluster FROM copy_prints AS c WHERE c.print = p.print AND NOT (c.article_id = ANY($2)) ORDER BY article_id LIMIT 1) AS m`,
    [[...new Set(printsOf.flat())].map((print) => Buffer.from(print, 'hex')), subjects.map((subject) => subject.id)],
  );
  const shinglesOf = new Map<string, StoredPrint>(subjects.map((subject) => [subject.printKey, subject.print]));
  const storedOf = new Map<string, { id: string; node: string }>();
  for (const row of storedRows as Array<PrintRow & { cluster: string | null }>) {
    shinglesOf.set(row.print, storedPrint(row));
    storedOf.set(row.print, { id: row.article_id, node: row.cluster === null ? row.article_id : `${CLUSTER_NODE}${row.cluster}` });
  }
  const subjectsOf = groupBy(subjects.map((subject) => [subject.printKey, subject.id] as const));
  const partsOf = subjects.map((subject, index) =>
    (printsOf[index] as string[]).flatMap((print) => {
      const stored = storedOf.get(print);
      const parts: Part[] = stored === undefined ? [] : [{ print, member: stored.id, node: stored.node, stored: true }];
      for (const id of subjectsOf.get(print) ?? []) if (id !== subject.id) parts.push({ print, member: id, node: id, stored: false });
      return parts;
    }),
  );
  return { partsOf, shinglesOf };
}

/** The values of `entries` by key, in order. */
function groupBy<K, V>(entries: ReadonlyArray<readonly [K, V]>): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const [key, value] of entries) {
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [value]);
    else group.push(value);
  }
  return groups;
}

/**
 * The first of `parts` holding a copy of `subject`, with the article to pair it with. A part in
 * doubt on its shingles is decided on the words of each of its articles: a stored part's other
 * articles are read then.
 */
async function firstCopy(client: Queryable, known: StoredArticles, subject: Subject, parts: readonly Part[], shinglesOf: ReadonlyMap<string, StoredPrint>): Promise<{ member: string; node: string } | undefined> {
  for (const part of parts) {
    const other = shinglesOf.get(part.print);
    if (other === undefined) continue;
    const verdict = verdictOf(subject, other);
    if (verdict === 'not a copy') continue;
    // The same print: the same words, so the same figures (a copy of a wire story word for word).
    if (verdict === 'copy' && part.print === subject.printKey) return part;
    const print = await known.printWithWords(subject);
    const words = await known.wordsOf(part.member);
    if (words !== undefined && decideOnWords(print, other, verdict, words)) return part;
    if (verdict === 'copy' || !part.stored) continue;
    // In doubt: the print's other stored articles may have words that decide otherwise.
    const { rows } = await client.query('SELECT article_id FROM copy_prints WHERE print = decode($1, $2) AND article_id <> $3 AND NOT (article_id = ANY($4)) ORDER BY article_id', [
      part.print,
      'hex',
      part.member,
      known.subjectIds,
    ]);
    const others = (rows as Array<{ article_id: string }>).map((row) => row.article_id);
    await known.readWords(others);
    for (const id of others) {
      const theirs = await known.wordsOf(id);
      if (theirs !== undefined && decideOnWords(print, other, verdict, theirs)) return { member: id, node: part.node };
    }
  }
  return undefined;
}

/** What the shingles say of `other` as a copy of `subject` ({@link copyVerdict}). */
function verdictOf(subject: Subject, other: StoredPrint | undefined): 'copy' | 'not a copy' | 'compare words' {
  return other === undefined ? 'not a copy' : copyVerdict({ ...subject.print, words: [] }, other);
}

/** The forest node of a stored cluster: this prefix and its name (article ids never hold a colon). */
const CLUSTER_NODE = 'c:';

/** The words of the articles copy detection looks at, read from their paragraphs once each. */
class StoredArticles {
  readonly subjectIds: string[];
  readonly #words = new Map<string, readonly string[]>();
  /** Articles read and found without words. */
  readonly #wordless = new Set<string>();
  readonly #client: Queryable;

  constructor(client: Queryable, subjects: readonly Subject[]) {
    this.#client = client;
    this.subjectIds = subjects.map((subject) => subject.id);
    for (const subject of subjects) if (subject.words !== undefined) this.#words.set(subject.id, subject.words);
  }

  /** Reads the words of those of `ids` not read yet, in one statement (an article without words is read once too). */
  async readWords(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids.filter((id) => !this.#words.has(id) && !this.#wordless.has(id)))];
    if (missing.length === 0) return;
    const { rows } = await this.#client.query(
      'SELECT article_id, array_agg(w ORDER BY n, o) AS words FROM paragraphs CROSS JOIN LATERAL unnest(words) WITH ORDINALITY AS t(w, o) WHERE article_id = ANY($1) GROUP BY article_id',
      [missing],
    );
    for (const row of rows as Array<{ article_id: string; words: string[] }>) this.#words.set(row.article_id, row.words);
    for (const id of missing) if (!this.#words.has(id)) this.#wordless.add(id);
  }

  /** The words of article `id`, or `undefined` when it has none stored. */
  async wordsOf(id: string): Promise<readonly string[] | undefined> {
    await this.readWords([id]);
    return this.#words.get(id);
  }

  /** The subject's print with its words, for {@link decideOnWords}. */
  async printWithWords(subject: Subject): Promise<CopyPrint> {
    const words = (await this.wordsOf(subject.id)) ?? [];
    return { ...subject.print, words: words as string[] };
  }
}

/**
 * Names again the clusters of the subjects, from `forest`: each component holding a subject is
 * its subjects, the stored articles they were linked to alone, and the stored clusters they were
 * linked to; its name is its earliest article's id (a stored cluster's is its name's), or NULL
 * for an article alone.
 */
async function nameClusters(client: Queryable, subjects: readonly Subject[], forest: Forest): Promise<void> {
  const components = new Map<string, { ids: string[]; clusters: string[] }>();
  for (const node of forest.nodes()) {
    const root = forest.find(node);
    let component = components.get(root);
    if (component === undefined) components.set(root, (component = { ids: [], clusters: [] }));
    if (node.startsWith(CLUSTER_NODE)) component.clusters.push(node.slice(CLUSTER_NODE.length));
    else component.ids.push(node);
  }
  for (const subject of subjects) if (!forest.has(subject.id)) components.set(subject.id, { ids: [subject.id], clusters: [] });
  const named = [...components.values()].flatMap((component) => [...component.ids, ...component.clusters]);
  const { rows } = await client.query('SELECT article_id AS id, date FROM articles WHERE article_id = ANY($1)', [named]);
  const dated = new Map((rows as Array<{ id: string; date: string | null }>).map((row) => [row.id, row]));
  const ids: string[] = [];
  const names: Array<string | null> = [];
  const renamed: string[] = [];
  const renamedTo: string[] = [];
  for (const component of components.values()) {
    const alone = component.ids.length === 1 && component.clusters.length === 0;
    const members = [...component.ids, ...component.clusters].flatMap((id) => dated.get(id) ?? []).sort(earliestFirst);
    const name = alone ? null : (members[0]?.id ?? null);
    for (const id of component.ids) {
      ids.push(id);
      names.push(name);
    }
    for (const cluster of component.clusters) {
      if (cluster === name || name === null) continue;
      renamed.push(cluster);
      renamedTo.push(name);
    }
  }
  await client.query(
    'UPDATE copy_prints AS c SET cluster = u.name FROM unnest($1::text[], $2::text[]) AS u(id, name) WHERE c.article_id = u.id AND c.cluster IS DISTINCT FROM u.name',
    [ids, names],
  );
  if (renamed.length > 0) {
    await client.query('UPDATE copy_prints AS c SET cluster = u.name FROM unnest($1::text[], $2::text[]) AS u(old, name) WHERE c.cluster = u.old', [renamed, renamedTo]);
  }
}

/** Disjoint sets of strings (union by size, path halving): the components copy detection builds in a transaction. */
class Forest {
  readonly #parent = new Map<string, string>();
  readonly #size = new Map<string, number>();

  /** The root of `node`'s set; a node not seen yet is its own. */
  find(node: string): string {
    let at = node;
    for (let parent = this.#parent.get(at); parent !== undefined && parent !== at; parent = this.#parent.get(at)) {
      const grandparent = this.#parent.get(parent) as string;
      this.#parent.set(at, grandparent);
      at = grandparent;
    }
    return at;
  }

  /** Puts `a` and `b` in one set. */
  union(a: string, b: string): void {
    for (const node of [a, b]) {
      if (!this.#parent.has(node)) {
        this.#parent.set(node, node);
        this.#size.set(node, 1);
      }
    }
    const [x, y] = [this.find(a), this.find(b)];
    if (x === y) return;
    const [small, large] = (this.#size.get(x) as number) < (this.#size.get(y) as number) ? [x, y] : [y, x];
    this.#parent.set(small, large);
    this.#size.set(large, (this.#size.get(small) as number) + (this.#size.get(large) as number));
  }

  /** Whether `node` was ever put in a set with another. */
  has(node: string): boolean {
    return this.#parent.has(node);
  }

  /** Every node put in a set. */
  nodes(): IterableIterator<string> {
    return this.#parent.keys();
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

/** A stored print from its `copy_prints` row. */
function storedPrint(row: { shingles: Buffer; single: number | null }): StoredPrint {
  return { shingles: fromBytes(row.shingles), single: row.single === null ? null : row.single >>> 0 };
}

function fromBytes(bytes: Buffer): Uint32Array {
  const shingles = new Uint32Array(bytes.length / 4);
  for (let index = 0; index < shingles.length; index += 1) shingles[index] = bytes.readUInt32LE(index * 4);
  return shingles;
}
