/**
 * Ingest by URL with a stub fetcher: what is written, and the refusal of a document that holds no
 * valid article (naming the URL and the skipped items).
 */
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/ingest/article.ts';
import type { Fetched } from '../../src/ingest/fetch-url.ts';
import { ingestUrl, type Fetcher } from '../../src/monitor/url-ingest.ts';
import { rssFeed } from './local-server.ts';

/** A fetcher that answers `body` as `contentType` from `finalUrl` (after redirects), whatever is asked. */
const stubFetch = (body: string, contentType: string, finalUrl: string): Fetcher => async () =>
  ({ status: 'ok', url: finalUrl, contentType, etag: null, lastModified: null, body: Buffer.from(body) }) satisfies Fetched;

describe('ingestUrl', () => {
  it('writes the articles of a feed in one batch and reports each outcome with where the fetch ended', async () => {
    const written: Article[][] = [];
    const ingest = async (articles: readonly Article[]) => {
      written.push([...articles]);
      return articles.map((article) => ({ id: article.id, status: 'created' as const, paragraphs: article.paragraphs.length }));
    };
    const feed = rssFeed('Wire', [
      { title: 'Harvest', link: 'https://wire.example/harvest', text: 'Wheat prices fell.' },
      { title: '', link: 'https://wire.example/blank', text: 'No title.' },
    ]);
    const result = await ingestUrl('https://wire.example/old-feed', { fetch: stubFetch(feed, 'application/rss+xml', 'https://wire.example/feed'), ingest });
    expect(written).toHaveLength(1);
    expect(written[0]?.map((article) => article.url)).toEqual(['https://wire.example/harvest']);
    expect(result).toMatchObject({ url: 'https://wire.example/feed', kind: 'feed', title: 'Wire', warnings: ['item 2: title is required (skipped)'] });
    expect(result.results).toEqual([{ id: written[0]?.[0]?.id, status: 'created', paragraphs: 1 }]);
  });

  it('refuses a feed with no valid item, naming the URL and why each item was skipped, and writes nothing', async () => {
    let calls = 0;
    const ingest = async () => {
      calls += 1;
      return [];
    };
    const feed = rssFeed('Wire', [{ title: '', link: 'https://wire.example/blank', text: 'No title.' }]);
    await expect(ingestUrl('https://wire.example/feed', { fetch: stubFetch(feed, 'application/rss+xml', 'https://wire.example/feed'), ingest })).rejects.toMatchObject({
      code: 'bad_request',
      message: 'https://wire.example/feed: no article found: item 1: title is required (skipped)',
    });
    expect(calls).toBe(0);
  });
});
