/**
 * @module ingest/corpus
 * The corpus folder, the source of truth: listing and fingerprinting its article files, reading
 * them, and the names and content of the files the service writes (written by `durable-files`).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createError, isServiceError, messageOf, systemCodeOf } from '../errors.ts';
import type { Article } from './article.ts';
import type { ParsedBatch } from './batch.ts';
import { formatOfPath, parseBatch } from './formats.ts';

/** An article file of the corpus: path relative to the corpus folder (with `/`), size and mtime. */
export type CorpusFile = { path: string; size: number; mtimeMs: number };

/** Matches names the corpus ignores: hidden files and our own temporary files. */
const IGNORED_NAME_RE = /^\.|\.tmp$/;
/**
 * Files stat'ed between two turns of the event loop while listing. `statSync` costs a tenth of
 * the CPU of a `stat` promise (no thread-pool round trip); 500 of them take a few milliseconds.
 */
const STATS_PER_TURN = 500;

/**
 * True when `path` (relative to the corpus folder, with `/`) names a file the corpus reads: a
 * known extension, no hidden part, not a temporary file.
 *
 * @example
 * isCorpusPath('2024/a1.json')      // true
 * isCorpusPath('.drafts/a1.json')   // false
 * isCorpusPath('a1.json.12.ab.tmp') // false
 */
