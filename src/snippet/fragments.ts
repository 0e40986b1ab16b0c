/**
 * @module snippet/fragments
 * Where the snippets of SPEC §5 are cut: the best fragments of a paragraph, about `size`
 * characters each, as offsets (`highlight.ts` writes them out). A paragraph not much longer than
 * `size` is shown whole. Otherwise each run of matches that fits in `size` (a cluster) is a
 * candidate; it becomes a fragment starting at its sentence's start when that leaves room (as
 * Lucene's unified highlighter cuts passages at sentences), else centred on the cluster with its
 * edges moved to the nearest sentence or word boundary (a grapheme boundary in an unbroken run of
 * CJK or the like). Fragments are scored as Meilisearch crops: most distinct keys, then most
 * matches, then the tightest, then the earliest. A highlight crossing a fragment's edge is taken
 * in whole (or, if that would make the fragment far too long, left out): a mark is never cut.
 */
import { cutPoints, type CutPoints } from './boundaries.ts';
import { cleanSpans, mergeSpans, type Highlight, type Span } from './spans.ts';

/** How many fragments, and how long. */
export type SnippetOptions = {
  /** How many fragments to return (1–5; others are clamped). */
  fragments?: number;
  /** About how many UTF-16 code units a fragment holds. */
  size?: number;
};

/** The chosen fragments as offsets: the best one, and all of them in text order. */
export type FragmentSelection = { best: Highlight; ranges: Highlight[] };

/** SPEC §5: one fragment of about 200 characters unless asked otherwise. */
export const SNIPPET_DEFAULTS = { fragments: 1, size: 200 } as const;

/** SPEC §5 caps `fragments` at 5. */
const MAX_FRAGMENTS = 5;
/** A paragraph up to this multiple of `size` is shown whole: cutting off a short tail saves little. */
const WHOLE_PARAGRAPH_RATIO = 1.25;
/**
 * How far, as a share of `size`, an edge may move from its ideal place to reach a sentence or
 * word boundary; half as far when that lengthens the fragment, which should rather stay short.
 */
const EDGE_SLACK_RATIO = 0.25;
/** A cluster this far into its sentence (share of `size`) still has its fragment start at the sentence's start. */
const SENTENCE_START_REACH = 0.6;
/** Longest a fragment may grow (share of `size`) to take in a highlight crossing its edge; past that the highlight is left out. */
const MAX_GROWTH_RATIO = 1.5;
/** Clusters placed and scored exactly per stretch of text: placing costs segmenter look-ups, and the best fragment is among the best clusters. */
const CLUSTERS_PLACED = 4;
/** Matches a whitespace character, trimmed from fragment edges. */
const SPACE_RE = /\s/u;

type Score = { distinct: number; total: number; spread: number; start: number };
type Candidate = { range: Highlight; score: Score };

type Context = {
  text: string;
  size: number;
  slack: number;
  hits: readonly Span[];
  highlights: readonly Highlight[];
  cuts: CutPoints;
};

/** Clamps the options to the ranges SPEC §5 allows; odd values fall back to the defaults. */
function resolveOptions(options: SnippetOptions): { count: number; size: number } {
  const count = Number.isFinite(options.fragments) ? Math.round(options.fragments as number) : SNIPPET_DEFAULTS.fragments;
  const size = Number.isFinite(options.size) ? Math.round(options.size as number) : SNIPPET_DEFAULTS.size;
  return { count: Math.min(MAX_FRAGMENTS, Math.max(1, count)), size: Math.max(1, size) };
}

/** Positive when `a` is the better fragment. */
function compareScores(a: Score, b: Score): number {
  return a.distinct - b.distinct || a.total - b.total || b.spread - a.spread || b.start - a.start;
}

/**
 * Scores the matches lying wholly inside `[start, end)`. The spread is the text between the
 * matches (from the end of the first to the start of the last), so a lone match spreads over 0
 * whatever its length.
 */
function score(hits: readonly Span[], [start, end]: Highlight): Score {
  const keys = new Set<string>();
  let total = 0;
  let firstEnd = Infinity;
  let lastStart = -Infinity;
  for (const hit of hits) {
    if (hit.start < start || hit.end > end) continue;
    keys.add(hit.key);
    total += 1;
    firstEnd = Math.min(firstEnd, hit.end);
    lastStart = Math.max(lastStart, hit.start);
  }
  return { distinct: keys.size, total, spread: Math.max(0, lastStart - firstEnd), start };
}

/** The one of `preferred` and the region edge `edge` nearer to `target`, among those in `[from, to]`. */
function withEdge(preferred: number | undefined, edge: number, target: number, from: number, to: number): number | undefined {
  if (edge < from || edge > to) return preferred;
  if (preferred === undefined) return edge;
  return Math.abs(edge - target) < Math.abs(preferred - target) ? edge : preferred;
}

/**
 * Lays a fragment over the text of `[lo, hi)` around the matches `[cs, ce)`: the start, then the
 * end about `size` further, each on the best boundary near its ideal place; blank edges trimmed;
 * highlights crossing an edge taken in or left out.
 */
