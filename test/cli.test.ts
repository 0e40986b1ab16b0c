import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_PATH, tempDir } from './helpers.ts';
import { startServer, stopServer, type ServerProcess } from './service/server-process.ts';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
let cleanup: (() => Promise<void>) | undefined;
afterEach(() => cleanup?.());

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run ingest', () => {
  it('adds files and folders, reports each outcome and exits 1 when a file is rejected', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const env = { CORPUS_DIR: join(dir.path, 'corpus'), INDEX_DIR: join(dir.path, 'index') };
    const input = join(dir.path, 'input', 'nested');
    await mkdir(input, { recursive: true });
    await writeFile(join(input, 'good.jsonl'), ['{"id":"g1","title":"One","body":"Barley harvest."}', '{"id":"g2","title":"Two","body":"Oat harvest."}'].join('\n'));
    await writeFile(join(input, 'bad.json'), '{"title": "No paragraphs"}');
    const first = await cli(['ingest', join(dir.path, 'input'), SEED_PATH], env);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('3 created, 0 updated, 0 unchanged, 1 files rejected');
    expect(first.stdout).toMatch(/rejected .*bad\.json: .*item 0: paragraphs/);
    expect((await readdir(env.CORPUS_DIR)).sort()).toHaveLength(3);

    const again = await cli(['ingest', join(input, 'good.jsonl')], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 created, 0 updated, 2 unchanged, 0 files rejected');
  });
});

describe('npm run ingest with pages and feeds', () => {
  it('reads HTML pages and RSS/Atom feeds from a folder, one article per item', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const env = { CORPUS_DIR: join(dir.path, 'corpus'), INDEX_DIR: join(dir.path, 'index') };
    const result = await cli(['ingest', join(ROOT, 'test/ingest/fixtures')], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('3 files, 7 articles: 7 created');
    expect((await readdir(env.CORPUS_DIR)).filter((name) => name.endsWith('.json'))).toHaveLength(7);
  });
});

describe('serve', () => {
  it('exits 1 with one line naming PORT when the port is in use', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const result = await cli(['serve'], { PORT: String(port), CORPUS_DIR: join(ROOT, 'corpus'), INDEX_DIR: join(dir.path, 'index') });
      expect(result.code).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines.at(-1)).toBe(`error: PORT ${port} is already in use on 127.0.0.1: stop what listens there, or set PORT to another port (0: any free one)`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it("exposes Node's process metrics and its own requests at /metrics, which the rate limit never refuses", async () => {
    const dir = await tempDir();
    let server: ServerProcess | undefined;
    cleanup = async () => {
      if (server !== undefined) await stopServer(server);
      await dir.cleanup();
    };
    const corpusDir = join(dir.path, 'corpus');
    await mkdir(corpusDir);
    server = await startServer({ CORPUS_DIR: corpusDir, INDEX_DIR: join(dir.path, 'index'), RATE_LIMIT_PER_MINUTE: '1' });
    expect((await fetch(`${server.url}/search?q=wheat`)).status).toBe(200);
    expect((await fetch(`${server.url}/search?q=wheat`)).status).toBe(429);
    await fetch(`${server.url}/metrics`);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toContain('http_requests_total{method="GET",route="/search",status="429"} 1\n');
    expect(text).toContain('http_requests_total{method="GET",route="/metrics",status="200"} 1\n');
    expect(text).toContain('news_index_articles{backend="embedded"} 0\n');
  });
});

describe('serve settings for slow and idle clients', () => {
  it('exits 1 with one line naming a bad timeout, connection cap or minimum body rate', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const env = { PORT: '0', CORPUS_DIR: join(ROOT, 'corpus'), INDEX_DIR: join(dir.path, 'index') };
    const refusal = async (settings: Record<string, string>) => {
      const result = await cli(['serve'], { ...env, ...settings });
      expect(result.code).toBe(1);
      return result.stderr;
    };
    expect(await refusal({ HEADERS_TIMEOUT_SECONDS: '0' })).toBe('error: HEADERS_TIMEOUT_SECONDS must be an integer from 1 to 86400, got "0"\n');
    expect(await refusal({ REQUEST_TIMEOUT_SECONDS: '2m' })).toBe('error: REQUEST_TIMEOUT_SECONDS must be an integer from 1 to 86400, got "2m"\n');
    expect(await refusal({ KEEP_ALIVE_TIMEOUT_SECONDS: '0.5' })).toBe('error: KEEP_ALIVE_TIMEOUT_SECONDS must be an integer from 1 to 86400, got "0.5"\n');
    expect(await refusal({ MAX_CONNECTIONS: 'many' })).toBe('error: MAX_CONNECTIONS must be a positive integer, got "many"\n');
    expect(await refusal({ MAX_CONNECTIONS_PER_CLIENT: '-1' })).toBe('error: MAX_CONNECTIONS_PER_CLIENT must be a positive integer, got "-1"\n');
    expect(await refusal({ MIN_BODY_BYTES_PER_SECOND: '-5' })).toBe('error: MIN_BODY_BYTES_PER_SECOND must be an integer of at least 0, got "-5"\n');
    expect(await refusal({ MIN_BODY_RATE_GRACE_SECONDS: '0' })).toBe('error: MIN_BODY_RATE_GRACE_SECONDS must be an integer from 1 to 86400, got "0"\n');
    expect(await refusal({ HEADERS_TIMEOUT_SECONDS: '30', REQUEST_TIMEOUT_SECONDS: '20' })).toBe(
      'error: HEADERS_TIMEOUT_SECONDS (30) must not be longer than REQUEST_TIMEOUT_SECONDS (20): the whole request includes its headers\n',
    );
  });
});

