/**
 * @module server/connection-limits
 * What keeps slow and idle clients from taking the server: how long a request may take to
 * arrive (its headers, then all of it), how slowly its body may arrive, how long an idle
 * keep-alive connection is kept, and how many connections may be open at once, in all and from
 * one client address. The header, request and keep-alive timeouts are Node's own
 * (`http.createServer` options: Node answers a request cut short 408 and closes its connection).
 * The per-address cap closes a connection as soon as it is accepted. The total cap makes room
 * instead: a new connection closes the open one doing the least for anyone (`eviction.ts`), and
 * is refused only when every open one has a complete request being answered.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { connectionReport, type ConnectionReport } from './connection-report.ts';
import { rankForEviction, type ConnectionActivity } from './eviction.ts';

/** How long a client may take, and how many connections it may hold. */
export type ConnectionLimits = {
  /** Time to receive a request's headers, in milliseconds, counted from its first byte (from the connection's opening for a first request). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body, in milliseconds. */
  requestTimeoutMs: number;
  /** Time an idle keep-alive connection is kept after its last response, in milliseconds (Node adds a second of grace). */
  keepAliveTimeoutMs: number;
  /** Connections open at once; past it, a new one closes the idlest or slowest open one, or is refused when all are being answered. */
  maxConnections: number;
  /** Connections open at once from one client address; past it, that address's new ones are closed as soon as they are accepted. */
  maxConnectionsPerClient: number;
  /**
   * Slowest a request body may arrive, in bytes a second: the request's bytes so far (its headers
   * included) over the time since its headers arrived, checked once that time passes
   * `minBodyRateGraceMs`; slower is cut with 408. 0: no minimum.
   */
  minBodyBytesPerSecond: number;
  /** Time a request body may take before its rate is checked, in milliseconds. */
  minBodyRateGraceMs: number;
};

/** The defaults: for a service reached directly or through a reverse proxy. */
export const CONNECTION_LIMITS: ConnectionLimits = {
  // Browsers and scripts send their headers in one packet: 10 s is ample on the worst link, and cuts a header trickle (slowloris) six times sooner than Node's 60 s.
  headersTimeoutMs: 10_000,
  // A body of 10 MiB (MAX_BODY_BYTES) arrives in time at 87 KiB/s (0.7 Mbit/s); a trickle holds its connection 2 minutes instead of Node's 5.
  requestTimeoutMs: 120_000,
  // Node's default: long enough for the burst of requests of a page, short enough that idle connections do not pile up.
  keepAliveTimeoutMs: 5_000,
  // A newsroom needs tens of connections; a thousand leaves room to spare and stays far below the open-file limit.
  maxConnections: 1_000,
  // A browser opens at most 6 per host: one address (a flood, a script gone wrong) can hold a tenth of the slots and no more.
  maxConnectionsPerClient: 100,
  // Apache mod_reqtimeout's default (body=20,MinRate=500): 4 kbit/s, under half of one GPRS time slot, so no upload over a working link is cut; a trickle of a byte a second is.
  minBodyBytesPerSecond: 500,
  // Long enough for a phone to come out of a tunnel; a trickle is cut after 20 s instead of the request timeout's 120 s.
  minBodyRateGraceMs: 20_000,
};

/**
 * How often Node checks requests in progress against the header and request timeouts: a cut
 * comes at most this late (Node's default of 30 s would let a 10 s header timeout run to 40 s).
 * Each check walks only the connections with a request still arriving.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** Refusals, evictions and cuts past the first are summed up in one log line per this interval, so a flood cannot flood the log. */
const REPORT_INTERVAL_MS = 60_000;
/** How long a ranking of the open connections serves to choose which to close: a rate changes little in a tenth of a second. */
const RANKING_TTL_MS = 100;
/** How often request bodies are checked against the minimum rate: a cut comes at most this late. */
const MIN_RATE_CHECK_INTERVAL_MS = 1_000;
/** What an evicted connection sending a request is told, Node's way (as its 408): it may try again, the server is full. */
const EVICTED_RESPONSE = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\n';
/** What a request cut for its slow body is told: Node's own words for a request timeout. */
const REQUEST_TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

/**
 * The `code` of the error a connection is destroyed with when it is closed to make room, so the
 * error handler can log its request 503 (what it was told) rather than 499.
 */
export const EVICTED_CODE = 'ERR_CONNECTION_EVICTED';
/** Node's `code` for a request cut by its request timeout; a body cut for its slow rate is destroyed with it too (and logged 408). */
export const REQUEST_TIMEOUT_CODE = 'ERR_HTTP_REQUEST_TIMEOUT';

/**
 * The options of Node's `http.createServer` that apply `limits`' timeouts.
 *
 * @example
 * createServer(timeoutOptions(CONNECTION_LIMITS), listener);
 */
