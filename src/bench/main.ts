/**
 * @module bench/main
 * `npm run bench -- <corpus.jsonl> [--scale N] [--queries N] [--seconds S] [--backend postgres]`:
 * the benchmark of SPEC §8. Like `cli.ts`, this entry point alone reads argv and `DATABASE_URL`,
 * prints and sets the exit code: progress goes to stderr, the report to stdout.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseBenchArgs, USAGE } from './args.ts';
import { formatReport } from './report.ts';
import { runBenchmark } from './run.ts';
import { formatPostgresReport } from './report-postgres.ts';
import { runPostgresBenchmark } from './run-postgres.ts';
import { messageOf } from '../errors.ts';

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseBenchArgs(argv, { DATABASE_URL: process.env.DATABASE_URL });
  if (parsed.ok === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!parsed.ok) {
    process.stderr.write(`error: ${parsed.message}\n${USAGE}\n`);
    return 2;
  }
  if (!existsSync(parsed.options.corpusPath)) {
    process.stderr.write(`error: no file at "${parsed.options.corpusPath}": pass a JSON Lines file of articles, one per line\n${USAGE}\n`);
    return 2;
  }
  const started = performance.now();
  const log = (line: string) => void process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
  if (parsed.options.backend === 'postgres') {
    const report = await runPostgresBenchmark(parsed.options, log);
    process.stdout.write(formatPostgresReport({ ...report, elapsedMs: performance.now() - started }));
    return 0;
  }
  const report = await runBenchmark(parsed.options, log);
  process.stdout.write(formatReport({ ...report, elapsedMs: performance.now() - started }));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${messageOf(error)}\n`);
    process.exitCode = 1;
  },
);
