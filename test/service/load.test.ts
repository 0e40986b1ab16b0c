/**
 * Load (issue 8): a real server process takes a few seconds of concurrent searches, phrases
 * included, mixed with a stream of new articles. Nothing fails, nothing times out, nothing
 * answers other than 2xx; afterwards every acknowledged article can be read and found. The
 * latency and throughput are printed for the reader; they never decide the outcome.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { describe, expect, it } from 'vitest';
import { startServer, stopServer, useServerFixtures } from './server-process.ts';
import { freshDatabase } from '../backends/postgres/database.ts';

/** Articles in the corpus before the load starts. */
const CORPUS_ARTICLES = 300;
/** Length of the run: long enough for the snapshot and the writes to overlap the searches. */
const DURATION_SECONDS = 6;
const CONNECTIONS = 8;

const WORDS = ['harvest', 'wheat', 'prices', 'gaza', 'ceasefire', 'talks', 'minister', 'rain', 'rice', 'grain', 'market', 'border', 'truce', 'envoy', 'drought', 'export', 'farmers', 'river', 'council', 'strike'];
const SOURCES = ['Farm News', 'Test Wire', 'Radio Habana Cuba'];

/** A small deterministic generator, so the corpus is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** A word unique to article `n`, made of letters only so the analyzer keeps it whole and no stem joins two of them. */
function uniqueWord(n: number): string {
  const letters = 'bcdfghjkmn';
  return `z${String(n).padStart(6, '0').replace(/\d/g, (digit) => letters[Number(digit)] as string)}x`;
}

function corpusLine(n: number, next: () => number): string {
  const sentence = (length: number) => Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
  const paragraphs = [`${sentence(12)} wheat prices ${sentence(6)}.`, `${sentence(20)}.`, `The ${uniqueWord(n)} ${sentence(8)}.`];
  const month = String(1 + (n % 12)).padStart(2, '0');
  return JSON.stringify({ id: `seeded-${n}`, title: `${sentence(4)} report ${n}`, source: SOURCES[n % SOURCES.length], date: `2023-${month}-15`, paragraphs });
}

const SEARCHES = [
  '/search?q=harvest',
  '/search?q=gaza%20ceasefire',
  '/search?q=%22wheat%20prices%22',
  '/search?q=%22gaza%20truce%22~3&group=article',
  '/search?q=grain%20OR%20rice%20-drought&facets=source,month',
  '/search?q=farm*&sort=newest&limit=20',
  '/search?q=minster~&fragments=3&context=1',
];

const fixture = useServerFixtures();

