/**
 * @module backends/postgres/connection
 * The connection pool, transactions, and the translation of PostgreSQL's failures into our error
 * codes: a full disk is `insufficient_storage` (SPEC §5), text PostgreSQL cannot store (a NUL
 * character) is `bad_request`, a search cancelled by its time limit is `bad_request` as the
 * embedded backend's query budget is. This is the one module that imports `pg`.
 */
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createError, isServiceError, messageOf } from '../../errors.ts';
import { overBudget, QUERY_BUDGET_MS } from '../../search/ranking.ts';

/** A client on which queries run, inside a transaction or not. */
export type Queryable = { query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> };

/**
 * A client of a transaction, which can also read by COPY: `copyOut` runs `COPY (select) TO
 * STDOUT` in PostgreSQL's binary format and returns each row's fields as bytes (null for NULL).
 * A bytea comes as it is stored, where a query's result brings it as hex text, twice its size,
 * made by the server and parsed here (at 100x Reuters, the posting blocks of an AND of two terms
 * read that way took the benchmark's median from 43-49 to 33-34 ms). COPY takes no parameters:
 * values go into `select` through {@link arrayLiteral}.
 */
export type Reader = Queryable & { copyOut(select: string): Promise<Array<Array<Buffer | null>>> };

/** The pool of connections to the database. */
export type Database = {
  /**
   * Runs one statement outside any transaction, on a search connection, or on a write connection
   * with `pool` 'write' (a writer's read must not wait behind searches).
   */
  query(text: string, values?: unknown[], pool?: Pool): Promise<unknown[]>;
  /**
   * Runs `work` in a transaction of the given kind; commits when it resolves, rolls back when it
   * throws. `setup` (statements without parameters, e.g. `SET LOCAL`s) is sent with the `BEGIN`,
   * in the same round trip.
   */
  transaction<T>(kind: TransactionKind, work: (client: Reader) => Promise<T>, setup?: string): Promise<T>;
  /**
   * Opens every connection of both pools at once and runs `work` in a read-only snapshot on each
   * search connection: a new connection's first statements pay for its backend process and its
   * empty caches (about 30 ms a search here), which a request should not.
   */
  warm(work: (client: Reader) => Promise<void>, setup?: string): Promise<void>;
  close(): Promise<void>;
};

/** The connections a statement runs on: those of searches, or those of writes. */
export type Pool = 'search' | 'write';

/** `write`: read committed, for writes; `snapshot`: one read-only snapshot, for a search. */
export type TransactionKind = 'write' | 'snapshot';

/**
 * Default searches (and other reads) one server runs in the database at once; more wait for a
 * connection here. Searches of common words keep a database core busy each: more of them at once
 * than the database has cores only slow each other, and the writes, down.
 */
export const SEARCH_CONNECTIONS = 4;
/**
 * Connections for writes, a pool of their own so that a write never waits for a connection
 * behind searches (writes take the same row locks, so more would only wait in the database).
 */
const WRITE_CONNECTIONS = 2;

/**
 * Times a write transaction is run when the database aborts it as a deadlock's victim or a
 * serialization failure: the transaction left nothing, and the work is the same again. Our
 * writers take their locks in one order, so this is for what they do not control (a lock an
 * operator's session holds, say).
 */
const WRITE_ATTEMPTS = 3;
/** Pause before running a write again, times the attempt, with jitter so that two victims do not meet again. */
const RETRY_PAUSE_MS = 50;

const BEGIN: Record<TransactionKind, string> = {
  write: 'BEGIN',
  snapshot: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
};

/**
 * Opens a pool on `url` (a `postgres://` URL; a unix socket folder goes in `?host=`).
 *
 * @example
 * const db = openDatabase('postgres://localhost/news');
 * await db.query('SELECT 1');
 */
