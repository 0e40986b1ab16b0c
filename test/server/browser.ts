/**
 * @module test/server/browser
 * What the page tests share: Debian's Chromium driven by playwright-core, the folder of
 * screenshots for a reviewer, a phone's screen, and pages that record whatever goes wrong on them
 * (a test then expects that list empty).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/** Where Debian puts Chromium; CI installs it (`.ci/run`). */
const CHROMIUM = '/usr/bin/chromium';
/** Flags for Chromium on a closed network, as root, with nothing to sync or update. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Screenshots for a reviewer to look at (gitignored). */
export const SCREENSHOTS = new URL('../../test-results/', import.meta.url).pathname;
/** A phone's screen, as the issues measure it. */
export const PHONE = { width: 390, height: 844 };
/** Matches Chromium's console line for an HTTP error answer, which a test of an error state expects. */
const FAILED_RESOURCE_RE = /^Failed to load resource: the server responded with a status of (\d+)/;

/** Launches Chromium, after making the screenshots folder; without Chromium, fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install -y --no-install-recommends chromium" (.ci/run does this in CI)`);
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** How a page is opened: its screen, a touch screen, clipboard access, and the HTTP error answers the test expects. */
export type OpenOptions = { viewport?: { width: number; height: number }; touch?: boolean; clipboard?: boolean; expectStatuses?: number[] };

/**
 * Opens `url` in a fresh browser context. Page errors, dialogs, console errors and Content
 * Security Policy reports go into `problems`, but for the HTTP error answers of `expectStatuses`.
 */
export async function openRecorded(browser: Browser, url: string, problems: string[], options: OpenOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const { viewport = { width: 1200, height: 800 }, clipboard = false, touch = false, expectStatuses = [] } = options;
  const context = await browser.newContext({ viewport, isMobile: touch, hasTouch: touch, permissions: clipboard ? ['clipboard-read', 'clipboard-write'] : [] });
  // Well under the test's own timeout, so a missing element fails with the locator it waited for.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    const text = message.text();
    const failed = FAILED_RESOURCE_RE.exec(text);
    if (failed !== null && expectStatuses.includes(Number(failed[1]))) return;
    if (message.type() === 'error' || text.includes('Content Security Policy')) problems.push(`console ${message.type()}: ${text}`);
  });
  await page.goto(url);
  return { context, page };
}

/** A test file's browser (see {@link useBrowser}). */
export type TestBrowser = {
  /** What went wrong on the pages of the test running: emptied before each test. */
  readonly problems: string[];
  /** Opens `url` in a fresh context (the test's page before it is closed: a test that opens a second page is done with the first). */
  open(url: string, options?: OpenOptions): Promise<Page>;
  /** Closes the page's context (done after each test; a test file's own clean-up may need it done first). */
  closePage(): Promise<void>;
};

/**
 * Chromium for the tests of one file: launched before them (each launch has a fresh temporary
 * profile of its own) and closed after; each test starts with no problem recorded, and the
 * context of its page is closed after it.
 */
export function useBrowser(): TestBrowser {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const problems: string[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  beforeEach(() => {
    problems.length = 0;
  });
  const closePage = async (): Promise<void> => {
    await context?.close();
    context = undefined;
  };
  afterEach(closePage);
  afterAll(async () => {
    await browser?.close();
  });
  return {
    problems,
    closePage,
    async open(url, options = {}) {
      if (browser === undefined) throw new Error('the browser is not launched: open pages inside tests');
      await context?.close();
      let page: Page;
      ({ context, page } = await openRecorded(browser, url, problems, options));
      return page;
    },
  };
}
