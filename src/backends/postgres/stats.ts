/**
 * @module backends/postgres/stats
 * The counts of `/stats` from the database: articles, paragraphs and distinct stems from the
 * corpus tables, articles per source, and the size of the database; and the cheaper counts of
 * `/metrics`, read from the one row of `corpus_totals` that every write keeps up to date.
 */
import type { BackendMetrics, BackendStats } from '../backend.ts';
import type { Database } from './connection.ts';

/** The backend's stats. */
export async function readStats(db: Database): Promise<BackendStats> {
  return db.transaction('snapshot', async (client) => {
    const totals = await client.query(
      `SELECT articles::float8 AS articles, paragraphs::float8 AS paragraphs, (SELECT count(*) FROM stems)::float8 AS terms,
         pg_database_size(current_database())::float8 AS bytes FROM corpus_totals`,
    );
    const row = totals.rows[0] as { articles: number; paragraphs: number; terms: number; bytes: number };
    const bySource = await client.query(`SELECT coalesce(source, '(none)') AS source, count(*)::int AS articles FROM articles GROUP BY 1`);
    const sources: Record<string, number> = {};
    for (const entry of bySource.rows as Array<{ source: string; articles: number }>) sources[entry.source] = (sources[entry.source] ?? 0) + entry.articles;
    return { articles: row.articles, paragraphs: row.paragraphs, terms: row.terms, sources, backend: { name: 'postgres', databaseBytes: row.bytes } };
  });
}

/** The backend's counts for `/metrics`: one row, however large the archive. No snapshot: the database is the index. */
export async function readMetrics(db: Database): Promise<BackendMetrics> {
  const [row] = (await db.query('SELECT articles::float8 AS articles, paragraphs::float8 AS paragraphs FROM corpus_totals')) as Array<{ articles: number; paragraphs: number }>;
  if (row === undefined) throw new Error('postgres: corpus_totals holds no row');
  return { name: 'postgres', articles: row.articles, paragraphs: row.paragraphs, snapshot: null };
}
