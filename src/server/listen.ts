/**
 * @module server/listen
 * Serves an application on a port with @hono/node-server: the small part that listens (with the
 * timeouts and connection caps of `connection-limits.ts`), and stops gracefully.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { capConnections, CONNECTION_LIMITS, timeoutOptions, type ConnectionLimits } from './connection-limits.ts';

/** Default time in-flight requests get to finish on close before their connections are cut. */
const CLOSE_GRACE_MS = 10_000;
/** How often idle keep-alive connections are closed while draining: a connection goes idle when its last request is answered. */
const IDLE_SWEEP_MS = 50;

/** A listening server and the URL it answers on. */
export type Listening = {
  server: ServerType;
  url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish (cutting what is left after
   * `graceMs`, default 10 s), and resolves once every connection is closed.
   */
  close(options?: { graceMs?: number }): Promise<void>;
};

/** Where and how to listen. */
export type ListenOptions = {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Timeouts and connection caps; {@link CONNECTION_LIMITS} by default. */
  limits?: ConnectionLimits;
  /** Receives the lines about refused connections. */
  log?: (message: string) => void;
};

/**
 * Listens on `host:port` and resolves once connections are accepted.
 *
 * @example
 * const { url, close } = await listen(app, { host: '127.0.0.1', port: 0 });
 * await close(); // after in-flight requests are answered
 */
export function listen(app: Hono, options: ListenOptions): Promise<Listening> {
  const { limits = CONNECTION_LIMITS, log = () => {} } = options;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port, serverOptions: timeoutOptions(limits) }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({ server, url: `http://${host}:${info.port}`, close: (closeOptions) => closeGracefully(server, closeOptions?.graceMs ?? CLOSE_GRACE_MS) });
    });
    // Without `createServer` in the options, @hono/node-server makes a node:http server.
    const stopReporting = capConnections(server as Server, limits, { log });
    server.once('close', stopReporting);
    server.once('error', reject);
  });
}

function closeGracefully(server: ServerType, graceMs: number): Promise<void> {
  return new Promise((done) => {
    // HTTP/1 servers only: keep-alive connections would otherwise hold `close` open until they time out.
    const http = 'closeIdleConnections' in server ? (server as Server) : undefined;
    const sweep = setInterval(() => http?.closeIdleConnections(), IDLE_SWEEP_MS);
    const deadline = setTimeout(() => http?.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      done();
    });
    http?.closeIdleConnections();
  });
}
