/**
 * The parts of a `postgres://` URL (backends/postgres/url.ts): another database on the same
 * server, a URL fit for a message, and the database a message names.
 */
import { describe, expect, it } from 'vitest';
import { databaseName, redactUrl, withDatabase } from '../../../src/backends/postgres/url.ts';

describe('withDatabase', () => {
  it('replaces the database of a unix-socket URL, keeping the user and the socket folder', () => {
    expect(withDatabase('postgres://root@/postgres?host=/var/run/postgresql', 'bench_0a1b2c3d4e5f')).toBe('postgres://root@/bench_0a1b2c3d4e5f?host=/var/run/postgresql');
  });

  it('replaces the database of a TCP URL with credentials and port', () => {
    expect(withDatabase('postgresql://u:p@db.example:5433/news?sslmode=require', 'bench_1')).toBe('postgresql://u:p@db.example:5433/bench_1?sslmode=require');
  });

  it('adds a database to a URL that names none', () => {
    expect(withDatabase('postgres://localhost', 'bench_1')).toBe('postgres://localhost/bench_1');
    expect(withDatabase('postgres://localhost?host=/tmp', 'bench_1')).toBe('postgres://localhost/bench_1?host=/tmp');
  });

  it('throws for what is not a postgres URL, naming it', () => {
    expect(() => withDatabase('mysql://localhost/db', 'bench_1')).toThrow('not a postgres:// URL: "mysql://localhost/db"');
  });
});

describe('redactUrl', () => {
  it('masks the password and leaves a URL without one alone', () => {
    expect(redactUrl('postgres://bench:s3cret@db.example:5432/news?sslmode=require')).toBe('postgres://bench:***@db.example:5432/news?sslmode=require');
    expect(redactUrl('postgres://root@/postgres?host=/var/run/postgresql')).toBe('postgres://root@/postgres?host=/var/run/postgresql');
  });
});

describe('databaseName', () => {
  it('names the host, port and database of a TCP URL, without its user or password', () => {
    expect(databaseName('postgresql://news:s3cret@db.example:5433/news?sslmode=require')).toBe('db.example:5433/news');
    expect(databaseName('postgres://localhost')).toBe('localhost');
  });

  it('names the socket folder of a unix-socket URL, which the URL parser refuses', () => {
    expect(databaseName('postgres://root@/news?host=/var/run/postgresql')).toBe('/var/run/postgresql/news');
    expect(databaseName('postgres:///news')).toBe('localhost/news');
  });

  it('falls back to a phrase for what is not a postgres URL', () => {
    expect(databaseName('mysql://db/news')).toBe('the database of DATABASE_URL');
  });
});
