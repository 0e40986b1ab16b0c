import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../helpers.ts';
import { isServiceError } from '../../src/errors.ts';
import { deriveId, type ReadFields } from '../../src/ingest/article.ts';
import { formatOfMediaType, formatOfPath, parseArticles } from '../../src/ingest/formats.ts';
import { readFeed } from '../../src/ingest/read-feed.ts';

const fixture = (name: string): Promise<string> => readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** The items of a feed that must read; fails the test with the reason otherwise. */
function itemsOf(xml: string): ReadFields[] {
  const feed = readFeed(xml);
  if (!feed.ok) throw new Error(`expected a feed: ${feed.reason}`);
  return feed.items;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An RSS 2.0 document with the given `<item>` bodies. */
function rss(...items: string[]): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Test Wire</title><link>https://test.example/</link>${items
    .map((item) => `<item>${item}</item>`)
    .join('')}</channel></rss>`;
}

describe('readFeed (RSS 2.0)', () => {
  it('reads titles, links, dates as ISO and the channel title as source', async () => {
    const feed = readFeed(await fixture('wire.rss'));
    expect(feed.ok && feed.kind).toBe('rss');
    const items = itemsOf(await fixture('wire.rss'));
    expect(items.map(({ title, url, date, source }) => ({ title, url, date, source }))).toEqual([
      { title: 'Council approves new tram line', url: 'https://wire.example/2024/03/tram-line', date: '2024-03-05T08:15:00.000Z', source: 'Valley Wire' },
      { title: 'Flood defences hold after record rainfall', url: 'https://wire.example/2024/03/flood-defences', date: '2024-03-06T18:00:00.000Z', source: 'Partner Agency' },
      { title: 'Library extends weekend opening hours', url: 'https://wire.example/2024/03/library-hours', date: '2024-03-07T08:00:00.000Z', source: 'Valley Wire' },
    ]);
  });

  it('turns escaped HTML into paragraphs, drops the <script> element and keeps <script> written as text', async () => {
    const [tram] = itemsOf(await fixture('wire.rss'));
    expect(tram?.paragraphs).toEqual([
      'The city council approved the new tram line by 31 votes to 12 on Monday night.',
      "Critics noted that the council's own site still loads a <script> tag from an ad network & a tracker.",
    ]);
    expect(tram?.paragraphs.join(' ')).not.toContain('alert');
  });

  it('prefers CDATA content:encoded over the description and splits it on blocks and <br><br>', async () => {
    const [, flood] = itemsOf(await fixture('wire.rss'));
    expect(flood?.paragraphs).toEqual([
      'The river peaked at 4.2 metres on Wednesday, the highest level since records began in 1911.',
      'Pumps ran all night',
      'Crews from three towns kept the pumps running.',
      'No homes were flooded, officials said.',
      'Road closures: Mill Lane, Quay Street',
      'Café terrace reopens Friday',
    ]);
  });

  it('takes a permalink guid as the URL of an item without <link>', async () => {
    const [, , library] = itemsOf(await fixture('wire.rss'));
    expect(library?.url).toBe('https://wire.example/2024/03/library-hours');
    expect(library?.paragraphs).toEqual(['The central library will open on Sundays from April, the council said.']);
  });

  it('does not take a guid marked isPermaLink="false" for a URL', () => {
    const [item] = itemsOf(rss('<title>T</title><guid isPermaLink="false">https://test.example/internal/1</guid><description>Text.</description>'));
    expect(item?.url).toBeNull();
  });

  it('falls back to the description when content:encoded holds no text', () => {
    const [item] = itemsOf(rss('<title>T</title><description>Summary text.</description><content:encoded><![CDATA[<img src="x.jpg">]]></content:encoded>'));
    expect(item?.paragraphs).toEqual(['Summary text.']);
  });

  it('drops a date it cannot read and resolves a relative link against the channel link', () => {
    const [item] = itemsOf(rss('<title>T</title><link>/news/1</link><pubDate>sometime soon</pubDate><description>Text.</description>'));
    expect(item?.date).toBeNull();
    expect(item?.url).toBe('https://test.example/news/1');
  });

  it('keeps a title of digits as text', () => {
    const [item] = itemsOf(rss('<title>2024</title><description>Text.</description>'));
    expect(item?.title).toBe('2024');
  });

  it('gives back any text written twice-escaped in a description as that text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const collapsed = text.replace(/\s+/g, ' ').trim();
        const [item] = itemsOf(rss(`<title>T</title><description>${escapeXml(`<p>${escapeXml(text)}</p>`)}</description>`));
        expect(item?.paragraphs).toEqual(collapsed === '' ? [] : [collapsed]);
      }),
    );
  });
});

describe('readFeed (Atom)', () => {
  it('reads html, xhtml and text entries with their alternate links, dates and sources', async () => {
    const feed = readFeed(await fixture('valley.atom'));
    expect(feed.ok && feed.kind).toBe('atom');
    expect(itemsOf(await fixture('valley.atom'))).toEqual([
      {
        title: 'Bakery wins regional prize',
        source: 'Valley Gazette',
        date: '2024-03-08T08:30:00.000Z',
        url: 'https://gazette.example/2024/bakery-prize',
        paragraphs: ['A family bakery on Mill Lane won the regional bread prize on Friday.', 'Its rye loaf beat 40 entries.'],
      },
      {
        title: 'School choir tours the coast',
        source: 'Valley Gazette',
        date: '2024-03-07T09:00:00.000Z',
        url: 'https://gazette.example/2024/choir-tour',
        paragraphs: ['The school choir left on Thursday for a week of concerts along the coast.', 'Parents raised 5,000 euros for the trip. Tickets are free.'],
      },
      {
        title: 'Market moves to the square',
        source: 'Town Hall Notices',
        date: '2024-03-06T07:00:00.000Z',
        url: 'https://gazette.example/2024/market',
        paragraphs: ['The weekly market moves to the main square from next month.', 'Stalls open at 8 a.m.'],
      },
    ]);
  });

  it('keeps tags in a text-typed summary as text', () => {
    const [entry] = itemsOf(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>T</title><summary type="text">Use &lt;b&gt; for bold.</summary></entry></feed>',
    );
    expect(entry?.paragraphs).toEqual(['Use <b> for bold.']);
  });

  it('reads a feed whose Atom elements carry a prefix', () => {
    const [entry] = itemsOf(
      '<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"><atom:title>F</atom:title><atom:entry><atom:title>T</atom:title><atom:link href="https://f.example/1"/><atom:content type="html">&lt;p&gt;Body.&lt;/p&gt;</atom:content></atom:entry></atom:feed>',
    );
    expect(entry).toEqual({ title: 'T', source: 'F', date: null, url: 'https://f.example/1', paragraphs: ['Body.'] });
  });
});

describe('readFeed (not a feed)', () => {
  it('says why when the XML is malformed', () => {
    const feed = readFeed('<rss><channel><title>T</title></rss>');
    expect(feed.ok).toBe(false);
    expect(!feed.ok && feed.reason).toMatch(/^not well-formed XML: .*line 1/);
  });

  it('names the root element of XML that is neither RSS nor Atom', () => {
    expect(readFeed('<?xml version="1.0"?><catalog><book/></catalog>')).toEqual({
      ok: false,
      reason: 'not an RSS or Atom feed: the root element is <catalog>',
    });
  });
});

describe('parseArticles (feed)', () => {
  it('validates every item, with ids derived from the URLs and equal on re-parse', async () => {
    const xml = await fixture('wire.rss');
    const first = parseArticles(xml, 'feed', 'wire.rss');
    const second = parseArticles(xml, 'feed', 'wire.rss');
    expect(first.map((article) => article.title)).toEqual([
      'Council approves new tram line',
      'Flood defences hold after record rainfall',
      'Library extends weekend opening hours',
    ]);
    expect(first.map((article) => article.id)).toEqual(second.map((article) => article.id));
    for (const article of first) expect(article.id).toBe(deriveId({ url: article.url, title: article.title, paragraphs: article.paragraphs }));
    expect(new Set(first.map((article) => article.id)).size).toBe(3);
  });

  it('detects RSS and Atom behind a .xml name', async () => {
    const format = formatOfPath('news/feed.XML');
    expect(format).toBe('feed');
    if (format === null) return;
    expect(parseArticles(await fixture('wire.rss'), format, 'feed.xml')).toHaveLength(3);
    expect(parseArticles(await fixture('valley.atom'), format, 'feed.xml')).toHaveLength(3);
  });

  it('is chosen for .rss and .atom files and the feed and XML media types', () => {
    expect(formatOfPath('a.rss')).toBe('feed');
    expect(formatOfPath('a.atom')).toBe('feed');
    for (const type of ['application/rss+xml', 'application/atom+xml', 'application/xml; charset=utf-8', 'text/xml']) {
      expect(formatOfMediaType(type)).toBe('feed');
    }
  });

  it('throws a bad_request naming the origin for XML that is not a feed', () => {
    const error = thrownBy(() => parseArticles('<catalog><book/></catalog>', 'feed', 'books.xml'));
    expect(isServiceError(error) && error.code).toBe('bad_request');
    expect(error).toHaveProperty('message', 'books.xml: not an RSS or Atom feed: the root element is <catalog>');
  });

  it('throws a bad_request naming the origin for malformed XML', () => {
    const error = thrownBy(() => parseArticles('<rss><channel></rss>', 'feed', 'broken.rss'));
    expect(isServiceError(error) && error.code).toBe('bad_request');
    expect(error).toHaveProperty('message', expect.stringMatching(/^broken\.rss: not well-formed XML: /));
  });

  it('names the item without title and the one without text, counted from 1, after the file', () => {
    const xml = rss(
      '<title>Fine</title><link>https://test.example/1</link><description>Text.</description>',
      '<link>https://test.example/2</link><description>No title here.</description>',
      '<title>Empty</title><link>https://test.example/3</link>',
    );
    const error = thrownBy(() => parseArticles(xml, 'feed', 'wire.rss'));
    expect(isServiceError(error) && error.code).toBe('bad_request');
    expect(error).toHaveProperty(
      'message',
      'wire.rss: item 2: title is required; item 3: paragraphs must hold at least one non-blank paragraph',
    );
  });

  it('throws a bad_request for a feed without items', () => {
    const error = thrownBy(() => parseArticles(rss(), 'feed', 'quiet.rss'));
    expect(error).toHaveProperty('message', 'quiet.rss: no article found');
  });
});
