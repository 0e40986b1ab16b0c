/**
 * @module test/server/page-feeds
 * The feeds view (`/subscriptions`, SPEC §11 and §7) in a real browser: reached from the search
 * page; add a feed and see what it brought; a feed's last error; a refused subscription in plain
 * words; the write token; remove; every text from a feed shown as text; usable at 390 px. The
 * archive is the embedded backend listening on loopback, its feeds served by a local server the
 * test starts; headless Chromium is driven by playwright-core, and any console error fails the test.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../src/server/listen.ts';
import { useBrowser, PHONE, SCREENSHOTS, type OpenOptions } from './browser.ts';
import { feedArchive, type FeedArchive } from '../monitor/feed-archive.ts';
import { answer, rssFeed, startLocalServer, type LocalServer } from '../monitor/local-server.ts';


const VALLEY = rssFeed('Valley Wire', [
  { title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' },
  { title: 'Flood', link: 'https://wire.example/flood', text: 'The river rose.' },
]);
/** A feed whose title is markup: it must show as text. */
const HOSTILE = rssFeed('<img src=x onerror="document.title=1">Hill Wire', [{ title: 'Snow', link: 'https://hill.example/snow', text: 'Snow fell on the pass.' }]);

let feeds: LocalServer;
const browser = useBrowser();
const { problems } = browser;
let running: Array<{ archive: FeedArchive; server: Listening }> = [];

beforeAll(async () => {
  feeds = await startLocalServer();
  feeds.route('/valley.xml', answer(VALLEY, 'application/rss+xml'));
  feeds.route('/hill.xml', answer(HOSTILE, 'application/rss+xml'));
});

afterEach(async () => {
  // The page first, so that nothing it does while the archives close counts as a problem.
  await browser.closePage();
  for (const { archive, server } of running) {
    await server.close();
    await archive.close();
  }
  running = [];
  expect(problems).toEqual([]);
});

afterAll(async () => {
  await feeds?.close();
});

/** A fresh archive with subscriptions, listening on loopback. */
async function serve(options: Parameters<typeof feedArchive>[1] = {}): Promise<{ archive: FeedArchive; origin: string }> {
  const archive = await feedArchive('embedded', options);
  const server = await listen(archive.app, { host: '127.0.0.1', port: 0 });
  running.push({ archive, server });
  return { archive, origin: server.url };
}

/** Opens `url` in a fresh browser context and records anything that goes wrong on the page. */
async function open(url: string, options: OpenOptions = {}): Promise<Page> {
  return browser.open(url, options);
}

const statusSays = (page: Page, text: string | RegExp) => page.locator('#feed-status', { hasText: text }).waitFor();

async function subscribe(page: Page, url: string): Promise<void> {
  await page.fill('#feed-url', url);
  await page.click('#add-feed button[type="submit"]');
}

