/**
 * @module bench/database
 * The throwaway database of `--backend postgres`: created on the server of the given URL under a
 * fresh name (`bench_<random>`), or one such database an earlier run kept (`--resume-database`),
 * measured with `pg_database_size`, dropped at the end unless kept. The other benchmark databases
 * on the server are listed in the log with their sizes; no other database is read or written.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../backends/postgres/connection.ts';
import { redactUrl, withDatabase } from '../backends/postgres/url.ts';
import { messageOf } from '../errors.ts';
import { integer } from './format.ts';

/** Matches the names this module creates, and only those (so it can never drop or resume another database). */
export const BENCH_DATABASE_NAME_RE = /^bench_[0-9a-f]{12}$/;

/** A fresh database name: `bench_` and 12 hex digits. */
export function benchDatabaseName(random: () => Buffer = () => randomBytes(6)): string {
  return `bench_${random().toString('hex').slice(0, 12).padEnd(12, '0')}`;
}

/** The benchmark's database on the server. */
export type BenchDatabase = {
  name: string;
  /** The URL of the new database (for the worker). */
  url: string;
  /** The server's `server_version`. */
  serverVersion: string;
  /** `pg_database_size` of the benchmark's database, in bytes. */
  size(): Promise<number>;
  /** Drops the database (closing whatever connections remain) and closes the admin connection. */
  drop(): Promise<void>;
  /** Closes the admin connection and leaves the database on the server (`--keep-database`). */
  keep(): Promise<void>;
};

/**
 * Creates an empty database on the server of `url`, connecting to `url`'s own database only to
 * run `CREATE DATABASE` (and, at the end, `DROP DATABASE`).
 */
export async function createBenchDatabase(url: string, log: (line: string) => void): Promise<BenchDatabase> {
  return benchDatabase(url, benchDatabaseName(), 'create', log);
}

/**
 * The benchmark's database `name` (`bench_` and 12 hex digits) that an earlier run kept or left
 * on the server of `url`, to import into again (`--resume-database`). Throws when there is none.
 */
export async function resumeBenchDatabase(url: string, name: string, log: (line: string) => void): Promise<BenchDatabase> {
  if (!BENCH_DATABASE_NAME_RE.test(name)) throw new Error(`postgres: "${name}" is not a benchmark's database name (bench_ and 12 hex digits)`);
  return benchDatabase(url, name, 'resume', log);
}

/**
 * Logs the benchmark databases on the server besides `name` (kept by `--keep-database`, or left
 * by a run that was stopped), with their sizes: nothing else lists them, and at 100× one holds
 * tens of gigabytes.
 */
async function logOthers(admin: ReturnType<typeof openDatabase>, name: string, log: (line: string) => void): Promise<void> {
  const others = (await admin.query(
    "SELECT datname AS name, pg_database_size(datname)::text AS bytes FROM pg_database WHERE datname ~ '^bench_[0-9a-f]{12}$' AND datname <> $1 ORDER BY datname",
    [name],
  )) as Array<{ name: string; bytes: string }>;
  if (others.length === 0) return;
  const mb = (bytes: number) => `${integer(bytes / 1e6)} MB`;
  const total = others.reduce((sum, other) => sum + Number(other.bytes), 0);
  log(
    `postgres: ${others.length === 1 ? '1 database' : `${others.length} databases`} of earlier runs on this server, ${mb(total)} in all: ` +
      `${others.map((other) => `${other.name} (${mb(Number(other.bytes))})`).join(', ')}; resume one with --resume-database NAME, or DROP DATABASE it`,
  );
}

async function benchDatabase(url: string, name: string, how: 'create' | 'resume', log: (line: string) => void): Promise<BenchDatabase> {
  const admin = openDatabase(url, log);
  try {
    const [version] = (await admin.query('SHOW server_version')) as Array<{ server_version: string }>;
    if (how === 'create') {
      await admin.query(`CREATE DATABASE "${name}"`);
      log(`postgres: created database ${name} (PostgreSQL ${version?.server_version ?? '?'})`);
    } else {
      const found = await admin.query('SELECT pg_database_size($1)::text AS bytes FROM pg_database WHERE datname = $1', [name]);
      if (found.length === 0) throw new Error(`there is no database ${name}`);
      log(`postgres: resuming database ${name}, ${integer(Number((found[0] as { bytes: string }).bytes) / 1e6)} MB (PostgreSQL ${version?.server_version ?? '?'})`);
    }
    await logOthers(admin, name, log);
    return {
      name,
      url: withDatabase(url, name),
      serverVersion: version?.server_version ?? 'unknown',
      async size() {
        const [row] = (await admin.query('SELECT pg_database_size($1)::text AS bytes', [name])) as Array<{ bytes: string }>;
        return Number(row?.bytes ?? Number.NaN);
      },
      async drop() {
        if (!BENCH_DATABASE_NAME_RE.test(name)) throw new Error(`refusing to drop "${name}": not a benchmark database`);
        try {
          await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          log(`postgres: dropped database ${name}`);
        } finally {
          await admin.close();
        }
      },
      async keep() {
        await admin.close();
        log(`postgres: kept database ${name} (--keep-database): ${redactUrl(withDatabase(url, name))}`);
      },
    };
  } catch (error) {
    await admin.close();
    throw new Error(`postgres: cannot ${how} the benchmark's database ${how === 'resume' ? `${name} ` : ''}on ${redactUrl(url)}: ${messageOf(error)}`, { cause: error });
  }
}
