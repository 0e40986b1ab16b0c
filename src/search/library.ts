/**
 * @module search/library
 * The articles the service knows, in memory, and their paragraphs in the search engine: one
 * engine document per paragraph, with id `<articleId>:<n>` (n counted from 1, as a reader does).
 */
import { contentHash, type Article } from '../ingest/article.ts';
import { prefersFile } from '../ingest/corpus.ts';
import { createEngine, type ParagraphDoc, type SearchEngine } from './engine.ts';
import { createTermStore, type TermStore } from './term-store.ts';

/** An article as held in memory: the article, its content hash, and the corpus file it came from. */
export type StoredArticle = { article: Article; hash: string; file: string };

/** What adding an article did. */
export type AddOutcome = 'created' | 'updated' | 'unchanged';

/** The in-memory library: articles by id, the engine indexing their paragraphs, and their terms for phrases. */
export type Library = {
  readonly engine: SearchEngine;
  readonly articles: Map<string, StoredArticle>;
  readonly terms: TermStore;
};

/** A paragraph located in the library. */
export type ParagraphRef = { stored: StoredArticle; index: number; text: string };

/** Creates a library over `engine` (a new, empty one by default). */
export function createLibrary(engine: SearchEngine = createEngine()): Library {
  return { engine, articles: new Map(), terms: createTermStore() };
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
  if (existing !== undefined) library.engine.remove(paragraphDocs(existing.article).map((doc) => doc.id));
  library.engine.add(paragraphDocs(article));
  library.articles.set(article.id, { article, hash, file });
  return existing === undefined ? 'created' : 'updated';
}

/**
 * Adds many articles at once (a rebuild): faster than one by one. When several files hold the
 * same id, {@link prefersFile} picks the one kept.
 */
export function putArticles(library: Library, entries: ReadonlyArray<{ article: Article; file: string }>): void {
  const fresh: ParagraphDoc[] = [];
  const chosen = new Map<string, { article: Article; file: string }>();
  for (const entry of entries) {
    const current = chosen.get(entry.article.id) ?? library.articles.get(entry.article.id);
    if (current === undefined || current.file === entry.file || prefersFile(entry.file, current.file, entry.article.id)) {
      chosen.set(entry.article.id, entry);
    }
  }
  for (const entry of chosen.values()) {
    const current = library.articles.get(entry.article.id);
    if (current !== undefined) {
      if (current.file === entry.file || prefersFile(entry.file, current.file, entry.article.id)) putArticle(library, entry.article, entry.file);
      continue;
    }
    library.articles.set(entry.article.id, { article: entry.article, hash: contentHash(entry.article), file: entry.file });
    fresh.push(...paragraphDocs(entry.article));
  }
  library.engine.add(fresh);
}

/** Removes an article and its paragraphs; returns what was removed, or `undefined` when unknown. */
export function deleteArticle(library: Library, id: string): StoredArticle | undefined {
  const existing = library.articles.get(id);
  if (existing === undefined) return undefined;
  library.engine.remove(paragraphDocs(existing.article).map((doc) => doc.id));
  library.articles.delete(id);
  return existing;
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