export function timeoutOptions(limits: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, limits.headersTimeoutMs),
  };
}

/** An open connection and what the caps know of it. */
type Tracked = {
  socket: Socket;
  address: string;
  /** When its current request began: its opening, then the end of each response. */
  since: number;
  /** `socket.bytesRead` at `since`. */
  bytesAtSince: number;
  /** Answered at least once: until then an unused connection is sending its first request (as Node's header timeout counts it), not idle. */
  answered: boolean;
  /** The request between its headers and the end of its response; `bodySince`: when its headers had arrived. */
  exchange: { request: IncomingMessage; response: ServerResponse; bodySince: number } | undefined;
};

/** What `connection` is doing, for the eviction choice. */
function activityOf(connection: Tracked): ConnectionActivity {
  const bytes = connection.socket.bytesRead - connection.bytesAtSince;
  if (connection.exchange !== undefined) return connection.exchange.request.complete ? { state: 'answering' } : { state: 'receiving', since: connection.since, bytes };
  if (connection.answered && bytes === 0) return { state: 'idle', since: connection.since };
  return { state: 'receiving', since: connection.since, bytes };
}

/** `bytes` over `ms` as bytes a second, for a log line. */
const perSecond = (bytes: number, ms: number) => `${(bytes / Math.max(ms / 1000, 0.001)).toFixed(1)} bytes/s`;

/**
 * The errors connections cut by the caps are destroyed with, one of each for all: the error
 * handler reads only the `code`, and Node reads a new error's stack each time, which a flood
 * would pay for thousands of times a second.
 */
const EVICTED_ERROR = Object.assign(new Error('connection closed to make room for a new one'), { code: EVICTED_CODE });
const TOO_SLOW_ERROR = Object.assign(new Error('request body arrived slower than the minimum rate'), { code: REQUEST_TIMEOUT_CODE });

/**
 * Destroys the connection with `error` after telling it `response` the way Node answers a
 * request it cuts: only if nothing of a response to its current request was sent yet.
 */
function closeWith(connection: Tracked, response: string, error: Error): void {
  const { socket, exchange } = connection;
  if (socket.writable && exchange?.response.headersSent !== true) socket.write(response);
  socket.destroy(error);
}

/**
 * Caps the connections open at once on `server`, in all and per client address, and cuts request
 * bodies arriving slower than `minBodyBytesPerSecond` (408, Node's answer to a request timeout).
 * A connection past its address's cap is closed as soon as it is accepted, without an answer (it
 * has asked nothing yet). Past the total cap a new connection is accepted and makes room: the
 * connection first in {@link rankForEviction}'s order is closed (an idle one silently, one sending a request
 * with `503` and `Retry-After: 1`); it is refused only when every open connection has a complete
 * request being answered. The first refusal, eviction and cut are logged at once, later ones
 * summed up once a minute while they go on. Returns a function that logs what is left to sum up
 * and stops (call it when the server closes).
 *
 * @example
 * const stop = capConnections(server, CONNECTION_LIMITS, { log: console.error });
 * server.once('close', stop);
 */
