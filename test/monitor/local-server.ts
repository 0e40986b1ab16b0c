/**
 * A local HTTP server a test starts (node:http on 127.0.0.1, or another loopback address), with
 * a handler per path and counts of what it received: what URL ingest and subscriptions fetch in
 * the tests. Nothing leaves the machine.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export type LocalServer = {
  /** `http://<address>:<port>`. */
  readonly origin: string;
  readonly port: number;
  /** Requests received per path, and the headers of the last one. */
  readonly hits: Map<string, number>;
  readonly lastHeaders: Map<string, IncomingMessage['headers']>;
  /** Sets (or replaces) the handler of `path`. */
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
};

/** Starts a server on `host` (default 127.0.0.1), any free port; unknown paths answer 404. */
export async function startLocalServer(host = '127.0.0.1'): Promise<LocalServer> {
  const handlers = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const lastHeaders = new Map<string, IncomingMessage['headers']>();
  const sockets = new Set<Socket>();
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    lastHeaders.set(path, request.headers);
    const handler = handlers.get(path);
    if (handler === undefined) {
      response.writeHead(404).end('no such path');
      return;
    }
    handler(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${port}`,
    port,
    hits,
    lastHeaders,
    route: (path, handler) => void handlers.set(path, handler),
    close: async () => {
      // Handlers that never answer hold their sockets open: end them, or close() waits forever.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A handler answering `body` with `contentType` (and extra headers). */
export function answer(body: string, contentType: string, headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'Content-Type': contentType, ...headers }).end(body);
  };
}

/** An RSS 2.0 feed titled `title` holding `items`. */
export function rssFeed(title: string, items: ReadonlyArray<{ title: string; link?: string; guid?: string; text: string }>): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const entries = items
    .map(
      (item) =>
        `<item><title>${escape(item.title)}</title>${item.link === undefined ? '' : `<link>${escape(item.link)}</link>`}${
          item.guid === undefined ? '' : `<guid isPermaLink="false">${escape(item.guid)}</guid>`
        }<description>${escape(item.text)}</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${escape(title)}</title><link>https://wire.example/</link>\n${entries}\n</channel></rss>\n`;
}
