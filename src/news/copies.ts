/**
 * @module news/copies
 * Near copies of an article (SPEC §10): a wire story republished with another headline, a local
 * dateline, a paragraph dropped or added, a few words changed. Two articles are copies when the
 * Jaccard similarity of the sets of word 5-shingles of their text (the paragraphs, not the
 * title, which republishers rewrite; words as the analyzer folds them, so case, accents,
 * typographic quotes and line wrapping do not count) is at least {@link COPY_SIMILARITY}, or when
 * their words, aligned in order, are that alike ({@link wordSimilarity}: a changed word costs one
 * word there, five shingles here, which in a short story is the difference); two articles of one
 * paragraph each are copies too when their words are the same (a paragraph of fewer than five
 * words has a single shingle, too coarse a measure). In every case their figures must agree
 * ({@link sameFigures}): a story written again from a template is not a copy.
 *
 * Finding the candidates among a whole archive uses MinHash with locality-sensitive hashing: a
 * signature of {@link PERMUTATIONS} minimum hashes, cut into {@link BANDS} bands whose keys two
 * articles share when their bands agree. A pair at similarity 0.5 shares a band with probability
 * 1 − (1 − 0.5³)²¹ ≈ 0.94, at 0.6 with 0.994, at 0.8 with 1 − 10⁻¹⁴; candidates are then checked on their exact shingle sets, so the
 * signature decides only which pairs are compared, never whether a pair is a copy.
 */
import { diffArrays } from 'diff';
import { analyze } from '../text/analyzer.ts';

/** Least Jaccard similarity of two articles' 5-shingles for them to be copies. */
export const COPY_SIMILARITY = 0.8;
/** Words per shingle. */
export const SHINGLE_WORDS = 5;
/** Bands of the MinHash signature, each a key of the LSH index. */
export const BANDS = 21;
/** Minimum hashes per band. */
export const ROWS = 3;
/** Bins of the one-permutation signature (a power of two; the bands use the first {@link BANDS} × {@link ROWS}). */
export const PERMUTATIONS = 64;

/** What copy detection needs of an article: its shingles, and its words when it has one paragraph. */
export type CopyPrint = {
  /** Hashes of its word 5-shingles, sorted, each once. */
  shingles: Uint32Array;
  /** With one paragraph: a hash of its words (those of two such articles are compared when their hashes agree); otherwise `null`. */
  single: number | null;
  /** Its words, in order (put in one array when first read). */
  readonly words: string[];
};

/**
 * The copy print of an article's paragraphs.
 *
 * @example
 * copyPrint(['Stocks fell on Monday in Tokyo.']).words // ['stocks', 'fell', 'on', 'monday', 'in', 'tokyo']
 */
export function copyPrint(paragraphs: readonly string[]): CopyPrint {
  return copyPrintOfWords(paragraphs.map(wordsOf));
}

/** The words of a text as the analyzer folds them, in order. */
export function wordsOf(text: string): string[] {
  return analyze(text).tokens.map((token) => token.term);
}

/** {@link copyPrint} of paragraphs already analyzed: the words of each (indexing has them at hand). */
export function copyPrintOfWords(paragraphWords: ReadonlyArray<readonly string[]>): CopyPrint {
  let length = 0;
  for (const paragraph of paragraphWords) length += paragraph.length;
  const hashes = scratchHashes(length);
  let at = 0;
  for (const paragraph of paragraphWords) for (let index = 0; index < paragraph.length; index += 1) hashes[at++] = hashWord(paragraph[index] as string);
  // The words in one array only if they are asked for (a pair in doubt): most prints never are.
  return printOfHashes(hashes, length, paragraphWords.length, () => {
    const words = new Array<string>(length);
    let next = 0;
    for (const paragraph of paragraphWords) for (let index = 0; index < paragraph.length; index += 1) words[next++] = paragraph[index] as string;
    return words;
  });
}

/** {@link copyPrint} of an article's words, all in order, and its number of paragraphs. */
export function copyPrintOf(words: string[], paragraphs: number): CopyPrint {
  const hashes = scratchHashes(words.length);
  for (let index = 0; index < words.length; index += 1) hashes[index] = hashWord(words[index] as string);
  return printOfHashes(hashes, words.length, paragraphs, () => words);
}

/** The print of an article from the hashes of its `length` words (in `hashes`, which may be longer); its words come from `words` when asked for. */
function printOfHashes(hashes: Uint32Array, length: number, paragraphs: number, words: () => string[]): CopyPrint {
  const count = length === 0 ? 0 : Math.max(1, length - SHINGLE_WORDS + 1);
  const shingles = new Uint32Array(count);
  for (let start = 0; start < count; start += 1) shingles[start] = hashRun(hashes, start, Math.min(length, start + SHINGLE_WORDS));
  shingles.sort();
  // Each hash once.
  let kept = 0;
  for (let index = 0; index < shingles.length; index += 1) if (index === 0 || shingles[index] !== shingles[kept - 1]) shingles[kept++] = shingles[index] as number;
  let known: string[] | undefined;
  return {
    shingles: kept === count ? shingles : shingles.slice(0, kept),
    single: paragraphs === 1 && length > 0 ? hashRun(hashes, 0, length) : null,
    get words() {
      return (known ??= words());
    },
  };
}

