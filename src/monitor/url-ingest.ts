/**
 * @module monitor/url-ingest
 * Ingest by URL (SPEC §11): `npm run ingest -- https://…` and `POST /articles {"url"}` fetch the
 * URL safely (`ingest/fetch-url.ts`), read a feed's items or a page's article
 * (`ingest/read-fetched.ts`) and write them as one batch, like a posted body.
 */
import type { ArticleResult } from '../backends/backend.ts';
import { createError } from '../errors.ts';
import type { Article } from '../ingest/article.ts';
import type { FetchOptions, Fetched } from '../ingest/fetch-url.ts';
import { readFetched, type FetchedBatch } from '../ingest/read-fetched.ts';

/** Fetches a URL with the server's address rule and limits bound in; the caller adds validators and a signal. */
export type Fetcher = (url: string, options?: Pick<FetchOptions, 'etag' | 'lastModified' | 'signal'>) => Promise<Fetched>;

/** Writes a batch of articles, all or nothing (the service's `ingest`). */
export type Ingest = (articles: readonly Article[]) => Promise<ArticleResult[]>;

/** What ingesting a URL did: where it ended (after redirects), what it was, each article's outcome, and items skipped. */
export type UrlIngestResult = {
  url: string;
  kind: FetchedBatch['kind'];
  title: string | null;
  results: ArticleResult[];
  /** The articles written, in the order of `results`. */
  articles: Article[];
  warnings: string[];
};

/**
 * Fetches `url` and ingests what it holds. Throws `bad_request` naming the URL when it is refused,
 * cannot be fetched, or holds no valid article (the skipped items' reasons in the message).
 *
 * @example
 * const { results } = await ingestUrl('https://example.com/feed.xml', { fetch, ingest: service.ingest });
 */
export async function ingestUrl(url: string, deps: { fetch: Fetcher; ingest: Ingest }): Promise<UrlIngestResult> {
  const fetched = await deps.fetch(url);
  // No validators were sent, so no 304 can come back; this narrows the type.
  if (fetched.status !== 'ok') throw createError('bad_request', `${url}: answered 304 Not Modified to a request without validators`);
  const batch = readFetched(fetched.body, fetched.contentType, fetched.url);
  if (batch.articles.length === 0) {
    const why = batch.warnings.length > 0 ? `: ${batch.warnings.slice(0, 5).join('; ')}` : '';
    throw createError('bad_request', `${fetched.url}: no article found${why}`);
  }
  const results = await deps.ingest(batch.articles);
  return { url: fetched.url, kind: batch.kind, title: batch.title, results, articles: batch.articles, warnings: batch.warnings };
}