export function isCorpusPath(path: string): boolean {
  const parts = path.split('/');
  const name = parts[parts.length - 1] ?? '';
  return !parts.some((part) => part.startsWith('.')) && !IGNORED_NAME_RE.test(name) && formatOfPath(name) !== null;
}

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
  const base = join(dir);
  let statted = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const relativePath = relativeToBase(base, entry.parentPath, entry.name);
    if (!isCorpusPath(relativePath)) continue;
    const file = statCorpusFile(dir, relativePath);
    if (file !== undefined) files.push(file); // else removed while listing: it is simply not there
    if (++statted % STATS_PER_TURN === 0) await yieldToEventLoop();
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The path of `name` in `folder` relative to `base`, with `/`: sliced, not `path.relative` (a third of a listing's time). */
function relativeToBase(base: string, folder: string, name: string): string {
  if (folder === base) return name;
  const inside = folder.startsWith(base + sep) ? folder.slice(base.length + 1) : relative(base, folder);
  return `${sep === '/' ? inside : inside.split(sep).join('/')}/${name}`;
}

/** One file of the corpus as a listing sees it, or `undefined` when it is not there or is no regular file. */
export function statCorpusFile(dir: string, path: string): CorpusFile | undefined {
  let info;
  try {
    info = statSync(join(dir, path), { throwIfNoEntry: false });
  } catch (error) {
    if (systemCodeOf(error) === 'ENOTDIR') return undefined; // a folder on its path was replaced by a file
    throw error;
  }
  return info?.isFile() === true ? { path, size: info.size, mtimeMs: info.mtimeMs } : undefined;
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

/** Reads and parses one corpus file; throws an error whose message starts with the file's path (relative to the corpus) when it cannot be read or is invalid. */
export async function readCorpusFile(dir: string, path: string): Promise<Article[]> {
  return readArticleFile(join(dir, path), path);
}

/**
 * Reads and parses an article file of any supported format, chosen by its extension, ignoring
 * unknown fields. Every error it throws has a message starting with `origin` (once): a
 * `bad_request` when the type is unsupported or the content invalid, another error when the
 * file cannot be read.
 */
export async function readArticleFile(path: string, origin: string = path): Promise<Article[]> {
  return (await readArticleBatch(path, origin)).articles;
}

/** {@link readArticleFile}, with the warnings of the batch (unknown fields, which were ignored). */
export async function readArticleBatch(path: string, origin: string = path): Promise<ParsedBatch> {
  const format = formatOfPath(path);
  if (format === null) throw createError('bad_request', `${origin}: unsupported file type`);
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${origin}: cannot be read (${systemCodeOf(error) ?? messageOf(error)})`, { cause: error });
  }
  try {
    return parseBatch(content, format, origin);
  } catch (error) {
    // Its own errors name the file; anything else (a reader's bug) is made to, for the log line that reports it.
    if (isServiceError(error)) throw error;
    throw new Error(`${origin}: ${messageOf(error)}`, { cause: error });
  }
}

/** Matches a name of the service's own article files: `<id>.json` or `<id>~<n>.json` (n ≥ 2). */
const OWN_NAME_RE = /^(.+?)(?:~([2-9]|[1-9][0-9]+))?\.json$/;

/**
 * The corpus file the service writes article `id` to: `<id>.json`, or, when another file holds
 * that name (a hand-placed file of other articles), `<id>~2.json`, `<id>~3.json`… `~` is no id
 * character, so one article's name is never another's.
 *
 * @example
 * articleFileName('wikinews')    // 'wikinews.json'
 * articleFileName('wikinews', 2) // 'wikinews~2.json'
 */
export function articleFileName(id: string, n: number = 1): string {
  return n === 1 ? `${id}.json` : `${id}~${n}.json`;
}

/** The content of an article file the service writes: the article as pretty-printed JSON. */
export function articleFileContent(article: Article): string {
  return `${JSON.stringify(article, null, 2)}\n`;
}

/**
 * Which of the service's own names for article `id` the corpus path `path` is: 1 for `<id>.json`,
 * n for `<id>~n.json`, 0 for any other path (a file placed by hand, a subfolder).
 */
export function ownNameRank(path: string, id: string): number {
  const match = OWN_NAME_RE.exec(path);
  if (match === null || match[1] !== id) return 0;
  return match[2] === undefined ? 1 : Number(match[2]);
}

/**
 * Which of two files holding the same article id wins, the same way at start-up and at run
 * time: a file the service wrote for it (the later of its names, the one it wrote when the
 * first was taken), else the later path.
 */
export function prefersFile(candidate: string, current: string, id: string): boolean {
  const candidateRank = ownNameRank(candidate, id);
  const currentRank = ownNameRank(current, id);
  if (candidateRank !== currentRank) return candidateRank > currentRank;
  return candidate > current;
}

/**
 * Whether the article of `id` read from file `candidate` replaces the one kept from `current`
 * (none yet, the same file read again or later in it, or a file {@link prefersFile} prefers):
 * the one rule a start, a rescan and `npm run import` keep articles by.
 */
export function takesOver(candidate: string, current: string | undefined, id: string): boolean {
  return current === undefined || current === candidate || prefersFile(candidate, current, id);
}

function isNotFound(error: unknown): boolean {
  return systemCodeOf(error) === 'ENOENT';
}

/** The articles of a corpus folder, read a file at a time: {@link readKeptArticles}. */
export type CorpusWalk = {
  /** Articles kept, one per id. */
  total: number;
  /** Files that could not be read, each message starting with the file's path: skipped, as a start skips them. */
  problems: string[];
  /** The kept articles of each readable file, a file at a time, in the listing's order. */
  files(): AsyncGenerator<Article[]>;
};

/**
 * Reads the corpus folder `dir` as the embedded library does (one article per id: the file
 * {@link prefersFile} picks, the last of its file), without holding the corpus in memory: a
 * first pass keeps only which file each id comes from, then {@link CorpusWalk.files} reads each
 * file again and gives its kept articles. A file changed between the passes gives what it
 * holds then.
 *
 * @example
 * const walk = await readKeptArticles('corpus');
 * for await (const articles of walk.files()) await backend.putArticles(articles);
 */
export async function readKeptArticles(dir: string): Promise<CorpusWalk> {
  const files = await listCorpusFiles(dir);
  const keeper = new Map<string, string>();
  const problems: string[] = [];
  const readable: string[] = [];
  for (const file of files) {
    let articles: Article[];
    try {
      articles = await readCorpusFile(dir, file.path);
    } catch (error) {
      problems.push(messageOf(error)); // it starts with the file's path
      continue;
    }
    readable.push(file.path);
    for (const article of articles) {
      const current = keeper.get(article.id);
      if (takesOver(file.path, current, article.id)) keeper.set(article.id, file.path);
    }
  }
  return {
    total: keeper.size,
    problems,
    async *files() {
      for (const path of readable) {
        const kept = new Map<string, Article>();
        for (const article of await readCorpusFile(dir, path)) if (keeper.get(article.id) === path) kept.set(article.id, article);
        yield [...kept.values()];
      }
    },
  };
}
