/**
 * Simulated disk faults for the tests: file writes under one folder fail as a full, lying or
 * read-only disk would, without touching the code under test. `node:fs/promises` and the
 * synchronous calls of `node:fs` (`openSync`, `writeSync`, `renameSync`, `rmSync`…) are patched
 * in place (their live ESM bindings updated with `syncBuiltinESMExports`), so modules that
 * imported `open`, `rename`, `mkdir`… or call `fs.openSync` see the faulty versions. In a test process call
 * {@link injectFaults}; a real server process gets them from `fault-preload.ts`.
 */
import { existsSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { resolve, sep } from 'node:path';
import type { FileHandle } from 'node:fs/promises';

const require = createRequire(import.meta.url);
type Promises = typeof import('node:fs/promises');
const fsPromises = require('node:fs/promises') as Promises;
type Fs = typeof import('node:fs');
const fsSync = require('node:fs') as Fs;

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
  const originalSync = { openSync: fsSync.openSync, writeSync: fsSync.writeSync, closeSync: fsSync.closeSync, renameSync: fsSync.renameSync, rmSync: fsSync.rmSync, unlinkSync: fsSync.unlinkSync };

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
  // The synchronous calls: descriptors opened for writing inside the folder write faultily.
  const faultyFds = new Set<number>();
  const storedBy = (length: number, path: string): { store: number; claim: number } => {
    switch (faults.mode) {
      case 'full': {
        if (free <= 0) throw systemError('ENOSPC', 'write', path);
        const stored = Math.min(free, length);
        free -= stored;
        return { store: stored, claim: stored };
      }
      case 'short':
        return { store: Math.ceil(length / 2), claim: Math.ceil(length / 2) };
      case 'lie':
        return { store: Math.floor(length / 2), claim: length };
      case 'zero':
        return { store: 0, claim: 0 };
      default:
        return { store: length, claim: length };
    }
  };
  const patchedSync = {
    openSync(path: Parameters<Fs['openSync']>[0], flags?: Parameters<Fs['openSync']>[1], mode?: Parameters<Fs['openSync']>[2]): number {
      const writing = typeof flags === 'string' && /[wa+]/.test(flags);
      if (readOnly && writing && inside(path)) throw systemError('EROFS', 'open', String(path));
      const fd = originalSync.openSync(path, flags ?? 'r', mode);
      if (writing && inside(path)) faultyFds.add(fd);
      return fd;
    },
    writeSync(fd: number, buffer: NodeJS.ArrayBufferView, offset?: number, length?: number, position?: number | null): number {
      if (!faultyFds.has(fd) || !Buffer.isBuffer(buffer)) return (originalSync.writeSync as (...args: unknown[]) => number)(fd, buffer, offset, length, position);
      const start = offset ?? 0;
      const size = length ?? buffer.length - start;
      if (size === 0) return 0;
      const { store, claim } = storedBy(size, `fd ${fd}`);
      if (store > 0) originalSync.writeSync(fd, buffer, start, store, position);
      return claim;
    },
    closeSync(fd: number): void {
      faultyFds.delete(fd);
      originalSync.closeSync(fd);
    },
    renameSync(from: Parameters<Fs['renameSync']>[0], to: Parameters<Fs['renameSync']>[1]): void {
      if (readOnly && (inside(from) || inside(to))) throw systemError('EROFS', 'rename', String(to));
      originalSync.renameSync(from, to);
    },
    rmSync(path: Parameters<Fs['rmSync']>[0], options?: Parameters<Fs['rmSync']>[1]): void {
      if (readOnly && inside(path)) throw systemError('EROFS', 'rm', String(path));
      originalSync.rmSync(path, options);
    },
    unlinkSync(path: Parameters<Fs['unlinkSync']>[0]): void {
      if (readOnly && inside(path)) throw systemError('EROFS', 'unlink', String(path));
      originalSync.unlinkSync(path);
    },
  };
  Object.assign(fsPromises, patched);
  Object.assign(fsSync, patchedSync);
  syncBuiltinESMExports();
  return () => {
    Object.assign(fsPromises, original);
    Object.assign(fsSync, originalSync);
    syncBuiltinESMExports();
  };
}
