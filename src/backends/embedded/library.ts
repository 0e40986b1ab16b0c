/**
 * @module backends/embedded/library
 * The articles the service knows, in memory, and their paragraphs in the search engine: one
 * engine document per paragraph, with id `<articleId>:<n>` (n counted from 1, as a reader does).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { contentHash, textLength, type Article } from '../../ingest/article.ts';
import { takesOver } from '../../ingest/corpus.ts';
import { createEngine, type ParagraphDoc, type SearchEngine } from './engine.ts';
import { createTermStore, type TermStore } from './term-store.ts';
import { copyPrintOfWords, earliestFirst, wordsOf } from '../../news/copies.ts';
import { CopyClusters } from './copy-clusters.ts';
import type { ArticleCopies } from '../backend.ts';

/** An article as held in memory: the article, its content hash, and the corpus file it came from. */
export type StoredArticle = { article: Article; hash: string; file: string };

/** What adding an article did. */
export type AddOutcome = 'created' | 'updated' | 'unchanged';

/** The in-memory library: articles by id, the engine indexing their paragraphs, and their terms for phrases. */
export type Library = {
  readonly engine: SearchEngine;
  readonly articles: Map<string, StoredArticle>;
  readonly terms: TermStore;
  /** The copy clusters of the articles (SPEC §10), kept in step with {@link Library.articles}. */
  readonly copies: CopyClusters;
  /** False only where copy detection's own cost is measured (the benchmark): then `copies` stays empty. */
  readonly detectsCopies: boolean;
};

/** A paragraph located in the library. */
export type ParagraphRef = { stored: StoredArticle; index: number; text: string };

/** Creates a library over `engine` (a new, empty one by default). */
export function createLibrary(engine: SearchEngine = createEngine(), options: { detectsCopies?: boolean } = {}): Library {
  return { engine, articles: new Map(), terms: createTermStore(), copies: new CopyClusters(), detectsCopies: options.detectsCopies ?? true };
}

/**
 * Stores articles as their current versions and finds their copies, from the words of each of
 * their paragraphs in order (`words`, as indexing them gave them).
 */
function storeArticles(library: Library, stored: readonly StoredArticle[], words: ReadonlyArray<string[] | undefined>): void {
  const finder = storing(library, stored);
  words.forEach((paragraphWords, doc) => finder.onWords(doc, paragraphWords));
  finder.finish();
}

/**
 * Stores articles as their current versions, and finds their copies as indexing hands over the
 * words of their paragraphs, in order (`onWords`): each article's as soon as its last paragraph
 * is indexed, so that a rebuild does not hold the words of the whole corpus. `finish` does the
 * articles left, reading again from the text the words that were not handed over.
 */
function storing(library: Library, stored: readonly StoredArticle[]): { onWords: (doc: number, words: string[] | undefined) => void; finish: () => void } {
  for (const entry of stored) library.articles.set(entry.article.id, entry);
  if (!library.detectsCopies) return { onWords: () => {}, finish: () => {} };
  let next = 0;
  let start = 0;
  let paragraphs: Array<string[] | undefined> = [];
  const end = () => start + (stored[next] as StoredArticle).article.paragraphs.length;
  // Finds the copies of the next article.
  const done = () => {
    const { article } = stored[next] as StoredArticle;
    const words = article.paragraphs.map((text, index) => paragraphs[index] ?? wordsOf(text));
    library.copies.add(article.id, copyPrintOfWords(words), (id) => storedWords(library, id));
    start = end();
    next += 1;
    paragraphs = [];
  };
  return {
    onWords: (doc, words) => {
      while (next < stored.length && doc >= end()) done();
      paragraphs[doc - start] = words;
      if (next < stored.length && doc === end() - 1) done();
    },
    finish: () => {
      while (next < stored.length) done();
    },
  };
}

/** The id of paragraph `n` (1-based) of an article. */
export function paragraphId(articleId: string, n: number): string {
  return `${articleId}:${n}`;
}

/** The engine documents of an article. */
export function paragraphDocs(article: Article): ParagraphDoc[] {
  return article.paragraphs.map((text, index) => ({ id: paragraphId(article.id, index + 1), title: article.title, text }));
}

/**
 * Adds or replaces an article. Equal content (by hash) is `unchanged` and touches nothing; a
 * known id with other content replaces the old paragraphs.
 */
