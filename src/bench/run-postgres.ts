/**
 * @module bench/run-postgres
 * `--backend postgres`: the PostgreSQL backend next to the embedded service, in one run, on the
 * same paragraphs and queries. The parent creates a throwaway database on the given server; one
 * worker builds the embedded library as the embedded benchmark does, the other imports the corpus
 * through the PostgreSQL backend's `putArticles`; then both run the same queries, in small batches
 * and in turn, through the service's whole search path, and each query's exact total is compared.
 * Last, writes under load and head of line run on a server process over the PostgreSQL backend
 * (`bench/operations.ts`). Plain MiniSearch, the HTTP load test and the start are left out (they
 * say nothing about PostgreSQL).
 */
import { messageOf } from '../errors.ts';
import { createBenchDatabase, resumeBenchDatabase } from './database.ts';
import { runPostgresOperations } from './operations.ts';
import { machineInfo } from './report.ts';
import { formatSlowQuery, type PostgresBenchReport, type SlowQuery, type TotalsCheck } from './report-postgres.ts';
import type { Loaded, Memory, QueryBatch, Saved, TypeLatency } from './protocol.ts';
import { QUERY_TYPES, serviceSyntax, type BenchQuery, type QueryType } from './queries.ts';
import { BATCH_SIZE, drawQueries, emptyBatches, everyTypePaths, latencies, startWorker, type BenchOptions, type Worker } from './run.ts';
import { buildDist } from './server-process.ts';
import { mergeBatches } from './session.ts';
import { IMPORT_BATCH_ARTICLES } from '../backends/put-in-batches.ts';

/** The totals check of a run without the embedded side. */
const NOT_COMPARED: TotalsCheck = { compared: 0, mismatches: 0, examples: [] };
/** Mismatching queries quoted in the report, per type. */
const MISMATCH_EXAMPLES = 3;

/**
 * Compares the totals two sides found for the same `queries` (in order); a query either side
 * refused is not compared.
 *
 * @example
 * compareTotals([{ type: 'term', words: ['oil'] }], [12], [12]) // { compared: 1, mismatches: 0, examples: [] }
 */
export function compareTotals(queries: readonly BenchQuery[], embedded: ReadonlyArray<number | null>, postgres: ReadonlyArray<number | null>): TotalsCheck {
  let compared = 0;
  let mismatches = 0;
  const examples: string[] = [];
  queries.forEach((query, index) => {
    const a = embedded[index];
    const b = postgres[index];
    if (a === null || a === undefined || b === null || b === undefined) return;
    compared++;
    if (a === b) return;
    mismatches++;
    if (examples.length < MISMATCH_EXAMPLES) examples.push(`${serviceSyntax(query)}: embedded ${a}, postgres ${b}`);
  });
  return { compared, mismatches, examples };
}

/** Slowest queries quoted per type in the log and the report. */
const SLOWEST_QUOTED = 5;

/**
 * The `count` slowest of `queries` (in order, as their `batches` timed them), with the total each
 * found (null when refused), slowest first.
 *
 * @example
 * slowestQueries([{ type: 'term', words: ['said'] }], [{ samples: [812], totals: [4998000], … }], 5)
 * // [{ query: 'said', ms: 812, total: 4998000 }]
 */
export function slowestQueries(queries: readonly BenchQuery[], batches: readonly QueryBatch[], count: number): SlowQuery[] {
  const samples = batches.flatMap((batch) => batch.samples);
  const totals = batches.flatMap((batch) => batch.totals);
  return queries
    .map((query, index) => ({ query: serviceSyntax(query), ms: samples[index] ?? Number.NaN, total: totals[index] ?? null }))
    .filter((slow) => !Number.isNaN(slow.ms))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count);
}

/**
 * One query type's latency in a log line.
 *
 * @example
 * typeSummary({ count: 300, p50: 4.2, p99: 61, max: 80, errors: 0, firstError: null, meanMatches: 12 })
 * // 'p50 4.2 ms, p99 61.0 ms, max 80.0 ms, 300 queries, 0 refused'
 */
export function typeSummary(latency: TypeLatency): string {
  return `p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms, ${latency.count} queries, ${latency.errors} refused`;
}

