/**
 * @module snippet/boundaries
 * Where a paragraph may be cut for display: grapheme, word and sentence boundaries (UAX #29, as
 * `Intl.Segmenter` computes them). Word and grapheme look-ups are local (`containing()` walks a
 * few segments from the place asked about, and most graphemes need no ICU at all), so a snippet
 * costs a handful of look-ups rather than segmenting the whole paragraph into words; sentences,
 * being few, are listed once. Matching never depends on this module: matches come from the
 * analyzer, and cutting for display is a separate concern (ICU splits Thai or Chinese into
 * dictionary words, where the analyzer keeps whole runs or single ideographs).
 */

/**
 * Segmenters for the root locale: boundaries must not depend on the machine's locale. ICU still
 * uses its dictionaries for Chinese, Japanese, Thai and the like.
 */
const GRAPHEMES = new Intl.Segmenter('und', { granularity: 'grapheme' });
const WORDS = new Intl.Segmenter('und', { granularity: 'word' });
const SENTENCES = new Intl.Segmenter('und', { granularity: 'sentence' });

/**
 * Matches a UTF-16 unit that may join a grapheme cluster with its neighbour (UAX #29): marks,
 * CR, joiners, surrogates, Hangul jamo, prepended concatenation marks, Thai/Lao AM and halfwidth
 * sound marks. Between two other units there is always a boundary, so most text skips ICU.
 */
const JOINING_UNIT_RE =
  /[\p{M}\r\u200C\u200D\uD800-\uDFFF\u1100-\u11FF\uA960-\uA97F\uD7B0-\uD7FF\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u0D4E\u0E33\u0EB3\uFF9E\uFF9F]/u;

/** Most segments walked from the place asked about before giving up on a boundary kind. */
const MAX_WALK = 64;
/** Most segments remembered per text and kind: past that a linear scan costs more than asking ICU. */
const MAX_REMEMBERED = 256;

/** The places where one text may be cut, found on demand. */
export interface CutPoints {
  /** True when `index` (0…length) does not fall inside a grapheme cluster. */
  isGrapheme(index: number): boolean;
  /** The greatest grapheme boundary ≤ `index` (clamped to the text). */
  graphemeFloor(index: number): number;
  /** The least grapheme boundary ≥ `index` (clamped to the text). */
  graphemeCeil(index: number): number;
  /** The sentence boundary in `[from, to]` nearest to `target` (ties: the earlier), if any. */
  sentence(target: number, from: number, to: number): number | undefined;
  /** The start of a word in `[from, to]` nearest to `target` (ties: the earlier), if any. */
  wordStart(target: number, from: number, to: number): number | undefined;
  /** The end of a word in `[from, to]` nearest to `target` (ties: the earlier), if any. */
  wordEnd(target: number, from: number, to: number): number | undefined;
}

/** Of two optional candidates, the one nearer to `target` (ties and missing values: `below`). */
function nearest(target: number, below: number | undefined, above: number | undefined): number | undefined {
  if (below === undefined) return above;
  if (above === undefined) return below;
  return above - target < target - below ? above : below;
}

/**
 * The cut points of `text`. Never throws; indexes outside the text are clamped.
 *
 * @example
 * const cuts = cutPoints('Cafe\u0301 au lait. Next one.');
 * cuts.isGrapheme(4)          // false: between `e` and its accent
 * cuts.wordStart(7, 0, 10)    // 6: where `au` starts
 * cuts.sentence(12, 0, 20)    // 15: where `Next` starts
 */
