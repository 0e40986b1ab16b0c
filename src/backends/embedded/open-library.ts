/**
 * @module backends/embedded/open-library
 * Start-up: finish or clean up what interrupted writes left, then load the snapshot when it
 * matches the corpus, else rebuild the library from `corpus/` (reporting progress) and save a
 * fresh snapshot. The index folder is never needed to start: unreadable, full or read-only, it
 * costs a rebuild and a line in the log, and the library is served from `corpus/`.
 */
import { mkdir } from 'node:fs/promises';
import { fingerprintCorpus, listCorpusFiles, readCorpusFile, type CorpusFile } from '../../ingest/corpus.ts';
import { recoverInterruptedWrites } from '../../ingest/durable-files.ts';
import type { Article } from '../../ingest/article.ts';
import { createLibrary, putArticles, type Library } from './library.ts';
import { loadSnapshot, saveSnapshot, type Manifest } from './snapshot.ts';
import { messageOf, systemCodeOf } from '../../errors.ts';

/** Progress of a rebuild: files read, then paragraphs indexed. */
export type Progress = { phase: 'read' | 'index'; done: number; total: number };

/** Where the library lives and whom to tell about it. */
export type OpenOptions = {
  corpusDir: string;
  indexDir: string;
  /** Called as a rebuild advances (not called when the snapshot is loaded). */
  onProgress?: (progress: Progress) => void;
  /** Receives one line per notable event (rebuild reason, unreadable corpus files). */
  log?: (message: string) => void;
  /**
   * Whether a rebuilt library's snapshot is left to the caller to save in the background (a
   * server, which can answer meanwhile: see `createEmbeddedBackend`'s `unsaved`). By default it
   * is saved before `openLibrary` returns.
   */
  deferSave?: boolean;
};

/**
 * Whether `index/` holds a snapshot of the library as it is: when not (a full, read-only or
 * damaged index folder), the service runs all the same from `corpus/`, and the next start
 * rebuilds. `reason` says why in words fit for `/stats` (no file paths).
 */
export type IndexState = { persisted: true } | { persisted: false; reason: string };

/** The opened library and how it was obtained. */
export type OpenedLibrary = {
  library: Library;
  files: CorpusFile[];
  fingerprint: string;
  origin: 'snapshot' | 'rebuilt';
  /** The manifest of the snapshot loaded or saved; `undefined` when none could be saved. */
  manifest: Manifest | undefined;
  index: IndexState;
  /** Corpus files that could not be read, with the reason: they are skipped, never fatal. */
  problems: string[];
  /** True when the library was rebuilt and, as asked (`deferSave`), not saved yet. */
  unsaved: boolean;
};

/** Why a rebuilt library is not persisted yet, for `/stats` while its snapshot is saved in the background. */
export const SAVING_REBUILT = 'the rebuilt index is being saved';

/** Paragraphs indexed between two progress reports during a rebuild. */
const INDEX_BATCH_PARAGRAPHS = 2000;

/**
 * Opens the library of `corpusDir`, from the snapshot in `indexDir` when it is valid for the
 * corpus as it is now, otherwise by rebuilding (and then saving a new snapshot).
 *
 * @example
 * const { library, origin } = await openLibrary({ corpusDir: 'corpus', indexDir: 'index' });
 */
