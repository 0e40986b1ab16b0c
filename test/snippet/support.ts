/**
 * @module test/snippet/support
 * Helpers for the snippet tests: reading rendered fragments back, and generators of text that
 * stresses graphemes (emoji, astral letters, combining marks, CJK, right-to-left scripts, HTML).
 */
import fc from 'fast-check';
import { analyze } from '../../src/text/analyzer.ts';
import type { Span } from '../../src/snippet/highlight.ts';

/** Matches one highlight in a rendered fragment, capturing its content. */
const MARK_RE = /<mark>(.*?)<\/mark>/gsu;
/** Matches the tags a fragment may hold. */
const TAG_RE = /<\/?mark>/gu;
/** Matches the entities `escapeHtml` writes. */
const ENTITY_RE = /&(?:amp|lt|gt|quot|#39);/gu;
const ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** Turns the entities of `escapeHtml` back into characters. */
export function unescapeHtml(html: string): string {
  return html.replace(ENTITY_RE, (entity) => ENTITIES[entity] ?? entity);
}

/** The text a fragment shows: tags removed, entities decoded, one leading and one trailing `…` removed. */
export function plainOf(fragment: string): string {
  return unescapeHtml(fragment.replace(TAG_RE, '')).replace(/^…/u, '').replace(/…$/u, '');
}

/** The unescaped content of each `<mark>` of a fragment. */
export function marksOf(fragment: string): string[] {
  return [...fragment.matchAll(MARK_RE)].map((match) => unescapeHtml(match[1] ?? ''));
}

/** The grapheme boundaries of `text` as `Intl.Segmenter` sees them: the oracle for "never split". */
export function graphemeBoundaries(text: string): Set<number> {
  const boundaries = new Set([text.length]);
  for (const segment of new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(text)) boundaries.add(segment.index);
  return boundaries;
}

/** Pieces of text that are hard to cut: astral characters, emoji sequences, combining marks, scripts without spaces, HTML. */
const PIECES = [
  'gaza', 'truce', 'Qatar', 'talks', 'the', 'a', ' ', ' ', ' ', ', ', '. ', '! ', '\n', '\r\n',
  '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '𝒜𝒷', 'e\u0301', 'n\u0303\u0323', '\u0301', '\uFE0F',
  '北京', '停火协议', '。', 'ひらがな', 'سلام', 'وقف إطلاق النار', 'שלום', 'ภาษาไทย',
  '<script>alert(1)</script>', '&', '"', "'", '<', '>', '…',
] as const;

/** Text mixing the pieces above. */
export const trickyText = fc.array(fc.constantFrom(...PIECES), { maxLength: 200, size: 'medium' }).map((parts) => parts.join(''));

/** Any text: tricky pieces, or arbitrary graphemes. */
export const anyText = fc.oneof(trickyText, fc.string({ unit: 'grapheme', maxLength: 300, size: 'medium' }));

/** Spans anywhere, even reversed, out of range or inside a grapheme, with a few keys. */
export const rawSpans = fc.array(
  fc.record({
    start: fc.integer({ min: -5, max: 700 }),
    end: fc.integer({ min: -5, max: 700 }),
    key: fc.constantFrom('a', 'b', 'c', 'd'),
  }),
  { maxLength: 12 },
);

/** Spans as the search layer makes them: some analyzer tokens of `text`, keyed by term. */
export function tokenSpans(text: string, keep: (index: number) => boolean): Span[] {
  return analyze(text)
    .tokens.filter((_, i) => keep(i))
    .map((token) => ({ start: token.start, end: token.end, key: token.term }));
}

/** A text with spans: a mix of analyzer tokens and raw spans. */
export const textWithSpans = anyText.chain((text) =>
  fc.tuple(fc.constant(text), fc.oneof(fc.constant(tokenSpans(text, (i) => i % 3 === 0)), fc.constant(tokenSpans(text, (i) => i % 7 === 2)), rawSpans)),
);

/** Snippet options within and beyond the allowed range. */
export const options = fc.record({ fragments: fc.integer({ min: 1, max: 5 }), size: fc.integer({ min: 8, max: 100 }) });
