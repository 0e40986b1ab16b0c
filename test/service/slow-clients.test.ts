/**
 * Slow and idle clients cannot take the server (issue 15, point 6): a real server process with
 * short timeouts, hundreds of raw connections trickling a body or headers or sitting idle after
 * a request, and a normal client searching meanwhile from another loopback address (Linux
 * routes all of 127.0.0.0/8 to the loopback interface). No timing decides a test: the server
 * closes the slow connections "eventually", within the tests' own generous deadlines.
 */
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/server/app.ts';
import { useServerFixtures, type ServerProcess } from './server-process.ts';

const fixture = useServerFixtures();

/** The slow clients' address; the normal client's is {@link NORMAL}. */
const FLOOD = '127.0.0.1';
const NORMAL = '127.0.0.2';
/** The eviction test's flood: trickles from eight addresses, more than its cap holds, and its normal client's address. */
const FLOOD_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9'];
const FLOOD_SIZE = 300;
const EVICT_CAP = 100;
const EVICT_NORMAL = '127.0.0.10';
const EVICT_UPLOADER = '127.0.0.11';
/** Trickles the eviction test's flood opens at most every 100 ms to replace those closed. */
const REOPEN_BURST = 20;
/** How often a slow connection sends its next byte or header line. */
const TRICKLE_MS = 250;

/** What a slow connection does: trickle a body, trickle headers, or go idle after one request. */
type Kind = 'body' | 'headers' | 'idle';

/** A raw connection from `from`, what it received, and a promise of its end (the tests never end one themselves until they are done). */
type SlowClient = { kind: Kind; socket: Socket; received: () => string; closed: Promise<void>; isClosed: () => boolean; trickle: () => void };

const FIRST_BYTES: Record<Kind, string> = {
  body: 'POST /articles HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
  headers: 'GET /search?q=harbour HTTP/1.1\r\nHost: test\r\n',
  idle: 'GET /health HTTP/1.1\r\nHost: test\r\n\r\n',
};
const NEXT_BYTES: Record<Kind, string | undefined> = { body: ' ', headers: 'X-Slow: y\r\n', idle: undefined };

function slowClient(server: ServerProcess, kind: Kind, from = FLOOD): SlowClient {
  const { hostname, port } = new URL(server.url);
  const socket = connect({ host: hostname, port: Number(port), localAddress: from });
  let received = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => {}); // a write racing the server's close fails: the close is what counts
  socket.once('connect', () => socket.write(FIRST_BYTES[kind]));
  const ended = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  return {
    kind,
    socket,
    received: () => received,
    closed: ended,
    isClosed: () => closed,
    trickle: () => {
      const next = NEXT_BYTES[kind];
      if (next !== undefined && socket.writable && !socket.connecting) socket.write(next);
    },
  };
}

/** A request from the normal client (`from`), on a connection of its own; resolves with the status and body. */
function get(server: ServerProcess, path: string, from = NORMAL): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { localAddress: from, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition` holds, checking every 20 ms (the test's own timeout bounds the wait). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await wait(20);
}

/** Lines of a log that tell of a crash or a bug: a stack frame, an error name, an internal error. */
const troubleIn = (lines: readonly string[]) => lines.filter((line) => /^\s+at |Error\b|internal error|uncaught/i.test(line));

/** Posts an article of about 200 KB from `from` in 50 slices, one every 100 ms; resolves with the status. */
function postSlowly(server: ServerProcess, from: string): Promise<number> {
  const body = Buffer.from(JSON.stringify({ id: 'upload', title: 'Upload', paragraphs: Array.from({ length: 5 }, (_, i) => `Upload paragraph ${i} `.padEnd(40_000, 'lorem ipsum ')) }));
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/articles`, { method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    void (async () => {
      const slice = Math.ceil(body.length / 50);
      for (let at = 0; at < body.length; at += slice) {
        req.write(body.subarray(at, at + slice));
        await wait(100);
      }
      req.end();
    })();
  });
}

/** A corpus holding one article about a harbour, for the normal client's searches. */
async function harbourCorpus(corpusDir: string): Promise<void> {
  const article = { id: 'harbour', title: 'Harbour reopens', source: 'Test Wire', paragraphs: ['The harbour reopened on Monday after the storm.'] };
  await writeFile(join(corpusDir, 'harbour.json'), JSON.stringify(article));
}