export function openDatabase(url: string, log: (line: string) => void, searchConnections: number = SEARCH_CONNECTIONS): Database {
  // Connections stay open once opened (min = max): one closed when idle would be reopened cold.
  const reads = new pg.Pool({ connectionString: url, max: searchConnections, min: searchConnections });
  const writes = new pg.Pool({ connectionString: url, max: WRITE_CONNECTIONS, min: WRITE_CONNECTIONS });
  // An idle client losing its connection (the server restarting) must not crash the process.
  for (const pool of [reads, writes]) pool.on('error', (error) => log(`postgres: idle connection lost: ${messageOf(error)}`));
  return {
    async query(text, values, pool = 'search') {
      try {
        return (await (pool === 'write' ? writes : reads).query(text, values)).rows as unknown[];
      } catch (error) {
        throw translateError(error);
      }
    },
    async transaction(kind, work, setup) {
      for (let attempt = 1; ; attempt++) {
        const client = await (kind === 'write' ? writes : reads).connect().catch((error: unknown) => {
          throw translateError(error);
        });
        try {
          await client.query(beginning(kind, setup));
          const result = await work(queryable(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          // A write the database gave up on to break a lock cycle left nothing behind: run it again.
          if (kind !== 'write' || attempt === WRITE_ATTEMPTS || !isTransient(error)) throw translateError(error);
          log(`postgres: write transaction ${messageOf(error)} (SQLSTATE ${sqlState(error)}); running it again (attempt ${attempt + 1} of ${WRITE_ATTEMPTS})`);
        } finally {
          client.release();
        }
        await sleep(RETRY_PAUSE_MS * attempt * (0.5 + Math.random()));
      }
    },
    async warm(work, setup) {
      // Held together, the clients are distinct: the pool opens one per request.
      const held = await Promise.all([
        ...Array.from({ length: searchConnections }, () => reads.connect().then((client) => ({ client, search: true }))),
        ...Array.from({ length: WRITE_CONNECTIONS }, () => writes.connect().then((client) => ({ client, search: false }))),
      ]).catch((error: unknown) => {
        throw translateError(error);
      });
      try {
        await Promise.all(
          held.map(async ({ client, search }) => {
            if (!search) return;
            await client.query(beginning('snapshot', setup));
            try {
              await work(queryable(client));
            } finally {
              await client.query('ROLLBACK');
            }
          }),
        );
      } finally {
        for (const { client } of held) client.release();
      }
    },
    close: async () => {
      await Promise.all([reads.end(), writes.end()]);
    },
  };
}

/** `client` as a {@link Reader}. */
function queryable(client: pg.PoolClient): Reader {
  return {
    query: (text, values) => client.query(text, values),
    copyOut: (select) => copyOut(client, select),
  };
}

/** Bytes that open PostgreSQL's binary COPY format, before its flags and header extension. */
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Runs `COPY (select) TO STDOUT (FORMAT binary)` on `client`; see {@link Reader}. The rows are
 * read from the chunks as they came, not from one buffer of them all: a common word's blocks are
 * tens of megabytes, and a copy of them would double what a search holds at its peak.
 */
async function copyOut(client: pg.PoolClient, select: string): Promise<Array<Array<Buffer | null>>> {
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT binary)`))) chunks.push(chunk as Buffer);
  return copyRows(chunks);
}

/**
 * The rows of `chunks`, bytes in PostgreSQL's binary COPY format cut anywhere: the signature,
 * flags and a header extension, then per row its field count and each field's length (-1: NULL)
 * and bytes, then -1. A field within one chunk is a view of it, one across chunks a copy. Throws
 * on anything else.
 */
export function copyRows(chunks: readonly Buffer[]): Array<Array<Buffer | null>> {
  const bytes = new ChunkReader(chunks);
  if (!bytes.has(COPY_SIGNATURE.length + 8) || !bytes.take(COPY_SIGNATURE.length).equals(COPY_SIGNATURE)) throw new Error('postgres: COPY output without the binary signature');
  bytes.int(4); // flags
  bytes.take(bytes.int(4)); // header extension
  const rows: Array<Array<Buffer | null>> = [];
  for (;;) {
    const count = bytes.int(2);
    if (count === -1) return rows;
    const fields: Array<Buffer | null> = [];
    for (let field = 0; field < count; field++) {
      const length = bytes.int(4);
      fields.push(length < 0 ? null : bytes.take(length));
    }
    rows.push(fields);
  }
}

/** Reads bytes in order from a list of chunks. */
class ChunkReader {
  private index = 0;
  private at = 0;
  private left: number;

  constructor(private readonly chunks: readonly Buffer[]) {
    this.left = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /** True when `length` more bytes are left. */
  has(length: number): boolean {
    return length <= this.left;
  }

  /** The next signed big-endian integer of `size` bytes (without a view of them when they lie in one chunk, the common case). */
  int(size: 2 | 4): number {
    const chunk = this.chunks[this.index] as Buffer | undefined;
    if (chunk !== undefined && this.at + size <= chunk.length) {
      this.left -= size;
      this.at += size;
      return size === 2 ? chunk.readInt16BE(this.at - size) : chunk.readInt32BE(this.at - size);
    }
    const bytes = this.take(size);
    return size === 2 ? bytes.readInt16BE(0) : bytes.readInt32BE(0);
  }

  /** The next `length` bytes: a view of a chunk when they lie in one, else a copy. Throws when fewer are left. */
  take(length: number): Buffer {
    if (length > this.left) throw new Error('postgres: COPY output cut short');
    if (length === 0) return Buffer.alloc(0);
    this.left -= length;
    // Bytes are left, so a chunk with some follows any spent or empty ones.
    while (this.at === (this.chunks[this.index] as Buffer).length) this.next();
    const chunk = this.chunks[this.index] as Buffer;
    if (this.at + length <= chunk.length) {
      this.at += length;
      return chunk.subarray(this.at - length, this.at);
    }
    const out = Buffer.allocUnsafe(length);
    for (let filled = 0; filled < length; ) {
      if (this.at === (this.chunks[this.index] as Buffer).length) this.next();
      const from = this.chunks[this.index] as Buffer;
      const n = Math.min(length - filled, from.length - this.at);
      from.copy(out, filled, this.at, this.at + n);
      filled += n;
      this.at += n;
    }
    return out;
  }

  private next(): void {
    this.index++;
    this.at = 0;
  }
}

/**
 * An array of `values` as a SQL literal of `type`'s array (`'{"oil","gaza"}'::text[]`), for the
 * statements that take no parameters (COPY): each element quoted and escaped as an array element,
 * the whole escaped as a string literal, so any text stays one value.
 */
export function arrayLiteral(values: readonly (string | number)[], type: 'text' | 'int'): string {
  const elements = values.map((value) => (typeof value === 'number' ? String(Math.trunc(value)) : `"${value.replace(/["\\]/gu, (c) => `\\${c}`)}"`));
  return `${pg.escapeLiteral(`{${elements.join(',')}}`)}::${type}[]`;
}

