import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/server/app.ts';
import { createCorpusState } from '../../../src/backends/embedded/corpus-writer.ts';
import { createEmbeddedBackend } from '../../../src/backends/embedded/embedded-backend.ts';
import { createNewsService } from '../../../src/service/news-service.ts';
import { openLibrary, SAVING_REBUILT } from '../../../src/backends/embedded/open-library.ts';
import { searchLibrary as search } from '../../../src/service/library-search.ts';
import { injectFaults } from '../../fault-fs.ts';
import { makeArticle, tempDir, writeArticleFile } from '../../helpers.ts';

let root: string;
let corpusDir: string;
let indexDir: string;
let cleanup: () => Promise<void>;
let restore: (() => void) | undefined;

beforeEach(async () => {
  const dir = await tempDir();
  root = dir.path;
  cleanup = dir.cleanup;
  corpusDir = join(root, 'corpus');
  indexDir = join(root, 'index');
  await mkdir(corpusDir);
  await writeArticleFile(corpusDir, makeArticle({ id: 'alpha', paragraphs: ['The truce holds.'] }));
});

afterEach(async () => {
  restore?.();
  restore = undefined;
  await cleanup();
});

async function openLogged() {
  const lines: string[] = [];
  const opened = await openLibrary({ corpusDir, indexDir, log: (line) => lines.push(line) });
  return { opened, lines };
}

describe('openLibrary with an index folder it cannot use', () => {
  it('serves from the corpus when a file stands where the index folder should be', async () => {
    await writeFile(indexDir, 'not a folder');
    const { opened, lines } = await openLogged();
    expect(search(opened.library, 'truce').total).toBe(1);
    expect(opened.index).toEqual({ persisted: false, reason: expect.stringMatching(/a file stands where the index folder should be \((EEXIST|ENOTDIR)\)/) });
    expect(opened.manifest).toBeUndefined();
    expect(lines).toContainEqual(expect.stringMatching(/^index not saved in .*: serving from .*; the next start rebuilds the index$/));
  });

  it('serves from the corpus when a folder stands where the manifest should be', async () => {
    await mkdir(join(indexDir, 'manifest.json'), { recursive: true });
    const { opened, lines } = await openLogged();
    expect(search(opened.library, 'truce').total).toBe(1);
    expect(opened.index).toEqual({ persisted: false, reason: 'a folder stands where an index file should be (EISDIR)' });
    expect(lines[0]).toMatch(/manifest unreadable: EISDIR/);
    // The snapshot it wrote before the manifest failed is not left behind.
    expect(await readdir(indexDir)).toEqual(['manifest.json']);
  });

  it('serves from the corpus when the index disk is full or read-only, leaving no temporary file', async () => {
    for (const mode of ['full', 'read-only'] as const) {
      await mkdir(indexDir, { recursive: true });
      restore = injectFaults({ dir: indexDir, mode });
      const { opened } = await openLogged();
      restore();
      restore = undefined;
      expect(search(opened.library, 'truce').total, mode).toBe(1);
      expect(opened.index, mode).toEqual({ persisted: false, reason: mode === 'full' ? 'no space left on the index disk (ENOSPC)' : 'the index folder is on a read-only file system (EROFS)' });
      expect(await readdir(indexDir), mode).toEqual([]);
    }
  });
});

describe('GET /stats and the index', () => {
  it('says the index is not persisted while saves fail, and persisted again once one succeeds', async () => {
    await mkdir(indexDir);
    restore = injectFaults({ dir: indexDir, mode: 'read-only' });
    const opened = await openLibrary({ corpusDir, indexDir });
    const logged: string[] = [];
    const state = createCorpusState(opened.library, corpusDir, opened.files);
    const service = createNewsService({ backend: createEmbeddedBackend({ state, indexDir, manifest: opened.manifest, index: opened.index, snapshotDelayMs: 1, log: (line) => logged.push(line) }) });
    const app = createApp({ service });
    const stats = async () => ((await (await app.request('/stats')).json()) as { index: unknown; snapshot: unknown });
    expect(await stats()).toMatchObject({ snapshot: null, index: { persisted: false, reason: 'the index folder is on a read-only file system (EROFS)' } });

    await service.ingest([makeArticle({ id: 'beta', paragraphs: ['Wheat.'] })]);
    await service.close(); // flushes the save, which fails
    expect(logged).toContainEqual(expect.stringMatching(/^snapshot save failed: EROFS/));
    expect((await stats()).index).toMatchObject({ persisted: false });

    restore();
    restore = undefined;
    const writable = createNewsService({ backend: createEmbeddedBackend({ state, indexDir, index: opened.index, snapshotDelayMs: 1 }) });
    await writable.ingest([makeArticle({ id: 'gamma', paragraphs: ['Barley.'] })]);
    await writable.close();
    expect(await writable.stats()).toMatchObject({ backend: 'embedded', index: { persisted: true }, snapshot: { bytes: expect.any(Number) } });
  });
});

describe('a rebuilt index saved in the background (a server)', () => {
  it('is searchable before its snapshot is saved, says so in /stats, and is then saved without any change', async () => {
    const opened = await openLibrary({ corpusDir, indexDir, deferSave: true });
    expect(opened).toMatchObject({ origin: 'rebuilt', unsaved: true, manifest: undefined, index: { persisted: false, reason: SAVING_REBUILT } });
    expect(await readdir(indexDir).catch(() => [])).toEqual([]);
    expect(search(opened.library, 'truce').total).toBe(1);

    const state = createCorpusState(opened.library, corpusDir, opened.files);
    const backend = createEmbeddedBackend({ state, indexDir, manifest: opened.manifest, index: opened.index, unsaved: opened.unsaved });
    const service = createNewsService({ backend });
    expect((await service.stats()).index).toEqual({ persisted: false, reason: SAVING_REBUILT });
    await service.close(); // waits for the save under way
    expect((await service.stats()).index).toEqual({ persisted: true });
    expect((await openLibrary({ corpusDir, indexDir })).origin).toBe('snapshot');
  });
});

describe('openLibrary with a read-only corpus', () => {
  it('starts and serves it, leftovers of a dead writer and all, saying it could not clean them up', async () => {
    await writeFile(join(corpusDir, 'left.json.999999999.0badc0de.tmp'), '{"half":');
    restore = injectFaults({ dir: corpusDir, mode: 'read-only' });
    const { opened, lines } = await openLogged();
    expect(search(opened.library, 'truce').total).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^could not finish or clean up interrupted writes in .*: EROFS/));
  });
});
