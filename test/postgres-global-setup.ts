/**
 * Vitest global setup: a PostgreSQL server for the tests of the PostgreSQL backend. With
 * `TEST_DATABASE_URL` set, that server (the URL of a role that may create databases). Otherwise a
 * throwaway cluster: `initdb` into a temporary folder and `pg_ctl start` on a unix socket in it
 * (as the `postgres` user when run as root), stopped and removed at the end. Each test file
 * creates its own database (test/backends/postgres/database.ts). Without either, the tests fail
 * with what to install: they are never skipped.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of a PostgreSQL role allowed to create databases, or the reason there is none. */
    postgres: { url: string } | { error: string };
  }
}

/** Where Debian installs each PostgreSQL version's programs. */
const POSTGRES_ROOT = '/usr/lib/postgresql';
/** Oldest PostgreSQL the backend supports (SPEC §9). */
const MIN_VERSION = 15;
/** What a developer or CI installs to run these tests (.ci/run does it in CI). */
const INSTALL_HINT = 'apt-get install -y postgresql-15 postgresql-15-rum postgresql-contrib';

export default function setup(project: TestProject): (() => void) | undefined {
  const given = process.env.TEST_DATABASE_URL;
  if (given !== undefined && given !== '') {
    project.provide('postgres', { url: given });
    return undefined;
  }
  const bin = findBinaries();
  if (bin === null) {
    project.provide('postgres', { error: `PostgreSQL ${MIN_VERSION}+ is not installed under ${POSTGRES_ROOT} and TEST_DATABASE_URL is not set: run "${INSTALL_HINT}"` });
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'news-search-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (program: string, args: string[]): void => {
    const command = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args];
    execFileSync(command[0] as string, command[1] as string[], { stdio: 'pipe' });
  };
  try {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    const data = join(dir, 'data');
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // Durability is not under test here: no fsync makes each test database quick to create.
    const options = `-c listen_addresses='' -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    run('pg_ctl', ['start', '-D', data, '-w', '-l', join(dir, 'server.log'), '-o', options]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message : String(error);
    project.provide('postgres', { error: `could not start a throwaway PostgreSQL cluster with ${bin} (${reason}); install it ("${INSTALL_HINT}") or set TEST_DATABASE_URL` });
    return undefined;
  }
  project.provide('postgres', { url: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(dir)}` });
  return () => {
    try {
      run('pg_ctl', ['stop', '-D', join(dir, 'data'), '-m', 'immediate', '-w']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The folder of the newest installed PostgreSQL's programs, when it is recent enough. */
function findBinaries(): string | null {
  if (!existsSync(POSTGRES_ROOT)) return null;
  const versions = readdirSync(POSTGRES_ROOT)
    .map(Number)
    .filter((version) => version >= MIN_VERSION && existsSync(join(POSTGRES_ROOT, String(version), 'bin', 'initdb')))
    .sort((a, b) => b - a);
  return versions.length === 0 ? null : join(POSTGRES_ROOT, String(versions[0]), 'bin');
}
