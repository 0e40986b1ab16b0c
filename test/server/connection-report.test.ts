/**
 * The log lines about closed connections (`server/connection-report.ts`), on a fake clock: the
 * first of each kind at once, the rest summed up once per interval.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectionReport } from '../../src/server/connection-report.ts';

const LIMITS = { maxConnections: 1000, maxConnectionsPerClient: 100, minBodyBytesPerSecond: 500 };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connectionReport', () => {
  it('logs the first connection closed to make room at once, then sums up idle and slow ones in one line per interval', () => {
    const lines: string[] = [];
    const report = connectionReport(LIMITS, (line) => lines.push(line), 60_000);
    report.evicted({ address: '10.0.0.1', idle: false, what: '10.0.0.1, sending its request for 3.0 s at 40.0 bytes/s' });
    expect(lines).toEqual(['closed a connection to make room for a new one, the most allowed (1000) being open: 10.0.0.1, sending its request for 3.0 s at 40.0 bytes/s; further ones are summed up every 60 s']);

    report.evicted({ address: '10.0.0.1', idle: false, what: '' });
    report.evicted({ address: '10.0.0.1', idle: false, what: '' });
    report.evicted({ address: '10.0.0.2', idle: false, what: '' });
    report.evicted({ address: '10.0.0.3', idle: true, what: '' });
    vi.advanceTimersByTime(60_000);
    expect(lines.slice(1)).toEqual(['closed 4 connections in the last 60 s to make room for new ones, the most allowed (1000) being open: 1 idle, 3 sending a request slowly (2 from 10.0.0.1, 1 from 10.0.0.2)']);
    report.stop();
  });

  it('logs the first request cut for its slow body at once, and the rest on stop', () => {
    const lines: string[] = [];
    const report = connectionReport(LIMITS, (line) => lines.push(line), 60_000);
    report.cut({ address: '10.0.0.9', what: '10.0.0.9 sent 120 bytes of its request in 20.0 s (6.0 bytes/s)' });
    report.cut({ address: '10.0.0.9', what: '' });
    vi.advanceTimersByTime(5_000);
    report.stop();
    expect(lines).toEqual([
      'cut a request for sending its body slower than 500 bytes/s: 10.0.0.9 sent 120 bytes of its request in 20.0 s (6.0 bytes/s); answered 408, further ones are summed up every 60 s',
      'cut 1 request in the last 5 s for sending their body slower than 500 bytes/s: 1 from 10.0.0.9',
    ]);
  });

  it('logs the first of each kind at once, and again after an interval without any', () => {
    const lines: string[] = [];
    const report = connectionReport(LIMITS, (line) => lines.push(line), 60_000);
    report.refused({ cap: 'total' });
    report.evicted({ address: '10.0.0.1', idle: true, what: 'an idle keep-alive connection from 10.0.0.1' });
    expect(lines).toEqual([
      'refused a connection: the most connections allowed are open (1000), each with a request being answered; further refusals are summed up every 60 s',
      'closed a connection to make room for a new one, the most allowed (1000) being open: an idle keep-alive connection from 10.0.0.1; further ones are summed up every 60 s',
    ]);
    // Nothing to sum up: the reporting stops, and the next event is news again.
    vi.advanceTimersByTime(60_000);
    report.refused({ cap: 'client', address: '10.0.0.5' });
    expect(lines.slice(2)).toEqual(['refused a connection: 10.0.0.5 holds the most connections allowed per client address (100); further refusals are summed up every 60 s']);
    report.stop();
    expect(lines).toHaveLength(3);
  });
});
