/**
 * @module ingest/formats
 * Turns the bytes of a file or a request body into validated articles, choosing the reader by
 * file extension or media type (SPEC §2). The one place where a reader's "not this format"
 * becomes a `bad_request` naming the input.
 */
import { createError, messageOf } from '../errors.ts';
import { validateBatch, type Article } from './article.ts';
import { readFeed } from './read-feed.ts';
import { readHtmlArticle } from './read-html.ts';
import { readTextArticle } from './read-text.ts';

/** The formats the service reads: `feed` is RSS or Atom, told apart by the root element. */
export type Format = 'text' | 'json' | 'jsonl' | 'html' | 'feed';

/** File extensions of each format (lower case, with the dot). */
const EXTENSION_FORMATS = new Map<string, Format>(Object.entries({
  '.txt': 'text',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.html': 'html',
  '.htm': 'html',
  '.rss': 'feed',
  '.atom': 'feed',
  '.xml': 'feed',
}) as Array<[string, Format]>);

/** Media types of each format (parameters such as `charset` are ignored). */
/** A Map, not an object: a client's `__proto__` or `constructor` finds nothing. */
const MEDIA_TYPE_FORMATS = new Map<string, Format>(Object.entries({
  'text/plain': 'text',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/json-lines': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/rss+xml': 'feed',
  'application/atom+xml': 'feed',
  'application/xml': 'feed',
  'text/xml': 'feed',
}) as Array<[string, Format]>);

/** The format of a file name, or `null` when the service does not read that extension. */
export function formatOfPath(path: string): Format | null {
  const dot = path.lastIndexOf('.');
  if (dot === -1) return null;
  return EXTENSION_FORMATS.get(path.slice(dot).toLowerCase()) ?? null;
}

/** The format of a `Content-Type` header, or `null` when unsupported. */
export function formatOfMediaType(contentType: string | undefined): Format | null {
  if (contentType === undefined) return null;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return MEDIA_TYPE_FORMATS.get(mediaType) ?? null;
}

/**
 * Parses `content` in `format` into validated articles. `origin` names the input in errors
 * (a file path or "request body"). Throws a `bad_request` naming every bad item and field.
 *
 * @example
 * parseArticles('{"title":"T","body":"Text."}', 'json', 'request body')[0]?.paragraphs // ['Text.']
 */
export function parseArticles(content: string, format: Format, origin: string): Article[] {
  // A byte order mark is not content, whatever the format.
  const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  return validateBatch(readRaw(text, format, origin), origin);
}

function readRaw(content: string, format: Format, origin: string): unknown[] {
  switch (format) {
    case 'text': {
      const fields = readTextArticle(content);
      if (fields === null) throw createError('bad_request', `${origin} holds no text: the first line must be the title`);
      return [fields];
    }
    case 'json': {
      const value = parseJson(content, origin);
      return Array.isArray(value) ? value : [value];
    }
    case 'jsonl':
      return content
        .split('\n')
        .map((line, index) => ({ line: line.trim(), index }))
        .filter(({ line }) => line.length > 0)
        .map(({ line, index }) => parseJson(line, `${origin} line ${index + 1}`));
    case 'html': {
      const fields = readHtmlArticle(content);
      if (fields === null) throw createError('bad_request', `${origin}: the page holds no article (no title and no text)`);
      return [fields];
    }
    case 'feed': {
      const feed = readFeed(content);
      if (!feed.ok) throw createError('bad_request', `${origin}: ${feed.reason}`);
      return feed.items;
    }
  }
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = messageOf(error);
    throw createError('bad_request', `${origin} is not valid JSON: ${reason}`);
  }
}

/** The media types `POST /articles` accepts, for error messages. */
export const SUPPORTED_MEDIA_TYPES: readonly string[] = [...MEDIA_TYPE_FORMATS.keys()];