export function cutPoints(text: string): CutPoints {
  const length = text.length;
  const clamp = (index: number): number => Math.min(length, Math.max(0, Math.trunc(index) || 0));
  let graphemes: Intl.Segments | undefined;
  let words: Intl.Segments | undefined;
  let sentenceStarts: number[] | undefined;
  // Look-ups for neighbouring clusters walk the same few segments: remember the segments seen.
  const seen = new Map<Intl.Segments, Intl.SegmentData[]>();
  const segmentAt = (segments: Intl.Segments, index: number): Intl.SegmentData | undefined => {
    let known = seen.get(segments);
    if (known === undefined) seen.set(segments, (known = []));
    const hit = known.find((segment) => segment.index <= index && index < segment.index + segment.segment.length);
    if (hit !== undefined) return hit;
    const segment = segments.containing(index);
    if (segment !== undefined && known.length < MAX_REMEMBERED) known.push(segment);
    return segment;
  };

  /** True when the units on both sides of `at` (0 < at < length) cannot join: a sure boundary. */
  const plainly = (at: number): boolean =>
    !JOINING_UNIT_RE.test(text[at - 1] as string) && !JOINING_UNIT_RE.test(text[at] as string);
  const graphemeFloor = (index: number): number => {
    const at = clamp(index);
    if (at === 0 || at === length || plainly(at)) return at;
    graphemes ??= GRAPHEMES.segment(text);
    return segmentAt(graphemes, at)?.index ?? at;
  };
  const graphemeCeil = (index: number): number => {
    const at = clamp(index);
    if (at === 0 || at === length || plainly(at)) return at;
    graphemes ??= GRAPHEMES.segment(text);
    const segment = segmentAt(graphemes, at);
    if (segment === undefined || segment.index === at) return at;
    return segment.index + segment.segment.length;
  };
  const isGrapheme = (index: number): boolean => graphemeFloor(index) === index;
  /** Keeps `index` when it lies in `[from, to]` on a grapheme boundary. */
  const usable = (index: number | undefined, from: number, to: number): number | undefined =>
    index !== undefined && index >= from && index <= to && isGrapheme(index) ? index : undefined;

  // The boundary in [from, to] nearest to a target outside that range is the one nearest to the
  // range's edge, so each look-up first brings its target into the range.
  const within = (target: number, from: number, to: number): number => clamp(Math.min(Math.max(target, from), to));

  const sentence = (target: number, from: number, to: number): number | undefined => {
    if (!(from <= to)) return undefined;
    const at = within(target, from, to);
    // A paragraph has few sentences: list them once, then search the list.
    sentenceStarts ??= [...SENTENCES.segment(text)].map((segment) => segment.index).concat(length).filter(isGrapheme);
    let above = sentenceStarts.findIndex((start) => start >= at);
    if (above === -1) above = sentenceStarts.length;
    const below = sentenceStarts[above] === at ? above : above - 1;
    return nearest(at, usable(sentenceStarts[below], from, to), usable(sentenceStarts[above], from, to));
  };

  const wordStart = (target: number, from: number, to: number): number | undefined => {
    if (!(from <= to)) return undefined;
    const at = within(target, from, to);
    if (at >= length) return undefined;
    words ??= WORDS.segment(text);
    const here = segmentAt(words, at);
    if (here === undefined) return undefined;
    let below: number | undefined;
    for (let segment: Intl.SegmentData | undefined = here, steps = 0; segment && steps < MAX_WALK; steps += 1) {
      if (segment.isWordLike) {
        below = segment.index;
        break;
      }
      if (segment.index <= from || segment.index === 0) break;
      segment = segmentAt(words, segment.index - 1);
    }
    if (below === at) return usable(below, from, to);
    let above: number | undefined;
    for (let next = here.index + here.segment.length, steps = 0; next <= to && next < length && steps < MAX_WALK; steps += 1) {
      const segment = segmentAt(words, next);
      if (segment === undefined) break;
      if (segment.isWordLike) {
        above = next;
        break;
      }
      next += segment.segment.length;
    }
    return nearest(at, usable(below, from, to), usable(above, from, to));
  };

  const wordEnd = (target: number, from: number, to: number): number | undefined => {
    if (!(from <= to)) return undefined;
    const at = within(target, from, to);
    if (length === 0) return undefined;
    words ??= WORDS.segment(text);
    let below: number | undefined;
    for (let segment = at > 0 ? segmentAt(words, at - 1) : undefined, steps = 0; segment && steps < MAX_WALK; steps += 1) {
      const end = segment.index + segment.segment.length;
      if (segment.isWordLike && end <= at) {
        below = end;
        break;
      }
      if (segment.index < from || segment.index === 0) break;
      segment = segmentAt(words, segment.index - 1);
    }
    if (below === at) return usable(below, from, to);
    let above: number | undefined;
    for (let segment = at < length ? segmentAt(words, at) : undefined, steps = 0; segment && steps < MAX_WALK; steps += 1) {
      const end = segment.index + segment.segment.length;
      if (end > to) break;
      if (segment.isWordLike && end >= at) {
        above = end;
        break;
      }
      if (end >= length) break;
      segment = segmentAt(words, end);
    }
    return nearest(at, usable(below, from, to), usable(above, from, to));
  };

  return { isGrapheme, graphemeFloor, graphemeCeil, sentence, wordStart, wordEnd };
}