export function putArticle(library: Library, article: Article, file: string): AddOutcome {
  const hash = contentHash(article);
  const existing = library.articles.get(article.id);
  if (existing !== undefined && existing.hash === hash) {
    existing.file = file;
    return 'unchanged';
  }
  replaceArticle(library, article, file, hash);
  return existing === undefined ? 'created' : 'updated';
}

/** Indexes `article` (whose content hash is `hash`) in place of the version known, if any. */
function replaceArticle(library: Library, article: Article, file: string, hash: string): void {
  const existing = library.articles.get(article.id);
  if (existing !== undefined) library.engine.remove(paragraphDocs(existing.article).map((doc) => doc.id));
  const finder = storing(library, [{ article, hash, file }]);
  library.engine.add(paragraphDocs(article), finder.onWords);
  finder.finish();
}

/**
 * Adds many articles at once (a rebuild): faster than one by one. When several files hold the
 * same id, {@link takesOver} picks the one kept.
 */
export function putArticles(library: Library, entries: ReadonlyArray<{ article: Article; file: string }>): void {
  const fresh: ParagraphDoc[] = [];
  const stored: StoredArticle[] = [];
  const chosen = new Map<string, { article: Article; file: string }>();
  for (const entry of entries) {
    const current = chosen.get(entry.article.id) ?? library.articles.get(entry.article.id);
    if (takesOver(entry.file, current?.file, entry.article.id)) {
      chosen.set(entry.article.id, entry);
    }
  }
  for (const entry of chosen.values()) {
    const current = library.articles.get(entry.article.id);
    if (current !== undefined) {
      if (takesOver(entry.file, current.file, entry.article.id)) putArticle(library, entry.article, entry.file);
      continue;
    }
    stored.push({ article: entry.article, hash: contentHash(entry.article), file: entry.file });
    fresh.push(...paragraphDocs(entry.article));
  }
  const finder = storing(library, stored);
  library.engine.add(fresh, finder.onWords);
  finder.finish();
}

/**
 * Characters of paragraph text indexed between two pauses of {@link putArticlesInSlices}: a few
 * milliseconds of work, so a search waits at most that long behind an ingest. (A paragraph is
 * never split: one of the longest allowed, 50,000 characters, is one slice.)
 */
export const SLICE_CHARS = 32_000;

/**
 * Adds or replaces articles as {@link putArticle} does, one outcome per entry (the last of
 * several entries with one id wins), but a large batch is indexed a slice at a time, waiting on
 * `pause` (the next turn of the event loop) between slices so searches are answered meanwhile.
 * Searches see every article of the batch in its old version until all are indexed, then all in
 * their new one: the new paragraphs are staged, hidden from queries, and revealed at once.
 */
export async function putArticlesInSlices(
  library: Library,
  entries: ReadonlyArray<{ article: Article; file: string; hash?: string }>,
  pause: () => Promise<unknown> = yieldToEventLoop,
): Promise<AddOutcome[]> {
  const latest = new Map(entries.map((entry) => [entry.article.id, entry]));
  const outcomes: AddOutcome[] = [];
  const pending: Array<{ article: Article; file: string; hash: string }> = [];
  const seen = new Map<string, string>();
  let chars = 0;
  for (const entry of entries) {
    const hash = entry.hash ?? contentHash(entry.article);
    const before = seen.get(entry.article.id) ?? library.articles.get(entry.article.id)?.hash;
    outcomes.push(before === undefined ? 'created' : before === hash ? 'unchanged' : 'updated');
    seen.set(entry.article.id, hash);
    if (latest.get(entry.article.id) !== entry) continue;
    const existing = library.articles.get(entry.article.id);
    if (existing !== undefined && existing.hash === hash) {
      existing.file = entry.file;
      continue;
    }
    pending.push({ article: entry.article, file: entry.file, hash });
    chars += textLength(entry.article);
  }
  if (chars <= SLICE_CHARS) {
    for (const { article, file, hash } of pending) replaceArticle(library, article, file, hash);
    return outcomes;
  }

  const staged: string[] = [];
  const words: string[][] = [];
  const onWords = (doc: number, paragraphWords: string[]) => (words[staged.length + doc] = paragraphWords);
  try {
    let slice: ParagraphDoc[] = [];
    let sliceChars = 0;
    for (const { article } of pending) {
      for (const doc of paragraphDocs(article)) {
        slice.push(doc);
        sliceChars += doc.text.length;
        if (sliceChars < SLICE_CHARS) continue;
        library.engine.stage(slice, onWords);
        staged.push(...slice.map((staging) => staging.id));
        slice = [];
        sliceChars = 0;
        await pause();
      }
    }
    library.engine.stage(slice, onWords);
    staged.push(...slice.map((staging) => staging.id));
  } catch (error) {
    library.engine.unstage(staged);
    throw error;
  }
  // From here to the end nothing yields: no search sees the batch half replaced.
  for (const { article } of pending) {
    const existing = library.articles.get(article.id);
    if (existing !== undefined) library.engine.remove(paragraphDocs(existing.article).map((doc) => doc.id));
  }
  library.engine.reveal(staged);
  storeArticles(library, pending, words);
  return outcomes;
}

