/**
 * @module backends/embedded/snapshot
 * The persisted library in `index/`: `manifest.json` names a snapshot file and says what it was
 * built from (format and analyzer versions, corpus fingerprint); the snapshot holds the engine
 * and the articles as JSON lines, each of bounded size, so that neither writing nor reading
 * builds one string the size of the archive. Both files are written atomically, every byte
 * counted; the manifest holds the snapshot's SHA-256, checked before a byte of it is believed. A
 * snapshot that does not match its manifest, the running code or the corpus is refused, with
 * the reason, and the caller rebuilds.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { writeFileDurably } from '../../ingest/durable-files.ts';
import { ANALYZER_VERSION } from '../../text/analyzer.ts';
import { loadEngine } from './engine.ts';
import { createLibrary, type Library, type StoredArticle } from './library.ts';
import { textLength } from '../../ingest/article.ts';
import { messageOf, systemCodeOf } from '../../errors.ts';
import type { CopyClusters } from './copy-clusters.ts';
import { decodeIntegers, encodeIntegers } from './integers.ts';

/**
 * Bumped whenever the snapshot layout changes: older snapshots are then rebuilt. 3: the manifest holds the snapshot's SHA-256.
 * 4: articles carry a `byline` (an older snapshot's articles have none, not even `null`).
 * 5: postings as base64 of 32-bit integers (a `postings` record) instead of JSON numbers.
 * 6: the articles' copy prints and copy pairs (`copies`, `copy-pairs` lines).
 */
export const SNAPSHOT_FORMAT_VERSION = 6;

/** The manifest file, in the index folder. */
export const MANIFEST_FILE = 'manifest.json';

/** Matches snapshot file names written by {@link saveSnapshot} (and by format 1, to clean them up). */
const SNAPSHOT_FILE_RE = /^snapshot-[0-9a-z-]+\.jsonl?$/;

/** Most articles per line of the snapshot. */
const ARTICLES_PER_LINE = 500;
/** Most paragraph characters per line of the snapshot, unless one article alone holds more (it is never split). */
const LINE_CHARS = 1_000_000;

/** What `manifest.json` records. */
export type Manifest = {
  formatVersion: number;
  analyzerVersion: number;
  fingerprint: string;
  createdAt: string;
  articles: number;
  paragraphs: number;
  snapshotFile: string;
  bytes: number;
  /** SHA-256 of the snapshot file, hex: a same-length edit or a flipped bit is caught on load. */
  sha256: string;
};

/** A line of the snapshot: a record of the engine, or some articles. */
type SnapshotLine =
  | ['engine', unknown]
  | ['articles', StoredArticle[]]
  | ['copies', CopiesLine]
  | ['copy-pairs', string[]];

/** Articles' copy prints: ids, the hash of each one-paragraph article's words (or null), the number of shingles of each, and the shingles, in order. */
type CopiesLine = { ids: string[]; singles: Array<number | null>; lengths: number[]; shingles: string };

/** About how many shingles, or ids of pairs, go in one line. */
const COPY_VALUES_PER_LINE = 100_000;

/** The outcome of loading: the library, or why the snapshot cannot be used. */
export type LoadResult = { ok: true; library: Library; manifest: Manifest } | { ok: false; reason: string };

/** Thrown by {@link saveSnapshot} when the library changed while it was being saved: nothing was saved. */
export class SnapshotOutdated extends Error {
  constructor() {
    super('the library changed while its snapshot was being saved');
    this.name = 'SnapshotOutdated';
  }
}

/**
 * Saves the library to `indexDir` for the corpus state `fingerprint`: the snapshot first, under
 * a new name, then the manifest pointing at it, then older snapshots are removed. Two processes
 * saving at once each leave a complete pair; the last manifest written wins.
 *
 * The lines are written one at a time, and writes to the library may go on meanwhile: as long as
 * `current()` is true the library is the one the save started from; once it is false, the save
 * stops, removes what it wrote and throws {@link SnapshotOutdated} (the change calls for a
 * save of its own).
 */
