import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, contractArchive, type ContractArchive } from '../contract.ts';

/** A wire story of our own, and the same story as two outlets ran it. */
const WIRE = [
  'Negotiators agreed on Tuesday to extend the truce by another four days, according to officials familiar with the talks.',
  'The extension, brokered by mediators from Qatar and Egypt, allows for the release of more hostages and fuel for hospitals.',
  'Aid agencies said the pause had let convoys reach areas cut off for weeks, though supplies remained far below what was needed.',
  'Talks are expected to resume on Friday, when a broader agreement on prisoner exchanges will be discussed.',
];

const post = (app: ContractArchive['app'], articles: unknown[]) => app.request('/articles', { method: 'POST', body: JSON.stringify(articles), headers: { 'content-type': 'application/json' } });

describe.each(BACKENDS)('%s backend', (kind) => {
  let fixture: ContractArchive | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  describe('GET /articles/:id and copies', () => {
    it('says which cluster an article belongs to, by its earliest article, and lists the other copies, earliest first', async () => {
      fixture = await contractArchive(kind);
      const response = await post(fixture.app, [
        { id: 'herald', title: 'Truce holds, for now', source: 'Local Herald', date: '2023-11-29', paragraphs: ['(Local Herald) —', ...WIRE] },
        { id: 'wire', title: 'Truce extended by four days', source: 'Wire', date: '2023-11-28', paragraphs: WIRE },
        { id: 'gazette', title: 'Four more days', source: 'Gazette', date: null, paragraphs: [...WIRE.slice(0, 3), WIRE[3]!.replace('Friday', 'Saturday')] },
        { id: 'harvest', title: 'Harvest', source: 'Farm Wire', date: '2023-11-28', paragraphs: ['Wheat prices fell sharply on fears of rain.'] },
      ]);
      expect(response.status).toBe(201);
      const herald = await (await fixture.app.request('/articles/herald')).json();
      expect(herald).toMatchObject({ id: 'herald', copyOf: 'wire' });
      expect(herald.copies).toEqual([
        { id: 'wire', title: 'Truce extended by four days', source: 'Wire', date: '2023-11-28', url: null },
        { id: 'gazette', title: 'Four more days', source: 'Gazette', date: null, url: null },
      ]);
      expect(await (await fixture.app.request('/articles/harvest')).json()).toMatchObject({ copyOf: null, copies: [] });
    });

    it('takes an article out of its cluster when it leaves or changes, and the cluster splits if it held it together', async () => {
      fixture = await contractArchive(kind);
      await post(fixture.app, [
        { id: 'a', title: 'A', date: '2023-01-01', paragraphs: WIRE },
        { id: 'b', title: 'B', date: '2023-01-02', paragraphs: [...WIRE, 'Our correspondent will follow the talks through the week.'] },
      ]);
      expect(await (await fixture.app.request('/articles/b')).json()).toMatchObject({ copyOf: 'a' });
      await post(fixture.app, [{ id: 'a', title: 'A', date: '2023-01-01', paragraphs: ['Something else entirely happened on Monday in the capital.'] }]);
      expect(await (await fixture.app.request('/articles/b')).json()).toMatchObject({ copyOf: null, copies: [] });
    });
  });

  describe('collapse=copies and facets=copies', () => {
    const archive = [
      { id: 'herald', title: 'Truce holds, for now', source: 'Local Herald', date: '2023-11-29', paragraphs: ['(Local Herald) —', ...WIRE] },
      { id: 'wire', title: 'Truce extended by four days', source: 'Wire', date: '2023-11-28', paragraphs: WIRE },
      { id: 'gazette', title: 'Four more days', source: 'Gazette', date: null, paragraphs: WIRE },
      { id: 'analysis', title: 'What the truce means', source: 'Weekly', date: '2023-11-30', paragraphs: ['The truce was extended, but negotiators still disagree about what comes after it.'] },
    ];

    it('gives one hit per cluster, its earliest article, with the cluster in numbers, and counts clusters in total', async () => {
      fixture = await contractArchive(kind);
      await post(fixture.app, archive);
      const all = await (await fixture.app.request('/search?q=truce&limit=100')).json();
      expect(all.total).toBe(4); // ¶1 of each wire copy, and the analysis
      const collapsed = await (await fixture.app.request('/search?q=truce&collapse=copies&limit=100')).json();
      expect(collapsed.total).toBe(2);
      expect(collapsed.hits.map((hit: { id: string }) => hit.id).sort()).toEqual(['analysis:1', 'wire:1']);
      const wire = collapsed.hits.find((hit: { articleId: string }) => hit.articleId === 'wire');
      expect(wire.copies).toEqual({ count: 3, sources: ['Gazette', 'Local Herald', 'Wire'], first: '2023-11-28', last: '2023-11-29' });
      const analysis = collapsed.hits.find((hit: { articleId: string }) => hit.articleId === 'analysis');
      expect(analysis.copies).toEqual({ count: 1, sources: ['Weekly'], first: '2023-11-30', last: '2023-11-30' });
      // Paging walks clusters.
      const second = await (await fixture.app.request('/search?q=truce&collapse=copies&limit=1&offset=1')).json();
      expect(second).toMatchObject({ total: 2 });
      expect(second.hits).toHaveLength(1);
      expect(second.hits[0].articleId).not.toBe(collapsed.hits[0].articleId);
    });

    it('says how many paragraphs of the hit\'s article matched when grouped by article, and not when grouped by paragraph', async () => {
      fixture = await contractArchive(kind);
      await post(fixture.app, archive);
      const byArticle = await (await fixture.app.request('/search?q=truce%20OR%20hostages&collapse=copies&group=article&limit=100')).json();
      expect(byArticle.hits.find((hit: { articleId: string }) => hit.articleId === 'wire')).toMatchObject({ matchingParagraphs: 2, copies: { count: 3 } });
      const byParagraph = await (await fixture.app.request('/search?q=truce%20OR%20hostages&collapse=copies&group=paragraph&limit=100')).json();
      expect(byParagraph.hits.find((hit: { articleId: string }) => hit.articleId === 'wire').matchingParagraphs).toBeUndefined();
    });

    it('shows the earliest article of a cluster that matched, when the earliest does not', async () => {
      fixture = await contractArchive(kind);
      await post(fixture.app, archive);
      // Only the Herald's dateline line says "Herald".
      const collapsed = await (await fixture.app.request('/search?q=herald&collapse=copies')).json();
      expect(collapsed).toMatchObject({ total: 1, hits: [{ id: 'herald:1', copies: { count: 3 } }] });
    });

    it('counts hits whose article has copies, and those without', async () => {
      fixture = await contractArchive(kind);
      await post(fixture.app, archive);
      const found = await (await fixture.app.request('/search?q=truce&facets=copies,source')).json();
      expect(found.facets.copies).toEqual({ true: 3, false: 1 });
      const refused = await fixture.app.request('/search?q=truce&collapse=articles');
      expect(refused.status).toBe(400);
      expect((await refused.json()).error.message).toBe('collapse must be one of none, copies, got "articles"');
    });
  });

  describe('GET /provenance', () => {
    it('lists where a quote appeared, oldest first, saying which appearances copy an earlier article', async () => {
      fixture = await contractArchive(kind);
      await post(fixture.app, [
        { id: 'herald', title: 'Truce holds, for now', source: 'Local Herald', date: '2023-11-29', url: 'https://herald.example/truce', paragraphs: ['(Local Herald) —', ...WIRE] },
        { id: 'wire', title: 'Truce extended by four days', source: 'Wire', date: '2023-11-28', paragraphs: WIRE },
        { id: 'weekly', title: 'The week', source: 'Weekly', date: '2023-12-02', paragraphs: ['As one official put it, the talks are expected to resume on Friday, and little else is certain.'] },
        { id: 'undated', title: 'Notes', source: 'Blog', date: null, paragraphs: ['Talks are expected to resume on Friday, we read.'] },
      ]);
      const response = await fixture.app.request('/provenance?q="expected to resume on Friday"');
      expect(response.status).toBe(200);
      const traced = await response.json();
      expect(traced).toMatchObject({ total: 4, outlets: 4, days: 4, first: { articleId: 'wire', source: 'Wire', date: '2023-11-28', paragraph: 4, earlierCopy: false, copyOf: 'wire' } });
      expect(traced.appearances.map((a: { articleId: string; earlierCopy: boolean }) => [a.articleId, a.earlierCopy])).toEqual([
        ['wire', false],
        ['herald', true],
        ['weekly', false],
        ['undated', false],
      ]);
      expect(traced.appearances[1]).toMatchObject({ url: 'https://herald.example/truce', paragraph: 5, copyOf: 'wire' });
      expect(traced.appearances[1].snippet).toContain('<mark>expected to resume on Friday</mark>');
      const second = await (await fixture.app.request('/provenance?q="expected to resume on Friday"&limit=1&offset=1')).json();
      expect(second).toMatchObject({ total: 4, first: { articleId: 'wire' }, appearances: [{ articleId: 'herald' }] });
      expect((await fixture.app.request('/provenance?q=')).status).toBe(400);
      expect(await (await fixture.app.request('/provenance?q=zebraquux')).json()).toMatchObject({ total: 0, first: null, outlets: 0, days: null, appearances: [] });
    });
  });
});
