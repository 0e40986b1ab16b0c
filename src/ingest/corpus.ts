/**
 * @module ingest/corpus
 * The corpus folder, the source of truth: listing and fingerprinting its article files,
 * reading them, and writing or deleting one article file durably (temporary file, fsync, rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createError } from '../errors.ts';
import type { Article } from './article.ts';
import { formatOfPath, parseArticles } from './formats.ts';

/** An article file of the corpus: path relative to the corpus folder (with `/`), size and mtime. */
export type CorpusFile = { path: string; size: number; mtimeMs: number };

/** Matches names the corpus ignores: hidden files and our own temporary files. */
const IGNORED_NAME_RE = /^\.|\.tmp$/;

/**
 * Lists the article files under `dir`, recursively, sorted by path. A missing folder is empty.
 *
 * @example
 * await listCorpusFiles('corpus') // [{ path: '000_635337495ee4adb1.txt', size: 2611, mtimeMs: … }]
 */
export async function listCorpusFiles(dir: string): Promise<CorpusFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const files: CorpusFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || IGNORED_NAME_RE.test(entry.name) || formatOfPath(entry.name) === null) continue;
    const absolute = join(entry.parentPath, entry.name);
    const relativePath = relative(dir, absolute).split(sep).join('/');
    if (relativePath.split('/').some((part) => part.startsWith('.'))) continue;
    try {
      const info = await stat(absolute);
      files.push({ path: relativePath, size: info.size, mtimeMs: info.mtimeMs });
    } catch (error) {
      if (!isNotFound(error)) throw error; // removed while listing: it is simply not there
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A fingerprint of the corpus as listed: changes when a file is added, removed or modified
 * (path, size and modification time, as `make` and git judge freshness).
 */
export function fingerprintCorpus(files: readonly CorpusFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.path}\0${file.size}\0${file.mtimeMs}\n`);
  return hash.digest('hex');
}

/** Reads and parses one corpus file; throws a `bad_request` error naming the file when it is invalid. */
export async function readCorpusFile(dir: string, path: string): Promise<Article[]> {
  return readArticleFile(join(dir, path), path);
}

/**
 * Reads and parses an article file of any supported format, chosen by its extension; `origin`
 * names it in errors. Throws a `bad_request` error when the type is unsupported or it is invalid.
 */
export async function readArticleFile(path: string, origin: string = path): Promise<Article[]> {
  const format = formatOfPath(path);
  if (format === null) throw createError('bad_request', `${origin}: unsupported file type`);
  const content = await readFile(path, 'utf8');
  return parseArticles(content, format, origin);
}

/** The corpus file the service writes for an article: one pretty-printed JSON file per article. */
export function articleFileName(id: string): string {
  return `${id}.json`;
}

/**
 * Which of two files holding the same article id wins, the same way at start-up and at run
 * time: the service's own `<id>.json`, else the later path.
 */
export function prefersFile(candidate: string, current: string, id: string): boolean {
  const own = articleFileName(id);
  if (current === own) return candidate === own;
  return candidate === own || candidate > current;
}

/**
 * Writes `article` to `<dir>/<id>.json` durably: to a temporary file first, flushed to disk,
 * then renamed over the final name, and the folder flushed, so a crash leaves either the old
 * file or the new one, never a half-written one. Returns the relative path.
 */
export async function writeArticleFile(dir: string, article: Article): Promise<string> {
  const name = articleFileName(article.id);
  await writeFileDurably(join(dir, name), `${JSON.stringify(article, null, 2)}\n`);
  return name;
}

/** Deletes a corpus file (relative path) and flushes the folder; a missing file is not an error. */
export async function deleteCorpusFile(dir: string, path: string): Promise<void> {
  await rm(join(dir, path), { force: true });
  await syncFolder(dir);
}

/**
 * Writes `content` (or the pieces it yields, one after the other) to `target` atomically and
 * durably: temporary file in the same folder, fsync, rename, fsync of the folder.
 */
export async function writeFileDurably(target: string, content: string | Buffer | AsyncIterable<string>): Promise<void> {
  const folder = join(target, '..');
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`; // see TEMPORARY_NAME_RE
  const handle = await open(temporary, 'w');
  try {
    if (typeof content === 'string' || Buffer.isBuffer(content)) await handle.writeFile(content);
    else for await (const piece of content) await handle.write(piece);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

/** Matches the names {@link writeFileDurably} gives its temporary files: `<name>.<pid>.<8 hex>.tmp`. */
const TEMPORARY_NAME_RE = /\.\d+\.[0-9a-f]{8}\.tmp$/;

/** Temporary files older than this are left over from a crash: no live writer takes so long. */
const STALE_TEMPORARY_MS = 60_000;

/**
 * Removes temporary files a crashed writer left in `dir` (recursively): ours only, by name, never
 * a user's own `.tmp` file. Recent ones may belong to a writer still at work in another process,
 * and are kept. Returns how many were removed.
 */
export async function removeStaleTemporaryFiles(dir: string, now: number = Date.now()): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
  let removed = 0;
  for (const entry of entries) {
    if (!entry.isFile() || !TEMPORARY_NAME_RE.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined && now - info.mtimeMs > STALE_TEMPORARY_MS) {
      await rm(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
