/**
 * @module backends/postgres/postings
 * The posting blocks of the `postings` table (schema migration 3): per stem lexeme, which
 * paragraphs hold it, with what BM25 needs (term frequency, field length), in blocks of
 * {@link BLOCK_ENTRIES} entries of {@link ENTRY_BYTES} bytes. A search reads a common word's
 * postings as a few hundred blocks instead of hundreds of thousands of paragraph rows.
 *
 * An entry: the article's number (`articles.art`, u32), a slot (u16: the paragraph's number for a
 * text lexeme `s…`; the article's paragraph count for a title lexeme `t…`, which has one entry
 * per article), the term frequency (u16) and the field length (u16), big-endian. The limits of
 * an article (50,000 characters a paragraph, 10,000 paragraphs, 1,000 characters a title) keep
 * every one of them under 65,536.
 *
 * Writes keep the blocks in step with the rows, in the batch's transaction: a replaced or deleted
 * article's entries are cut out of the blocks that hold its number, new entries are appended to
 * each lexeme's last block while it is small ({@link APPEND_BELOW_ENTRIES}) and they follow its
 * entries, else to new blocks; so each block is sorted by article number unless concurrent
 * batches drew interleaved numbers, and a reader takes blocks by their first article number
 * (postings-rank.ts merges what is still out of order). Callers lock the lexemes' stems
 * (`stems` rows, in sorted order) first, so two writers never work on one lexeme's blocks at once.
 */
import type { Database, Queryable } from './connection.ts';

/** Bytes of one entry. */
export const ENTRY_BYTES = 10;
/** Entries of a full block (migration 3 cuts an existing corpus's postings at the same size): a block is 20 KB. */
export const BLOCK_ENTRIES = 2048;
/**
 * A last block with fewer entries than this takes a batch's new entries; a larger one is left
 * alone and the batch starts a new block. Appending rewrites the whole block (its old version is
 * garbage until vacuumed): appending only to blocks of at most 2.5 KB bounds that rewriting, at
 * the cost of blocks of a few hundred entries for a lexeme written a little at a time. Appending
 * to every block until full made an import at 10× Reuters leave 9.9 GB where 2.4 GB is live.
 */
export const APPEND_BELOW_ENTRIES = 256;
/** Largest value of a 2-byte field of an entry. */
const U16_MAX = 0xffff;

/** One entry of a block. */
export type Entry = { art: number; slot: number; tf: number; length: number };

/** The entries of a lexeme in a batch, in order of article number and slot. */
export type LexemeEntries = Map<string, Entry[]>;

/** Entries as bytes. Throws when a value does not fit its field (an article past the limits of SPEC §2). */
export function encodeEntries(entries: readonly Entry[]): Buffer {
  const buffer = Buffer.allocUnsafe(entries.length * ENTRY_BYTES);
  entries.forEach((entry, index) => {
    if (entry.slot > U16_MAX || entry.tf > U16_MAX || entry.length > U16_MAX) {
      throw new Error(`postings: article number ${entry.art} has a value past ${U16_MAX} (slot ${entry.slot}, tf ${entry.tf}, length ${entry.length})`);
    }
    const at = index * ENTRY_BYTES;
    buffer.writeUInt32BE(entry.art, at);
    buffer.writeUInt16BE(entry.slot, at + 4);
    buffer.writeUInt16BE(entry.tf, at + 6);
    buffer.writeUInt16BE(entry.length, at + 8);
  });
  return buffer;
}

/** The entries of a block's bytes. */
export function decodeEntries(data: Buffer): Entry[] {
  const entries: Entry[] = [];
  for (let at = 0; at + ENTRY_BYTES <= data.length; at += ENTRY_BYTES) {
    entries.push({ art: data.readUInt32BE(at), slot: data.readUInt16BE(at + 4), tf: data.readUInt16BE(at + 6), length: data.readUInt16BE(at + 8) });
  }
  return entries;
}

/** Adds `entry` to the list of `lexeme`. */
export function addEntry(entries: LexemeEntries, lexeme: string, entry: Entry): void {
  const list = entries.get(lexeme);
  if (list === undefined) entries.set(lexeme, [entry]);
  else list.push(entry);
}

/**
 * Cuts the entries of the article numbers `arts` out of the blocks of `lexemes` (their stored
 * lexemes): a block left empty is deleted.
 */
