import { describe, expect, it } from 'vitest';
import { DEFAULT_BENCH_OPTIONS, NO_CORPUS, parseBenchArgs } from '../../src/bench/args.ts';

describe('parseBenchArgs', () => {
  it('asks for a corpus, saying what to pass, when given none', () => {
    expect(parseBenchArgs([])).toEqual({ ok: false, message: NO_CORPUS });
    expect(parseBenchArgs(['--scale', '2'])).toEqual({ ok: false, message: NO_CORPUS });
    expect(NO_CORPUS).toContain('pass a JSON Lines file of articles');
  });

  it('takes the defaults for every option but the corpus', () => {
    expect(parseBenchArgs(['data.jsonl'])).toEqual({ ok: true, options: { corpusPath: 'data.jsonl', ...DEFAULT_BENCH_OPTIONS } });
  });

  it('reads the corpus path and every flag, spaced or with =', () => {
    const parsed = parseBenchArgs(['data.jsonl', '--scale', '4', '--queries=50', '--seconds', '2.5', '--connections', '4', '--seed', '9']);
    expect(parsed).toEqual({ ok: true, options: { ...DEFAULT_BENCH_OPTIONS, corpusPath: 'data.jsonl', scale: 4, queries: 50, seconds: 2.5, connections: 4, seed: 9 } });
  });

  it('refuses a scale that is not a positive integer, naming the flag and value', () => {
    expect(parseBenchArgs(['--scale', '0'])).toEqual({ ok: false, message: '--scale must be an integer ≥ 1, got "0"' });
    expect(parseBenchArgs(['--scale', '1.5'])).toMatchObject({ ok: false });
    expect(parseBenchArgs(['--scale'])).toEqual({ ok: false, message: '--scale must be an integer ≥ 1, got ""' });
  });

  it('refuses an unknown option and a second corpus', () => {
    expect(parseBenchArgs(['--fast'])).toEqual({ ok: false, message: 'unknown option "--fast"' });
    expect(parseBenchArgs(['a.jsonl', 'b.jsonl'])).toMatchObject({ ok: false });
  });

  it('answers help for --help', () => {
    expect(parseBenchArgs(['x.jsonl', '--help'])).toEqual({ ok: 'help' });
  });

  it('takes --backend postgres with --database-url, spaced or with =', () => {
    expect(parseBenchArgs(['c.jsonl', '--backend', 'postgres', '--database-url', 'postgres://u@/db?host=/run'])).toMatchObject({ ok: true, options: { backend: 'postgres', databaseUrl: 'postgres://u@/db?host=/run' } });
    expect(parseBenchArgs(['c.jsonl', '--backend=postgres', '--database-url=postgres://h/db'])).toMatchObject({ ok: true, options: { backend: 'postgres', databaseUrl: 'postgres://h/db' } });
  });

  it('falls back on DATABASE_URL, and prefers --database-url to it', () => {
    expect(parseBenchArgs(['c.jsonl', '--backend', 'postgres'], { DATABASE_URL: 'postgres://env/db' })).toMatchObject({ ok: true, options: { databaseUrl: 'postgres://env/db' } });
    expect(parseBenchArgs(['c.jsonl', '--backend', 'postgres', '--database-url', 'postgres://flag/db'], { DATABASE_URL: 'postgres://env/db' })).toMatchObject({ ok: true, options: { databaseUrl: 'postgres://flag/db' } });
  });

  it('refuses --backend postgres without a database URL, saying where to give one', () => {
    for (const env of [{}, { DATABASE_URL: '' }, { DATABASE_URL: '  ' }]) {
      const parsed = parseBenchArgs(['c.jsonl', '--backend', 'postgres'], env);
      expect(parsed).toMatchObject({ ok: false });
      if (parsed.ok === false) expect(parsed.message).toMatch(/--database-url.*DATABASE_URL/);
    }
  });

  it('takes --resume-database with the name of a benchmark database, keeping it, with --backend postgres only', () => {
    const env = { DATABASE_URL: 'postgres://env/db' };
    expect(parseBenchArgs(['c.jsonl', '--backend', 'postgres', '--resume-database', 'bench_0a1b2c3d4e5f'], env)).toMatchObject({ ok: true, options: { resumeDatabase: 'bench_0a1b2c3d4e5f', keepDatabase: true } });
    expect(parseBenchArgs(['c.jsonl', '--backend', 'postgres'], env)).toMatchObject({ ok: true, options: { resumeDatabase: null, keepDatabase: false } });
    expect(parseBenchArgs(['c.jsonl', '--backend', 'postgres', '--resume-database', 'news'], env)).toEqual({ ok: false, message: '--resume-database needs the name of a benchmark\'s database (bench_ and 12 hex digits), got "news"' });
    expect(parseBenchArgs(['c.jsonl', '--resume-database=bench_0a1b2c3d4e5f'])).toEqual({ ok: false, message: '--resume-database is for --backend postgres only' });
  });

  it('takes --postgres-only and --keep-database with --backend postgres only', () => {
    const both = parseBenchArgs(['c.jsonl', '--backend', 'postgres', '--postgres-only', '--keep-database'], { DATABASE_URL: 'postgres://env/db' });
    expect(both).toMatchObject({ ok: true, options: { postgresOnly: true, keepDatabase: true } });
    expect(parseBenchArgs(['c.jsonl', '--backend', 'postgres'], { DATABASE_URL: 'postgres://env/db' })).toMatchObject({ ok: true, options: { postgresOnly: false, keepDatabase: false } });
    expect(parseBenchArgs(['c.jsonl', '--postgres-only'])).toEqual({ ok: false, message: '--postgres-only is for --backend postgres only' });
    expect(parseBenchArgs(['c.jsonl', '--keep-database'])).toEqual({ ok: false, message: '--keep-database is for --backend postgres only' });
    expect(parseBenchArgs(['c.jsonl', '--backend', 'postgres', '--postgres-only=yes'], { DATABASE_URL: 'postgres://env/db' })).toEqual({ ok: false, message: 'unknown option "--postgres-only=yes"' });
  });

  it('stays embedded, without a URL, whatever DATABASE_URL says', () => {
    expect(parseBenchArgs(['c.jsonl'], { DATABASE_URL: 'postgres://env/db' })).toMatchObject({ ok: true, options: { backend: 'embedded', databaseUrl: null } });
  });

  it('refuses an unknown backend, an empty URL, and a URL without --backend postgres', () => {
    expect(parseBenchArgs(['c.jsonl', '--backend', 'sqlite'])).toEqual({ ok: false, message: '--backend must be embedded or postgres, got "sqlite"' });
    expect(parseBenchArgs(['c.jsonl', '--backend'])).toEqual({ ok: false, message: '--backend must be embedded or postgres, got ""' });
    expect(parseBenchArgs(['c.jsonl', '--backend', 'postgres', '--database-url'])).toMatchObject({ ok: false });
    expect(parseBenchArgs(['c.jsonl', '--database-url', 'postgres://h/db'])).toEqual({ ok: false, message: '--database-url is for --backend postgres only' });
  });
});
