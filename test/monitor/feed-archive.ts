/**
 * An archive with feed subscriptions on either backend, as `npm start` builds it: the embedded
 * backend over a corpus folder with its subscriptions file beside it, or the PostgreSQL backend
 * with its feeds table; a monitor whose fetches may reach loopback (the tests' servers) and whose
 * clock the test drives; and the app. `restart()` closes everything and opens it again on the
 * same folder or database: what survives is what was stored.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { SearchBackend } from '../../src/backends/backend.ts';
import { createCorpusState } from '../../src/backends/embedded/corpus-writer.ts';
import { createEmbeddedBackend } from '../../src/backends/embedded/embedded-backend.ts';
import { feedsFileOf, openFeedFileStore } from '../../src/backends/embedded/feed-file-store.ts';
import { openLibrary } from '../../src/backends/embedded/open-library.ts';
import type { FeedStore } from '../../src/backends/feed-store.ts';
import { createPostgresBackend } from '../../src/backends/postgres/index.ts';
import { openPostgresFeedStore } from '../../src/backends/postgres/feeds.ts';
import { fetchUrl } from '../../src/ingest/fetch-url.ts';
import { createFeedMonitor, type FeedMonitor } from '../../src/monitor/subscriptions.ts';
import { createApp } from '../../src/server/app.ts';
import type { WriteAccess } from '../../src/server/write-access.ts';
import { createNewsService, type NewsService } from '../../src/service/news-service.ts';
import { freshDatabase } from '../backends/postgres/database.ts';
import { tempDir } from '../helpers.ts';
import type { BackendKind } from '../contract.ts';
import { fakeClock, type FakeClock } from './fake-clock.ts';

export type FeedArchive = {
  readonly app: Hono;
  readonly service: NewsService;
  readonly monitor: FeedMonitor;
  readonly clock: FakeClock;
  /** Lines the monitor logged. */
  readonly logged: string[];
  restart(): Promise<void>;
  close(): Promise<void>;
};

/** An archive of `kind` (see the module's header); `writeAccess` as `createApp` takes it. */
export async function feedArchive(kind: BackendKind, options: { writeAccess?: WriteAccess; allowPrivate?: boolean } = {}): Promise<FeedArchive> {
  const clock = fakeClock();
  const logged: string[] = [];
  const log = (line: string) => logged.push(line);
  let dropStorage: () => Promise<void>;
  let openParts: () => Promise<{ backend: SearchBackend; store: FeedStore }>;
  if (kind === 'embedded') {
    const dir = await tempDir();
    const corpusDir = join(dir.path, 'corpus');
    await mkdir(corpusDir);
    dropStorage = dir.cleanup;
    openParts = async () => {
      const opened = await openLibrary({ corpusDir, indexDir: join(dir.path, 'index') });
      const backend = createEmbeddedBackend({ state: createCorpusState(opened.library, corpusDir, opened.files) });
      return { backend, store: await openFeedFileStore(feedsFileOf(corpusDir)) };
    };
  } else {
    const database = await freshDatabase();
    dropStorage = database.drop;
    openParts = async () => ({ backend: await createPostgresBackend({ url: database.url }), store: await openPostgresFeedStore({ url: database.url }) });
  }
  const build = async () => {
    const { backend, store } = await openParts();
    const service = createNewsService({ backend });
    const monitor = createFeedMonitor({
      store,
      fetch: (url, fetchOptions) => fetchUrl(url, { ...fetchOptions, allowPrivate: options.allowPrivate ?? true, headersTimeoutMs: 2000, bodyTimeoutMs: 2000 }),
      ingest: (articles) => service.ingest(articles),
      clock,
      log,
    });
    const app = createApp({ service, feeds: monitor, writeAccess: options.writeAccess ?? { host: '127.0.0.1' } });
    return { service, monitor, app };
  };
  let parts = await build();
  const closeParts = async () => {
    await parts.monitor.close();
    await parts.service.close();
  };
  return {
    get app() {
      return parts.app;
    },
    get service() {
      return parts.service;
    },
    get monitor() {
      return parts.monitor;
    },
    clock,
    logged,
    async restart() {
      await closeParts();
      parts = await build();
    },
    async close() {
      await closeParts();
      await dropStorage();
    },
  };
}
