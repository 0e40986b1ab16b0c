import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../helpers.ts';
import { isServiceError } from '../../src/errors.ts';
import { formatOfMediaType, formatOfPath, parseArticles } from '../../src/ingest/formats.ts';
import { absoluteHttpUrl, lenientDate } from '../../src/ingest/article.ts';
import { fragmentParagraphs, readHtmlArticle } from '../../src/ingest/read-html.ts';

const PAGE_PATH = new URL('./fixtures/article-page.html', import.meta.url).pathname;
const readPage = (): Promise<string> => readFile(PAGE_PATH, 'utf8');
/** Reads one of the page fixtures of `fixtures/`. */
const readFixture = (name: string): Promise<string> => readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** The four paragraphs of the fixture article, exactly. */
const PAGE_PARAGRAPHS = [
  "The harbour bridge reopened to traffic on Thursday morning after eight months of repairs to its corroded steel deck, the city's transport department said.",
  'Engineers replaced more than four hundred deck plates and repainted the towers, work that was delayed twice by winter storms and a shortage of specialist welders across the region.',
  '“We are grateful for the patience of commuters who have faced long detours since the summer,” said the transport director, adding that cyclists would get a wider lane on the eastern side.',
  'The final cost of the project came to 42 million euros, about ten percent above the original budget, according to figures published by the council on Wednesday evening.',
];

/** A page around `body`, with enough text for Readability to pick the article. */
function page(head: string, body: string): string {
  return `<!DOCTYPE html><html><head>${head}</head><body><article>${body}</article></body></html>`;
}

const FILLER =
  '<p>The regional council met on Tuesday to discuss the budget for the coming year, with members debating transport, schools and the hospital at length.</p>';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

describe('readHtmlArticle', () => {
  it('reads title, source, JSON-LD date, URL and exactly the four article paragraphs of the fixture page', async () => {
    const fields = readHtmlArticle(await readPage());
    expect(fields).toEqual({
      title: 'Harbour bridge reopens after repairs',
      source: 'Coastal Courier',
      date: '2024-03-14T06:30:00.000Z',
      url: 'https://courier.example/news/2024/harbour-bridge-reopens',
      byline: 'Dana Whitfield',
      caption: null,
      paragraphs: PAGE_PARAGRAPHS,
    });
  });

  it('keeps navigation, cookie banner, share widgets, related links, footer and scripts out of the paragraphs', async () => {
    const text = readHtmlArticle(await readPage())?.paragraphs.join('\n') ?? '';
    for (const boilerplate of ['cookie', 'Subscribe', 'Share', 'Tweet', 'Related', 'Read more', 'Extra ferries', 'rights reserved', 'Privacy', 'dataLayer', 'tracking pixel', 'footer script', 'style text', 'By Dana']) {
      expect(text).not.toContain(boilerplate);
    }
  });

  it('does not take the byline for the source', async () => {
    const fields = readHtmlArticle(await readPage());
    expect(fields?.source).not.toBe('Dana Whitfield');
  });

  it('resolves a relative canonical link against the base URL', async () => {
    const fields = readHtmlArticle(await readPage(), 'https://www.courier.example/any/page?ref=feed');
    expect(fields?.url).toBe('https://www.courier.example/news/2024/harbour-bridge-reopens');
  });

  it('falls back to <title>, <time datetime> and application-name when Open Graph is missing', () => {
    const html = page(
      '<title>Budget talks resume</title><meta name="application-name" content="Daily Ledger">',
      `<p>Published <time datetime="2024-02-01T09:00:00Z">1 February</time></p>${FILLER}`,
    );
    const fields = readHtmlArticle(html);
    expect(fields?.title).toBe('Budget talks resume');
    expect(fields?.source).toBe('Daily Ledger');
    expect(fields?.date).toBe('2024-02-01T09:00:00.000Z');
  });

  it('prefers article:published_time and reads a date-only `date` meta as written', () => {
    const published = readHtmlArticle(page('<title>T</title><meta property="article:published_time" content="2023-12-24T18:00:00+00:00">', FILLER));
    expect(published?.date).toBe('2023-12-24T18:00:00.000Z');
    const dateOnly = readHtmlArticle(page('<title>T</title><meta name="date" content="2023-12-24">', FILLER));
    expect(dateOnly?.date).toBe('2023-12-24');
  });

  it('drops a date it cannot read instead of returning it', () => {
    const fields = readHtmlArticle(page('<title>T</title><meta property="article:published_time" content="last Tuesday">', FILLER));
    expect(fields?.date).toBeNull();
  });

  it('ignores a canonical link that is not http(s) and uses og:url', () => {
    const html = page('<title>T</title><link rel="canonical" href="ftp://files.example/a"><meta property="og:url" content="https://news.example/a">', FILLER);
    expect(readHtmlArticle(html)?.url).toBe('https://news.example/a');
  });

  it('returns no URL for a page without canonical link, og:url or base URL', () => {
    expect(readHtmlArticle(page('<title>T</title>', FILLER))?.url).toBeNull();
  });

  it('makes headings, list items and quoted paragraphs paragraphs of their own', () => {
    const html = page(
      '<title>Budget</title>',
      `${FILLER}<h2>What changes</h2><ul><li>Bus fares fall by ten percent from June.</li><li>Two new schools open in the north.</li></ul><blockquote><p>It is a fair budget for every district of the region.</p></blockquote>`,
    );
    expect(readHtmlArticle(html)?.paragraphs).toEqual([
      expect.stringContaining('regional council met'),
      'What changes',
      'Bus fares fall by ten percent from June.',
      'Two new schools open in the north.',
      'It is a fair budget for every district of the region.',
    ]);
  });

  it('returns null for a page with neither title nor text', () => {
    expect(readHtmlArticle('')).toBeNull();
    expect(readHtmlArticle('<html><head></head><body><script>var x = 1;</script></body></html>')).toBeNull();
  });

  it('keeps the text of a page nested thousands of elements deep', () => {
    const depth = 3000;
    const html = page('<title>Deep</title>', `${'<div>'.repeat(depth)}${FILLER}<div>Last words.</div>${'</div>'.repeat(depth)}`);
    expect(readHtmlArticle(html)?.paragraphs).toEqual([expect.stringContaining('regional council met'), 'Last words.']);
  });

  it('reads a fragment without <html> or <body> tags', () => {
    const fields = readHtmlArticle('<title>Short note</title><p>Only one paragraph here.</p>');
    expect(fields?.title).toBe('Short note');
    expect(fields?.paragraphs).toEqual(['Only one paragraph here.']);
  });
});

