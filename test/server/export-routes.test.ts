/**
 * @module test/server/export-routes
 * Feeds out and exports (SPEC §11) over HTTP (`app.request()`), on both backends: feeds parse as
 * Atom 1.0 and RSS 2.0, newest first, escaped, with ids a hit keeps; exports hold every match in
 * the order of `/search`, walked a few hits at a time (keyset paging, small chunks so that a test
 * crosses many chunk boundaries and ties), pulled only as the client reads, stopped when the
 * client goes away; bad parameters are a 400 naming them.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { SearchBackend } from '../../src/backends/backend.ts';
import type { Article } from '../../src/ingest/article.ts';
import { BACKENDS, contractArchive, type BackendKind, type ContractArchive } from '../contract.ts';
import { makeArticle, readSeed } from '../helpers.ts';

/** Hits per chunk in these tests: an export of a few dozen hits crosses many chunk boundaries. */
const CHUNK = 7;
/** A UTF-8 byte order mark, as the CSV starts. */
const BOM = '\uFEFF';

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['entry', 'item', 'link', 'atom:link'].includes(name) });

/** A wire story republished by two outlets (a copy cluster), and notes that are copies of nothing. */
const WIRE = [
  'Negotiators agreed on Tuesday to extend the truce by another four days, according to officials familiar with the talks.',
  'The extension, brokered by mediators from Qatar and Egypt, allows for the release of more hostages and fuel for hospitals.',
  'Aid agencies said the pause had let convoys reach areas cut off for weeks, though supplies remained far below what was needed.',
];

/** Articles with many equal scores (identical notes) and dates in every state: dated, date-only, undated. */
function archive(): Article[] {
  const notes = Array.from({ length: 30 }, (_, index) =>
    makeArticle({
      id: `note-${String(index).padStart(2, '0')}`,
      title: `Truce note ${index}`,
      source: index % 2 === 0 ? 'Even Wire' : 'Odd Post',
      date: index % 5 === 0 ? null : index % 3 === 0 ? `2023-11-${String(index % 28 + 1).padStart(2, '0')}T08:30:00.000Z` : `2023-11-${String(index % 28 + 1).padStart(2, '0')}`,
      url: index % 4 === 0 ? null : `https://news.example/notes/${index}`,
      paragraphs: [`Note ${index} on the truce talks.`, index % 7 === 0 ? 'Nothing of interest here.' : 'The truce held through the night in every district.'],
    }),
  );
  return [
    makeArticle({ id: 'wire', title: 'Truce extended by four days', source: 'Wire', date: '2023-11-28', url: 'https://wire.example/truce', paragraphs: WIRE }),
    makeArticle({ id: 'herald', title: 'Truce holds, for now', source: 'Local Herald', date: '2023-11-29', paragraphs: ['(Local Herald) —', ...WIRE] }),
    makeArticle({ id: 'odd', title: 'Odd <b>title</b> & "quotes" \'here\' \u0001\u0008\u000b\u001f\uFFFE bell', source: 'A & B <Media>', date: '2023-12-01', paragraphs: ['The truce & the <script>alert(1)</script> tag.'] }),
    ...notes,
  ];
}

/** Reads a whole export, byte order mark included. */
async function exportText(app: ContractArchive['app'], path: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await app.request(path);
  // Decoded keeping a byte order mark (Response.text() drops one).
  return { status: response.status, headers: response.headers, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer()) };
}

/** Every hit of `/search` for `query`, page by page (the oracle of an export's rows and order). */
async function allHits(app: ContractArchive['app'], query: string): Promise<Array<{ id: string; articleId: string; paragraph: number; title: string; date: string | null }>> {
  const hits = [];
  for (let offset = 0; ; offset += 100) {
    const page = await (await app.request(`/search?${query}&limit=100&offset=${offset}`)).json();
    hits.push(...page.hits);
    if (page.hits.length < 100) return hits;
  }
}