/** A buffer of at least `length` word hashes, reused from one print to the next (a print is made in one go). */
function scratchHashes(length: number): Uint32Array {
  if (scratch.length < length) scratch = new Uint32Array(Math.max(length, 2 * scratch.length));
  return scratch;
}
let scratch = new Uint32Array(1024);

/** Whether two articles are copies of each other (see the module's description). */
export function areCopies(a: CopyPrint, b: CopyPrint): boolean {
  return isCopyOf(a, b, () => b.words);
}

/**
 * {@link areCopies} of `print` and an article known by its shingles and single paragraph, whose
 * words `wordsOf` reads (again) only when the shingles leave the pair in doubt (see
 * {@link copyVerdict}).
 */
export function isCopyOf(print: CopyPrint, other: Pick<CopyPrint, 'shingles' | 'single'>, wordsOf: () => readonly string[] | undefined): boolean {
  const verdict = copyVerdict(print, other);
  if (verdict === 'not a copy') return false;
  const words = wordsOf();
  return words !== undefined && decideOnWords(print, other, verdict, words);
}

/** The decision on a pair the shingles did not rule out, from the other article's words: same figures, and alike enough. */
export function decideOnWords(print: CopyPrint, other: Pick<CopyPrint, 'shingles' | 'single'>, verdict: 'copy' | 'compare words', words: readonly string[]): boolean {
  if (!sameFigures(print.words, words)) return false;
  return verdict === 'copy' || areCopiesByWords(print, other, words);
}

/**
 * Whether two articles give the same figures: of the words holding a digit (amounts, dates,
 * scores) of the article with fewer, at least {@link COPY_SIMILARITY} are in the other (a copy
 * that dropped a paragraph drops its figures; one that added a paragraph adds some). A story
 * written again from a template (a daily market report, a dividend notice) changes its figures
 * and little else; a copy keeps them. On Reuters-21578 this is what tells the twelve daily
 * "Fed adds reserves" reports apart.
 */
export function sameFigures(a: readonly string[], b: readonly string[]): boolean {
  const figures = (words: readonly string[]) => new Set(words.filter((word) => DIGIT_RE.test(word)));
  const [x, y] = [figures(a), figures(b)];
  const [fewer, more] = x.size <= y.size ? [x, y] : [y, x];
  if (fewer.size === 0) return true;
  let shared = 0;
  for (const figure of fewer) if (more.has(figure)) shared += 1;
  return shared / fewer.size >= COPY_SIMILARITY;
}

/** Matches a word holding a digit. */
const DIGIT_RE = /\p{N}/u;

/**
 * What the shingles say of a pair: a copy, not one, or in doubt: similar enough to be worth a
 * look ({@link WORD_CHECK_FLOOR}) but not enough to decide, or two one-paragraph articles whose
 * words hash alike. Then {@link areCopiesByWords} decides on the other article's words.
 */
export function copyVerdict(print: CopyPrint, other: Pick<CopyPrint, 'shingles' | 'single'>): 'copy' | 'not a copy' | 'compare words' {
  const similarity = jaccard(print.shingles, other.shingles);
  if (similarity >= COPY_SIMILARITY) return 'copy';
  const sameSingle = print.single !== null && print.single === other.single;
  return sameSingle || similarity >= WORD_CHECK_FLOOR ? 'compare words' : 'not a copy';
}

/** The decision on a pair in doubt, from the other article's words. */
export function areCopiesByWords(print: CopyPrint, other: Pick<CopyPrint, 'shingles' | 'single'>, words: readonly string[]): boolean {
  const sameSingle = print.single !== null && print.single === other.single;
  if (sameSingle && words.length === print.words.length && words.every((word, index) => word === print.words[index])) return true;
  if (Math.min(print.words.length, words.length) < WORD_CHECK_MIN_WORDS) return false;
  return jaccard(print.shingles, other.shingles) >= WORD_CHECK_FLOOR && wordSimilarity(print.words, words) >= COPY_SIMILARITY;
}

/**
 * Fewest words of each article for the word-by-word comparison: in a notice of twenty words the
 * few words that differ are what it is about (another fund's dividend, another company's
 * results), and only shingles decide.
 */
export const WORD_CHECK_MIN_WORDS = 50;

/**
 * Least shingle similarity at which a pair is compared word by word: a few changed words in a
 * short story take many shingles with them (five each), but below this so many words differ that
 * the words cannot be 0.8 alike either.
 */
export const WORD_CHECK_FLOOR = 0.3;

