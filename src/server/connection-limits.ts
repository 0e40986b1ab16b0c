/**
 * @module server/connection-limits
 * What keeps slow and idle clients from taking the server: how long a request may take to
 * arrive (its headers, then all of it), how long an idle keep-alive connection is kept, and how
 * many connections may be open at once, in all and from one client address. The timeouts are
 * Node's own (`http.createServer` options: Node answers a request cut short 408 and closes its
 * connection); the caps close a connection as soon as it is accepted, before a byte of it is read.
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/** How long a client may take, and how many connections it may hold. */
export type ConnectionLimits = {
  /** Time to receive a request's headers, in milliseconds, counted from its first byte (from the connection's opening for a first request). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body, in milliseconds. */
  requestTimeoutMs: number;
  /** Time an idle keep-alive connection is kept after its last response, in milliseconds (Node adds a second of grace). */
  keepAliveTimeoutMs: number;
  /** Connections open at once; past it, new ones are closed as soon as they are accepted. */
  maxConnections: number;
  /** Connections open at once from one client address; past it, that address's new ones are closed as soon as they are accepted. */
  maxConnectionsPerClient: number;
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
};

/**
 * How often Node checks requests in progress against the header and request timeouts: a cut
 * comes at most this late (Node's default of 30 s would let a 10 s header timeout run to 40 s).
 * Each check walks only the connections with a request still arriving.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** Refusals past the first are summed up in one log line per this interval, so a flood cannot flood the log. */
const REFUSAL_REPORT_INTERVAL_MS = 60_000;
/** Client addresses named in one summary line (those refused most); the others are counted. */
const NAMED_ADDRESSES = 5;
/** Client addresses counted one by one between two summary lines: a crowd beyond it is counted as "others". */
const MAX_REMEMBERED_ADDRESSES = 100;

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

/**
 * Caps the connections open at once on `server`, in all (Node's `maxConnections`: it closes the
 * extra connection before any of our code sees it) and per client address (closed here, as soon
 * as it is accepted). Refused connections get no answer: they have sent nothing to answer yet.
 * The first refusal is logged at once, later ones summed up once a minute while they go on.
 * Returns a function that logs what is left to sum up and stops the reporting (call it when the
 * server closes).
 *
 * @example
 * const stop = capConnections(server, CONNECTION_LIMITS, { log: console.error });
 * server.once('close', stop);
 */
export function capConnections(
  server: Server,
  limits: Pick<ConnectionLimits, 'maxConnections' | 'maxConnectionsPerClient'>,
  options: { log: (message: string) => void; reportIntervalMs?: number },
): () => void {
  const { maxConnections, maxConnectionsPerClient } = limits;
  const report = refusalReport(limits, options.log, options.reportIntervalMs ?? REFUSAL_REPORT_INTERVAL_MS);
  const open = new Map<string, number>();
  server.maxConnections = maxConnections;
  server.on('drop', () => report.refused({ cap: 'total' }));
  server.on('connection', function capPerClient(socket: Socket) {
    // No address: the peer is already gone, and Node is closing the socket.
    const address = socket.remoteAddress;
    if (address === undefined) return;
    const count = open.get(address) ?? 0;
    if (count >= maxConnectionsPerClient) {
      socket.destroy();
      report.refused({ cap: 'client', address });
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
  return report.stop;
}

/** Why a connection was refused: too many open in all, or from its address. */
type Refusal = { cap: 'total' } | { cap: 'client'; address: string };

/** Logs the first refusal at once; while refusals go on, one line per interval sums them up (and a last one when the server closes). */
function refusalReport(limits: Pick<ConnectionLimits, 'maxConnections' | 'maxConnectionsPerClient'>, log: (message: string) => void, intervalMs: number) {
  let timer: NodeJS.Timeout | undefined;
  let since = 0;
  let total = 0;
  let client = 0;
  const byAddress = new Map<string, number>();

  /** Logs what was refused since the last line, if anything; false when nothing was. */
  function flush(): boolean {
    if (total + client === 0) return false;
    const parts: string[] = [];
    if (total > 0) parts.push(`${total} while the most connections allowed were open (${limits.maxConnections})`);
    if (client > 0) {
      const named = [...byAddress].sort((a, b) => b[1] - a[1]).slice(0, NAMED_ADDRESSES);
      const others = client - named.reduce((sum, [, count]) => sum + count, 0);
      const from = named.map(([address, count]) => `${count} from ${address}`).concat(others > 0 ? [`${others} from others`] : []);
      parts.push(`${client} from addresses holding the most allowed per client address (${limits.maxConnectionsPerClient}): ${from.join(', ')}`);
    }
    log(`refused ${total + client} connections in the last ${Math.round((Date.now() - since) / 1000)} s: ${parts.join('; ')}`);
    since = Date.now();
    total = 0;
    client = 0;
    byAddress.clear();
    return true;
  }

  function stop(): void {
    clearInterval(timer);
    timer = undefined;
  }

  return {
    refused(refusal: Refusal): void {
      if (timer === undefined) {
        const why =
          refusal.cap === 'total'
            ? `the most connections allowed are open (${limits.maxConnections})`
            : `${refusal.address} holds the most connections allowed per client address (${limits.maxConnectionsPerClient})`;
        log(`refused a connection: ${why}; further refusals are summed up every ${Math.round(intervalMs / 1000)} s`);
        since = Date.now();
        // After a quiet interval the next refusal is logged at once again.
        timer = setInterval(() => flush() || stop(), intervalMs).unref();
        return;
      }
      if (refusal.cap === 'total') {
        total += 1;
        return;
      }
      client += 1;
      // Bounded: past a hundred addresses, a crowd is counted, not remembered one by one.
      if (byAddress.has(refusal.address) || byAddress.size < MAX_REMEMBERED_ADDRESSES) byAddress.set(refusal.address, (byAddress.get(refusal.address) ?? 0) + 1);
    },
    stop(): void {
      flush();
      stop();
    },
  };
}
