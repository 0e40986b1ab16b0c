/**
 * @module ingest/article
 * The article of SPEC §2: its type, validation of untrusted input (zod), the date rule, the
 * deterministic id, and the content hash that tells `updated` from `unchanged`; and the field
 * helpers the page and feed readers share (URLs, lenient dates, blank text).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describeUnknownField, unknownFields, type UnknownField } from './unknown-fields.ts';

/** A validated article, as stored in `corpus/` and kept in memory. */
export type Article = {
  id: string;
  title: string;
  source: string | null;
  date: string | null;
  url: string | null;
  caption: string | null;
  dateline: string | null;
  /** Who wrote it, as credited (names only: no "By", no date). Stored and shown, not indexed. */
  byline: string | null;
  paragraphs: string[];
};

/** Longest accepted title, in characters (SPEC §2). */
export const MAX_TITLE_CHARS = 1000;
/** Longest accepted byline, in characters: a credit line of a dozen names fits; a paragraph posted as a byline does not. */
export const MAX_BYLINE_CHARS = 500;
/**
 * Longest accepted paragraph, in characters (after spaces are collapsed): some twenty pages of
 * text, far beyond any news paragraph. A paragraph is one document, indexed in one step that
 * cannot be cut in slices: one of this length, all distinct words, takes about 30 ms here.
 */
export const MAX_PARAGRAPH_CHARS = 50_000;
/** Most paragraphs in one article: a book-length article, still indexed in slices without stalling searches. */
export const MAX_PARAGRAPHS = 10_000;
/**
 * Matches a valid article id: 1–128 of `A-Z a-z 0-9 . _ -` (SPEC §2), not starting with a dot.
 * The id names the article's corpus file (`<id>.json`) and its URL (`/articles/<id>`): a leading
 * dot would make a hidden file the corpus listing skips, and `.` and `..` are not URL segments.
 */
export const ARTICLE_ID_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
/** The id rule in words, for error messages. */
const ARTICLE_ID_RULE = 'must be 1 to 128 of A-Z a-z 0-9 . _ - and not start with a dot';
/** Matches an ISO 8601 date or date-time: `2020-01-05`, `2020-01-05T10:00Z`, `2020-01-05 10:00:00+01:00`. */
const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
/** Matches an RFC 2822 date: `Tue, 05 Jan 2020 10:00:00 GMT` (weekday optional). */
const RFC_2822_RE = /^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{2}:\d{2}(?::\d{2})?\s*(?:[A-Za-z]{1,5}|[+-]\d{4})?$/;
/** Matches a date-only ISO value, which is stored as written. */
const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;
/** Matches blank runs between paragraphs of a `body` (a line holding only whitespace counts as blank). */
const BLANK_LINES_RE = /\n[ \t\r\f\v]*\n/;

/**
 * Reads a date written as ISO 8601 or RFC 2822 and returns it as ISO 8601 (a date-only value
 * stays `YYYY-MM-DD`), or `null` when it is neither.
 *
 * @example
 * normalizeDate('Tue, 05 Jan 2021 10:00:00 GMT') // '2021-01-05T10:00:00.000Z'
 */
export function normalizeDate(value: string): string | null {
  const text = value.trim();
  if (DATE_ONLY_RE.test(text)) {
    const parsed = new Date(`${text}T00:00:00Z`);
    return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== text ? null : text;
  }
  if (!ISO_DATE_RE.test(text) && !RFC_2822_RE.test(text)) return null;
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}

/** Splits a body on blank lines into trimmed, non-empty paragraphs. */
export function splitParagraphs(body: string): string[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(BLANK_LINES_RE)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' ').trim())
    .filter((paragraph) => paragraph.length > 0);
}

const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value == null || value.trim() === '' ? null : value.trim()));

