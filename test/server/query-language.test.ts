import { beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import type { SearchResponse } from '../../src/service/search-service.ts';
import { appOf, makeArticle, readSeed } from '../helpers.ts';

let app: Hono;
beforeAll(async () => {
  app = appOf([await readSeed()]);
});

async function paragraphs(q: string): Promise<number[]> {
  const response = await app.request(`/search?q=${encodeURIComponent(q)}&limit=100`);
  expect(response.status).toBe(200);
  return ((await response.json()) as SearchResponse).hits.map((hit) => hit.paragraph).sort((a, b) => a - b);
}

describe('GET /search with the query language on the seed', () => {
  it('finds "four-day truce" in paragraph 2, marked as one span', async () => {
    expect(await paragraphs('"four-day truce"')).toEqual([2]);
    expect(await paragraphs('"four day truce"')).toEqual([2]);
    const body = (await (await app.request(`/search?q=${encodeURIComponent('"four-day truce"')}`)).json()) as SearchResponse;
    const [hit] = body.hits;
    expect(hit?.highlights.map(([start, end]) => hit.text.slice(start, end))).toEqual(['four-day truce']);
  });

  it('finds nothing for the words in the wrong order', async () => {
    expect(await paragraphs('"truce four-day"')).toEqual([]);
  });

  it('honours slop within one field', async () => {
    expect(await paragraphs('text:"Hamas chief"~1')).toEqual([1]);
    expect(await paragraphs('text:"Hamas chief"')).toEqual([]);
  });

  it('drops the paragraph that says welcomed from ceasefire', async () => {
    const all = await paragraphs('ceasefire');
    expect(all).toContain(5);
    expect(await paragraphs('ceasefire -welcomed')).toEqual(all.filter((n) => n !== 5));
  });

  it('excludes exactly the paragraphs holding an excluded phrase', async () => {
    expect(await paragraphs('"united states"')).toEqual([5, 6]);
    expect(await paragraphs('israel -"united states"')).toEqual((await paragraphs('israel')).filter((n) => n !== 5 && n !== 6));
  });

  it('reads OR, groups, prefixes and fuzzy terms', async () => {
    expect(await paragraphs('haniyeh OR syria')).toEqual([1, 7]);
    expect(await paragraphs('(haniyeh OR syria) doha')).toEqual([1]);
    expect(await paragraphs('text:cease*')).toEqual([4, 5]);
    expect(await paragraphs('text:cess*')).toEqual([3]);
    expect(await paragraphs('haniyah~')).toEqual([1]);
    expect(await paragraphs('haniya~')).toEqual([]); // two edits from haniyeh
    expect(await paragraphs('haniyya~2')).toEqual([1]);
  });

  it('searches each word a prefix or fuzzy term expands to as a keyword, by stem', async () => {
    const archive = appOf([makeArticle({ id: 'stems', title: 'Envoys', paragraphs: ['The talks resumed.', 'They talked again.', 'Walking out.', 'Two walkers left.'] })]);
    const found = async (q: string) => {
      const body = (await (await archive.request(`/search?q=${encodeURIComponent(q)}`)).json()) as SearchResponse;
      return body.hits.map((hit) => [hit.paragraph, hit.highlights.map(([start, end]) => hit.text.slice(start, end))]).sort();
    };
    // `talks` finds `talked` by stem; `talks*` and `talks~` find at least as much.
    expect(await found('talks')).toEqual([[1, ['talks']], [2, ['talked']]]);
    expect(await found('talks*')).toEqual(await found('talks'));
    expect(await found('talkes~')).toEqual(await found('talks'));
    // `walk*` expands to `walking` and `walkers`, two stems.
    expect(await found('walk*')).toEqual([[3, ['Walking']], [4, ['walkers']]]);
  });

  it('restricts terms to the title or the text', async () => {
    expect(await paragraphs('title:hamas')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await paragraphs('text:hamas')).toEqual([1, 8]);
  });

  it('reads malformed syntax leniently', async () => {
    expect(await paragraphs('"four-day truce')).toEqual(await paragraphs('four-day truce'));
    expect(await paragraphs('(haniyeh')).toEqual([1]);
    expect(await paragraphs('haniyeh OR')).toEqual([]);
    expect(await paragraphs('- haniyeh')).toEqual([1]);
  });

  it('answers 400 for a query with nothing to find, too long, or with too many clauses', async () => {
    for (const q of ['-gaza', '""', 'x'.repeat(1001), Array.from({ length: 65 }, (_, i) => `w${i}`).join(' ')]) {
      const response = await app.request(`/search?q=${encodeURIComponent(q)}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).toMatch(/^q /);
    }
  });
});

describe('GET /search keeps apart words a stem or an apostrophe could merge (SPEC §3)', () => {
  const archive = appOf([
    makeArticle({
      id: 'briefs',
      title: 'Briefs',
      paragraphs: [
        'U.S. officials met on Monday.', // 1
        'The funds were used for roads.', // 2
        "We're ready, the minister said.", // 3
        'They were ready a week ago.', // 4
        "Farmers can't sell the grain.", // 5
        'Farmers can sell the grain now.', // 6
        'They’re waiting for rain.', // 7
        'The well ran dry.', // 8
        "We'll see, he said.", // 9
        'Exports to the US rose.', // 10
        'Using less oil helps.', // 11
        "It's late.", // 12
        'The ministry and its staff.', // 13
      ],
    }),
  ]);
  const found = async (q: string): Promise<Array<[number, string[]]>> => {
    const response = await archive.request(`/search?q=${encodeURIComponent(q)}&limit=100`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as SearchResponse;
    return body.hits
      .map((hit): [number, string[]] => [hit.paragraph, hit.highlights.map(([start, end]) => hit.text.slice(start, end))])
      .sort((a, b) => a[0] - b[0]);
  };
  const paragraphsOf = async (q: string) => (await found(q)).map(([paragraph]) => paragraph);

  it('finds the country for U.S., US and us, and never used or using', async () => {
    expect(await found('U.S.')).toEqual([[1, ['U.S.']], [10, ['US']]]);
    expect(await paragraphsOf('US')).toEqual([1, 10]);
    expect(await paragraphsOf('us')).toEqual([1, 10]);
  });

  it('finds used and using for use, and not the country', async () => {
    expect(await found('use')).toEqual([[2, ['used']], [11, ['Using']]]);
    expect(await paragraphsOf('used')).toEqual([2, 11]);
  });

  it("finds were and well, not we're and we'll, and the reverse", async () => {
    expect(await paragraphsOf('were')).toEqual([2, 4]);
    expect(await paragraphsOf('well')).toEqual([8]);
    expect(await paragraphsOf("we're")).toEqual([3]);
    expect(await paragraphsOf("we'll")).toEqual([9]);
    expect(await found('we')).toEqual([[3, ["We're"]], [9, ["We'll"]]]);
  });

  it("finds can't for can, and they're for they, marking the whole contraction", async () => {
    expect(await found('can')).toEqual([[5, ["can't"]], [6, ['can']]]);
    expect(await paragraphsOf("can't")).toEqual([5]);
    expect(await found('they')).toEqual([[4, ['They']], [7, ['They’re']]]);
  });

  it("matches a phrase with a contraction only where the text has it: we're is not were, can't is not can", async () => {
    expect(await found('"we\'re ready"')).toEqual([[3, ["We're ready"]]]);
    expect(await paragraphsOf('"were ready"')).toEqual([4]);
    expect(await paragraphsOf('"can sell"')).toEqual([6]);
    expect(await paragraphsOf('"can\'t sell"')).toEqual([5]);
  });

  it("keeps it's (it) apart from its", async () => {
    expect(await paragraphsOf('its')).toEqual([13]);
    expect(await paragraphsOf('it')).toEqual([12]);
  });
});
