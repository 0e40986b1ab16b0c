/**
 * Disks that fill up or refuse writes, for the fault-injection tests of real server processes.
 * Where this process may mount file systems (root on Linux), a folder is a real tmpfs of a few
 * pages, filled to the wanted free space, or remounted read-only; elsewhere the same folder is
 * an ordinary one whose writes a preload (`fault-preload.ts`, see `fault-fs.ts`) makes fail
 * with ENOSPC or EROFS inside the server. Either way the server meets the real error codes and
 * nothing is skipped.
 */
import { execFile } from 'node:child_process';
import { mkdir, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Faults } from '../fault-fs.ts';
import type { StartOptions } from './server-process.ts';

const run = promisify(execFile);
const PRELOAD = new URL('../fault-preload.ts', import.meta.url).pathname;

/** A faulty folder and what a server process needs to meet it. */
export type SmallDisk = {
  dir: string;
  kind: 'tmpfs' | 'simulated';
  /** Options for `start()`: the preload of the simulated kind, nothing for a tmpfs. */
  start: StartOptions;
  /** Unmounts (a tmpfs). */
  cleanup(): Promise<void>;
};

let mountable: Promise<boolean> | undefined;

/** Whether this process can mount a tmpfs (tried once; `NEWS_SEARCH_TEST_NO_MOUNT=1` says no, to run the simulated disks everywhere). */
export function canMountTmpfs(scratch: string): Promise<boolean> {
  mountable ??= (async () => {
    if (process.env.NEWS_SEARCH_TEST_NO_MOUNT === '1') return false;
    const probe = join(scratch, 'tmpfs-probe');
    await mkdir(probe, { recursive: true });
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
      await run('umount', [probe]);
      return true;
    } catch {
      return false;
    }
  })();
  return mountable;
}

/**
 * Makes `dir` a disk with about `freeBytes` free (`full`) or a read-only one (`read-only`): a
 * tmpfs when `kind` allows and mounting works, else a simulated one.
 */
export async function smallDisk(dir: string, options: { mode: 'full' | 'read-only'; freeBytes?: number; kind: 'tmpfs' | 'simulated' }): Promise<SmallDisk> {
  await mkdir(dir, { recursive: true });
  if (options.kind === 'tmpfs' && (await canMountTmpfs(join(dir, '..')))) {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
    const cleanup = async () => {
      await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
    };
    if (options.mode === 'read-only') {
      await run('mount', ['-o', 'remount,ro', dir]);
    } else {
      // Fill it up to the free space wanted, counted in the file system's blocks.
      const info = await statfs(dir);
      const keep = Math.ceil((options.freeBytes ?? 0) / info.bsize);
      await writeFile(join(dir, 'filler.bin'), Buffer.alloc(Math.max(0, info.bavail - keep) * info.bsize));
    }
    return { dir, kind: 'tmpfs', start: {}, cleanup };
  }
  const faults: Faults = options.mode === 'read-only' ? { dir, mode: 'read-only' } : { dir, mode: 'full', freeBytes: options.freeBytes ?? 0 };
  return {
    dir,
    kind: 'simulated',
    start: { env: { NEWS_SEARCH_TEST_FAULTS: JSON.stringify(faults) }, nodeArgs: ['--import', PRELOAD] },
    cleanup: async () => {},
  };
}
