/**
 * Shared test fixtures: the seed article, small libraries and services built per test.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Article } from '../src/ingest/article.ts';
import { articleFileContent, articleFileName, readArticleFile } from '../src/ingest/corpus.ts';
import { createLibrary, putArticles, type Library } from '../src/backends/embedded/library.ts';
import { createApp } from '../src/server/app.ts';
import type { WriteAccess } from '../src/server/write-access.ts';
import { openLibrary } from '../src/backends/embedded/open-library.ts';
import { createCorpusState } from '../src/backends/embedded/corpus-writer.ts';
import { createNewsService } from '../src/service/news-service.ts';
import { createEmbeddedBackend } from '../src/backends/embedded/embedded-backend.ts';

/** The seed article shipped in `corpus/`. */
export const SEED_PATH = new URL('../corpus/000_635337495ee4adb1.txt', import.meta.url).pathname;

/** Reads the seed article. */
export async function readSeed(): Promise<Article> {
  const [seed] = await readArticleFile(SEED_PATH);
  if (seed === undefined) throw new Error('the seed article did not parse');
  return seed;
}

/** A complete article for tests, with defaults for the fields a test does not care about. */
export function makeArticle(fields: Partial<Article> & { id: string; paragraphs: string[] }): Article {
  return { title: `Article ${fields.id}`, source: 'Test Wire', date: null, url: null, caption: null, dateline: null, byline: null, ...fields };
}

/** The n-th word of a list of distinct letter-only words (`ba`, `ca`, … `bb`, …). */
export function distinctWord(n: number): string {
  let word = '';
  for (let rest = n + 27; rest > 0; rest = Math.floor(rest / 26)) word += String.fromCharCode(97 + (rest % 26));
  return `q${word}`;
}

/** An article holding `count` distinct words, 1,000 to a paragraph. */
export function wordyArticle(id: string, count: number) {
  const words = Array.from({ length: count }, (_, i) => distinctWord(i));
  const paragraphs: string[] = [];
  for (let at = 0; at < words.length; at += 1000) paragraphs.push(words.slice(at, at + 1000).join(' '));
  return makeArticle({ id, title: 'Words', paragraphs });
}

/** A library holding `articles`. */
export function libraryOf(articles: readonly Article[]): Library {
  const library = createLibrary();
  putArticles(library, articles.map((article) => ({ article, file: `${article.id}.json` })));
  return library;
}

/** An app (no port) over an in-memory library holding `articles` (no corpus folder behind it). */
export function appOf(articles: readonly Article[]) {
  const state = createCorpusState(libraryOf(articles), '/nonexistent-corpus', []);
  return createApp({ service: createNewsService({ backend: createEmbeddedBackend({ state }) }) });
}

/** Writes `article` to `<dir>/<id>.json` as the service would (a test's starting corpus). */
export async function writeArticleFile(dir: string, article: Article): Promise<string> {
  const name = articleFileName(article.id);
  await writeFile(join(dir, name), articleFileContent(article));
  return name;
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'news-search-test-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A service and app over a fresh corpus folder (opened like `npm start` does), for write tests. */
export async function writableApp(options: { articles?: Article[]; writeAccess?: WriteAccess; maxBodyBytes?: number; indexDir?: boolean } = {}) {
  const dir = await tempDir();
  const corpusDir = join(dir.path, 'corpus');
  const indexDir = join(dir.path, 'index');
  await mkdir(corpusDir);
  for (const article of options.articles ?? []) await writeArticleFile(corpusDir, article);
  const opened = await openLibrary({ corpusDir, indexDir });
  const state = createCorpusState(opened.library, corpusDir, opened.files);
  const backend = createEmbeddedBackend({ state, indexDir: options.indexDir === false ? undefined : indexDir, manifest: opened.manifest, snapshotDelayMs: 10 });
  const service = createNewsService({ backend });
  const app = createApp({ service, writeAccess: options.writeAccess ?? { host: '127.0.0.1' }, maxBodyBytes: options.maxBodyBytes });
  return {
    app,
    service,
    backend,
    corpusDir,
    indexDir,
    cleanup: async () => {
      await service.close();
      await dir.cleanup();
    },
  };
}

/** The error `action` throws (fails the test when it throws nothing). */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, got none');
}


/** The project's root folder. */
export const PROJECT_ROOT = new URL('..', import.meta.url).pathname;

/** Runs the CLI from its sources (`src/cli.ts` through tsx) with `args` and `env` added to this process's; resolves with its exit code and output. */
export async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
