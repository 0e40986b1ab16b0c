/**
 * @module test/server/page
 * The search page in a real browser: the app listens on a free loopback port over a temporary
 * corpus, and headless Chromium (Debian's `/usr/bin/chromium`, driven by playwright-core)
 * searches, filters, pages and reads. Every wait is on something the page shows, never on time.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../src/server/listen.ts';
import { useBrowser, PHONE, SCREENSHOTS, type OpenOptions } from './browser.ts';
import { makeArticle, readSeed, writableApp } from '../helpers.ts';

/** The seed article's id (derived from its URL). */
const SEED_ID = 'd817ff46126ee7c9';
/** A paragraph that holds markup, which must show as text and never run. */
const MARKUP = 'The draft of the ceasefire story held <script>alert(1)</script> and <b>bold</b> and <img src=x onerror="alert(2)"> as text.';

/** What each month's bulletin reports besides the pause. */
const BULLETIN_NEWS = [
  'Snow closed the northern crossing for most of the day.',
  'Fuel lorries queued at the southern gate until dusk.',
  'Two clinics reopened after repairs to their generators.',
  'Fishermen were allowed back to sea within three miles.',
  'A bakery in the old market handed out bread at noon.',
  'Rain flooded tents in the western camps overnight.',
  'Teachers held lessons in a stadium for displaced children.',
  'Water tankers reached four villages cut off since spring.',
  'Engineers restored power to the central hospital wing.',
  'Farmers harvested olives under the watch of monitors.',
  'A line of ambulances crossed with wounded patients.',
  'Volunteers cleared rubble from the main coastal road.',
];

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
  // Twelve one-paragraph bulletins, one a month: two pages of articles and twelve bars. Each
  // says something of its own, or they would be copies of one another and group as one story.
  ...BULLETIN_NEWS.map((news, index) =>
    makeArticle({
      id: `bulletin-${index + 1}`,
      title: `Bulletin number ${index + 1}`,
      source: 'Bulletin Service',
      date: `2023-${String(index + 1).padStart(2, '0')}-10`,
      paragraphs: [`Bulletin ${index + 1}: the humanitarian pause held overnight, observers said. ${news}`],
    }),
  ),
];

let server: Listening;
let cleanup: () => Promise<void>;
const browser = useBrowser();
const { problems } = browser;

beforeAll(async () => {
  const fixture = await writableApp({ articles: [await readSeed(), ...ARTICLES] });
  cleanup = fixture.cleanup;
  server = await listen(fixture.app, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
  await cleanup?.();
});

/**
 * Opens `path` in a fresh browser context and records anything that goes wrong on the page.
 * `expectStatuses` are HTTP error statuses the test provokes: Chromium logs each such answer to
 * the console, and those lines (only those) are not problems.
 */
async function open(path: string, options: OpenOptions = {}): Promise<Page> {
  return browser.open(`${server.url}${path}`, options);
}

/** Types `query` into the search box and submits it. */
async function search(page: Page, query: string): Promise<void> {
  await page.locator('#q').fill('');
  await page.locator('#q').pressSequentially(query);
  await page.locator('#q').press('Enter');
}

/** Waits until the status line reads `text`. */
const status = (page: Page, text: string | RegExp) => page.locator('#status', { hasText: text }).waitFor();

/** The id of the element that has the focus (its class when it has no id). */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.className || '');

