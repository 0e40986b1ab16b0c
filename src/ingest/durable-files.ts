/**
 * @module ingest/durable-files
 * Files written so that a crash, a full disk or a short write never leaves a half-written file
 * under a real name. Each file is first written to a temporary name next to it (every byte
 * counted, the size checked after the flush), then renamed into place. Several files are
 * published together through a journal, so that even a crash publishes all of them or none.
 * Temporary files and journals left by a writer that died are dealt with on the next start.
 */
import { randomBytes } from 'node:crypto';
// Called through the module object, so that the tests' simulated disk faults (test/fault-fs.ts) reach these calls too.
import fs from 'node:fs';
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { systemCodeOf } from '../errors.ts';

/** A file written under a temporary name, flushed, waiting to be published under `target`. */
export type StagedFile = {
  readonly temporary: string;
  readonly target: string;
  /** Its size and modification time, as a listing will see them once it is published (rename keeps both). */
  readonly size: number;
  readonly mtimeMs: number;
};

/** What {@link stageFile} writes: text, bytes, or pieces of either written one after the other. */
export type FileContent = string | Buffer | AsyncIterable<string | Buffer>;

/** Matches the names {@link stageFile} gives its temporary files: `<name>.<pid>.<8 hex>.tmp`. */
const TEMPORARY_NAME_RE = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;
/** Matches the names of publishing journals: `.publish.<pid>.<8 hex>.journal` (hidden: no listing shows them). */
const JOURNAL_NAME_RE = /^\.publish\.(\d+)\.[0-9a-f]{8}\.journal$/;
/**
 * Temporary files of a live process older than this are left over all the same (the process id
 * was reused): no writer takes that long over one file.
 */
const STALE_TEMPORARY_MS = 10 * 60_000;

/** A name unique to this process and call: `<pid>.<8 hex>`. */
function uniqueSuffix(): string {
  return `${process.pid}.${randomBytes(4).toString('hex')}`;
}

/**
 * Writes `content` to a temporary file next to `target` and flushes it: every write's byte count
 * is checked (a short write is continued, a write of nothing is an error), and so is the size
 * of the file once flushed. On any failure the temporary file is removed and the error thrown.
 *
 * Text or bytes in one piece (an article's file, a manifest) are opened, written, measured and
 * closed in place, and only the flush waits on the disk: one turn of the event loop in all, so
 * that a write is not held up behind searches between its steps (SPEC §13). Content coming in
 * pieces (a snapshot) is written a piece at a time, each step waiting its turn.
 *
 * @example
 * const staged = await stageFile('corpus/a1.json', '{"id":"a1",…}\n');
 * await publishFiles('corpus', [staged]);
 */
