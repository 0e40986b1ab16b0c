/**
 * The contract suite's backends (SPEC §9: both give the same answers): an app over the embedded
 * backend or over the PostgreSQL backend (a database of its own on the tests' server), holding
 * the articles a test gives. The contract tests run once per backend with `describe.each`.
 */
import type { Hono } from 'hono';
import type { SearchBackend } from '../src/backends/backend.ts';
import { createCorpusState } from '../src/backends/embedded/corpus-writer.ts';
import { createEmbeddedBackend } from '../src/backends/embedded/embedded-backend.ts';
import { createPostgresBackend } from '../src/backends/postgres/index.ts';
import type { Article } from '../src/ingest/article.ts';
import { createApp } from '../src/server/app.ts';
import type { WriteAccess } from '../src/server/write-access.ts';
import { createNewsService, type NewsService } from '../src/service/news-service.ts';
import { freshDatabase } from './backends/postgres/database.ts';
import { libraryOf, tempDir } from './helpers.ts';

/** The backends every contract test runs against. */
export const BACKENDS = ['embedded', 'postgres'] as const;
export type BackendKind = (typeof BACKENDS)[number];

/** An app over one backend, whose articles can be replaced between the runs of a property test. */
export type ContractArchive = {
  readonly app: Hono;
  readonly service: NewsService;
  /** Replaces every article of the archive with `articles` (the app stays the same). */
  load(articles: readonly Article[]): Promise<void>;
  close(): Promise<void>;
};

/**
 * An archive over a backend of `kind` holding `articles`.
 *
 * @example
 * const archive = await contractArchive('postgres', [await readSeed()]);
 * await archive.app.request('/search?q=ceasefire');
 */
export async function contractArchive(kind: BackendKind, articles: readonly Article[] = [], options: { writeAccess?: WriteAccess; observe?: (backend: SearchBackend) => SearchBackend; exportChunkHits?: number } = {}): Promise<ContractArchive> {
  let backend: SearchBackend;
  let drop = async () => {};
  let ids = new Set<string>();
  // The embedded backend writes to a corpus folder of its own; its starting articles are in memory only.
  const corpus = kind === 'embedded' ? await tempDir() : undefined;
  const embeddedOver = (next: readonly Article[]): SearchBackend =>
    createEmbeddedBackend({ state: createCorpusState(libraryOf(next), corpus?.path ?? '/nonexistent-corpus', []) });
  if (kind === 'embedded') {
    backend = embeddedOver(articles);
    drop = async () => corpus?.cleanup();
  } else {
    const database = await freshDatabase();
    backend = await createPostgresBackend({ url: database.url });
    drop = database.drop;
    if (articles.length > 0) await backend.putArticles(articles);
  }
  ids = new Set(articles.map((article) => article.id));
  // The service and app ask `current` each time, so the embedded backend can be replaced whole.
  let current = backend;
  const proxy: SearchBackend = {
    search: (query, request) => current.search(query, request),
    getArticle: (id) => current.getArticle(id),
    copiesOf: (id) => current.copiesOf(id),
    copyClusters: (ids) => current.copyClusters(ids),
    putArticles: (batch) => current.putArticles(batch),
    deleteArticle: (id) => current.deleteArticle(id),
    suggest: (prefix, limit) => current.suggest(prefix, limit),
    stats: () => current.stats(),
    metrics: () => current.metrics(),
    close: () => current.close(),
  };
  // A test may watch what the service asks of the backend.
  const service = createNewsService({ backend: options.observe?.(proxy) ?? proxy, ...(options.exportChunkHits === undefined ? {} : { exportChunkHits: options.exportChunkHits }) });
  const app = createApp({ service, writeAccess: options.writeAccess ?? { host: '127.0.0.1' } });
  return {
    app,
    service,
    async load(next) {
      if (kind === 'embedded') {
        current = embeddedOver(next);
      } else {
        for (const id of ids) await current.deleteArticle(id);
        if (next.length > 0) await current.putArticles(next);
      }
      ids = new Set(next.map((article) => article.id));
    },
    async close() {
      await current.close();
      await drop();
    },
  };
}
