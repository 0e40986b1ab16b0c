import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SLICE_CHARS } from '../../src/search/library.ts';
import { makeArticle, writableApp } from '../helpers.ts';

type Fixture = Awaited<ReturnType<typeof writableApp>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('ingest of a huge article', () => {
  it('lets searches be answered while it is indexed, each seeing the article whole or not at all', async () => {
    fixture = await writableApp({ articles: [makeArticle({ id: 'huge', paragraphs: ['The oldword version.'] })] });
    const { service } = fixture;
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
      if (!finished) during.push(`${service.search('oldword').total}/${service.search('newword').total}/${service.stats().paragraphs}`);
    }
    expect((await ingest)[0]?.status).toBe('updated');
    // At least one search per slice of indexing was answered before the ingest was done.
    const characters = paragraphs.reduce((sum, text) => sum + text.length, 0);
    expect(during.length).toBeGreaterThanOrEqual(Math.floor(characters / SLICE_CHARS));
    expect(new Set(during)).toEqual(new Set(['1/0/1']));
    expect(`${service.search('oldword').total}/${service.search('newword').total}/${service.stats().paragraphs}`).toBe('0/2000/2000');
  });
});