/** Text of a fixture page that must not be in any paragraph: bylines, captions, credits, share bars, read-more lines… */
function expectNoneOf(paragraphs: readonly string[] | undefined, boilerplate: readonly string[]): void {
  const text = (paragraphs ?? []).join('\n');
  for (const phrase of boilerplate) expect(text, phrase).not.toContain(phrase);
}

describe('readHtmlArticle on three shapes of page', () => {
  it('reads a news article: byline with date, lead figure, share bars, "Read more" lines, an inline figure and a newsletter box', async () => {
    const fields = readHtmlArticle(await readFixture('news-figure-page.html'));
    expect(fields).toEqual({
      title: 'Pumps run around the clock as polders flood near Gouda',
      source: 'Lowlands Daily',
      date: '2024-03-14T08:15:00.000Z',
      url: 'https://lowlands.example/netherlands/2024/03/14/pumps-polders-gouda',
      byline: 'Anna de Vries',
      caption: 'Water is pumped out of the Reeuwijk polder near Gouda on Wednesday evening.',
      paragraphs: [
        'Every pumping station in the polders around Gouda has been running day and night since Sunday, as the wettest winter since records began leaves the low-lying farmland with nowhere to send its water.',
        'The Rijnland and Schieland water boards said on Wednesday that river levels on the Hollandse IJssel were too high for the usual discharge at low tide, so the pumps now lift water over the dykes directly.',
        'Farmers in Reeuwijk and Haastrecht say their fields have been under water for three weeks, too long for the winter wheat, which needs its roots to breathe before the spring growth begins.',
        '“We have never had to keep the pumps going this long without a break,” said Willem Kooistra, who oversees the stations for the water board, adding that electricity costs alone had tripled since January.',
        'The national weather service expects two more days of rain before a dry spell at the weekend, which would let the boards start lowering the water in the polders from Monday.',
        'Residents of low-lying streets in Gouda have been told to keep sandbags at hand, though the city said there was no immediate risk to homes.',
      ],
    });
    expectNoneOf(fields?.paragraphs, ['By Anna', '14 March 2024', 'Reeuwijk polder near Gouda on Wednesday', 'Delta Press', 'Volunteers fill sandbags', 'Read more', 'READ MORE', 'rising so early', 'Dyke inspectors walk', 'Facebook', 'WhatsApp', 'Copy link', 'Share this', 'Morning Briefing', 'inbox', 'Related', 'Most read']);
  });

  it('reads a blog post: "Posted on … by …" line, mid-post figure, share and related boxes, tags, author box and comments', async () => {
    const fields = readHtmlArticle(await readFixture('blog-post-page.html'));
    expect(fields).toEqual({
      title: 'Ten years of walking the Merwede dykes',
      source: 'Field Notes',
      date: '2023-11-02T18:40:00.000Z',
      url: 'https://fieldnotes.example/2023/11/02/ten-years-merwede-dykes/',
      byline: 'Tom Okafor',
      caption: null, // the only figure comes after two paragraphs: an illustration, not the lead
      paragraphs: [
        'I first walked the Merwede dykes from Gorinchem to Werkendam on a grey November morning ten years ago, with a borrowed map and boots that let the water in.',
        'Since then I have walked the same twenty kilometres more than forty times, in every season, and the river has never once looked the same twice.',
        'What has changed most is the dyke itself: the stretch past Hardinxveld was raised by a metre in 2019, and the old brick pumping house now sits in a hollow below the new crest.',
        'Walking it yourself',
        'The path is open all year, but after heavy rain the grass on the crest turns slippery, and the cattle gates near Sleeuwijk are easier to cross in daylight.',
        'Trains from Dordrecht stop at Gorinchem every half hour, and the water bus back from Werkendam runs until early evening from April to October.',
      ],
    });
    expectNoneOf(fields?.paragraphs, ['Posted', 'Tom Okafor', 'Fog over', 'Share this', 'Twitter', 'Related', 'Biesbosch', 'Tagged', 'retired hydrologist', 'thoughts on', 'Lovely piece', 'Leave a Reply', 'says:']);
  });

  it('reads an AMP page: JSON-LD authors and date, amp-img figure with a credit, amp-social-share, amp-ad and a "Related:" line', async () => {
    const fields = readHtmlArticle(await readFixture('amp-page.html'));
    expect(fields).toEqual({
      title: 'Port strike halts grain exports for a third day',
      source: 'Harbour Post',
      date: '2024-05-02T06:00:00.000Z',
      url: 'https://harbourpost.example/business/2024/05/02/port-strike-grain-exports',
      byline: 'Maria Santos and Kofi Mensah',
      caption: 'Idle cranes at the grain terminal on Thursday.',
      paragraphs: [
        'Grain exports from the port came to a standstill for a third day on Thursday as dock workers extended their strike over pay and shift patterns, leaving a dozen bulk carriers waiting at anchor.',
        'The union said talks with the terminal operators broke down on Wednesday night after the employers refused to lift their offer of a 3.5 percent rise, which workers say falls well short of inflation.',
        'Traders said about 400,000 tonnes of wheat and maize were stuck in silos, and that some buyers had begun to route cargoes through other ports along the coast at higher cost.',
        '“Nobody wants a long strike, but we cannot keep working twelve-hour shifts for less money every year,” a union spokesperson told reporters outside the terminal gates.',
        'The port authority said it would ask a mediator to bring both sides back to the table before the weekend.',
      ],
    });
    expectNoneOf(fields?.paragraphs, ['By Maria', '2 May 2024', 'Idle cranes', 'Lena Otto', 'Advertisement', 'Related', 'Grain prices jump', 'More from Business', 'Freight rates', 'full site']);
  });

  it('keeps a credit line inside a sentence as text and takes no byline from it', () => {
    const html = page(
      '<title>Budget</title>',
      `${FILLER}<p>Reporting by <a rel="author" href="/staff/lee">Ann Lee</a> in Leiden; editing by the regional desk, which checked every figure twice.</p>`,
    );
    const fields = readHtmlArticle(html);
    expect(fields?.byline).toBeNull();
    expect(fields?.paragraphs).toEqual([expect.stringContaining('regional council met'), 'Reporting by Ann Lee in Leiden; editing by the regional desk, which checked every figure twice.']);
  });

  it('leaves out a byline too long to be one instead of failing the page', () => {
    const authors = Array.from({ length: 60 }, (_, i) => ({ '@type': 'Person', name: `Reporter Number ${i + 1}` }));
    const html = page(`<title>T</title><script type="application/ld+json">${JSON.stringify({ '@type': 'NewsArticle', author: authors })}</script>`, FILLER);
    expect(readHtmlArticle(html)?.byline).toBeNull();
    expect(parseArticles(html, 'html', 'many.html')[0]?.byline).toBeNull();
  });
});

