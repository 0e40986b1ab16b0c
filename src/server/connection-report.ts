/**
 * @module server/connection-report
 * The log lines about connections the caps closed: refused as they arrived, closed to make room
 * for a new one, or cut for sending a body too slowly. The first of each kind is logged at once;
 * while they go on, one line per interval sums each kind up, so a flood cannot flood the log.
 */

/** Client addresses named in one summary line (those counted most); the others are counted. */
const NAMED_ADDRESSES = 5;
/** Client addresses counted one by one between two summary lines: a crowd beyond it is counted as "others". */
const MAX_REMEMBERED_ADDRESSES = 100;

/** Why a connection was refused: every slot holds a request being answered, or its address holds its share. */
export type Refusal = { cap: 'total' } | { cap: 'client'; address: string };

/** What the report is told of; each call is one connection. */
export interface ConnectionReport {
  /** A new connection was closed as soon as it was accepted. */
  refused(refusal: Refusal): void;
  /** An open connection was closed to make room for a new one; `what` says which and why, for the first line. */
  evicted(event: { address: string; idle: boolean; what: string }): void;
  /** A request was cut for sending its body too slowly; `what` says how slowly, for the first line. */
  cut(event: { address: string; what: string }): void;
  /** Logs what is left to sum up and stops the reporting. */
  stop(): void;
}

/** `n` and `noun`, in the plural unless `n` is 1: `1 connection`, `3 connections`. */
const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A count of events since the last line, by client address (bounded). */
function tally() {
  let count = 0;
  const byAddress = new Map<string, number>();
  return {
    get count(): number {
      return count;
    },
    add(address?: string): void {
      count += 1;
      // Bounded: past a hundred addresses, a crowd is counted, not remembered one by one.
      if (address !== undefined && (byAddress.has(address) || byAddress.size < MAX_REMEMBERED_ADDRESSES)) byAddress.set(address, (byAddress.get(address) ?? 0) + 1);
    },
    /** `3 from 127.0.0.1, 1 from others`: the addresses counted most. */
    from(): string {
      const named = [...byAddress].sort((a, b) => b[1] - a[1]).slice(0, NAMED_ADDRESSES);
      const others = count - named.reduce((sum, [, n]) => sum + n, 0);
      return named
        .map(([address, n]) => `${n} from ${address}`)
        .concat(others > 0 ? [`${others} from others`] : [])
        .join(', ');
    },
    clear(): void {
      count = 0;
      byAddress.clear();
    },
  };
}

/**
 * A report of closed connections to `log`, summed up every `intervalMs`. `limits` are quoted in
 * the lines; `minBodyBytesPerSecond` only by the lines about cut bodies.
 *
 * @example
 * const report = connectionReport({ maxConnections: 1000, maxConnectionsPerClient: 100, minBodyBytesPerSecond: 500 }, console.error, 60_000);
 * report.refused({ cap: 'client', address: '10.0.0.7' });
 */
export function connectionReport(
  limits: { maxConnections: number; maxConnectionsPerClient: number; minBodyBytesPerSecond: number },
  log: (message: string) => void,
  intervalMs: number,
): ConnectionReport {
  const every = `every ${Math.round(intervalMs / 1000)} s`;
  let timer: NodeJS.Timeout | undefined;
  let since = 0;
  /** Kinds already logged once since the reporting started: the next ones are summed up. */
  const started = new Set<'refused' | 'evicted' | 'cut'>();
  const refusedTotal = tally();
  const refusedClient = tally();
  const evictedIdle = tally();
  const evictedSlow = tally();
  const cut = tally();

  /** Logs what happened since the last line, if anything; false when nothing did. */
  function flush(): boolean {
    const refusals = refusedTotal.count + refusedClient.count;
    const evictions = evictedIdle.count + evictedSlow.count;
    if (refusals + evictions + cut.count === 0) return false;
    const seconds = Math.round((Date.now() - since) / 1000);
    if (refusals > 0) {
      const parts: string[] = [];
      if (refusedTotal.count > 0) parts.push(`${refusedTotal.count} while the most connections allowed were open (${limits.maxConnections}), each with a request being answered`);
      if (refusedClient.count > 0) parts.push(`${refusedClient.count} from addresses holding the most allowed per client address (${limits.maxConnectionsPerClient}): ${refusedClient.from()}`);
      log(`refused ${counted(refusals, 'connection')} in the last ${seconds} s: ${parts.join('; ')}`);
    }
    if (evictions > 0) {
      const kinds = [evictedIdle.count > 0 ? `${evictedIdle.count} idle` : '', evictedSlow.count > 0 ? `${evictedSlow.count} sending a request slowly (${evictedSlow.from()})` : ''];
      log(`closed ${counted(evictions, 'connection')} in the last ${seconds} s to make room for new ones, the most allowed (${limits.maxConnections}) being open: ${kinds.filter(Boolean).join(', ')}`);
    }
    if (cut.count > 0) log(`cut ${counted(cut.count, 'request')} in the last ${seconds} s for sending their body slower than ${limits.minBodyBytesPerSecond} bytes/s: ${cut.from()}`);
    since = Date.now();
    for (const each of [refusedTotal, refusedClient, evictedIdle, evictedSlow, cut]) each.clear();
    return true;
  }

  function stop(): void {
    clearInterval(timer);
    timer = undefined;
    started.clear();
  }

  /** True (and logs nothing) when a line of this kind was logged since the reporting started; else starts the reporting. */
  function summing(kind: 'refused' | 'evicted' | 'cut'): boolean {
    if (started.has(kind)) return true;
    started.add(kind);
    if (timer === undefined) {
      since = Date.now();
      // After a quiet interval the next event of each kind is logged at once again.
      timer = setInterval(() => flush() || stop(), intervalMs).unref();
    }
    return false;
  }

  return {
    refused(refusal) {
      if (!summing('refused')) {
        const why =
          refusal.cap === 'total'
            ? `the most connections allowed are open (${limits.maxConnections}), each with a request being answered`
            : `${refusal.address} holds the most connections allowed per client address (${limits.maxConnectionsPerClient})`;
        log(`refused a connection: ${why}; further refusals are summed up ${every}`);
        return;
      }
      if (refusal.cap === 'total') refusedTotal.add();
      else refusedClient.add(refusal.address);
    },
    evicted(event) {
      if (!summing('evicted')) {
        log(`closed a connection to make room for a new one, the most allowed (${limits.maxConnections}) being open: ${event.what}; further ones are summed up ${every}`);
        return;
      }
      if (event.idle) evictedIdle.add(event.address);
      else evictedSlow.add(event.address);
    },
    cut(event) {
      if (!summing('cut')) {
        log(`cut a request for sending its body slower than ${limits.minBodyBytesPerSecond} bytes/s: ${event.what}; answered 408, further ones are summed up ${every}`);
        return;
      }
      cut.add(event.address);
    },
    stop() {
      flush();
      stop();
    },
  };
}
