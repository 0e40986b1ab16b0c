import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createCorpusState } from '../../../src/backends/embedded/corpus-writer.ts';
import { createEmbeddedBackend } from '../../../src/backends/embedded/embedded-backend.ts';
import { libraryCounts, SLICE_CHARS, type Library } from '../../../src/backends/embedded/library.ts';
import { openLibrary } from '../../../src/backends/embedded/open-library.ts';
import { searchLibrary } from '../../../src/service/library-search.ts';
import { makeArticle, writableApp } from '../../helpers.ts';

/** `oldword total/newword total/paragraphs` of a library, read in one go (no turn of the event loop in between). */
const counts = (library: Library): string =>
  `${searchLibrary(library, 'oldword').total}/${searchLibrary(library, 'newword').total}/${libraryCounts(library).paragraphs}`;

type Fixture = Awaited<ReturnType<typeof writableApp>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('ingest of a huge article', () => {
  it('lets searches be answered while it is indexed, each seeing the article whole or not at all', async () => {
    fixture = await writableApp({ articles: [makeArticle({ id: 'huge', paragraphs: ['The oldword version.'] })] });
    const { service, backend } = fixture;
    const filler = 'lorem ipsum dolor sit amet '.repeat(36);
    const paragraphs = Array.from({ length: 2000 }, (_, i) => `The newword paragraph number${i} ${filler}`);
    let finished = false;
    const ingest = service.ingest([makeArticle({ id: 'huge', paragraphs })]).then((results) => {
      finished = true;
      return results;
    });
    const during: string[] = [];
    while (!finished) {
      await nextTurn();
      if (!finished) during.push(counts(backend.library));
    }
    expect((await ingest)[0]?.status).toBe('updated');
    // At least one search per slice of indexing was answered before the ingest was done.
    const characters = paragraphs.reduce((sum, text) => sum + text.length, 0);
    expect(during.length).toBeGreaterThanOrEqual(Math.floor(characters / SLICE_CHARS));
    expect(new Set(during)).toEqual(new Set(['1/0/1']));
    expect(counts(backend.library)).toBe('0/2000/2000');
    expect((await service.search('newword')).total).toBe(2000);
  });
});

describe('the corpus watcher', () => {
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('picks up files added, changed and removed by hand through fs.watch alone (no periodic scan)', async () => {
    const base = await writableApp();
    fixture = base;
    const opened = await openLibrary({ corpusDir: base.corpusDir, indexDir: base.indexDir });
    const backend = createEmbeddedBackend({ state: createCorpusState(opened.library, base.corpusDir, opened.files), watch: true, scanIntervalMs: 0 });
    try {
      const total = (q: string) => searchLibrary(backend.library, q).total;
      await writeFile(join(base.corpusDir, 'hand.json'), JSON.stringify(makeArticle({ id: 'hand', paragraphs: ['Handmade words.'] })));
      await until(() => total('handmade') === 1);
      await writeFile(join(base.corpusDir, 'hand.json'), JSON.stringify(makeArticle({ id: 'hand', paragraphs: ['Rewritten words.'] })));
      await until(() => total('rewritten') === 1);
      expect(total('handmade')).toBe(0);
      await rm(join(base.corpusDir, 'hand.json'));
      await until(() => total('rewritten') === 0);
      // A folder of files moved in at once.
      const outside = join(base.corpusDir, '..', 'incoming');
      await mkdir(outside);
      await writeFile(join(outside, 'a.json'), JSON.stringify(makeArticle({ id: 'moved-a', paragraphs: ['Moved barley.'] })));
      await writeFile(join(outside, 'b.json'), JSON.stringify(makeArticle({ id: 'moved-b', paragraphs: ['Moved barley.'] })));
      await rename(outside, join(base.corpusDir, 'incoming'));
      await until(() => total('barley') === 2);
      await rename(join(base.corpusDir, 'incoming'), outside);
      await until(() => total('barley') === 0);
    } finally {
      await backend.close();
    }
  });
});
