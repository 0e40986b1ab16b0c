/**
 * @module bench/report-operations
 * The rows and footnotes of the operational phases (SPEC §13), for both reports: the start next
 * to plain MiniSearch's `addAll` and SQLite FTS5 (embedded), then writes under read load and
 * head-of-line blocking (either backend), and a server over the whole archive under search load
 * (PostgreSQL). Pure: numbers in, text out.
 */
import { formatMs, integer, megabytes } from './format.ts';
import { SLOW_QUERY_MAX_MS, SLOW_QUERY_MS } from './head-of-line.ts';
import type { Failed, OperationsResult } from './operations.ts';
import type { ServerMemory } from './server-process.ts';
import { formatRatio, ratio } from './targets.ts';

/** One row: its label, the backend's figure, and (start rows) plain MiniSearch's, their ratio and SQLite's. */
export type OperationsRow = { label: string; value: string; plain?: string; ratio?: string; sqlite?: string };

/** The footnote marks of each group of rows, as the report numbers them. */
export type OperationsMarks = { start: string; sqlite: string; writes: string; headOfLine: string; searchLoad?: string };

function isFailed<T extends object>(result: T | Failed | undefined): result is Failed {
  return result !== undefined && 'error' in result;
}

function seconds(ms: number): string {
  return Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'n/a';
}

function list(values: readonly number[]): string {
  return values.map((value) => formatMs(value)).join(', ');
}

/** The rows of the phases that ran, in the order they are printed. */
export function operationsRows(operations: OperationsResult, marks: OperationsMarks): OperationsRow[] {
  const rows: OperationsRow[] = [];
  const { start, sqlite, writes, headOfLine, searchLoad } = operations;
  if (start !== undefined) {
    const fts = sqlite === undefined ? undefined : isFailed(sqlite) ? { build: `failed ${marks.sqlite}`, reopen: `failed ${marks.sqlite}` } : { build: `${seconds(sqlite.buildMs)} (build)`, reopen: `${formatMs(sqlite.reopenMs)} (reopen + first query)` };
    if (isFailed(start)) rows.push({ label: `start ${marks.start}`, value: `failed: ${start.error}`, plain: '—', ratio: '—', ...(fts && { sqlite: fts.build }) });
    else {
      rows.push(
        { label: `start, index missing: launch → /health (s) ${marks.start}`, value: seconds(start.buildMs), plain: `${seconds(start.plainAddAllMs)} (addAll)`, ratio: formatRatio(ratio(start.buildMs, start.plainAddAllMs)), ...(fts && { sqlite: fts.build }) },
        { label: `start from the snapshot: launch → /health (ms, median of ${start.restartsMs.length}) ${marks.start}`, value: formatMs(start.restartMs), plain: '—', ratio: '—', ...(fts && { sqlite: fts.reopen }) },
      );
    }
  }
  if (isFailed(writes)) rows.push({ label: `writes under load ${marks.writes}`, value: `failed: ${writes.error}` });
  else {
    const load = `${writes.searchers} searchers + ${writes.writers} writers`;
    rows.push(
      { label: `${load}: write p50 / p99 / max (ms) ${marks.writes}`, value: `${formatMs(writes.write.p50)} / ${formatMs(writes.write.p99)} / ${formatMs(writes.write.max)}` },
      { label: `${load}: search p50 / p99 (ms)`, value: `${formatMs(writes.search.p50)} / ${formatMs(writes.search.p99)}` },
      { label: `${load}: writes acknowledged / errors / not searchable after`, value: `${integer(writes.acknowledged)} / ${integer(writes.writeErrors)} / ${integer(writes.notSearchable)}` },
      { label: `${load}: searches / errors`, value: `${integer(writes.search.count)} / ${integer(writes.searchErrors)}` },
    );
  }
  if (isFailed(headOfLine)) rows.push({ label: `head of line ${marks.headOfLine}`, value: `failed: ${headOfLine.error}` });
  else {
    rows.push(
      { label: `head of line: trivial search p50 / max (ms) while a slow query runs ${marks.headOfLine}`, value: `${formatMs(headOfLine.trivial.p50)} / ${formatMs(headOfLine.trivial.max)}` },
      { label: `head of line: the slow query itself (ms, median of ${headOfLine.slowRunsMs.length})`, value: formatMs(headOfLine.slowMs) },
      { label: 'head of line: the server\'s RSS after / at its peak (MB)', value: serverMemory(headOfLine.server) },
    );
  }
  const mark = marks.searchLoad ?? '';
  if (isFailed(searchLoad)) rows.push({ label: `search load ${mark}`, value: `failed: ${searchLoad.error}` });
  else if (searchLoad !== undefined) {
    const load = `search load, ${searchLoad.connections} clients`;
    rows.push(
      { label: `${load}: requests/s ${mark}`, value: integer(searchLoad.requests / searchLoad.seconds) },
      { label: `${load}: p50 / p99 (ms)`, value: `${formatMs(searchLoad.p50)} / ${formatMs(searchLoad.p99)}` },
      { label: `${load}: requests / errors / timeouts / non-2xx`, value: `${integer(searchLoad.requests)} / ${searchLoad.errors} / ${searchLoad.timeouts} / ${searchLoad.non2xx}` },
      { label: `${load}: the server's RSS after / at its peak (MB)`, value: serverMemory(searchLoad.server) },
    );
  }
  return rows;
}

/** A server's RSS now and at its peak, or n/a when it could not be read. */
function serverMemory(memory: ServerMemory | null | undefined): string {
  return memory === null || memory === undefined ? 'n/a' : `${megabytes(memory.rssBytes)} / ${megabytes(memory.peakRssBytes)}`;
}

