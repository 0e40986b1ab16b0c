/**
 * @module bench/args
 * The benchmark's command line: `<corpus> [--scale N] [--queries N] [--seconds S]
 * [--connections N] [--seed N] [--backend embedded|postgres] [--database-url URL] [--postgres-only]
 * [--keep-database] [--resume-database NAME]`. Pure: argv
 * and `DATABASE_URL` in, options or an error message out.
 */
import { BENCH_DATABASE_NAME_RE } from './database.ts';
import type { BenchOptions } from './run.ts';

/** What to say when no corpus is named: the benchmark needs articles, and ships none worth measuring. */
export const NO_CORPUS =
  'no corpus given: pass a JSON Lines file of articles, one {"id", "title", "source", "date", "paragraphs": [...]} per line, ' +
  'e.g. npm run bench -- reuters-21578.jsonl (the figures under "Performance" in the README come from Reuters-21578: 19,043 articles, 107,331 paragraphs)';

/** The defaults of every option but the corpus. */
export const DEFAULT_BENCH_OPTIONS: Omit<BenchOptions, 'corpusPath'> = {
  scale: 1,
  queries: 300,
  seconds: 10,
  connections: 10,
  seed: 20_231_124,
  backend: 'embedded',
  databaseUrl: null,
  postgresOnly: false,
  keepDatabase: false,
  resumeDatabase: null,
};

/** The usage line printed with `--help` or after a bad argument. */
export const USAGE =
  'usage: npm run bench -- <corpus.jsonl> [--scale N] [--queries N] [--seconds S] [--connections N] [--seed N] [--backend embedded|postgres] [--database-url URL] [--postgres-only] [--keep-database] [--resume-database NAME]\n' +
  '  --backend postgres compares the PostgreSQL backend with the embedded one; it needs --database-url or DATABASE_URL\n' +
  '  (a server on which it may create and drop a database bench_<random>; nothing else in it is touched)\n' +
  '  --postgres-only measures the PostgreSQL backend alone (a scale the embedded backend cannot hold in memory);\n' +
  '  --keep-database leaves its database on the server at the end instead of dropping it;\n' +
  '  --resume-database bench_… imports into a database a run kept (or stopped) instead of a new one: the articles already\n' +
  '  there are left unchanged, the rest written, then the queries run; it keeps the database (all three with --backend postgres)';

/** The backends `--backend` names. */
export const BENCH_BACKENDS = ['embedded', 'postgres'] as const;

/** One of {@link BENCH_BACKENDS}: `embedded` compares the service with plain MiniSearch, `postgres` the PostgreSQL backend with the service. */
export type BenchBackend = (typeof BENCH_BACKENDS)[number];

type NumericOption = 'scale' | 'queries' | 'seconds' | 'connections' | 'seed';

/** Each flag's option, and the smallest value it takes (`seconds` may be fractional). */
const FLAGS: Record<string, { option: NumericOption; min: number; integer: boolean }> = {
  '--scale': { option: 'scale', min: 1, integer: true },
  '--queries': { option: 'queries', min: 1, integer: true },
  '--seconds': { option: 'seconds', min: 0.1, integer: false },
  '--connections': { option: 'connections', min: 1, integer: true },
  '--seed': { option: 'seed', min: 0, integer: true },
};

/**
 * Parses the benchmark's arguments (after `npm run bench --`).
 *
 * @example
 * parseBenchArgs(['data.jsonl', '--scale', '4']) // { ok: true, options: { corpusPath: 'data.jsonl', scale: 4, … } }
 * parseBenchArgs(['--scale', '0'])               // { ok: false, message: '--scale must be an integer ≥ 1, got "0"' }
 */
export function parseBenchArgs(argv: readonly string[], env: { DATABASE_URL?: string | undefined } = {}): { ok: true; options: BenchOptions } | { ok: false; message: string } | { ok: 'help' } {
  const options: BenchOptions = { corpusPath: '', ...DEFAULT_BENCH_OPTIONS };
  let urlGiven: string | null = null;
  let corpusGiven = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--help' || arg === '-h') return { ok: 'help' };
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const flag = FLAGS[name];
    if (flag !== undefined) {
      const raw = inline ?? argv[++index];
      const value = Number(raw);
      if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value < flag.min || (flag.integer && !Number.isInteger(value))) {
        return { ok: false, message: `${name} must be ${flag.integer ? 'an integer' : 'a number'} ≥ ${flag.min}, got "${raw ?? ''}"` };
      }
      options[flag.option] = value;
    } else if (name === '--backend') {
      const raw = inline ?? argv[++index];
      if (!BENCH_BACKENDS.includes(raw as BenchBackend)) return { ok: false, message: `--backend must be ${BENCH_BACKENDS.join(' or ')}, got "${raw ?? ''}"` };
      options.backend = raw as BenchBackend;
    } else if ((name === '--postgres-only' || name === '--keep-database') && inline === undefined) {
      options[name === '--postgres-only' ? 'postgresOnly' : 'keepDatabase'] = true;
    } else if (name === '--resume-database') {
      const raw = inline ?? argv[++index];
      if (raw === undefined || !BENCH_DATABASE_NAME_RE.test(raw)) return { ok: false, message: `--resume-database needs the name of a benchmark's database (bench_ and 12 hex digits), got "${raw ?? ''}"` };
      options.resumeDatabase = raw;
      options.keepDatabase = true;
    } else if (name === '--database-url') {
      const raw = inline ?? argv[++index];
      if (raw === undefined || raw.trim() === '') return { ok: false, message: '--database-url needs a postgres:// URL, got ""' };
      urlGiven = raw;
    } else if (arg.startsWith('-')) {
      return { ok: false, message: `unknown option "${arg}"` };
    } else if (corpusGiven) {
      return { ok: false, message: `one corpus file only, got "${options.corpusPath}" and "${arg}"` };
    } else {
      options.corpusPath = arg;
      corpusGiven = true;
    }
  }
  if (!corpusGiven) return { ok: false, message: NO_CORPUS };
  if (options.backend === 'postgres') {
    const url = urlGiven ?? (env.DATABASE_URL?.trim() ? env.DATABASE_URL : null);
    if (url === null) return { ok: false, message: '--backend postgres needs a database server: give --database-url postgres://… or set DATABASE_URL (the benchmark creates and drops a database of its own there)' };
    options.databaseUrl = url;
  } else if (urlGiven !== null) {
    return { ok: false, message: '--database-url is for --backend postgres only' };
  } else if (options.resumeDatabase !== null) {
    return { ok: false, message: '--resume-database is for --backend postgres only' };
  } else if (options.postgresOnly || options.keepDatabase) {
    return { ok: false, message: `${options.postgresOnly ? '--postgres-only' : '--keep-database'} is for --backend postgres only` };
  }
  return { ok: true, options };
}