describe('server under load', () => {
  it('answers every search and keeps every article posted meanwhile', async () => {
    const { corpusDir, start } = await fixture();
    const next = random(8);
    await writeFile(join(corpusDir, 'seeded.jsonl'), `${Array.from({ length: CORPUS_ARTICLES }, (_, n) => corpusLine(n, next)).join('\n')}\n`);
    const server = await start();

    let posted = 0;
    const acknowledged: string[] = [];
    const refused: string[] = [];
    const post: autocannon.Request = {
      method: 'POST',
      path: '/articles',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => {
        const n = CORPUS_ARTICLES + posted++;
        const article = { id: `posted-${n}`, title: `Posted report ${n}`, source: 'Load Wire', paragraphs: [`Fresh wheat prices from the ${uniqueWord(n)} market.`, 'A second paragraph about the harvest.'] };
        return { ...request, body: JSON.stringify(article) };
      },
      onResponse: (status, body) => {
        const id = (JSON.parse(body) as { results?: Array<{ id: string }> }).results?.[0]?.id;
        if (status === 201 && id !== undefined) acknowledged.push(id);
        else refused.push(`${status} ${body.slice(0, 200)}`);
      },
    };
    const result = await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: DURATION_SECONDS,
      timeout: 20,
      // Each connection goes round this list: one write for every few searches.
      requests: [...SEARCHES.map((path) => ({ method: 'GET' as const, path })), post],
    });

    console.log(
      `load: ${CONNECTIONS} connections for ${result.duration.toFixed(1)} s: ${result.requests.total} requests ` +
        `(${result.requests.average.toFixed(0)} req/s), ${acknowledged.length} articles posted; ` +
        `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(refused).toEqual([]);
    expect(result['2xx']).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(0);
    const url = server.url;

    // Every acknowledged article is there and found by its own word, and only it.
    for (const id of acknowledged) {
      expect((await fetch(`${url}/articles/${id}`)).status, id).toBe(200);
      const n = Number(id.slice('posted-'.length));
      const found = (await (await fetch(`${url}/search?q=${uniqueWord(n)}`)).json()) as { total: number; hits: Array<{ articleId: string }> };
      expect(found.total, id).toBe(1);
      expect(found.hits[0]?.articleId).toBe(id);
    }
    const stats = (await (await fetch(`${url}/stats`)).json()) as { articles: number };
    // Posts still in flight when the run ended may have landed without their answer being counted.
    expect(stats.articles).toBeGreaterThanOrEqual(CORPUS_ARTICLES + acknowledged.length);
    expect(stats.articles).toBeLessThanOrEqual(CORPUS_ARTICLES + posted);
    expect(server.stderr.filter((line) => line.startsWith('internal error'))).toEqual([]);
  }, 60_000);

  it('keeps every write of 4 writers while 16 clients search a 20,000-paragraph archive', async () => {
    const { corpusDir, start } = await fixture();
    const next = random(16);
    // 6,700 articles of 3 paragraphs: the archive of SPEC §13's figure.
    const articles = 6_700;
    await writeFile(join(corpusDir, 'seeded.jsonl'), `${Array.from({ length: articles }, (_, n) => corpusLine(n, next)).join('\n')}\n`);
    const server = await start();
    await readersAndWriters(server, articles);
  }, 120_000);

  it('keeps every write of 4 writers while 16 clients search, on PostgreSQL', async () => {
    const database = await freshDatabase();
    try {
      const server = await startServer({ DATABASE_URL: database.url, CORPUS_DIR: '/nonexistent-corpus', INDEX_DIR: '/nonexistent-index' });
      try {
        const next = random(16);
        const articles = 2_000;
        for (let first = 0; first < articles; first += 500) {
          const batch = Array.from({ length: 500 }, (_, i) => JSON.parse(corpusLine(first + i, next)) as unknown);
          const posted = await fetch(`${server.url}/articles`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
          expect(posted.status).toBe(201);
        }
        await readersAndWriters(server, articles);
      } finally {
        await stopServer(server);
      }
    } finally {
      await database.drop();
    }
  }, 180_000);
});

/**
 * 16 clients searching common words and 4 posting new articles one after another, for a few
 * seconds: nothing fails, and every acknowledged article is found by its own word.
 */
async function readersAndWriters(server: { url: string; stderr: string[] }, articles: number): Promise<void> {
  let posted = 0;
  const acknowledged: string[] = [];
  const refused: string[] = [];
  const writers = autocannon({
    url: server.url,
    connections: 4,
    duration: DURATION_SECONDS,
    timeout: 20,
    requests: [
      {
        method: 'POST',
        path: '/articles',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const n = articles + posted++;
          return { ...request, body: JSON.stringify({ id: `posted-${n}`, title: `Posted report ${n}`, source: 'Load Wire', paragraphs: [`Wheat prices from the ${uniqueWord(n)} market.`] }) };
        },
        onResponse: (status, body) => {
          const id = (JSON.parse(body) as { results?: Array<{ id: string }> }).results?.[0]?.id;
          if (status === 201 && id !== undefined) acknowledged.push(id);
          else refused.push(`${status} ${body.slice(0, 200)}`);
        },
      },
    ],
  });
  const searchers = autocannon({
    url: server.url,
    connections: 16,
    duration: DURATION_SECONDS,
    timeout: 20,
    requests: ['harvest', 'wheat%20prices', '%22wheat%20prices%22', 'market%20-drought', 'farm*'].map((q) => ({ method: 'GET' as const, path: `/search?q=${q}` })),
  });
  const [written, searched] = await Promise.all([writers, searchers]);
  console.log(
    `16 searchers + 4 writers, ${articles} articles: ${searched.requests.total} searches (p50 ${searched.latency.p50} ms, p99 ${searched.latency.p99} ms), ` +
      `${acknowledged.length} writes (p50 ${written.latency.p50} ms, p99 ${written.latency.p99} ms, max ${written.latency.max} ms)`,
  );
  for (const result of [written, searched]) {
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
  }
  expect(refused).toEqual([]);
  expect(searched['2xx']).toBeGreaterThan(0);
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const id of acknowledged) {
    const n = Number(id.slice('posted-'.length));
    const found = (await (await fetch(`${server.url}/search?q=${uniqueWord(n)}`)).json()) as { total: number; hits: Array<{ articleId: string }> };
    expect(found.total, id).toBe(1);
    expect(found.hits[0]?.articleId).toBe(id);
  }
  expect(server.stderr.filter((line) => line.startsWith('internal error'))).toEqual([]);
}
