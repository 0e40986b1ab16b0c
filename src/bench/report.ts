/**
 * @module bench/report
 * The benchmark's output: a header line (machine, corpus), one markdown table with the service
 * next to plain MiniSearch and their ratio (and, for the start, SQLite FTS5), footnotes saying
 * what each number is, and the targets of SPEC §13 and issue 7 met or missed. Pure (numbers in,
 * text out), but for {@link machineInfo}.
 */
import { cpus, totalmem } from 'node:os';
import { formatMs, GIB, integer, megabytes } from './format.ts';
import type { HttpResult } from './http.ts';
import { ratePerSecond } from './measure.ts';
import type { OperationsResult } from './operations.ts';
import { operationsFootnotes, operationsRows, type OperationsMarks } from './report-operations.ts';
import type { SideResult, SnapshotResult } from './protocol.ts';
import { QUERY_TYPES } from './queries.ts';
import { checkOperationsTargets, checkTargets, formatChecks, formatRatio, ratio, TARGETS, type TargetCheck } from './targets.ts';
import { copiesMedians, type CopiesResult } from './copies.ts';

/** The machine the run was measured on. */
export type MachineInfo = { cpu: string; cores: number; memoryBytes: number; node: string };

/** Everything one run measured. */
export type BenchReport = {
  machine: MachineInfo;
  corpus: { file: string; scale: number; articles: number; paragraphs: number };
  queriesPerType: number;
  warmupPerType: number;
  seed: number;
  service: SideResult;
  plain: SideResult;
  http: HttpResult | { error: string };
  /** Start, head of line and writes under load (SPEC §13), on real server processes. */
  operations: OperationsResult;
  /** Copy detection: its cost, the clusters of the corpus, its quality on edited copies (SPEC §10). */
  copies: CopiesResult | { error: string };
  elapsedMs: number;
};

/** The machine this process runs on. */
export function machineInfo(): MachineInfo {
  const cores = cpus();
  return { cpu: cores[0]?.model.trim() ?? 'unknown CPU', cores: cores.length, memoryBytes: totalmem(), node: process.version };
}

/** A row of the table; only the start rows fill the last column, SQLite FTS5. */
type Row = [label: string, service: string, plain: string, ratio: string, sqlite?: string];

/** The footnote marks of the operational rows (¹–⁵ are the rows above them). */
const OPERATIONS_MARKS: OperationsMarks = { start: '⁶', sqlite: '⁷', writes: '⁸', headOfLine: '⁹' };

function snapshotRows(service: SnapshotResult, plain: SnapshotResult): Row[] {
  const size = (snapshot: SnapshotResult) => (snapshot.ok ? `${megabytes(snapshot.bytes)} (${integer(snapshot.bytes)} B)` : 'failed ⁴');
  const load = (snapshot: SnapshotResult) => (snapshot.ok ? formatMs(snapshot.loadMs) : 'failed ⁴');
  const both = service.ok && plain.ok;
  return [
    ['snapshot size (MB)', size(service), size(plain), both ? formatRatio(ratio(service.bytes, plain.bytes)) : 'n/a'],
    ['snapshot load = cold start (ms, median of 3) ³', load(service), load(plain), both ? formatRatio(ratio(service.loadMs, plain.loadMs)) : 'n/a'],
  ];
}

function httpRows(http: BenchReport['http']): Row[] {
  if ('error' in http) return [['HTTP load test', `failed: ${http.error}`, '—', '—']];
  return [
    [`HTTP /search, ${http.connections} connections, ${Math.round(http.seconds)} s: requests/s ⁵`, integer(http.requests / http.seconds), '—', '—'],
    ['HTTP latency p50 / p99 (ms)', `${formatMs(http.p50)} / ${formatMs(http.p99)}`, '—', '—'],
    ['HTTP requests / errors / timeouts / non-2xx', `${integer(http.requests)} / ${http.errors} / ${http.timeouts} / ${http.non2xx}`, '—', '—'],
  ];
}

