import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, PROJECT_ROOT as ROOT, readSeed, SEED_PATH, tempDir, wordyArticle } from './helpers.ts';
import { startServer, stopServer, type ServerProcess } from './service/server-process.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(() => cleanup?.());

describe('npm run ingest', () => {
  it('lists what it created, updated and left unchanged, warns of unknown fields, names each rejected file once and exits 1', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const env = { CORPUS_DIR: join(dir.path, 'corpus'), INDEX_DIR: join(dir.path, 'index') };
    const input = join(dir.path, 'input');
    await mkdir(join(input, 'nested'), { recursive: true });
    const good = join(input, 'nested', 'good.jsonl');
    await writeFile(good, ['{"id":"g1","title":"One","body":"Barley harvest."}', '{"id":"g2","title":"Two","body":"Oat harvest.","tags":["oats"]}'].join('\n'));
    await writeFile(join(input, 'nested', 'bad.json'), '{"title": "No paragraphs"}');
    await writeFile(join(input, 'nested', 'broken.jsonl'), '{"id":"b1","title":"Fine","body":"Rye."}\n{"id":"b2","title":');
    await copyFile(SEED_PATH, join(input, 'seed.txt'));
    const seed = await readSeed();
    const first = await cli(['ingest', input], env);
    expect(first.code).toBe(1);
    expect(first.stdout).toBe(
      [
        'created 3 articles:',
        '  g1  One',
        '  g2  Two',
        `  ${seed.id}  Iranian foreign minister and Hamas chief meet ahead of Gaza ceasefire`,
        `warning ${good}: line 2: unknown field "tags" (ignored)`,
        `rejected ${join(input, 'nested', 'bad.json')}: item 1: paragraphs must hold at least one non-blank paragraph`,
        `rejected ${join(input, 'nested', 'broken.jsonl')}: line 2: not valid JSON: Unexpected end of JSON input`,
        '4 files, 3 articles: 3 created, 0 updated, 0 unchanged, 2 files rejected',
        '',
      ].join('\n'),
    );
    expect((await readdir(env.CORPUS_DIR)).sort()).toEqual(['g1.json', 'g2.json', `${seed.id}.json`].sort());

    await writeFile(good, ['{"id":"g1","title":"One","body":"Barley harvest."}', '{"id":"g2","title":"Two, revised","body":"Oat prices."}'].join('\n'));
    const again = await cli(['ingest', good], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(['updated 1 article:', '  g2  Two, revised', 'unchanged 1 article:', '  g1  One', '1 file, 2 articles: 0 created, 1 updated, 1 unchanged, 0 files rejected', ''].join('\n'));
  });

  it('lists 20 articles per outcome and counts the rest, cuts long titles, and names the file of an article the index refuses', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const env = { CORPUS_DIR: join(dir.path, 'corpus'), INDEX_DIR: join(dir.path, 'index') };
    const many = join(dir.path, 'many.jsonl');
    const long = `${'Harvest report '.repeat(6)}end`; // 93 characters
    await writeFile(many, Array.from({ length: 25 }, (_, i) => JSON.stringify({ id: `m${i + 1}`, title: i === 0 ? long : `Report ${i + 1}`, body: 'Grain.' })).join('\n'));
    const wordy = join(dir.path, 'wordy.json');
    await writeFile(wordy, JSON.stringify(wordyArticle('wordy', 50_001)));
    const result = await cli(['ingest', many, wordy], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        'created 25 articles:',
        `  m1  ${long.slice(0, 79)}…`,
        ...Array.from({ length: 19 }, (_, i) => `  m${i + 2}  Report ${i + 2}`),
        '  … and 5 more',
        `rejected ${wordy}: item 1: paragraphs hold more than 50000 distinct terms; at most 50000 are accepted`,
        '2 files, 25 articles: 25 created, 0 updated, 0 unchanged, 1 file rejected',
        '',
      ].join('\n'),
    );
  });

  it('prints its usage for --help and -h, and refuses unknown options naming them', async () => {
    const help = await cli(['ingest', '--help'], {});
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: npm run ingest -- <files or folders or URLs>\.\.\.\n\n/);
    expect(help.stdout).toContain('Fields an article does not have\n(such as "tags") are ignored, with a warning.\n');
    expect((await cli(['ingest', '-h'], {})).stdout).toBe(help.stdout);
    expect(await cli(['ingest', '--dry-run', 'a.json', '--force'], {})).toMatchObject({ code: 1, stdout: '', stderr: 'error: unknown options --dry-run, --force: see npm run ingest -- --help\n' });
    expect(await cli(['ingest'], {})).toMatchObject({ code: 1, stderr: 'error: usage: npm run ingest -- <files or folders or URLs>... (--help for more)\n' });
  });
});

