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

/** What a pair needs of a stored article: its shingles and single-paragraph hash (its words are read only for a pair in doubt). */
type StoredPrint = Pick<CopyPrint, 'shingles' | 'single'>;

/**
 * An article looking for its copies in this transaction: one written now (`words` known), or one
 * of a cluster an article left (stored; its words read if a pair is in doubt).
 */
type Subject = { id: string; print: StoredPrint; words: readonly string[] | undefined; keys: Uint32Array };

/**
 * Takes the articles `gone` (removed, or about to be written again) out of the clusters, then
 * records `written` and links them to their copies, then names again every cluster that changed.
 * Runs inside the caller's write transaction, after the articles' rows are written (their dates
 * decide the clusters' names).
 *
 * Only enough pairs to connect each cluster are recorded (as the embedded backend does): an
 * article is linked to one copy in each cluster it joins, so a wire story with n copies keeps
 * about n pairs, not n²/2, and its next copy checks one candidate, not n. When an article leaves
 * a cluster, the rest of it may still be held together by pairs never recorded: each of them
 * looks for its copies again.
 */
export async function recordCopies(client: Queryable, gone: readonly string[], written: readonly PrintedArticle[]): Promise<void> {
  const forest = new Forest();
  const subjects = gone.length > 0 ? await takeOut(client, gone, forest) : [];
  for (const { id, print } of written) subjects.push({ id, print, words: print.words, keys: bandKeys(print.shingles) });
  if (written.length > 0) await storePrints(client, subjects.slice(subjects.length - written.length));
  if (subjects.length === 0) return;
  await linkCopies(client, subjects, forest);
  await nameClusters(client, subjects, forest);
}

/**
 * Deletes what `gone` held (prints, keys, pairs) and returns the other articles of their clusters,
 * which look for their copies again; the pairs left among them are put in `forest`.
 */
async function takeOut(client: Queryable, gone: readonly string[], forest: Forest): Promise<Subject[]> {
  const { rows } = await client.query(
    `SELECT article_id, shingles, single FROM copy_prints
     WHERE cluster IN (SELECT cluster FROM copy_prints WHERE article_id = ANY($1) AND cluster IS NOT NULL) AND NOT (article_id = ANY($1))`,
    [gone],
  );
  const kept = (rows as Array<{ article_id: string; shingles: Buffer; single: number | null }>).map((row): Subject => {
    const print = storedPrint(row);
    return { id: row.article_id, print, words: undefined, keys: bandKeys(print.shingles) };
  });
  await client.query('DELETE FROM copy_pairs WHERE a = ANY($1) OR b = ANY($1)', [gone]);
  await client.query('DELETE FROM copy_keys WHERE article_id = ANY($1)', [gone]);
  await client.query('DELETE FROM copy_prints WHERE article_id = ANY($1)', [gone]);
  if (kept.length > 0) {
    const { rows: pairs } = await client.query('SELECT a, b FROM copy_pairs WHERE a = ANY($1)', [kept.map((subject) => subject.id)]);
    for (const pair of pairs as Array<{ a: string; b: string }>) forest.union(pair.a, pair.b);
  }
  return kept;
}

/** Stores the prints and LSH keys of articles written now (their cluster is named later). */
async function storePrints(client: Queryable, written: readonly Subject[]): Promise<void> {
  await client.query(
    `INSERT INTO copy_prints (article_id, shingles, single)
     SELECT * FROM unnest($1::text[], $2::bytea[], $3::int[])`,
    [written.map((article) => article.id), written.map((article) => toBytes(article.print.shingles)), written.map((article) => (article.print.single === null ? null : article.print.single | 0))],
  );
  await client.query('INSERT INTO copy_keys (key, article_id) SELECT * FROM unnest($1::int[], $2::text[]) ON CONFLICT DO NOTHING', [
    written.flatMap((article) => Array.from(new Int32Array(article.keys.buffer, article.keys.byteOffset, article.keys.length))),
    written.flatMap((article) => Array.from(article.keys, () => article.id)),
  ]);
}

/**
 * Links each subject, in order, to one copy in each component among its candidates (the
 * articles sharing an LSH key with it) that it is not in yet. A stored article outside the
 * subjects is in the component of its stored cluster (`c:<name>` in `forest`), or alone.
 * Prints are read for the first candidate of each component; more only where that one is not a
 * copy, and words only for pairs the shingles leave in doubt.
 */
