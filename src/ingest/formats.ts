/**
 * @module ingest/formats
 * Turns the bytes of a file or a request body into validated articles, choosing the reader by
 * file extension or media type (SPEC §2). The one place where a reader's "not this format"
 * becomes a `bad_request` naming the input.
 */
import { createError, messageOf } from '../errors.ts';
import type { Article } from './article.ts';
import { originPrefix, validateBatch, type ParsedBatch } from './batch.ts';
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
 * Parses `content` in `format` into validated articles, ignoring unknown fields. `origin` names
 * the input at the start of error messages (a file path); without it (a request body) they
 * start with what is wrong. Throws a `bad_request` naming every bad item and field.
 *
 * @example
 * parseArticles('{"title":"T","body":"Text."}', 'json')[0]?.paragraphs // ['Text.']
 */
export function parseArticles(content: string, format: Format, origin?: string): Article[] {
  return parseBatch(content, format, origin).articles;
}

/**
 * {@link parseArticles}, with the warnings of the batch (unknown fields, which were ignored).
 *
 * @example
 * parseBatch('{"title":"T","body":"Text.","tags":["farm"]}', 'json').warnings // ['item 1: unknown field "tags" (ignored)']
 */
export function parseBatch(content: string, format: Format, origin?: string): ParsedBatch {
  // A byte order mark is not content, whatever the format.
  const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  const raw = readRaw(text, format, originPrefix(origin));
  return validateBatch(raw.inputs, { origin, lines: raw.lines });
}

/** The untrusted articles of an input, and for JSON Lines the line of each (counted from 1). */
type RawBatch = { inputs: unknown[]; lines?: number[] };

/** `prefix` is the start of every message: the origin, or nothing. */
function readRaw(content: string, format: Format, prefix: string): RawBatch {
  switch (format) {
    case 'text': {
      const fields = readTextArticle(content);
      if (fields === null) throw createError('bad_request', `${prefix}no text: the first line must be the title`);
      return { inputs: [fields] };
    }
    case 'json': {
      const value = parseJson(content, prefix);
      return { inputs: Array.isArray(value) ? value : [value] };
    }
    case 'jsonl': {
      const inputs: unknown[] = [];
      const lines: number[] = [];
      content.split('\n').forEach((line, index) => {
        if (line.trim() === '') return;
        inputs.push(parseJson(line, `${prefix}line ${index + 1}: `));
        lines.push(index + 1);
      });
      return { inputs, lines };
    }
    case 'html': {
      const fields = readHtmlArticle(content);
      if (fields === null) throw createError('bad_request', `${prefix}no article: the page has no title and no text`);
      return { inputs: [fields] };
    }
    case 'feed': {
      const feed = readFeed(content);
      if (!feed.ok) throw createError('bad_request', `${prefix}${feed.reason}`);
      return { inputs: feed.items };
    }
  }
}

function parseJson(text: string, prefix: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw createError('bad_request', `${prefix}not valid JSON: ${jsonSyntaxError(messageOf(error), text)}`);
  }
}

/** Matches the 0-based offset V8 gives in a JSON syntax error (and the line and column newer versions add). */
const JSON_POSITION_RE = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?/;
/** Matches the excerpt of the input V8 quotes after an unexpected token, which may hold line breaks. */
const JSON_EXCERPT_RE = /, ".*" is not valid JSON$/s;

/**
 * V8's JSON syntax error in words a person can act on: the offset made a line and a column
 * counted from 1, as an editor shows them (the column alone for one line of text); the quoted
 * excerpt (raw line breaks included) dropped.
 *
 * @example
 * jsonSyntaxError('Expected property name or \'}\' in JSON at position 1', '{x}') // "Expected property name or '}' (column 2)"
 */
function jsonSyntaxError(message: string, text: string): string {
  const position = JSON_POSITION_RE.exec(message);
  if (position === null) return message.replace(JSON_EXCERPT_RE, '');
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const column = offset - before.lastIndexOf('\n');
  // A one-line text (a line of JSON Lines, whose line is named already) needs no line number.
  const where = text.includes('\n') ? `line ${before.split('\n').length}, column ${column}` : `column ${column}`;
  return message.replace(JSON_POSITION_RE, ` (${where})`);
}

/** The media types `POST /articles` accepts, for error messages. */
export const SUPPORTED_MEDIA_TYPES: readonly string[] = [...MEDIA_TYPE_FORMATS.keys()];
