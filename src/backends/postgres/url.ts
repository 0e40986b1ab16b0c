/**
 * @module backends/postgres/url
 * The parts of a `postgres://` URL that messages and the benchmark need, from the text itself:
 * the URL parser refuses a unix-socket URL without a host (`postgres://news@/news?host=/run/postgresql`).
 */

/** Matches a `postgres://` URL split into what comes before the database path, the path, and the query string. */
const URL_PARTS_RE = /^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/;

/** Matches the password of a URL's user info (`//user:password@`). */
const PASSWORD_RE = /^(postgres(?:ql)?:\/\/[^:/?#@]*):[^@/?#]*@/;

/**
 * `url` with its database replaced by `name`; the user, host and `?host=` socket folder stay.
 * Throws for what is not a `postgres://` URL.
 *
 * @example
 * withDatabase('postgres://root@/postgres?host=/var/run/postgresql', 'bench_0a1b2c3d4e5f')
 * // 'postgres://root@/bench_0a1b2c3d4e5f?host=/var/run/postgresql'
 */
export function withDatabase(url: string, name: string): string {
  const parts = URL_PARTS_RE.exec(url);
  if (parts === null) throw new Error(`not a postgres:// URL: "${url}"`);
  return `${parts[1]}/${encodeURIComponent(name)}${parts[3] ?? ''}`;
}

/**
 * `url` with its password (if any) masked, for messages.
 *
 * @example
 * redactUrl('postgres://bench:s3cret@db/news') // 'postgres://bench:***@db/news'
 */
export function redactUrl(url: string): string {
  return url.replace(PASSWORD_RE, '$1:***@');
}

/**
 * The database of a PostgreSQL URL, for messages: host (for a unix socket, its directory from
 * `?host=`), port and database, never the user or password.
 *
 * @example
 * databaseName('postgres://news:s3cret@db:5432/news') // 'db:5432/news'
 * databaseName('postgres://news@/news?host=/var/run/postgresql') // '/var/run/postgresql/news'
 */
export function databaseName(url: string): string {
  const parts = URL_PARTS_RE.exec(url);
  if (parts === null) return 'the database of DATABASE_URL';
  const authority = (parts[1] as string).replace(/^postgres(?:ql)?:\/\//u, '');
  const host = authority.slice(authority.lastIndexOf('@') + 1) || new URLSearchParams(parts[3] ?? '').get('host') || 'localhost';
  return `${host}${parts[2] ?? ''}`;
}