describe('the feeds view', () => {
  it('is reached from the search page and starts empty', async () => {
    const { origin } = await serve();
    const page = await open(`${origin}/`);
    await page.click('a.masthead-link');
    await page.waitForURL(`${origin}/subscriptions`);
    await page.locator('#feeds-empty').waitFor();
    expect(await page.locator('#feeds-empty').textContent()).toContain('No feed yet');
    expect(await page.locator('#feeds li').count()).toBe(0);
  });

  it('adds a feed and lists its title, address, last success and last result', async () => {
    const { origin } = await serve();
    const page = await open(`${origin}/subscriptions`);
    await subscribe(page, `${feeds.origin}/valley.xml`);
    await statusSays(page, 'Subscribed to Valley Wire: 2 new articles, 0 updated, 0 unchanged.');
    const feed = page.locator('#feeds li.feed');
    await feed.waitFor();
    expect(await feed.locator('.feed-title').textContent()).toBe('Valley Wire');
    expect(await feed.locator('a.feed-url').getAttribute('href')).toBe(`${feeds.origin}/valley.xml`);
    const facts = (await feed.locator('.feed-facts').textContent()) ?? '';
    expect(facts).toMatch(/^Checked every 15 minutes · last success: \d{1,2} \w{3} \d{4}, \d{2}:\d{2} · last result: 2 new articles, 0 updated, 0 unchanged$/);
    expect(await feed.locator('.feed-error').count()).toBe(0);
    expect(await page.locator('#feeds-empty').isHidden()).toBe(true);
    expect(await page.inputValue('#feed-url')).toBe('');
  });

  it("shows a feed's last error", async () => {
    const { archive, origin } = await serve();
    feeds.route('/flaky.xml', answer(VALLEY, 'application/rss+xml'));
    await archive.monitor.subscribe(`${feeds.origin}/flaky.xml`);
    feeds.route('/flaky.xml', (_request, response) => response.writeHead(503).end());
    archive.clock.advance(15 * 60_000);
    await archive.monitor.pollDue();
    const page = await open(`${origin}/subscriptions`);
    const error = page.locator('#feeds li.feed .feed-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(new RegExp(`^Last error \\(.+\\): ${feeds.origin}/flaky.xml: answered 503 Service Unavailable$`));
  });

  it('says in plain words why a subscription was refused, and subscribes nothing', async () => {
    const { origin } = await serve();
    const page = await open(`${origin}/subscriptions`, { expectStatuses: [400] });
    await subscribe(page, `${feeds.origin}/missing.xml`);
    await statusSays(page, `Could not subscribe: ${feeds.origin}/missing.xml: answered 404 Not Found`);
    expect(await page.locator('#feed-status').getAttribute('class')).toContain('error');
    expect(await page.locator('#feeds li').count()).toBe(0);
  });

  it('asks for the write token when the server needs one, and sends it once given', async () => {
    const { origin } = await serve({ writeAccess: { token: 's3cret', host: '0.0.0.0' } });
    const page = await open(`${origin}/subscriptions`, { expectStatuses: [401] });
    await subscribe(page, `${feeds.origin}/valley.xml`);
    await statusSays(page, 'Could not subscribe: this server needs a write token. Enter it under Options.');
    await page.click('.feed-options summary');
    await page.fill('#feed-token', 's3cret');
    await page.click('#add-feed button[type="submit"]');
    await statusSays(page, /^Subscribed to Valley Wire/);
  });

  it('removes a feed, keeping its articles', async () => {
    const { archive, origin } = await serve();
    await archive.monitor.subscribe(`${feeds.origin}/valley.xml`);
    const page = await open(`${origin}/subscriptions`);
    await page.locator('#feeds li.feed').waitFor();
    await page.click('button[aria-label="Remove Valley Wire"]');
    await statusSays(page, 'Removed Valley Wire. The articles it brought stay in the archive.');
    await page.locator('#feeds-empty').waitFor();
    expect(await archive.monitor.list()).toEqual([]);
    expect((await archive.service.search('wheat')).total).toBe(1);
  });

  it("shows a feed's markup as text", async () => {
    const { archive, origin } = await serve();
    await archive.monitor.subscribe(`${feeds.origin}/hill.xml`);
    const page = await open(`${origin}/subscriptions`);
    const title = page.locator('#feeds li.feed .feed-title');
    await title.waitFor();
    expect(await title.textContent()).toBe('<img src=x onerror="document.title=1">Hill Wire');
    expect(await page.locator('#feeds img').count()).toBe(0);
    expect(await page.title()).toBe('Feeds · News archive');
  });

  it('fits a 390 px phone without scrolling sideways', async () => {
    const { archive, origin } = await serve();
    await archive.monitor.subscribe(`${feeds.origin}/valley.xml`);
    const long = '/valley.xml?with=a-rather-long-query-string-that-has-no-spaces-to-break-it-anywhere-at-all';
    feeds.route(long, answer(VALLEY, 'application/rss+xml'));
    await archive.monitor.subscribe(`${feeds.origin}${long}`);
    const page = await open(`${origin}/subscriptions`, { viewport: PHONE });
    await page.locator('#feeds li.feed').nth(1).waitFor();
    expect(await page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) > window.innerWidth)).toBe(false);
    const box = await page.locator('#add-feed button[type="submit"]').boundingBox();
    expect(box !== null && box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}feeds-390.png`, fullPage: true });
    const wide = await open(`${origin}/subscriptions`);
    await wide.locator('#feeds li.feed').nth(1).waitFor();
    await wide.screenshot({ path: `${SCREENSHOTS}feeds-1200.png`, fullPage: true });
  });
});
