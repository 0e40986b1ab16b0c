import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLibrary } from '../../src/backends/embedded/open-library.ts';
import { searchLibrary as search } from '../../src/service/library-search.ts';
import { injectFaults } from '../fault-fs.ts';
import { SEED_PATH, wordyArticle, writableApp } from '../helpers.ts';

type Fixture = Awaited<ReturnType<typeof writableApp>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

const post = (app: Fixture['app'], body: string, type: string, headers: Record<string, string> = {}) =>
  app.request('/articles', { method: 'POST', body, headers: { 'content-type': type, ...headers } });

const article = (title: string, paragraphs: string[], extra: Record<string, unknown> = {}) => ({ title, paragraphs, ...extra });

describe('POST /articles', () => {
  it('creates an article, writes it to the corpus and makes it searchable at once', async () => {
    fixture = await writableApp();
    const response = await post(fixture.app, JSON.stringify(article('Harvest news', ['Wheat prices fell sharply.'], { id: 'harvest-1', source: 'Farm Wire', date: '2020-05-01' })), 'application/json');
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ results: [{ id: 'harvest-1', status: 'created', paragraphs: 1 }], created: 1, updated: 0, unchanged: 0, warnings: [] });
    expect(JSON.parse(await readFile(join(fixture.corpusDir, 'harvest-1.json'), 'utf8'))).toMatchObject({ id: 'harvest-1', title: 'Harvest news' });
    const found = await (await fixture.app.request('/search?q=wheat')).json();
    expect(found).toMatchObject({ total: 1, hits: [{ id: 'harvest-1:1', source: 'Farm Wire', date: '2020-05-01' }] });
  });

  it('answers 200 unchanged for an identical article and 201 updated for new content', async () => {
    fixture = await writableApp();
    const first = JSON.stringify(article('T', ['One.'], { id: 'a1' }));
    expect((await post(fixture.app, first, 'application/json')).status).toBe(201);
    const again = await post(fixture.app, first, 'application/json');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ unchanged: 1, results: [{ id: 'a1', status: 'unchanged' }] });
    const changed = await post(fixture.app, JSON.stringify(article('T', ['Two.'], { id: 'a1' })), 'application/json');
    expect(changed.status).toBe(201);
    expect(await changed.json()).toMatchObject({ updated: 1 });
    expect((await (await fixture.app.request('/search?q=one')).json()).total).toBe(0);
    expect((await (await fixture.app.request('/search?q=two')).json()).total).toBe(1);
  });

  it('accepts the seed as text/plain, JSON Lines and arrays', async () => {
    fixture = await writableApp();
    const seedText = await readFile(SEED_PATH, 'utf8');
    expect(await (await post(fixture.app, seedText, 'text/plain; charset=utf-8')).json()).toMatchObject({ created: 1 });
    const lines = [article('L1', ['Alpha.']), article('L2', ['Beta.'])].map((a) => JSON.stringify(a)).join('\n');
    expect(await (await post(fixture.app, lines, 'application/x-ndjson')).json()).toMatchObject({ created: 2 });
    const array = JSON.stringify([article('A1', ['Gamma.']), article('A2', ['Delta.'])]);
    expect(await (await post(fixture.app, array, 'application/json')).json()).toMatchObject({ created: 2 });
    expect(((await (await fixture.app.request('/stats')).json()) as { articles: number }).articles).toBe(5);
  });

  it('accepts a byline in JSON Lines, keeps it in the corpus file and returns it', async () => {
    fixture = await writableApp();
    const lines = [article('Dyke repairs', ['Pumps ran all night.'], { id: 'dyke-1', byline: 'Anna de Vries' }), article('Polder', ['Water rose.'], { id: 'polder-1' })];
    expect(await (await post(fixture.app, lines.map((a) => JSON.stringify(a)).join('\n'), 'application/x-ndjson')).json()).toMatchObject({ created: 2 });
    expect(JSON.parse(await readFile(join(fixture.corpusDir, 'dyke-1.json'), 'utf8'))).toMatchObject({ id: 'dyke-1', byline: 'Anna de Vries' });
    expect(await (await fixture.app.request('/articles/dyke-1')).json()).toMatchObject({ byline: 'Anna de Vries' });
    expect(await (await fixture.app.request('/articles/polder-1')).json()).toMatchObject({ byline: null });
  });

  it('rejects a batch with one bad article whole, naming the item and field', async () => {
    fixture = await writableApp();
    const batch = JSON.stringify([article('Good', ['Fine.']), { title: 'No text', paragraphs: [] }, article('Bad date', ['x'], { date: 'someday' })]);
    const response = await post(fixture.app, batch, 'application/json');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toBe('item 2: paragraphs must hold at least one non-blank paragraph; item 3: date must be ISO 8601 or RFC 2822, got "someday"');
    expect(await readdir(fixture.corpusDir)).toEqual([]);
    expect((await (await fixture.app.request('/search?q=fine')).json()).total).toBe(0);
  });

  it('refuses an id starting with a dot (a hidden file the corpus would never list) and writes nothing', async () => {
    fixture = await writableApp();
    for (const id of ['.hidden', '...', '..']) {
      const response = await post(fixture.app, JSON.stringify([article('Fine', ['Kept out.'], { id: 'fine' }), article('Dot', ['Hidden.'], { id })]), 'application/json');
      expect(response.status, id).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe('item 2: id must be 1 to 128 of A-Z a-z 0-9 . _ - and not start with a dot');
    }
    expect(await readdir(fixture.corpusDir)).toEqual([]);
  });

  it('rejects invalid JSON and a batch repeating an id, naming the items (the lines in JSON Lines)', async () => {
    fixture = await writableApp();
    const invalid = await post(fixture.app, '{"title":', 'application/json');
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toBe('not valid JSON: Unexpected end of JSON input');
    const twice = JSON.stringify([article('A', ['x'], { id: 'same' }), article('B', ['y'], { id: 'same' })]);
    const response = await post(fixture.app, twice, 'application/json');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe('items 1 and 2 have the same id "same"');
    const lines = await post(fixture.app, ['', JSON.stringify(article('A', ['x'], { id: 'same' })), '', JSON.stringify(article('B', ['y'], { id: 'same' }))].join('\n'), 'application/x-ndjson');
    expect(lines.status).toBe(400);
    expect(((await lines.json()) as { error: { message: string } }).error.message).toBe('lines 2 and 4 have the same id "same"');
  });

  it('answers 507 insufficient_storage when the corpus disk is full, and none of the batch is readable', async () => {
    fixture = await writableApp();
    const restore = injectFaults({ dir: fixture.corpusDir, mode: 'full', freeBytes: 600 });
    try {
      const batch = JSON.stringify(['f1', 'f2', 'f3'].map((id) => article(`Story ${id}`, [`Full disk ${id}word.`], { id })));
      const response = await post(fixture.app, batch, 'application/json');
      expect(response.status).toBe(507);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('insufficient_storage');
    } finally {
      restore();
    }
    for (const id of ['f1', 'f2', 'f3']) expect((await fixture.app.request(`/articles/${id}`)).status).toBe(404);
    expect(await readdir(fixture.corpusDir)).toEqual([]);
  });

  it('answers 400 naming the item and field for a paragraph too long, too many paragraphs or too many distinct terms', async () => {
    fixture = await writableApp({ maxBodyBytes: 5 * 1024 * 1024 });
    const cases: Array<[unknown, string]> = [
      [article('Long', ['x'.repeat(50_001)]), 'item 2: paragraphs has a paragraph of 50001 characters (number 1); at most 50000 are accepted'],
      [article('Many', Array.from({ length: 10_001 }, (_, i) => `P${i}.`)), 'item 2: paragraphs holds 10001 paragraphs; at most 10000 are accepted'],
      [wordyArticle('wordy', 50_001), 'item 2: paragraphs hold more than 50000 distinct terms; at most 50000 are accepted'],
    ];
    for (const [tooBig, message] of cases) {
      const response = await post(fixture.app, JSON.stringify([article('Fine', ['Fine words.'], { id: 'fine' }), tooBig]), 'application/json');
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).toBe(message);
    }
    expect(await readdir(fixture.corpusDir)).toEqual([]);
    expect((await (await fixture.app.request('/search?q=fine')).json()).total).toBe(0);
  });

  it('answers 415 for an unknown media type and 413 for a body over the limit', async () => {
    fixture = await writableApp({ maxBodyBytes: 1000 });
    const unsupported = await post(fixture.app, 'x', 'image/png');
    expect(unsupported.status).toBe(415);
    expect(((await unsupported.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    const large = await post(fixture.app, JSON.stringify(article('Big', ['x'.repeat(2000)])), 'application/json');
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('serializes concurrent posts: every one lands', async () => {
    fixture = await writableApp();
    const app = fixture.app;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(app, JSON.stringify(article(`Story ${i}`, [`Paragraph number${i} here.`], { id: `s${i}` })), 'application/json')),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(201));
    expect(((await (await app.request('/stats')).json()) as { articles: number }).articles).toBe(20);
    expect((await readdir(fixture.corpusDir)).filter((name) => name.endsWith('.json'))).toHaveLength(20);
  });

  it('leaves a snapshot that the next start loads without rebuilding', async () => {
    fixture = await writableApp();
    await post(fixture.app, JSON.stringify(article('Saved', ['Persisted words.'], { id: 'saved' })), 'application/json');
    await fixture.service.close();
    const reopened = await openLibrary({ corpusDir: fixture.corpusDir, indexDir: fixture.indexDir });
    expect(reopened.origin).toBe('snapshot');
    expect(search(reopened.library, 'persisted').total).toBe(1);
  });
});

describe('DELETE /articles/:id', () => {
  it('removes the article from the corpus and the index', async () => {
    fixture = await writableApp();
    await post(fixture.app, JSON.stringify(article('Gone', ['Vanishing text.'], { id: 'gone' })), 'application/json');
    const response = await fixture.app.request('/articles/gone', { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await readdir(fixture.corpusDir)).toEqual([]);
    expect((await (await fixture.app.request('/search?q=vanishing')).json()).total).toBe(0);
    expect((await fixture.app.request('/articles/gone')).status).toBe(404);
  });

  it('answers 404 for an unknown id', async () => {
    fixture = await writableApp();
    expect((await fixture.app.request('/articles/nope', { method: 'DELETE' })).status).toBe(404);
  });

  it('splits a shared JSON Lines file so the other articles survive the deletion', async () => {
    fixture = await writableApp();
    const { writeFile } = await import('node:fs/promises');
    const lines = [article('One', ['First story.'], { id: 'one' }), article('Two', ['Second story.'], { id: 'two' })];
    await writeFile(join(fixture.corpusDir, 'batch.jsonl'), lines.map((a) => JSON.stringify(a)).join('\n'));
    await fixture.backend.sync();
    expect((await fixture.app.request('/articles/one', { method: 'DELETE' })).status).toBe(204);
    expect((await readdir(fixture.corpusDir)).sort()).toEqual(['two.json']);
    await fixture.service.close();
    const reopened = await openLibrary({ corpusDir: fixture.corpusDir, indexDir: fixture.indexDir });
    expect([...reopened.library.articles.keys()]).toEqual(['two']);
  });
});

describe('write access', () => {
  const body = JSON.stringify(article('T', ['x']));

  it('needs the bearer token when INGEST_TOKEN is set', async () => {
    fixture = await writableApp({ writeAccess: { token: 's3cret', host: '0.0.0.0' } });
    expect((await post(fixture.app, body, 'application/json')).status).toBe(401);
    expect((await post(fixture.app, body, 'application/json', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(fixture.app, body, 'application/json', { authorization: 'Bearer s3cret' })).status).toBe(201);
    expect((await fixture.app.request('/articles/x', { method: 'DELETE' })).status).toBe(401);
  });

  it('refuses writes without a token on a non-loopback address', async () => {
    fixture = await writableApp({ writeAccess: { host: '0.0.0.0' } });
    const response = await post(fixture.app, body, 'application/json');
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('writes_disabled');
  });

  it('never needs a token to search', async () => {
    fixture = await writableApp({ writeAccess: { token: 's3cret', host: '0.0.0.0' } });
    expect((await fixture.app.request('/search?q=anything')).status).toBe(200);
  });
});

describe('corpus sync', () => {
  it('picks up files added, changed and removed by hand', async () => {
    fixture = await writableApp();
    const { writeFile, rm, utimes } = await import('node:fs/promises');
    const path = join(fixture.corpusDir, 'hand.json');
    await writeFile(path, JSON.stringify(article('By hand', ['Handmade words.'], { id: 'hand' })));
    await fixture.backend.sync();
    expect((await (await fixture.app.request('/search?q=handmade')).json()).total).toBe(1);
    await writeFile(path, JSON.stringify(article('By hand', ['Rewritten words.'], { id: 'hand' })));
    await utimes(path, new Date(), new Date(Date.now() + 10_000));
    await fixture.backend.sync();
    expect((await (await fixture.app.request('/search?q=handmade')).json()).total).toBe(0);
    expect((await (await fixture.app.request('/search?q=rewritten')).json()).total).toBe(1);
    await rm(path);
    await fixture.backend.sync();
    expect((await (await fixture.app.request('/search?q=rewritten')).json()).total).toBe(0);
  });
});

describe('corpus files with a bad id', () => {
  it('skips a hand-placed file holding an id that starts with a dot, saying why', async () => {
    fixture = await writableApp();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(fixture.corpusDir, 'dots.json'), JSON.stringify(article('Dot', ['Hidden words.'], { id: '.dot' })));
    const outcome = await fixture.backend.sync();
    expect(outcome.problems).toEqual(['dots.json: item 1: id must be 1 to 128 of A-Z a-z 0-9 . _ - and not start with a dot']);
    expect((await (await fixture.app.request('/search?q=hidden')).json()).total).toBe(0);
  });
});

describe('POST /articles with pages and feeds', () => {
  const read = (name: string) => readFile(new URL(`../ingest/fixtures/${name}`, import.meta.url), 'utf8');

  it('takes an HTML article page and indexes its paragraphs, not its boilerplate', async () => {
    fixture = await writableApp();
    const response = await post(fixture.app, await read('article-page.html'), 'text/html; charset=utf-8');
    expect(response.status).toBe(201);
    const body = (await response.json()) as { results: Array<{ id: string; paragraphs: number }> };
    expect(body.results).toHaveLength(1);
    const article = (await (await fixture.app.request(`/articles/${body.results[0]?.id}`)).json()) as { paragraphs: string[]; title: string };
    expect(article.paragraphs.length).toBeGreaterThan(1);
    expect(article.paragraphs.join(' ')).not.toMatch(/cookie|subscribe to our newsletter/i);
  });

  it('takes an RSS feed and an Atom feed, one article per item, idempotently', async () => {
    fixture = await writableApp();
    const rss = await read('wire.rss');
    const first = (await (await post(fixture.app, rss, 'application/rss+xml')).json()) as { created: number };
    expect(first.created).toBe(3);
    const again = await post(fixture.app, rss, 'application/rss+xml');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ unchanged: 3 });
    const atom = (await (await post(fixture.app, await read('valley.atom'), 'application/atom+xml')).json()) as { created: number };
    expect(atom.created).toBe(3);
    expect(((await (await fixture.app.request('/stats')).json()) as { articles: number }).articles).toBe(6);
  });

  it('answers 400 saying what the XML is instead of a feed (the body being the one input, it is not named)', async () => {
    fixture = await writableApp();
    const response = await post(fixture.app, '<note><to>x</to></note>', 'application/xml');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe('not an RSS or Atom feed: the root element is <note>');
  });
});
