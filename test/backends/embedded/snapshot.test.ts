import { readdir, readFile, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintCorpus, listCorpusFiles } from '../../../src/ingest/corpus.ts';
import { MANIFEST_FILE, SNAPSHOT_FORMAT_VERSION, SnapshotOutdated, loadSnapshot, readManifest, saveSnapshot, type Manifest } from '../../../src/backends/embedded/snapshot.ts';
import { openLibrary } from '../../../src/backends/embedded/open-library.ts';
import { searchLibrary as search } from '../../../src/service/library-search.ts';
import { createLibrary, putArticles } from '../../../src/backends/embedded/library.ts';
import { ANALYZER_VERSION } from '../../../src/text/analyzer.ts';
import { injectFaults } from '../../fault-fs.ts';
import { makeArticle, tempDir, writeArticleFile } from '../../helpers.ts';

let corpusDir: string;
let indexDir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const dir = await tempDir();
  cleanup = dir.cleanup;
  corpusDir = join(dir.path, 'corpus');
  indexDir = join(dir.path, 'index');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(corpusDir);
  await writeArticleFile(corpusDir, makeArticle({ id: 'alpha', title: 'Truce talks', byline: 'Anna de Vries', paragraphs: ['The truce holds.', 'Talks resume on Monday.'] }));
  await writeArticleFile(corpusDir, makeArticle({ id: 'beta', title: 'Harvest', paragraphs: ['Wheat prices fell.'] }));
});

afterEach(() => cleanup());

/** The manifest an opening saved or loaded (fails the test when there is none). */
function savedManifest(opened: { manifest: Manifest | undefined }): Manifest {
  if (opened.manifest === undefined) throw new Error('no snapshot was saved');
  return opened.manifest;
}

