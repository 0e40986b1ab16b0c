/**
 * A fresh database per test file on the server the global setup provides, and a backend on it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { SearchBackend } from '../../../src/backends/backend.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { withDatabase } from '../../../src/backends/postgres/url.ts';

/** The URL of the server's admin role; throws what to install when there is no server. */
export function serverUrl(): string {
  const postgres = inject('postgres');
  if ('error' in postgres) throw new Error(postgres.error);
  return postgres.url;
}

/** Creates an empty database; returns its URL and how to drop it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = serverUrl();
  const name = `news_test_${randomBytes(6).toString('hex')}`;
  // The URL first: one that cannot be made must not leave a database behind. withDatabase also
  // takes a unix-socket URL without a host (postgres://user@/db?host=/run/postgresql).
  const url = withDatabase(admin, name);
  await queryOn(admin, `CREATE DATABASE ${name} TEMPLATE template0`);
  return { url, drop: async () => void (await queryOn(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

/** A backend over a fresh database, and how to close it and drop the database. */
export async function freshBackend(): Promise<{ backend: SearchBackend; url: string; cleanup: () => Promise<void> }> {
  const database = await freshDatabase();
  const backend = await createPostgresBackend({ url: database.url });
  return {
    backend,
    url: database.url,
    cleanup: async () => {
      await backend.close();
      await database.drop();
    },
  };
}

/** Runs one statement on its own connection to `url`; resolves with its rows. */
export async function queryOn(url: string, text: string, values?: unknown[]): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as unknown[];
  } finally {
    await client.end();
  }
}

/**
 * A backend over a fresh database for the tests of one file: created before them, closed and
 * dropped after them. Read `.backend` inside the tests.
 */
export function useFreshBackend(): { readonly backend: SearchBackend; readonly url: string } {
  let fresh: Awaited<ReturnType<typeof freshBackend>> | undefined;
  beforeAll(async () => {
    fresh = await freshBackend();
  });
  afterAll(async () => {
    await fresh?.cleanup();
  });
  return {
    get backend() {
      if (fresh === undefined) throw new Error('the backend is made in beforeAll');
      return fresh.backend;
    },
    get url() {
      if (fresh === undefined) throw new Error('the backend is made in beforeAll');
      return fresh.url;
    },
  };
}

/**
 * The posting blocks stored after a block of an earlier lexeme, or of the same lexeme with a
 * later number (in the heap's order, by `ctid`): 0 when the table is in order of lexeme and block.
 */
export async function blocksOutOfOrder(url: string): Promise<number> {
  const [row] = (await queryOn(
    url,
    `SELECT count(*)::int AS count FROM (
       SELECT lexeme, block, lag(lexeme) OVER w AS before_lexeme, lag(block) OVER w AS before_block FROM postings WINDOW w AS (ORDER BY ctid)
     ) AS t WHERE lexeme < before_lexeme OR (lexeme = before_lexeme AND block < before_block)`,
  )) as [{ count: number }];
  return row.count;
}

/** The pages of the postings table, and of them those its visibility map marks all-visible (what an index-only scan of its ranges needs). */
export async function visiblePostingPages(url: string): Promise<{ visible: number; pages: number }> {
  const [row] = (await queryOn(url, "SELECT relallvisible AS visible, relpages AS pages FROM pg_class WHERE relname = 'postings'")) as [{ visible: number; pages: number }];
  return row;
}