/** Removes an article and its paragraphs; returns what was removed, or `undefined` when unknown. */
export function deleteArticle(library: Library, id: string): StoredArticle | undefined {
  const existing = library.articles.get(id);
  if (existing === undefined) return undefined;
  library.engine.remove(paragraphDocs(existing.article).map((doc) => doc.id));
  library.articles.delete(id);
  library.copies.remove(id, (other) => storedWords(library, other));
  return existing;
}

/** The words of a stored article, read again from its text (copy detection's pairs in doubt), or `undefined` when unknown. */
function storedWords(library: Library, id: string): string[] | undefined {
  const stored = library.articles.get(id);
  return stored === undefined ? undefined : stored.article.paragraphs.flatMap(wordsOf);
}

/** `:`, between an article id (which never holds one) and a paragraph number in a paragraph id. */
export const COLON = 58;

/** The article id of a paragraph id (see {@link paragraphId}). */
export function articleIdOf(paragraphId: string): string {
  return paragraphId.slice(0, paragraphId.lastIndexOf(':'));
}

/** The paragraph number of a paragraph id whose article id is `articleLength` long, read without a new string. */
export function paragraphNumberOf(paragraphId: string, articleLength: number): number {
  let number = 0;
  for (let at = articleLength + 1; at < paragraphId.length; at += 1) number = number * 10 + (paragraphId.charCodeAt(at) - 48);
  return number;
}

/** Finds a paragraph by its id, or `undefined`. */
export function findParagraph(library: Library, id: string): ParagraphRef | undefined {
  const colon = id.lastIndexOf(':');
  if (colon === -1) return undefined;
  const stored = library.articles.get(id.slice(0, colon));
  const index = Number(id.slice(colon + 1)) - 1;
  const text = stored?.article.paragraphs[index];
  if (stored === undefined || text === undefined) return undefined;
  return { stored, index, text };
}

/** Counts of the library, for `/stats`. */
export function libraryCounts(library: Library): { articles: number; paragraphs: number; terms: number; sources: Record<string, number> } {
  const sources: Record<string, number> = {};
  for (const { article } of library.articles.values()) {
    const source = article.source ?? '(none)';
    sources[source] = (sources[source] ?? 0) + 1;
  }
  const { paragraphs, terms } = library.engine.stats();
  return { articles: library.articles.size, paragraphs, terms, sources };
}

/** The articles of `id`'s copy cluster, itself included, earliest first: the cluster is named by the first. */
export function clusterArticles(library: Library, id: string): Article[] {
  return library.copies
    .cluster(id)
    .flatMap((member) => {
      const stored = library.articles.get(member);
      return stored === undefined ? [] : [stored.article];
    })
    .sort(earliestFirst);
}

/** The copy cluster of article `id` (see `ArticleCopies`), or `undefined` when the library has no such article. */
export function articleCopies(library: Library, id: string): ArticleCopies | undefined {
  if (!library.articles.has(id)) return undefined;
  const members = clusterArticles(library, id);
  if (members.length < 2) return { copyOf: null, copies: [] };
  return {
    copyOf: (members[0] as Article).id,
    copies: members.filter((article) => article.id !== id).map(({ id: copy, title, source, date, url }) => ({ id: copy, title, source, date, url })),
  };
}
