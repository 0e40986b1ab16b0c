/**
 * A real server process (`node --import tsx src/cli.ts serve`) for the tests that need one:
 * started on a free loopback port, its output collected line by line, stopped by a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach } from 'vitest';
import { tempDir } from '../helpers.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

/** A running server and what it printed so far. */
export type ServerProcess = {
  process: ChildProcess;
  url: string;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Extra options of a server process. */
export type StartOptions = {
  /** Variables on top of the fixture's. */
  env?: Record<string, string>;
  /** Node.js options before the script (after tsx is loaded), such as `--import` of a test preload. */
  nodeArgs?: string[];
};

/** Starts `serve` with `env` on top of this process's (PORT=0, HOST=127.0.0.1); resolves once it listens. */
export async function startServer(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      const match = /^listening on (\S+)$/.exec(line);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    void exited.then(({ code }) => reject(new Error(`server exited with ${code} before listening: ${stderr.join('\n')}`)));
  });
  return { process: child, url, stdout, stderr, exited };
}

/** Sends `signal` and resolves once the process has exited. */
export async function stopServer(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill(signal);
  return server.exited;
}

/** A fresh folder with an empty `corpus/` (and room for `index/`), and servers started on it. */
export type ServerFixture = {
  /** The fixture's own folder, holding `corpus/` and (once written) `index/`. */
  root: string;
  corpusDir: string;
  indexDir: string;
  /** Starts a server on this folder's corpus and index. */
  start(options?: StartOptions): Promise<ServerProcess>;
};

/**
 * For a test file whose tests run real servers: returns a maker of {@link ServerFixture}s, and
 * after each test kills every server they started and removes their folders.
 */
export function useServerFixtures(): () => Promise<ServerFixture> {
  let servers: ServerProcess[] = [];
  let cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const server of servers) await stopServer(server, 'SIGKILL');
    for (const cleanup of cleanups) await cleanup();
    servers = [];
    cleanups = [];
  });
  return async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const corpusDir = join(dir.path, 'corpus');
    const indexDir = join(dir.path, 'index');
    await mkdir(corpusDir);
    return {
      root: dir.path,
      corpusDir,
      indexDir,
      start: async (options = {}) => {
        const server = await startServer({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, ...options.env }, options.nodeArgs);
        servers.push(server);
        return server;
      },
    };
  };
}
