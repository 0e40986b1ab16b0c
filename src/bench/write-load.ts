/**
 * @module bench/write-load
 * Writes under read load (SPEC §13: "under 16 concurrent searchers and 4 writers, a write is
 * acknowledged in ≤ 250 ms at p99 and searches keep answering"), on a real server: searchers
 * each walk the load mix without pause, writers each post single new articles one after
 * another, all for a set time; then every acknowledged article is searched for by its own word.
 */
import { performance } from 'node:perf_hooks';
import type { Article } from '../ingest/article.ts';
import { createClientAgent, excerpt, send } from './http-client.ts';
import { searchPath } from './http.ts';
import { markerWord, postedArticle } from './load-mix.ts';
import { summarize, type Distribution } from './measure.ts';

/** Searchers and writers of SPEC §13. */
export const SEARCHERS = 16;
export const WRITERS = 4;
/** Paragraphs of the archive the writes go into (the first articles of the corpus). */
export const ARCHIVE_PARAGRAPHS = 20_000;
/** Errors and unsearchable articles quoted in the report. */
const EXAMPLES = 3;

/** What the load measured. */
export type WriteLoadResult = {
  /** The archive the server held before the writes. */
  archive: { articles: number; paragraphs: number };
  seconds: number;
  searchers: number;
  writers: number;
  /** The searchers' queries. */
  queries: string[];
  /** Every `POST /articles`, acknowledged or not, from the call to the answer. */
  write: Distribution;
  /** Every search, answered or not. */
  search: Distribution;
  /** Writes answered 201. */
  acknowledged: number;
  writeErrors: number;
  searchErrors: number;
  /** The first few errors, as `<what>: <status or message>`. */
  errors: string[];
  /** Acknowledged articles a search for their own word did not find afterwards, and a few of them. */
  notSearchable: number;
  notSearchableExamples: string[];
};

/** What the load runs against. */
export type WriteLoadOptions = {
  url: string;
  archive: { articles: number; paragraphs: number };
  /** The searchers' queries (see `searchMix`). */
  searches: readonly string[];
  /** Articles the writers post under new ids, in turn (see `postedArticle`). */
  sources: readonly Article[];
  seconds: number;
  searchers?: number;
  writers?: number;
};

/** Runs the load for `seconds`, then checks every acknowledged article is searchable. */
export async function measureWritesUnderLoad(options: WriteLoadOptions): Promise<WriteLoadResult> {
  const { url, searches, sources, seconds, searchers = SEARCHERS, writers = WRITERS } = options;
  if (searches.length === 0 || sources.length === 0) throw new Error('the write load needs queries and articles to post');
  const errors: string[] = [];
  const noteError = (what: string, detail: string) => {
    if (errors.length < EXAMPLES) errors.push(`${what}: ${excerpt(detail)}`);
  };
  // A warm-up round, so the first searches of the load do not pay for compilation.
  const warm = createClientAgent();
  for (const q of searches) await send(warm, url, searchPath(q));
  warm.destroy();

  const deadline = performance.now() + seconds * 1000;
  const searchSamples: number[] = [];
  const writeSamples: number[] = [];
  const acknowledged: Array<{ id: string; word: string }> = [];
  let searchErrors = 0;
  let writeErrors = 0;

  const searcher = async (index: number): Promise<void> => {
    const agent = createClientAgent();
    // Each starts at its own place in the mix, so they do not ask the same thing in lockstep.
    for (let turn = index; performance.now() < deadline; turn++) {
      const q = searches[turn % searches.length] as string;
      try {
        const reply = await send(agent, url, searchPath(q));
        searchSamples.push(reply.ms);
        if (reply.status !== 200) {
          searchErrors++;
          noteError(`search ${q}`, `${reply.status} ${reply.body}`);
        }
      } catch (error) {
        searchErrors++;
        noteError(`search ${q}`, error instanceof Error ? error.message : String(error));
      }
    }
    agent.destroy();
  };
  const writer = async (index: number): Promise<void> => {
    const agent = createClientAgent();
    for (let n = 0; performance.now() < deadline; n++) {
      const article = postedArticle(sources[(n * writers + index) % sources.length] as Article, index, n);
      const started = performance.now();
      try {
        const reply = await send(agent, url, '/articles', { method: 'POST', json: article });
        writeSamples.push(reply.ms);
        if (reply.status === 201) acknowledged.push({ id: article.id, word: markerWord(index, n) });
        else {
          writeErrors++;
          noteError(`POST ${article.id}`, `${reply.status} ${reply.body}`);
        }
      } catch (error) {
        writeSamples.push(performance.now() - started);
        writeErrors++;
        noteError(`POST ${article.id}`, error instanceof Error ? error.message : String(error));
      }
    }
    agent.destroy();
  };
  const startedAt = performance.now();
  await Promise.all([...Array.from({ length: searchers }, (_, index) => searcher(index)), ...Array.from({ length: writers }, (_, index) => writer(index))]);
  const elapsed = (performance.now() - startedAt) / 1000;

  const missing = await unsearchable(url, acknowledged);
  return {
    archive: options.archive,
    seconds: elapsed,
    searchers,
    writers,
    queries: [...searches],
    write: summarize(writeSamples),
    search: summarize(searchSamples),
    acknowledged: acknowledged.length,
    writeErrors,
    searchErrors,
    errors,
    notSearchable: missing.length,
    notSearchableExamples: missing.slice(0, EXAMPLES),
  };
}

/** The acknowledged articles that a search for their own word does not find, each as `<id> (<why>)`. */
async function unsearchable(url: string, acknowledged: ReadonlyArray<{ id: string; word: string }>): Promise<string[]> {
  const agent = createClientAgent();
  const missing: string[] = [];
  for (const { id, word } of acknowledged) {
    try {
      const reply = await send(agent, url, searchPath(word));
      const hits = reply.status === 200 ? ((JSON.parse(reply.body) as { hits?: Array<{ articleId?: unknown }> }).hits ?? []) : [];
      if (!hits.some((hit) => hit.articleId === id)) missing.push(`${id} (${reply.status === 200 ? `"${word}" finds ${hits.length} other hits` : `${reply.status} ${excerpt(reply.body, 80)}`})`);
    } catch (error) {
      missing.push(`${id} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  agent.destroy();
  return missing;
}
