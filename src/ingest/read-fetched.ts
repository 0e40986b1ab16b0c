/**
 * @module ingest/read-fetched
 * Turns a fetched document (SPEC §11) into articles: a feed (RSS, Atom) gives one article per
 * item, an article page one article with the page's address as its `url` (unless it names a
 * canonical one). The format is sniffed from the body first (a feed served as `text/html` or
 * `text/plain` is common), then taken from `Content-Type`, then from the URL's extension.
 *
 * A feed's items are taken as the feed gives them (its `content:encoded` / `<content>`, else the
 * description / summary): the item's page is not fetched. One subscribed feed would otherwise cost
 * the publisher a request per item per poll, and us that many more fetches; a teaser is
 * searchable and links to the page, which can be ingested by its URL when the whole text matters.
 * An item that is invalid (no title, no text) is skipped with a warning rather than failing the
 * feed: a publisher's one bad item must not stop the others, at every poll.
 */
import { createHash } from 'node:crypto';
import { createError, isServiceError } from '../errors.ts';
import { absoluteHttpUrl } from './article.ts';
import { describeProblem, validateBatch, type ParsedBatch } from './batch.ts';
import { formatOfMediaType, formatOfPath, parseBatch, type Format } from './formats.ts';
import { readFeed } from './read-feed.ts';
import { readHtmlArticle } from './read-html.ts';

/** What a fetched document gave: its kind, the feed's title, the articles and warnings (skipped items). */
export type FetchedBatch = ParsedBatch & { kind: 'feed' | 'page' | 'other'; title: string | null };

/** Matches the start of an XML feed after any declaration, comments or whitespace. */
const FEED_START_RE = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*|<\?xml-stylesheet[^>]*\?>\s*)*<(?:rss|feed|rdf:RDF|atom:feed)[\s>]/i;
/** Matches the start of an HTML document. */
const HTML_START_RE = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html)[\s>]/i;
/** Matches the charset of a `Content-Type`, an XML declaration's encoding or a `<meta charset>`. */
const CHARSET_RE = /charset\s*=\s*["']?([\w.:-]+)/i;
const XML_ENCODING_RE = /^<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i;

/**
 * The body as text: in the charset the header names, else the one the document declares (XML
 * declaration, `<meta charset>`, in its first kilobyte), else UTF-8.
 */
export function decodeBody(body: Buffer, contentType: string | null): string {
  const head = body.subarray(0, 1024).toString('latin1');
  const label = CHARSET_RE.exec(contentType ?? '')?.[1] ?? XML_ENCODING_RE.exec(head.trimStart())?.[1] ?? CHARSET_RE.exec(head)?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(body);
}

/** The format of a fetched document: sniffed, else by `Content-Type`, else by the URL's extension; `null` when none fits. */
export function sniffFormat(text: string, contentType: string | null, url: string): Format | null {
  const start = text.startsWith('\uFEFF') ? text.slice(1, 4096) : text.slice(0, 4096);
  if (FEED_START_RE.test(start)) return 'feed';
  if (HTML_START_RE.test(start)) return 'html';
  return formatOfMediaType(contentType ?? undefined) ?? formatOfPath(new URL(url).pathname);
}

/**
 * The articles of a fetched document at `url` (its address after redirects).
 * Throws `bad_request` naming the URL when it is nothing the service reads, or holds no valid article.
 *
 * @example
 * readFetched(Buffer.from('<rss><channel><title>W</title><item><title>T</title><link>https://w.example/1</link><description>Text.</description></item></channel></rss>'), 'application/rss+xml', 'https://w.example/feed')
 * // { kind: 'feed', title: 'W', articles: [{ id: '…', title: 'T', url: 'https://w.example/1', … }], warnings: [] }
 */
export function readFetched(body: Buffer, contentType: string | null, url: string): FetchedBatch {
  const text = decodeBody(body, contentType);
  const format = sniffFormat(text, contentType, url);
  switch (format) {
    case 'feed':
      return readFetchedFeed(text, url);
    case 'html': {
      const fields = readHtmlArticle(text, url);
      if (fields === null) throw createError('bad_request', `${url}: no article: the page has no title and no text`);
      return { ...validateBatch([fields], { origin: url }), kind: 'page', title: fields.title };
    }
    case null:
      throw createError('bad_request', `${url}: ${contentType ?? 'a document without Content-Type'} is neither a feed nor an article page`);
    default:
      return { ...parseBatch(text, format, url), kind: 'other', title: null };
  }
}

/**
 * The articles of a feed: every valid item (invalid ones skipped with a warning). An item with no
 * link gets an id from the feed's address and its guid (or Atom id), so that reading the feed again
 * finds the same article even when its text was edited.
 */
export function readFetchedFeed(text: string, url: string): FetchedBatch {
  const feed = readFeed(text.startsWith('\uFEFF') ? text.slice(1) : text);
  if (!feed.ok) throw createError('bad_request', `${url}: ${feed.reason}`);
  const articles: FetchedBatch['articles'] = [];
  const warnings: string[] = [];
  feed.items.forEach((item, index) => {
    const key = feed.keys?.[index] ?? null;
    const input = item.url === null && key !== null ? { ...item, id: keyedId(url, key) } : item;
    try {
      const batch = validateBatch([input]);
      articles.push(...batch.articles);
    } catch (error) {
      if (!isServiceError(error)) throw error;
      const problems = (error.details as { problems?: Array<{ field: string; message: string }> } | undefined)?.problems ?? [];
      const reason = problems.length > 0 ? problems.map((problem) => describeProblem({ ...problem, item: index + 1 })).join('; ') : `item ${index + 1}: ${error.message}`;
      warnings.push(`${reason} (skipped)`);
    }
  });
  return { articles: dedupe(articles), warnings, kind: 'feed', title: feed.title ?? null };
}

/** The id of a feed item without a link: 16 hex digits of SHA-256 over the feed's address and the item's key. */
function keyedId(feedUrl: string, key: string): string {
  return createHash('sha256').update(`${absoluteHttpUrl(feedUrl) ?? feedUrl}\n${key}`).digest('hex').slice(0, 16);
}

/** A feed listing one item twice (same link) gives it once: the first, as feed readers show it. */
function dedupe(articles: FetchedBatch['articles']): FetchedBatch['articles'] {
  const seen = new Set<string>();
  return articles.filter((article) => !seen.has(article.id) && seen.add(article.id) !== undefined);
}