async function linkCopies(client: Queryable, subjects: readonly Subject[], forest: Forest): Promise<void> {
  const isSubject = new Set(subjects.map((subject) => subject.id));
  const { rows: keyRows } = await client.query('SELECT key, article_id FROM copy_keys WHERE key = ANY($1::int[])', [
    [...new Set(subjects.flatMap((subject) => Array.from(new Int32Array(subject.keys.buffer, subject.keys.byteOffset, subject.keys.length))))],
  ]);
  const holders = new Map<number, string[]>();
  for (const row of keyRows as Array<{ key: number; article_id: string }>) {
    const list = holders.get(row.key >>> 0);
    if (list === undefined) holders.set(row.key >>> 0, [row.article_id]);
    else list.push(row.article_id);
  }
  const candidatesOf = (subject: Subject): string[] => {
    const candidates = new Set<string>();
    for (const key of subject.keys) for (const other of holders.get(key) ?? []) candidates.add(other);
    candidates.delete(subject.id);
    return [...candidates];
  };
  const outside = [...new Set(keyRows.map((row) => (row as { article_id: string }).article_id))].filter((id) => !isSubject.has(id));
  const clusterOf = new Map<string, string | null>();
  if (outside.length > 0) {
    const { rows } = await client.query('SELECT article_id, cluster FROM copy_prints WHERE article_id = ANY($1)', [outside]);
    for (const row of rows as Array<{ article_id: string; cluster: string | null }>) clusterOf.set(row.article_id, row.cluster);
  }
  const nodeOf = (id: string): string => {
    const cluster = isSubject.has(id) ? null : clusterOf.get(id);
    return cluster === null || cluster === undefined ? id : `${CLUSTER_NODE}${cluster}`;
  };
  const byComponent = (ids: readonly string[]): Map<string, string[]> => {
    const groups = new Map<string, string[]>();
    for (const id of ids) {
      const root = forest.find(nodeOf(id));
      const group = groups.get(root);
      if (group === undefined) groups.set(root, [id]);
      else group.push(id);
    }
    return groups;
  };

  const known = new StoredArticles(client, subjects);
  const candidates = subjects.map(candidatesOf);
  // Read ahead, in two statements: the first candidate of each component, and the words of the
  // pairs their shingles do not rule out (a copy's figures are compared on its words).
  const firsts = subjects.map((_, index) => [...byComponent(candidates[index] as string[]).values()].map((group) => group[0] as string));
  await known.readPrints(firsts.flat());
  await known.readWords(
    subjects.flatMap((subject, index) => {
      const likely = (firsts[index] as string[]).filter((other) => mayBeCopy(subject, known.prints.get(other)));
      return likely.length > 0 && subject.words === undefined ? [subject.id, ...likely] : likely;
    }),
  );
  const pairs: Array<[string, string]> = [];
  for (const [index, subject] of subjects.entries()) {
    for (const [root, group] of byComponent(candidates[index] as string[])) {
      if (forest.find(root) === forest.find(subject.id)) continue;
      for (const [at, other] of group.entries()) {
        if (!known.prints.has(other)) await known.readPrints(group.slice(at));
        const otherPrint = known.prints.get(other);
        if (otherPrint === undefined) continue;
        const verdict = copyVerdict({ ...subject.print, words: [] }, otherPrint);
        if (verdict === 'not a copy') continue;
        const [print, words] = await Promise.all([known.printWithWords(subject), known.wordsOf(other)]);
        if (words === undefined || !decideOnWords(print, otherPrint, verdict, words)) continue;
        pairs.push([subject.id, other]);
        forest.union(subject.id, nodeOf(other));
        break;
      }
    }
  }
  if (pairs.length > 0) {
    await client.query('INSERT INTO copy_pairs (a, b) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [
      pairs.flatMap(([a, b]) => [a, b]),
      pairs.flatMap(([a, b]) => [b, a]),
    ]);
  }
}

/** Whether the shingles leave `other` a possible copy of `subject` (it is then decided on words). */
function mayBeCopy(subject: Subject, other: StoredPrint | undefined): boolean {
  return other !== undefined && copyVerdict({ ...subject.print, words: [] }, other) !== 'not a copy';
}

/** The forest node of a stored cluster: this prefix and its name (article ids never hold a colon). */
const CLUSTER_NODE = 'c:';

/** Prints and words of the articles copy detection looks at, read from the tables once each. */
class StoredArticles {
  readonly prints = new Map<string, StoredPrint>();
  readonly #words = new Map<string, readonly string[]>();
  readonly #client: Queryable;

  constructor(client: Queryable, subjects: readonly Subject[]) {
    this.#client = client;
    for (const subject of subjects) {
      this.prints.set(subject.id, subject.print);
      if (subject.words !== undefined) this.#words.set(subject.id, subject.words);
    }
  }

  /** Reads the prints of those of `ids` not read yet, in one statement. */
  async readPrints(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids.filter((id) => !this.prints.has(id)))];
    if (missing.length === 0) return;
    const { rows } = await this.#client.query('SELECT article_id, shingles, single FROM copy_prints WHERE article_id = ANY($1)', [missing]);
    for (const row of rows as Array<{ article_id: string; shingles: Buffer; single: number | null }>) this.prints.set(row.article_id, storedPrint(row));
  }

  /** Reads the words of those of `ids` not read yet, from their paragraphs, in one statement. */
  async readWords(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids.filter((id) => !this.#words.has(id)))];
    if (missing.length === 0) return;
    const { rows } = await this.#client.query(
      'SELECT article_id, array_agg(w ORDER BY n, o) AS words FROM paragraphs CROSS JOIN LATERAL unnest(words) WITH ORDINALITY AS t(w, o) WHERE article_id = ANY($1) GROUP BY article_id',
      [missing],
    );
    for (const row of rows as Array<{ article_id: string; words: string[] }>) this.#words.set(row.article_id, row.words);
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
