/**
 * Writes over HTTP against both backends (SPEC §6, §9): created, unchanged, updated, a batch
 * refused whole, deletion, and every acknowledged article readable and searchable at once.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, contractArchive, type ContractArchive } from '../contract.ts';

const post = (archive: ContractArchive, body: unknown) =>
  archive.app.request('/articles', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

const total = async (archive: ContractArchive, q: string) => ((await (await archive.app.request(`/search?q=${encodeURIComponent(q)}`)).json()) as { total: number }).total;

describe.each(BACKENDS)('POST and DELETE /articles (%s backend)', (kind) => {
  let archive: ContractArchive;
  beforeAll(async () => {
    archive = await contractArchive(kind);
  });
  afterAll(async () => {
    await archive?.close();
  });

  it('creates, keeps unchanged and updates an article, searchable as soon as it is acknowledged', async () => {
    const article = { id: 'harvest-1', title: 'Harvest', source: 'Farm Wire', paragraphs: ['Wheat prices fell.', 'Barley held.'] };
    const created = await post(archive, article);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ results: [{ id: 'harvest-1', status: 'created', paragraphs: 2 }], created: 1, updated: 0, unchanged: 0, warnings: [] });
    expect(await total(archive, 'wheat')).toBe(1);

    const again = await post(archive, article);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ results: [{ status: 'unchanged' }], unchanged: 1 });

    const changed = await post(archive, { ...article, paragraphs: ['Rye prices rose.'] });
    expect(changed.status).toBe(201);
    expect(await changed.json()).toMatchObject({ results: [{ id: 'harvest-1', status: 'updated', paragraphs: 1 }] });
    expect(await total(archive, 'wheat')).toBe(0);
    expect(await total(archive, 'rye')).toBe(1);
    expect(await (await archive.app.request('/articles/harvest-1')).json()).toMatchObject({ title: 'Harvest', paragraphs: ['Rye prices rose.'] });
  });

  it('refuses a batch with one invalid article whole, naming the item and the field', async () => {
    const response = await post(archive, [
      { id: 'ok-1', title: 'Fine', paragraphs: ['Oats are fine.'] },
      { id: 'bad-1', paragraphs: ['No title here.'] },
    ]);
    expect(response.status).toBe(400);
    const { message } = ((await response.json()) as { error: { message: string } }).error;
    expect(message).toBe('item 2: title is required');
    expect(await total(archive, 'oats')).toBe(0);
    expect((await archive.app.request('/articles/ok-1')).status).toBe(404);
  });

  it('refuses an article whose title is missing because of a misspelled field, naming both', async () => {
    const response = await post(archive, [{ id: 'typo-0', title: 'Fine', paragraphs: ['Spelt is fine.'] }, { id: 'typo-1', titel: 'Spelt', paragraphs: ['Spelt returns.'] }]);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'bad_request',
        message: 'item 2: title is required (unknown field "titel" — did you mean "title"?)',
        details: { problems: [{ item: 2, field: 'title', message: 'is required (unknown field "titel" — did you mean "title"?)' }] },
      },
    });
    expect(await total(archive, 'spelt')).toBe(0);
  });

  it('accepts an article with fields it does not know, ignoring them and saying so in warnings', async () => {
    const lines = [
      { id: 'extra-1', title: 'Teff', paragraphs: ['Teff is sown.'], tags: ['grain'] },
      { id: 'extra-2', title: 'Fonio', paragraphs: ['Fonio is sown.'], tags: [], sorce: 'Farm Wire' },
    ].map((line) => JSON.stringify(line));
    const response = await archive.app.request('/articles', { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: `${lines[0]}

${lines[1]}
` });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      created: 2,
      warnings: ['lines 1 and 3: unknown field "tags" (ignored)', 'line 3: unknown field "sorce" — did you mean "source"? (ignored)'],
    });
    expect(await (await archive.app.request('/articles/extra-2')).json()).toMatchObject({ title: 'Fonio', source: null });
    expect(await (await archive.app.request('/articles/extra-2')).json()).not.toHaveProperty('tags');
  });

  it('deletes an article (204), then answers 404 for it', async () => {
    expect((await post(archive, { id: 'gone-1', title: 'Soon gone', paragraphs: ['Millet is rare.'] })).status).toBe(201);
    expect((await archive.app.request('/articles/gone-1', { method: 'DELETE' })).status).toBe(204);
    expect(await total(archive, 'millet')).toBe(0);
    expect((await archive.app.request('/articles/gone-1')).status).toBe(404);
    expect((await archive.app.request('/articles/gone-1', { method: 'DELETE' })).status).toBe(404);
  });

  it('stores a byline, returns it from GET /articles/:id and counts a new one as an update, without indexing it', async () => {
    const article = { id: 'dyke-1', title: 'Dyke repairs', byline: 'Anna de Vries', paragraphs: ['Lock keepers worked all night near Schoonhoven.'] };
    expect((await post(archive, article)).status).toBe(201);
    expect(await (await archive.app.request('/articles/dyke-1')).json()).toMatchObject({ title: 'Dyke repairs', byline: 'Anna de Vries', paragraphs: ['Lock keepers worked all night near Schoonhoven.'] });
    // Only stored and shown: searching for the author finds no paragraph of the article.
    expect(await total(archive, 'vries')).toBe(0);
    expect(await total(archive, 'schoonhoven')).toBe(1);
    expect(await (await post(archive, article)).json()).toMatchObject({ results: [{ status: 'unchanged' }] });
    expect(await (await post(archive, { ...article, byline: 'Jan Smit' })).json()).toMatchObject({ results: [{ status: 'updated' }] });
    expect(await (await archive.app.request('/articles/dyke-1')).json()).toMatchObject({ byline: 'Jan Smit' });
    expect(await (await post(archive, { ...article, byline: undefined })).json()).toMatchObject({ results: [{ status: 'updated' }] });
    expect(await (await archive.app.request('/articles/dyke-1')).json()).toMatchObject({ byline: null });
  });

  it('ingests an HTML page with its byline and lead caption as fields, neither of them searchable as a paragraph', async () => {
    const html = await readFile(new URL('../ingest/fixtures/news-figure-page.html', import.meta.url), 'utf8');
    const response = await archive.app.request('/articles', { method: 'POST', headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html });
    expect(response.status).toBe(201);
    const { results } = (await response.json()) as { results: Array<{ id: string; paragraphs: number }> };
    expect(results).toMatchObject([{ status: 'created', paragraphs: 6 }]);
    const stored = (await (await archive.app.request(`/articles/${results[0]?.id ?? ''}`)).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({
      title: 'Pumps run around the clock as polders flood near Gouda',
      byline: 'Anna de Vries',
      caption: 'Water is pumped out of the Reeuwijk polder near Gouda on Wednesday evening.',
      date: '2024-03-14T08:15:00.000Z',
    });
    expect(stored.paragraphs).toHaveLength(6);
    expect(await total(archive, 'Kooistra')).toBe(1);
    for (const q of ['"de vries"', '"Delta Press"', 'Oudewater', '"read more"', 'WhatsApp']) expect(await total(archive, q), q).toBe(0);
  });

  it('counts what was written in /stats and completes its words in /suggest', async () => {
    await post(archive, { id: 'sorghum-1', title: 'Sorghum', source: 'Farm Wire', paragraphs: ['Sorghum exports grew.'] });
    const stats = (await (await archive.app.request('/stats')).json()) as { articles: number; sources: Record<string, number>; backend: string };
    expect(stats.backend).toBe(kind);
    expect(stats.sources['Farm Wire']).toBeGreaterThanOrEqual(1);
    expect(await (await archive.app.request('/suggest?q=sorgh')).json()).toEqual({ suggestions: ['sorghum'] });
  });
});