/** A backend that counts the hits its searches return. */
function counting(backend: SearchBackend, counts: { searches: number; hits: number }): SearchBackend {
  return {
    ...backend,
    search: async (query, request) => {
      counts.searches += 1;
      const result = await backend.search(query, request);
      counts.hits += result.hits.length;
      return result;
    },
    copyClusters: (ids) => backend.copyClusters(ids),
    close: () => backend.close(),
  };
}

describe.each(BACKENDS)('%s backend', (kind: BackendKind) => {
  let fixture: ContractArchive | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });
  const open = async (articles: readonly Article[] = archive(), options: Parameters<typeof contractArchive>[2] = {}) => {
    fixture = await contractArchive(kind, articles, { exportChunkHits: CHUNK, ...options });
    return fixture.app;
  };

  describe('GET /search.atom', () => {
    it('is an Atom feed of the hits, newest first, undated last, with self and alternate links', async () => {
      const app = await open();
      const response = await app.request('/search.atom?q=truce&limit=100');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
      const { feed } = xml.parse(await response.text());
      expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
      const links = Object.fromEntries(feed.link.map((link: Record<string, string>) => [link['@rel'], link['@href']]));
      expect(links.self).toBe('http://localhost/search.atom?q=truce&limit=100');
      expect(links.alternate).toBe('http://localhost/?q=truce&group=paragraph');
      const expected = (await allHits(app, 'q=truce&sort=newest')).map((hit) => hit.id);
      expect(feed.entry).toHaveLength(expected.length);
      const dates = feed.entry.map((entry: { published?: string }) => entry.published ?? null);
      const dated = dates.filter((date: string | null) => date !== null);
      expect(dated).toEqual([...dated].sort().reverse());
      expect(dates.slice(dated.length).every((date: string | null) => date === null)).toBe(true);
      // The feed is updated when its newest entry is; an undated entry says the feed's date.
      expect(feed.updated).toBe(dated[0]);
      expect(feed.entry.at(-1).updated).toBe(feed.updated);
      expect(feed.entry[0].updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    });

    it('gives a hit the same entry id on every request, and distinct hits distinct ids', async () => {
      const app = await open();
      const ids = async (path: string) => xml.parse(await (await app.request(path)).text()).feed.entry.map((entry: { id: string; title: { '#text': string } }) => entry.id);
      const first = await ids('/search.atom?q=truce&limit=100');
      expect(new Set(first).size).toBe(first.length);
      expect(first.every((id: string) => /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
      // Another page of the same hits, with other parameters: each hit keeps its id.
      const narrower = await ids('/search.atom?q=truce&limit=3&source=Even%20Wire');
      expect(narrower.every((id: string) => first.includes(id))).toBe(true);
      expect(await ids('/search.atom?q=truce&limit=100')).toEqual(first);
    });

    it('escapes titles, sources and snippets, and drops the characters XML 1.0 forbids', async () => {
      const app = await open();
      const text = await (await app.request('/search.atom?q=script')).text();
      const entry = xml.parse(text).feed.entry[0];
      expect(entry.title['#text']).toBe('Odd <b>title</b> & "quotes" \'here\'  bell');
      expect(entry.author.name).toBe('A & B <Media>');
      // The summary is HTML: the snippet's own escaping and <mark> read back after XML's.
      expect(entry.summary['#text']).toBe('The truce &amp; the &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; tag.');
      expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe]/);
    });

    it('links an entry to the original article, or to the page view of it when it has no URL', async () => {
      const app = await open();
      const { feed } = xml.parse(await (await app.request('/search.atom?q=title:note&limit=100&group=article')).text());
      const hrefs = feed.entry.map((entry: { link: Array<{ '@href': string }> }) => entry.link[0]?.['@href']);
      expect(hrefs).toContain('https://news.example/notes/1');
      expect(hrefs).toContain('http://localhost/?q=title%3Anote&copies=all&article=note-04&p=1');
    });

    it('has one entry per article with group=article, and one per copy cluster with collapse=copies', async () => {
      const app = await open();
      const count = async (path: string) => xml.parse(await (await app.request(path)).text()).feed.entry?.length ?? 0;
      const total = async (query: string) => (await (await app.request(`/search?${query}`)).json()).total;
      expect(await count('/search.atom?q=negotiators&limit=100')).toBe(await total('q=negotiators'));
      expect(await count('/search.atom?q=truce&limit=100&group=article')).toBe(await total('q=truce&group=article'));
      expect(await count('/search.atom?q=negotiators&collapse=copies')).toBe(1);
      expect(await count('/search.atom?q=negotiators')).toBe(2);
    });

    it('answers 400 naming the parameter, as /search does', async () => {
      const app = await open();
      for (const [path, name] of [
        ['/search.atom', 'q'],
        ['/search.rss?q=truce&limit=0', 'limit'],
        ['/search.atom?q=truce&sort=sideways', 'sort'],
        ['/search.rss?q=truce&from=2023-02-30', 'from'],
      ] as const) {
        const response = await app.request(path);
        expect(response.status, path).toBe(400);
        const body = await response.json();
        expect(body.error.code).toBe('bad_request');
        expect(body.error.message).toMatch(new RegExp(`^${name}\\b`));
        expect(JSON.stringify(body)).not.toMatch(/\bat .*\.ts:\d+/);
      }
    });
  });

  describe('GET /search.rss', () => {
    it('is an RSS 2.0 channel with one item per hit, newest first, guid not a permalink, dates in RFC 822 form', async () => {
      const app = await open();
      const response = await app.request('/search.rss?q=truce&limit=100');
      expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
      const { rss } = xml.parse(await response.text());
      expect(rss['@version']).toBe('2.0');
      const channel = rss.channel;
      expect(channel['atom:link'][0]['@href']).toBe('http://localhost/search.rss?q=truce&limit=100');
      expect(channel.link[0]).toBe('http://localhost/?q=truce&group=paragraph');
      const atomIds = xml.parse(await (await app.request('/search.atom?q=truce&limit=100')).text()).feed.entry.map((entry: { id: string }) => entry.id);
      expect(channel.item.map((item: { guid: { '#text': string } }) => item.guid['#text'])).toEqual(atomIds);
      expect(channel.item.every((item: { guid: Record<string, string> }) => item.guid['@isPermaLink'] === 'false')).toBe(true);
      const times = channel.item.filter((item: { pubDate?: string }) => item.pubDate !== undefined).map((item: { pubDate: string }) => Date.parse(item.pubDate));
      expect(times.every((time: number) => !Number.isNaN(time))).toBe(true);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });
  });

  describe('GET /search.csv', () => {
    it('holds every match, in the order of /search, past the page size, with a header, CRLF and a BOM', async () => {
      const app = await open();
      const { status, headers, text } = await exportText(app, '/search.csv?q=truce&limit=5&offset=3');
      expect(status).toBe(200);
      expect(headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
      expect(headers.get('content-disposition')).toBe('attachment; filename="news-search-truce.csv"');
      expect(text.startsWith(`${BOM}id,articleId,paragraph,title,source,date,url,language,copyOf,snippet\r\n`)).toBe(true);
      // No field here holds a line break: every line ends with CRLF.
      expect(text.replace(/\r\n/g, '')).not.toContain('\n');
      const rows: Array<Record<string, string>> = parseCsv(text, { bom: true, columns: true, record_delimiter: '\r\n' });
      const hits = await allHits(app, 'q=truce');
      expect(hits.length).toBeGreaterThan(CHUNK * 4);
      expect(headers.get('x-total-count')).toBe(String(hits.length));
      expect(rows.map((row) => row.id)).toEqual(hits.map((hit) => hit.id));
      expect(rows[0]).toMatchObject({ articleId: hits[0]?.articleId, paragraph: String(hits[0]?.paragraph), language: '' });
    });

    it('keeps the order of sort=newest and oldest across chunks, undated rows last', async () => {
      const app = await open();
      for (const sort of ['newest', 'oldest']) {
        const rows: Array<Record<string, string>> = parseCsv((await exportText(app, `/search.csv?q=truce&sort=${sort}`)).text, { bom: true, columns: true });
        expect(rows.map((row) => row.id), sort).toEqual((await allHits(app, `q=truce&sort=${sort}`)).map((hit) => hit.id));
        const firstUndated = rows.findIndex((row) => row.date === '');
        expect(rows.slice(firstUndated).every((row) => row.date === ''), sort).toBe(true);
      }
    });

    it('keeps the order of relaxed matching (most words held first) across chunks', async () => {
      const app = await open();
      const query = 'q=truce+night+zeppelin';
      const hits = await allHits(app, query);
      expect((await (await app.request(`/search?${query}`)).json()).relaxed).toBe(true);
      const rows: Array<Record<string, string>> = parseCsv((await exportText(app, `/search.csv?${query}`)).text, { bom: true, columns: true });
      expect(rows.map((row) => row.id)).toEqual(hits.map((hit) => hit.id));
      expect(rows.length).toBeGreaterThan(CHUNK * 4);
    });

    it('has one row per article with group=article, and one per copy cluster, its copyOf said, with collapse=copies', async () => {
      const app = await open();
      const grouped: Array<Record<string, string>> = parseCsv((await exportText(app, '/search.csv?q=truce&group=article')).text, { bom: true, columns: true });
      expect(grouped.map((row) => row.id)).toEqual((await allHits(app, 'q=truce&group=article')).map((hit) => hit.id));
      expect(new Set(grouped.map((row) => row.articleId)).size).toBe(grouped.length);
      const copies: Array<Record<string, string>> = parseCsv((await exportText(app, '/search.csv?q=negotiators')).text, { bom: true, columns: true });
      expect(copies.map((row) => [row.articleId, row.copyOf]).sort()).toEqual([
        ['herald', 'wire'],
        ['wire', 'wire'],
      ]);
      const collapsed: Array<Record<string, string>> = parseCsv((await exportText(app, '/search.csv?q=negotiators&collapse=copies')).text, { bom: true, columns: true });
      expect(collapsed.map((row) => [row.articleId, row.copyOf])).toEqual([['wire', 'wire']]);
    });

    it('writes titles and snippets as plain text, quoted where RFC 4180 wants, formulas defused', async () => {
      const app = await open([
        makeArticle({ id: 'a', title: 'Comma, "quote"\nand line', source: '=HYPERLINK("x")', paragraphs: ['The truce & <b>talks</b>, "quoted".'] }),
      ]);
      const { text } = await exportText(app, '/search.csv?q=truce');
      const [row] = parseCsv(text, { bom: true, columns: true }) as Array<Record<string, string>>;
      expect(row).toMatchObject({ title: 'Comma, "quote"\nand line', source: '\'=HYPERLINK("x")', snippet: 'The truce & <b>talks</b>, "quoted".', copyOf: '', date: '' });
    });

    it('is a header alone when nothing matches', async () => {
      const app = await open();
      const { status, headers, text } = await exportText(app, '/search.csv?q=zzzunknownword');
      expect(status).toBe(200);
      expect(headers.get('x-total-count')).toBe('0');
      expect(text).toBe(`${BOM}id,articleId,paragraph,title,source,date,url,language,copyOf,snippet\r\n`);
    });

    it('answers 400 naming the parameter before anything is streamed', async () => {
      const app = await open();
      for (const [path, name] of [
        ['/search.csv?q=', 'q'],
        ['/search.jsonl?q=truce&group=story', 'group'],
        ['/search.csv?q=truce&collapse=yes', 'collapse'],
        ['/search.jsonl?q=truce&q=again', 'q'],
        ['/search.csv?q=truce&offset=-1', 'offset'],
      ] as const) {
        const response = await app.request(path);
        expect(response.status, path).toBe(400);
        expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
        expect((await response.json()).error.message, path).toMatch(new RegExp(`^${name}\\b`));
      }
      const negated = await app.request('/search.csv?q=-truce');
      expect(negated.status).toBe(400);
    });
  });

  describe('GET /search.jsonl', () => {
    it('has one JSON object per line per match, with the columns of the CSV and null for what is unknown', async () => {
      const app = await open();
      const { headers, text } = await exportText(app, '/search.jsonl?q=truce&sort=newest');
      expect(headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      expect(headers.get('content-disposition')).toBe('attachment; filename="news-search-truce.jsonl"');
      expect(text.endsWith('\n')).toBe(true);
      const rows = text.trimEnd().split('\n').map((line) => JSON.parse(line));
      const hits = await allHits(app, 'q=truce&sort=newest');
      expect(rows.map((row) => row.id)).toEqual(hits.map((hit) => hit.id));
      expect(Object.keys(rows[0])).toEqual(['id', 'articleId', 'paragraph', 'title', 'source', 'date', 'url', 'language', 'copyOf', 'snippet']);
      const odd = rows.find((row) => row.articleId === 'odd');
      expect(odd).toMatchObject({ title: 'Odd <b>title</b> & "quotes" \'here\' \u0001\u0008\u000b\u001f\uFFFE bell', snippet: 'The truce & the <script>alert(1)</script> tag.', date: '2023-12-01', url: null, language: null, copyOf: null });
    });
  });

  describe('export streaming', () => {
    it('searches for the next chunk only when the client has read the rows before it', async () => {
      const counts = { searches: 0, hits: 0 };
      const app = await open(archive(), { observe: (backend) => counting(backend, counts) });
      const response = await app.request('/search.jsonl?q=truce');
      expect(counts).toEqual({ searches: 1, hits: CHUNK });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let lines = 0;
      const decoder = new TextDecoder();
      for (let reads = 0; reads < 3; reads += 1) {
        const { value } = await reader.read();
        lines += decoder.decode(value).split('\n').length - 1;
      }
      // The client has read three chunks; the server has searched for no more than those.
      for (let turn = 0; turn < 20; turn += 1) await nextTurn();
      expect(lines).toBe(3 * CHUNK);
      expect(counts.searches).toBe(3);
      expect(counts.hits - lines).toBe(0);
      await reader.cancel();
    });

    it('stops searching when the client goes away mid-export', async () => {
      const counts = { searches: 0, hits: 0 };
      const app = await open(archive(), { observe: (backend) => counting(backend, counts) });
      const response = await app.request('/search.csv?q=truce');
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      await reader.read();
      await reader.cancel();
      const after = counts.searches;
      for (let turn = 0; turn < 20; turn += 1) await nextTurn();
      expect(after).toBe(2);
      expect(counts.searches).toBe(after);
      const total = Number(response.headers.get('x-total-count'));
      expect(total).toBeGreaterThan(CHUNK * 4);
    });
  });

  describe('on the seed', () => {
    it('exports the two ceasefire paragraphs with their plain snippets', async () => {
      const app = await open([await readSeed()]);
      const rows = (await exportText(app, '/search.jsonl?q=ceasefire')).text.trimEnd().split('\n').map((line) => JSON.parse(line));
      expect(rows.map((row) => row.paragraph)).toEqual([4, 5]);
      expect(rows.every((row) => row.source === 'Radio Habana Cuba' && !row.snippet.includes('<mark>'))).toBe(true);
      expect(rows[0].snippet).toContain('the first priority is the ceasefire');
    });
  });
});
