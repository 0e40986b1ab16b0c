import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchCorpus, type CorpusChange, type CorpusWatcher } from '../../../src/backends/embedded/corpus-watcher.ts';
import { tempDir } from '../../helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
let watcher: CorpusWatcher | undefined;

beforeEach(async () => {
  const made = await tempDir();
  dir = made.path;
  cleanup = made.cleanup;
});

afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await cleanup();
});

/** Starts a watcher whose changes are collected; `next(test)` resolves at the first change that passes `test`. */
function collect(options: { watch?: boolean; scanIntervalMs: number }) {
  const changes: CorpusChange[] = [];
  const waiting: Array<{ test: (change: CorpusChange) => boolean; resolve: (change: CorpusChange) => void }> = [];
  let running = 0;
  let overlapped = false;
  watcher = watchCorpus({
    dir,
    ...options,
    onChange: async (change) => {
      running += 1;
      overlapped ||= running > 1;
      changes.push(change);
      for (const wait of [...waiting]) {
        if (!wait.test(change)) continue;
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve(change);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
    },
  });
  const next = (test: (change: CorpusChange) => boolean) => new Promise<CorpusChange>((resolve) => waiting.push({ test, resolve }));
  return { changes, next, overlapped: () => overlapped };
}

const holds = (path: string) => (change: CorpusChange) => change !== 'all' && change.has(path);

describe('watchCorpus', () => {
  it('looks at everything once when it starts, then reports the paths written, with fs.watch and no scan at all', async () => {
    const { next } = collect({ scanIntervalMs: 0 });
    expect(watcher?.watching).toBe(true);
    await next((change) => change === 'all');
    const seen = next(holds('hand.json'));
    await writeFile(join(dir, 'hand.json'), '{}');
    expect(await seen).not.toBe('all');
  });

  it('reports files in folders that were there, and in a folder made after it started, which it first lists whole', async () => {
    await mkdir(join(dir, 'old', 'deeper'), { recursive: true });
    const { next } = collect({ scanIntervalMs: 0 });
    await next((change) => change === 'all');
    const deep = next(holds('old/deeper/b1.json'));
    await writeFile(join(dir, 'old', 'deeper', 'b1.json'), '{}');
    await deep;
    // A new folder is listed whole once watched: files may have come before its watch.
    const listed = next((change) => change === 'all');
    await mkdir(join(dir, '2024'));
    await listed;
    const file = next(holds('2024/a1.json'));
    await writeFile(join(dir, '2024', 'a1.json'), '{}');
    await file;
  });

  it('reports a rename by both names', async () => {
    await writeFile(join(dir, 'a.json.1.0badc0de.tmp'), '{}');
    const { next } = collect({ scanIntervalMs: 0 });
    await next((change) => change === 'all');
    const seen = next(holds('a.json'));
    await rename(join(dir, 'a.json.1.0badc0de.tmp'), join(dir, 'a.json'));
    await seen;
  });

  it('scans the whole folder at the interval without fs.watch, one change at a time', async () => {
    const { next, overlapped } = collect({ watch: false, scanIntervalMs: 1 });
    expect(watcher?.watching).toBe(false);
    for (let round = 0; round < 3; round += 1) expect(await next((change) => change === 'all')).toBe('all');
    expect(overlapped()).toBe(false);
  });

  it('scans anyway when fs.watch cannot start (the folder is missing), and watches once it can', async () => {
    dir = join(dir, 'later');
    const { next } = collect({ scanIntervalMs: 5 });
    expect(watcher?.watching).toBe(false);
    await next((change) => change === 'all');
    await mkdir(dir);
    // The next scan starts the watcher.
    while (watcher?.watching !== true) await next((change) => change === 'all');
    expect(watcher.watching).toBe(true);
  });
});