describe('GET /', () => {
  it('shows ranked results with highlighted snippets for a typed query', async () => {
    const page = await open('/');
    await page.locator('#intro-stats', { hasText: '16 articles' }).waitFor();
    await search(page, 'ceasefire');
    await status(page, '4 stories match');
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
    await status(page, '4 stories match');
    await page.locator('input[name="group"][value="paragraph"]').check();
    await status(page, '5 paragraphs match');
    expect(new URL(page.url()).searchParams.get('group')).toBe('paragraph');
    expect(await page.locator('.hit-matching').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('filters by source, keeping the other sources to choose from', async () => {
    const page = await open('/?q=ceasefire');
    await status(page, '4 stories match');
    await page.locator('.source-option', { hasText: 'Gulf Times' }).locator('input').check();
    await status(page, '1 story matches');
    expect(new URL(page.url()).searchParams.getAll('source')).toEqual(['Gulf Times']);
    expect(await page.locator('.hit .hit-source').allTextContents()).toEqual(['Gulf Times']);
    expect(await page.locator('.source-option').count()).toBe(4);
    await page.locator('.source-option', { hasText: 'Nile Wire' }).locator('input').check();
    await status(page, '2 stories match');
    await page.goBack();
    await status(page, '1 story matches');
    expect(problems).toEqual([]);
  });

  it('finds an exact phrase and marks it as one span', async () => {
    const page = await open('/');
    await search(page, '"four-day truce"');
    await status(page, '2 stories match');
    const marks = await page.locator('.snippet mark').allTextContents();
    expect(marks.map((mark) => mark.toLowerCase())).toEqual(['four-day truce', 'four-day truce']);
    expect(problems).toEqual([]);
  });

  it('shows markup in articles as text and runs none of it', async () => {
    const page = await open('/');
    await search(page, 'bold');
    await status(page, '1 story matches');
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
    await status(page, '12 stories match · showing 1–10');
    expect(await page.locator('.hit').count()).toBe(10);
    await page.locator('.pager-next').click();
    await status(page, '12 stories match · showing 11–12');
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    expect(await page.locator('.pager-position').textContent()).toBe('Page 2 of 2');
    expect(await page.locator('.hit').count()).toBe(2);
    await page.locator('.pager-prev').click();
    await status(page, 'showing 1–10');
    await page.goBack();
    await status(page, 'showing 11–12');
    expect(problems).toEqual([]);
  });
});

describe('the search box', () => {
  it('has the focus on load, and again on "/" from anywhere but a field', async () => {
    const page = await open('/?q=ceasefire');
    await status(page, '4 stories match');
    expect(await focused(page)).toBe('q');
    await page.locator('.hit-link').first().focus();
    await page.keyboard.press('/');
    expect(await focused(page)).toBe('q');
    // The slash went to the page, not into the query.
    expect(await page.locator('#q').inputValue()).toBe('ceasefire');
    const intro = await open('/');
    await intro.locator('#intro-stats', { hasText: 'articles' }).waitFor();
    expect(await focused(intro)).toBe('q');
    expect(problems).toEqual([]);
  });

  it('offers completions of the last word, chosen with the arrow keys and Enter', async () => {
    const page = await open('/');
    const box = page.locator('#q');
    expect(await box.getAttribute('role')).toBe('combobox');
    expect(await box.getAttribute('aria-controls')).toBe('suggestions');
    await box.pressSequentially('gaza tru');
    const options = page.locator('#suggestions [role="option"]');
    await options.first().waitFor();
    expect(await page.locator('#suggestions').getAttribute('role')).toBe('listbox');
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    expect(await options.allTextContents()).toContain('truce');
    await page.screenshot({ path: `${SCREENSHOTS}page-completions.png` });
    const index = (await options.allTextContents()).indexOf('truce');
    for (let step = 0; step <= index; step += 1) await box.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).toBe(`suggestion-${index}`);
    expect(await options.nth(index).getAttribute('aria-selected')).toBe('true');
    await box.press('Enter');
    await status(page, /(?:stories|story) match/);
    expect(new URL(page.url()).searchParams.get('q')).toBe('gaza truce');
    expect(await page.locator('#suggestions').isHidden()).toBe(true);
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    expect(problems).toEqual([]);
  });

  it('closes the completions on Escape and keeps what was typed', async () => {
    const page = await open('/');
    const box = page.locator('#q');
    await box.pressSequentially('negot');
    await page.locator('#suggestions [role="option"]', { hasText: 'negotiators' }).waitFor();
    await box.press('ArrowDown');
    await box.press('Escape');
    expect(await page.locator('#suggestions').isHidden()).toBe(true);
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    expect(await box.getAttribute('aria-activedescendant')).toBeNull();
    expect(await box.inputValue()).toBe('negot');
    // Enter with no option chosen searches for what was typed.
    await box.press('Enter');
    await status(page, /match/);
    expect(new URL(page.url()).searchParams.get('q')).toBe('negot');
    expect(problems).toEqual([]);
  });

  it('offers no completion for an operator or the number of a proximity', async () => {
    const page = await open('/');
    const box = page.locator('#q');
    // Without the rule these would list "nothing" (for NOT) and 10, 11, 12 (the bulletins' numbers).
    // Each pause is longer than the page waits before asking; a request would show in the list.
    for (const typed of ['truce NOT', 'hamas w/1', 'haniya~1']) {
      await box.fill('');
      await box.pressSequentially(typed);
      await page.waitForLoadState('networkidle');
      expect(await page.locator('#suggestions').isHidden(), typed).toBe(true);
    }
    expect(problems).toEqual([]);
  });

  it('takes a clicked completion and searches', async () => {
    const page = await open('/');
    await page.locator('#q').pressSequentially('ceas');
    await page.locator('#suggestions [role="option"]', { hasText: 'ceasefire' }).click();
    await status(page, '4 stories match');
    expect(await page.locator('#q').inputValue()).toBe('ceasefire');
    expect(problems).toEqual([]);
  });
});

describe('keyboard order', () => {
  it('reaches the first result in three Tab presses from the search box', async () => {
    const page = await open('/?q=ceasefire');
    await status(page, '4 stories match');
    const firstHit = await page.locator('.hit-link').first().getAttribute('href');
    let presses = 0;
    while (presses < 10) {
      await page.keyboard.press('Tab');
      presses += 1;
      if ((await page.evaluate(() => document.activeElement?.getAttribute('href'))) === firstHit) break;
    }
    expect(presses).toBe(3); // the Search button, "Query syntax", the first result
    expect(problems).toEqual([]);
  });

  it('keeps the focus on a source ticked from the keyboard, and moves it to the results after a page turn', async () => {
    const page = await open('/?q=ceasefire');
    await status(page, '4 stories match');
    await page.locator('.source-option', { hasText: 'Gulf Times' }).locator('input').focus();
    await page.keyboard.press('Space');
    await status(page, '1 story matches');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('Gulf Times');
    const bulletins = await open('/?q=bulletin');
    await status(bulletins, 'showing 1–10');
    await bulletins.locator('.pager-next').focus();
    await bulletins.keyboard.press('Enter');
    await status(bulletins, 'showing 11–12');
    expect(await focused(bulletins)).toBe('results');
    await bulletins.keyboard.press('Tab');
    expect(await bulletins.evaluate(() => document.activeElement?.classList.contains('hit-link'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('starts with a skip link past the search form to the results', async () => {
    const page = await open('/?q=ceasefire');
    await status(page, '4 stories match');
    const firstFocusable = page.locator('a[href], button, input, select, summary, [tabindex="0"]').first();
    expect(await firstFocusable.textContent()).toBe('Skip to content');
    await firstFocusable.focus();
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('main');
    expect(new URL(page.url()).hash).toBe('');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('hit-link'))).toBe(true);
    expect(problems).toEqual([]);
  });
});

describe('filters', () => {
  it('shows each source and the dates as a removable chip, a chart date included, and clears them all', async () => {
    const page = await open('/?q=bulletin');
    await status(page, '12 stories match');
    expect(await page.locator('#chips').isHidden()).toBe(true);
    await page.locator('#chart rect.bar').nth(2).click();
    await status(page, '1 story matches');
    const chips = page.locator('#chips .chip');
    expect(await chips.allTextContents()).toEqual(['Dates: Mar 2023×']);
    expect(await chips.first().getAttribute('aria-label')).toBe('Remove the date filter Mar 2023');
    await page.locator('.source-option', { hasText: 'Bulletin Service' }).locator('input').check();
    await page.locator('#chips .chip', { hasText: 'Source: Bulletin Service' }).waitFor();
    expect(await chips.allTextContents()).toEqual(['Source: Bulletin Service×', 'Dates: Mar 2023×']);
    // A new query keeps the filters, and says so.
    await search(page, 'humanitarian');
    await status(page, '1 story matches');
    expect(await chips.count()).toBe(2);
    await page.screenshot({ path: `${SCREENSHOTS}page-chips.png`, fullPage: true });
    await page.locator('#chips .chip', { hasText: 'Dates' }).click();
    await status(page, '12 stories match');
    expect(await page.locator('#from').inputValue()).toBe('');
    expect(await chips.allTextContents()).toEqual(['Source: Bulletin Service×']);
    await page.locator('#from').fill('2023-06-01');
    await page.locator('#chips .chip', { hasText: 'Dates: from 1 Jun 2023' }).waitFor();
    await page.locator('#chips .chips-clear').click();
    // The seed article speaks of humanitarian aid too.
    await status(page, '13 stories match');
    expect(await page.locator('#chips').isHidden()).toBe(true);
    const params = new URL(page.url()).searchParams;
    expect([params.getAll('source'), params.get('from'), params.get('to')]).toEqual([[], null, null]);
    expect(await page.locator('.source-option input:checked').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('draws the chart with a labelled count axis and time axis, each bar narrowing the dates, the chosen one marked', async () => {
    const page = await open('/?q=bulletin');
    await status(page, '12 stories match');
    const bars = page.locator('#chart rect.bar');
    expect(await bars.count()).toBe(12);
    expect(await page.locator('#chart .chart-count').allTextContents()).toEqual(['0', '1']);
    expect(await page.locator('#chart .chart-time').allTextContents()).toEqual(['Jan 2023', 'Jul 2023', 'Dec 2023']);
    expect(await page.locator('#chart .chart-axis-title').allTextContents()).toEqual(['paragraphs', 'month of publication']);
    expect(await page.locator('#chart a.chart-bar').first().getAttribute('aria-label')).toBe('Jan 2023: 1 paragraph. Show only Jan 2023.');
    expect(await page.locator('#chart .chart-undated').count()).toBe(0);
    await bars.nth(2).click();
    await status(page, '1 story matches');
    expect(await page.locator('#from').inputValue()).toBe('2023-03-01');
    expect(await page.locator('#to').inputValue()).toBe('2023-03-31');
    expect(await page.locator('.hit-title').textContent()).toBe('Bulletin number 3');
    // The chart keeps every month, the chosen one marked, so another can be picked.
    expect(await bars.count()).toBe(12);
    expect(await page.locator('#chart rect.bar.is-selected').count()).toBe(1);
    expect(await bars.nth(2).getAttribute('class')).toBe('bar is-selected');
    await page.screenshot({ path: `${SCREENSHOTS}page-chart.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('says in words how many matches are undated and left out of the chart', async () => {
    const page = await open('/?q=ceasefire&group=paragraph');
    await status(page, '5 paragraphs match');
    // The seed is undated (2 paragraphs); the others fall in Oct, Nov and Dec 2023.
    expect(await page.locator('#chart .chart-undated').textContent()).toBe('2 matching paragraphs are from undated articles and not in the chart.');
    expect(await page.locator('#chart .chart-count').allTextContents()).toEqual(['0', '1']);
    expect(await page.locator('#chart .chart-time').allTextContents()).toEqual(['Jun 2023', 'Dec 2023', 'May 2024']);
    await page.locator('#chart rect.bar').first().click();
    await status(page, '1 paragraph matches');
    expect(await page.locator('#chart .chart-undated').textContent()).toBe(
      '2 matching paragraphs are from undated articles and not in the chart. The date filter leaves them out of the results.',
    );
    const seedOnly = await open('/?q=%22good%20stage%22');
    await status(seedOnly, '1 story matches');
    expect(await seedOnly.locator('#chart .chart-undated').textContent()).toBe('The matching paragraph is from an undated article, so there is nothing to chart.');
    expect(await seedOnly.locator('#chart svg').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});

describe('empty results and errors', () => {
  it('says nothing matched, suggests what to try and offers to drop the filters', async () => {
    const page = await open('/?q=zebra&source=Gulf+Times');
    await page.locator('#status.is-empty', { hasText: 'No articles match zebra with these filters.' }).waitFor();
    expect(await page.locator('#chips .chip').allTextContents()).toEqual(['Source: Gulf Times×']);
    expect(await page.locator('.source-option input:checked').count()).toBe(1);
    expect(await page.locator('#advice li').allTextContents()).toEqual([
      'Search the whole archive, without the filters.',
      'Allow a spelling difference (names are often written several ways): zebra~',
      'Check the spelling, use fewer words, or open “Query syntax” under the search box for exact phrases, alternatives and wildcards.',
    ]);
    expect(await page.getByText('No source to choose from').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}page-empty.png`, fullPage: true });
    await page.locator('#advice .advice-clear').click();
    await page.locator('#status.is-empty', { hasText: 'No articles match zebra.' }).waitFor();
    expect(new URL(page.url()).searchParams.getAll('source')).toEqual([]);
    // Nothing matched and nothing narrows the search: no filter panels with nothing in them.
    expect(await page.locator('#filters').isHidden()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('suggests any of the words when all of them together find nothing', async () => {
    const page = await open('/?q=qatar%20zebra');
    await page.locator('#status.is-empty').waitFor();
    await page.locator('#advice .advice-query', { hasText: 'qatar OR zebra' }).click();
    await status(page, /(?:stories|story) match/);
    expect(new URL(page.url()).searchParams.get('q')).toBe('qatar OR zebra');
    expect(problems).toEqual([]);
  });

  it('shows API errors in plain language, never the API\'s wording', async () => {
    const page = await open('/', { expectStatuses: [400, 404] });
    await search(page, '-israel');
    const alert = page.locator('#status.is-error[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'Add a word or phrase to look for. A search made only of exclusions (like -israel or NOT israel) finds nothing: write what the paragraphs should hold, then what to leave out, e.g. truce -israel.',
    );
    expect(await page.locator('.hit').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}page-error.png`, fullPage: true });
    await page.goto(`${server.url}/?q=truce&from=2023-12-01&to=2023-01-01`);
    await page.locator('#status.is-error', { hasText: 'The dates are not valid.' }).waitFor();
    await page.goto(`${server.url}/?article=no-such-article`);
    await page.locator('#reader [role="alert"]', { hasText: 'This article is not in the archive.' }).waitFor();
    expect(await page.locator('main').textContent()).not.toMatch(/no article with id|must hold|must not be after/);
    expect(problems).toEqual([]);
  });

  it('says the archive is busy, with a way to try again, when the server is overloaded', async () => {
    const page = await open('/', { expectStatuses: [503] });
    let refuse = true;
    await page.route('**/search?**', (route) =>
      refuse ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"too many searches in flight"}}' }) : route.continue(),
    );
    await search(page, 'ceasefire');
    await page.locator('#status.is-error', { hasText: 'The archive is busy right now. Try again in a few seconds.' }).waitFor();
    refuse = false;
    await page.locator('#advice .advice-retry').click();
    await status(page, '4 stories match');
    expect(problems).toEqual([]);
  });
});

describe('the article view', () => {
  it('opens a shared article link with the matching paragraph marked and scrolled into view', async () => {
    const page = await open(`/?q=ceasefire&article=${SEED_ID}&p=5`, { viewport: { width: 1000, height: 500 } });
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
    await status(page, '4 stories match');
    expect(new URL(page.url()).searchParams.has('article')).toBe(false);
    expect(problems).toEqual([]);
  });

  it('puts source, date and the full original link at the top', async () => {
    const page = await open(`/?q=ceasefire&article=${SEED_ID}&p=4`);
    const header = page.locator('.reader-header');
    await header.waitFor();
    expect(await header.locator('.reader-meta').textContent()).toBe('Radio Habana Cuba · undated · Doha, November 24 (RHC)');
    const link = header.locator('a.original-link');
    const seedUrl = 'https://www.radiohc.cu/index.php/en/noticias/internacionales/340336-iranian-foreign-minister-and-hamaschief-meet-ahead-of-gaza-ceasefire';
    expect([await link.getAttribute('href'), await link.textContent()]).toEqual([seedUrl, seedUrl]);
    expect(await header.locator('.reader-original').textContent()).toBe(`Original article: ${seedUrl}`);
    // At the top: above the first paragraph, on the first screen.
    const [linkBox, firstParagraph] = [await link.boundingBox(), await page.locator('.paragraph').first().boundingBox()];
    expect(linkBox !== null && firstParagraph !== null && linkBox.y < firstParagraph.y).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}page-article-header.png` });
    expect(problems).toEqual([]);
  });

  it('opens an article from a result link and comes back with the back button', async () => {
    const page = await open('/?q=ceasefire');
    await status(page, '4 stories match');
    await page.locator('.hit[data-article="gulf-truce"] .hit-link').click();
    await page.locator('.reader-title', { hasText: 'Qatar announces four-day truce in Gaza' }).waitFor();
    expect(await page.locator('.paragraph.is-target').getAttribute('data-paragraph')).toBe('3');
    expect(await page.locator('.reader-header .original-link').getAttribute('href')).toBe('https://example.com/gulf-truce');
    expect(await page.locator('.reader-meta').textContent()).toBe('Gulf Times · 22 Nov 2023');
    await page.goBack();
    await status(page, '4 stories match');
    await page.goForward();
    await page.locator('.reader-title', { hasText: 'Qatar announces' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('copies a citation with title, source, date, link, paragraph number and text, and access date', async () => {
    const page = await open('/?q=ceasefire&article=gulf-truce&p=3', { clipboard: true });
    const button = page.locator('.reader-header button.copy-citation');
    await button.waitFor();
    expect(await button.textContent()).toBe('Copy citation (¶ 3)');
    await button.click();
    await page.locator('.copy-status', { hasText: 'Citation copied.' }).waitFor();
    const today = await page.evaluate(() => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' }).format(new Date()));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      [
        '“Qatar announces four-day truce in Gaza”',
        'Gulf Times, 22 November 2023',
        'https://example.com/gulf-truce',
        'Paragraph 3: “A ceasefire had been sought for weeks by Qatari and Egyptian negotiators.”',
        `Accessed ${today}`,
      ].join('\n'),
    );
    // Another paragraph's number marks it for citing.
    await page.locator('#p-1 .paragraph-number').click();
    await page.locator('.copy-citation', { hasText: 'Copy citation (¶ 1)' }).click();
    await page.locator('.copy-status', { hasText: 'Citation copied.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('Paragraph 1: “Qatar said on Wednesday that Israel and Hamas had agreed to a four-day truce.”');
    await page.screenshot({ path: `${SCREENSHOTS}page-citation.png` });
    expect(problems).toEqual([]);
  });

  it('copies a result\'s citation from the list of results, without opening the article', async () => {
    const page = await open('/?q=%22good%20stage%22&group=paragraph', { clipboard: true });
    await status(page, '1 paragraph matches');
    const button = page.locator('.hit .copy-citation');
    expect(await button.getAttribute('aria-label')).toBe('Copy citation: Iranian foreign minister and Hamas chief meet ahead of Gaza ceasefire, paragraph 4');
    await button.click();
    await page.locator('.hit .copy-status', { hasText: 'Copied.' }).waitFor();
    const seed = (await (await fetch(`${server.url}/articles/${SEED_ID}`)).json()) as { url: string; paragraphs: string[] };
    const today = await page.evaluate(() => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' }).format(new Date()));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      [
        '“Iranian foreign minister and Hamas chief meet ahead of Gaza ceasefire”',
        'Radio Habana Cuba, undated',
        seed.url,
        `Paragraph 4: “${seed.paragraphs[3]}”`,
        `Accessed ${today}`,
      ].join('\n'),
    );
    expect(new URL(page.url()).searchParams.has('article')).toBe(false);
    expect(problems).toEqual([]);
  });

  it('cites the archive\'s own link for an article without an original', async () => {
    const page = await open('/?article=nile-talks&p=2', { clipboard: true });
    await page.locator('.reader-original', { hasText: 'No link to the original was recorded for this article.' }).waitFor();
    await page.locator('.copy-citation').click();
    await page.locator('.copy-status', { hasText: 'Citation copied.' }).waitFor();
    const lines = (await page.evaluate(() => navigator.clipboard.readText())).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '“Talks resume in Cairo”',
      'Nile Wire, 15 October 2023',
      `No original link recorded; in this archive: ${server.url}/?article=nile-talks&p=2`,
      'Paragraph 2: “Diplomats said a ceasefire was not yet in sight.”',
    ]);
    expect(problems).toEqual([]);
  });
});

describe('on a phone', () => {
  /** Whether the page scrolls sideways. */
  const scrollsSideways = (page: Page) => page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) > window.innerWidth);

  it('shows results first, fits 390 px without sideways scrolling, and opens the filters on demand', async () => {
    const page = await open('/?q=ceasefire&source=Gulf+Times&source=Nile+Wire&source=Radio+Habana+Cuba&source=Test+Wire&from=2023-01-01', { viewport: PHONE });
    await status(page, /(?:stories|story) match/);
    const first = await page.locator('.hit').first().boundingBox();
    expect(first !== null && first.y + 40 < PHONE.height).toBe(true);
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await scrollsSideways(page)).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}page-phone.png`, fullPage: true });
    const toggle = page.locator('#filters-toggle');
    expect(await toggle.textContent()).toBe('Filters (5)');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await page.locator('#filters #chart rect.bar').first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}page-phone-filters.png` });
    await page.locator('#filters-close').click();
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await focused(page)).toBe('filters-toggle');
    expect(problems).toEqual([]);
  });

  it('leaves the focus off the search box when a touch screen arrives at results, so no keyboard covers them', async () => {
    const page = await open('/?q=ceasefire', { viewport: PHONE, touch: true });
    await status(page, '4 stories match');
    expect(await focused(page)).not.toBe('q');
    const intro = await open('/', { viewport: PHONE, touch: true });
    await intro.locator('#intro-stats', { hasText: 'articles' }).waitFor();
    expect(await focused(intro)).toBe('q');
    expect(problems).toEqual([]);
  });

  it('fits the article view and the intro at 390 px', async () => {
    const page = await open(`/?q=ceasefire&article=${SEED_ID}&p=4`, { viewport: PHONE });
    await page.locator('.paragraph.is-target mark').first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}page-phone-article.png`, fullPage: true });
    const intro = await open('/', { viewport: PHONE });
    await intro.locator('#intro-stats', { hasText: 'articles' }).waitFor();
    expect(await scrollsSideways(intro)).toBe(false);
    expect(problems).toEqual([]);
  });
});
