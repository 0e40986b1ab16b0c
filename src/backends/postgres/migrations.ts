/**
 * @module backends/postgres/migrations
 * Applies the schema's migrations on start: those not yet recorded in `schema_migrations`, in
 * order, all in one transaction, under an advisory lock so that two servers starting at once
 * apply each migration once (the second waits, then finds nothing left to do); then the `after`
 * statements of those applied, each on its own (upkeep that cannot run in a transaction).
 */
import { messageOf } from '../../errors.ts';
import { ANALYZER_VERSION } from '../../text/analyzer.ts';
import type { Database, Queryable } from './connection.ts';
import { MIGRATIONS, type Migration } from './schema.ts';

/** The advisory lock key of schema changes (any constant; "news" in ASCII). */
const MIGRATION_LOCK = 0x6e657773;

/**
 * Brings the schema up to date; returns the versions it applied (empty when there was none to
 * apply). Throws when the database was indexed by another version of the analyzer: its terms
 * would not be ours, and it must be re-imported.
 */
export async function migrate(db: Database, log: (line: string) => void, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const done = await applyMigrations(db, log, migrations);
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.after === undefined || !done.includes(migration.version)) continue;
    // The schema is up to date without it: a failure is the operator's to retry, not a refusal to start.
    try {
      await db.query(migration.after, [], 'write');
    } catch (error) {
      log(`postgres: after migration ${migration.version}, ${migration.after} failed (${messageOf(error)}); searches are slower until it is run by hand`);
    }
  }
  return done;
}

/** Applies the migrations not yet recorded, in one transaction; returns their versions. */
async function applyMigrations(db: Database, log: (line: string) => void, migrations: readonly Migration[]): Promise<number[]> {
  return db.transaction('write', async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => Number((row as { version: unknown }).version)));
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      log(`postgres: applying migration ${migration.version} (${migration.name})`);
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      done.push(migration.version);
    }
    await checkAnalyzer(client);
    return done;
  });
}

/** Records our analyzer's version in an empty database; refuses one indexed by another version. */
async function checkAnalyzer(client: Queryable): Promise<void> {
  const { rows } = await client.query('SELECT articles, analyzer_version FROM corpus_totals FOR UPDATE');
  const row = rows[0] as { articles: unknown; analyzer_version: unknown } | undefined;
  if (row === undefined) throw new Error('postgres: corpus_totals has no row; the schema is damaged');
  const version = row.analyzer_version === null ? null : Number(row.analyzer_version);
  if (version === ANALYZER_VERSION) return;
  if (version !== null && Number(row.articles) > 0) {
    throw new Error(`postgres: the database was indexed with analyzer version ${version}, this server has version ${ANALYZER_VERSION}; import the corpus into a fresh database`);
  }
  await client.query('UPDATE corpus_totals SET analyzer_version = $1', [ANALYZER_VERSION]);
}
