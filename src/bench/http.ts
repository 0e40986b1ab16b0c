/**
 * @module bench/http
 * HTTP throughput: the real application served on loopback over an in-memory library (no
 * corpus folder, no snapshots), and autocannon driving it for a bounded time over a rotating
 * list of search paths.
 */
import autocannon from 'autocannon';
import type { Library } from '../backends/embedded/library.ts';
import { createApp } from '../server/app.ts';
import { listen } from '../server/listen.ts';
import { CONNECTION_LIMITS, type ConnectionLimits } from '../server/connection-limits.ts';
import { createCorpusState } from '../backends/embedded/corpus-writer.ts';
import { createEmbeddedBackend } from '../backends/embedded/embedded-backend.ts';
import { createNewsService } from '../service/news-service.ts';

/** What the load test measured. */
export type HttpResult = {
  seconds: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
};

/** A corpus folder that does not exist: the benchmark's service never reads or writes one. */
const NO_CORPUS_DIR = '/nonexistent-bench-corpus';
/** The loopback address the benchmark serves on: nothing leaves the machine. */
export const BENCH_HOST = '127.0.0.1';
/** The benchmark is one client opening as many connections as `--connections` asks: the per-client cap would refuse past 100. */
const BENCH_LIMITS: ConnectionLimits = { ...CONNECTION_LIMITS, maxConnectionsPerClient: CONNECTION_LIMITS.maxConnections };

/**
 * Serves `library` with the application of `server/app.ts` on a free loopback port.
 *
 * @example
 * const served = await serveLibrary(library); // served.url === 'http://127.0.0.1:41234'
 * await served.close();
 */
export async function serveLibrary(library: Library): Promise<{ url: string; close(): Promise<void> }> {
  const service = createNewsService({ backend: createEmbeddedBackend({ state: createCorpusState(library, NO_CORPUS_DIR, []) }) });
  const listening = await listen(createApp({ service }), { host: BENCH_HOST, port: 0, limits: BENCH_LIMITS });
  return {
    url: listening.url,
    close: async () => {
      await listening.close();
      await service.close();
    },
  };
}

/** The `/search` path of a query. */
export function searchPath(q: string): string {
  return `/search?q=${encodeURIComponent(q)}`;
}

/**
 * Loads `url` with `connections` connections for `seconds`, each connection walking `paths` from
 * its own starting point (so they do not ask the same thing in lockstep).
 */
export function loadTest(options: { url: string; paths: readonly string[]; seconds: number; connections: number }): Promise<HttpResult> {
  const { url, paths, seconds, connections } = options;
  if (paths.length === 0) return Promise.reject(new Error('the load test needs at least one path'));
  let clients = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration: seconds,
        setupClient(client) {
          const start = Math.floor((clients++ * paths.length) / connections) % paths.length;
          const rotated = [...paths.slice(start), ...paths.slice(0, start)];
          client.setRequests(rotated.map((path) => ({ method: 'GET', path })));
        },
      },
      (error, result) => {
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolve({
          seconds: result.duration,
          connections: result.connections,
          requests: result.requests.total,
          requestsPerSecond: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
  });
}