describe('fragmentParagraphs', () => {
  it('drops figures and their captions, as in a feed item\'s content', () => {
    expect(fragmentParagraphs('<figure><img src="a.jpg"><figcaption>Sandbags in Oudewater. Photo: AP</figcaption></figure><p>Rain fell.</p>')).toEqual(['Rain fell.']);
  });

  it('splits on blocks and on <br><br>, joins single <br>s, decodes entities and drops script and style', () => {
    expect(fragmentParagraphs('<p>One &amp; two</p>Three<br>and a half<br><br>Four<script>steal()</script><style>p{}</style>')).toEqual([
      'One & two',
      'Three and a half',
      'Four',
    ]);
  });

  it('keeps escaped markup as text', () => {
    expect(fragmentParagraphs('<p>Write &lt;script&gt;alert(1)&lt;/script&gt; to test.</p>')).toEqual(['Write <script>alert(1)</script> to test.']);
  });

  it('gives back the collapsed text of any escaped paragraph', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const collapsed = text.replace(/\s+/g, ' ').trim();
        expect(fragmentParagraphs(`<p>${escapeHtml(text)}</p>`)).toEqual(collapsed === '' ? [] : [collapsed]);
      }),
    );
  });
});

describe('absoluteHttpUrl', () => {
  it('resolves relative URLs and rejects other schemes and garbage', () => {
    expect(absoluteHttpUrl('/a?b=1', 'https://example.com/x/y')).toBe('https://example.com/a?b=1');
    expect(absoluteHttpUrl('https://example.com/a', 'not a base')).toBe('https://example.com/a');
    expect(absoluteHttpUrl('javascript:alert(1)')).toBeNull();
    expect(absoluteHttpUrl('/relative')).toBeNull();
    expect(absoluteHttpUrl('  ')).toBeNull();
  });
});

