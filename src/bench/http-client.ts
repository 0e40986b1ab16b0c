/**
 * @module bench/http-client
 * The clients of the operational measurements: plain `node:http` requests over keep-alive
 * agents (one per client, so each holds its own connection as a real client would), timed from
 * the call to the last byte of the answer.
 */
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

/** A request's answer and how long it took, in milliseconds. */
export type Reply = { status: number; body: string; ms: number };

/** Longest a benchmark request may take before it counts as failed: far beyond any target, short of a hung run. */
export const REQUEST_TIMEOUT_MS = 60_000;

/** An agent holding at most `sockets` keep-alive connections (one: a client waiting for each answer before its next request). */
export function createClientAgent(sockets: number = 1): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets });
}

/**
 * Sends one request to `base` + `path` and resolves with the status, the body as text and the
 * time taken; rejects on a network error or after {@link REQUEST_TIMEOUT_MS}.
 *
 * @example
 * const reply = await send(agent, 'http://127.0.0.1:3000', '/search?q=oil'); // { status: 200, body: '{…}', ms: 3.1 }
 */
export function send(agent: Agent, base: string, path: string, options: { method?: string; json?: unknown } = {}): Promise<Reply> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string | number> = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(new URL(path, base), { agent, method: options.method ?? 'GET', headers, timeout: REQUEST_TIMEOUT_MS }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      incoming.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer to ${options.method ?? 'GET'} ${path.slice(0, 80)} within ${REQUEST_TIMEOUT_MS} ms`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The start of an error body (or any body), for a message. */
export function excerpt(body: string, length: number = 160): string {
  return body.length <= length ? body : `${body.slice(0, length)}…`;
}
