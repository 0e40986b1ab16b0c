/**
 * @module service/corpus-writer
 * Changes to the corpus and the library together: the corpus file first (durably), then the
 * in-memory library, and the record of which corpus files the library reflects (its
 * fingerprint goes into the snapshot). Callers serialize these calls.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { contentHash, type Article } from '../ingest/article.ts';
import { deleteCorpusFile, prefersFile, fingerprintCorpus, listCorpusFiles, readCorpusFile, writeArticleFile, type CorpusFile } from '../ingest/corpus.ts';
import { deleteArticle, putArticle, type AddOutcome, type Library } from '../search/library.ts';
import { messageOf } from '../errors.ts';

/** The library and the corpus files it reflects, by relative path. */
export type CorpusState = {
  readonly library: Library;
  readonly corpusDir: string;
  readonly files: Map<string, CorpusFile>;
};

/** The result of one article of a batch (SPEC §6). */
export type ArticleResult = { id: string; status: AddOutcome; paragraphs: number };

/** What a corpus sync changed. */
export type SyncOutcome = { filesRead: number; filesRemoved: number; articlesChanged: number; problems: string[] };

/** Creates the state of a library opened from `files`. */
export function createCorpusState(library: Library, corpusDir: string, files: readonly CorpusFile[]): CorpusState {
  return { library, corpusDir, files: new Map(files.map((file) => [file.path, file])) };
}

/** The fingerprint of the corpus files the library reflects. */
export function stateFingerprint(state: CorpusState): string {
  return fingerprintCorpus([...state.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
}

/**
 * Writes each new or changed article to `corpus/<id>.json` and indexes it; an identical one is
 * `unchanged` and writes nothing. An updated article that lived in another file is taken out
 * of it (see {@link detachFromFile}), so the corpus holds one version.
 */
export async function addArticles(state: CorpusState, articles: readonly Article[]): Promise<ArticleResult[]> {
  const results: ArticleResult[] = [];
  for (const article of articles) {
    const existing = state.library.articles.get(article.id);
    if (existing !== undefined && existing.hash === contentHash(article)) {
      results.push({ id: article.id, status: 'unchanged', paragraphs: article.paragraphs.length });
      continue;
    }
    const file = await writeArticleFile(state.corpusDir, article);
    await track(state, file);
    if (existing !== undefined && existing.file !== file) await detachFromFile(state, existing.file, article.id);
    const status = putArticle(state.library, article, file);
    results.push({ id: article.id, status, paragraphs: article.paragraphs.length });
  }
  return results;
}

/** Removes an article from the corpus and the library; false when the id is unknown. */
export async function removeArticle(state: CorpusState, id: string): Promise<boolean> {
  const existing = state.library.articles.get(id);
  if (existing === undefined) return false;
  await detachFromFile(state, existing.file, id);
  deleteArticle(state.library, id);
  return true;
}

/**
 * Takes article `id` out of corpus file `file`: a file holding only it is deleted; a file
 * holding others too (a feed, a JSON Lines export) is split first: each other article is
 * written to its own `<id>.json`, then the shared file is deleted. Every step is atomic, and a
 * crash in between leaves duplicates with equal content, which start-up resolves.
 */
async function detachFromFile(state: CorpusState, file: string, id: string): Promise<void> {
  const others = [...state.library.articles.values()].filter((stored) => stored.file === file && stored.article.id !== id);
  for (const other of others) {
    other.file = await writeArticleFile(state.corpusDir, other.article);
    await track(state, other.file);
  }
  await deleteCorpusFile(state.corpusDir, file);
  state.files.delete(file);
}

async function track(state: CorpusState, path: string): Promise<void> {
  const info = await stat(join(state.corpusDir, path));
  state.files.set(path, { path, size: info.size, mtimeMs: info.mtimeMs });
}

/**
 * Brings the library in line with the corpus folder as it is now: files added or modified by
 * hand or by another process are read, files removed drop their articles. Unreadable files are
 * reported and left out until they change again.
 */
export async function syncCorpus(state: CorpusState): Promise<SyncOutcome> {
  const outcome: SyncOutcome = { filesRead: 0, filesRemoved: 0, articlesChanged: 0, problems: [] };
  const listed = await listCorpusFiles(state.corpusDir);
  const present = new Set(listed.map((file) => file.path));

  for (const path of [...state.files.keys()]) {
    if (present.has(path)) continue;
    state.files.delete(path);
    outcome.filesRemoved += 1;
    for (const stored of [...state.library.articles.values()]) {
      if (stored.file === path) {
        deleteArticle(state.library, stored.article.id);
        outcome.articlesChanged += 1;
      }
    }
  }

  for (const file of listed) {
    const known = state.files.get(file.path);
    if (known !== undefined && known.size === file.size && known.mtimeMs === file.mtimeMs) continue;
    state.files.set(file.path, file);
    outcome.filesRead += 1;
    let articles: Article[];
    try {
      articles = await readCorpusFile(state.corpusDir, file.path);
    } catch (error) {
      outcome.problems.push(`${file.path}: ${messageOf(error)}`);
      continue;
    }
    const ids = new Set(articles.map((article) => article.id));
    for (const stored of [...state.library.articles.values()]) {
      if (stored.file === file.path && !ids.has(stored.article.id)) {
        deleteArticle(state.library, stored.article.id);
        outcome.articlesChanged += 1;
      }
    }
    for (const article of articles) {
      const current = state.library.articles.get(article.id);
      if (current !== undefined && current.file !== file.path && !prefersFile(file.path, current.file, article.id)) continue;
      if (putArticle(state.library, article, file.path) !== 'unchanged') outcome.articlesChanged += 1;
    }
  }
  return outcome;
}