/** The footnotes of the phases that ran, each starting with its mark. */
export function operationsFootnotes(operations: OperationsResult, marks: OperationsMarks, context: { scale: number; ingestPlainMs?: number }): string[] {
  const notes: string[] = [];
  const { start, sqlite, writes, headOfLine, searchLoad } = operations;
  if (start !== undefined) {
    const figures = isFailed(start)
      ? ` It failed: ${start.error}`
      : ` ${integer(start.paragraphs)} paragraphs; plain addAll before and after: ${start.plainAddAllsMs.map(seconds).join(', ')} s; restarts: ${list(start.restartsMs)} ms.${context.ingestPlainMs === undefined ? '' : ` (Plain's addAll in the ingest phase above: ${seconds(context.ingestPlainMs)} s.)`}`;
    notes.push(
      `${marks.start} A real server process, \`node dist/cli.js serve\` (compiled by \`npm run build\` as the run began), with CORPUS_DIR holding the corpus ×${context.scale} as one JSON Lines file and INDEX_DIR empty: from the launch to the first 200 of \`GET /health\`, that is Node starting, the file read and validated and the index built (the server saves its snapshot right after, in the background; the stop waits for it). Then stopped and started again from that snapshot, launch to \`/health\`. Plain: \`MiniSearch#addAll\` of the same paragraphs alone (no reading, no saving), each time in a fresh worker, just before and just after the build, the mean.${figures}`,
    );
  }
  if (sqlite !== undefined) {
    notes.push(
      isFailed(sqlite)
        ? `${marks.sqlite} SQLite FTS5 failed: ${sqlite.error}`
        : `${marks.sqlite} SQLite ${sqlite.sqliteVersion} through better-sqlite3, an FTS5 table (title, text; porter tokenizer over unicode61) in a temporary file: build = the table created and one INSERT per paragraph (${integer(sqlite.paragraphs)}) in one transaction, reading the corpus not timed; the file holds ${megabytes(sqlite.bytes)} MB. Reopen = open the file and answer a first query ("${sqlite.word}": bm25 with the title weighing 2, snippet, 10 rows), in the worker's own process, so without the Node start the service's figure includes; median of ${sqlite.reopensMs.length}: ${list(sqlite.reopensMs)} ms.`,
    );
  }
  if (isFailed(writes)) notes.push(`${marks.writes} Writes under load failed: ${writes.error}`);
  else {
    const problems = [
      ...(writes.errors.length === 0 ? [] : [`First errors: ${writes.errors.join('; ')}.`]),
      ...(writes.notSearchable === 0 ? [] : [`NOT SEARCHABLE after their 201: ${writes.notSearchable}, e.g. ${writes.notSearchableExamples.join('; ')}.`]),
    ];
    notes.push(
      `${marks.writes} A real server process on the first ${integer(writes.archive.articles)} articles of the corpus (${integer(writes.archive.paragraphs)} paragraphs; its start not timed). For ${writes.seconds.toFixed(1)} s, ${writes.searchers} clients search without pause (each on its own keep-alive connection, in turn over common words, phrases, a prefix and an exclusion drawn from the corpus: ${writes.queries.map((q) => `\`${q}\``).join(', ')}) while ${writes.writers} clients each \`POST /articles\` one new article after another (articles of the corpus under new ids, each with a word of its own); each request timed from the call to the last byte of the answer. Afterwards each acknowledged article is searched for by its own word.${problems.length === 0 ? '' : ` ${problems.join(' ')}`}`,
    );
  }
  if (isFailed(headOfLine)) notes.push(`${marks.headOfLine} Head of line failed: ${headOfLine.error}`);
  else {
    const refused = headOfLine.slowStatus === 200 ? '' : ` (it answered ${headOfLine.slowStatus}: refused after its time budget, having run that long)`;
    notes.push(
      `${marks.headOfLine} On a server over the whole corpus ×${context.scale}: the slow query \`${headOfLine.slowQuery}\` (two-letter prefixes, most common first, ORed one more at a time until the query took ${SLOW_QUERY_MS / 1000} to ${SLOW_QUERY_MAX_MS / 1000} s alone, a prefix that took it past that left out: ${formatMs(headOfLine.calibrationMs)} ms the second time it ran alone; in the runs ${list(headOfLine.slowRunsMs)} ms${refused}); while it runs, a search for the rare word "${headOfLine.trivialQuery}" is issued every 20 ms, each timed from its issue to its answer: ${integer(headOfLine.trivial.count)} of them over ${headOfLine.slowRunsMs.length} runs${headOfLine.trivialErrors === 0 ? '' : `, ${headOfLine.trivialErrors} not answered 200`}. Alone, the same search takes p50 ${formatMs(headOfLine.idle.p50)} ms. The server's RSS (\`VmRSS\` and \`VmHWM\` of its \`/proc/<pid>/status\`) once every search was answered: its start, its warm-up and every query of this phase.`,
    );
  }
  if (isFailed(searchLoad)) notes.push(`${marks.searchLoad ?? ''} Search load failed: ${searchLoad.error}`);
  else if (searchLoad !== undefined) {
    notes.push(
      `${marks.searchLoad ?? ''} A fresh server process over the whole corpus ×${context.scale} (its start not timed): for ${searchLoad.seconds.toFixed(1)} s, ${searchLoad.connections} clients search without pause, each on its own keep-alive connection, over the benchmark's ${integer(searchLoad.queries)} queries, every type in turn; each request timed from the call to the last byte of the answer (a refused query is a non-2xx). Then the server's RSS and its peak, as above: what ${searchLoad.connections} clients at once cost it on an archive of this size.`,
    );
  }
  return notes;
}
