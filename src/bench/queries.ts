/**
 * @module bench/queries
 * Deterministic benchmark queries drawn from the corpus: a seeded PRNG picks word occurrences
 * (not distinct words), so common words come up about as often as they do in the text and rare
 * ones still appear. Pure: the same paragraphs and seed always give the same queries.
 */

/** The query types of SPEC §8, in the order they are reported. */
export const QUERY_TYPES = ['term', 'two terms', 'phrase', 'prefix', 'fuzzy', 'exclusion'] as const;

/** One of {@link QUERY_TYPES}. */
export type QueryType = (typeof QUERY_TYPES)[number];

/**
 * A benchmark query, engine-neutral. `words` holds: the word (term, fuzzy); both words (two
 * terms); the phrase's words in order; the prefix; the included then the excluded word.
 */
export type BenchQuery = { type: QueryType; words: string[] };

/** Benchmark queries by type. */
export type QuerySet = Record<QueryType, BenchQuery[]>;

/** Shortest word (in letters) a query is made of: shorter words are mostly function words. */
export const MIN_WORD_LETTERS = 4;
/** Shortest word a phrase may continue with (`oil prices`, `rose to`): a phrase reads as written. */
const MIN_PHRASE_WORD_LETTERS = 2;
/** Shortest and longest prefix, in letters, before the `*`. */
const PREFIX_LETTERS = { min: 3, max: 5 } as const;
/** Draws allowed per wanted query before giving up: a corpus without phrases must not hang. */
const MAX_DRAWS_PER_QUERY = 1000;

/** Matches a word made of letters only: digits and inner punctuation (`U.S`, `Qatar's`) are left out so both engines read the same word. */
const LETTERS_RE = /^\p{L}+$/u;
/** Matches punctuation at the start of a whitespace-separated token (`(oil`, `"said`). */
const LEADING_PUNCT_RE = /^\p{P}+/u;
/** Matches punctuation at the end of a whitespace-separated token (`prices,`, `year.`). */
const TRAILING_PUNCT_RE = /\p{P}+$/u;

/** A seeded pseudo-random generator of numbers in [0, 1) (mulberry32: small, fast, well mixed). */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A token of a paragraph split on single spaces: its word (lower case) when it is letters only. */
type Slot = { word: string | null; leading: boolean; trailing: boolean };

/** The tokens of a paragraph, split on single spaces, with their letters-only words. */
export function slotsOf(text: string): Slot[] {
  return text.split(' ').map((raw) => {
    const leading = LEADING_PUNCT_RE.test(raw);
    const trailing = TRAILING_PUNCT_RE.test(raw);
    const core = raw.replace(LEADING_PUNCT_RE, '').replace(TRAILING_PUNCT_RE, '');
    return { word: LETTERS_RE.test(core) ? core.toLowerCase() : null, leading, trailing };
  });
}

function isQueryWord(word: string | null): word is string {
  return word !== null && [...word].length >= MIN_WORD_LETTERS;
}

/** Draws uniformly among the occurrences of query words (≥ {@link MIN_WORD_LETTERS} letters) of a corpus. */
type OccurrenceSampler = (random: () => number) => { paragraph: number; slots: Slot[]; slot: number };

function createSampler(paragraphs: readonly string[]): OccurrenceSampler {
  // Cumulative counts of query words per paragraph; a draw is a binary search in them.
  const cumulative = new Float64Array(paragraphs.length);
  let total = 0;
  paragraphs.forEach((text, index) => {
    total += slotsOf(text).filter((slot) => isQueryWord(slot.word)).length;
    cumulative[index] = total;
  });
  if (total === 0) throw new Error(`the corpus holds no word of ${MIN_WORD_LETTERS} letters or more`);
  return (random) => {
    const target = Math.floor(random() * total);
    let low = 0;
    let high = paragraphs.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) > target) high = middle;
      else low = middle + 1;
    }
    const slots = slotsOf(paragraphs[low] as string);
    let rank = target - (low === 0 ? 0 : (cumulative[low - 1] as number));
    const slot = slots.findIndex((candidate) => isQueryWord(candidate.word) && rank-- === 0);
    return { paragraph: low, slots, slot };
  };
}