describe('npm run search', () => {
  it('prints ranked hits with the matches marked, plain when piped', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const env = { CORPUS_DIR: join(ROOT, 'corpus'), INDEX_DIR: join(dir.path, 'index') };
    const result = await cli(['search', '"four-day truce"'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 paragraph matches');
    expect(result.stdout).toContain('**four-day truce**');
    expect(result.stdout).not.toContain('\x1b[');
  });

  it('ends quietly when the reader of its output stops early (| head)', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    // 100 hits with long titles: more output than a pipe holds, so the writer meets the closed end.
    await mkdir(join(dir.path, 'corpus'));
    const articles = Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: `g${i}`, title: `Grain report ${i} ${'of the harvest '.repeat(60)}`, body: 'Grain prices rose.' }));
    await writeFile(join(dir.path, 'corpus', 'grain.jsonl'), articles.join('\n'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'search', 'grain', '--limit', '100'], {
      cwd: ROOT,
      env: { ...process.env, CORPUS_DIR: join(dir.path, 'corpus'), INDEX_DIR: join(dir.path, 'index') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Read the first chunk, then close the pipe as `head` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|at /);
  });

  it('says how it read a query it reinterpreted', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const result = await cli(['search', 'truce OR'], { CORPUS_DIR: join(ROOT, 'corpus'), INDEX_DIR: join(dir.path, 'index') });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('read as: truce\n  note: a dangling OR is ignored\n');
  });

  it('takes an empty setting as unset, and exits 1 naming a bad one', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const env = { CORPUS_DIR: join(ROOT, 'corpus'), INDEX_DIR: join(dir.path, 'index') };
    expect((await cli(['search', 'ceasefire'], { ...env, PORT: '', MAX_BODY_BYTES: ' ', RATE_LIMIT_PER_MINUTE: '' })).code).toBe(0);
    const bad = await cli(['search', 'ceasefire'], { ...env, PORT: '70000' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('error: PORT must be an integer from 0 to 65535, got "70000"\n');
    expect((await cli(['search', 'ceasefire'], { ...env, MAX_BODY_BYTES: '1.5' })).stderr).toBe('error: MAX_BODY_BYTES must be a positive integer, got "1.5"\n');
  });

  it('exits 1 with the reason for a query it refuses', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const result = await cli(['search', '-gaza'], { CORPUS_DIR: join(ROOT, 'corpus'), INDEX_DIR: join(dir.path, 'index') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: q must hold at least one/);
  });
});
