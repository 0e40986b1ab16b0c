/**
 * @module test/server/page-exports
 * The "Export" and "Subscribe to this search" links of the search page, in a real browser (SPEC
 * §7, §11): they carry the current search with its filters, what they point at is the export
 * or feed of the same hits, they hide when nothing matched, and they fit a phone's screen.
 * Headless Chromium is driven by playwright-core; any console error fails the test.
 */
import { XMLParser } from 'fast-xml-parser';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../src/server/listen.ts';
import { useBrowser, PHONE, SCREENSHOTS } from './browser.ts';
import { makeArticle, writableApp } from '../helpers.ts';

/** Fourteen harbour notices from two outlets (more than a page of results), and one article on something else. */
const ARCHIVE = [
  ...Array.from({ length: 14 }, (_, index) =>
    makeArticle({
      id: `notice-${index + 1}`,
      title: `Harbour notice ${index + 1} <b>urgent</b>`,
      source: index % 2 === 0 ? 'Harbour Board' : 'Coast Courier',
      date: `2024-04-${String(index + 1).padStart(2, '0')}`,
      paragraphs: [`Notice ${index + 1}: moorings ${index * 7 + 3} to ${index * 7 + 9} are reassigned, ask at the harbour office.`],
    }),
  ),
  makeArticle({ id: 'orchards', title: 'Apple harvest starts early', source: 'Orchard Times', date: '2024-03-06', paragraphs: ['Growers began picking a fortnight early after a warm winter.'] }),
];

let server: Listening;
let cleanup: () => Promise<void>;
const browser = useBrowser();
const { problems } = browser;

beforeAll(async () => {
  const fixture = await writableApp({ articles: ARCHIVE });
  cleanup = fixture.cleanup;
  server = await listen(fixture.app, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
  await cleanup?.();
});

/** Opens `path` in a fresh browser context and records anything that goes wrong on the page. */
async function open(path: string, viewport = { width: 1200, height: 800 }): Promise<Page> {
  return browser.open(`${server.url}${path}`, { viewport });
}

const status = (page: Page, text: string | RegExp) => page.locator('#status', { hasText: text }).waitFor();
const link = (page: Page, format: string) => page.locator(`#export-links a[data-format="${format}"]`);
/** The query parameters of a link's href. */
async function hrefParams(page: Page, format: string): Promise<{ path: string; params: Array<[string, string]> }> {
  const url = new URL((await link(page, format).getAttribute('href')) ?? '', server.url);
  return { path: url.pathname, params: [...url.searchParams] };
}

describe('export and subscribe links', () => {
  it('carry the current search and its filters, and lead to every matching row and to a feed of them', async () => {
    const page = await open('/?q=harbour&group=paragraph&sort=oldest&source=Harbour+Board&from=2024-04-02');
    await status(page, '6 paragraphs match');
    expect(await page.locator('#export-links').isVisible()).toBe(true);
    expect(await page.locator('#export-links').innerText()).toBe('Export CSV · JSON Lines · Subscribe to this search');
    const filters: Array<[string, string]> = [
      ['source', 'Harbour Board'],
      ['from', '2024-04-02'],
    ];
    expect(await hrefParams(page, 'csv')).toEqual({ path: '/search.csv', params: [['q', 'harbour'], ['group', 'paragraph'], ['sort', 'oldest'], ...filters] });
    expect(await hrefParams(page, 'jsonl')).toEqual({ path: '/search.jsonl', params: [['q', 'harbour'], ['group', 'paragraph'], ['sort', 'oldest'], ...filters] });
    expect(await hrefParams(page, 'atom')).toEqual({ path: '/search.atom', params: [['q', 'harbour'], ['group', 'paragraph'], ...filters] });
    expect(await link(page, 'csv').getAttribute('download')).not.toBeNull();
    await page.screenshot({ path: `${SCREENSHOTS}page-exports-desktop.png`, fullPage: true });
    // What the links point at: the same six paragraphs, oldest first in the export, newest first in the feed.
    const fetchLink = async (format: string) => (await page.request.get(new URL((await link(page, format).getAttribute('href')) ?? '', server.url).href)).text();
    const csv = await fetchLink('csv');
    const rows: Array<Record<string, string>> = parseCsv(csv, { bom: true, columns: true });
    expect(rows.map((row) => row.articleId)).toEqual(['notice-3', 'notice-5', 'notice-7', 'notice-9', 'notice-11', 'notice-13']);
    const atom = await fetchLink('atom');
    const entries = new XMLParser({ isArray: (name) => name === 'entry' }).parse(atom).feed.entry;
    expect(entries.map((entry: { title: string }) => entry.title)).toEqual(rows.map((row) => row.title).reverse());
    expect(problems).toEqual([]);
  });

  it('follow the search as it changes: a new page, grouping or filter updates them', async () => {
    const page = await open('/?q=harbour');
    await status(page, /14 (stories|articles) match/);
    expect((await hrefParams(page, 'csv')).params).toEqual([['q', 'harbour'], ['group', 'article'], ['collapse', 'copies']]);
    await page.locator('#pager a', { hasText: /next|2/i }).first().click();
    await status(page, /showing 11–14/);
    // Paging does not change what is exported: every match, not a page.
    expect((await hrefParams(page, 'csv')).params).toEqual([['q', 'harbour'], ['group', 'article'], ['collapse', 'copies']]);
    await page.goto(`${server.url}/?q=harbour&source=Coast+Courier`);
    await status(page, /7 (stories|articles) match/);
    expect((await hrefParams(page, 'jsonl')).params).toContainEqual(['source', 'Coast Courier']);
    expect(problems).toEqual([]);
  });

  it('are hidden when nothing matches', async () => {
    const page = await open('/?q=zeppelin');
    await status(page, /No .* match/);
    expect(await page.locator('#export-links').isHidden()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('fit a 390 px screen without sideways scrolling, and escape the query in their addresses', async () => {
    const page = await open('/?q=harbour+%3Cb%3Eurgent%3C%2Fb%3E', PHONE);
    await status(page, /match/);
    expect(await page.locator('#export-links').isVisible()).toBe(true);
    const box = await page.locator('#export-links').boundingBox();
    expect(box === null ? Number.POSITIVE_INFINITY : box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) > window.innerWidth)).toBe(false);
    expect((await hrefParams(page, 'atom')).params[0]).toEqual(['q', 'harbour <b>urgent</b>']);
    expect(await page.locator('main b').count()).toBe(0);
    await page.locator('#export-links').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}page-exports-phone.png` });
    expect(problems).toEqual([]);
  });
});
