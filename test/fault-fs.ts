/**
 * Simulated disk faults for the tests: file writes under one folder fail as a full, lying or
 * read-only disk would, without touching the code under test. `node:fs/promises` is patched
 * in place (its live ESM bindings updated with `syncBuiltinESMExports`), so modules that
 * imported `open`, `rename`, `mkdir`… see the faulty versions. In a test process call
 * {@link injectFaults}; a real server process gets them from `fault-preload.ts`.
 */
import { existsSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { resolve, sep } from 'node:path';
import type { FileHandle } from 'node:fs/promises';

const require = createRequire(import.meta.url);
type Promises = typeof import('node:fs/promises');
const fsPromises = require('node:fs/promises') as Promises;

/** How files under `dir` misbehave. */
export type Faults = {
  /** The folder whose files are faulty (and everything under it). */
  dir: string;
  /**
   * `full`: writes share `freeBytes` (default 0); the write that passes it is short, as the
   * kernel's, and the next one fails with ENOSPC. `short`: every write stores fewer bytes than
   * asked and says so. `lie`: every write stores fewer bytes than asked and claims all. `zero`:
   * writes store nothing and say so. `read-only`: creating, writing, renaming and removing
   * fail with EROFS.
   */
  mode: 'full' | 'short' | 'lie' | 'zero' | 'read-only';
  freeBytes?: number;
};

function systemError(code: string, syscall: string, path: string): Error {
  const messages: Record<string, string> = { ENOSPC: 'no space left on device', EROFS: 'read-only file system' };
  return Object.assign(new Error(`${code}: ${messages[code] ?? code}, ${syscall} '${path}'`), { code, syscall, path });
}

type WriteResult = { bytesWritten: number; buffer: Buffer };

/**
 * Makes file writes under `faults.dir` misbehave until the returned function is called.
 *
 * @example
 * const restore = injectFaults({ dir: corpusDir, mode: 'full', freeBytes: 5000 });
 * try { … } finally { restore(); }
 */
export function injectFaults(faults: Faults): () => void {
  const root = resolve(faults.dir);
  const inside = (path: unknown): boolean => {
    if (typeof path !== 'string') return false;
    const absolute = resolve(path);
    return absolute === root || absolute.startsWith(root + sep);
  };
  let free = faults.freeBytes ?? 0;
  const original = { open: fsPromises.open, rename: fsPromises.rename, mkdir: fsPromises.mkdir, rm: fsPromises.rm, unlink: fsPromises.unlink, writeFile: fsPromises.writeFile };
  const readOnly = faults.mode === 'read-only';

  const faultyWrite = (handle: FileHandle, path: string) => {
    const write = handle.write.bind(handle) as (...args: unknown[]) => Promise<WriteResult>;
    return async (data: unknown, ...rest: unknown[]): Promise<WriteResult> => {
      const buffer = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
      const offset = typeof rest[0] === 'number' ? rest[0] : 0;
      const length = typeof rest[1] === 'number' ? rest[1] : buffer.length - offset;
      if (length === 0) return write(buffer, offset, 0);
      switch (faults.mode) {
        case 'full': {
          if (free <= 0) throw systemError('ENOSPC', 'write', path);
          const stored = Math.min(free, length);
          free -= stored;
          return write(buffer, offset, stored);
        }
        case 'short':
          return write(buffer, offset, Math.ceil(length / 2));
        case 'lie': {
          await write(buffer, offset, Math.floor(length / 2));
          return { bytesWritten: length, buffer };
        }
        case 'zero':
          return { bytesWritten: 0, buffer };
        default:
          return write(buffer, offset, length);
      }
    };
  };

  const patched: Partial<Promises> = {
    async open(path: Parameters<Promises['open']>[0], flags?: Parameters<Promises['open']>[1], mode?: Parameters<Promises['open']>[2]) {
      const writing = typeof flags === 'string' && /[wa+]/.test(flags);
      if (readOnly && writing && inside(path)) throw systemError('EROFS', 'open', String(path));
      const handle = await original.open(path, flags, mode);
      if (writing && inside(path) && !readOnly) {
        const write = faultyWrite(handle, String(path));
        Object.assign(handle, {
          write,
          writeFile: async (data: string | Buffer) => {
            const buffer = typeof data === 'string' ? Buffer.from(data) : data;
            for (let at = 0; at < buffer.length; ) {
              const { bytesWritten } = await write(buffer, at, buffer.length - at);
              if (bytesWritten === 0) break;
              at += bytesWritten;
            }
          },
        });
      }
      return handle;
    },
    async rename(from: Parameters<Promises['rename']>[0], to: Parameters<Promises['rename']>[1]) {
      if (readOnly && (inside(from) || inside(to))) throw systemError('EROFS', 'rename', String(to));
      return original.rename(from, to);
    },
    async mkdir(path: Parameters<Promises['mkdir']>[0], options?: Parameters<Promises['mkdir']>[1]) {
      // As Linux does: a folder that exists is found before the file system is found read-only.
      if (readOnly && inside(path) && !existsSync(path)) throw systemError('EROFS', 'mkdir', String(path));
      return original.mkdir(path, options);
    },
    async rm(path: Parameters<Promises['rm']>[0], options?: Parameters<Promises['rm']>[1]) {
      if (readOnly && inside(path)) throw systemError('EROFS', 'rm', String(path));
      return original.rm(path, options);
    },
    async unlink(path: Parameters<Promises['unlink']>[0]) {
      if (readOnly && inside(path)) throw systemError('EROFS', 'unlink', String(path));
      return original.unlink(path);
    },
  } as Partial<Promises>;
  Object.assign(fsPromises, patched);
  syncBuiltinESMExports();
  return () => {
    Object.assign(fsPromises, original);
    syncBuiltinESMExports();
  };
}
