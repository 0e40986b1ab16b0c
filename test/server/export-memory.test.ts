/**
 * @module test/server/export-memory
 * An export holds one chunk, not every row (SPEC §11: constant memory however many rows). A
 * synthetic archive of 30,000 paragraphs is exported twice — a query matching 3,000 of them and
 * one matching all 30,000 — while the test reads the body; after every few reads the heap is
 * collected and measured. The live heap's growth over the export must not follow the row count:
 * the large export may grow the heap no more than the small one, give or take a few megabytes
 * (holding its 30,000 rows would take tens of megabytes). No timing decides the test.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import type { Article } from '../../src/ingest/article.ts';
import { appOf, distinctWord, makeArticle } from '../helpers.ts';

/** Articles and paragraphs of the synthetic archive: 30,000 paragraphs in all. */
const ARTICLES = 3000;
const PARAGRAPHS = 10;
/** Every this-many-th article also holds the rarer word: 3,000 paragraphs. */
const RARE_EVERY = 10;
/** Heap the large export may take beyond what the small one took: well below its rows' size. */
const SLACK_BYTES = 4 * 1024 * 1024;
/** Reads between two measurements of the heap (a read is about 100 rows): both exports are measured while a chunk is held. */
const READS_PER_SAMPLE = 10;

setFlagsFromString('--expose-gc');
/** Node's collector, exposed to this test only. */
const collect = runInNewContext('gc') as () => void;

/**
 * A paragraph of about 300 characters, different in every article and paragraph: its words are
 * drawn from a large vocabulary by a multiplicative hash, so no two articles look like copies
 * (copy detection would otherwise compare every pair).
 */
function paragraph(article: number, n: number, rare: boolean): string {
  const words = Array.from({ length: 30 }, (_, i) => distinctWord(Math.imul(article * PARAGRAPHS * 30 + n * 30 + i + 1, 2654435761) >>> 16));
  return `Dispatch ${article}-${n}: the harbour alpha committee ${rare ? 'and the beta panel ' : ''}met again; ${words.join(' ')}.`;
}

function syntheticArchive(): Article[] {
  return Array.from({ length: ARTICLES }, (_, a) =>
    makeArticle({
      id: `story-${a}`,
      title: `Harbour story number ${a}`,
      source: `Outlet ${a % 50}`,
      date: a % 9 === 0 ? null : new Date(Date.UTC(2020, 0, 1) + a * 3_600_000).toISOString(),
      url: `https://outlet.example/${a}`,
      paragraphs: Array.from({ length: PARAGRAPHS }, (_, n) => paragraph(a, n, a % RARE_EVERY === 0)),
    }),
  );
}

/** Reads the export at `path` to its end, measuring the live heap as it goes; returns the rows and the largest growth. */
async function measureExport(app: Hono, path: string): Promise<{ rows: number; growth: number }> {
  collect();
  const base = process.memoryUsage().heapUsed;
  const response = await app.request(path);
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let peak = base;
  let lines = 0;
  for (let reads = 1; ; reads += 1) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const byte of value) if (byte === 0x0a) lines += 1;
    if (reads % READS_PER_SAMPLE === 0) {
      collect();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  }
  return { rows: lines, growth: peak - base };
}

describe('GET /search.jsonl and /search.csv memory', () => {
  let app: Hono;
  beforeAll(() => {
    app = appOf(syntheticArchive());
  }, 120_000);
  afterAll(() => collect());

  it('holds no more memory for 30,000 rows than for 3,000', { timeout: 120_000 }, async () => {
    // A first export warms up what every export uses (compiled code, the vocabulary's lookups).
    await measureExport(app, '/search.jsonl?q=beta');
    const small = await measureExport(app, '/search.jsonl?q=beta');
    const large = await measureExport(app, '/search.jsonl?q=alpha');
    expect(small.rows).toBe((ARTICLES / RARE_EVERY) * PARAGRAPHS);
    expect(large.rows).toBe(ARTICLES * PARAGRAPHS);
    const figures = `heap growth: ${small.rows} rows ${(small.growth / 1048576).toFixed(1)} MB, ${large.rows} rows ${(large.growth / 1048576).toFixed(1)} MB`;
    expect(large.growth, figures).toBeLessThan(small.growth + SLACK_BYTES);
  });

  it('holds no more memory for a CSV of 30,000 rows sorted newest first than for 3,000', { timeout: 120_000 }, async () => {
    await measureExport(app, '/search.csv?q=beta&sort=newest');
    const small = await measureExport(app, '/search.csv?q=beta&sort=newest');
    const large = await measureExport(app, '/search.csv?q=alpha&sort=newest');
    // The header is a line too.
    expect(large.rows).toBe(ARTICLES * PARAGRAPHS + 1);
    const figures = `heap growth: ${small.rows - 1} rows ${(small.growth / 1048576).toFixed(1)} MB, ${large.rows - 1} rows ${(large.growth / 1048576).toFixed(1)} MB`;
    expect(large.growth, figures).toBeLessThan(small.growth + SLACK_BYTES);
  });
});
