/**
 * @module test/server/page-copies
 * Wire copies and provenance on the search page, in a real browser (SPEC §7, §10): a result that
 * stands for a copy cluster says where else it ran and lists the copies on demand; a control shows
 * every copy instead; the article view lists its copies and says when it copies an earlier one;
 * the provenance timeline of a phrase, its pages, and its empty and error states. The archive is
 * POSTed by the test to an embedded backend listening on loopback; headless Chromium is driven
 * by playwright-core, and any console error fails the test.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../src/server/listen.ts';
import { useBrowser, PHONE, SCREENSHOTS, type OpenOptions } from './browser.ts';
import { makeArticle, writableApp } from '../helpers.ts';

/** A wire story of our own, as the agency sent it. */
const WIRE = [
  'The coastal road bridge at Marrow Point was shut on Monday after engineers found cracks in two of its supporting piers.',
  'A spokeswoman for the roads authority said the bridge will stay closed until further notice while divers inspect the footings.',
  'Commuters face a detour of about forty minutes through the valley, and ferry operators said they would add crossings.',
  'The bridge, opened in 1968, carries around twelve thousand vehicles a day and was last strengthened a decade ago.',
];
/** The phrase the timeline traces. */
const QUOTE = 'stay closed until further notice';

const ARCHIVE = [
  makeArticle({ id: 'coast-wire', title: 'Marrow Point bridge shut after cracks found', source: 'Coast Wire', date: '2024-03-04', url: 'https://coastwire.example/bridge', paragraphs: WIRE }),
  // The same story, a day later, under a new headline (with markup in it) and a local dateline.
  makeArticle({ id: 'valley-courier', title: 'Bridge shut <b>again</b>: detour for valley drivers', source: 'Valley Courier', date: '2024-03-05', paragraphs: ['MARROW POINT (Valley Courier) —', ...WIRE] }),
  // And three days later, one word changed.
  makeArticle({ id: 'harbour-gazette', title: 'Cracks close the coast bridge', source: 'Harbour Gazette', date: '2024-03-07', paragraphs: [...WIRE.slice(0, 3), WIRE[3]!.replace('twelve', 'eleven')] }),
  // Written independently, quoting the authority a week on.
  makeArticle({
    id: 'weekly-ledger',
    title: 'A week without the bridge',
    source: 'Weekly Ledger',
    date: '2024-03-12',
    paragraphs: ['Shopkeepers in Marrow Point say trade has halved since the bridge closed.', `The roads authority repeats that the crossing will ${QUOTE}, and has named no date.`],
  }),
  makeArticle({ id: 'blog-notes', title: 'Notes from the detour', source: 'Detour Blog', date: null, paragraphs: [`Told again today that the bridge will ${QUOTE}. Forty minutes each way.`] }),
  makeArticle({ id: 'orchards', title: 'Apple harvest starts early', source: 'Orchard Times', date: '2024-03-06', paragraphs: ['Growers began picking a fortnight early after a warm winter in the valley.'] }),
  // Twenty-two notices holding one phrase, a day apart: two pages of the timeline.
  ...Array.from({ length: 22 }, (_, index) =>
    makeArticle({
      id: `notice-${index + 1}`,
      title: `Harbour notice ${index + 1}`,
      source: `Notice Board ${index + 1}`,
      date: `2024-04-${String(index + 1).padStart(2, '0')}`,
      paragraphs: [`Notice ${index + 1} of the spring season: moorings ${index * 7 + 3} to ${index * 7 + 9} are reassigned, ask at the harbour office before sailing.`],
    }),
  ),
];

let server: Listening;
let cleanup: () => Promise<void>;
const browser = useBrowser();
const { problems } = browser;

beforeAll(async () => {
  const fixture = await writableApp();
  cleanup = fixture.cleanup;
  server = await listen(fixture.app, { host: '127.0.0.1', port: 0 });
  // Written through the API, as a newsroom's feed would: copy detection runs as they arrive.
  const response = await fetch(`${server.url}/articles`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ARCHIVE) });
  if (response.status !== 201) throw new Error(`POST /articles answered ${response.status}: ${await response.text()}`);
});

