/**
 * @module bench/copy-quality
 * The quality of copy detection (SPEC §10), measured on real articles: some are republished with
 * the edits an outlet makes (a dateline line added, a paragraph dropped or added, a few words
 * changed, the text rewrapped with typographic quotes; the headline is not compared at all), the
 * rest stand as articles written independently, many on the same topics (a wire archive is full of
 * them). Every pair of articles is then a true copy (an original and its edits, or two edits of one
 * original) or not, and the clusters found are scored pair by pair.
 */
import type { Article } from '../ingest/article.ts';
import { copyPrint, type CopyPrint } from '../news/copies.ts';
import { CopyClusters } from '../backends/embedded/copy-clusters.ts';

/** What the measurement found. */
export type CopyQuality = {
  originals: number;
  edited: number;
  truePairs: number;
  foundPairs: number;
  correctPairs: number;
  precision: number;
  recall: number;
  /** Pairs of originals found to be copies: copies the archive held already (counted neither way). */
  naturalPairs: number;
  /** The edits of pairs missed, by kind. */
  missedBy: Record<string, number>;
};

/** A small deterministic generator (mulberry32), so that a seed gives the same corpus every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Matches a word of five letters or more, which the `words` edit may change. */
const LONG_WORD_RE = /\b\w{5,}\b/g;
/** Matches a space, where the `rewrapped` edit breaks the line. */
const SPACE_RE = / /g;
/** Matches a straight-quoted passage, which the `rewrapped` edit gives typographic quotes. */
const QUOTED_RE = /"([^"]*)"/g;
/** Matches a straight apostrophe. */
const APOSTROPHE_RE = /'/g;
/** Matches a run of whitespace, between two words. */
const WHITESPACE_RE = /\s+/;

const EDITS: Record<string, (paragraphs: string[], next: () => number) => string[]> = {
  dateline: (p) => ['(Local Herald) —', ...p],
  dropped: (p, next) => p.filter((_, index) => index !== 1 + Math.floor(next() * (p.length - 1))),
  added: (p) => [...p, 'Our correspondent will follow the story through the week and report on any reaction.'],
  words: (p, next) => {
    // Three words of the whole article, anywhere, given another ending.
    const total = p.reduce((sum, text) => sum + (text.match(LONG_WORD_RE)?.length ?? 0), 0);
    const chosen = new Set(Array.from({ length: 3 }, () => Math.floor(next() * total)));
    let seen = 0;
    return p.map((text) => text.replace(LONG_WORD_RE, (word) => (chosen.has(seen++) ? `${word}s` : word)));
  },
  rewrapped: (p) => p.map((text) => text.replace(SPACE_RE, '\n ').replace(QUOTED_RE, '“$1”').replace(APOSTROPHE_RE, '’')),
};

/**
 * Measures precision and recall of copy clusters over `articles` (those of at least `minParagraphs`
 * paragraphs and `minWords` words), editing every `editEvery`-th with one to three edits of {@link EDITS}.
 */
export function measureCopyQuality(articles: readonly Article[], options: { seed: number; minParagraphs: number; minWords: number; editEvery: number }): CopyQuality {
  const next = random(options.seed);
  const originals = articles.filter((article) => article.paragraphs.length >= options.minParagraphs && article.paragraphs.join(' ').split(WHITESPACE_RE).length >= options.minWords);
  const texts = new Map<string, string[]>();
  const originOf = new Map<string, string>();
  const editsOf = new Map<string, string[]>();
  for (const [index, article] of originals.entries()) {
    texts.set(article.id, article.paragraphs);
    originOf.set(article.id, article.id);
    if (index % options.editEvery !== 0) continue;
    const copies = 1 + Math.floor(next() * 2);
    for (let copy = 0; copy < copies; copy += 1) {
      // One or two kinds of edit per copy.
      const all = Object.keys(EDITS);
      const kinds = [all[Math.floor(next() * all.length)] as string];
      if (next() < 0.5) kinds.push(all[Math.floor(next() * all.length)] as string);
      let paragraphs = [...article.paragraphs];
      for (const kind of kinds) paragraphs = EDITS[kind]!(paragraphs, next);
      const id = `${article.id}~${copy}`;
      texts.set(id, paragraphs);
      originOf.set(id, article.id);
      editsOf.set(id, kinds);
    }
  }
  const prints = new Map<string, CopyPrint>();
  for (const [id, paragraphs] of texts) prints.set(id, copyPrint(paragraphs));
  const clusters = new CopyClusters();
  for (const id of texts.keys()) clusters.add(id, prints.get(id)!, (other) => prints.get(other)?.words);

  // Originals that are copies of each other already (the archive's own duplicates): a pair
  // across them is neither right nor wrong, so it is left out of both measures.
  const naturalClusters = new CopyClusters();
  const natural = new Map<string, string>();
  for (const article of originals) naturalClusters.add(article.id, prints.get(article.id)!, (other) => prints.get(other)?.words);
  for (const article of originals) if (!natural.has(article.id)) for (const member of naturalClusters.cluster(article.id)) natural.set(member, article.id);
  const byOrigin = new Map<string, string[]>();
  for (const [id, origin] of originOf) (byOrigin.get(origin) ?? byOrigin.set(origin, []).get(origin)!).push(id);
  let truePairs = 0;
  for (const group of byOrigin.values()) truePairs += (group.length * (group.length - 1)) / 2;
  let foundPairs = 0;
  let correctPairs = 0;
  let naturalPairs = 0;
  const missedBy: Record<string, number> = {};
  for (const cluster of clusters.clusters()) {
    for (let i = 0; i < cluster.length; i += 1) {
      for (let j = i + 1; j < cluster.length; j += 1) {
        const [a, b] = [cluster[i] as string, cluster[j] as string];
        const [originA, originB] = [originOf.get(a) as string, originOf.get(b) as string];
        if (originA === originB) {
          foundPairs += 1;
          correctPairs += 1;
        } else if (natural.get(originA) === natural.get(originB)) naturalPairs += 1;
        else foundPairs += 1;
      }
    }
  }
  for (const group of byOrigin.values()) {
    const origin = group[0] as string;
    const found = new Set(clusters.cluster(origin));
    for (const id of group) if (!found.has(id)) for (const kind of editsOf.get(id) ?? []) missedBy[kind] = (missedBy[kind] ?? 0) + 1;
  }
  const edited = texts.size - originals.length;
  return { originals: originals.length, edited, truePairs, foundPairs, correctPairs, precision: foundPairs === 0 ? 1 : correctPairs / foundPairs, recall: truePairs === 0 ? 1 : correctPairs / truePairs, naturalPairs, missedBy };
}
