/**
 * @module bench/server-process
 * Real server processes for the operational measurements (SPEC §13): `node dist/cli.js serve`,
 * as `npm start` runs it, compiled first by `npm run build` so that what is measured is the
 * source of this checkout. Each server listens on a free loopback port and logs to a file (a
 * log on a pipe the benchmark is slow to read would hold the server up); it is stopped by a
 * signal to its own pid.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClientAgent, excerpt, send } from './http-client.ts';
import { BENCH_HOST } from './http.ts';

/** The project folder: where `npm run build` runs and `dist/` is. */
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The compiled command line, as `npm start` runs it. */
const CLI_PATH = join(PROJECT_ROOT, 'dist', 'cli.js');
/** Matches the line a server prints on stdout once it accepts connections, capturing its URL. */
const LISTENING_RE = /^listening on (\S+)$/;
/** The line the embedded backend logs when it builds its index instead of loading the snapshot. */
export const BUILD_LOG_PREFIX = 'building the index from ';
/** Pause between two `/health` requests while the server does not answer 200 yet. */
const HEALTH_RETRY_MS = 10;
/** How long a stopped server gets to exit (it saves its snapshot first) before it is killed. */
const STOP_GRACE_MS = 60_000;
/** Lines of the server's log quoted when it fails. */
const LOG_TAIL_LINES = 20;

/** Where a server finds its data: the embedded backend's folders, or a PostgreSQL database. */
export type ServerData = { corpusDir: string; indexDir: string } | { databaseUrl: string };

/** A process's resident set now and the most it ever held (Linux's `VmRSS` and `VmHWM`), in bytes. */
export type ServerMemory = { rssBytes: number; peakRssBytes: number };

/** One `/proc/<pid>/status` size line: its name and size in kB. */
const STATUS_KB_RE = /^(VmRSS|VmHWM):\s+(\d+) kB$/gm;

/**
 * The resident memory in a `/proc/<pid>/status` text, or null when either line is missing.
 *
 * @example
 * memoryOfStatus('VmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n') // { rssBytes: 104857600, peakRssBytes: 209715200 }
 */
export function memoryOfStatus(status: string): ServerMemory | null {
  const kb = new Map([...status.matchAll(STATUS_KB_RE)].map((match) => [match[1], Number(match[2])]));
  const rss = kb.get('VmRSS');
  const peak = kb.get('VmHWM');
  return rss === undefined || peak === undefined ? null : { rssBytes: rss * 1024, peakRssBytes: peak * 1024 };
}

/** A server process the benchmark launched. */
export type RunningServer = {
  pid: number;
  url: string;
  /** Milliseconds from the launch to the first `200` of `GET /health`. */
  healthyMs: number;
  /** The server's log (its stderr) so far. */
  log(): Promise<string>;
  /** Its resident memory now and at its peak, from `/proc` (null where there is none, or once it exited). */
  memory(): Promise<ServerMemory | null>;
  /** SIGTERM, then waits for the exit (SIGKILL after {@link STOP_GRACE_MS}); resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL at once, for a benchmark that fails midway. */
  kill(): void;
};

/**
 * Compiles `dist/` with `npm run build`, so the servers run this checkout's source; rejects with
 * the compiler's output when it fails.
 */
export function buildDist(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['run', 'build'], { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`npm run build failed: ${excerpt(`${stdout}${stderr}`, 2000)}`));
    });
  });
}

/**
 * Node's options for a server of the PostgreSQL backend, as the README runs it ("Beyond one
 * machine"): a young generation of 2 MB semi-spaces instead of 16, so the buffers a search reads
 * its posting blocks into are collected within the search that read them. At 100x Reuters, 16
 * clients of the heaviest queries over HTTP: the server's peak RSS 261-268 MB with Node's default,
 * 231-251 MB with this.
 */
export const POSTGRES_NODE_OPTIONS = '--max-semi-space-size=2';

/**
 * The environment of a server on `data`: a free loopback port, no token, no rate limit, nothing
 * inherited that would change the backend; for PostgreSQL, {@link POSTGRES_NODE_OPTIONS} as well.
 */
export function serverEnv(data: ServerData, inherited: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const common = { PORT: '0', HOST: BENCH_HOST, INGEST_TOKEN: '', RATE_LIMIT_PER_MINUTE: '', MAX_BODY_BYTES: '' };
  if ('databaseUrl' in data) {
    const nodeOptions = [inherited.NODE_OPTIONS, POSTGRES_NODE_OPTIONS].filter((option) => option !== undefined && option !== '').join(' ');
    return { ...inherited, ...common, DATABASE_URL: data.databaseUrl, NODE_OPTIONS: nodeOptions };
  }
  return { ...inherited, ...common, DATABASE_URL: '', CORPUS_DIR: data.corpusDir, INDEX_DIR: data.indexDir };
}

/** Servers launched and not yet exited: killed if the benchmark exits first, so none outlives it. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Launches `node dist/cli.js serve` on `data`, its log appended to `logFile`, and resolves once
 * `GET /health` answers 200, with the time that took from the launch. Rejects, the process
 * killed, when it exits first.
 */
export async function launchServer(data: ServerData, logFile: string): Promise<RunningServer> {
  const logFd = openSync(logFile, 'a');
  const started = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [CLI_PATH, 'serve'], { cwd: PROJECT_ROOT, env: serverEnv(data), stdio: ['ignore', 'pipe', logFd] });
  } finally {
    // The child holds its own descriptor of the log from here on.
    closeSync(logFd);
  }
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const log = () => readFile(logFile, 'utf8').catch(() => '');
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = LISTENING_RE.exec(line);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.once('error', reject);
      void exited.then(async (code) => reject(new Error(`the server exited (code ${code}) before it listened: ${tail(await log())}`)));
    });
    const agent = createClientAgent();
    let healthy = await send(agent, url, '/health');
    while (healthy.status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, HEALTH_RETRY_MS));
      healthy = await send(agent, url, '/health');
    }
    const healthyMs = performance.now() - started;
    agent.destroy();
    return {
      pid: child.pid as number,
      url,
      healthyMs,
      log,
      kill,
      memory: () =>
        readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (status) => memoryOfStatus(status),
          () => null,
        ),
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
        child.kill('SIGTERM');
        const timer = setTimeout(kill, STOP_GRACE_MS);
        const code = await exited;
        clearTimeout(timer);
        return code;
      },
    };
  } catch (error) {
    kill();
    throw error;
  }
}

/** The last lines of a log, for a message. */
export function tail(log: string, lines: number = LOG_TAIL_LINES): string {
  const all = log.trimEnd().split('\n');
  return all.slice(-lines).join('\n') || '(nothing logged)';
}