/** Another query word of the same paragraph, or `null` when it has none. */
function otherWord(slots: readonly Slot[], word: string, random: () => number): string | null {
  const others = slots.map((slot) => slot.word).filter((other): other is string => isQueryWord(other) && other !== word);
  return others.length === 0 ? null : (others[Math.floor(random() * others.length)] as string);
}

/**
 * The phrase of `length` words starting at `start`, when the words read consecutively in the
 * text (separated by single spaces, punctuation only before the first and after the last).
 */
function phraseAt(slots: readonly Slot[], start: number, length: number): string[] | null {
  const words: string[] = [];
  for (let index = start; index < start + length; index++) {
    const slot = slots[index];
    if (slot === undefined || slot.word === null || [...slot.word].length < MIN_PHRASE_WORD_LETTERS) return null;
    if (index > start && slot.leading) return null;
    if (index < start + length - 1 && slot.trailing) return null;
    words.push(slot.word);
  }
  return words;
}

type Drawer = (sample: OccurrenceSampler, random: () => number) => string[] | null;

const DRAWERS: Record<QueryType, Drawer> = {
  term: (sample, random) => {
    const { slots, slot } = sample(random);
    return [slots[slot]?.word as string];
  },
  'two terms': (sample, random) => {
    const { slots, slot } = sample(random);
    const word = slots[slot]?.word as string;
    const other = otherWord(slots, word, random);
    return other === null ? null : [word, other];
  },
  phrase: (sample, random) => {
    const { slots, slot } = sample(random);
    return phraseAt(slots, slot, random() < 0.5 ? 2 : 3);
  },
  prefix: (sample, random) => {
    const { slots, slot } = sample(random);
    const letters = [...(slots[slot]?.word as string)];
    const length = PREFIX_LETTERS.min + Math.floor(random() * (PREFIX_LETTERS.max - PREFIX_LETTERS.min + 1));
    return [letters.slice(0, Math.min(length, letters.length)).join('')];
  },
  fuzzy: (sample, random) => {
    const { slots, slot } = sample(random);
    return [slots[slot]?.word as string];
  },
  exclusion: (sample, random) => {
    // The excluded word comes from the same paragraph, so the exclusion removes something.
    const { slots, slot } = sample(random);
    const word = slots[slot]?.word as string;
    const other = otherWord(slots, word, random);
    return other === null ? null : [word, other];
  },
};

/**
 * Generates `perType` queries of each type from `paragraphs`. Each type has its own stream of
 * the PRNG (derived from `seed`), so changing how one type is drawn leaves the others alone.
 * Throws when the corpus cannot yield a type (no phrase of two words, say).
 *
 * @example
 * generateQueries(['Oil prices rose sharply in early trading.'], { seed: 7, perType: 2 }).phrase
 * // e.g. [{ type: 'phrase', words: ['prices', 'rose'] }, …]
 */
export function generateQueries(paragraphs: readonly string[], options: { seed: number; perType: number }): QuerySet {
  const sample = createSampler(paragraphs);
  const set = {} as QuerySet;
  QUERY_TYPES.forEach((type, typeIndex) => {
    const random = createPrng(Math.imul(options.seed, 31) + typeIndex + 1);
    const queries: BenchQuery[] = [];
    for (let draws = 0; queries.length < options.perType; draws++) {
      if (draws >= options.perType * MAX_DRAWS_PER_QUERY) throw new Error(`the corpus yields too few ${type} queries (${queries.length} of ${options.perType})`);
      const words = DRAWERS[type](sample, random);
      if (words !== null) queries.push({ type, words });
    }
    set[type] = queries;
  });
  return set;
}

/**
 * A query in the service's query language (SPEC §4).
 *
 * @example
 * serviceSyntax({ type: 'exclusion', words: ['oil', 'crude'] }) // 'oil -crude'
 */
export function serviceSyntax(query: BenchQuery): string {
  const [first = '', second = ''] = query.words;
  switch (query.type) {
    case 'term':
      return first;
    case 'two terms':
      return `${first} ${second}`;
    case 'phrase':
      return `"${query.words.join(' ')}"`;
    case 'prefix':
      return `${first}*`;
    case 'fuzzy':
      return `${first}~1`;
    case 'exclusion':
      return `${first} -${second}`;
  }
}