/** `text` as a SQL string literal, for the statements that take no parameters (COPY). */
export function textLiteral(text: string): string {
  return pg.escapeLiteral(text);
}

/** The `BEGIN` of a transaction of `kind`, with its `setup` statements in the same round trip. */
function beginning(kind: TransactionKind, setup: string | undefined): string {
  return setup === undefined ? BEGIN[kind] : `${BEGIN[kind]}; ${setup}`;
}

/** True when PostgreSQL aborted a transaction that may succeed if run again: a deadlock's victim, a serialization failure. */
function isTransient(error: unknown): boolean {
  const state = sqlState(error);
  return state === SQLSTATE.deadlockDetected || state === SQLSTATE.serializationFailure;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** SQLSTATEs with a meaning for our callers. */
const SQLSTATE = {
  deadlockDetected: '40P01',
  serializationFailure: '40001',
  diskFull: '53100',
  queryCanceled: '57014',
  characterNotInRepertoire: '22021',
  untranslatableCharacter: '22P05',
  programLimitExceeded: '54000',
} as const;

/** The SQLSTATE of a PostgreSQL error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Our error for a PostgreSQL failure; other failures pass through unchanged. */
export function translateError(error: unknown): unknown {
  if (isServiceError(error)) return error;
  switch (sqlState(error)) {
    case SQLSTATE.diskFull:
      return createError('insufficient_storage', `the database is out of disk space; nothing of the request was written (${messageOf(error)})`);
    case SQLSTATE.queryCanceled:
      return overBudget(QUERY_BUDGET_MS);
    case SQLSTATE.characterNotInRepertoire:
    case SQLSTATE.untranslatableCharacter:
      return createError('bad_request', `an article holds text PostgreSQL cannot store (a NUL character?): ${messageOf(error)}`);
    case SQLSTATE.programLimitExceeded:
      return createError('bad_request', `an article is too large for the PostgreSQL index: ${messageOf(error)}`);
    default:
      return error;
  }
}