/**
 * How alike two texts are word by word, in order: the words of their longest common subsequence
 * over all their words (a Jaccard similarity of word occurrences, aligned by `diff`). A changed
 * word costs one word here where it costs five shingles, so a copy with a few words changed in a
 * short story stays above the threshold; an added or dropped paragraph costs its words in both.
 * Below {@link COPY_SIMILARITY} the alignment is abandoned early, since it can only get worse.
 *
 * @example
 * wordSimilarity(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd']) // 0.6: 3 matched of 5
 */
export function wordSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length + b.length === 0) return 0;
  // Matched words m reach the threshold t only if m ≥ t(|a| + |b|)/(1 + t), so at most this many edits.
  const maxEditLength = Math.ceil((a.length + b.length) * (1 - (2 * COPY_SIMILARITY) / (1 + COPY_SIMILARITY))) + 1;
  const changes = diffArrays(a as string[], b as string[], { maxEditLength });
  if (changes === undefined) return 0;
  let matched = 0;
  for (const change of changes) if (change.added !== true && change.removed !== true) matched += change.value.length;
  return matched / (a.length + b.length - matched);
}

/**
 * The Jaccard similarity of two sorted sets of hashes: shared over all; 0 when both are empty.
 *
 * @example
 * jaccard(Uint32Array.of(1, 2, 3), Uint32Array.of(2, 3, 4)) // 0.5
 */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  let shared = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      shared += 1;
      i += 1;
      j += 1;
    } else if (x < y) i += 1;
    else j += 1;
  }
  const all = a.length + b.length - shared;
  return all === 0 ? 0 : shared / all;
}

/**
 * The LSH keys of a set of shingles: one per band, a hash of the band's number and its
 * {@link ROWS} minimum hashes. The signature is one-permutation MinHash: each shingle's hash
 * (already mixed) falls in one of {@link PERMUTATIONS} bins by its top bits, each bin keeps its
 * least remaining bits, and an empty bin takes the value of the next filled one (with the
 * distance added, so that two empty bins do not agree by accident): one hash per shingle
 * instead of one per shingle and permutation. Articles with no shingle have no keys.
 */
export function bandKeys(shingles: Uint32Array): Uint32Array {
  if (shingles.length === 0) return new Uint32Array(0);
  const empty = 0xffffffff;
  const minimums = MINIMUMS.fill(empty);
  for (let index = 0; index < shingles.length; index += 1) {
    const shingle = shingles[index] as number;
    const bin = shingle >>> BIN_SHIFT;
    const value = shingle & VALUE_MASK;
    if (value < (minimums[bin] as number)) minimums[bin] = value;
  }
  for (let bin = 0; bin < PERMUTATIONS; bin += 1) {
    if (minimums[bin] !== empty) continue;
    for (let distance = 1; distance < PERMUTATIONS; distance += 1) {
      const donor = minimums[(bin + distance) % PERMUTATIONS] as number;
      if (donor !== empty && donor <= VALUE_MASK) {
        minimums[bin] = (VALUE_MASK + 1) * distance + donor;
        break;
      }
    }
  }
  const keys = new Uint32Array(BANDS);
  for (let band = 0; band < BANDS; band += 1) {
    let hash = mix(0x9e3779b9 ^ band);
    for (let row = 0; row < ROWS; row += 1) hash = mix(hash ^ (minimums[band * ROWS + row] as number));
    keys[band] = hash;
  }
  return keys;
}

/** The signature's bins, reused from one article to the next (with an indexed loop over the shingles, this halved the time of {@link bandKeys}: 80 to 40 ms over Reuters). */
const MINIMUMS = new Uint32Array(PERMUTATIONS);

/** Bits of a shingle's hash above these choose its bin (2⁶ = {@link PERMUTATIONS} bins). */
const BIN_SHIFT = 26;
/** The bits of a shingle's hash compared within its bin. */
const VALUE_MASK = (1 << BIN_SHIFT) - 1;

/** A 32-bit finalizer (MurmurHash3's fmix32): every input bit affects every output bit. */
function mix(value: number): number {
  let hash = value >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** A word's hash: FNV-1a over its UTF-16 code units, mixed. */
function hashWord(word: string): number {
  let hash = 0x811c9dc5;
  for (let at = 0; at < word.length; at += 1) hash = Math.imul(hash ^ word.charCodeAt(at), 0x01000193);
  return mix(hash);
}

/** The hash of the run of words from `start` to `end`, from their hashes (order counts). */
function hashRun(hashes: Uint32Array, start: number, end: number): number {
  let hash = 0x27d4eb2f;
  for (let index = start; index < end; index += 1) hash = mix(Math.imul(hash, 31) ^ (hashes[index] as number));
  return hash;
}

/** Orders articles earliest first: by date (ISO strings), undated last, then by id. A cluster's id is its first article's. */
export function earliestFirst(a: { id: string; date: string | null }, b: { id: string; date: string | null }): number {
  if (a.date !== b.date) {
    if (a.date === null) return 1;
    if (b.date === null) return -1;
    return a.date < b.date ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