export async function saveSnapshot(indexDir: string, library: Library, fingerprint: string, current: () => boolean = () => true): Promise<Manifest> {
  await mkdir(indexDir, { recursive: true });
  // Checked and taken in one go: no write can come between (nor have staged paragraphs then).
  if (!current()) throw new SnapshotOutdated();
  const articles = [...library.articles.values()];
  const copies = [...library.copies.entries()];
  const pairs = [...library.copies.pairs()].flat();
  const paragraphs = library.engine.stats().paragraphs;
  const records = library.engine.records();
  let bytes = 0;
  const hash = createHash('sha256');
  // One line: encoded, handed to the writer, then hashed once written, with a turn of the event
  // loop for searches before the next; each step stays short for the largest line.
  async function* line(value: SnapshotLine): AsyncGenerator<Buffer> {
    const buffer = Buffer.from(`${JSON.stringify(value)}\n`);
    bytes += buffer.length;
    yield buffer;
    hash.update(buffer);
    await yieldToEventLoop();
    if (!current()) throw new SnapshotOutdated();
  }
  async function* lines(): AsyncGenerator<Buffer> {
    for (const record of records) yield* line(['engine', record]);
    for (const group of articleLines(articles)) yield* line(['articles', group]);
    for (const group of copyLines(copies)) yield* line(['copies', group]);
    for (let at = 0; at < pairs.length; at += COPY_VALUES_PER_LINE) yield* line(['copy-pairs', pairs.slice(at, at + COPY_VALUES_PER_LINE)]);
  }
  const snapshotFile = `snapshot-${Date.now().toString(36)}-${process.pid.toString(36)}-${Math.random().toString(36).slice(2, 8)}.jsonl`;
  const written = await writeFileDurably(join(indexDir, snapshotFile), lines());
  if (written.size !== bytes) throw new Error(`snapshot ${snapshotFile} is ${written.size} bytes, ${bytes} were written`);
  const manifest: Manifest = {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    analyzerVersion: ANALYZER_VERSION,
    fingerprint,
    createdAt: new Date().toISOString(),
    articles: articles.length,
    paragraphs,
    snapshotFile,
    bytes,
    sha256: hash.digest('hex'),
  };
  try {
    await writeFileDurably(join(indexDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (error) {
    // No manifest names it: it would only take room.
    await rm(join(indexDir, snapshotFile), { force: true }).catch(() => undefined);
    throw error;
  }
  await removeOtherSnapshots(indexDir, snapshotFile);
  return manifest;
}

/** The copy prints in lines of about {@link COPY_VALUES_PER_LINE} shingles. */
function* copyLines(entries: ReadonlyArray<{ id: string; shingles: Uint32Array; single: number | null }>): Generator<CopiesLine> {
  for (let at = 0; at < entries.length; ) {
    const line: { ids: string[]; singles: Array<number | null>; lengths: number[] } = { ids: [], singles: [], lengths: [] };
    let count = 0;
    for (; at < entries.length && count < COPY_VALUES_PER_LINE; at += 1) {
      const entry = entries[at] as (typeof entries)[number];
      line.ids.push(entry.id);
      line.singles.push(entry.single);
      line.lengths.push(entry.shingles.length);
      count += entry.shingles.length;
    }
    // Copied straight into the integers written (as the engine's postings are), not through a JS array.
    const shingles = new Int32Array(count);
    let offset = 0;
    for (let index = at - line.ids.length; index < at; index += 1) {
      const entry = entries[index] as (typeof entries)[number];
      shingles.set(entry.shingles, offset);
      offset += entry.shingles.length;
    }
    yield { ...line, shingles: encodeIntegers(shingles) };
  }
}

/** Restores a `copies` line into `clusters`; throws when it is malformed. */
function restoreCopies(clusters: CopyClusters, line: unknown): void {
  const malformed = () => new Error('a copies line is malformed');
  const { ids, singles, lengths, shingles } = (line ?? {}) as Partial<CopiesLine>;
  if (!Array.isArray(ids) || !Array.isArray(singles) || !Array.isArray(lengths) || typeof shingles !== 'string') throw malformed();
  const decoded = decodeIntegers(shingles);
  if (decoded === undefined || ids.length !== singles.length || ids.length !== lengths.length) throw malformed();
  const all = new Uint32Array(decoded.buffer, decoded.byteOffset, decoded.length);
  let at = 0;
  for (const [index, id] of ids.entries()) {
    const length = lengths[index];
    const single = singles[index];
    if (typeof id !== 'string' || typeof length !== 'number' || at + length > all.length || !(single === null || typeof single === 'number')) throw malformed();
    clusters.restore(id, all.subarray(at, at + length), single);
    at += length;
  }
  if (at !== all.length) throw malformed();
}

/** The articles in groups of at most {@link ARTICLES_PER_LINE}, and at most {@link LINE_CHARS} characters of text unless one article alone holds more. */
function* articleLines(articles: readonly StoredArticle[]): Generator<StoredArticle[]> {
  let group: StoredArticle[] = [];
  let chars = 0;
  for (const stored of articles) {
    const size = textLength(stored.article);
    if (group.length > 0 && (group.length >= ARTICLES_PER_LINE || chars + size > LINE_CHARS)) {
      yield group;
      group = [];
      chars = 0;
    }
    group.push(stored);
    chars += size;
  }
  if (group.length > 0) yield group;
}

async function removeOtherSnapshots(indexDir: string, keep: string): Promise<void> {
  for (const name of await readdir(indexDir)) {
    if (name !== keep && SNAPSHOT_FILE_RE.test(name)) await rm(join(indexDir, name), { force: true });
  }
}

/** Reads the manifest, or `undefined` when there is none or it is unreadable. */
export async function readManifest(indexDir: string): Promise<Manifest | undefined> {
  const read = await readManifestFile(indexDir);
  return 'manifest' in read ? read.manifest : undefined;
}

/** The manifest, or why there is none to use: missing, unreadable (with the system's reason) or malformed. */
async function readManifestFile(indexDir: string): Promise<{ manifest: Manifest } | { reason: string }> {
  let text: string;
  try {
    text = await readFile(join(indexDir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    return { reason: systemCodeOf(error) === 'ENOENT' ? 'no snapshot' : `manifest unreadable: ${messageOf(error)}` };
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (isManifest(value)) return { manifest: value };
    const version = typeof value === 'object' && value !== null ? (value as { formatVersion?: unknown }).formatVersion : undefined;
    if (typeof version === 'number' && version !== SNAPSHOT_FORMAT_VERSION) return { reason: `snapshot format ${version}, expected ${SNAPSHOT_FORMAT_VERSION}` };
    return { reason: 'the manifest is malformed' };
  } catch (error) {
    return { reason: `the manifest is not JSON: ${messageOf(error)}` };
  }
}

/**
 * Loads the snapshot if it is valid for `fingerprint` and this code's versions; otherwise says
 * why not (missing, stale, other version, corrupt).
 */
export async function loadSnapshot(indexDir: string, fingerprint: string): Promise<LoadResult> {
  const read = await readManifestFile(indexDir);
  if (!('manifest' in read)) return { ok: false, reason: read.reason };
  const { manifest } = read;
  if (manifest.formatVersion !== SNAPSHOT_FORMAT_VERSION) return { ok: false, reason: `snapshot format ${manifest.formatVersion}, expected ${SNAPSHOT_FORMAT_VERSION}` };
  if (manifest.analyzerVersion !== ANALYZER_VERSION) return { ok: false, reason: `analyzer version ${manifest.analyzerVersion}, expected ${ANALYZER_VERSION}` };
  if (manifest.fingerprint !== fingerprint) return { ok: false, reason: 'the corpus changed since the snapshot' };
  if (!SNAPSHOT_FILE_RE.test(manifest.snapshotFile)) return { ok: false, reason: 'the manifest names no valid snapshot file' };
  try {
    const content = await readFile(join(indexDir, manifest.snapshotFile));
    if (content.length !== manifest.bytes) return { ok: false, reason: `snapshot is ${content.length} bytes, manifest says ${manifest.bytes}` };
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (sha256 !== manifest.sha256) return { ok: false, reason: `snapshot checksum mismatch (SHA-256 ${sha256.slice(0, 12)}…, manifest says ${manifest.sha256.slice(0, 12)}…): the file was changed or damaged` };
    const articles: StoredArticle[] = [];
    const copies: unknown[] = [];
    const pairs: unknown[] = [];
    const library = createLibrary(loadEngine(engineRecords(content, articles, copies, pairs)));
    for (const entry of articles) library.articles.set(entry.article.id, entry);
    for (const line of copies) restoreCopies(library.copies, line);
    for (let at = 0; at + 1 < pairs.length; at += 2) {
      const [a, b] = [pairs[at], pairs[at + 1]];
      if (typeof a !== 'string' || typeof b !== 'string') throw new Error('a copy-pairs line is malformed');
      library.copies.link(a, b);
    }
    if (library.copies.size !== library.articles.size) return { ok: false, reason: 'snapshot copy prints do not match its articles' };
    if (library.articles.size !== manifest.articles || library.engine.stats().paragraphs !== manifest.paragraphs) {
      return { ok: false, reason: 'snapshot counts do not match its manifest' };
    }
    return { ok: true, library, manifest };
  } catch (error) {
    return { ok: false, reason: `snapshot unreadable: ${messageOf(error)}` };
  }
}

/** The engine records of a snapshot, in order; its articles, copy prints and copy pairs are collected on the way. */
function* engineRecords(content: Buffer, articles: StoredArticle[], copies: unknown[], pairs: unknown[]): Generator<unknown> {
  for (let start = 0; start < content.length; ) {
    let end = content.indexOf(10, start);
    if (end === -1) end = content.length;
    const line = JSON.parse(content.toString('utf8', start, end)) as SnapshotLine;
    start = end + 1;
    if (!Array.isArray(line)) throw new Error('a snapshot line is not [kind, data]');
    if (line[0] === 'engine') yield line[1];
    else if (line[0] === 'articles' && Array.isArray(line[1])) articles.push(...line[1]);
    else if (line[0] === 'copies') copies.push(line[1]);
    else if (line[0] === 'copy-pairs' && Array.isArray(line[1])) pairs.push(...line[1]);
    else throw new Error(`unknown snapshot line "${String(line[0])}"`);
  }
}

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.formatVersion === 'number' &&
    typeof record.analyzerVersion === 'number' &&
    typeof record.fingerprint === 'string' &&
    typeof record.createdAt === 'string' &&
    typeof record.articles === 'number' &&
    typeof record.paragraphs === 'number' &&
    typeof record.snapshotFile === 'string' &&
    typeof record.bytes === 'number' &&
    typeof record.sha256 === 'string'
  );
}
