/**
 * @module backends/embedded/corpus-writer
 * Changes to the corpus and the library together, a batch at a time and all or nothing: every
 * file of the batch is written and flushed under a temporary name first, then all are published
 * at once (see `durable-files`), then the library is updated. A failure before the publication
 * (a full disk included) removes the temporary files and leaves corpus and library as they
 * were. The service never overwrites a file it did not write for the same article. Callers
 * serialize these calls.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { contentHash, textLength, type Article } from '../../ingest/article.ts';
import { articleFileContent, articleFileName, fingerprintCorpus, ownNameRank, type CorpusFile } from '../../ingest/corpus.ts';
import { discardStaged, publishFiles, stageFile, type StagedFile } from '../../ingest/durable-files.ts';
import { deleteArticle, putArticlesInSlices, SLICE_CHARS, type AddOutcome, type Library, type StoredArticle } from './library.ts';
import { checkDistinctTerms } from '../../ingest/term-limit.ts';
import { createError, isDiskFull, systemCodeOf } from '../../errors.ts';

/** The library and the corpus files it reflects, by relative path. */
export type CorpusState = {
  readonly library: Library;
  readonly corpusDir: string;
  readonly files: Map<string, CorpusFile>;
};

/** The result of one article of a batch (SPEC §6). */
export type ArticleResult = { id: string; status: AddOutcome; paragraphs: number };

/**
 * How a write shares the event loop: `pause` is awaited between slices of work on a large batch
 * (the next turn of the event loop by default). `checked`: the batch's articles each with its
 * content hash, from {@link checkNewArticles}, which has checked their terms already.
 */
export type WriteOptions = { pause?: () => Promise<unknown>; checked?: readonly CheckedArticle[] };

/** An article and its content hash, as {@link checkNewArticles} leaves it. */
export type CheckedArticle = { article: Article; hash: string };


/** Creates the state of a library opened from `files`. */
export function createCorpusState(library: Library, corpusDir: string, files: readonly CorpusFile[]): CorpusState {
  return { library, corpusDir, files: new Map(files.map((file) => [file.path, file])) };
}

