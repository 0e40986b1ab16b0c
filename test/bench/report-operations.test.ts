import { describe, expect, it } from 'vitest';
import type { WriteLoadResult } from '../../src/bench/write-load.ts';
import { operationsFootnotes, operationsRows } from '../../src/bench/report-operations.ts';
import { operationsResult } from './support.ts';

const MARKS = { start: '⁶', sqlite: '⁷', writes: '⁸', headOfLine: '⁹' };

describe('operationsRows', () => {
  it('puts the build next to plain addAll with their ratio, and SQLite FTS5 beside the build and the restart', () => {
    const [build, restart] = operationsRows(operationsResult(), MARKS);
    expect(build).toEqual({ label: 'start, index missing: launch → /health (s) ⁶', value: '9.30', plain: '9.00 (addAll)', ratio: '1.03×', sqlite: '3.10 (build)' });
    expect(restart).toEqual({ label: 'start from the snapshot: launch → /health (ms, median of 3) ⁶', value: '1,330', plain: '—', ratio: '—', sqlite: '12.5 (reopen + first query)' });
  });

  it('gives the writes under load and the head of line a figure each', () => {
    const rows = operationsRows(operationsResult(), MARKS).map((row) => [row.label, row.value]);
    expect(rows.slice(2)).toEqual([
      ['16 searchers + 4 writers: write p50 / p99 / max (ms) ⁸', '980 / 1,700 / 2,100'],
      ['16 searchers + 4 writers: search p50 / p99 (ms)', '45.0 / 300'],
      ['16 searchers + 4 writers: writes acknowledged / errors / not searchable after', '40 / 0 / 0'],
      ['16 searchers + 4 writers: searches / errors', '3,000 / 0'],
      ['head of line: trivial search p50 / max (ms) while a slow query runs ⁹', '520 / 1,050'],
      ['head of line: the slow query itself (ms, median of 3)', '1,120'],
      ["head of line: the server's RSS after / at its peak (MB)", '150.0 / 210.0'],
    ]);
  });

  it('says n/a for a server whose memory could not be read', () => {
    const result = operationsResult();
    const headOfLine = { ...(result.headOfLine as Exclude<typeof result.headOfLine, { error: string }>), server: null };
    const rows = operationsRows({ ...result, headOfLine }, MARKS);
    expect(rows.at(-1)).toEqual({ label: "head of line: the server's RSS after / at its peak (MB)", value: 'n/a' });
  });

  it('has no start rows on the PostgreSQL backend', () => {
    const rows = operationsRows(operationsResult({ start: undefined, sqlite: undefined }), MARKS);
    expect(rows.some((row) => row.label.startsWith('start'))).toBe(false);
    expect(rows).toHaveLength(7);
  });

  it('gives the search load over the whole archive its throughput, latency, failures and the server\'s memory, or one row when it failed', () => {
    const searchLoad = { seconds: 10, connections: 16, requests: 75, requestsPerSecond: 7.5, p50: 1800, p99: 6000, errors: 1, timeouts: 1, non2xx: 12, queries: 1800, server: { rssBytes: 198 * 1024 * 1024, peakRssBytes: 230 * 1024 * 1024 } };
    const marks = { ...MARKS, searchLoad: '¹⁰' };
    const rows = operationsRows(operationsResult({ start: undefined, sqlite: undefined, searchLoad }), marks).map((row) => [row.label, row.value]);
    expect(rows.slice(7)).toEqual([
      ['search load, 16 clients: requests/s ¹⁰', '8'],
      ['search load, 16 clients: p50 / p99 (ms)', '1,800 / 6,000'],
      ['search load, 16 clients: requests / errors / timeouts / non-2xx', '75 / 1 / 1 / 12'],
      ["search load, 16 clients: the server's RSS after / at its peak (MB)", '198.0 / 230.0'],
    ]);
    const note = operationsFootnotes(operationsResult({ start: undefined, sqlite: undefined, searchLoad }), marks, { scale: 100 }).at(-1);
    expect(note).toMatch(/^¹⁰ A fresh server process over the whole corpus ×100 .* for 10\.0 s, 16 clients search without pause, .* over the benchmark's 1,800 queries, every type in turn/u);
    const failed = operationsRows(operationsResult({ searchLoad: { error: 'the server exited' } }), marks);
    expect(failed.at(-1)).toEqual({ label: 'search load ¹⁰', value: 'failed: the server exited' });
  });

  it('says a phase failed in one row instead of its figures', () => {
    const rows = operationsRows(operationsResult({ sqlite: { error: 'no better-sqlite3' }, writes: { error: 'the server exited' } }), MARKS);
    expect(rows[0]?.sqlite).toBe('failed ⁷');
    expect(rows.find((row) => row.label.startsWith('writes'))).toEqual({ label: 'writes under load ⁸', value: 'failed: the server exited' });
  });
});

describe('operationsFootnotes', () => {
  it('says what each figure is, with the samples behind the medians', () => {
    const notes = operationsFootnotes(operationsResult(), MARKS, { scale: 1, ingestPlainMs: 8800 });
    expect(notes).toHaveLength(4);
    expect(notes[0]).toMatch(/^⁶ A real server process, `node dist\/cli.js serve`/);
    expect(notes[0]).toContain('plain addAll before and after: 8.80, 9.20 s; restarts: 1,400, 1,330, 1,310 ms');
    expect(notes[0]).toContain("Plain's addAll in the ingest phase above: 8.80 s");
    expect(notes[1]).toContain('SQLite 3.50.0');
    expect(notes[2]).toContain('`said`, `dlrs`');
    expect(notes[3]).toContain('the slow query `co* OR re* OR pr*`');
    expect(notes[3]).toContain('"dificulties"');
  });

  it('lists errors and articles not searchable after their acknowledgement', () => {
    const operations = operationsResult();
    operations.writes = { ...(operations.writes as WriteLoadResult), writeErrors: 1, errors: ['POST bench-write-0-3: 500 {"error":…}'], notSearchable: 2, notSearchableExamples: ['bench-write-1-2 ("zcqdx" finds 0 other hits)'] };
    const [, , writes] = operationsFootnotes(operations, MARKS, { scale: 1 });
    expect(writes).toContain('First errors: POST bench-write-0-3: 500');
    expect(writes).toContain('NOT SEARCHABLE after their 201: 2, e.g. bench-write-1-2');
  });
});