export async function removePostings(client: Queryable, lexemes: readonly string[], arts: readonly number[]): Promise<void> {
  if (lexemes.length === 0 || arts.length === 0) return;
  const { rows } = await client.query(
    `SELECT p.lexeme, p.block, p.data FROM postings AS p
     WHERE p.lexeme = ANY($1::text[]) AND EXISTS (SELECT 1 FROM unnest($2::int[]) AS r(art) WHERE r.art BETWEEN p.first_art AND p.last_art)`,
    [lexemes, arts],
  );
  const gone = new Set(arts);
  const updates: BlockEntries[] = [];
  const deletions: Array<{ lexeme: string; block: number }> = [];
  for (const row of rows as Array<{ lexeme: string; block: number; data: Buffer }>) {
    const entries = decodeEntries(row.data);
    const kept = entries.filter((entry) => !gone.has(entry.art));
    if (kept.length === entries.length) continue;
    if (kept.length === 0) deletions.push({ lexeme: row.lexeme, block: row.block });
    else updates.push({ lexeme: row.lexeme, block: row.block, list: kept });
  }
  if (deletions.length > 0) {
    await client.query('DELETE FROM postings AS p USING unnest($1::text[], $2::int[]) AS d(lexeme, block) WHERE p.lexeme = d.lexeme AND p.block = d.block', [
      deletions.map((entry) => entry.lexeme),
      deletions.map((entry) => entry.block),
    ]);
  }
  if (updates.length > 0) {
    await client.query(
      `UPDATE postings AS p SET data = u.data, entries = u.entries, first_art = u.first_art, last_art = u.last_art, frontier = u.frontier::int[]
       FROM ${BLOCK_COLUMNS}
       WHERE p.lexeme = u.lexeme AND p.block = u.block`,
      [...blockColumns(updates), frontierColumn(updates)],
    );
  }
}

/** A block's entries, to write. */
type BlockEntries = { lexeme: string; block: number; list: Entry[] };

/**
 * A block's frontier (migration 8): the (term frequency, field length) pairs of `entries` that
 * no other entry beats on both, by length, flattened as `[tf, length, tf, length, …]`. Along it
 * the lengths grow and the frequencies grow too. `frontier` is an earlier frontier to merge in.
 *
 * @example
 * frontierOf([{ art: 1, slot: 1, tf: 1, length: 3 }, { art: 1, slot: 2, tf: 3, length: 9 }, { art: 2, slot: 1, tf: 2, length: 12 }])
 * // [1, 3, 3, 9]
 */
export function frontierOf(entries: readonly Entry[], frontier: readonly number[] = []): number[] {
  const pairs: Array<[tf: number, length: number]> = entries.map((entry) => [entry.tf, entry.length]);
  for (let i = 0; i + 1 < frontier.length; i += 2) pairs.push([frontier[i] as number, frontier[i + 1] as number]);
  pairs.sort((a, b) => a[1] - b[1] || b[0] - a[0]);
  const kept: number[] = [];
  let best = -1;
  for (const [tf, length] of pairs) {
    if (tf <= best) continue;
    kept.push(tf, length);
    best = tf;
  }
  return kept;
}

/** The columns `unnest` reads blocks from: lexeme, block, data, entries, first and last article number. */
function blockColumns(blocks: readonly BlockEntries[]): unknown[] {
  return [
    blocks.map((block) => block.lexeme),
    blocks.map((block) => block.block),
    blocks.map((block) => encodeEntries(block.list)),
    blocks.map((block) => block.list.length),
    blocks.map((block) => block.list.reduce((low, entry) => Math.min(low, entry.art), Infinity)),
    blocks.map((block) => block.list.reduce((high, entry) => Math.max(high, entry.art), -Infinity)),
  ];
}

/** The `unnest` of {@link blockColumns} and the blocks' frontiers (as text: `unnest` of an int[][] would flatten it), as `u`. */
const BLOCK_COLUMNS = `unnest($1::text[], $2::int[], $3::bytea[], $4::int[], $5::int[], $6::int[], $7::text[])
  AS u(lexeme, block, data, entries, first_art, last_art, frontier)`;

/** The frontiers of `blocks` as `int[]` literals, for {@link BLOCK_COLUMNS}; each merged with `earlier[i]` when given. */
function frontierColumn(blocks: readonly BlockEntries[], earlier: ReadonlyArray<readonly number[]> = []): string[] {
  return blocks.map((block, index) => `{${frontierOf(block.list, earlier[index]).join(',')}}`);
}

