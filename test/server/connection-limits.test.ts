/**
 * The connection caps and timeouts of `server/connection-limits.ts`, on a node:http server in
 * this process: raw sockets from several loopback addresses (Linux routes all of 127.0.0.0/8 to
 * the loopback interface), each either served or closed without a byte.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { capConnections, CONNECTION_LIMITS, timeoutOptions } from '../../src/server/connection-limits.ts';

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

/** A server answering `ok` to everything, capped as `limits` say; `lines` collects its log. */
async function cappedServer(limits: { maxConnections: number; maxConnectionsPerClient: number }, reportIntervalMs = 60_000) {
  const lines: string[] = [];
  const server = createServer((_req, res) => res.end('ok'));
  const stop = capConnections(server, limits, { log: (line) => lines.push(line), reportIntervalMs });
  server.once('close', stop);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, lines, server };
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

  it('closes every new connection, from any address, while maxConnections are open', async () => {
    const { port, lines } = await cappedServer({ maxConnections: 3, maxConnectionsPerClient: 2 });
    const held = [open(port, '127.0.0.1'), open(port, '127.0.0.1'), open(port, '127.0.0.2')];
    for (const client of held) expect(await served(client)).toBe(true);
    expect(await refused(open(port, '127.0.0.3'))).toBe(true);
    expect(await refused(open(port, '127.0.0.2'))).toBe(true);
    expect(lines[0]).toBe('refused a connection: the most connections allowed are open (3); further refusals are summed up every 60 s');
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
