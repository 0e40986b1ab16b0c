import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncCorpus } from '../../../src/backends/embedded/corpus-sync.ts';
import { createCorpusState, type CorpusState } from '../../../src/backends/embedded/corpus-writer.ts';
import { openLibrary } from '../../../src/backends/embedded/open-library.ts';
import { makeArticle, tempDir } from '../../helpers.ts';

let root: string;
let corpusDir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const dir = await tempDir();
  root = dir.path;
  cleanup = dir.cleanup;
  corpusDir = join(root, 'corpus');
  await mkdir(corpusDir);
});

afterEach(() => cleanup());

async function open(): Promise<CorpusState> {
  const opened = await openLibrary({ corpusDir, indexDir: join(root, 'index') });
  return createCorpusState(opened.library, corpusDir, opened.files);
}

const story = (id: string) => makeArticle({ id, title: `Story ${id}`, paragraphs: [`The ${id}word paragraph.`] });

describe('syncCorpus at given paths', () => {
  it('reads the files named, drops those gone, and leaves the rest unread', async () => {
    const state = await open();
    await writeFile(join(corpusDir, 'one.json'), JSON.stringify(story('one')));
    await writeFile(join(corpusDir, 'two.json'), JSON.stringify(story('two')));
    const first = await syncCorpus(state, { paths: ['one.json', 'one.json.1.0badc0de.tmp', '.hidden.json', 'notes.md'] });
    expect(first).toMatchObject({ filesRead: 1, filesRemoved: 0 });
    expect([...state.library.articles.keys()]).toEqual(['one']);
    await rm(join(corpusDir, 'one.json'));
    expect(await syncCorpus(state, { paths: ['one.json'] })).toMatchObject({ filesRead: 0, filesRemoved: 1, articlesChanged: 1 });
    expect([...state.library.articles.keys()]).toEqual([]);
  });

  it('lists the whole corpus when a path is a folder, or was one', async () => {
    const state = await open();
    await mkdir(join(corpusDir, 'sub'));
    await writeFile(join(corpusDir, 'sub', 'deep.json'), JSON.stringify(story('deep')));
    await writeFile(join(corpusDir, 'top.json'), JSON.stringify(story('top')));
    expect(await syncCorpus(state, { paths: ['sub'] })).toMatchObject({ filesRead: 2 });
    await rm(join(corpusDir, 'sub'), { recursive: true });
    expect(await syncCorpus(state, { paths: ['sub'] })).toMatchObject({ filesRemoved: 1 });
    expect([...state.library.articles.keys()]).toEqual(['top']);
  });
});

describe('syncCorpus given many paths', () => {
  it('lists the corpus instead of looking at thousands of paths one by one', async () => {
    const state = await open();
    await writeFile(join(corpusDir, 'real.json'), JSON.stringify(story('real')));
    const paths = Array.from({ length: 1000 }, (_, i) => `missing${i}.json`);
    // The file is not among the paths, yet it is read: the corpus was listed.
    expect(await syncCorpus(state, { paths })).toMatchObject({ filesRead: 1 });
  });
});