export async function openLibrary(options: OpenOptions): Promise<OpenedLibrary> {
  const { corpusDir, indexDir, onProgress, log = () => {}, deferSave = false } = options;
  await mkdir(corpusDir, { recursive: true });
  // Before listing: a batch whose journal was written is finished, so it is all there or not at all.
  const recovered = await recoverInterruptedWrites(corpusDir).catch((error: unknown) => {
    // A read-only corpus (an archive served as it is) still starts; what is left stays hidden from the listing.
    log(`could not finish or clean up interrupted writes in ${corpusDir}: ${messageOf(error)}`);
    return { journalsFinished: 0, temporaryFilesRemoved: 0 };
  });
  if (recovered.journalsFinished > 0) log(`finished ${recovered.journalsFinished} interrupted batch writes in ${corpusDir}`);
  // The index folder is derived data: whatever is wrong with it, start from the corpus.
  const indexLeftovers = await recoverInterruptedWrites(indexDir).catch(() => ({ temporaryFilesRemoved: 0 }));
  const leftovers = recovered.temporaryFilesRemoved + indexLeftovers.temporaryFilesRemoved;
  if (leftovers > 0) log(`removed ${leftovers} temporary files left by an interrupted write`);
  const files = await listCorpusFiles(corpusDir);
  const fingerprint = fingerprintCorpus(files);
  const loaded = await loadSnapshot(indexDir, fingerprint);
  if (loaded.ok) {
    return { library: loaded.library, files, fingerprint, origin: 'snapshot', manifest: loaded.manifest, index: { persisted: true }, problems: [], unsaved: false };
  }

  log(`building the index from ${corpusDir} (${loaded.reason})`);
  const { library, problems } = await rebuildLibrary(corpusDir, files, onProgress);
  for (const problem of problems) log(`skipped ${problem}`);
  if (deferSave) return { library, files, fingerprint, origin: 'rebuilt', manifest: undefined, index: { persisted: false, reason: SAVING_REBUILT }, problems, unsaved: true };
  try {
    const manifest = await saveSnapshot(indexDir, library, fingerprint);
    return { library, files, fingerprint, origin: 'rebuilt', manifest, index: { persisted: true }, problems, unsaved: false };
  } catch (error) {
    log(`index not saved in ${indexDir} (${messageOf(error)}): serving from ${corpusDir}; the next start rebuilds the index`);
    return { library, files, fingerprint, origin: 'rebuilt', manifest: undefined, index: { persisted: false, reason: indexFailure(error) }, problems, unsaved: false };
  }
}

/** Words for `/stats` about why the index could not be saved, without the file paths of the error's message. */
const INDEX_FAILURES: Record<string, string> = {
  ENOSPC: 'no space left on the index disk',
  EDQUOT: 'disk quota exceeded on the index disk',
  EROFS: 'the index folder is on a read-only file system',
  EACCES: 'no permission to write the index folder',
  EPERM: 'no permission to write the index folder',
  EISDIR: 'a folder stands where an index file should be',
  ENOTDIR: 'a file stands where the index folder should be',
  EEXIST: 'a file stands where the index folder should be',
  EIO: 'input/output error or short write on the index disk',
};

/** Why saving the index failed, in words fit for `/stats` (see {@link IndexState}). */
export function indexFailure(error: unknown): string {
  const code = systemCodeOf(error);
  return code === undefined ? 'the index could not be written (see the log)' : `${INDEX_FAILURES[code] ?? 'the index could not be written'} (${code})`;
}

/** Reads every corpus file and indexes its articles. Unreadable files are reported, not fatal. */
export async function rebuildLibrary(
  corpusDir: string,
  files: readonly CorpusFile[],
  onProgress?: (progress: Progress) => void,
): Promise<{ library: Library; problems: string[] }> {
  const entries: Array<{ article: Article; file: string }> = [];
  const problems: string[] = [];
  for (const [index, file] of files.entries()) {
    try {
      for (const article of await readCorpusFile(corpusDir, file.path)) entries.push({ article, file: file.path });
    } catch (error) {
      problems.push(messageOf(error)); // it starts with the file's path
    }
    onProgress?.({ phase: 'read', done: index + 1, total: files.length });
  }

  const library = createLibrary();
  const total = entries.reduce((sum, entry) => sum + entry.article.paragraphs.length, 0);
  let batch: typeof entries = [];
  let batchParagraphs = 0;
  let done = 0;
  const flush = (): void => {
    putArticles(library, batch);
    done += batchParagraphs;
    batch = [];
    batchParagraphs = 0;
    onProgress?.({ phase: 'index', done, total });
  };
  for (const entry of entries) {
    batch.push(entry);
    batchParagraphs += entry.article.paragraphs.length;
    if (batchParagraphs >= INDEX_BATCH_PARAGRAPHS) flush();
  }
  flush();
  return { library, problems };
}
