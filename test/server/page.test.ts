/**
 * @module test/server/page
 * The search page in a real browser: the app listens on a free loopback port over a temporary
 * corpus, and headless Chromium (Debian's `/usr/bin/chromium`, driven by playwright-core)
 * searches, filters, pages and reads. Every wait is on something the page shows, never on time.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../src/server/listen.ts';
import { makeArticle, readSeed, writableApp } from '../helpers.ts';

/** Where Debian puts Chromium; CI installs it (`.ci/run`). */
const CHROMIUM = '/usr/bin/chromium';
/** Flags for Chromium on a closed network, as root, with nothing to sync or update. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Screenshots for a reviewer to look at (gitignored). */
const SCREENSHOTS = new URL('../../test-results/', import.meta.url).pathname;
/** The seed article's id (derived from its URL). */
const SEED_ID = 'd817ff46126ee7c9';
/** A paragraph that holds markup, which must show as text and never run. */
const MARKUP = 'The draft of the ceasefire story held <script>alert(1)</script> and <b>bold</b> and <img src=x onerror="alert(2)"> as text.';

const ARTICLES = [
  makeArticle({
    id: 'gulf-truce',
    title: 'Qatar announces four-day truce in Gaza',
    source: 'Gulf Times',
    date: '2023-11-22',
    url: 'https://example.com/gulf-truce',
    paragraphs: [
      'Qatar said on Wednesday that Israel and Hamas had agreed to a four-day truce.',
      'Aid convoys are to enter Gaza during the pause, mediators said.',
      'A ceasefire had been sought for weeks by Qatari and Egyptian negotiators.',
    ],
  }),
  makeArticle({
    id: 'nile-talks',
    title: 'Talks resume in Cairo',
    source: 'Nile Wire',
    date: '2023-10-15',
    paragraphs: ['Negotiators met again in Cairo on Sunday.', 'Diplomats said a ceasefire was not yet in sight.'],
  }),
  makeArticle({
    id: 'markup',
    title: 'Editor pasted <b>bold</b> markup',
    source: 'Test Wire',
    date: '2023-12-05',
    paragraphs: ['A note on how the archive keeps copy as written.', MARKUP],
  }),
  // Twelve one-paragraph bulletins, one a month: two pages of articles and twelve bars.
  ...Array.from({ length: 12 }, (_, index) =>
    makeArticle({
      id: `bulletin-${index + 1}`,
      title: `Bulletin number ${index + 1}`,
      source: 'Bulletin Service',
      date: `2023-${String(index + 1).padStart(2, '0')}-10`,
      paragraphs: [`Bulletin ${index + 1}: the humanitarian pause held overnight, observers said.`],
    }),
  ),
];

let browser: Browser;
let server: Listening;
let cleanup: () => Promise<void>;
let context: BrowserContext | undefined;
/** What went wrong in the page during a test: uncaught errors, CSP refusals, dialogs. */
let problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install -y --no-install-recommends chromium" (.ci/run does this in CI)`);
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  const fixture = await writableApp({ articles: [await readSeed(), ...ARTICLES] });
  cleanup = fixture.cleanup;
  server = await listen(fixture.app, { host: '127.0.0.1', port: 0 });
  // launch() gives every run a fresh temporary profile (its own --user-data-dir).
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanup?.();
});

/** Opens `path` in a fresh browser context and records anything that goes wrong on the page. */
async function open(path: string, viewport = { width: 1200, height: 800 }): Promise<Page> {
  problems = [];
  context = await browser.newContext({ viewport });
  // Well under the test's own timeout, so a missing element fails with the locator it waited for.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) problems.push(`CSP: ${message.text()}`);
  });
  await page.goto(`${server.url}${path}`);
  return page;
}

/** Types `query` into the search box and submits it. */
async function search(page: Page, query: string): Promise<void> {
  await page.locator('#q').fill('');
  await page.locator('#q').pressSequentially(query);
  await page.locator('#q').press('Enter');
}

/** Waits until the status line reads `text`. */
const status = (page: Page, text: string | RegExp) => page.locator('#status', { hasText: text }).waitFor();