/** The shape accepted for one article from JSON, JSON Lines, HTTP or a parsed file. */
const ArticleInput = z
  .object({
    id: z
      .string()
      .regex(ARTICLE_ID_RE, ARTICLE_ID_RULE)
      .nullish(),
    title: z
      .string({ error: 'is required' })
      .trim()
      .min(1, 'is required')
      .max(MAX_TITLE_CHARS, `must be at most ${MAX_TITLE_CHARS} characters`),
    source: optionalText,
    date: z
      .string()
      .nullish()
      .superRefine((value, context) => {
        if (value != null && value.trim() !== '' && normalizeDate(value) === null) {
          context.addIssue({ code: 'custom', message: `must be ISO 8601 or RFC 2822, got "${value.slice(0, 60)}"` });
        }
      }),
    url: z
      .string()
      .nullish()
      .superRefine((value, context) => {
        if (value != null && value.trim() !== '' && !isHttpUrl(value.trim())) {
          context.addIssue({ code: 'custom', message: `must be an absolute http(s) URL, got "${value.slice(0, 80)}"` });
        }
      }),
    caption: optionalText,
    dateline: optionalText,
    byline: z
      .string()
      .nullish()
      .transform((value) => nonBlank(value))
      .refine((value) => value === null || value.length <= MAX_BYLINE_CHARS, `must be at most ${MAX_BYLINE_CHARS} characters`),
    paragraphs: z.array(z.string({ error: 'must be strings' }), { error: 'must be an array of strings' }).optional(),
    body: z.string({ error: 'must be a string' }).optional(),
  })
  .superRefine((input, context) => {
    const paragraphs = paragraphsOf(input);
    const field = input.paragraphs !== undefined || input.body === undefined ? 'paragraphs' : 'body';
    if (paragraphs.length === 0) {
      context.addIssue({ code: 'custom', path: [field], message: 'must hold at least one non-blank paragraph' });
    }
    if (paragraphs.length > MAX_PARAGRAPHS) {
      context.addIssue({ code: 'custom', path: [field], message: `holds ${paragraphs.length} paragraphs; at most ${MAX_PARAGRAPHS} are accepted` });
    }
    const tooLong = paragraphs.flatMap((text, index) => (text.length > MAX_PARAGRAPH_CHARS ? [{ number: index + 1, length: text.length }] : []));
    const first = tooLong[0];
    if (first !== undefined) {
      const others = tooLong.length > 1 ? ` (and ${tooLong.length - 1} more)` : '';
      context.addIssue({ code: 'custom', path: [field], message: `has a paragraph of ${first.length} characters (number ${first.number})${others}; at most ${MAX_PARAGRAPH_CHARS} are accepted` });
    }
  });

type ArticleInputType = z.infer<typeof ArticleInput>;

/** Paragraphs already worked out for a parsed input: validation and completion need them both, and a large body is costly to split twice. */
const PARAGRAPHS_OF = new WeakMap<object, string[]>();

function paragraphsOf(input: { paragraphs?: string[] | undefined; body?: string | undefined }): string[] {
  let paragraphs = PARAGRAPHS_OF.get(input);
  if (paragraphs !== undefined) return paragraphs;
  if (input.paragraphs !== undefined) paragraphs = input.paragraphs.map(collapseSpaces).filter((p) => p.length > 0);
  else paragraphs = input.body === undefined ? [] : splitParagraphs(input.body);
  PARAGRAPHS_OF.set(input, paragraphs);
  return paragraphs;
}

/** Matches whitespace that collapsing changes: anything but a single plain space. */
const WHITESPACE_TO_COLLAPSE_RE = /[^\S ]|  /;

/** Whitespace runs made one space, trimmed; a paragraph already so is returned as it is (matching each single space is what costs). */
function collapseSpaces(text: string): string {
  return WHITESPACE_TO_COLLAPSE_RE.test(text) ? text.replace(/\s+/g, ' ').trim() : text.trim();
}

function isHttpUrl(value: string): boolean {
  return absoluteHttpUrl(value) !== null;
}

/**
 * One problem with one item of a batch: which item (counted from 1, as a reader counts; `line`:
 * the line it is on, in JSON Lines), which field, what is wrong (the message follows the field's name).
 */
export type ValidationProblem = { item: number; line?: number; field: string; message: string };

/**
 * The outcome of validating one untrusted article. A valid one may still carry fields the
 * service does not know (`unknownFields`): they are ignored, and its caller warns of them.
 */
export type Validated = { ok: true; article: Article; unknownFields: UnknownField[] } | { ok: false; problems: ValidationProblem[] };

/** The fields an input article may have: those of the schema. */
const KNOWN_FIELDS: readonly string[] = Object.keys(ArticleInput.shape);

/**
 * Validates one untrusted article (`item` is its number in the batch, from 1, for messages) and
 * completes it: paragraphs split and trimmed, date as ISO, id derived when absent. A required
 * field that is missing while an unknown field is a near miss of it names both.
 *
 * @example
 * validateArticle({ title: 'T', body: 'One.\n\nTwo.' }, 1) // { ok: true, article: { paragraphs: ['One.', 'Two.'], … }, unknownFields: [] }
 * validateArticle({ titel: 'T', body: 'One.' }, 1)
 * // { ok: false, problems: [{ item: 1, field: 'title', message: 'is required (unknown field "titel" — did you mean "title"?)' }] }
 */
export function validateArticle(input: unknown, item: number): Validated {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ item, field: '(article)', message: 'must be a JSON object' }] };
  }
  const unknown = unknownFields(input, KNOWN_FIELDS);
  const parsed = ArticleInput.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const field = issue.path.length > 0 ? issue.path.join('.') : '(article)';
        return { item, field, message: withNearMiss(issue.message, missingFields(input, field), unknown) };
      }),
    };
  }
  return { ok: true, article: completeArticle(parsed.data), unknownFields: unknown };
}