describe('npm run ingest with pages and feeds', () => {
  it('reads HTML pages and RSS/Atom feeds from a folder, one article per item', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const env = { CORPUS_DIR: join(dir.path, 'corpus'), INDEX_DIR: join(dir.path, 'index') };
    const result = await cli(['ingest', join(ROOT, 'test/ingest/fixtures')], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('6 files, 10 articles: 10 created, 0 updated, 0 unchanged, 0 files rejected');
    expect((await readdir(env.CORPUS_DIR)).filter((name) => name.endsWith('.json'))).toHaveLength(10);
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
    expect(await refusal({ MAX_SEARCHES_IN_FLIGHT: '0' })).toBe('error: MAX_SEARCHES_IN_FLIGHT must be a positive integer, got "0"\n');
    expect(await refusal({ DATABASE_SEARCH_CONNECTIONS: '500' })).toBe('error: DATABASE_SEARCH_CONNECTIONS must be an integer from 1 to 100, got "500"\n');
    expect(await refusal({ HEADERS_TIMEOUT_SECONDS: '30', REQUEST_TIMEOUT_SECONDS: '20' })).toBe(
      'error: HEADERS_TIMEOUT_SECONDS (30) must not be longer than REQUEST_TIMEOUT_SECONDS (20): the whole request includes its headers\n',
    );
  });
});

describe('npm run search', () => {
  it('prints its usage, the query syntax in brief and the options for --help and -h', async () => {
    const help = await cli(['search', '--help'], {});
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toBe(
      [
        "usage: npm run search -- '<query>' [--limit N]",
        '',
        'Prints the paragraphs matching the query, best first, with the matches marked.',
        '',
        'query syntax (README, "Query language"):',
        '  gaza truce              every word (AND); talk also finds talks, talked',
        '  iran OR qatar           either; ( ) groups',
        '  "four-day truce"        exact phrase; "hamas haniyeh"~3: up to 3 words between',
        '  -israel, NOT israel     exclude',
        '  hamas w/5 haniyeh       within 5 words; pre/5: in that order; w/s: same sentence',
        '  cease*, wom?n           prefix, wildcards',
        '  haniya~, haniya~1       fuzzy',
        '  title:ceasefire         in one field: title or text',
        '',
        'options:',
        '  --limit N               hits to print, 1 to 100 (default 10)',
        '  -h, --help              this help',
        '',
        'An argument starting with -- is an option; -word is an exclusion. After a lone --, every',
        'argument is part of the query.',
        '',
      ].join('\n'),
    );
    expect(await cli(['search', 'gaza', '-h'], {})).toEqual(help);
  });

  it('refuses unknown options in one line naming them, and a bad --limit naming the value', async () => {
    expect(await cli(['search', 'gaza', '--limt', '5', '--colour'], {})).toEqual({ code: 1, stdout: '', stderr: 'error: unknown options --limt, --colour: see npm run search -- --help\n' });
    expect(await cli(['search', '--json', 'gaza'], {})).toEqual({ code: 1, stdout: '', stderr: 'error: unknown option --json: see npm run search -- --help\n' });
    expect(await cli(['search', 'gaza', '--limit=abc'], {})).toEqual({ code: 1, stdout: '', stderr: 'error: --limit must be an integer from 1 to 100, got "abc"\n' });
    expect(await cli(['search', 'gaza', '--limit'], {})).toEqual({ code: 1, stdout: '', stderr: 'error: --limit must be an integer from 1 to 100, got ""\n' });
    expect(await cli(['search'], {})).toEqual({ code: 1, stdout: '', stderr: "error: usage: npm run search -- '<query>' [--limit N] (--help for the query syntax)\n" });
  });

  it('takes --limit N and --limit=N anywhere, and words after a lone -- as the query', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const env = { CORPUS_DIR: join(ROOT, 'corpus'), INDEX_DIR: join(dir.path, 'index') };
    const hits = (stdout: string) => stdout.split('\n').filter((line) => /^\d+\. /.test(line)).length;
    const spaced = await cli(['search', '--limit', '1', 'ceasefire'], env);
    expect(spaced.stdout).toMatch(/^2 paragraphs match "ceasefire"/);
    expect(hits(spaced.stdout)).toBe(1);
    expect(hits((await cli(['search', 'ceasefire', '--limit=2'], env)).stdout)).toBe(2);
    expect((await cli(['search', '--', 'ceasefire', '--help'], env)).stdout).toMatch(/^\d+ paragraphs? match(es)? "ceasefire --help" /);
  });

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