describe('lenientDate', () => {
  it('reads ISO 8601, RFC 2822 and sloppier dates with a year, and nothing else', () => {
    expect(lenientDate('2024-03-14T07:30:00+01:00')).toBe('2024-03-14T06:30:00.000Z');
    expect(lenientDate('Thu, 14 Mar 2024 07:30:00 GMT')).toBe('2024-03-14T07:30:00.000Z');
    expect(lenientDate('Thu, 14 Mar 2024 7:30:00 GMT')).toBe('2024-03-14T07:30:00.000Z');
    expect(lenientDate('yesterday')).toBeNull();
    expect(lenientDate(undefined)).toBeNull();
  });
});

describe('parseArticles (html)', () => {
  it('validates the page into an article whose id, derived from the URL, is the same on every parse', async () => {
    const html = await readPage();
    const [first] = parseArticles(html, 'html', 'page.html');
    const [second] = parseArticles(html, 'html', 'page.html');
    expect(first?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(second?.id).toBe(first?.id);
    expect(first?.paragraphs).toEqual(PAGE_PARAGRAPHS);
    expect(first?.source).toBe('Coastal Courier');
    expect(first?.date).toBe('2024-03-14T06:30:00.000Z');
    expect(first?.byline).toBe('Dana Whitfield');
  });

  it('validates the byline and lead caption of a page into the article', async () => {
    const [article] = parseArticles(await readFixture('news-figure-page.html'), 'html', 'news.html');
    expect(article).toMatchObject({ byline: 'Anna de Vries', caption: 'Water is pumped out of the Reeuwijk polder near Gouda on Wednesday evening.', dateline: null });
    expect(article?.paragraphs).toHaveLength(6);
  });

  it('is chosen for .html and .htm files and HTML media types', () => {
    expect(formatOfPath('story.html')).toBe('html');
    expect(formatOfPath('STORY.HTM')).toBe('html');
    expect(formatOfMediaType('text/html; charset=utf-8')).toBe('html');
    expect(formatOfMediaType('application/xhtml+xml')).toBe('html');
  });

  it('throws a bad_request naming the origin for a page without article', () => {
    const error = thrownBy(() => parseArticles('<html><body></body></html>', 'html', 'empty.html'));
    expect(isServiceError(error) && error.code).toBe('bad_request');
    expect(error).toHaveProperty('message', 'empty.html: no article: the page has no title and no text');
  });

  it('throws a bad_request naming the missing title of a page with text only', () => {
    const error = thrownBy(() => parseArticles(`<html><body>${FILLER}</body></html>`, 'html', 'untitled.html'));
    expect(isServiceError(error) && error.code).toBe('bad_request');
    expect(error).toHaveProperty('message', 'untitled.html: item 1: title is required');
  });
});

describe('formatOfMediaType', () => {
  it('knows no format for names of Object.prototype members', async () => {
    const { formatOfMediaType, formatOfPath } = await import('../../src/ingest/formats.ts');
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(formatOfMediaType(name)).toBeNull();
      expect(formatOfPath(`file.${name}`)).toBeNull();
    }
  });
});
