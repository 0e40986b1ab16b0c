/**
 * @module bench/start
 * Start (SPEC §13), measured on real server processes: the benchmark corpus as one JSON Lines
 * file in an empty `CORPUS_DIR`, an empty `INDEX_DIR`; the time from the launch to the first 200
 * of `/health` while the missing index is built (saved in the background after), between two timings of plain
 * MiniSearch's `addAll` of the same paragraphs (so that a change in the machine's load hits both
 * sides of the ratio alike); then from the launch of a restart, which loads the snapshot, to
 * `/health` again, {@link RESTARTS} times.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Article } from '../ingest/article.ts';
import { writeCorpusCopies } from './corpus.ts';
import { createClientAgent, send } from './http-client.ts';
import { median } from './measure.ts';
import { BUILD_LOG_PREFIX, launchServer, tail, type RunningServer } from './server-process.ts';

/** Restarts from the snapshot timed; the median is reported (the first is often slower: file cache). */
export const RESTARTS = 3;

/** What the start measured. */
export type StartResult = {
  articles: number;
  paragraphs: number;
  /** Launch to `/health` with the index missing: read the corpus, build the index, save the snapshot. */
  buildMs: number;
  /** Plain MiniSearch's `addAll` of the same paragraphs, just before and just after the build. */
  plainAddAllsMs: number[];
  /** The mean of {@link StartResult.plainAddAllsMs}: what the build is compared with. */
  plainAddAllMs: number;
  /** Launch to `/health` from the snapshot, each restart in turn. */
  restartsMs: number[];
  /** The median of {@link StartResult.restartsMs}. */
  restartMs: number;
};

/** Where the start runs: a temporary folder of the benchmark's, and whom to tell. */
export type StartOptions = {
  dir: string;
  file: string;
  articles: readonly Article[];
  scale: number;
  /** Times plain MiniSearch's `addAll` of the same paragraphs (in a fresh worker), in milliseconds. */
  plainAddAll: () => Promise<number>;
  log: (line: string) => void;
};

/**
 * Writes the corpus into `dir`, times the build and the restarts, and resolves with the figures
 * and the last restarted server, still running (the head-of-line measurement uses it; the caller
 * stops it). Throws when a restart rebuilds instead of loading the snapshot, or the server does
 * not hold the paragraphs written.
 */
export async function measureStart(options: StartOptions): Promise<{ result: StartResult; server: RunningServer }> {
  const { dir, log } = options;
  const corpusDir = join(dir, 'corpus');
  const indexDir = join(dir, 'index');
  await mkdir(corpusDir, { recursive: true });
  await mkdir(indexDir, { recursive: true });
  const written = await writeCorpusCopies(join(corpusDir, options.file), options.articles, options.scale);
  const data = { corpusDir, indexDir };

  const plainAddAllsMs = [await options.plainAddAll()];
  log(`start: launching a server on ${written.paragraphs} paragraphs with no index`);
  const built = await launchServer(data, join(dir, 'server-build.log'));
  let server: RunningServer | undefined = built;
  try {
    const buildLog = await built.log();
    if (!buildLog.includes(BUILD_LOG_PREFIX)) throw new Error(`the first start did not build the index: ${tail(buildLog)}`);
    log(`start: the server built its index and answered /health after ${Math.round(built.healthyMs)} ms`);
    await expectParagraphs(built, written.paragraphs);
    await built.stop();
    server = undefined;
    plainAddAllsMs.push(await options.plainAddAll());
    const restartsMs: number[] = [];
    for (let restart = 1; restart <= RESTARTS; restart++) {
      server = await launchServer(data, join(dir, `server-restart-${restart}.log`));
      const restartLog = await server.log();
      if (restartLog.includes(BUILD_LOG_PREFIX)) throw new Error(`restart ${restart} rebuilt the index instead of loading the snapshot: ${tail(restartLog)}`);
      restartsMs.push(server.healthyMs);
      log(`start: restart ${restart} answered /health after ${Math.round(server.healthyMs)} ms`);
      if (restart < RESTARTS) {
        await server.stop();
        server = undefined;
      }
    }
    await expectParagraphs(server as RunningServer, written.paragraphs);
    const result = { ...written, buildMs: built.healthyMs, plainAddAllsMs, plainAddAllMs: median(plainAddAllsMs), restartsMs, restartMs: median(restartsMs) };
    return { result, server: server as RunningServer };
  } catch (error) {
    server?.kill();
    throw error;
  }
}

/** Checks `/stats` of `server` counts `paragraphs`: a corpus file it refused would start it empty, and fast. */
async function expectParagraphs(server: RunningServer, paragraphs: number): Promise<void> {
  const agent = createClientAgent();
  try {
    const reply = await send(agent, server.url, '/stats');
    const stats = JSON.parse(reply.body) as { paragraphs?: unknown };
    if (stats.paragraphs !== paragraphs) throw new Error(`the server holds ${String(stats.paragraphs)} paragraphs, not the ${paragraphs} written: ${tail(await server.log())}`);
  } finally {
    agent.destroy();
  }
}