/** The fingerprint of the corpus files the library reflects. */
export function stateFingerprint(state: CorpusState): string {
  return fingerprintCorpus([...state.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
}

/**
 * Writes each new or changed article to its own corpus file and indexes it, all or nothing; an
 * identical one is `unchanged` and writes nothing. An updated article that lived in another
 * file is taken out of it (the file's other articles move to files of their own), so the corpus
 * holds one version. Throws `insufficient_storage` when the disk is full: then nothing was written.
 */
export async function addArticles(state: CorpusState, articles: readonly Article[], options: WriteOptions = {}): Promise<ArticleResult[]> {
  const results: ArticleResult[] = [];
  // The last of several articles with one id wins, as if they came one after the other.
  const pause = options.pause ?? yieldToEventLoop;
  // `item`: the article's number in the batch, counted from 1, for messages.
  const latest = new Map<string, { article: Article; hash: string; item: number }>();
  for (const [index, article] of articles.entries()) {
    const hash = options.checked?.[index]?.hash ?? (await hashOf(article, pause));
    const before = latest.get(article.id)?.hash ?? state.library.articles.get(article.id)?.hash;
    const status: AddOutcome = before === undefined ? 'created' : before === hash ? 'unchanged' : 'updated';
    results.push({ id: article.id, status, paragraphs: article.paragraphs.length });
    latest.set(article.id, { article, hash, item: index + 1 });
  }
  const changed = [...latest.values()].filter(({ article, hash }) => state.library.articles.get(article.id)?.hash !== hash);
  if (changed.length === 0) return results;
  if (options.checked === undefined) await checkDistinctTerms(changed, pause);

  const plan = createPlan(state, changed.map(({ article }) => article.id));
  const targets: string[] = [];
  for (const { article } of changed) targets.push(chooseFile(plan, article.id));
  for (const [index, { article }] of changed.entries()) {
    plan.writes.push({ article, target: targets[index] as string });
    const existing = state.library.articles.get(article.id);
    if (existing !== undefined && existing.file !== targets[index]) detach(plan, existing.file);
  }
  await carryOut(plan, pause);
  await putArticlesInSlices(state.library, changed.map(({ article, hash }, index) => ({ article, hash, file: targets[index] as string })), pause);
  return results;
}

/**
 * The checks of {@link addArticles} that concern each article alone (its number of distinct
 * terms), on the articles of `articles` that differ from the library's version, naming them by
 * their number in `articles` (from 1): run on a request's batch before it is committed with
 * others. Returns each article with its content hash, for {@link WriteOptions.checked}.
 */
export async function checkNewArticles(state: CorpusState, articles: readonly Article[]): Promise<CheckedArticle[]> {
  const checked: CheckedArticle[] = [];
  for (const article of articles) checked.push({ article, hash: await hashOf(article, yieldToEventLoop) });
  const changed = checked.flatMap(({ article, hash }, index) => (state.library.articles.get(article.id)?.hash === hash ? [] : [{ article, item: index + 1 }]));
  await checkDistinctTerms(changed);
  return checked;
}

/** The content hash of `article`; a large one waits for `pause` first (hashing it takes a while: searches first). */
async function hashOf(article: Article, pause: () => Promise<unknown>): Promise<string> {
  if (textLength(article) > SLICE_CHARS) await pause();
  return contentHash(article);
}

/** Removes an article from the corpus and the library; false when the id is unknown. */
export async function removeArticle(state: CorpusState, id: string): Promise<boolean> {
  const existing = state.library.articles.get(id);
  if (existing === undefined) return false;
  const plan = createPlan(state, [id]);
  detach(plan, existing.file);
  await carryOut(plan);
  deleteArticle(state.library, id);
  return true;
}

/** The files one batch writes and deletes, decided before anything is written. */
type Plan = {
  readonly state: CorpusState;
  /** Ids the batch itself writes or removes: never moved out of a file on its own account. */
  readonly batchIds: ReadonlySet<string>;
  /** Articles to write, each with its file (relative path); some are moved out of a file being deleted. */
  readonly writes: Array<{ article: Article; target: string; moved?: StoredArticle }>;
  readonly deletes: Set<string>;
  /** Names chosen for this batch already. */
  readonly reserved: Set<string>;
  /** The articles of each corpus file, from the library: built when first needed. */
  holders: Map<string, StoredArticle[]> | undefined;
  /** What the disk says of a corpus file (relative path), asked once per batch. */
  readonly infos: Map<string, Stats | undefined>;
};

function createPlan(state: CorpusState, batchIds: readonly string[]): Plan {
  return { state, batchIds: new Set(batchIds), writes: [], deletes: new Set(), reserved: new Set(), holders: undefined, infos: new Map() };
}

function holdersOf(plan: Plan, file: string): StoredArticle[] {
  if (plan.holders === undefined) {
    plan.holders = new Map();
    for (const stored of plan.state.library.articles.values()) {
      const list = plan.holders.get(stored.file);
      if (list === undefined) plan.holders.set(stored.file, [stored]);
      else list.push(stored);
    }
  }
  return plan.holders.get(file) ?? [];
}

/**
 * The file article `id` is written to: the file the service wrote for it before, when it still
 * holds that article alone and is as the service left it; else the first of its own names
 * ({@link articleFileName}) that no file holds. So a write never replaces a file holding other
 * articles, placed by hand or written by another process since the corpus was last read.
 */
function chooseFile(plan: Plan, id: string): string {
  const { state } = plan;
  const existing = state.library.articles.get(id);
  if (
    existing !== undefined &&
    ownNameRank(existing.file, id) > 0 &&
    !plan.reserved.has(existing.file) &&
    holdersOf(plan, existing.file).length === 1 &&
    unchangedOnDisk(plan, existing.file)
  ) {
    plan.reserved.add(existing.file);
    return existing.file;
  }
  for (let n = 1; ; n += 1) {
    const name = articleFileName(id, n);
    if (plan.reserved.has(name) || state.files.has(name) || existsOnDisk(plan, name)) continue;
    plan.reserved.add(name);
    return name;
  }
}

/**
 * Plans taking a batch's articles out of corpus file `file`: the file is deleted, and each of its
 * other articles is written to a file of its own first. A file changed on disk since it was
 * read is left alone (its content is not what the library holds; the corpus watcher reads it
 * again, and the service's own file for the article wins over it, see `prefersFile`).
 */
function detach(plan: Plan, file: string): void {
  if (plan.deletes.has(file) || !unchangedOnDisk(plan, file)) return;
  plan.deletes.add(file);
  for (const other of holdersOf(plan, file)) {
    if (plan.batchIds.has(other.article.id)) continue;
    plan.writes.push({ article: other.article, target: chooseFile(plan, other.article.id), moved: other });
  }
}

/**
 * Writes every file of the plan under a temporary name, then publishes them and the deletions
 * at once, then records the new state of the corpus. A full disk is `insufficient_storage`.
 */
async function carryOut(plan: Plan, pause: () => Promise<unknown> = yieldToEventLoop): Promise<void> {
  const { state } = plan;
  const contents: string[] = [];
  for (const { article } of plan.writes) {
    if (textLength(article) > SLICE_CHARS) await pause();
    contents.push(articleFileContent(article));
  }
  // Written side by side: a batch costs the time of one file's writes and flush, not the sum.
  const outcomes = await Promise.allSettled(plan.writes.map(({ target }, index) => stageFile(join(state.corpusDir, target), contents[index] as string)));
  const staged = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) {
    await discardStaged(staged);
    throw storageError(failure.reason);
  }
  try {
    await publishFiles(state.corpusDir, staged, [...plan.deletes].map((path) => join(state.corpusDir, path)));
  } catch (error) {
    throw storageError(error);
  }
  for (const path of plan.deletes) state.files.delete(path);
  plan.writes.forEach(({ target, moved }, index) => {
    const file = staged[index] as StagedFile;
    state.files.set(target, { path: target, size: file.size, mtimeMs: file.mtimeMs });
    if (moved !== undefined) moved.file = target;
  });
}

/** A full disk becomes `insufficient_storage` (SPEC §5); anything else is thrown as it is. */
function storageError(error: unknown): unknown {
  if (!isDiskFull(error)) return error;
  return createError('insufficient_storage', `the corpus disk is full (${systemCodeOf(error) ?? 'ENOSPC'}): nothing of the request was written`);
}

/**
 * The `lstat` of a corpus file (`undefined` when there is no such file), asked in place: a
 * metadata lookup takes microseconds, and a write then needs no turn of the event loop for it
 * (SPEC §13). Any error other than a missing file is thrown.
 */
function infoOf(plan: Plan, path: string): Stats | undefined {
  if (plan.infos.has(path)) return plan.infos.get(path);
  let info: Stats | undefined;
  try {
    info = fs.lstatSync(join(plan.state.corpusDir, path));
  } catch (error) {
    if (systemCodeOf(error) !== 'ENOENT') throw error;
  }
  plan.infos.set(path, info);
  return info;
}

/** True when the corpus file is as the library last saw it (same size and modification time). */
function unchangedOnDisk(plan: Plan, path: string): boolean {
  const known = plan.state.files.get(path);
  if (known === undefined) return false;
  let info: Stats | undefined;
  try {
    info = infoOf(plan, path);
  } catch {
    return false;
  }
  return info !== undefined && info.isFile() && info.size === known.size && info.mtimeMs === known.mtimeMs;
}

function existsOnDisk(plan: Plan, path: string): boolean {
  return infoOf(plan, path) !== undefined;
}
