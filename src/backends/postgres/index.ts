/**
 * @module backends/postgres
 * The PostgreSQL backend of SPEC §9: the database is the store of record and the index, the
 * Node process keeps no per-article state, so several servers can share one database and a
 * write through one is searchable through all once it commits.
 *
 * Layers: `connection` (pool, transactions, errors) and `migrations`/`schema` on start;
 * `article-rows` (our analyzer, in Node) and `write` for writes; `expand`, `query-plan`,
 * `compile`, `rank` and `search` for a search; `suggest`, `stats`, `articles` for the rest.
 */
import { messageOf } from '../../errors.ts';
import type { Article } from '../../ingest/article.ts';
import { parseQuery } from '../../search/query-parser.ts';
import { DEFAULT_SEARCH_REQUEST, type SearchBackend } from '../backend.ts';
import { readArticles } from './articles.ts';
import { backfillCopies, readCopies, readCopyClusters } from './copies.ts';
import { openDatabase, type Database } from './connection.ts';
import { migrate } from './migrations.ts';
import { orderPostings, type OrderedPostings } from './postings.ts';
import { PLANNER_SETTINGS, runSearch, searchIn } from './search.ts';
import { readMetrics, readStats } from './stats.ts';
import { suggestWords } from './suggest.ts';
import { removeArticle, writeArticles } from './write.ts';

/** How to reach the database, and where to say what happened (nothing is printed otherwise). */
export type PostgresBackendOptions = {
  url: string;
  log?: (line: string) => void;
  /** Searches this server runs in the database at once (default 4, `SEARCH_CONNECTIONS` in connection.ts); more wait their turn here. */
  searchConnections?: number;
};

/**
 * The backend, and the one step of upkeep an operator runs: {@link orderPostings}, after a bulk
 * import (`npm run import` runs it when it wrote a tenth of the archive or more).
 */
export type PostgresBackend = SearchBackend & { orderPostings(): Promise<OrderedPostings> };

/**
 * Connects to the database at `url`, applies the schema's pending migrations, and returns the
 * backend. Throws when the database cannot be reached or migrated.
 *
 * @example
 * const backend = await createPostgresBackend({ url: process.env.DATABASE_URL ?? '' });
 * await backend.putArticles([article]);
 * (await backend.search(parseQuery('ceasefire'), DEFAULT_SEARCH_REQUEST)).total
 */
export async function createPostgresBackend({ url, log = () => undefined, searchConnections }: PostgresBackendOptions): Promise<PostgresBackend> {
  const db = openDatabase(url, log, searchConnections);
  try {
    await migrate(db, log);
    const backfilled = await backfillCopies(db);
    if (backfilled > 0) log(`postgres: recorded the copy prints of ${backfilled} articles written before copy detection`);
    await warmConnections(db);
  } catch (error) {
    await db.close();
    throw new Error(`postgres: cannot prepare the database: ${messageOf(error)}`, { cause: error });
  }
  return {
    search: (query, request) => runSearch(db, query, request),
    copiesOf: (id) => db.transaction('snapshot', (client) => readCopies(client, id)),
    copyClusters: (ids) => db.transaction('snapshot', (client) => readCopyClusters(client, ids)),
    async getArticle(id: string): Promise<Article | undefined> {
      return db.transaction('snapshot', async (client) => (await readArticles(client, [id])).get(id));
    },
    putArticles: (articles) => writeArticles(db, articles),
    deleteArticle: (id) => removeArticle(db, id),
    suggest: (prefix, limit) => suggestWords(db, prefix, limit),
    stats: () => readStats(db),
    metrics: () => readMetrics(db),
    orderPostings: () => orderPostings(db),
    close: () => db.close(),
  };
}

/**
 * Opens every connection and runs a search of each kind on each search connection before the
 * first request: the word searched is the vocabulary's rarest in more than one article (a
 * search of a word takes the posting blocks; the same word grouped by article, the SQL
 * statement). Nothing to search in an empty database.
 */
async function warmConnections(db: Database): Promise<void> {
  const rows = (await db.query('SELECT word FROM words WHERE articles > 1 ORDER BY articles, word LIMIT 1')) as Array<{ word: string }>;
  const word = rows[0]?.word;
  await db.warm(async (client) => {
    if (word === undefined) return;
    const query = parseQuery(word);
    await searchIn(client, query, DEFAULT_SEARCH_REQUEST);
    await searchIn(client, query, { ...DEFAULT_SEARCH_REQUEST, group: 'article' });
  }, PLANNER_SETTINGS);
}
