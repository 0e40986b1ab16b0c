import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import type { Article } from '../../src/ingest/article.ts';
import { SYNTAX_EXAMPLES } from '../../src/server/page/syntax-help.tsx';
import type { SearchResponse } from '../../src/service/search-service.ts';
import { BACKENDS, contractArchive, type ContractArchive } from '../contract.ts';
import { makeArticle, readSeed } from '../helpers.ts';

describe.each(BACKENDS)('%s backend', (kind) => {
  let app: Hono;
  const archives: ContractArchive[] = [];
  /** An app over this backend holding `articles`, closed after the file. */
  const appOf = async (articles: readonly Article[]): Promise<Hono> => {
    const archive = await contractArchive(kind, articles);
    archives.push(archive);
    return archive.app;
  };
  beforeAll(async () => {
    app = await appOf([await readSeed()]);
  });
  afterAll(async () => {
    for (const archive of archives) await archive.close();
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
      expect(await paragraphs('haniya~1')).toEqual([]); // two edits from haniyeh
      expect(await paragraphs('haniya~')).toEqual([1]); // AUTO: two edits for six letters
      expect(await paragraphs('haniyya~2')).toEqual([1]);
    });

    it('searches each word a prefix or fuzzy term expands to as a keyword, by stem', async () => {
      const archive = await appOf([makeArticle({ id: 'stems', title: 'Envoys', paragraphs: ['The talks resumed.', 'They talked again.', 'Walking out.', 'Two walkers left.'] })]);
      const found = async (q: string) => {
        const body = (await (await archive.request(`/search?q=${encodeURIComponent(q)}`)).json()) as SearchResponse;
        return body.hits.map((hit) => [hit.paragraph, hit.highlights.map(([start, end]) => hit.text.slice(start, end))]).sort();
      };
      // `talks` finds `talked` by stem; `talks*` and `talks~` find at least as much.
      expect(await found('talks')).toEqual([[1, ['talks']], [2, ['talked']]]);
      expect(await found('talks*')).toEqual(await found('talks'));
      expect(await found('talkes~1')).toEqual(await found('talks'));
      // `walk*` expands to `walking` and `walkers`, two stems.
      expect(await found('walk*')).toEqual([[3, ['Walking']], [4, ['walkers']]]);
    });

    it('restricts terms to the title or the text; a title-only match is one hit, the first paragraph', async () => {
      expect(await paragraphs('title:hamas')).toEqual([1]);
      expect(await paragraphs('text:hamas')).toEqual([1, 8]);
    });

    it('reads malformed syntax leniently', async () => {
      expect(await paragraphs('"four-day truce')).toEqual(await paragraphs('four-day truce'));
      expect(await paragraphs('(haniyeh')).toEqual([1]);
      expect(await paragraphs('haniyeh OR')).toEqual([1]); // the dangling OR is dropped
      expect(await paragraphs('- haniyeh')).toEqual([1]);
    });

    it('reads the operators newsroom researchers type (SPEC §4)', async () => {
      expect(await paragraphs('truce NOT doha')).toEqual([2]);
      expect(await paragraphs('truce !doha')).toEqual([2]);
      expect(await paragraphs('haniyeh && doha')).toEqual([1]);
      expect(await paragraphs('+haniyeh +doha')).toEqual([1]);
      expect(await paragraphs('syria || haniyeh')).toEqual([1, 7]);
      expect(await paragraphs('truce OR')).toEqual([2]);
    });

    it('finds words near each other, in order, or in one sentence, and marks the words that did', async () => {
      expect(await paragraphs('hamas w/4 haniyeh')).toEqual([1]);
      expect(await paragraphs('hamas w/3 haniyeh')).toEqual([]); // politburo chief Ismail between them
      expect(await paragraphs('haniyeh w/4 hamas')).toEqual([1]); // either order
      expect(await paragraphs('haniyeh pre/4 hamas')).toEqual([]);
      expect(await paragraphs('israel w/s "united states"')).toEqual([5]);
      expect(await paragraphs('israel w/s support')).toEqual([5]);
      const body = (await (await app.request(`/search?q=${encodeURIComponent('hamas w/4 haniyeh')}`)).json()) as SearchResponse;
      const [hit] = body.hits;
      // ¶1 says Hamas once, Haniyeh once: both marked; the title's "Hamas" is in no chain with Haniyeh.
      expect(hit?.highlights.map(([start, end]) => hit.text.slice(start, end))).toEqual(['Hamas', 'Haniyeh']);
      expect(hit?.titleHighlights).toEqual([]);
      expect(body.query).toBe('hamas w/4 haniyeh');
    });

    it('finds wildcard words and a quoted word as written', async () => {
      expect(await paragraphs('pal*ian')).toEqual([4, 8]); // Palestinians, Palestinian; not Palestine (¶6)
      expect(await paragraphs('pal*in?')).toEqual([6]);
      expect(await paragraphs('"palestinians"')).toEqual([4]);
      expect(await paragraphs('palestinians')).toEqual([4, 8]); // the keyword finds Palestinian too, by stem
    });

    it('relaxes a question in plain words to the paragraphs holding most of them', async () => {
      const response = await app.request(`/search?q=${encodeURIComponent('what did the Qatari minister say about the truce')}`);
      const body = (await response.json()) as SearchResponse;
      expect(body.relaxed).toBe(true);
      expect(body.hits[0]?.paragraph).toBe(4); // the Qatari minister said
      expect(body.warnings).toContain('no paragraph holds all the words; showing those with most of them');
    });

    it('echoes how the query was read, which gives the same hits sent back', async () => {
      for (const q of ['gaza iran OR qatar -"united states"', 'truce OR', '(hamas w/5 haniyeh', 'haniya~ "four day"~1', 'title:(gaza OR doha) text:cease*']) {
        const first = (await (await app.request(`/search?q=${encodeURIComponent(q)}&limit=100`)).json()) as SearchResponse;
        const again = (await (await app.request(`/search?q=${encodeURIComponent(first.query)}&limit=100`)).json()) as SearchResponse;
        expect(again.hits.map((hit) => hit.id)).toEqual(first.hits.map((hit) => hit.id));
        expect(again.query).toBe(first.query);
        expect(again.warnings).toEqual([]);
      }
    });

    it('finds something on the seed for every example of the page\'s syntax help', async () => {
      for (const { query } of SYNTAX_EXAMPLES) expect((await paragraphs(query)).length, query).toBeGreaterThan(0);
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
    let archive: Hono;
    beforeAll(async () => {
      archive = await appOf([
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
    });
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
});