describe('serve under slow and idle clients', () => {
  it('cuts connections trickling a body or headers with a 408, and idle keep-alive ones, while a normal client is answered', { timeout: 120_000 }, async () => {
    const { corpusDir, start } = await fixture();
    await harbourCorpus(corpusDir);
    const server = await start({ env: { HEADERS_TIMEOUT_SECONDS: '2', REQUEST_TIMEOUT_SECONDS: '4', KEEP_ALIVE_TIMEOUT_SECONDS: '1', MAX_CONNECTIONS_PER_CLIENT: '1000' } });
    const kinds: Kind[] = [...Array<Kind>(200).fill('body'), ...Array<Kind>(60).fill('headers'), ...Array<Kind>(40).fill('idle')];
    const slow = kinds.map((kind) => slowClient(server, kind));
    const trickling = setInterval(() => slow.forEach((client) => client.trickle()), TRICKLE_MS);
    try {
      // The normal client searches until the server has closed every slow connection.
      const answers: number[] = [];
      while (!slow.every((client) => client.isClosed())) {
        const { status, body } = await get(server, '/search?q=harbour');
        expect(JSON.parse(body)).toMatchObject({ total: 1 });
        answers.push(status);
      }
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.filter((status) => status !== 200)).toEqual([]);
    } finally {
      clearInterval(trickling);
    }

    for (const client of slow.filter((client) => client.kind !== 'idle')) expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    // An idle connection was answered, then closed without a word: HTTP has nothing to say to it.
    for (const client of slow.filter((client) => client.kind === 'idle')) {
      expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      // Not a 408 status line (a request id in the headers may well hold the digits 408).
      expect(client.received()).not.toMatch(/HTTP\/1\.1 408 /);
    }

    expect(server.process.exitCode).toBeNull();
    expect((await get(server, '/health', FLOOD)).status).toBe(200);
    // Each body cut short is one access line saying what Node answered; nothing else is logged about them.
    expect(server.stderr.filter((line) => / POST \/articles 408 /.test(line))).toHaveLength(200);
    expect(troubleIn(server.stderr)).toEqual([]);
  });

  it('holds one address to MAX_CONNECTIONS_PER_CLIENT, refusing the rest at once, so another address is still served', { timeout: 120_000 }, async () => {
    const { corpusDir, start } = await fixture();
    await harbourCorpus(corpusDir);
    // Default timeouts: the held connections stay open for the whole test.
    const server = await start({ env: { MAX_CONNECTIONS_PER_CLIENT: '50' } });
    const flood = Array.from({ length: 300 }, () => slowClient(server, 'body'));
    const trickling = setInterval(() => flood.forEach((client) => client.trickle()), TRICKLE_MS);
    try {
      while (flood.filter((client) => client.isClosed()).length < 250) await wait(20);
      const refused = flood.filter((client) => client.isClosed());
      expect(refused).toHaveLength(250);
      expect(refused.filter((client) => client.received() !== '')).toEqual([]);

      for (let i = 0; i < 20; i += 1) expect((await get(server, '/search?q=harbour')).status).toBe(200);
      // The flooding address gets nothing more while it holds its 50.
      const more = slowClient(server, 'idle');
      await more.closed;
      expect(more.received()).toBe('');
      expect(flood.filter((client) => client.isClosed())).toHaveLength(250);
    } finally {
      clearInterval(trickling);
    }
    expect(server.stderr).toContain('refused a connection: 127.0.0.1 holds the most connections allowed per client address (50); further refusals are summed up every 60 s');

    // Once the flood goes away, its address is served again.
    for (const client of flood) client.socket.destroy();
    let health: number | undefined;
    while (health !== 200) health = await get(server, '/health', FLOOD).then(({ status }) => status, () => wait(20).then(() => undefined));
    expect(server.process.exitCode).toBeNull();
    expect(troubleIn(server.stderr)).toEqual([]);
  });

  it('answers a normal client and lets a steady upload finish while trickles from eight addresses fill MAX_CONNECTIONS and come back as fast as they are closed', { timeout: 120_000 }, async () => {
    const { corpusDir, start } = await fixture();
    await harbourCorpus(corpusDir);
    // Default timeouts and no minimum body rate: only making room frees a slot during the test.
    const server = await start({ env: { MAX_CONNECTIONS: String(EVICT_CAP), MAX_CONNECTIONS_PER_CLIENT: '50', MIN_BODY_BYTES_PER_SECOND: '0' } });
    const flood: SlowClient[] = [];
    const live = () => flood.filter((client) => !client.isClosed()).length;
    // The attacker keeps FLOOD_SIZE trickles open, opening up to REOPEN_BURST a tick to replace those closed: a sustained flood at a pace the server can accept.
    const replenish = () => {
      for (let i = Math.min(REOPEN_BURST, FLOOD_SIZE - live()); i > 0; i -= 1) flood.push(slowClient(server, 'body', FLOOD_ADDRESSES[flood.length % FLOOD_ADDRESSES.length]));
    };
    const reopening = setInterval(replenish, 100);
    const trickling = setInterval(() => flood.forEach((client) => client.trickle()), TRICKLE_MS);
    const answers: number[] = [];
    try {
      // The cap is full and the flood churns: many trickles have been closed to make room for others.
      await until(() => flood.filter((client) => client.isClosed()).length >= 2 * FLOOD_SIZE);
      // A steady upload meanwhile (about 40 KB/s, for seconds) is never the slowest: it is not closed.
      const upload = postSlowly(server, EVICT_UPLOADER);
      for (let i = 0; i < 30; i += 1) {
        const { status, body } = await get(server, '/search?q=harbour', EVICT_NORMAL);
        answers.push(status);
        expect(JSON.parse(body)).toMatchObject({ total: 1 });
      }
      expect(await upload).toBe(201);
    } finally {
      clearInterval(reopening);
      clearInterval(trickling);
    }
    expect(answers).toEqual(Array<number>(30).fill(200));

    // Every trickle closed by the server was told why, 503, or (past its address's cap) nothing.
    const closed = flood.filter((client) => client.isClosed());
    expect(closed.filter((client) => !/^(HTTP\/1\.1 503 Service Unavailable\r\n[^]*)?$/.test(client.received()))).toEqual([]);
    expect(closed.filter((client) => client.received().startsWith('HTTP/1.1 503 ')).length).toBeGreaterThanOrEqual(2 * FLOOD_SIZE);
    expect(server.stderr.filter((line) => line.startsWith('closed a connection to make room for a new one, the most allowed (100) being open: '))).toHaveLength(1);

    // A trickle closed while its request was being read is logged with what it was told, 503; the upload, 201.
    const statuses = server.stderr.map((line) => / POST \/articles (\d+) /.exec(line)?.[1]).filter((status) => status !== undefined);
    expect(statuses.length).toBeGreaterThan(1);
    expect(statuses.filter((status) => status !== '503')).toEqual(['201']);

    // Nor is a closed upload a rejected batch: nothing of it was refused.
    expect((await get(server, '/metrics', EVICT_NORMAL)).body).not.toMatch(/^news_ingest_rejected_batches_total\{/m);

    for (const client of flood) client.socket.destroy();
    expect((await get(server, '/health', FLOOD_ADDRESSES[0])).status).toBe(200);
    expect(server.process.exitCode).toBeNull();
    expect(troubleIn(server.stderr)).toEqual([]);
  });

  it('cuts bodies arriving slower than MIN_BODY_BYTES_PER_SECOND after the grace period with a 408, long before the request timeout', { timeout: 120_000 }, async () => {
    const { corpusDir, start } = await fixture();
    await harbourCorpus(corpusDir);
    const server = await start({ env: { MIN_BODY_BYTES_PER_SECOND: '100', MIN_BODY_RATE_GRACE_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '600' } });
    // Four bytes a second each: a trickle the request timeout would hold for ten minutes.
    const slow = Array.from({ length: 50 }, () => slowClient(server, 'body'));
    const trickling = setInterval(() => slow.forEach((client) => client.trickle()), TRICKLE_MS);
    try {
      await Promise.all(slow.map((client) => client.closed));
    } finally {
      clearInterval(trickling);
    }
    for (const client of slow) expect(client.received()).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    // The access lines come once the handlers have seen their bodies end: the server's log is read as it arrives.
    await until(() => server.stderr.filter((line) => / POST \/articles 408 /.test(line)).length >= 50);
    expect(server.stderr.filter((line) => / POST \/articles /.test(line)).map((line) => / POST \/articles (\d+) /.exec(line)?.[1])).toEqual(Array<string>(50).fill('408'));
    expect(server.stderr.filter((line) => line.startsWith('cut a request for sending its body slower than 100 bytes/s: 127.0.0.1 sent '))).toHaveLength(1);
    expect((await get(server, '/search?q=harbour')).status).toBe(200);
    expect((await get(server, '/metrics')).body).not.toMatch(/^news_ingest_rejected_batches_total\{/m);
    expect(troubleIn(server.stderr)).toEqual([]);
  });

  it('accepts a body of nearly MAX_BODY_BYTES sent over seconds, longer than the header timeout', { timeout: 120_000 }, async () => {
    const { start } = await fixture();
    const server = await start({ env: { HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '120' } });
    const paragraphs = 9_000;
    // Each paragraph costs its text plus 3 characters of JSON ("…",); the rest is the envelope.
    const length = Math.floor((MAX_BODY_BYTES - 4096) / paragraphs) - 3;
    const text = (i: number) => `Bigword paragraph ${i} `.padEnd(length, 'lorem ipsum dolor sit amet ');
    const body = Buffer.from(JSON.stringify({ id: 'big', title: 'Big', paragraphs: Array.from({ length: paragraphs }, (_, i) => text(i)) }));
    expect(body.length).toBeGreaterThan(MAX_BODY_BYTES - 64 * 1024);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);

    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/articles`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      req.on('error', reject);
      // 40 slices, one every 75 ms: the body takes about 3 s, three header timeouts.
      void (async () => {
        const slice = Math.ceil(body.length / 40);
        for (let at = 0; at < body.length; at += slice) {
          req.write(body.subarray(at, at + slice));
          await wait(75);
        }
        req.end();
      })();
    });
    expect(status).toBe(201);
    expect(JSON.parse((await get(server, '/search?q=bigword')).body)).toMatchObject({ total: paragraphs });
    expect(troubleIn(server.stderr)).toEqual([]);
  });
});