/** The fields a problem on `field` would be solved by, when they are all absent from `input`: a near miss of one of them is the likely cause. */
function missingFields(input: object, field: string): string[] {
  const wanted = field === 'paragraphs' || field === 'body' ? ['paragraphs', 'body'] : [field];
  return wanted.every((name) => !Object.hasOwn(input, name)) ? wanted : [];
}

/** `message`, followed by the first unknown field that is a near miss of one of `missing`. */
function withNearMiss(message: string, missing: readonly string[], unknown: readonly UnknownField[]): string {
  const nearMiss = unknown.find((field) => field.suggestion !== null && missing.includes(field.suggestion));
  return nearMiss === undefined ? message : `${message} (${describeUnknownField(nearMiss)})`;
}

function completeArticle(input: ArticleInputType): Article {
  const url = input.url == null || input.url.trim() === '' ? null : input.url.trim();
  const partial = {
    title: input.title.replace(/\s+/g, ' '),
    source: input.source,
    date: input.date == null || input.date.trim() === '' ? null : normalizeDate(input.date),
    url,
    caption: input.caption,
    dateline: input.dateline,
    byline: input.byline,
    paragraphs: paragraphsOf(input),
  };
  return { id: input.id ?? deriveId(partial), ...partial };
}

/**
 * The id of an article that has none: from its URL when it has one (so the same story posted
 * twice is one article), else from its title and text. 16 hex digits of SHA-256.
 */
export function deriveId(article: { url: string | null; title: string; paragraphs: string[] }): string {
  const basis = article.url ?? `${article.title}\n\n${article.paragraphs.join('\n\n')}`;
  return createHash('sha256').update(basis).digest('hex').slice(0, 16);
}

/** The number of characters of an article's paragraphs: the measure of the work it costs to hash, write or index. */
export function textLength(article: Article): number {
  let length = 0;
  for (const text of article.paragraphs) length += text.length;
  return length;
}

/** A hash of everything a reader sees of an article: equal hashes mean `unchanged`. */
export function contentHash(article: Article): string {
  const canonical = JSON.stringify([
    article.id,
    article.title,
    article.source,
    article.date,
    article.url,
    article.caption,
    article.dateline,
    article.paragraphs,
    // Only when there is one: an article without byline keeps the hash it had before bylines existed.
    ...(article.byline === null ? [] : [article.byline]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The fields an HTML page or a feed item gives, before validation (`null` where it says
 * nothing). No `id`: validation derives it from the URL, so reading the same page or feed again
 * updates its articles instead of duplicating them.
 */
export type ReadFields = {
  title: string | null;
  source: string | null;
  date: string | null;
  url: string | null;
  paragraphs: string[];
};

/** Matches a run of whitespace, non-breaking and other Unicode spaces included. */
const WHITESPACE_RUN_RE = /\s+/g;
/** Matches a four-digit year, the least a free-form date needs before `Date` may guess at it. */
const HAS_YEAR_RE = /\d{4}/;

/**
 * `value` as an absolute http(s) URL, resolved against `base` when relative; `null` when it
 * is missing, malformed or of another scheme.
 *
 * @example
 * absoluteHttpUrl('/a/b', 'https://example.com/x') // 'https://example.com/a/b'
 */
export function absoluteHttpUrl(value: string | null | undefined, base?: string): string | null {
  const text = value?.trim();
  if (text === undefined || text === '') return null;
  const url = parseUrl(text, base === undefined ? undefined : (parseUrl(base) ?? undefined));
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') ? url.href : null;
}

function parseUrl(text: string, base?: URL): URL | null {
  try {
    return new URL(text, base);
  } catch {
    return null;
  }
}

/**
 * A date found in the wild, as ISO 8601: what validation accepts (ISO 8601, RFC 2822), else
 * anything `Date` reads that names a year; `null` otherwise. Readers use it so a sloppy date
 * in a page or feed is dropped rather than failing the whole batch.
 *
 * @example
 * lenientDate('Thu, 14 Mar 2024 7:30:00 GMT') // '2024-03-14T07:30:00.000Z'
 */
export function lenientDate(value: string | null | undefined): string | null {
  const text = value?.trim();
  if (text === undefined || text === '') return null;
  const strict = normalizeDate(text);
  if (strict !== null) return strict;
  if (!HAS_YEAR_RE.test(text)) return null;
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}

/** Collapses whitespace and trims; `null` for blank or missing text. */
export function nonBlank(value: string | null | undefined): string | null {
  const text = value?.replace(WHITESPACE_RUN_RE, ' ').trim();
  return text === undefined || text === '' ? null : text;
}