describe('openLibrary', () => {
  it('builds the index on first start and loads the snapshot on the next', async () => {
    const first = await openLibrary({ corpusDir, indexDir });
    expect(first.origin).toBe('rebuilt');
    const second = await openLibrary({ corpusDir, indexDir });
    expect(second.origin).toBe('snapshot');
    expect(search(second.library, 'resume').hits.map((hit) => hit.id)).toEqual(['alpha:2']);
    expect(second.library.engine.stats()).toEqual(first.library.engine.stats());
  });

  it('rebuilds a stale snapshot when a corpus file is added', async () => {
    await openLibrary({ corpusDir, indexDir });
    await writeArticleFile(corpusDir, makeArticle({ id: 'gamma', paragraphs: ['A new truce.'] }));
    const reopened = await openLibrary({ corpusDir, indexDir });
    expect(reopened.origin).toBe('rebuilt');
    expect(search(reopened.library, 'truce').total).toBe(2); // alpha's first paragraph (its second matches only by title) and gamma's
  });

  it('rebuilds a stale snapshot when a corpus file changes in place', async () => {
    await openLibrary({ corpusDir, indexDir });
    const path = join(corpusDir, 'beta.json');
    const article = JSON.parse(await readFile(path, 'utf8')) as { paragraphs: string[] };
    article.paragraphs = ['Barley prices rose.'];
    await writeFile(path, JSON.stringify(article));
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const reopened = await openLibrary({ corpusDir, indexDir });
    expect(reopened.origin).toBe('rebuilt');
    expect(search(reopened.library, 'barley').total).toBe(1);
  });

  it('rebuilds a corrupt snapshot instead of trusting it', async () => {
    const manifest = savedManifest(await openLibrary({ corpusDir, indexDir }));
    const snapshotPath = join(indexDir, manifest.snapshotFile);
    const content = await readFile(snapshotPath);
    await writeFile(snapshotPath, content.subarray(0, content.length / 2));
    const reopened = await openLibrary({ corpusDir, indexDir, log: () => {} });
    expect(reopened.origin).toBe('rebuilt');
    expect(search(reopened.library, 'wheat').total).toBe(1);
  });

  it('rebuilds a snapshot whose size matches but whose lines are damaged', async () => {
    const manifest = savedManifest(await openLibrary({ corpusDir, indexDir }));
    const snapshotPath = join(indexDir, manifest.snapshotFile);
    const content = await readFile(snapshotPath);
    content.fill('x'.charCodeAt(0), 0, 20);
    await writeFile(snapshotPath, content);
    const lines: string[] = [];
    const reopened = await openLibrary({ corpusDir, indexDir, log: (line) => lines.push(line) });
    expect(reopened.origin).toBe('rebuilt');
    expect(search(reopened.library, 'wheat').total).toBe(1);
  });

  it('rebuilds a snapshot edited in place without a change of length, saying why', async () => {
    // One word of an article swapped for another of the same length; a character of the postings.
    const edits = [
      (text: string) => text.replace('Wheat prices fell.', 'Wheat prices rose.'),
      (text: string) => text.replace(/("data":")(.)/, (_, head: string, first: string) => `${head}${first === 'A' ? 'B' : 'A'}`),
    ];
    for (const edit of edits) {
      const manifest = savedManifest(await openLibrary({ corpusDir, indexDir }));
      const snapshotPath = join(indexDir, manifest.snapshotFile);
      const original = await readFile(snapshotPath, 'utf8');
      const edited = edit(original);
      expect(edited.length).toBe(original.length);
      expect(edited).not.toBe(original);
      await writeFile(snapshotPath, edited);
      const lines: string[] = [];
      const reopened = await openLibrary({ corpusDir, indexDir, log: (line) => lines.push(line) });
      expect(reopened.origin).toBe('rebuilt');
      expect(lines).toContainEqual(expect.stringMatching(/^building the index from .* \(snapshot checksum mismatch .*\)$/));
      expect(search(reopened.library, 'rose').total).toBe(0);
      expect(search(reopened.library, 'wheat').hits.map((hit) => hit.id)).toEqual(['beta:1']);
      // The rebuild saved a sound snapshot, not the damaged one: the next start loads it.
      expect((await openLibrary({ corpusDir, indexDir })).origin).toBe('snapshot');
    }
  });

  it('rebuilds, saying why, when the manifest cannot be read (a folder where it should be)', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(indexDir, MANIFEST_FILE), { recursive: true });
    const lines: string[] = [];
    const opened = await openLibrary({ corpusDir, indexDir, log: (line) => lines.push(line) });
    expect(opened.origin).toBe('rebuilt');
    expect(lines[0]).toMatch(/\(manifest unreadable: EISDIR/);
  });

  it('rebuilds a snapshot of an older format, naming the versions', async () => {
    await openLibrary({ corpusDir, indexDir });
    const manifest = JSON.parse(await readFile(join(indexDir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    delete manifest.sha256;
    await writeFile(join(indexDir, MANIFEST_FILE), JSON.stringify({ ...manifest, formatVersion: 2 }));
    const lines: string[] = [];
    await openLibrary({ corpusDir, indexDir, log: (line) => lines.push(line) });
    expect(lines[0]).toMatch(new RegExp(`\\(snapshot format 2, expected ${SNAPSHOT_FORMAT_VERSION}\\)$`));
  });

  it('rebuilds when the manifest is garbage', async () => {
    await openLibrary({ corpusDir, indexDir });
    await writeFile(join(indexDir, MANIFEST_FILE), '{not json');
    expect((await openLibrary({ corpusDir, indexDir })).origin).toBe('rebuilt');
  });

  it('rebuilds a snapshot made by another analyzer version', async () => {
    await openLibrary({ corpusDir, indexDir });
    const manifestPath = join(indexDir, MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { analyzerVersion: number };
    await writeFile(manifestPath, JSON.stringify({ ...manifest, analyzerVersion: ANALYZER_VERSION - 1 }));
    const lines: string[] = [];
    expect((await openLibrary({ corpusDir, indexDir, log: (line) => lines.push(line) })).origin).toBe('rebuilt');
    expect(lines.join('\n')).toContain(`analyzer version ${ANALYZER_VERSION - 1}, expected ${ANALYZER_VERSION}`);
  });

  it('skips an unreadable corpus file and reports it', async () => {
    await writeFile(join(corpusDir, 'broken.json'), '{"title": ');
    const lines: string[] = [];
    const opened = await openLibrary({ corpusDir, indexDir, log: (line) => lines.push(line) });
    expect(opened.problems).toHaveLength(1);
    expect(lines.some((line) => line.includes('broken.json'))).toBe(true);
    expect(opened.library.articles.size).toBe(2);
  });
});

describe('saveSnapshot', () => {
  it('writes a manifest with versions, counts and the corpus fingerprint', async () => {
    const { library, fingerprint } = await openLibrary({ corpusDir, indexDir });
    await saveSnapshot(indexDir, library, fingerprint);
    const manifest = await readManifest(indexDir);
    expect(manifest).toMatchObject({ formatVersion: SNAPSHOT_FORMAT_VERSION, analyzerVersion: ANALYZER_VERSION, articles: 2, paragraphs: 3, fingerprint });
    expect(fingerprint).toBe(fingerprintCorpus(await listCorpusFiles(corpusDir)));
  });

  it('round-trips articles and search results', async () => {
    const { library, fingerprint } = await openLibrary({ corpusDir, indexDir });
    await saveSnapshot(indexDir, library, fingerprint);
    const loaded = await loadSnapshot(indexDir, fingerprint);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect([...loaded.library.articles.keys()].sort()).toEqual(['alpha', 'beta']);
    expect(loaded.library.articles.get('alpha')?.article).toEqual(library.articles.get('alpha')?.article);
    expect(loaded.library.articles.get('alpha')?.article.byline).toBe('Anna de Vries');
    expect(loaded.library.articles.get('beta')?.article.byline).toBeNull();
    expect(search(loaded.library, 'truce')).toMatchObject({ total: search(library, 'truce').total });
    expect(search(loaded.library, 'truce').hits[0]?.snippet).toBe(search(library, 'truce').hits[0]?.snippet);
    // The vocabulary of words as written comes back too: prefixes, fuzzy terms and suggestions.
    for (const q of ['tru*', 'talk*', 'wheet~', '"truce holds"']) {
      expect(search(loaded.library, q).hits.map((hit) => hit.id)).toEqual(search(library, q).hits.map((hit) => hit.id));
    }
    expect(search(loaded.library, 'talk*').total).toBe(1); // alpha's second paragraph; the first matches only by title
  });

  it('stops when the library changes while it saves, leaving the previous snapshot and no file of its own', async () => {
    const library = createLibrary();
    const many = Array.from({ length: 1200 }, (_, i) => makeArticle({ id: `n${i}`, title: `Report ${i}`, paragraphs: [`Wheat harvest number ${i}.`] }));
    putArticles(library, many.map((article) => ({ article, file: `${article.id}.json` })));
    const before = await saveSnapshot(indexDir, library, 'fp');
    const version = library.engine.version;
    const saving = saveSnapshot(indexDir, library, 'fp2', () => library.engine.version === version).catch((error: unknown) => error);
    // A write lands while the lines are being written.
    await new Promise((resolve) => setImmediate(resolve));
    putArticles(library, [{ article: makeArticle({ id: 'late', paragraphs: ['Late news.'] }), file: 'late.json' }]);
    expect(await saving).toBeInstanceOf(SnapshotOutdated);
    expect(await readManifest(indexDir)).toEqual(before);
    expect((await readdir(indexDir)).sort()).toEqual([MANIFEST_FILE, before.snapshotFile].sort());
    // Changed before it starts: nothing is written at all.
    await expect(saveSnapshot(indexDir, library, 'fp3', () => false)).rejects.toBeInstanceOf(SnapshotOutdated);
  });

  it('keeps the copy clusters, which go on finding copies after a load', async () => {
    const wire = ['Negotiators agreed on Tuesday to extend the truce by four days, officials said.', 'Mediators from Qatar and Egypt brokered the extension, which allows more aid into the south.', 'Talks resume on Friday.'];
    const library = createLibrary();
    putArticles(library, [
      { article: makeArticle({ id: 'wire', title: 'Truce extended', paragraphs: wire }), file: 'wire.json' },
      { article: makeArticle({ id: 'local', title: 'Local: truce holds', paragraphs: ['(Local Herald) —', ...wire] }), file: 'local.json' },
      { article: makeArticle({ id: 'other', title: 'Harvest', paragraphs: ['Wheat prices fell.', 'Barley held steady.'] }), file: 'other.json' },
    ]);
    expect(library.copies.cluster('wire').sort()).toEqual(['local', 'wire']);
    await saveSnapshot(indexDir, library, 'fp');
    const loaded = await loadSnapshot(indexDir, 'fp');
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.library.copies.cluster('local').sort()).toEqual(['local', 'wire']);
    expect(loaded.library.copies.cluster('other')).toEqual(['other']);
    putArticles(loaded.library, [{ article: makeArticle({ id: 'third', title: 'Truce', paragraphs: [...wire, 'Our correspondent will follow the talks.'] }), file: 'third.json' }]);
    expect(loaded.library.copies.cluster('wire').sort()).toEqual(['local', 'third', 'wire']);
  });

  it('writes the archive as many bounded lines, and reads them all back', async () => {
    const library = createLibrary();
    const many = Array.from({ length: 1200 }, (_, i) => makeArticle({ id: `n${i}`, title: `Report ${i}`, paragraphs: [`Wheat harvest number ${i}.`, 'Prices held.'] }));
    putArticles(library, many.map((article) => ({ article, file: `${article.id}.json` })));
    const manifest = await saveSnapshot(indexDir, library, 'fp');
    const lines = (await readFile(join(indexDir, manifest.snapshotFile), 'utf8')).trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('["articles"')).length).toBe(3);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(manifest.bytes / 2);
    const loaded = await loadSnapshot(indexDir, 'fp');
    expect(loaded.ok && loaded.library.articles.size).toBe(1200);
    expect(loaded.ok && search(loaded.library, 'harvest').total).toBe(1200);
    expect(loaded.ok && search(loaded.library, '"number 1199"').hits.map((hit) => hit.id)).toEqual(['n1199:1']);
  });

  it('fails, keeping the previous snapshot and no temporary file, when a write stores less than it says', async () => {
    const opened = await openLibrary({ corpusDir, indexDir });
    const { library, fingerprint } = opened;
    const before = savedManifest(opened);
    const restore = injectFaults({ dir: indexDir, mode: 'lie' });
    try {
      await expect(saveSnapshot(indexDir, library, fingerprint)).rejects.toThrow(/short write/);
    } finally {
      restore();
    }
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(indexDir)).sort()).toEqual([MANIFEST_FILE, before.snapshotFile].sort());
    expect((await loadSnapshot(indexDir, fingerprint)).ok).toBe(true);
  });

  it('fails on a full disk without leaving a snapshot no manifest names', async () => {
    const opened = await openLibrary({ corpusDir, indexDir });
    const { library, fingerprint } = opened;
    const before = savedManifest(opened);
    // Room for the snapshot, not for the manifest after it.
    const restore = injectFaults({ dir: indexDir, mode: 'full', freeBytes: before.bytes + 20 });
    try {
      await expect(saveSnapshot(indexDir, library, fingerprint)).rejects.toMatchObject({ code: 'ENOSPC' });
    } finally {
      restore();
    }
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(indexDir)).sort()).toEqual([MANIFEST_FILE, before.snapshotFile].sort());
  });

  it('refuses a snapshot made for another corpus state', async () => {
    const { library } = await openLibrary({ corpusDir, indexDir });
    await saveSnapshot(indexDir, library, 'another-fingerprint');
    const loaded = await loadSnapshot(indexDir, fingerprintCorpus(await listCorpusFiles(corpusDir)));
    expect(loaded).toEqual({ ok: false, reason: 'the corpus changed since the snapshot' });
  });
});