export async function stageFile(target: string, content: FileContent): Promise<StagedFile> {
  const temporary = `${target}.${uniqueSuffix()}.tmp`; // see TEMPORARY_NAME_RE
  if (typeof content === 'string' || Buffer.isBuffer(content)) return stageWhole(temporary, target, typeof content === 'string' ? Buffer.from(content) : content);
  const handle = await open(temporary, 'w');
  try {
    let expected = 0;
    for await (const piece of content) expected += await writeAll(handle, Buffer.isBuffer(piece) ? piece : Buffer.from(piece));
    await handle.sync();
    const info = await handle.stat();
    if (info.size !== expected) throw shortWrite(temporary, info.size, expected);
    await handle.close();
    return { temporary, target, size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** {@link stageFile} of content in one piece. */
async function stageWhole(temporary: string, target: string, data: Buffer): Promise<StagedFile> {
  const fd = fs.openSync(temporary, 'w');
  try {
    for (let offset = 0; offset < data.length; ) {
      const written = fs.writeSync(fd, data, offset, data.length - offset);
      if (written <= 0) throw shortWrite('a file', offset, data.length);
      offset += written;
    }
    await flush(fd);
    const info = fs.fstatSync(fd);
    if (info.size !== data.length) throw shortWrite(temporary, info.size, data.length);
    fs.closeSync(fd);
    return { temporary, target, size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    try {
      fs.closeSync(fd);
    } catch {
      // closed already, or the error above says what went wrong
    }
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** `fsync` of an open file descriptor, off the event loop. */
function flush(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (error) => (error === null ? resolve() : reject(error))));
}

/** Writes all of `data`, continuing after short writes; returns its length. */
async function writeAll(handle: Awaited<ReturnType<typeof open>>, data: Buffer): Promise<number> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) throw shortWrite('a file', offset, data.length);
    offset += bytesWritten;
  }
  return data.length;
}

function shortWrite(path: string, written: number, expected: number): Error {
  return Object.assign(new Error(`short write to ${path}: ${written} of ${expected} bytes`), { code: 'EIO' });
}

/** Removes staged files that will not be published; never throws (start-up cleans what is left). */
export async function discardStaged(staged: readonly StagedFile[]): Promise<void> {
  await Promise.all(staged.map((file) => rm(file.temporary, { force: true }).catch(() => undefined)));
}

/** The journal of one publication: renames (temporary → target) then deletions, relative to its folder. */
type Journal = { renames: Array<[string, string]>; deletes: string[] };

/**
 * Publishes `staged` files (renamed over their targets) and deletes `deletes` (paths), all
 * under `folder`, then flushes the folders touched. More than one change goes through a
 * journal in `folder`, written and flushed first: a crash after it is finished on the next
 * start ({@link recoverInterruptedWrites}), a failure before it publishes nothing and removes
 * the staged files. Either way the batch is all or nothing.
 */
export async function publishFiles(folder: string, staged: readonly StagedFile[], deletes: readonly string[] = []): Promise<void> {
  const journal: Journal = {
    renames: staged.map((file) => [relativeTo(folder, file.temporary), relativeTo(folder, file.target)]),
    deletes: deletes.map((path) => relativeTo(folder, path)),
  };
  if (journal.renames.length + journal.deletes.length === 0) return;
  if (journal.renames.length + journal.deletes.length === 1) {
    // One rename or one deletion is atomic by itself.
    try {
      await applyJournal(folder, journal);
    } catch (error) {
      await discardStaged(staged);
      throw error;
    }
    return;
  }
  const journalPath = join(folder, `.publish.${uniqueSuffix()}.journal`); // see JOURNAL_NAME_RE
  try {
    await writeFileDurably(journalPath, JSON.stringify(journal));
  } catch (error) {
    await discardStaged(staged);
    throw error;
  }
  // From here on the batch is committed: should a step fail, the journal stays for the next start.
  await applyJournal(folder, journal);
  await rm(journalPath, { force: true });
  // The journal's removal must be durable before any later write: replayed after a later write,
  // its deletions could remove a file written since.
  await syncFolder(folder);
}

function relativeTo(folder: string, path: string): string {
  const relativePath = relative(folder, path);
  if (relativePath.startsWith('..') || relativePath === '') throw new Error(`${path} is not inside ${folder}`);
  return relativePath.split(sep).join('/');
}

/** Applies a journal: the renames whose temporary file is still there, then the deletions; flushes every folder touched. */
async function applyJournal(folder: string, journal: Journal): Promise<void> {
  const folders = new Set<string>();
  // Renames and deletions are metadata changes, done in place; only the folders' flushes wait on the disk.
  for (const [temporary, target] of journal.renames) {
    folders.add(dirname(join(folder, target)));
    try {
      fs.renameSync(join(folder, temporary), join(folder, target));
    } catch (error) {
      if (systemCodeOf(error) !== 'ENOENT') throw error; // already renamed before a crash
    }
  }
  for (const path of journal.deletes) {
    folders.add(dirname(join(folder, path)));
    fs.rmSync(join(folder, path), { force: true });
  }
  await Promise.all([...folders].map(syncFolder));
}

/**
 * Writes `content` to `target` atomically and durably: staged (see {@link stageFile}), renamed
 * into place, folder flushed. Returns the file's size and modification time.
 */
export async function writeFileDurably(target: string, content: FileContent): Promise<StagedFile> {
  const staged = await stageFile(target, content);
  try {
    fs.renameSync(staged.temporary, target);
  } catch (error) {
    await discardStaged([staged]);
    throw error;
  }
  await syncFolder(dirname(target));
  return staged;
}

/** What {@link recoverInterruptedWrites} did. */
export type Recovery = { journalsFinished: number; temporaryFilesRemoved: number };

/**
 * Deals with what writers that died left in `dir` (recursively): finishes their journals
 * (their staged files are complete and flushed), then removes their temporary files: ours only,
 * by name, never a user's own `.tmp` file. What belongs to a process still running (another
 * `npm run ingest`, or this one) is left alone, unless it is older than any write takes.
 */
export async function recoverInterruptedWrites(dir: string, now: number = Date.now()): Promise<Recovery> {
  const recovery: Recovery = { journalsFinished: 0, temporaryFilesRemoved: 0 };
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (systemCodeOf(error) === 'ENOENT') return recovery;
    throw error;
  }
  for (const entry of entries) {
    const pid = JOURNAL_NAME_RE.exec(entry.name)?.[1];
    if (!entry.isFile() || pid === undefined || isProcessAlive(Number(pid))) continue;
    const path = join(entry.parentPath, entry.name);
    const journal = parseJournal(await readFile(path, 'utf8').catch(() => ''));
    if (journal !== undefined) await applyJournal(entry.parentPath, journal);
    await rm(path, { force: true });
    await syncFolder(entry.parentPath);
    recovery.journalsFinished += journal === undefined ? 0 : 1;
  }
  for (const entry of entries) {
    const pid = TEMPORARY_NAME_RE.exec(entry.name)?.[1];
    if (!entry.isFile() || pid === undefined) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) continue; // renamed by a journal above, or by its live writer
    if (isProcessAlive(Number(pid)) && now - info.mtimeMs <= STALE_TEMPORARY_MS) continue;
    await rm(path, { force: true });
    recovery.temporaryFilesRemoved += 1;
  }
  return recovery;
}

/** A journal read back, or `undefined` when it is not one (it is written atomically, so this means foreign). */
function parseJournal(text: string): Journal | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { renames, deletes } = value as Record<string, unknown>;
    const isPath = (path: unknown): path is string => typeof path === 'string' && path !== '' && !path.split('/').includes('..') && !path.startsWith('/');
    if (!Array.isArray(renames) || !Array.isArray(deletes) || !deletes.every(isPath)) return undefined;
    if (!renames.every((pair) => Array.isArray(pair) && pair.length === 2 && isPath(pair[0]) && isPath(pair[1]))) return undefined;
    // Only our own temporary files are ever renamed: a journal naming others is not ours.
    if (!renames.every(([temporary]: string[]) => TEMPORARY_NAME_RE.test(basename(temporary as string)))) return undefined;
    return { renames: renames as Array<[string, string]>, deletes: deletes as string[] };
  } catch {
    return undefined;
  }
}

/** True when a process with this id runs (on this machine, as far as this process can see). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return systemCodeOf(error) === 'EPERM'; // it exists, but belongs to someone else
  }
}

/** Flushes a folder, so that the renames and deletions in it are durable (opened and closed in place; the flush waits on the disk). */
export async function syncFolder(folder: string): Promise<void> {
  const fd = fs.openSync(folder, 'r');
  try {
    await flush(fd);
  } finally {
    fs.closeSync(fd);
  }
}
