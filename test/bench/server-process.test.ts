import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { memoryOfStatus, serverEnv, tail } from '../../src/bench/server-process.ts';

describe('serverEnv', () => {
  const inherited = { PATH: '/usr/bin', DATABASE_URL: 'postgres://elsewhere/news', INGEST_TOKEN: 's3cret', RATE_LIMIT_PER_MINUTE: '60', PORT: '3000' };

  it('serves the embedded backend on the given folders, on a free loopback port, open to writes', () => {
    const env = serverEnv({ corpusDir: '/tmp/c', indexDir: '/tmp/i' }, inherited);
    expect(env).toMatchObject({ PATH: '/usr/bin', CORPUS_DIR: '/tmp/c', INDEX_DIR: '/tmp/i', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', INGEST_TOKEN: '', RATE_LIMIT_PER_MINUTE: '' });
  });

  it('serves the PostgreSQL backend on the given database, whatever DATABASE_URL the benchmark inherited, with the Node options the README gives it', () => {
    expect(serverEnv({ databaseUrl: 'postgres://root@/bench_0a1b2c3d4e5f' }, inherited)).toMatchObject({ DATABASE_URL: 'postgres://root@/bench_0a1b2c3d4e5f', PORT: '0', INGEST_TOKEN: '', NODE_OPTIONS: '--max-semi-space-size=2' });
    expect(serverEnv({ databaseUrl: 'postgres://root@/b' }, { ...inherited, NODE_OPTIONS: '--enable-source-maps' }).NODE_OPTIONS).toBe('--enable-source-maps --max-semi-space-size=2');
    expect(serverEnv({ corpusDir: '/tmp/c', indexDir: '/tmp/i' }, inherited).NODE_OPTIONS).toBeUndefined();
  });
});

describe('tail', () => {
  it('keeps the last lines of a log', () => {
    expect(tail('a\nb\nc\n', 2)).toBe('b\nc');
  });

  it('says so when nothing was logged', () => {
    expect(tail('')).toBe('(nothing logged)');
  });
});

describe('memoryOfStatus', () => {
  it('reads the resident set and its peak, in bytes, from a status text', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
    expect(memoryOfStatus(status)).toEqual({ rssBytes: 102400 * 1024, peakRssBytes: 204800 * 1024 });
  });

  it('gives null when a line is missing', () => {
    expect(memoryOfStatus('Name:\tnode\nVmRSS:\t  102400 kB\n')).toBeNull();
  });

  it.runIf(process.platform === 'linux')('reads this process: a resident set no larger than its peak and no smaller than its heap', () => {
    const memory = memoryOfStatus(readFileSync('/proc/self/status', 'utf8'));
    expect(memory).not.toBeNull();
    expect(memory!.rssBytes).toBeLessThanOrEqual(memory!.peakRssBytes);
    expect(memory!.rssBytes).toBeGreaterThan(process.memoryUsage().heapUsed);
  });
});
