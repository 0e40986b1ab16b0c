/**
 * @module server/listen
 * Serves an application on a port with @hono/node-server: the small part that listens.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

/** A listening server and the URL it answers on. */
export type Listening = { server: ServerType; url: string; close(): Promise<void> };

/**
 * Listens on `host:port` (`port` 0 picks a free port) and resolves once connections are accepted.
 *
 * @example
 * const { url } = await listen(app, { host: '127.0.0.1', port: 0 });
 */
export function listen(app: Hono, options: { host: string; port: number }): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        server,
        url: `http://${host}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
    server.once('error', reject);
  });
}
