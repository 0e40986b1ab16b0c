import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discardStaged, isProcessAlive, publishFiles, recoverInterruptedWrites, stageFile, writeFileDurably } from '../../src/ingest/durable-files.ts';
import { injectFaults } from '../fault-fs.ts';
import { tempDir } from '../helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
let restore: (() => void) | undefined;

beforeEach(async () => {
  const made = await tempDir();
  dir = made.path;
  cleanup = made.cleanup;
});

afterEach(async () => {
  restore?.();
  restore = undefined;
  await cleanup();
});

/** The id of a process that has exited: a writer that died. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  expect(isProcessAlive(child.pid as number)).toBe(false);
  return child.pid as number;
}

const list = async () => (await readdir(dir)).sort();

describe('stageFile and publishFiles', () => {
  it('publishes several files and a deletion together, leaving no journal or temporary file', async () => {
    await writeFile(join(dir, 'old.json'), 'old');
    const staged = [await stageFile(join(dir, 'a.json'), 'A'), await stageFile(join(dir, 'b.json'), Buffer.from('BB'))];
    expect((await list()).filter((name) => name.endsWith('.tmp'))).toHaveLength(2);
    await publishFiles(dir, staged, [join(dir, 'old.json')]);
    expect(await list()).toEqual(['a.json', 'b.json']);
    expect(await readFile(join(dir, 'b.json'), 'utf8')).toBe('BB');
    expect(staged.map((file) => file.size)).toEqual([1, 2]);
  });

  it('writes pieces one after the other and reports the size a listing will see', async () => {
    async function* pieces() {
      yield 'one\n';
      yield 'two\n';
    }
    const written = await writeFileDurably(join(dir, 'lines.jsonl'), pieces());
    expect(await readFile(join(dir, 'lines.jsonl'), 'utf8')).toBe('one\ntwo\n');
    expect(written.size).toBe(8);
  });

  it('removes its temporary file and throws ENOSPC when the disk fills up', async () => {
    restore = injectFaults({ dir, mode: 'full', freeBytes: 10 });
    const error = await stageFile(join(dir, 'big.json'), 'x'.repeat(100)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ENOSPC' });
    expect(await list()).toEqual([]);
  });

  it('continues after a short write, so the file is complete', async () => {
    restore = injectFaults({ dir, mode: 'short' });
    await writeFileDurably(join(dir, 'whole.json'), 'y'.repeat(1000));
    restore();
    expect(await readFile(join(dir, 'whole.json'), 'utf8')).toBe('y'.repeat(1000));
  });

  it('refuses a write that stores nothing, and a file whose size is not what was written', async () => {
    for (const mode of ['zero', 'lie'] as const) {
      restore = injectFaults({ dir, mode });
      const error = await writeFileDurably(join(dir, `${mode}.json`), 'z'.repeat(1000)).catch((caught: unknown) => caught);
      restore();
      expect(error, mode).toMatchObject({ message: expect.stringMatching(/^short write/) });
      expect(await list(), mode).toEqual([]);
    }
  });

  it('publishes nothing and removes the staged files when the journal cannot be written', async () => {
    const staged = [await stageFile(join(dir, 'a.json'), 'A'), await stageFile(join(dir, 'b.json'), 'B')];
    restore = injectFaults({ dir, mode: 'full', freeBytes: 0 });
    await expect(publishFiles(dir, staged)).rejects.toMatchObject({ code: 'ENOSPC' });
    restore();
    expect(await list()).toEqual([]);
  });

  it('discards staged files that will not be published', async () => {
    const staged = [await stageFile(join(dir, 'a.json'), 'A')];
    await discardStaged(staged);
    expect(await list()).toEqual([]);
  });
});

describe('recoverInterruptedWrites', () => {
  it('finishes the journal of a writer that died after writing it, then removes it', async () => {
    const pid = deadPid();
    await writeFile(join(dir, `a.json.${pid}.0badc0de.tmp`), 'new A');
    await writeFile(join(dir, 'a.json'), 'old A');
    await writeFile(join(dir, 'shared.jsonl'), 'old shared');
    // b.json was renamed before the crash: its temporary file is gone.
    await writeFile(join(dir, 'b.json'), 'new B');
    const journal = { renames: [[`a.json.${pid}.0badc0de.tmp`, 'a.json'], [`b.json.${pid}.0badc0df.tmp`, 'b.json']], deletes: ['shared.jsonl'] };
    await writeFile(join(dir, `.publish.${pid}.00000001.journal`), JSON.stringify(journal));
    expect(await recoverInterruptedWrites(dir)).toEqual({ journalsFinished: 1, temporaryFilesRemoved: 0 });
    expect(await list()).toEqual(['a.json', 'b.json']);
    expect(await readFile(join(dir, 'a.json'), 'utf8')).toBe('new A');
  });

  it('leaves the journal of a live writer alone', async () => {
    const name = `.publish.${process.pid}.00000002.journal`;
    await writeFile(join(dir, name), JSON.stringify({ renames: [], deletes: ['keep.json'] }));
    await writeFile(join(dir, 'keep.json'), 'kept');
    expect(await recoverInterruptedWrites(dir)).toEqual({ journalsFinished: 0, temporaryFilesRemoved: 0 });
    expect(await list()).toEqual([name, 'keep.json']);
  });

  it('drops a journal that is not one of ours without following it', async () => {
    const pid = deadPid();
    await writeFile(join(dir, 'precious.json'), 'mine');
    await writeFile(join(dir, `.publish.${pid}.00000003.journal`), JSON.stringify({ renames: [['precious.json', 'other.json']], deletes: ['../x'] }));
    await recoverInterruptedWrites(dir);
    expect(await list()).toEqual(['precious.json']);
  });

  it('removes the temporary files of dead writers at once, and of live ones only when stale, never a user file', async () => {
    const pid = deadPid();
    await mkdir(join(dir, 'sub'));
    const names = [`sub/dead.json.${pid}.0badc0de.tmp`, `live.json.${process.pid}.0123abcd.tmp`, `stale.json.${process.pid}.0123abce.tmp`, 'notes.tmp'];
    for (const name of names) await writeFile(join(dir, name), '{"half":');
    const old = new Date(0);
    await utimes(join(dir, `stale.json.${process.pid}.0123abce.tmp`), old, old);
    await utimes(join(dir, 'notes.tmp'), old, old);
    expect(await recoverInterruptedWrites(dir)).toEqual({ journalsFinished: 0, temporaryFilesRemoved: 2 });
    expect(await list()).toEqual([`live.json.${process.pid}.0123abcd.tmp`, 'notes.tmp', 'sub']);
    expect(await readdir(join(dir, 'sub'))).toEqual([]);
  });

  it('finds nothing to do in a missing folder', async () => {
    expect(await recoverInterruptedWrites(join(dir, 'missing'))).toEqual({ journalsFinished: 0, temporaryFilesRemoved: 0 });
  });
});