function place(ctx: Context, lo: number, hi: number, cs: number, ce: number): Highlight {
  const { text, size, slack, highlights, cuts } = ctx;
  // The highlights the cluster touches may reach past its own spans: they must be whole.
  let ms = cs;
  let me = ce;
  for (const [from, to] of highlights) {
    if (from < ce && to > cs) {
      ms = Math.min(ms, from);
      me = Math.max(me, to);
    }
  }

  // The edges of the stretch of text being cut (the paragraph's ends, or those of a fragment
  // already chosen) serve as sentence boundaries.
  let start = ms;
  if (me - ms < size) {
    const sentenceStart = withEdge(cuts.sentence(ms, lo, ms), lo, ms, lo, ms) ?? lo;
    if (me - sentenceStart <= size && ms - sentenceStart <= size * SENTENCE_START_REACH) {
      start = sentenceStart;
    } else {
      const target = Math.max(lo, Math.min(ms - Math.floor((size - (me - ms)) / 2), hi - size));
      const from = Math.max(lo, target - Math.floor(slack / 2));
      const to = Math.min(ms, target + slack);
      start =
        withEdge(cuts.sentence(target, from, to), lo, target, from, to) ??
        cuts.wordStart(target, from, to) ??
        Math.max(lo, cuts.graphemeFloor(Math.min(target, ms)));
    }
  }

  let end = hi;
  const target = Math.max(me, start + size);
  if (target < hi) {
    const from = Math.max(me, target - slack);
    const to = Math.min(hi, target + Math.floor(slack / 2));
    end =
      withEdge(cuts.sentence(target, from, to), hi, target, from, to) ??
      cuts.wordEnd(target, from, to) ??
      Math.min(hi, cuts.graphemeCeil(target));
  }

  while (start < ms && SPACE_RE.test(text[start] ?? '') && cuts.isGrapheme(start + 1)) start += 1;
  while (end > me && SPACE_RE.test(text[end - 1] ?? '') && cuts.isGrapheme(end - 1)) end -= 1;

  const longest = Math.max(me - ms, Math.floor(size * MAX_GROWTH_RATIO));
  for (const [from, to] of highlights) {
    if (from < start && start < to) start = end - from <= longest ? from : to;
    if (from < end && end < to) end = to - start <= longest ? to : from;
  }
  return [start, end];
}

/** The best fragment within `[lo, hi)`, or undefined when no match lies there. */
function bestIn(ctx: Context, lo: number, hi: number): Candidate | undefined {
  const hits = ctx.hits.filter((hit) => hit.start >= lo && hit.end <= hi);
  // Each hit opens the largest cluster of following hits that fits in `size`.
  const clusters: Array<{ cs: number; ce: number; score: Score }> = [];
  let previousLast = -1;
  for (let i = 0; i < hits.length; i += 1) {
    const first = hits[i] as Span;
    let ce = first.end;
    let k = i;
    for (let next = hits[k + 1]; next && Math.max(ce, next.end) - first.start <= ctx.size; next = hits[k + 1]) {
      ce = Math.max(ce, next.end);
      k += 1;
    }
    // A cluster ending where the one before it ended holds a subset of its hits: never better.
    if (k === previousLast) continue;
    previousLast = k;
    clusters.push({ cs: first.start, ce, score: score(hits.slice(i, k + 1), [first.start, ce]) });
  }
  clusters.sort((a, b) => compareScores(b.score, a.score));

  let best: Candidate | undefined;
  for (const cluster of clusters.slice(0, CLUSTERS_PLACED)) {
    const range = place(ctx, lo, hi, cluster.cs, cluster.ce);
    const candidate = { range, score: score(hits, range) };
    if (!best || compareScores(candidate.score, best.score) > 0) best = candidate;
  }
  return best;
}

/**
 * Chooses the fragments of `text` as offsets: the whole text when it is at most about `size`
 * long; else the best non-overlapping fragments holding matches (at most `fragments`), or the
 * opening of the text when nothing matched. Never throws.
 *
 * @example
 * selectFragments('Short text.', [], {}) // { best: [0, 11], ranges: [[0, 11]] }
 */
export function selectFragments(text: string, spans: readonly Span[], options: SnippetOptions = {}): FragmentSelection {
  const { count, size } = resolveOptions(options);
  const whole: Highlight = [0, text.length];
  if (text.length <= size * WHOLE_PARAGRAPH_RATIO) return { best: whole, ranges: [whole] };
  const hits = cleanSpans(text, spans);
  const highlights = mergeSpans(hits);
  const ctx: Context = { text, size, slack: Math.floor(size * EDGE_SLACK_RATIO), hits, highlights, cuts: cutPoints(text) };
  if (hits.length === 0) {
    const opening = place(ctx, 0, text.length, 0, 0);
    return { best: opening, ranges: [opening] };
  }

  // The best fragment anywhere, then the best in the stretches of text the chosen ones leave.
  const chosen: Highlight[] = [];
  let regions: Highlight[] = [whole];
  const bestByRegion = new Map<string, Candidate | undefined>();
  while (chosen.length < count) {
    let winner: Candidate | undefined;
    let winnerRegion = -1;
    for (const [i, [lo, hi]] of regions.entries()) {
      const key = `${lo}:${hi}`;
      if (!bestByRegion.has(key)) bestByRegion.set(key, bestIn(ctx, lo, hi));
      const candidate = bestByRegion.get(key);
      if (candidate && (!winner || compareScores(candidate.score, winner.score) > 0)) {
        winner = candidate;
        winnerRegion = i;
      }
    }
    if (!winner) break;
    const [start, end] = winner.range;
    chosen.push([start, end]);
    regions = regions.flatMap(([lo, hi], i): Highlight[] =>
      i === winnerRegion ? [[lo, start] as Highlight, [end, hi] as Highlight].filter(([a, b]) => b > a) : [[lo, hi]],
    );
  }
  const best = chosen[0] ?? whole;
  return { best, ranges: [...chosen].sort((a, b) => a[0] - b[0]) };
}
