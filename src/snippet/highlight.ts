/**
 * @module snippet/highlight
 * What the API shows of a match (SPEC §5): `highlights` — the spans that made a paragraph match,
 * clipped, widened to whole graphemes, sorted and merged — and `snippet`/`fragments` — the best
 * fragments of the paragraph, HTML-escaped, with `<mark>` around each highlight. The search
 * layer finds the spans; nothing here matches text. This is the entry point of `snippet/`.
 */
import { selectFragments, type SnippetOptions } from './fragments.ts';
import { cleanSpans, mergeSpans, type Highlight, type Span } from './spans.ts';

export type { Highlight, Span } from './spans.ts';
export { SNIPPET_DEFAULTS, selectFragments, type FragmentSelection, type SnippetOptions } from './fragments.ts';

/** The rendered snippet (the best fragment) and the best fragments in text order. */
export type Snippets = {
  snippet: string;
  fragments: string[];
  /** The spans as {@link normalizeSpans} gives them: what the fragments mark, for the caller's `highlights`. */
  highlights: Highlight[];
};

/** How a fragment is written out: HTML for the API, something else for a terminal. */
export type Markup = {
  open: string;
  close: string;
  /** Written where the text was cut, at either end of a fragment. */
  ellipsis: string;
  escape: (text: string) => string;
};

/** Matches the five characters that are special in HTML text and attribute values. */
const HTML_SPECIAL_RE = /[&<>"']/g;

/** The entity for each of the characters {@link HTML_SPECIAL_RE} matches. */
const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Matches a non-whitespace character: text was cut only if some was left out. */
const NON_SPACE_RE = /\S/u;

/**
 * Escapes `&`, `<`, `>`, `"` and `'` so that `s` reads as text in HTML content and attributes.
 *
 * @example
 * escapeHtml('<script>alert("x")</script>') // '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
 */
export function escapeHtml(s: string): string {
  return s.replace(HTML_SPECIAL_RE, (char) => HTML_ENTITIES[char] ?? char);
}

/** The markup of the API: HTML-escaped text, `<mark>` highlights, `…` where the text was cut. */
export const HTML_MARKUP: Markup = { open: '<mark>', close: '</mark>', ellipsis: '…', escape: escapeHtml };
/** Plain text (exports, SPEC §11): no marks, nothing escaped, `…` where text was cut. */
export const PLAIN_MARKUP: Markup = { open: '', close: '', ellipsis: '…', escape: (text) => text };

/**
 * The highlights of `text` for the API: sorted, non-overlapping `[start, end)` offsets, touching
 * and overlapping spans merged, clipped to the text and never splitting a grapheme. Never throws.
 *
 * @example
 * normalizeSpans('the four-day truce', [
 *   { start: 13, end: 18, key: 'truce' },
 *   { start: 4, end: 8, key: 'four' },
 *   { start: 4, end: 12, key: '"four-day"' },
 * ]) // [[4, 12], [13, 18]]
 */
export function normalizeSpans(text: string, spans: readonly Span[]): Highlight[] {
  return mergeSpans(cleanSpans(text, spans));
}

/**
 * Writes `text.slice(start, end)` in `markup` (HTML by default): escaped, each highlight lying
 * wholly inside the range wrapped in `open`/`close` (one crossing an edge is left unmarked, never
 * cut), and `ellipsis` on a side where non-blank text was left out. `highlights` must be sorted
 * and disjoint, as {@link normalizeSpans} returns them. Never throws.
 *
 * @example
 * renderFragment('Gaza truce holds & talks go on', [0, 16], [[5, 10]])
 * // 'Gaza <mark>truce</mark> holds…'
 */
export function renderFragment(
  text: string,
  range: Highlight,
  highlights: readonly Highlight[],
  markup: Markup = HTML_MARKUP,
): string {
  const clamp = (index: number): number => Math.max(0, Math.min(text.length, Math.trunc(index) || 0));
  const start = clamp(range[0]);
  const end = Math.max(start, clamp(range[1]));
  let html = NON_SPACE_RE.test(text.slice(0, start)) ? markup.ellipsis : '';
  let at = start;
  for (const [from, to] of highlights) {
    if (from < start || to > end || from < at) continue;
    html += `${markup.escape(text.slice(at, from))}${markup.open}${markup.escape(text.slice(from, to))}${markup.close}`;
    at = to;
  }
  html += markup.escape(text.slice(at, end));
  if (NON_SPACE_RE.test(text.slice(end))) html += markup.ellipsis;
  return html;
}

/**
 * The snippet and fragments of a paragraph (SPEC §5): HTML-escaped, each highlight of
 * {@link normalizeSpans} inside a fragment wrapped in `<mark>…</mark>`, `…` where text was cut.
 * `fragments` holds the best `options.fragments` fragments (fewer if fewer hold matches) in text
 * order; `snippet` is the best of them. `options.markup` writes them otherwise ({@link PLAIN_MARKUP}:
 * plain text). Never throws.
 *
 * @example
 * makeSnippets('The first priority is the ceasefire.', [{ start: 26, end: 35, key: 'ceasefire' }])
 * // { snippet: 'The first priority is the <mark>ceasefire</mark>.',
 * //   fragments: ['The first priority is the <mark>ceasefire</mark>.'], highlights: [[26, 35]] }
 */
export function makeSnippets(text: string, spans: readonly Span[], options: SnippetOptions & { markup?: Markup } = {}): Snippets {
  const { markup = HTML_MARKUP } = options;
  const highlights = normalizeSpans(text, spans);
  const { best, ranges } = selectFragments(text, spans, options);
  return {
    snippet: renderFragment(text, best, highlights, markup),
    fragments: ranges.map((range) => renderFragment(text, range, highlights, markup)),
    highlights,
  };
}