afterAll(async () => {
  await server?.close();
  await cleanup?.();
});

/** Opens `path` in a fresh browser context and records anything that goes wrong on the page. */
async function open(path: string, options: OpenOptions = {}): Promise<Page> {
  return browser.open(`${server.url}${path}`, options);
}

/** Waits until the status line reads `text`. */
const status = (page: Page, text: string | RegExp) => page.locator('#status', { hasText: text }).waitFor();
/** Whether the page scrolls sideways. */
const scrollsSideways = (page: Page) => page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) > window.innerWidth);
/** The page URL's query parameters. */
const params = (page: Page) => new URL(page.url()).searchParams;

describe('copies in the results', () => {
  it('groups a wire story and its copies into one result that says where else it ran, and lists them when expanded', async () => {
    const page = await open('/?q=bridge');
    // The wire story and its two copies are one story; the Ledger's piece and the blog are two more.
    await status(page, '3 stories match');
    const wire = page.locator('.hit[data-article="coast-wire"]');
    const toggle = wire.locator('button.also-ran-toggle');
    expect(await toggle.textContent()).toBe('Also ran in 2 other outlets');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator('.hit[data-article="weekly-ledger"] .also-ran').count()).toBe(0);
    expect(await wire.locator('.hit-matching').textContent()).toBe('3 matching paragraphs');
    // A query without a phrase is not offered a trace.
    expect(await page.locator('#trace-link').isHidden()).toBe(true);
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const list = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    await list.locator('.copy-item').first().waitFor();
    expect(await list.locator('.copy-item').allTextContents()).toEqual([
      'Bridge shut <b>again</b>: detour for valley drivers Valley Courier · 5 Mar 2024',
      'Cracks close the coast bridge Harbour Gazette · 7 Mar 2024',
    ]);
    expect(await page.locator('main b').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}page-copies-results.png`, fullPage: true });
    await toggle.click();
    expect(await list.isHidden()).toBe(true);
    await toggle.click();
    await list.locator('.copy-link', { hasText: 'Cracks close the coast bridge' }).click();
    await page.locator('.reader-title', { hasText: 'Cracks close the coast bridge' }).waitFor();
    expect([params(page).get('article'), params(page).get('q')]).toEqual(['harbour-gazette', 'bridge']);
    expect(problems).toEqual([]);
  });

  it('shows every copy when the reader asks, keeping the choice in the URL', async () => {
    const page = await open('/?q=bridge');
    await status(page, '3 stories match');
    const control = page.getByLabel('Show every copy of a wire story');
    expect(await control.isChecked()).toBe(false);
    await control.check();
    await status(page, '5 articles match');
    expect(params(page).get('copies')).toBe('all');
    expect(await page.locator('.also-ran').count()).toBe(0);
    expect(await page.locator('.hit').evaluateAll((hits) => hits.map((hit) => hit.getAttribute('data-article')).sort())).toEqual(['blog-notes', 'coast-wire', 'harbour-gazette', 'valley-courier', 'weekly-ledger']);
    await page.goBack();
    await status(page, '3 stories match');
    expect(await control.isChecked()).toBe(false);
    const shared = await open('/?q=bridge&copies=all');
    await status(shared, '5 articles match');
    expect(await shared.getByLabel('Show every copy of a wire story').isChecked()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('says in plain words when the copies cannot be loaded, and tries again when reopened', async () => {
    const page = await open('/?q=bridge', { expectStatuses: [503] });
    await status(page, '3 stories match');
    let refuse = true;
    await page.route('**/articles/coast-wire', (route) =>
      refuse ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"too many searches in flight"}}' }) : route.continue(),
    );
    const toggle = page.locator('.hit[data-article="coast-wire"] .also-ran-toggle');
    await toggle.click();
    await page.locator('.hit[data-article="coast-wire"] .also-ran-error[role="alert"]', { hasText: 'The archive is busy right now. Try again in a few seconds.' }).waitFor();
    refuse = false;
    await toggle.click();
    await toggle.click();
    await page.locator('.hit[data-article="coast-wire"] .copy-item').first().waitFor();
    expect(await page.locator('.hit[data-article="coast-wire"] .copy-item').count()).toBe(2);
    expect(problems).toEqual([]);
  });

  it('fits a result\'s copies at 390 px', async () => {
    const page = await open('/?q=bridge', { viewport: PHONE });
    await status(page, '3 stories match');
    await page.locator('.hit[data-article="coast-wire"] .also-ran-toggle').click();
    await page.locator('.hit[data-article="coast-wire"] .copy-item').first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}page-copies-phone.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});

describe('copies in the article view', () => {
  it('lists the other copies earliest first, and names the earlier article this one copies', async () => {
    const page = await open('/?q=bridge&article=valley-courier');
    const section = page.locator('.reader-copies');
    await section.waitFor();
    expect(await section.locator('.reader-copies-title').textContent()).toBe('Also ran in 2 outlets');
    expect(await section.locator('.copies-note').textContent()).toBe('A copy of an earlier article: Marrow Point bridge shut after cracks found (Coast Wire, 4 Mar 2024).');
    expect(await section.locator('.copy-item').evaluateAll((items) => items.map((item) => item.getAttribute('data-article')))).toEqual(['coast-wire', 'harbour-gazette']);
    // Above the article's text.
    const [copiesBox, firstParagraph] = [await section.boundingBox(), await page.locator('.paragraph').first().boundingBox()];
    expect(copiesBox !== null && firstParagraph !== null && copiesBox.y < firstParagraph.y).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}page-copies-article.png` });
    await section.locator('.copy-of-link').click();
    await page.locator('.reader-title', { hasText: 'Marrow Point bridge shut after cracks found' }).waitFor();
    expect(await page.locator('.reader-copies .copies-note').textContent()).toBe('The earliest of its copies in the archive.');
    expect(await page.locator('.reader-copies .copy-item .copy-link').allTextContents()).toEqual(['Bridge shut <b>again</b>: detour for valley drivers', 'Cracks close the coast bridge']);
    await page.goBack();
    await page.locator('.reader-title', { hasText: 'detour for valley drivers' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('fits the article\'s copies at 390 px', async () => {
    const page = await open('/?q=bridge&article=harbour-gazette', { viewport: PHONE });
    await page.locator('.reader-copies .copy-item').first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}page-copies-article-phone.png` });
    expect(problems).toEqual([]);
  });

  it('says nothing of copies for an article that has none', async () => {
    const page = await open('/?article=orchards');
    await page.locator('.reader-title', { hasText: 'Apple harvest starts early' }).waitFor();
    expect(await page.locator('.reader-copies').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});

describe('the provenance timeline', () => {
  it('traces a phrase from the results: first seen where and when, then every appearance oldest first', async () => {
    const page = await open(`/?q=${encodeURIComponent(`"${QUOTE}"`)}`);
    await status(page, '3 stories match');
    await page.screenshot({ path: `${SCREENSHOTS}page-provenance-link.png` });
    await page.locator('#trace-link', { hasText: 'Trace where this first appeared' }).click();
    const timeline = page.locator('#provenance');
    await timeline.locator('.provenance-summary').waitFor();
    expect(params(page).get('trace')).toBe('1');
    expect(await timeline.locator('.provenance-title').textContent()).toBe(`Where this first appeared: "${QUOTE}"`);
    expect(await timeline.locator('.provenance-summary').textContent()).toBe('First seen 4 Mar 2024 in Coast Wire; then 4 more outlets over 8 days.');
    expect(await timeline.locator('.provenance-count').textContent()).toBe('5 articles hold it · showing 1–5, oldest first');
    const appearances = timeline.locator('.appearance');
    expect(await appearances.evaluateAll((items) => items.map((item) => item.getAttribute('data-article')))).toEqual(['coast-wire', 'valley-courier', 'harbour-gazette', 'weekly-ledger', 'blog-notes']);
    expect(await appearances.locator('.appearance-date').allTextContents()).toEqual(['4 Mar 2024', '5 Mar 2024', '7 Mar 2024', '12 Mar 2024', 'undated']);
    expect(await appearances.locator('.hit-source').allTextContents()).toEqual(['Coast Wire', 'Valley Courier', 'Harbour Gazette', 'Weekly Ledger', 'Detour Blog']);
    expect(await timeline.locator('.appearance:has(.copy-badge)').evaluateAll((items) => items.map((item) => item.getAttribute('data-article')))).toEqual(['valley-courier', 'harbour-gazette']);
    expect(await timeline.locator('.copy-badge').first().textContent()).toBe('copy of an earlier article');
    expect(await appearances.nth(1).locator('.hit-link').textContent()).toBe('Bridge shut <b>again</b>: detour for valley drivers');
    expect((await appearances.nth(3).locator('.snippet mark').allTextContents()).join(' ').toLowerCase()).toBe(QUOTE);
    expect(await page.locator('main b, main script').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}page-provenance.png`, fullPage: true });
    // A title opens the article at the paragraph that holds the quote, and back returns to the timeline.
    await appearances.nth(1).locator('.hit-link').click();
    const target = page.locator('.paragraph.is-target');
    await target.locator('mark').first().waitFor();
    expect(await target.getAttribute('data-paragraph')).toBe('3');
    await page.locator('#reader .back', { hasText: '← Back to the timeline' }).click();
    await timeline.locator('.provenance-summary').waitFor();
    await timeline.locator('.back').click();
    await status(page, '3 stories match');
    expect(problems).toEqual([]);
  });

  it('fits 390 px', async () => {
    const page = await open(`/?q=${encodeURIComponent(`"${QUOTE}"`)}&trace=1`, { viewport: PHONE });
    await page.locator('#provenance .appearance').first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}page-provenance-phone.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('pages through appearances when they fill more than a page', async () => {
    const page = await open(`/?q=${encodeURIComponent('"harbour office"')}&trace=1`);
    const timeline = page.locator('#provenance');
    await timeline.locator('.provenance-count', { hasText: '22 articles hold it · showing 1–20, oldest first' }).waitFor();
    expect(await timeline.locator('.provenance-unfiltered').count()).toBe(0);
    expect(await timeline.locator('.provenance-summary').textContent()).toBe('First seen 1 Apr 2024 in Notice Board 1; then 21 more outlets over 21 days.');
    expect(await timeline.locator('.appearance').count()).toBe(20);
    await timeline.locator('.pager-next').click();
    await timeline.locator('.provenance-count', { hasText: 'showing 21–22' }).waitFor();
    expect(params(page).get('page')).toBe('2');
    expect(await timeline.locator('.appearance .hit-source').allTextContents()).toEqual(['Notice Board 21', 'Notice Board 22']);
    // The headline is the whole trace's, whatever the page.
    expect(await timeline.locator('.provenance-summary').textContent()).toBe('First seen 1 Apr 2024 in Notice Board 1; then 21 more outlets over 21 days.');
    expect(await timeline.locator('.pager-position').textContent()).toBe('Page 2 of 2');
    await page.goBack();
    await timeline.locator('.provenance-count', { hasText: 'showing 1–20' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('says the search\'s filters do not narrow the trace', async () => {
    const page = await open(`/?q=${encodeURIComponent(`"${QUOTE}"`)}&source=Weekly+Ledger`);
    await status(page, '1 story matches');
    await page.locator('#trace-link').click();
    await page.locator('#provenance .provenance-unfiltered', { hasText: 'Traced across the whole archive' }).waitFor();
    expect(await page.locator('#provenance .appearance').count()).toBe(5);
    expect(problems).toEqual([]);
  });

  it('says in plain words when nothing holds the phrase, and what to try', async () => {
    const page = await open(`/?q=${encodeURIComponent('"bridge of sighs"')}&trace=1`);
    const timeline = page.locator('#provenance');
    await timeline.locator('.status.is-empty').waitFor();
    expect(await timeline.locator('.status.is-empty').textContent()).toBe('No article in the archive holds "bridge of sighs", so there is nothing to trace.');
    // The phrase's words, loose, stay on the timeline.
    const loose = new URL(await timeline.locator('.advice-query', { hasText: 'bridge of sighs' }).getAttribute('href') ?? '', server.url).searchParams;
    expect([loose.get('q'), loose.get('trace')]).toEqual(['bridge of sighs', '1']);
    expect(problems).toEqual([]);
  });

  it('puts a refused or failed trace into plain words, with a way to try again when that may help', async () => {
    const page = await open(`/?q=${encodeURIComponent('-bridge')}&trace=1`, { expectStatuses: [400, 503] });
    const alert = page.locator('#provenance [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Add a word or phrase to look for\./);
    expect(await page.locator('#provenance').textContent()).not.toMatch(/must hold/);
    let refuse = true;
    await page.route('**/provenance?**', (route) =>
      refuse ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"too many searches in flight"}}' }) : route.continue(),
    );
    await page.goto(`${server.url}/?q=${encodeURIComponent(`"${QUOTE}"`)}&trace=1`);
    await page.locator('#provenance [role="alert"]', { hasText: 'The archive is busy right now. Try again in a few seconds.' }).waitFor();
    refuse = false;
    await page.locator('#provenance .advice-retry').click();
    await page.locator('#provenance .provenance-summary').waitFor();
    expect(problems).toEqual([]);
  });
});

/** The page's wording, loaded by URL: the modules are browser JavaScript without DOM use at load. */
type CopiesModule = { alsoRanText(copies: { count: number; sources: string[]; first: string | null; last: string | null }, source: string | null): string };
type ProvenanceModule = { provenanceSummary(trace: unknown): string };
const asset = async <T>(name: string) => (await import(new URL(`../../src/server/page/assets/${name}`, import.meta.url).href)) as T;

describe('alsoRanText', () => {
  it('counts the outlets besides the result\'s own, in the singular for one', async () => {
    const { alsoRanText } = await asset<CopiesModule>('copies.js');
    const cluster = (count: number, sources: string[]) => ({ count, sources, first: null, last: null });
    expect(alsoRanText(cluster(2, ['Coast Wire', 'Valley Courier']), 'Coast Wire')).toBe('Also ran in 1 other outlet');
    expect(alsoRanText(cluster(8, ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']), 'a')).toBe('Also ran in 7 other outlets');
  });

  it('counts articles instead when the copies name no other source', async () => {
    const { alsoRanText } = await asset<CopiesModule>('copies.js');
    expect(alsoRanText({ count: 2, sources: [], first: null, last: null }, null)).toBe('Also ran as 1 other article');
    expect(alsoRanText({ count: 3, sources: ['Coast Wire'], first: null, last: null }, 'Coast Wire')).toBe('Also ran as 2 other articles');
  });
});

describe('provenanceSummary', () => {
  const appearance = (source: string | null, date: string | null) => ({ articleId: 'a', paragraph: 1, title: 'T', source, date, url: null, snippet: '', copyOf: null, earlierCopy: false });

  it('says where and when it was first seen, then how many more outlets over how many days', async () => {
    const { provenanceSummary } = await asset<ProvenanceModule>('provenance.js');
    expect(provenanceSummary({ total: 3, outlets: 2, days: 1, first: appearance('Coast Wire', '2024-03-04') })).toBe('First seen 4 Mar 2024 in Coast Wire; then 1 more outlet over 1 day.');
    expect(provenanceSummary({ total: 3, outlets: 3, days: 0, first: appearance('Coast Wire', '2024-03-04') })).toBe('First seen 4 Mar 2024 in Coast Wire; then 2 more outlets the same day.');
    expect(provenanceSummary({ total: 2, outlets: 2, days: null, first: appearance('Detour Blog', null) })).toBe('First seen in Detour Blog (undated); then 1 more outlet.');
  });

  it('says when it appeared nowhere else, or only in the same outlet', async () => {
    const { provenanceSummary } = await asset<ProvenanceModule>('provenance.js');
    expect(provenanceSummary({ total: 1, outlets: 1, days: 0, first: appearance('Coast Wire', '2024-03-04') })).toBe('First seen 4 Mar 2024 in Coast Wire; nowhere else in the archive.');
    expect(provenanceSummary({ total: 3, outlets: 1, days: 5, first: appearance('Coast Wire', '2024-03-04') })).toBe('First seen 4 Mar 2024 in Coast Wire; then 2 more articles from the same outlet over 5 days.');
    expect(provenanceSummary({ total: 0, outlets: 0, days: null, first: null })).toBe('');
  });
});
