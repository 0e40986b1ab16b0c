import { describe, expect, it } from 'vitest';
import { withDatabase } from '../../src/backends/postgres/url.ts';
import { benchDatabaseName, createBenchDatabase, resumeBenchDatabase } from '../../src/bench/database.ts';
import { queryOn, serverUrl } from '../backends/postgres/database.ts';

describe('benchDatabaseName', () => {
  it('is bench_ and 12 hex digits from the random bytes', () => {
    expect(benchDatabaseName(() => Buffer.from([0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f]))).toBe('bench_0a1b2c3d4e5f');
    expect(benchDatabaseName()).toMatch(/^bench_[0-9a-f]{12}$/);
  });
});

describe('createBenchDatabase', () => {
  it('creates a database that drop removes and keep leaves, each closing its connection', async () => {
    const server = serverUrl();
    const lines: string[] = [];
    const exists = async (name: string) => (await queryOn(server, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
    const dropped = await createBenchDatabase(server, (line) => lines.push(line));
    expect(await exists(dropped.name)).toBe(true);
    await dropped.drop();
    expect(await exists(dropped.name)).toBe(false);
    const kept = await createBenchDatabase(server, (line) => lines.push(line));
    await kept.keep();
    try {
      expect(await exists(kept.name)).toBe(true);
      expect(lines.at(-1)).toMatch(new RegExp(`^postgres: kept database ${kept.name} \\(--keep-database\\): postgres://`));
      // Its admin connection is closed: the pool answers no more.
      await expect(kept.size()).rejects.toThrow();
      // The next run lists it, with its size, among the databases earlier runs left.
      const next = await createBenchDatabase(server, (line) => lines.push(line));
      await next.drop();
      expect(lines.filter((line) => line.includes('of earlier runs on this server')).at(-1)).toMatch(new RegExp(`^postgres: \\d+ databases? of earlier runs on this server, [\\d,]+ MB in all: .*\\b${kept.name} \\([\\d,]+ MB\\)`));
    } finally {
      await queryOn(server, `DROP DATABASE IF EXISTS "${kept.name}"`);
    }
  });
});

describe('resumeBenchDatabase', () => {
  it('opens a database a run kept, with what it holds, and refuses one that is not there or not a benchmark\'s', async () => {
    const server = serverUrl();
    const lines: string[] = [];
    const kept = await createBenchDatabase(server, (line) => lines.push(line));
    await queryOn(withDatabase(server, kept.name), 'CREATE TABLE left_by_the_first_run (n int); INSERT INTO left_by_the_first_run VALUES (7)');
    await kept.keep();
    try {
      const resumed = await resumeBenchDatabase(server, kept.name, (line) => lines.push(line));
      expect(lines.find((line) => line.startsWith('postgres: resuming'))).toMatch(new RegExp(`^postgres: resuming database ${kept.name}, [\\d,]+ MB \\(PostgreSQL `));
      expect(resumed.url).toBe(withDatabase(server, kept.name));
      expect(await queryOn(resumed.url, 'SELECT n FROM left_by_the_first_run')).toEqual([{ n: 7 }]);
      expect(await resumed.size()).toBeGreaterThan(0);
      await resumed.drop();
      await expect(resumeBenchDatabase(server, kept.name, () => undefined)).rejects.toThrow(`postgres: cannot resume the benchmark's database ${kept.name} on`);
      await expect(resumeBenchDatabase(server, 'postgres', () => undefined)).rejects.toThrow('"postgres" is not a benchmark\'s database name');
    } finally {
      await queryOn(server, `DROP DATABASE IF EXISTS "${kept.name}"`);
    }
  });
});
