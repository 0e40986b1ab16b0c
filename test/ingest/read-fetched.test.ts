/**
 * What a fetched document gives: feeds and pages told apart by their content before their
 * Content-Type, the charset honoured, feed items keyed stably, bad items skipped.
 */
import { describe, expect, it } from 'vitest';
import { deriveId } from '../../src/ingest/article.ts';
import { readFetched, sniffFormat } from '../../src/ingest/read-fetched.ts';
import { thrownBy } from '../helpers.ts';
import { rssFeed } from '../monitor/local-server.ts';

const FEED_URL = 'https://wire.example/feed.xml';
const PAGE = '<!doctype html><html><head><title>Storm hits coast</title></head><body><article><h1>Storm hits coast</h1><p>A storm hit the coast on Monday, felling trees across the region.</p><p>Power was cut to thousands of homes.</p></article></body></html>';

describe('sniffFormat', () => {
  it('reads a feed served as text/html or text/plain as a feed, and a page served as XML as a page', () => {
    const feed = rssFeed('Wire', [{ title: 'T', link: 'https://wire.example/1', text: 'Text.' }]);
    expect(sniffFormat(feed, 'text/html', FEED_URL)).toBe('feed');
    expect(sniffFormat(feed, 'text/plain', FEED_URL)).toBe('feed');
    expect(sniffFormat('<feed xmlns="http://www.w3.org/2005/Atom"></feed>', null, FEED_URL)).toBe('feed');
    expect(sniffFormat(PAGE, 'application/xml', FEED_URL)).toBe('html');
  });

  it('falls back on the Content-Type, then on the extension of the URL', () => {
    expect(sniffFormat('{"title":"T","body":"x"}', 'application/json', 'https://a.example/x')).toBe('json');
    expect(sniffFormat('Title\n\nText.', null, 'https://a.example/story.txt')).toBe('text');
    expect(sniffFormat('binary', 'application/octet-stream', 'https://a.example/x')).toBeNull();
  });
});

describe('readFetched', () => {
  it('reads a page as one article whose url is the page address', () => {
    const batch = readFetched(Buffer.from(PAGE), 'text/html', 'https://news.example/storm');
    expect(batch.kind).toBe('page');
    expect(batch.articles).toHaveLength(1);
    expect(batch.articles[0]).toMatchObject({ title: 'Storm hits coast', url: 'https://news.example/storm', id: deriveId({ url: 'https://news.example/storm', title: '', paragraphs: [] }) });
  });

  it('reads a feed item by item, each with its link as url and the feed title as source', () => {
    const feed = rssFeed('Valley Wire', [
      { title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' },
      { title: 'Flood', link: 'https://wire.example/flood', text: 'The river rose.' },
    ]);
    const batch = readFetched(Buffer.from(feed), 'application/rss+xml', FEED_URL);
    expect(batch).toMatchObject({ kind: 'feed', title: 'Valley Wire', warnings: [] });
    expect(batch.articles.map((article) => [article.title, article.url, article.source])).toEqual([
      ['Harvest', 'https://wire.example/harvest', 'Valley Wire'],
      ['Flood', 'https://wire.example/flood', 'Valley Wire'],
    ]);
  });

  it('keys an item without a link by its guid, so an edited item keeps its id', () => {
    const before = readFetched(Buffer.from(rssFeed('Wire', [{ title: 'Flood', guid: 'item-77', text: 'The river rose.' }])), 'application/rss+xml', FEED_URL);
    const after = readFetched(Buffer.from(rssFeed('Wire', [{ title: 'Flood, updated', guid: 'item-77', text: 'The river rose two metres.' }])), 'application/rss+xml', FEED_URL);
    const elsewhere = readFetched(Buffer.from(rssFeed('Wire', [{ title: 'Flood', guid: 'item-77', text: 'The river rose.' }])), 'application/rss+xml', 'https://other.example/feed');
    expect(before.articles[0]?.id).toBe(after.articles[0]?.id);
    expect(before.articles[0]?.id).not.toBe(elsewhere.articles[0]?.id);
  });

  it('skips an invalid item with a warning naming it, and keeps the others', () => {
    const feed = rssFeed('Wire', [
      { title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' },
      { title: '', link: 'https://wire.example/blank', text: 'No title.' },
    ]);
    const batch = readFetched(Buffer.from(feed), 'application/rss+xml', FEED_URL);
    expect(batch.articles.map((article) => article.title)).toEqual(['Harvest']);
    expect(batch.warnings).toEqual(['item 2: title is required (skipped)']);
  });

  it('decodes the body in the charset the header or the document names', () => {
    const latin1 = Buffer.from(rssFeed('Café Wire', [{ title: 'Élection', link: 'https://wire.example/e', text: 'Les électeurs ont voté.' }]).replace('utf-8', 'iso-8859-1'), 'latin1');
    const byDeclaration = readFetched(latin1, 'application/rss+xml', FEED_URL);
    expect(byDeclaration.articles[0]?.title).toBe('Élection');
    expect(byDeclaration.title).toBe('Café Wire');
    const page = Buffer.from(PAGE.replace('Storm', 'Tempête'), 'latin1');
    expect(readFetched(page, 'text/html; charset=ISO-8859-1', 'https://news.example/t').articles[0]?.title).toBe('Tempête hits coast');
  });

  it('refuses a document that is neither a feed nor a page, naming the URL and the type', () => {
    const error = thrownBy(() => readFetched(Buffer.from('binary'), 'application/octet-stream', 'https://a.example/x'));
    expect(error).toMatchObject({ code: 'bad_request', message: 'https://a.example/x: application/octet-stream is neither a feed nor an article page' });
  });
});
