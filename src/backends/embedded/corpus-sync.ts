/**
 * @module backends/embedded/corpus-sync
 * Brings the library in line with changes made to `corpus/` outside the service (by hand, by a
 * restore, by another process): the whole folder, or the paths a watcher reported.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Article } from '../../ingest/article.ts';
import { isCorpusPath, listCorpusFiles, readCorpusFile, statCorpusFile, takesOver, type CorpusFile } from '../../ingest/corpus.ts';
import { recoverInterruptedWrites } from '../../ingest/durable-files.ts';
import { deleteArticle, putArticlesInSlices } from './library.ts';
import { messageOf } from '../../errors.ts';
import type { CorpusState, WriteOptions } from './corpus-writer.ts';

/** What a corpus sync changed. */
export type SyncOutcome = { filesRead: number; filesRemoved: number; articlesChanged: number; problems: string[] };

/** Most paths of one watcher report looked at one by one (a few milliseconds of `stat`); past it the corpus is listed. */
const MAX_PATHS_LOOKED_AT = 500;

/** What {@link syncCorpus} looks at. */
export type SyncOptions = WriteOptions & {
  /**
   * Only these paths (relative to the corpus folder, with `/`), as a file watcher reports them:
   * files among them are read again or dropped; a folder among them, or a path once a folder,
   * means the whole corpus is listed. Without it, the whole corpus is listed.
   */
  paths?: Iterable<string>;
};

/**
 * Brings the library in line with the corpus folder as it is now (or as it is at `paths`):
 * files added or modified by hand or by another process are read, files removed drop their
 * articles. Unreadable files are reported and left out until they change again. A large file
 * is indexed in slices, as a large batch is (see `putArticlesInSlices`). A whole-corpus sync
 * also finishes what a writer that died left (see `recoverInterruptedWrites`).
 */
export async function syncCorpus(state: CorpusState, options: SyncOptions = {}): Promise<SyncOutcome> {
  const { pause } = options;
  const outcome: SyncOutcome = { filesRead: 0, filesRemoved: 0, articlesChanged: 0, problems: [] };
  const seen = options.paths === undefined ? undefined : lookAt(state, options.paths);
  let present: CorpusFile[];
  let removed: string[];
  if (seen === undefined) {
    // Best effort (a read-only corpus cannot be cleaned up): start-up says so in the log.
    await recoverInterruptedWrites(state.corpusDir).catch(() => undefined);
    present = await listCorpusFiles(state.corpusDir);
    const listed = new Set(present.map((file) => file.path));
    removed = [...state.files.keys()].filter((path) => !listed.has(path));
  } else {
    ({ present, removed } = seen);
  }

  if (removed.length > 0) {
    const gone = new Set(removed);
    for (const path of removed) state.files.delete(path);
    outcome.filesRemoved += removed.length;
    for (const stored of [...state.library.articles.values()]) {
      if (!gone.has(stored.file)) continue;
      deleteArticle(state.library, stored.article.id);
      outcome.articlesChanged += 1;
    }
  }

  for (const file of present) {
    const known = state.files.get(file.path);
    if (known !== undefined && known.size === file.size && known.mtimeMs === file.mtimeMs) continue;
    state.files.set(file.path, file);
    outcome.filesRead += 1;
    let articles: Article[];
    try {
      articles = await readCorpusFile(state.corpusDir, file.path);
    } catch (error) {
      outcome.problems.push(messageOf(error)); // it starts with the file's path
      continue;
    }
    const ids = new Set(articles.map((article) => article.id));
    for (const stored of [...state.library.articles.values()]) {
      if (stored.file === file.path && !ids.has(stored.article.id)) {
        deleteArticle(state.library, stored.article.id);
        outcome.articlesChanged += 1;
      }
    }
    const kept = articles.filter((article) => {
      const current = state.library.articles.get(article.id);
      return takesOver(file.path, current?.file, article.id);
    });
    const outcomes = await putArticlesInSlices(state.library, kept.map((article) => ({ article, file: file.path })), pause);
    outcome.articlesChanged += outcomes.filter((status) => status !== 'unchanged').length;
  }
  return outcome;
}

/**
 * The files at `paths` as they are now, and the known ones no longer there; `undefined` when a
 * path is, or was, a folder (a folder moved in or out): then the whole corpus is listed.
 */
function lookAt(state: CorpusState, paths: Iterable<string>): { present: CorpusFile[]; removed: string[] } | undefined {
  const present: CorpusFile[] = [];
  const removed: string[] = [];
  const unique = new Set(paths);
  // Thousands of paths (a folder copied in file by file): a listing, which pauses for searches, costs less.
  if (unique.size > MAX_PATHS_LOOKED_AT) return undefined;
  for (const path of unique) {
    if (isCorpusPath(path)) {
      const file = statCorpusFile(state.corpusDir, path);
      if (file !== undefined) present.push(file);
      else if (state.files.has(path)) removed.push(path);
      continue;
    }
    if (path.split('/').some((part) => part.startsWith('.') || part === '')) continue; // hidden: never read
    let info;
    try {
      info = statSync(join(state.corpusDir, path), { throwIfNoEntry: false });
    } catch {
      return undefined; // unsure what it is: list everything
    }
    if (info?.isDirectory() === true) return undefined;
    if (info === undefined && [...state.files.keys()].some((known) => known.startsWith(`${path}/`))) return undefined;
  }
  return { present, removed };
}
