/**
 * @module test/monitor/feeds
 * The feed writers on their own: XML escaping survives a parser for any text (property test,
 * fast-xml-parser as the oracle), ids are stable URNs, dates take each format's form, and an
 * undated hit gets the feed's date in Atom and no date in RSS.
 */
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { atomFeed, entryId, escapeXml, rssFeed, type FeedInput } from '../../src/monitor/feeds.ts';
import type { Hit } from '../../src/service/search-service.ts';

/** Matches what XML 1.0 forbids (the oracle's own copy: C0 controls but tab, LF, CR; U+FFFE, U+FFFF; lone surrogates). */
const FORBIDDEN_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// fast-xml-parser decodes numeric character references (&#xA;) only with htmlEntities; XML parsers always do.
const parser = new XMLParser({ htmlEntities: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: false, isArray: (name) => ['entry', 'item'].includes(name) });

function hit(fields: Partial<Hit> & { id: string }): Hit {
  const [articleId = '', paragraph = '1'] = fields.id.split(':');
  return { articleId, paragraph: Number(paragraph), score: 1, title: 'Title', source: null, date: null, url: null, text: 'text', highlights: [], titleHighlights: [], snippet: 'text', ...fields };
}

function input(hits: Hit[], perArticle = false): FeedInput {
  return { q: 'truce', selfUrl: 'http://example.test/search.atom?q=truce', pageUrl: 'http://example.test/?q=truce', articleUrl: (h) => `http://example.test/?article=${h.articleId}`, perArticle, hits };
}

describe('escapeXml', () => {
  it('gives back any text, less what XML 1.0 forbids, through an XML parser', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const document = `<a b="${escapeXml(text)}">${escapeXml(text)}</a>`;
        expect(XMLValidator.validate(document)).toBe(true);
        const parsed = parser.parse(document).a;
        const expected = text.replace(FORBIDDEN_RE, '');
        expect(typeof parsed === 'string' ? parsed : (parsed['#text'] ?? '')).toBe(expected);
        expect(parsed['@b'] ?? '').toBe(expected);
      }),
      { seed: 18, numRuns: 1000 },
    );
  });
});

describe('entryId', () => {
  it('is the same version 5 UUID URN for the same name, and differs between names', () => {
    expect(entryId('paragraph:a:1')).toBe(entryId('paragraph:a:1'));
    expect(entryId('paragraph:a:1')).not.toBe(entryId('paragraph:a:2'));
    expect(entryId('paragraph:a:1')).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('atomFeed', () => {
  it('dates a date-only hit at midnight UTC, and an undated one with the feed, which takes the newest date', () => {
    const feed = parser.parse(atomFeed(input([hit({ id: 'a:1', date: '2023-11-28T09:15:00.000Z' }), hit({ id: 'b:1', date: '2023-11-27' }), hit({ id: 'c:2' })]))).feed;
    expect(feed.updated).toBe('2023-11-28T09:15:00Z');
    expect(feed.entry.map((entry: { updated: string }) => entry.updated)).toEqual(['2023-11-28T09:15:00Z', '2023-11-27T00:00:00Z', '2023-11-28T09:15:00Z']);
    expect(feed.entry[2].published).toBeUndefined();
  });

  it('says the Unix epoch when no hit has a date, so the feed does not change at every poll', () => {
    expect(parser.parse(atomFeed(input([hit({ id: 'c:2' })]))).feed.updated).toBe('1970-01-01T00:00:00Z');
    expect(parser.parse(atomFeed(input([]))).feed.updated).toBe('1970-01-01T00:00:00Z');
  });

  it('names an entry by its article when hits stand for articles', () => {
    const ids = (perArticle: boolean) => parser.parse(atomFeed(input([hit({ id: 'a:3' })], perArticle))).feed.entry[0].id;
    expect(ids(false)).toBe(entryId('paragraph:a:3'));
    expect(ids(true)).toBe(entryId('article:a'));
  });
});

describe('rssFeed', () => {
  it('gives an undated item no pubDate, and a dated one its date in RFC 822 form', () => {
    const items = parser.parse(rssFeed(input([hit({ id: 'a:1', date: '2023-11-27' }), hit({ id: 'c:2' })]))).rss.channel.item;
    expect(items[0].pubDate).toBe('Mon, 27 Nov 2023 00:00:00 GMT');
    expect(items[1].pubDate).toBeUndefined();
  });
});
