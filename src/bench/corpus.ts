/**
 * @module bench/corpus
 * The benchmark's articles: a corpus file read with the project's reader, repeated `scale`
 * times under new ids to show how the service grows.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ARTICLE_ID_RE, type Article } from '../ingest/article.ts';
import { formatOfPath, parseArticles } from '../ingest/formats.ts';

/** Articles read from one corpus file, with the file name the library records for them. */
export type BenchCorpus = { file: string; articles: Article[] };

/**
 * The id of copy `copy` (0-based) of an article: the original id for the first copy,
 * `<id>~<copy>` for the others (`~` never occurs in a corpus id, so copies cannot collide).
 *
 * @example
 * copyId('reuters-1', 2) // 'reuters-1~2'
 */
export function copyId(id: string, copy: number): string {
  return copy === 0 ? id : `${id}~${copy}`;
}

/**
 * Reads `path` (any format of SPEC §2, by extension) and repeats its articles `scale` times.
 * Each copy is parsed anew, so copies share no strings and the heap holds `scale` times the
 * text, as it would with that much real news. An id met twice in the file keeps its last article.
 */
export async function loadCorpus(path: string, scale: number): Promise<BenchCorpus> {
  const format = formatOfPath(path);
  if (format === null) throw new Error(`${path}: not a corpus file (use .jsonl, .json, .txt, .html or a feed)`);
  const content = await readFile(path, 'utf8');
  const byId = new Map<string, Article>();
  for (let copy = 0; copy < scale; copy++) {
    for (const article of parseArticles(content, format, path)) {
      const id = copyId(article.id, copy);
      byId.set(id, copy === 0 ? article : { ...article, id });
    }
  }
  return { file: basename(path), articles: [...byId.values()] };
}

/**
 * `articles` ×`scale` under {@link copyId}, a copy at a time, sharing the originals' strings: for
 * a side that writes them out and keeps none (the PostgreSQL import), where
 * {@link loadCorpus} holds every copy at once.
 *
 * @example
 * [...corpusCopies([article], 2)].flat().map((a) => a.id) // ['reuters-1', 'reuters-1~1']
 */
export function* corpusCopies(articles: readonly Article[], scale: number): Generator<Article[]> {
  for (let copy = 0; copy < scale; copy++) yield articles.map((article) => (copy === 0 ? article : { ...article, id: copyId(article.id, copy) }));
}

/** The paragraphs of `articles`, in order. */
export function paragraphTexts(articles: readonly Article[]): string[] {
  return articles.flatMap((article) => article.paragraphs);
}

/**
 * The id of copy `copy` (0-based) of an article in a corpus file a server reads: the original id
 * for the first copy, `<id>.copy<copy>` for the others. Unlike {@link copyId}, a valid article id
 * (a server validates what it reads), so it could in principle meet an id of the corpus:
 * {@link writeCorpusCopies} checks.
 *
 * @example
 * fileCopyId('reuters-1', 2) // 'reuters-1.copy2'
 */
export function fileCopyId(id: string, copy: number): string {
  return copy === 0 ? id : `${id}.copy${copy}`;
}

/**
 * Writes `articles` ×`scale` as one JSON Lines file at `path` (the corpus a server reads), copies
 * under {@link fileCopyId}; resolves to the counts written. Throws, naming it, when a copy's id
 * is no valid id or meets another.
 */
export async function writeCorpusCopies(path: string, articles: readonly Article[], scale: number): Promise<{ articles: number; paragraphs: number }> {
  const ids = new Set<string>();
  let paragraphs = 0;
  await writeFile(path, '');
  for (let copy = 0; copy < scale; copy++) {
    const lines: string[] = [];
    for (const article of articles) {
      const id = fileCopyId(article.id, copy);
      if (ids.has(id) || !ARTICLE_ID_RE.test(id)) throw new Error(`cannot write copy ${copy} of article "${article.id}" as "${id}": ${ids.has(id) ? 'that id is taken' : 'not a valid id'}`);
      ids.add(id);
      lines.push(JSON.stringify({ ...article, id }));
      paragraphs += article.paragraphs.length;
    }
    // One copy at a time: ten copies of Reuters never sit in memory as one string.
    await appendFile(path, `${lines.join('\n')}\n`);
  }
  return { articles: ids.size, paragraphs };
}