function table(rows: readonly Row[]): string {
  const lines = [`| measure | service | plain MiniSearch | service / plain | SQLite FTS5 ${OPERATIONS_MARKS.sqlite} |`, '| --- | ---: | ---: | ---: | ---: |'];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** The report as printed: header line, table, footnotes, targets. */
export function formatReport(report: BenchReport): string {
  const { machine, corpus, service, plain } = report;
  const header =
    `machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / GIB).toFixed(1)} GiB RAM, Node ${machine.node} · ` +
    `corpus: ${corpus.file} ×${corpus.scale} = ${integer(corpus.articles)} articles, ${integer(corpus.paragraphs)} paragraphs · ` +
    `${report.queriesPerType} queries per type (after ${report.warmupPerType} warm-up per type), seed ${report.seed}`;

  const serviceRate = ratePerSecond(service.paragraphs, service.ingestMs);
  const plainRate = ratePerSecond(plain.paragraphs, plain.ingestMs);
  const rows: Row[] = [
    ['ingest (paragraphs/s)', integer(serviceRate), integer(plainRate), formatRatio(ratio(serviceRate, plainRate))],
    ['heap after indexing (MB) ²', megabytes(service.heapBytes), megabytes(plain.heapBytes), formatRatio(ratio(service.heapBytes, plain.heapBytes))],
    ['heap after the queries (MB) ²', megabytes(service.heapAfterQueriesBytes), megabytes(plain.heapAfterQueriesBytes), formatRatio(ratio(service.heapAfterQueriesBytes, plain.heapAfterQueriesBytes))],
    ...snapshotRows(service.snapshot, plain.snapshot),
  ];
  for (const type of QUERY_TYPES) {
    const mark = type === 'phrase' ? ' ¹' : '';
    for (const key of ['p50', 'p99'] as const) {
      const a = service.latency[type][key];
      const b = plain.latency[type][key];
      rows.push([`${type}${mark} ${key} (ms)`, formatMs(a), formatMs(b), formatRatio(ratio(a, b))]);
    }
  }
  const phraseOverTwo = ratio(service.latency.phrase.p50, service.latency['two terms'].p50);
  const plainPhraseOverTwo = ratio(plain.latency.phrase.p50, plain.latency['two terms'].p50);
  rows.push([`phrase p50 / two terms p50 (target ≤ ${TARGETS.phraseOverTwoTerms})`, formatRatio(phraseOverTwo), `${formatRatio(plainPhraseOverTwo)} ¹`, '—']);
  rows.push(...httpRows(report.http));
  for (const row of operationsRows(report.operations, OPERATIONS_MARKS)) {
    rows.push(row.sqlite === undefined ? [row.label, row.value, row.plain ?? '—', row.ratio ?? '—'] : [row.label, row.value, row.plain ?? '—', row.ratio ?? '—', row.sqlite]);
  }
  rows.push(...copiesRows(report.copies));

  const matches = QUERY_TYPES.map((type) => `${type} ${integer(service.latency[type].meanMatches)} / ${integer(plain.latency[type].meanMatches)}`).join(', ');
  const errors = QUERY_TYPES.flatMap((type) =>
    (['service', 'plain'] as const).flatMap((side) => {
      const latency = report[side].latency[type];
      return latency.errors === 0 ? [] : [`${side} ${type}: ${latency.errors} refused (first: ${latency.firstError ?? '?'})`];
    }),
  );
  const saves = service.snapshot.ok && plain.snapshot.ok ? ` Save: service ${formatMs(service.snapshot.saveMs)} ms (line by line, yielding to the event loop between lines; durable: fsync, rename), plain ${formatMs(plain.snapshot.saveMs)} ms (stringify, writeFile).` : '';
  const failed = [service.snapshot, plain.snapshot].flatMap((snapshot, index) => (snapshot.ok ? [] : [`${index === 0 ? 'service' : 'plain'}: ${snapshot.reason}`]));
  const footnotes = [
    '¹ MiniSearch has no phrases: plain runs the phrase\'s words combined with AND (a superset of the phrase\'s matches, unverified); the service asks the index for the same AND of stems, then verifies the phrase on the analyzer\'s tokens.',
    '² `heapUsed` after two full GCs, minus the worker\'s baseline before reading the corpus; each side in its own child process. Both keep the text: the service its articles, plain MiniSearch the stored title and text. After the queries, the service also holds the term ids of every article it verified a phrase in.',
    `³ Service: \`loadSnapshot\` (manifest checks, readFile, JSON.parse of each line, postings rebuilt into MiniSearch's maps, vocabulary, articles). Plain: readFile + \`MiniSearch.loadJSON\` of \`JSON.stringify(index)\`.${saves}`,
    ...(failed.length === 0 ? [] : [`⁴ Snapshot failed: ${failed.join('; ')}`]),
    '⁵ The real app (`createApp`) on 127.0.0.1 over the in-memory library, driven by autocannon in another process over the term and two-term queries, rotating; each response carries highlights and snippets.',
    ...operationsFootnotes(report.operations, OPERATIONS_MARKS, { scale: corpus.scale, ingestPlainMs: plain.ingestMs }),
    ...copiesFootnotes(report.copies),
    `Latency: plain = \`MiniSearch#search\` then the first 10 results; service = \`search(library, q, DEFAULT_SEARCH_PARAMS)\` (limit 10, exact total, highlights, snippets). Mean matching paragraphs per query, service / plain: ${matches} (the service stems keywords and matches each term in title or text).`,
    ...(errors.length === 0 ? [] : [`Refused queries (timed all the same): ${errors.join('; ')}`]),
    `Run took ${(report.elapsedMs / 1000).toFixed(1)} s.`,
  ];
  const operations = formatChecks(checkOperationsTargets(report.operations, { embedded: true }));
  const copies = formatChecks(checkCopiesTargets(report.copies));
  const targets = formatChecks(checkTargets(service, plain));
  return [header, '', table(rows), '', ...footnotes, '', `Targets (SPEC §13): ${operations}`, `Targets (SPEC §10, copies): ${copies}`, `Targets (issue 7): ${targets}`, ''].join('\n');
}

/** The mark of the copy detection rows' footnote. */
const COPIES_MARK = '¹⁰';

function copiesRows(copies: BenchReport['copies']): Row[] {
  if ('error' in copies) return [[`copy detection ${COPIES_MARK}`, `failed: ${copies.error}`, '—', '—']];
  const { withMs, withoutMs, withHeap, withoutHeap } = copiesMedians(copies);
  const { quality, clusters } = copies;
  return [
    [`ingest with / without copy detection (s, median of ${copies.withDetection.ingestMs.length}) ${COPIES_MARK}`, `${(withMs / 1000).toFixed(2)} / ${(withoutMs / 1000).toFixed(2)}`, '—', formatRatio(ratio(withMs, withoutMs))],
    [`heap after indexing with / without copy detection (MB)`, `${megabytes(withHeap)} / ${megabytes(withoutHeap)}`, '—', formatRatio(ratio(withHeap, withoutHeap))],
    ['copy clusters in the corpus / their articles / largest', `${integer(clusters.clusters)} / ${integer(clusters.articles)} / ${integer(clusters.largest)}`, '—', '—'],
    ['copies: pairwise precision / recall on edited copies', `${quality.precision.toFixed(3)} / ${quality.recall.toFixed(3)}`, '—', '—'],
  ];
}

function copiesFootnotes(copies: BenchReport['copies']): string[] {
  if ('error' in copies) return [];
  const { quality, qualityArticles } = copies;
  const missed = Object.entries(quality.missedBy).map(([kind, count]) => `${kind} ${count}`).join(', ');
  return [
    `${COPIES_MARK} Copy detection (shingles, LSH keys, candidates checked, clusters) costs: the service's \`putArticles\` of the corpus with it and without it, each in a fresh worker, in alternating order. Quality: of the ${integer(quality.originals)} articles of at least ${qualityArticles.minParagraphs} paragraphs and ${qualityArticles.minWords} words, every tenth republished once or twice with one or two edits each (a dateline line added, a paragraph dropped or added, three words changed, rewrapped with typographic quotes): ${integer(quality.edited)} copies, ${integer(quality.truePairs)} true pairs, ${integer(quality.foundPairs)} pairs found of which ${integer(quality.correctPairs)} right; ${integer(quality.naturalPairs)} pairs between articles the corpus itself holds twice are counted neither way. Copies missed, by the edits they had: ${missed === '' ? 'none' : missed}.`,
  ];
}

/** The copy detection targets (issue 17): cost and quality. */
export function checkCopiesTargets(copies: BenchReport['copies']): TargetCheck[] {
  const cost = `copy detection adds ≤ ${Math.round((COPIES_TARGETS.ingest - 1) * 100)}% to ingest and ≤ ${Math.round((COPIES_TARGETS.heap - 1) * 100)}% to the heap`;
  const quality = `copies precision ≥ ${COPIES_TARGETS.precision} and recall ≥ ${COPIES_TARGETS.recall}`;
  if ('error' in copies) return [{ target: cost, met: false, detail: `not measured: ${copies.error}` }, { target: quality, met: false, detail: `not measured: ${copies.error}` }];
  const { withMs, withoutMs, withHeap, withoutHeap } = copiesMedians(copies);
  const ingest = ratio(withMs, withoutMs);
  const heap = ratio(withHeap, withoutHeap);
  return [
    { target: cost, met: ingest <= COPIES_TARGETS.ingest && heap <= COPIES_TARGETS.heap, detail: `ingest ${formatRatio(ingest)}, heap ${formatRatio(heap)}` },
    { target: quality, met: copies.quality.precision >= COPIES_TARGETS.precision && copies.quality.recall >= COPIES_TARGETS.recall, detail: `${copies.quality.precision.toFixed(3)} / ${copies.quality.recall.toFixed(3)}` },
  ];
}

/** Issue 17's targets for copy detection. */
export const COPIES_TARGETS = { ingest: 1.2, heap: 1.15, precision: 0.98, recall: 0.95 } as const;
