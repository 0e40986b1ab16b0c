/**
 * PostgreSQL failures as our error codes; the pools' connections.
 */
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createError, isServiceError } from '../../../src/errors.ts';
import { DEFAULT_SEARCH_REQUEST } from '../../../src/backends/backend.ts';
import { arrayLiteral, copyRows, openDatabase, translateError } from '../../../src/backends/postgres/connection.ts';
import { createPostgresBackend } from '../../../src/backends/postgres/index.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { makeArticle } from '../../helpers.ts';
import { freshDatabase } from './database.ts';

function codeOf(error: unknown): string | undefined {
  return isServiceError(error) ? error.code : undefined;
}

describe('translateError', () => {
  it('turns a full disk (SQLSTATE 53100) into insufficient_storage', () => {
    const error = translateError(Object.assign(new Error('could not extend file: No space left on device'), { code: '53100' }));
    expect(codeOf(error)).toBe('insufficient_storage');
  });

  it('turns a cancelled search and text PostgreSQL cannot store into bad_request', () => {
    expect(codeOf(translateError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })))).toBe('bad_request');
    expect(codeOf(translateError(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' })))).toBe('bad_request');
  });

  it('passes other failures and our own errors through unchanged', () => {
    const other = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    expect(translateError(other)).toBe(other);
    const ours = createError('not_found', 'article "x" is unknown');
    expect(translateError(ours)).toBe(ours);
  });
});

describe('the connection pools', () => {
  it('are all open, searched once each, when the backend is returned, and stay open while searches run', async () => {
    const database = await freshDatabase();
    const seeded = await createPostgresBackend({ url: database.url });
    await seeded.putArticles([
      makeArticle({ id: 'a1', paragraphs: ['Ferries crossed the strait at dawn.'] }),
      makeArticle({ id: 'a2', paragraphs: ['Ferries waited for the tide.'] }),
    ]);
    await seeded.close();
    const backend = await createPostgresBackend({ url: database.url, searchConnections: 3 });
    const counter = new pg.Client({ connectionString: database.url });
    await counter.connect();
    const open = async () =>
      Number((await counter.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows[0].n);
    try {
      // 3 search connections and 2 for writes.
      expect(await open()).toBe(5);
      await Promise.all(Array.from({ length: 6 }, () => backend.search(parseQuery('ferries'), DEFAULT_SEARCH_REQUEST)));
      expect(await open()).toBe(5);
    } finally {
      await counter.end();
      await backend.close();
      await database.drop();
    }
  });

  it("run a statement on a write connection when asked, so a writer's read never waits behind searches", async () => {
    const database = await freshDatabase();
    const db = openDatabase(database.url, () => undefined, 2);
    const pidOf = (rows: unknown[]) => (rows as Array<{ pid: number }>)[0]?.pid;
    const pidIn = (kind: 'write' | 'snapshot') => db.transaction(kind, async (client) => pidOf((await client.query('SELECT pg_backend_pid() AS pid')).rows));
    try {
      // Held at once, the transactions of each kind show every connection of its pool.
      const writers = new Set(await Promise.all([pidIn('write'), pidIn('write')]));
      const searchers = new Set(await Promise.all([pidIn('snapshot'), pidIn('snapshot')]));
      for (let round = 0; round < 4; round++) {
        expect(writers).toContain(pidOf(await db.query('SELECT pg_backend_pid() AS pid', [], 'write')));
        expect(searchers).toContain(pidOf(await db.query('SELECT pg_backend_pid() AS pid')));
      }
    } finally {
      await db.close();
      await database.drop();
    }
  });
});

/** `rows` in PostgreSQL's binary COPY format (the documented layout, written out here as the oracle), with a header extension of `extension`. */
function binaryCopy(rows: ReadonlyArray<ReadonlyArray<Uint8Array | null>>, extension: Uint8Array): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int(0, 4), int(extension.length, 4), Buffer.from(extension)];
  for (const row of rows) {
    parts.push(int(row.length, 2));
    for (const value of row) parts.push(...(value === null ? [int(-1, 4)] : [int(value.length, 4), Buffer.from(value)]));
  }
  parts.push(int(-1, 2));
  return Buffer.concat(parts);
}

/** `bytes` cut into chunks at `cuts` (each taken modulo the length; empty chunks included). */
function cut(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [0, ...cuts.map((n) => n % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  return at.slice(1).map((to, i) => bytes.subarray(at[i], to));
}

function int(value: number, bytes: 2 | 4): Buffer {
  const out = Buffer.alloc(bytes);
  if (bytes === 2) out.writeInt16BE(value);
  else out.writeInt32BE(value);
  return out;
}

describe('reading by COPY', () => {
  it('brings any text and bytes through arrayLiteral and COPY as they were, NULL as null, and refuses what is not binary COPY output', async () => {
    const database = await freshDatabase();
    const db = openDatabase(database.url, () => undefined, 1);
    try {
      await db.transaction('snapshot', async (client) => {
        await fc.assert(
          fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme' }).map((text) => text.replace(/\0/gu, '')), { maxLength: 6 }), fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 6 }), async (texts, numbers) => {
            const rows = await client.copyOut(`SELECT t, convert_to(t, 'UTF8') FROM unnest(${arrayLiteral(texts, 'text')}) WITH ORDINALITY AS u(t, o) ORDER BY o`);
            expect(rows.map(([text]) => text?.toString('utf8'))).toEqual(texts);
            expect(rows.map(([, bytes]) => bytes)).toEqual(texts.map((text) => Buffer.from(text, 'utf8')));
            const ints = await client.copyOut(`SELECT n FROM unnest(${arrayLiteral(numbers, 'int')}) WITH ORDINALITY AS u(n, o) ORDER BY o`);
            expect(ints.map(([n]) => n?.readInt32BE(0))).toEqual(numbers);
          }),
          { numRuns: 60 },
        );
        expect(await client.copyOut("SELECT NULL::bytea, '\\x00ff'::bytea")).toEqual([[null, Buffer.from([0, 255])]]);
        expect(await client.copyOut('SELECT 1 WHERE false')).toEqual([]);
      });
    } finally {
      await db.close();
      await database.drop();
    }
    expect(() => copyRows([Buffer.from('1\t2\n')])).toThrow(/binary signature/u);
  });

  it('reads the same rows from binary COPY output however it is cut into chunks, and refuses output cut short', () => {
    const field = fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { maxLength: 8 }), fc.uint8Array({ maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (rows, extension, cuts) => {
        const bytes = binaryCopy(rows, extension);
        const expected = rows.map((row) => row.map((value) => (value === null ? null : Buffer.from(value))));
        expect(copyRows(cut(bytes, cuts))).toEqual(expected);
        expect(() => copyRows(cut(bytes.subarray(0, bytes.length - 1), cuts))).toThrow(/cut short|binary signature/u);
      }),
      { numRuns: 300 },
    );
  });
});
