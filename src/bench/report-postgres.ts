/**
 * @module bench/report-postgres
 * The report of `--backend postgres`: a header line (machine, PostgreSQL server, corpus), one
 * markdown table with the PostgreSQL backend next to the embedded service and their ratio (then
 * the PostgreSQL server's writes under load and head of line), footnotes saying what each number
 * is, which totals disagreed and which queries were refused, and the targets of SPEC §13 it
 * concerns. Pure: numbers in, text out.
 */
import { QUERY_BUDGET_MS } from '../search/ranking.ts';
import { POSTGRES_NODE_OPTIONS } from './server-process.ts';
import { formatMs, GIB, integer, megabytes } from './format.ts';
import type { MachineInfo } from './report.ts';
import { ratePerSecond } from './measure.ts';
import type { OperationsResult } from './operations.ts';
import { operationsFootnotes, operationsRows, type OperationsMarks } from './report-operations.ts';
import type { Imported, Loaded, Memory, Saved, TypeLatency } from './protocol.ts';
import { QUERY_TYPES, type QueryType } from './queries.ts';
import { checkOperationsTargets, formatChecks, formatRatio, ratio } from './targets.ts';

/** How the exact totals of one query type compared: queries both sides answered, how many disagreed, a few of them. */
export type TotalsCheck = { compared: number; mismatches: number; examples: string[] };

/** What the embedded service measured in a `--backend postgres` run. */
export type EmbeddedResult = Loaded & { snapshot: Saved; memory: Memory; latency: Record<QueryType, TypeLatency> };

/** A query as the service reads it, how long it took, and the exact total it found (null when refused). */
export type SlowQuery = { query: string; ms: number; total: number | null };

/** What the PostgreSQL side measured; `slowest`: the slowest queries of each type, slowest first. */
export type PostgresResult = Imported & { batchSize: number; databaseBytes: number; memory: Memory; latency: Record<QueryType, TypeLatency>; slowest: Record<QueryType, SlowQuery[]> };

/**
 * A slow query as the log and the report quote it.
 *
 * @example
 * formatSlowQuery({ query: '"said the"', ms: 2950.4, total: null }) // '`"said the"` 2,950 ms (refused)'
 */
export function formatSlowQuery(slow: SlowQuery): string {
  return `\`${slow.query}\` ${formatMs(slow.ms)} ms (${slow.total === null ? 'refused' : `total ${integer(slow.total)}`})`;
}

/** Everything one `--backend postgres` run measured. */
export type PostgresBenchReport = {
  machine: MachineInfo;
  /** The server's name and version, e.g. `PostgreSQL 15.14`. */
  server: string;
  corpus: { file: string; scale: number; articles: number; paragraphs: number };
  queriesPerType: number;
  warmupPerType: number;
  seed: number;
  /** `null` with `--postgres-only`: the PostgreSQL side ran alone. */
  embedded: EmbeddedResult | null;
  postgres: PostgresResult;
  totals: Record<QueryType, TotalsCheck>;
  /** Writes under load and head of line on a server process over the PostgreSQL backend (SPEC §13). */
  operations: OperationsResult;
  elapsedMs: number;
};

/** The footnote marks of the operational rows (¹–⁶ are the rows above them; the start is the embedded backend's). */
const OPERATIONS_MARKS: OperationsMarks = { start: '', sqlite: '', writes: '⁷', headOfLine: '⁸', searchLoad: '⁹' };

type Row = [label: string, postgres: string, embedded: string, ratio: string];

/** A row of both sides' figures and their ratio; `—` for the embedded side when it did not run (`null`). */
function row(label: string, postgres: number, embedded: number | null, format: (value: number) => string): Row {
  if (embedded === null) return [label, format(postgres), '—', '—'];
  return [label, format(postgres), format(embedded), formatRatio(ratio(postgres, embedded))];
}