/** Appends the batch's entries to each lexeme's last block when it is small, then to new blocks. */
export async function appendPostings(client: Queryable, entries: LexemeEntries): Promise<void> {
  if (entries.size === 0) return;
  const lexemes = [...entries.keys()];
  const { rows } = await client.query(
    // One index probe per lexeme for its last block (DISTINCT ON would read every block of each).
    `SELECT l.lexeme, p.block, p.entries, p.last_art, p.frontier FROM unnest($1::text[]) AS l(lexeme)
     CROSS JOIN LATERAL (SELECT block, entries, last_art, frontier FROM postings WHERE lexeme = l.lexeme ORDER BY block DESC LIMIT 1) AS p`,
    [lexemes],
  );
  const last = new Map((rows as Array<{ lexeme: string; block: number; entries: number; last_art: number; frontier: number[] }>).map((row) => [row.lexeme, row]));
  const appended: BlockEntries[] = [];
  const appendedTo: number[][] = [];
  const created: BlockEntries[] = [];
  for (const [lexeme, list] of entries) {
    const tail = last.get(lexeme);
    let next = 0;
    let from = 0;
    if (tail !== undefined) {
      next = tail.block + 1;
      // Only entries after the tail's keep it sorted; a batch that committed after a later one's starts a block.
      const inOrder = (list[0] as Entry).art > tail.last_art;
      const room = tail.entries < APPEND_BELOW_ENTRIES && inOrder ? BLOCK_ENTRIES - tail.entries : 0;
      if (room > 0) {
        appended.push({ lexeme, block: tail.block, list: list.slice(0, room) });
        appendedTo.push(tail.frontier);
        from = room;
      }
    }
    for (; from < list.length; from += BLOCK_ENTRIES, next++) created.push({ lexeme, block: next, list: list.slice(from, from + BLOCK_ENTRIES) });
  }
  if (appended.length > 0) {
    await client.query(
      `UPDATE postings AS p SET data = p.data || u.data, entries = p.entries + u.entries,
         first_art = least(p.first_art, u.first_art), last_art = greatest(p.last_art, u.last_art), frontier = u.frontier::int[]
       FROM ${BLOCK_COLUMNS}
       WHERE p.lexeme = u.lexeme AND p.block = u.block`,
      [...blockColumns(appended), frontierColumn(appended, appendedTo)],
    );
  }
  if (created.length > 0) {
    await client.query(
      `INSERT INTO postings (lexeme, block, data, entries, first_art, last_art, frontier)
       SELECT lexeme, block, data, entries, first_art, last_art, frontier::int[] FROM ${BLOCK_COLUMNS}`,
      [...blockColumns(created), frontierColumn(created)],
    );
  }
}

/**
 * The share of the archive's articles an import writes (created or updated) from which it ends
 * with {@link orderPostings}: a first or a bulk import; an increment leaves its blocks at the
 * table's end, read a page each until the next.
 */
const ORDER_AFTER_SHARE = 0.1;

/** True when an import that wrote `written` articles into an archive of `articles` (them included) ends with {@link orderPostings}. */
export function ordersAfterImport(written: number, articles: number): boolean {
  return written > 0 && written >= ORDER_AFTER_SHARE * articles;
}

/** What {@link orderPostings} did: the blocks it ordered, and the table's bytes (with its TOAST and indexes) before and after. */
export type OrderedPostings = { blocks: number; bytesBefore: number; bytesAfter: number };

/**
 * Rewrites the postings table in order of lexeme and block, as migration 12 first did: the
 * blocks written since then (each batch's at the table's end, among the other words of their
 * batch) put side by side with their lexeme's others, and the versions that appends and
 * deletions left dead dropped. A search then reads a word's blocks from few pages instead of
 * one page each. Takes the table's exclusive lock until its transaction ends: searches and
 * writes wait for it (about 40 s at 100x Reuters, 3.3 GB). Then vacuums the table, as migration
 * 14 did, so that where a word's blocks lie is read from their index alone (the rewrite leaves
 * the visibility map empty).
 */
export async function orderPostings(db: Database): Promise<OrderedPostings> {
  const size = async () => Number(((await db.query("SELECT pg_total_relation_size('postings') AS bytes")) as [{ bytes: string }])[0].bytes);
  const bytesBefore = await size();
  await db.transaction('write', (client) => client.query('CLUSTER postings USING postings_pkey'));
  await db.query('VACUUM (ANALYZE) postings', [], 'write');
  const [{ blocks }] = (await db.query('SELECT count(*)::int AS blocks FROM postings')) as [{ blocks: number }];
  return { blocks, bytesBefore, bytesAfter: await size() };
}
