/**
 * @module snippet/spans
 * The spans that made a paragraph match, as the search layer hands them over, made usable:
 * clipped to the text, widened to whole graphemes, sorted, and merged into highlights.
 */
import { cutPoints } from './boundaries.ts';

/**
 * A stretch of text that matched: UTF-16 `[start, end)` offsets into the paragraph, and `key`,
 * the query clause that matched it (the query term, or the phrase), so that distinct matched
 * terms can be counted.
 */
export type Span = { start: number; end: number; key: string };

/** A highlight as the API returns it: `[start, end)` UTF-16 offsets into the text. */
export type Highlight = [start: number, end: number];

/**
 * The usable spans of `text`, each one kept apart (keys intact), sorted by start then end:
 * reversed spans are turned round, offsets clipped to the text and widened to whole graphemes
 * (a surrogate pair or a letter with its combining marks is never split), empty and
 * duplicate spans dropped. Never throws.
 *
 * @example
 * cleanSpans('gaza truce', [{ start: 10, end: 5, key: 'truce' }, { start: -3, end: 4, key: 'gaza' }])
 * // [{ start: 0, end: 4, key: 'gaza' }, { start: 5, end: 10, key: 'truce' }]
 */
export function cleanSpans(text: string, spans: readonly Span[]): Span[] {
  if (!Array.isArray(spans) || spans.length === 0 || text.length === 0) return [];
  const cuts = cutPoints(text);
  const clean: Span[] = [];
  for (const span of spans as readonly (Span | null | undefined)[]) {
    if (span === null || typeof span !== 'object') continue;
    const a = Number(span.start);
    const b = Number(span.end);
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    // Offsets are clamped by the cut points; the floor and ceiling keep fractional spans whole.
    const start = cuts.graphemeFloor(Math.floor(Math.min(a, b)));
    const end = cuts.graphemeCeil(Math.ceil(Math.max(a, b)));
    if (start < end) clean.push({ start, end, key: String(span.key) });
  }
  clean.sort((x, y) => x.start - y.start || x.end - y.end || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return clean.filter((span, i) => {
    const previous = clean[i - 1];
    return !(previous && previous.start === span.start && previous.end === span.end && previous.key === span.key);
  });
}

/**
 * Merges spans sorted as {@link cleanSpans} returns them into highlights: spans that overlap or
 * touch become one.
 *
 * @example
 * mergeSpans([{ start: 0, end: 4, key: 'a' }, { start: 4, end: 8, key: 'b' }, { start: 9, end: 12, key: 'a' }])
 * // [[0, 8], [9, 12]]
 */
export function mergeSpans(sorted: readonly Span[]): Highlight[] {
  const merged: Highlight[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last[1]) last[1] = Math.max(last[1], span.end);
    else merged.push([span.start, span.end]);
  }
  return merged;
}
