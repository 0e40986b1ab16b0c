/**
 * @module bench/worker
 * A benchmark worker: a child process started by `bench/run.ts` with `--expose-gc`, measuring
 * one side (the service, plain MiniSearch, the PostgreSQL backend's client, or SQLite FTS5) so that its heap
 * is its own. It answers the commands of `bench/protocol.ts` one at a time, and (service side)
 * serves its library over HTTP when asked.
 */
import type { Contender } from './contender.ts';
import { serveLibrary } from './http.ts';
import { createPlainContender } from './plain.ts';
import { createPostgresSession, type PostgresSession } from './postgres.ts';
import type { Command, Replies, WorkerMessage } from './protocol.ts';
import { createServiceContender, type ServiceContender } from './service.ts';
import { createSession, type Session } from './session.ts';
import { createFtsSession, type FtsSession } from './sqlite.ts';

/** Sends `message` to the parent; resolves once it is handed to the channel (so a disconnect after it loses nothing). */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

function collect(): void {
  if (globalThis.gc === undefined) throw new Error('the benchmark worker needs --expose-gc');
  globalThis.gc();
}

let session: Session | undefined;
let service: ServiceContender | undefined;
let served: { url: string; close(): Promise<void> } | undefined;
let postgres: PostgresSession | undefined;
let fts: FtsSession | undefined;

function started(): Session {
  if (session === undefined) throw new Error('the worker got a command before "load"');
  return session;
}

async function handle(command: Command): Promise<Replies[keyof Replies]> {
  switch (command.kind) {
    case 'load': {
      service = command.side === 'service' ? createServiceContender(command.corpusPath, { detectsCopies: command.detectsCopies ?? true }) : undefined;
      const contender: Contender = service ?? createPlainContender();
      session = createSession(contender, { collect, progress: (text) => void send({ kind: 'progress', text }) });
      return session.load(command.corpusPath, command.scale);
    }
    case 'copyClusters':
      if (service === undefined) throw new Error('copyClusters is a command of the service side');
      return service.copyClusters();
    case 'save':
      return started().save();
    case 'loadSnapshot':
      return started().loadSnapshot();
    case 'discardSnapshot':
      await started().discardSnapshot();
      return null;
    case 'import':
      postgres = createPostgresSession({ collect, progress: (text) => void send({ kind: 'progress', text }) });
      return postgres.import(command.corpusPath, command.scale, command.url, command.batchSize);
    case 'warmup':
      if (postgres !== undefined) await postgres.warmup(command.queries);
      else started().warmup(command.queries);
      return null;
    case 'queries':
      return postgres !== undefined ? postgres.run(command.queries, command.collectFirst) : started().run(command.queries, command.collectFirst);
    case 'heap':
      return started().heap();
    case 'memory':
      collect();
      collect();
      return { heapBytes: process.memoryUsage().heapUsed, rssBytes: process.memoryUsage().rss };
    case 'serve':
      if (service === undefined) throw new Error('only the service side serves HTTP');
      collect();
      served = await serveLibrary(service.library);
      return served.url;
    case 'ftsBuild':
      fts = createFtsSession({ collect, progress: (text) => void send({ kind: 'progress', text }) });
      return fts.build(command.corpusPath, command.scale);
    case 'ftsReopen':
      if (fts === undefined) throw new Error('the worker got "ftsReopen" before "ftsBuild"');
      return fts.reopen(command.word);
    case 'stop':
      await fts?.close();
      await session?.discardSnapshot();
      await served?.close();
      await postgres?.close();
      return null;
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    async (value) => {
      await send({ kind: 'reply', value });
      if (command.kind === 'stop') process.disconnect();
    },
    async (error: unknown) => {
      await send({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.disconnect();
    },
  );
});
