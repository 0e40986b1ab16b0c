import { readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../../../src/ingest/article.ts';
import { addArticles, createCorpusState, removeArticle, type CorpusState } from '../../../src/backends/embedded/corpus-writer.ts';
import { syncCorpus } from '../../../src/backends/embedded/corpus-sync.ts';
import { openLibrary } from '../../../src/backends/embedded/open-library.ts';
import { searchLibrary as search } from '../../../src/service/library-search.ts';
import { injectFaults } from '../../fault-fs.ts';
import { makeArticle, tempDir } from '../../helpers.ts';

let root: string;
let corpusDir: string;
let cleanup: () => Promise<void>;
let restore: (() => void) | undefined;

beforeEach(async () => {
  const dir = await tempDir();
  root = dir.path;
  cleanup = dir.cleanup;
  corpusDir = join(root, 'corpus');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(corpusDir);
});

afterEach(async () => {
  restore?.();
  restore = undefined;
  await cleanup();
});

/** The corpus opened as `npm start` opens it, with a fresh index folder (as after `rm -rf index`). */
async function open(indexName = 'index'): Promise<CorpusState> {
  const opened = await openLibrary({ corpusDir, indexDir: join(root, indexName) });
  return createCorpusState(opened.library, corpusDir, opened.files);
}

const story = (id: string, word = id) => makeArticle({ id, title: `Story ${id}`, paragraphs: [`The ${word}word paragraph.`] });
const files = async () => (await readdir(corpusDir)).sort();
const total = (state: CorpusState, q: string) => search(state.library, q).total;

describe('addArticles', () => {
  it('writes one file per article and indexes it', async () => {
    const state = await open();
    const results = await addArticles(state, [story('a1'), story('a2')]);
    expect(results.map((result) => result.status)).toEqual(['created', 'created']);
    expect(await files()).toEqual(['a1.json', 'a2.json']);
    expect(total(state, 'a2word')).toBe(1);
  });

  it('writes nothing and changes nothing when the disk fills up in the middle of a batch', async () => {
    const state = await open();
    await addArticles(state, [story('before')]);
    const size = (await readFile(join(corpusDir, 'before.json'))).length;
    restore = injectFaults({ dir: corpusDir, mode: 'full', freeBytes: 2 * size + 10 });
    const error = await addArticles(state, [story('b1'), story('b2'), story('b3')]).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'insufficient_storage', status: 507 });
    expect(String((error as Error).message)).toContain('nothing of the request was written');
    expect(await files()).toEqual(['before.json']);
    expect([...state.library.articles.keys()]).toEqual(['before']);
    expect(total(state, 'b1word')).toBe(0);
    restore();
    restore = undefined;
    // With room again the same batch goes through whole.
    expect((await addArticles(state, [story('b1'), story('b2'), story('b3')])).map((result) => result.status)).toEqual(['created', 'created', 'created']);
  });

  it('never overwrites a hand-placed file that holds other articles under its own name', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => story(`wn${i}`));
    await writeFile(join(corpusDir, 'wikinews.json'), JSON.stringify(fifty));
    const state = await open();
    expect(state.library.articles.size).toBe(50);
    expect((await addArticles(state, [story('wikinews', 'posted')]))[0]?.status).toBe('created');
    expect(await files()).toEqual(['wikinews.json', 'wikinews~2.json']);
    expect(JSON.parse(await readFile(join(corpusDir, 'wikinews.json'), 'utf8'))).toHaveLength(50);
    // After a restart with the index gone, all 51 are there.
    const reopened = await open('index-after-rm');
    expect(reopened.library.articles.size).toBe(51);
    expect(total(reopened, 'postedword')).toBe(1);
    expect(total(reopened, 'wn49word')).toBe(1);
  });

  it('does not overwrite a file placed by hand that the library has not read yet', async () => {
    const state = await open();
    await writeFile(join(corpusDir, 'fresh.json'), JSON.stringify([story('other1'), story('other2')]));
    await addArticles(state, [story('fresh')]);
    expect(await files()).toEqual(['fresh.json', 'fresh~2.json']);
    await syncCorpus(state);
    expect([...state.library.articles.keys()].sort()).toEqual(['fresh', 'other1', 'other2']);
  });

  it('rewrites its own file in place on an update', async () => {
    const state = await open();
    await addArticles(state, [story('u1', 'first')]);
    expect((await addArticles(state, [story('u1', 'second')]))[0]?.status).toBe('updated');
    expect(await files()).toEqual(['u1.json']);
    expect(total(state, 'firstword')).toBe(0);
    expect(total(state, 'secondword')).toBe(1);
  });

  it('keeps an own file edited by hand since it was read, and writes the update beside it; the update wins', async () => {
    const state = await open();
    await addArticles(state, [story('e1', 'written')]);
    const path = join(corpusDir, 'e1.json');
    await writeFile(path, JSON.stringify([story('e1', 'handedited'), story('e2', 'handadded')]));
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    await addArticles(state, [story('e1', 'posted')]);
    expect(await files()).toEqual(['e1.json', 'e1~2.json']);
    await syncCorpus(state);
    expect(total(state, 'postedword')).toBe(1);
    expect(total(state, 'handeditedword')).toBe(0);
    expect(total(state, 'handaddedword')).toBe(1);
    const reopened = await open('index-after-rm');
    expect(total(reopened, 'postedword')).toBe(1);
    expect(total(reopened, 'handaddedword')).toBe(1);
  });

  it('moves the other articles of a shared file to their own files when one of them is updated', async () => {
    await writeFile(join(corpusDir, 'batch.jsonl'), [story('s1'), story('s2'), story('s3')].map((a) => JSON.stringify(a)).join('\n'));
    const state = await open();
    await addArticles(state, [story('s2', 'changed')]);
    expect(await files()).toEqual(['s1.json', 's2.json', 's3.json']);
    expect(total(state, 'changedword')).toBe(1);
    expect(total(state, 's1word')).toBe(1);
  });

  it('leaves a shared file whole when the disk is too full to split it', async () => {
    await writeFile(join(corpusDir, 'batch.jsonl'), [story('s1'), story('s2'), story('s3')].map((a) => JSON.stringify(a)).join('\n'));
    const state = await open();
    restore = injectFaults({ dir: corpusDir, mode: 'full', freeBytes: 300 });
    await expect(addArticles(state, [story('s2', 'changed')])).rejects.toMatchObject({ code: 'insufficient_storage' });
    await expect(removeArticle(state, 's1')).rejects.toMatchObject({ code: 'insufficient_storage' });
    expect(await files()).toEqual(['batch.jsonl']);
    expect(total(state, 's2word')).toBe(1);
    expect(total(state, 's1word')).toBe(1);
  });

  it('writes the last of several articles with one id, once', async () => {
    const state = await open();
    const results = await addArticles(state, [story('d1', 'older'), story('d1', 'newer')]);
    expect(results.map((result) => result.status)).toEqual(['created', 'updated']);
    expect(await files()).toEqual(['d1.json']);
    expect(total(state, 'newerword')).toBe(1);
    expect(total(state, 'olderword')).toBe(0);
  });
});

describe('removeArticle', () => {
  it('deletes the article file, and splits a shared one so the others stay', async () => {
    await writeFile(join(corpusDir, 'pair.jsonl'), [story('p1'), story('p2')].map((a) => JSON.stringify(a)).join('\n'));
    const state = await open();
    await addArticles(state, [story('solo')]);
    expect(await removeArticle(state, 'solo')).toBe(true);
    expect(await removeArticle(state, 'p1')).toBe(true);
    expect(await removeArticle(state, 'nope')).toBe(false);
    expect(await files()).toEqual(['p2.json']);
    const reopened = await open('index-after-rm');
    expect([...reopened.library.articles.keys()]).toEqual(['p2']);
  });
});

describe('ids and files after a restart without the index', () => {
  it('serves every accepted id, dots and all, from the files it wrote', async () => {
    const ids = ['a.b', 'x.', 'a..b', '-lead', '_under', 'ends.json'];
    const state = await open();
    await addArticles(state, ids.map((id) => story(id, id.replace(/[^a-z]/g, ''))) as Article[]);
    await rm(join(root, 'index'), { recursive: true, force: true });
    const reopened = await open();
    expect([...reopened.library.articles.keys()].sort()).toEqual([...ids].sort());
  });
});
