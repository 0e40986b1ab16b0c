/**
 * The connection caps and timeouts of `server/connection-limits.ts`, on a node:http server in
 * this process: raw sockets from several loopback addresses (Linux routes all of 127.0.0.0/8 to
 * the loopback interface), each served, refused without a byte, closed to make room for a new
 * one, or cut for sending its body too slowly.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { capConnections, CONNECTION_LIMITS, timeoutOptions, type ConnectionLimits } from '../../src/server/connection-limits.ts';
import { EVICTION_GRACE_MS } from '../../src/server/eviction.ts';

/** A client connection and what happened to it so far. */
type Client = { socket: Socket; received: () => string; closed: Promise<void> };

let servers: Server[] = [];
let clients: Socket[] = [];
afterEach(async () => {
  for (const socket of clients) socket.destroy();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  servers = [];
  clients = [];
});

/**
 * A server capped as `limits` say; `lines` collects its log. It answers `ok` to everything, a
 * body once it has arrived whole, except `GET /hold`: those wait in `held` until the test answers.
 */
async function cappedServer(limits: Pick<ConnectionLimits, 'maxConnections' | 'maxConnectionsPerClient'> & Partial<ConnectionLimits>, reportIntervalMs = 60_000) {
  const lines: string[] = [];
  const held: ServerResponse[] = [];
  let accepted = 0;
  const server = createServer((req, res) => {
    if (req.url === '/hold') held.push(res);
    else req.resume().once('end', () => res.end('ok'));
  });
  server.on('connection', () => (accepted += 1));
  const stop = capConnections(server, limits, { log: (line) => lines.push(line), reportIntervalMs });
  server.once('close', stop);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, lines, server, held, accepted: () => accepted };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition` holds, checking every 10 ms (the test's own timeout bounds the wait). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await wait(10);
}

/** Opens a connection to `port` from `from`. */
function open(port: number, from: string): Client {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  clients.push(socket);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => {}); // a refused connection may be reset: its close is what the tests look at
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => received, closed };
}

/** Sends a keep-alive request on `client`; resolves true once it is answered (the server has counted the connection by then), false if it is closed first. */
function served(client: Client): Promise<boolean> {
  const before = client.received().length;
  const answered = () => client.received().slice(before).endsWith('ok');
  client.socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
  return new Promise((resolve) => {
    const settle = (result: boolean) => {
      client.socket.off('data', onData);
      client.socket.off('close', onClose);
      resolve(result);
    };
    const onData = () => answered() && settle(true);
    const onClose = () => settle(answered());
    client.socket.on('data', onData);
    client.socket.once('close', onClose);
  });
}

/** Sends a request on `client` and resolves true when the server closes it without a byte. */
async function refused(client: Client): Promise<boolean> {
  client.socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
  await client.closed;
  return client.received() === '';
}

describe('capConnections', () => {
  it('closes a connection at once, without an answer, when its address already holds maxConnectionsPerClient', async () => {
    const { port, lines } = await cappedServer({ maxConnections: 10, maxConnectionsPerClient: 2 });
    const first = open(port, '127.0.0.1');
    const second = open(port, '127.0.0.1');
    expect(await served(first)).toBe(true);
    expect(await served(second)).toBe(true);

    expect(await refused(open(port, '127.0.0.1'))).toBe(true);
    expect(await served(open(port, '127.0.0.2'))).toBe(true);
    // The two held connections are untouched.
    expect(await served(first)).toBe(true);
    expect(lines).toEqual(['refused a connection: 127.0.0.1 holds the most connections allowed per client address (2); further refusals are summed up every 60 s']);
  });

  it('gives an address its slot back once one of its connections closes', async () => {
    const { port } = await cappedServer({ maxConnections: 10, maxConnectionsPerClient: 1 });
    const held = open(port, '127.0.0.1');
    expect(await served(held)).toBe(true);
    expect(await refused(open(port, '127.0.0.1'))).toBe(true);
    held.socket.end();
    await held.closed;
    // The server notices the close on its own schedule: try until a connection is served.
    let again = false;
    while (!again) again = await served(open(port, '127.0.0.1'));
    expect(again).toBe(true);
  });

  it('closes the connection idle the longest, without a word, to make room for a new one once maxConnections are open', async () => {
    const { port, lines } = await cappedServer({ maxConnections: 3, maxConnectionsPerClient: 3 });
    const held = [open(port, '127.0.0.1'), open(port, '127.0.0.1'), open(port, '127.0.0.2')];
    // Answered one after the other: the first has been idle the longest.
    for (const client of held) expect(await served(client)).toBe(true);

    expect(await served(open(port, '127.0.0.3'))).toBe(true);
    await held[0]!.closed;
    expect(held[0]!.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*ok$/);
    expect(await served(held[1]!)).toBe(true);
    expect(await served(held[2]!)).toBe(true);
    expect(lines).toEqual(['closed a connection to make room for a new one, the most allowed (3) being open: an idle keep-alive connection from 127.0.0.1; further ones are summed up every 60 s']);
  });

  it('counts an address right when a new connection of it closed one of its own to make room', async () => {
    const { port } = await cappedServer({ maxConnections: 2, maxConnectionsPerClient: 2 });
    const first = open(port, '127.0.0.1');
    expect(await served(first)).toBe(true);
    expect(await served(open(port, '127.0.0.2'))).toBe(true);
    // Closes `first`, idle the longest: 127.0.0.1 holds one connection again, not two.
    expect(await served(open(port, '127.0.0.1'))).toBe(true);
    await first.closed;
    expect(await served(open(port, '127.0.0.1'))).toBe(true);
  });

  it('closes the connection sending its request the slowest, answering it 503, when none is idle', async () => {
    const { port, lines, accepted } = await cappedServer({ maxConnections: 2, maxConnectionsPerClient: 2 });
    const headers = open(port, '127.0.0.1');
    headers.socket.write('GET / HTTP/1.1\r\nHost: test\r\n');
    await until(() => accepted() === 1);
    const body = open(port, '127.0.0.1');
    body.socket.write('POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nabc');
    await until(() => accepted() === 2);

    expect(await served(open(port, '127.0.0.2'))).toBe(true);
    await headers.closed;
    expect(headers.received()).toBe('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\n');
    // The body still arrives, and is answered.
    body.socket.write('x'.repeat(97));
    await until(() => body.received().endsWith('ok'));
    expect(lines).toEqual([expect.stringMatching(/^closed a connection to make room for a new one, the most allowed \(2\) being open: 127\.0\.0\.1, sending its request for \d+\.\d s at [\d.]+ bytes\/s; further ones are summed up every 60 s$/)]);
  });

  it('closes the request arriving the slowest, not the oldest', { timeout: 30_000 }, async () => {
    const { port, accepted } = await cappedServer({ maxConnections: 2, maxConnectionsPerClient: 2 });
    const upload = open(port, '127.0.0.1');
    upload.socket.write(`POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000\r\n\r\n${'u'.repeat(20_000)}`);
    await until(() => accepted() === 1);
    const trickle = open(port, '127.0.0.1');
    trickle.socket.write('POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000\r\n\r\nt');
    await until(() => accepted() === 2);
    // Give the rates time to part: the upload's stays high, the trickle's falls.
    await wait(EVICTION_GRACE_MS + 500);

    expect(await served(open(port, '127.0.0.2'))).toBe(true);
    await trickle.closed;
    expect(trickle.received()).toMatch(/^HTTP\/1\.1 503 /);
    expect(upload.socket.destroyed).toBe(false);
    expect(upload.received()).toBe('');
  });

  it('refuses a new connection, from any address, only while every open one has a request being answered', async () => {
    const { port, lines, held } = await cappedServer({ maxConnections: 2, maxConnectionsPerClient: 2 });
    const waiting = [open(port, '127.0.0.1'), open(port, '127.0.0.2')];
    for (const client of waiting) client.socket.write('GET /hold HTTP/1.1\r\nHost: test\r\n\r\n');
    await until(() => held.length === 2);

    expect(await refused(open(port, '127.0.0.3'))).toBe(true);
    expect(lines).toEqual(['refused a connection: the most connections allowed are open (2), each with a request being answered; further refusals are summed up every 60 s']);
    // Answered, both go idle: the next newcomer makes room.
    for (const res of held) res.end('ok');
    await until(() => waiting.every((client) => client.received().endsWith('ok')));
    expect(await served(open(port, '127.0.0.3'))).toBe(true);
  });

  it('cuts a body arriving slower than minBodyBytesPerSecond after the grace period with 408, and leaves a faster one alone', async () => {
    const { port, lines } = await cappedServer({ maxConnections: 10, maxConnectionsPerClient: 10, minBodyBytesPerSecond: 100, minBodyRateGraceMs: 500 });
    const trickle = open(port, '127.0.0.1');
    trickle.socket.write('POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\nt');
    const steady = open(port, '127.0.0.2');
    steady.socket.write('POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 20000\r\n\r\n');
    // 1,000 bytes every 50 ms: 20 KB/s, two hundred times the minimum, for a second.
    for (let sent = 0; sent < 20_000; sent += 1_000) {
      steady.socket.write('s'.repeat(1_000));
      await wait(50);
    }
    await until(() => steady.received().endsWith('ok'));
    await trickle.closed;
    expect(trickle.received()).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    expect(lines).toEqual([expect.stringMatching(/^cut a request for sending its body slower than 100 bytes\/s: 127\.0\.0\.1 sent \d+ bytes of its request in \d+\.\d s \([\d.]+ bytes\/s\); answered 408, further ones are summed up every 60 s$/)]);
  });

  it('sums up the refusals after the first in one line per interval, naming the addresses refused most', async () => {
    const { port, lines } = await cappedServer({ maxConnections: 100, maxConnectionsPerClient: 1 }, 1_000);
    expect(await served(open(port, '127.0.0.1'))).toBe(true);
    expect(await served(open(port, '127.0.0.2'))).toBe(true);
    for (let i = 0; i < 5; i += 1) expect(await refused(open(port, '127.0.0.1'))).toBe(true);
    expect(await refused(open(port, '127.0.0.2'))).toBe(true);
    // Summed up once a second: a slow machine may split the five refusals over two lines.
    const summed = () => lines.slice(1).reduce((sum, line) => sum + Number(/^refused (\d+) /.exec(line)?.[1] ?? 0), 0);
    while (summed() < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines[0]).toBe('refused a connection: 127.0.0.1 holds the most connections allowed per client address (1); further refusals are summed up every 1 s');
    expect(summed()).toBe(5);
    for (const line of lines.slice(1)) {
      expect(line).toMatch(/^refused (\d+) connections in the last \d+ s: \1 from addresses holding the most allowed per client address \(1\): \d+ from 127\.0\.0\.[12](, \d+ from 127\.0\.0\.[12])?$/);
    }
    if (lines.length === 2) {
      expect(lines[1]).toMatch(/^refused 5 connections in the last \d+ s: 5 from addresses holding the most allowed per client address \(1\): 4 from 127\.0\.0\.1, 1 from 127\.0\.0\.2$/);
    }
  });

  it('logs the refusals left to sum up when the server closes', async () => {
    const { port, lines, server } = await cappedServer({ maxConnections: 100, maxConnectionsPerClient: 1 });
    expect(await served(open(port, '127.0.0.1'))).toBe(true);
    for (let i = 0; i < 3; i += 1) expect(await refused(open(port, '127.0.0.1'))).toBe(true);
    expect(lines).toHaveLength(1);
    for (const socket of clients) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^refused 2 connections in the last \d+ s: 2 from addresses holding the most allowed per client address \(1\): 2 from 127\.0\.0\.1$/)]);
  });
});

describe('timeoutOptions', () => {
  it("gives Node's server the three timeouts, checked at least every second", () => {
    expect(timeoutOptions(CONNECTION_LIMITS)).toEqual({ headersTimeout: 10_000, requestTimeout: 120_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 });
    expect(timeoutOptions({ ...CONNECTION_LIMITS, headersTimeoutMs: 300 }).connectionsCheckingInterval).toBe(300);
  });
});
