/**
 * @module bench/head-of-line
 * Head-of-line blocking (SPEC §13: "one slow query never holds up the others; a trivial search
 * issued while it runs answers in ≤ 50 ms"), on a real server: a slow query is found by ORing
 * short prefixes until one takes {@link SLOW_QUERY_MS} alone; then, while it runs, a trivial search
 * (a rare word) is issued every {@link TICK_MS}, each on a connection of its own when the last has
 * not answered, and timed from the moment it was issued.
 */
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClientAgent, send, type Reply } from './http-client.ts';
import { searchPath } from './http.ts';
import { prefixQuery } from './load-mix.ts';
import { median, summarize, type Distribution } from './measure.ts';
import type { ServerMemory } from './server-process.ts';

/** How long the slow query must take alone (SPEC §13 names no figure: a second is far beyond any search of the mix). */
export const SLOW_QUERY_MS = 1000;
/** Longest the slow query may take alone: well within the 3 s query budget, so that the runs are answered, not refused. */
export const SLOW_QUERY_MAX_MS = 2000;
/** Pause between two trivial searches. */
export const TICK_MS = 20;
/** Times the slow query runs with trivial searches around it. */
export const HEAD_OF_LINE_RUNS = 3;
/** Trivial searches timed alone, before any slow query, for comparison. */
const IDLE_SEARCHES = 20;

/** What the measurement found. */
export type HeadOfLineResult = {
  /** The slow query, and how long it took alone when it was chosen. */
  slowQuery: string;
  calibrationMs: number;
  /** Its status and time in each run with trivial searches around it. */
  slowStatus: number;
  slowRunsMs: number[];
  slowMs: number;
  trivialQuery: string;
  /** Trivial searches issued while the slow query ran, over every run. */
  trivial: Distribution;
  /** Trivial searches alone, one after another, before any slow query. */
  idle: Distribution;
  /** Trivial searches that did not answer 200. */
  trivialErrors: number;
  /** The server's resident memory once every search was answered (null where it could not be read). */
  server?: ServerMemory | null;
};

/** How long a query took alone, and its status. */
export type Timing = { status: number; ms: number };

/**
 * The slow query: ORs `prefixes` one more at a time until the query takes {@link SLOW_QUERY_MS}
 * by `time` (or they run out: the slowest then). A prefix whose addition gets the query refused
 * (it expands to too many words, or runs past the query budget) or slower than
 * {@link SLOW_QUERY_MAX_MS} is left out, and the next one tried.
 *
 * @example
 * await chooseSlowQuery(['th', 'co', 'sa'], timeOnServer, log) // { query: 'th* OR co*', ms: 1180 }
 */
export async function chooseSlowQuery(prefixes: readonly string[], time: (query: string) => Promise<Timing>, log: (line: string) => void): Promise<{ query: string; ms: number }> {
  const chosen: string[] = [];
  let slowest = { query: '', ms: 0 };
  for (const prefix of prefixes) {
    const query = prefixQuery([...chosen, prefix]);
    const timing = await time(query);
    log(`head of line: ${query} took ${Math.round(timing.ms)} ms (${timing.status})`);
    if (timing.status !== 200 || timing.ms > SLOW_QUERY_MAX_MS) continue;
    chosen.push(prefix);
    if (timing.ms > slowest.ms) slowest = { query, ms: timing.ms };
    if (timing.ms >= SLOW_QUERY_MS) break;
  }
  if (slowest.query === '') throw new Error(`no slow query: every prefix of ${prefixes.join(', ')} was refused or took over ${SLOW_QUERY_MAX_MS} ms alone`);
  return slowest;
}

/** Times `query` on the server at `url` the second time it runs: the first pays for compilation and cold caches, which the runs do not. */
async function timeOnServer(url: string, query: string): Promise<Timing> {
  const agent = createClientAgent();
  try {
    const first = await send(agent, url, searchPath(query));
    return first.status === 200 ? await send(agent, url, searchPath(query)) : first;
  } finally {
    agent.destroy();
  }
}

/** Runs the slow query {@link HEAD_OF_LINE_RUNS} times, issuing the trivial search every {@link TICK_MS} while it runs. */
export async function measureHeadOfLine(options: { url: string; prefixes: readonly string[]; trivialQuery: string; log: (line: string) => void }): Promise<HeadOfLineResult> {
  const { url, trivialQuery, log } = options;
  const trivialPath = searchPath(trivialQuery);
  const idleAgent = createClientAgent();
  const idle: number[] = [];
  for (let index = 0; index < IDLE_SEARCHES; index++) idle.push((await send(idleAgent, url, trivialPath)).ms);
  idleAgent.destroy();

  const slow = await chooseSlowQuery(options.prefixes, (query) => timeOnServer(url, query), log);
  const slowRuns: Reply[] = [];
  const trivial: Reply[] = [];
  for (let run = 0; run < HEAD_OF_LINE_RUNS; run++) {
    const slowAgent = createClientAgent();
    // As many connections as searches waiting: a trivial search never queues behind another in the client.
    const trivialAgent = new Agent({ keepAlive: true });
    let running = true;
    const slowReply = send(slowAgent, url, searchPath(slow.query)).finally(() => {
      running = false;
    });
    const issued: Array<Promise<Reply>> = [];
    await sleep(TICK_MS);
    while (running) {
      issued.push(send(trivialAgent, url, trivialPath));
      await sleep(TICK_MS);
    }
    slowRuns.push(await slowReply);
    trivial.push(...(await Promise.all(issued)));
    slowAgent.destroy();
    trivialAgent.destroy();
    log(`head of line: run ${run + 1}, the slow query took ${Math.round(slowRuns.at(-1)?.ms ?? 0)} ms; ${issued.length} trivial searches meanwhile`);
  }
  return {
    slowQuery: slow.query,
    calibrationMs: slow.ms,
    slowStatus: slowRuns.find((reply) => reply.status !== 200)?.status ?? 200,
    slowRunsMs: slowRuns.map((reply) => reply.ms),
    slowMs: median(slowRuns.map((reply) => reply.ms)),
    trivialQuery,
    trivial: summarize(trivial.map((reply) => reply.ms)),
    idle: summarize(idle),
    trivialErrors: trivial.filter((reply) => reply.status !== 200).length,
  };
}