describe('GET /', () => {
  it('shows ranked results with highlighted snippets for a typed query', async () => {
    const page = await open('/');
    await page.locator('#intro-stats', { hasText: '16 articles' }).waitFor();
    await search(page, 'ceasefire');
    await status(page, '4 articles match');
    expect(new URL(page.url()).searchParams.get('q')).toBe('ceasefire');
    const first = page.locator('.hit').first();
    expect(await first.locator('.snippet mark').first().textContent()).toMatch(/^ceasefire$/i);
    expect(await page.locator('.hit[data-article="gulf-truce"] .hit-meta').textContent()).toMatch(/Gulf Times.*22 Nov 2023.*¶ 3.*1 matching paragraph/);
    expect(await page.locator(`.hit[data-article="${SEED_ID}"] .hit-matching`).textContent()).toBe('2 matching paragraphs');
    await page.screenshot({ path: `${SCREENSHOTS}page-results.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('shows how the query was read when it differs from what was typed, and nothing otherwise', async () => {
    const page = await open('/?q=truce%20OR');
    await status(page, /match/);
    const reading = page.locator('#reading');
    expect(await reading.locator('.reading-query').textContent()).toBe('Searched for truce');
    expect(await reading.locator('.reading-warnings li').allTextContents()).toEqual(['A dangling OR is ignored.']);
    await search(page, 'gaza truce');
    await status(page, /match/);
    expect(await reading.isHidden()).toBe(true);
    await search(page, 'gaza iran OR qatar');
    await page.locator('#reading .reading-query', { hasText: 'gaza AND (iran OR qatar)' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}page-reading.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('says when no paragraph holds all the words and those with most of them are shown', async () => {
    const page = await open('/?q=qatar%20truce%20bulletin%20observers');
    await page.locator('#reading .reading-relaxed').waitFor();
    expect(await page.locator('#reading .reading-relaxed').textContent()).toBe('No paragraph holds all the words; showing those with most of them.');
    expect(await page.locator('.hit').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('switches to one hit per paragraph', async () => {
    const page = await open('/?q=ceasefire');
    await status(page, '4 articles match');
    await page.locator('input[name="group"][value="paragraph"]').check();
    await status(page, '5 paragraphs match');
    expect(new URL(page.url()).searchParams.get('group')).toBe('paragraph');
    expect(await page.locator('.hit-matching').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('filters by source, keeping the other sources to choose from', async () => {
    const page = await open('/?q=ceasefire');
    await status(page, '4 articles match');
    await page.locator('.source-option', { hasText: 'Gulf Times' }).locator('input').check();
    await status(page, '1 article matches');
    expect(new URL(page.url()).searchParams.getAll('source')).toEqual(['Gulf Times']);
    expect(await page.locator('.hit .hit-source').allTextContents()).toEqual(['Gulf Times']);
    expect(await page.locator('.source-option').count()).toBe(4);
    await page.locator('.source-option', { hasText: 'Nile Wire' }).locator('input').check();
    await status(page, '2 articles match');
    await page.goBack();
    await status(page, '1 article matches');
    expect(problems).toEqual([]);
  });

  it('finds an exact phrase and marks it as one span', async () => {
    const page = await open('/');
    await search(page, '"four-day truce"');
    await status(page, '2 articles match');
    const marks = await page.locator('.snippet mark').allTextContents();
    expect(marks.map((mark) => mark.toLowerCase())).toEqual(['four-day truce', 'four-day truce']);
    expect(problems).toEqual([]);
  });

  it('opens a shared article link with the matching paragraph marked and scrolled into view', async () => {
    const page = await open(`/?q=ceasefire&article=${SEED_ID}&p=5`, { width: 1000, height: 500 });
    const target = page.locator('.paragraph.is-target');
    await target.locator('mark').first().waitFor();
    expect(await target.getAttribute('data-paragraph')).toBe('5');
    expect(await target.locator('mark').allTextContents()).toEqual(['ceasefire']);
    expect(await target.evaluate((element) => {
      const box = element.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    })).toBe(true);
    expect(await page.locator('.paragraph').count()).toBe(8);
    await page.screenshot({ path: `${SCREENSHOTS}page-article.png` });
    await page.locator('.back').click();
    await status(page, '4 articles match');
    expect(new URL(page.url()).searchParams.has('article')).toBe(false);
    expect(problems).toEqual([]);
  });

  it('opens an article from a result link and comes back with the back button', async () => {
    const page = await open('/?q=ceasefire');
    await status(page, '4 articles match');
    await page.locator('.hit[data-article="gulf-truce"] .hit-link').click();
    await page.locator('.reader-title', { hasText: 'Qatar announces four-day truce in Gaza' }).waitFor();
    expect(await page.locator('.paragraph.is-target').getAttribute('data-paragraph')).toBe('3');
    expect(await page.locator('.reader-footer a').getAttribute('href')).toBe('https://example.com/gulf-truce');
    await page.goBack();
    await status(page, '4 articles match');
    await page.goForward();
    await page.locator('.reader-title', { hasText: 'Qatar announces' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('shows markup in articles as text and runs none of it', async () => {
    const page = await open('/');
    await search(page, 'bold');
    await status(page, '1 article matches');
    const hit = page.locator('.hit[data-article="markup"]');
    expect(await hit.locator('.hit-link').textContent()).toBe('Editor pasted <b>bold</b> markup');
    expect(await hit.locator('.snippet').textContent()).toContain('<script>alert(1)</script> and <b>bold</b>');
    await hit.locator('.hit-link').click();
    const target = page.locator('.paragraph.is-target .paragraph-text');
    await target.locator('mark').first().waitFor();
    expect(await target.textContent()).toBe(MARKUP);
    expect(await page.locator('main b, main img, main script').count()).toBe(0);
    // The only script element is the page's own module.
    expect(await page.locator('script').evaluateAll((scripts) => scripts.map((script) => script.getAttribute('src')))).toEqual(['/assets/app.js']);
    expect(problems).toEqual([]);
  });

  it('pages through results with next and previous', async () => {
    const page = await open('/');
    await search(page, 'bulletin');
    await status(page, '12 articles match · showing 1–10');
    expect(await page.locator('.hit').count()).toBe(10);
    await page.locator('.pager-next').click();
    await status(page, '12 articles match · showing 11–12');
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    expect(await page.locator('.pager-position').textContent()).toBe('Page 2 of 2');
    expect(await page.locator('.hit').count()).toBe(2);
    await page.locator('.pager-prev').click();
    await status(page, 'showing 1–10');
    await page.goBack();
    await status(page, 'showing 11–12');
    expect(problems).toEqual([]);
  });

  it('draws a bar per month of matching paragraphs, each narrowing the dates', async () => {
    const page = await open('/?q=bulletin');
    await status(page, '12 articles match');
    const bars = page.locator('#chart rect.bar');
    expect(await bars.count()).toBe(12);
    expect(await page.locator('#chart .chart-axis').textContent()).toBe('Jan 2023Dec 2023');
    await bars.nth(2).click();
    await status(page, '1 article matches');
    expect(await page.locator('#from').inputValue()).toBe('2023-03-01');
    expect(await page.locator('#to').inputValue()).toBe('2023-03-31');
    expect(await page.locator('.hit-title').textContent()).toBe('Bulletin number 3');
    expect(problems).toEqual([]);
  });

  it('shows an error from the API as a message', async () => {
    const page = await open('/');
    await search(page, '-israel');
    await page.locator('#status.is-error[role="alert"]', { hasText: 'exclusions alone find nothing' }).waitFor();
    expect(await page.locator('.hit').count()).toBe(0);
    await page.goto(`${server.url}/?article=no-such-article`);
    await page.locator('#reader [role="alert"]', { hasText: 'no article with id "no-such-article"' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('says so when nothing matches', async () => {
    const page = await open('/?q=zebra&source=Gulf+Times');
    await page.locator('#status.is-empty', { hasText: 'No articles match zebra with these filters.' }).waitFor();
    expect(await page.locator('.source-option input:checked').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('fits a phone screen', async () => {
    const page = await open('/?q=truce', { width: 390, height: 844 });
    await status(page, /articles? match/);
    await page.locator('#chart rect.bar').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}page-phone.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});
