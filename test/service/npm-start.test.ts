/**
 * `npm start` as an operator runs it (SPEC §13): one Node process on the compiled JavaScript of
 * `dist/` (built by `npm install`'s `prepare`, and by `npm test`), no tsx at run time; SIGTERM to
 * that process stops it cleanly.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The processes below `pid`, each with its command line, from /proc (Linux). */
async function descendants(pid: number): Promise<Array<{ pid: number; argv: string[] }>> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The parent pid is the second field after the command name in parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: Array<{ pid: number; argv: string[] }> = [];
  const walk = async (at: number): Promise<void> => {
    for (const child of children.get(at) ?? []) {
      const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
      found.push({ pid: child, argv: cmdline.split('\0').filter((part) => part !== '') });
      await walk(child);
    }
  };
  await walk(pid);
  return found;
}

/** `npm start` on the shipped corpus, once it listens: npm's process, the server's, what it printed, and its exit. */
async function startNpm(): Promise<{ npm: ReturnType<typeof spawn>; server: { pid: number; argv: string[] }; url: string; lines: string[]; exited: Promise<number | null>; read: Promise<void> }> {
  const dir = await tempDir();
  cleanups.push(dir.cleanup);
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', CORPUS_DIR: join(ROOT, 'corpus'), INDEX_DIR: join(dir.path, 'index') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => npm.once('exit', resolve));
  const lines: string[] = [];
  const output = createInterface({ input: npm.stdout! });
  // Every line read: the pipe closes once npm and the server (which writes to it too) have both exited.
  const read = new Promise<void>((resolve) => output.once('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    output.on('line', (line) => {
      lines.push(line);
      const match = /^listening on (\S+)$/.exec(line);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`npm start exited with ${code} before listening`)));
  });
  const nodes = (await descendants(npm.pid as number)).filter(({ argv }) => argv.some((part) => part.endsWith('node') || part === process.execPath));
  expect(nodes).toHaveLength(1);
  const server = nodes[0] as { pid: number; argv: string[] };
  cleanups.push(async () => {
    for (const pid of [server.pid, npm.pid as number]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  return { npm, server, url, lines, exited, read };
}

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('serves from one Node process running dist/cli.js, which SIGTERM stops cleanly', async () => {
    const { server, url, lines, exited, read } = await startNpm();
    expect((await (await fetch(`${url}/search?q=ceasefire`)).json()) as { total: number }).toMatchObject({ total: 2 });
    expect(server.argv.slice(1)).toEqual(['dist/cli.js', 'serve']);
    expect(server.argv.join(' ')).not.toMatch(/tsx/);

    process.kill(server.pid, 'SIGTERM');
    expect(await exited).toBe(0);
    await read;
    expect(lines).toContain('stopped');
  });

  it('stops the server cleanly when npm itself gets SIGTERM (a process manager, docker stop)', async () => {
    const { npm, server, lines, exited, read } = await startNpm();
    npm.kill('SIGTERM');
    await exited;
    // npm hands the signal to the server, which finishes its shutdown on its own.
    while (alive(server.pid)) await new Promise((resolve) => setTimeout(resolve, 20));
    await read;
    expect(lines).toContain('stopped');
  });
});