/** Runs `--backend postgres`; `log` receives progress lines. */
export async function runPostgresBenchmark(options: BenchOptions, log: (line: string) => void): Promise<Omit<PostgresBenchReport, 'elapsedMs'>> {
  if (options.databaseUrl === null) throw new Error('--backend postgres needs a database URL');
  const serverUrl = options.databaseUrl;
  // The server processes run the compiled source; one that does not compile fails the run first.
  log('building dist/ for the server processes (npm run build)');
  await buildDist();
  // The database server next: a wrong URL or a role without CREATEDB fails before minutes of work.
  const database = options.resumeDatabase === null ? await createBenchDatabase(serverUrl, log) : await resumeBenchDatabase(serverUrl, options.resumeDatabase, log);
  // Without the embedded side (--postgres-only) the PostgreSQL side runs alone.
  const sides = options.postgresOnly ? (['postgres'] as const) : (['service', 'postgres'] as const);
  const workers: Partial<Record<'service' | 'postgres', Worker>> = {};
  try {
    const { base, queries, warmup, warmupPerType } = await drawQueries(options, log);
    for (const side of sides) workers[side] = startWorker(side, log);
    const service = workers.service;
    const postgres = workers.postgres as Worker;
    let embeddedSide: { loaded: Loaded; snapshot: Saved } | null = null;
    if (service !== undefined) {
      const loaded = await service.call({ kind: 'load', side: 'service', corpusPath: options.corpusPath, scale: options.scale });
      const snapshot = await service.call({ kind: 'save' });
      await service.call({ kind: 'discardSnapshot' });
      embeddedSide = { loaded, snapshot };
    }
    const imported = await postgres.call({ kind: 'import', corpusPath: options.corpusPath, scale: options.scale, url: database.url, batchSize: IMPORT_BATCH_ARTICLES });
    const databaseBytes = await database.size();
    for (const side of sides) await (workers[side] as Worker).call({ kind: 'warmup', queries: QUERY_TYPES.flatMap((type) => warmup[type]) });

    const batches = { service: emptyBatches(), postgres: emptyBatches() };
    const slowest = { service: {}, postgres: {} } as Record<'service' | 'postgres', Record<QueryType, SlowQuery[]>>;
    for (const type of QUERY_TYPES) {
      log(`queries: ${queries[type].length} ${type}${sides.length > 1 ? ', both sides in turn' : ''}`);
      for (let start = 0, turn = 0; start < queries[type].length; start += BATCH_SIZE, turn++) {
        const batch = queries[type].slice(start, start + BATCH_SIZE);
        for (const side of turn % 2 === 0 ? sides : [...sides].reverse()) {
          batches[side][type].push(await (workers[side] as Worker).call({ kind: 'queries', queries: batch, collectFirst: start === 0 }));
        }
      }
      // Each type's figures as soon as it ends: a run stopped later still leaves them in the log.
      for (const side of sides) {
        slowest[side][type] = slowestQueries(queries[type], batches[side][type], SLOWEST_QUOTED);
        log(`queries: ${type} on ${side}: ${typeSummary(mergeBatches(batches[side][type]))}; slowest: ${slowest[side][type].map(formatSlowQuery).join('; ')}`);
      }
    }
    const serviceMemory = service === undefined ? null : await service.call({ kind: 'memory' });
    const postgresMemory = await postgres.call({ kind: 'memory' });
    for (const side of sides) await (workers[side] as Worker).call({ kind: 'stop' });
    const operations = await runPostgresOperations({
      corpusPath: options.corpusPath,
      base,
      scale: options.scale,
      seconds: options.seconds,
      word: queries.term[0]?.words[0] ?? '',
      startWorker: (side) => startWorker(side, log),
      log,
      databaseUrl: database.url,
      serverUrl,
      searchPaths: everyTypePaths(queries),
    });

    const totalsOf = (list: QueryBatch[]) => list.flatMap((batch) => batch.totals);
    const totals = Object.fromEntries(
      QUERY_TYPES.map((type) => [type, embeddedSide === null ? NOT_COMPARED : compareTotals(queries[type], totalsOf(batches.service[type]), totalsOf(batches.postgres[type]))]),
    ) as Record<QueryType, TotalsCheck>;
    return {
      machine: machineInfo(),
      server: `PostgreSQL ${database.serverVersion}`,
      corpus: { file: base.file, scale: options.scale, articles: imported.articles, paragraphs: imported.paragraphs },
      queriesPerType: options.queries,
      warmupPerType,
      seed: options.seed,
      embedded: embeddedSide === null ? null : { ...embeddedSide.loaded, snapshot: embeddedSide.snapshot, memory: serviceMemory as Memory, latency: latencies(batches.service) },
      postgres: {
        ...imported,
        batchSize: IMPORT_BATCH_ARTICLES,
        databaseBytes,
        memory: postgresMemory,
        latency: latencies(batches.postgres),
        slowest: slowest.postgres,
      },
      totals,
      operations,
    };
  } finally {
    for (const side of sides) workers[side]?.kill();
    // A database left behind is named in the log, not allowed to hide the run's own error.
    if (options.keepDatabase) await database.keep().catch((error: unknown) => log(`postgres: ${messageOf(error)}`));
    else await database.drop().catch((error: unknown) => log(`postgres: could not drop ${database.name}: ${messageOf(error)}; drop it by hand`));
  }
}
