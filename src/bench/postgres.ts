/**
 * @module bench/postgres
 * The PostgreSQL backend's side of `--backend postgres`, in its own worker process: the corpus
 * imported through `putArticles` in batches (the import rate), then each query run through the
 * service's whole search path (`searchBackend`: parse, `backend.search`, `dressSearch`), as a
 * server with `DATABASE_URL` runs it.
 */
import { performance } from 'node:perf_hooks';
import { createPostgresBackend, type PostgresBackend } from '../backends/postgres/index.ts';
import { ordersAfterImport } from '../backends/postgres/postings.ts';
import { IMPORT_IN_FLIGHT, putInBatches } from '../backends/put-in-batches.ts';
import type { SearchBackend } from '../backends/backend.ts';
import { messageOf } from '../errors.ts';
import { DEFAULT_SEARCH_PARAMS, searchBackend } from '../service/search-service.ts';
import { corpusCopies, loadCorpus } from './corpus.ts';
import type { Imported, QueryBatch } from './protocol.ts';
import { serviceSyntax, type BenchQuery } from './queries.ts';
import type { SessionContext } from './session.ts';

/** Batches between two progress lines of the import (500 articles each: about 2,800 paragraphs). */
const PROGRESS_EVERY_BATCHES = 40;

/** The phases of the PostgreSQL side. */
export type PostgresSession = {
  /** Reads the corpus ×`scale` and writes it into the database at `url` (empty, or one a stopped run left: what is there comes back `unchanged`), `batchSize` articles per `putArticles`. */
  import(corpusPath: string, scale: number, url: string, batchSize: number): Promise<Imported>;
  warmup(queries: readonly BenchQuery[]): Promise<void>;
  run(queries: readonly BenchQuery[], collectFirst: boolean): Promise<QueryBatch>;
  /** Closes the backend's pool (the parent drops the database). */
  close(): Promise<void>;
};

/** Creates the PostgreSQL side; nothing is connected before {@link PostgresSession.import}. */
export function createPostgresSession(context: SessionContext): PostgresSession {
  const { collect, progress } = context;
  let backend: PostgresBackend | undefined;
  const connected = (): SearchBackend => {
    if (backend === undefined) throw new Error('the postgres side got queries before its import');
    return backend;
  };
  const search = async (query: BenchQuery): Promise<number> => (await searchBackend(connected(), serviceSyntax(query), { ...DEFAULT_SEARCH_PARAMS })).total;
  return {
    async import(corpusPath, scale, url, batchSize) {
      progress(`postgres: reading ${corpusPath} (written ×${scale})`);
      // The copies are made as they are written: at 100× the corpus would not fit in memory.
      let { articles } = await loadCorpus(corpusPath, 1);
      const count = articles.length * scale;
      const paragraphs = articles.reduce((sum, article) => sum + article.paragraphs.length, 0) * scale;
      // Connecting and migrating the fresh database is set-up, not import: outside the clock.
      backend = await createPostgresBackend({ url, log: progress });
      collect();
      progress(`postgres: importing ${paragraphs} paragraphs, ${batchSize} articles per putArticles`);
      const started = performance.now();
      let batches = 0;
      let unchanged = 0;
      await putInBatches(backend, corpusCopies(articles, scale), {
        batchSize,
        inFlight: IMPORT_IN_FLIGHT,
        onBatch: (results) => {
          batches++;
          unchanged += results.filter((result) => result.status === 'unchanged').length;
          if (batches % PROGRESS_EVERY_BATCHES === 0) progress(`postgres: ${Math.min(batches * batchSize, count)} of ${count} articles imported`);
        },
      });
      const importMs = performance.now() - started;
      // Drop our own references: the side keeps nothing per article once the database has it.
      articles = [];
      collect();
      // As `npm run import` ends: the posting blocks ordered by word when it wrote a tenth of the archive or more.
      let orderMs: number | null = null;
      if (ordersAfterImport(count - unchanged, count)) {
        progress('postgres: ordering the posting blocks by word');
        const ordering = performance.now();
        await backend.orderPostings();
        orderMs = performance.now() - ordering;
      }
      return { articles: count, paragraphs, importMs, batches, unchanged, orderMs };
    },
    async warmup(queries) {
      progress(`postgres: warm-up, ${queries.length} queries`);
      for (const query of queries) await search(query).catch(() => undefined);
    },
    async run(queries, collectFirst) {
      if (collectFirst) collect();
      const samples: number[] = [];
      const totals: Array<number | null> = [];
      let errors = 0;
      let firstError: string | null = null;
      let matches = 0;
      for (const query of queries) {
        const started = performance.now();
        try {
          const total = await search(query);
          matches += total;
          totals.push(total);
        } catch (error) {
          // The 3 s statement timeout refuses a query as `bad_request`: counted, timed, not fatal.
          errors++;
          firstError ??= `${query.words.join(' ')}: ${messageOf(error)}`;
          totals.push(null);
        }
        samples.push(performance.now() - started);
      }
      return { samples, errors, firstError, matches, totals };
    },
    async close() {
      await backend?.close();
      backend = undefined;
    },
  };
}