export function capConnections(
  server: Server,
  limits: Pick<ConnectionLimits, 'maxConnections' | 'maxConnectionsPerClient'> & Partial<Pick<ConnectionLimits, 'minBodyBytesPerSecond' | 'minBodyRateGraceMs'>>,
  options: { log: (message: string) => void; reportIntervalMs?: number },
): () => void {
  const { maxConnections, maxConnectionsPerClient, minBodyBytesPerSecond = 0, minBodyRateGraceMs = CONNECTION_LIMITS.minBodyRateGraceMs } = limits;
  const report: ConnectionReport = connectionReport({ maxConnections, maxConnectionsPerClient, minBodyBytesPerSecond }, options.log, options.reportIntervalMs ?? REPORT_INTERVAL_MS);
  const open = new Map<Socket, Tracked>();
  const perAddress = new Map<string, number>();

  /** Stops counting `connection` (once): on its close, or as soon as it is chosen to make room. */
  function forget(connection: Tracked): void {
    if (!open.delete(connection.socket)) return;
    const left = (perAddress.get(connection.address) ?? 1) - 1;
    if (left === 0) perAddress.delete(connection.address);
    else perAddress.set(connection.address, left);
  }

  // Ranking the open connections reads every socket: done for each new connection of a flood, it
  // would cost more than the flood itself. A ranking serves for RANKING_TTL_MS; each candidate
  // taken from it is checked to still be doing what it was ranked for.
  let ranking: Array<{ connection: Tracked; activity: ConnectionActivity }> = [];
  let next = 0;
  let rankedAt = -Infinity;
  /** Whether a connection was accepted or answered since the ranking: when it is used up, only then can ranking again find more. */
  let changedSinceRanking = true;

  function rank(now: number): void {
    const activities = new Map([...open.values()].map((connection) => [connection, activityOf(connection)]));
    ranking = rankForEviction(activities, now).map((connection) => ({ connection, activity: activities.get(connection)! }));
    next = 0;
    rankedAt = now;
    changedSinceRanking = false;
  }

  /** True when `connection` is still open and doing what it was ranked for. */
  function unchanged({ connection, activity }: { connection: Tracked; activity: ConnectionActivity }): boolean {
    if (activity.state === 'answering' || !open.has(connection.socket) || connection.since !== activity.since) return false;
    if (activity.state === 'idle') return connection.exchange === undefined && connection.socket.bytesRead === connection.bytesAtSince;
    return connection.exchange?.request.complete !== true;
  }

  /** Closes the connection doing the least for anyone; false when every one is being answered. */
  function makeRoom(): boolean {
    const now = Date.now();
    // Used up: rank again if anything changed (else every connection is still being answered).
    if (now - rankedAt >= RANKING_TTL_MS || (next >= ranking.length && changedSinceRanking)) rank(now);
    let candidate = ranking[next];
    while (candidate !== undefined && !unchanged(candidate)) candidate = ranking[++next];
    if (candidate === undefined) return false;
    next += 1;
    const { connection: victim, activity } = candidate;
    forget(victim);
    if (activity.state === 'idle') {
      victim.socket.destroy();
      report.evicted({ address: victim.address, idle: true, what: `an idle keep-alive connection from ${victim.address}` });
      return true;
    }
    const bytes = victim.socket.bytesRead - victim.bytesAtSince;
    const what = `${victim.address}, sending its request for ${((now - victim.since) / 1000).toFixed(1)} s at ${perSecond(bytes, now - victim.since)}`;
    closeWith(victim, EVICTED_RESPONSE, EVICTED_ERROR);
    report.evicted({ address: victim.address, idle: false, what });
    return true;
  }

  server.on('connection', function capConnection(socket: Socket) {
    // No address: the peer is already gone, and Node is closing the socket.
    const address = socket.remoteAddress;
    if (address === undefined) return;
    const count = perAddress.get(address) ?? 0;
    if (count >= maxConnectionsPerClient) {
      socket.destroy();
      report.refused({ cap: 'client', address });
      return;
    }
    if (open.size >= maxConnections && !makeRoom()) {
      socket.destroy();
      report.refused({ cap: 'total' });
      return;
    }
    const connection: Tracked = { socket, address, since: Date.now(), bytesAtSince: socket.bytesRead, answered: false, exchange: undefined };
    open.set(socket, connection);
    // Counted again: making room may have closed one of this address's own connections.
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    changedSinceRanking = true;
    socket.once('close', () => forget(connection));
  });

  server.on('request', function trackRequest(request: IncomingMessage, response: ServerResponse) {
    const connection = open.get(request.socket);
    if (connection === undefined) return;
    const exchange = { request, response, bodySince: Date.now() };
    connection.exchange = exchange;
    response.once('finish', () => {
      // A pipelined request may have taken its place already.
      if (connection.exchange !== exchange) return;
      connection.exchange = undefined;
      connection.answered = true;
      changedSinceRanking = true;
      connection.since = Date.now();
      connection.bytesAtSince = connection.socket.bytesRead;
    });
  });

  /** Cuts, with 408, every request whose body has been arriving for the grace period slower than the minimum rate. */
  function cutSlowBodies(): void {
    const now = Date.now();
    for (const connection of open.values()) {
      const exchange = connection.exchange;
      if (exchange === undefined || exchange.request.complete) continue;
      const elapsed = now - exchange.bodySince;
      // Counted from the request's first byte: body bytes that came in the headers' packets count too.
      const bytes = connection.socket.bytesRead - connection.bytesAtSince;
      if (elapsed < minBodyRateGraceMs || bytes * 1000 >= minBodyBytesPerSecond * elapsed) continue;
      const what = `${connection.address} sent ${bytes} bytes of its request in ${(elapsed / 1000).toFixed(1)} s (${perSecond(bytes, elapsed)})`;
      forget(connection);
      closeWith(connection, REQUEST_TIMEOUT_RESPONSE, TOO_SLOW_ERROR);
      report.cut({ address: connection.address, what });
    }
  }
  const sweep = minBodyBytesPerSecond > 0 ? setInterval(cutSlowBodies, Math.min(MIN_RATE_CHECK_INTERVAL_MS, minBodyRateGraceMs)).unref() : undefined;

  return function stopCapping(): void {
    clearInterval(sweep);
    report.stop();
  };
}