function table(rows: readonly Row[]): string {
  const lines = ['| measure | postgres | embedded service | postgres / embedded |', '| --- | ---: | ---: | ---: |'];
  for (const line of rows) lines.push(`| ${line.join(' | ')} |`);
  return lines.join('\n');
}

/** The sum of refused queries over every type. */
function refused(latency: Record<QueryType, TypeLatency>): number {
  return QUERY_TYPES.reduce((sum, type) => sum + latency[type].errors, 0);
}

/** The report as printed: header line, table, footnotes. */
export function formatPostgresReport(report: PostgresBenchReport): string {
  const { machine, corpus, embedded, postgres, totals } = report;
  const header =
    `machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / GIB).toFixed(1)} GiB RAM, Node ${machine.node} · ${report.server} · ` +
    `corpus: ${corpus.file} ×${corpus.scale} = ${integer(corpus.articles)} articles, ${integer(corpus.paragraphs)} paragraphs · ` +
    `${report.queriesPerType} queries per type (after ${report.warmupPerType} warm-up per type), seed ${report.seed}`;

  const snapshotBytes = embedded === null ? null : embedded.snapshot.ok ? embedded.snapshot.bytes : Number.NaN;
  const compared = QUERY_TYPES.reduce((sum, type) => sum + totals[type].compared, 0);
  const mismatches = QUERY_TYPES.reduce((sum, type) => sum + totals[type].mismatches, 0);
  const rows: Row[] = [
    row('import (paragraphs/s) ¹', ratePerSecond(postgres.paragraphs, postgres.importMs), embedded && ratePerSecond(embedded.paragraphs, embedded.ingestMs), integer),
    row('import time (s) ¹', postgres.importMs / 1000, embedded && embedded.ingestMs / 1000, (value) => value.toFixed(1)),
    ['then ordering the posting blocks (s) ¹', postgres.orderMs === null ? 'not run' : (postgres.orderMs / 1000).toFixed(1), '—', '—'],
    embedded === null || embedded.snapshot.ok ? row('size (MB) ²', postgres.databaseBytes, snapshotBytes, megabytes) : ['size (MB) ²', megabytes(postgres.databaseBytes), 'failed ²', formatRatio(ratio(postgres.databaseBytes, Number.NaN))],
    row('node RSS after the queries (MB) ³', postgres.memory.rssBytes, embedded && embedded.memory.rssBytes, megabytes),
    row('node heap after the queries (MB) ³', postgres.memory.heapBytes, embedded && embedded.memory.heapBytes, megabytes),
  ];
  for (const type of QUERY_TYPES) {
    for (const key of ['p50', 'p99'] as const) rows.push(row(`${type} ${key} (ms) ⁴`, postgres.latency[type][key], embedded && embedded.latency[type][key], formatMs));
  }
  rows.push([`exact totals differing from embedded ⁵`, embedded === null ? 'not compared' : `${integer(mismatches)} of ${integer(compared)}`, '—', '—']);
  rows.push([`queries refused (${QUERY_BUDGET_MS / 1000} s budget) ⁶`, integer(refused(postgres.latency)), embedded === null ? '—' : integer(refused(embedded.latency)), '—']);
  for (const operation of operationsRows(report.operations, OPERATIONS_MARKS)) rows.push([operation.label, operation.value, '—', '—']);

  const differing = QUERY_TYPES.filter((type) => totals[type].mismatches > 0).map((type) => `${type}: ${totals[type].mismatches} of ${totals[type].compared} (${totals[type].examples.join('; ')})`);
  const refusals = QUERY_TYPES.flatMap((type) =>
    (['postgres', 'embedded'] as const).flatMap((side) => {
      const latency = report[side]?.latency[type];
      return latency === undefined || latency.errors === 0 ? [] : [`${side} ${type}: ${latency.errors} (first: ${latency.firstError ?? '?'})`];
    }),
  );
  const matches = QUERY_TYPES.map((type) => `${type} ${integer(postgres.latency[type].meanMatches)} / ${embedded === null ? '—' : integer(embedded.latency[type].meanMatches)}`).join(', ');
  const footnotes = [
    `¹ Postgres: \`putArticles\` of the PostgreSQL backend into a fresh, empty database, ${postgres.batchSize} articles per call (${integer(postgres.batches)} calls, each one transaction; connecting and migrating not timed); then, as \`npm run import\` ends when it wrote a tenth of the archive or more, the posting blocks ordered by word (\`orderPostings\`: \`CLUSTER postings\`, then \`VACUUM\`), timed apart.${resumedNote(postgres)} Embedded: one \`putArticles\` into an in-memory library, as the embedded benchmark measures it (no corpus files, no snapshot).`,
    `² Postgres: \`pg_database_size\` of the benchmark's database once imported (tables, GIN index, TOAST, free space). Embedded: the snapshot \`saveSnapshot\` writes${embedded === null || embedded.snapshot.ok ? '' : ` (it failed: ${embedded.snapshot.reason})`}.`,
    '³ `process.memoryUsage()` of each side\'s own worker process after two full GCs, once every query ran. The PostgreSQL side read the whole corpus for its import, so its RSS may still hold pages V8 freed but did not return; its heap is what it keeps.',
    '⁴ Both sides run the service\'s whole search path: parse, search, `dressSearch` (limit 10, exact total, highlights, snippets); postgres through `searchBackend` (`backend.search` awaited, over a pool of connections on the unix socket or TCP of the URL), embedded through `searchLibrary`. The queries run in batches of 25, the sides in turn.',
    `⁵ Queries both sides answered, whose exact \`total\` differs.${differing.length === 0 ? '' : ` By type: ${differing.join(' · ')}`}`,
    `⁶ Refused queries are timed all the same and not compared.${refusals.length === 0 ? '' : ` ${refusals.join('; ')}`}`,
    ...operationsFootnotes(report.operations, OPERATIONS_MARKS, { scale: corpus.scale }),
    `${OPERATIONS_MARKS.writes} ${OPERATIONS_MARKS.headOfLine} ${OPERATIONS_MARKS.searchLoad} The server runs with \`DATABASE_URL\` and \`NODE_OPTIONS=${POSTGRES_NODE_OPTIONS}\` (as the README runs it): the writes go into a database of their own (created and dropped as the benchmark's, the archive imported through \`putArticles\` first), the head of line and the search load run on the benchmark's database. The embedded backend's figures come from a run without \`--backend\`.`,
    `Slowest postgres queries, with the exact total each found: ${QUERY_TYPES.map((type) => `${type}: ${postgres.slowest[type].map(formatSlowQuery).join(', ') || 'none'}`).join(' · ')}.`,
    `Mean matching paragraphs per query, postgres / embedded: ${matches} (a refused query counts as 0, so a type with refusals on one side only differs there; the totals are compared above).`,
    'Plain MiniSearch and the HTTP load test of the in-process service are skipped with `--backend postgres`; run without it for them.',
    ...(embedded === null ? ['With `--postgres-only` the embedded side did not run: its column is empty and no total was compared.'] : []),
    `Run took ${(report.elapsedMs / 1000).toFixed(1)} s.`,
  ];
  const targets = formatChecks(checkOperationsTargets(report.operations, { embedded: false }));
  return [header, '', table(rows), '', ...footnotes, '', `Targets (SPEC §13, PostgreSQL backend): ${targets}`, ''].join('\n');
}

/** What footnote ¹ adds when the import went into a database that already held articles (\`--resume-database\`). */
function resumedNote(postgres: PostgresResult): string {
  if (postgres.unchanged === 0) return '';
  return ` **Resumed:** ${integer(postgres.unchanged)} of the ${integer(postgres.articles)} articles were already in the database (an earlier, stopped run) and came back \`unchanged\`; the rate and time above are this run's only, which wrote the rest and only checked those.`;
}
