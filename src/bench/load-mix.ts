/**
 * @module bench/load-mix
 * What the operational measurements of SPEC §13 send to a real server, drawn from the corpus
 * itself so that any corpus works: common words, phrases and a prefix for the searchers, the
 * articles the writers post (each with a word of its own, to find it again), a rare word for the
 * trivial search and the short prefixes a slow query ORs together. Pure: paragraphs in, queries out.
 */
import type { Article } from '../ingest/article.ts';
import { MIN_WORD_LETTERS, slotsOf } from './queries.ts';

/** Shortest word a common-word query is made of (as the benchmark queries: shorter ones are mostly function words). */
const COMMON_WORD_LETTERS = MIN_WORD_LETTERS;
/** Shortest word whose first letters make the searchers' prefix: a long word, so its prefix is not a word of its own. */
const PREFIX_SOURCE_LETTERS = 6;
/** Letters of the searchers' prefix (`comp*`): common enough to expand to many words, well under the expansion cap. */
const PREFIX_LETTERS = 4;
/** Shortest rare word: long enough to be a word, not a code. */
const RARE_WORD_LETTERS = 6;
/** Letters of the prefixes a slow query ORs (`co* OR re* …`): the shortest the query language takes. */
const SLOW_PREFIX_LETTERS = 2;

/** How often each letters-only word (lower case) occurs in `paragraphs`, split as the benchmark queries split them. */
export function wordCounts(paragraphs: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of paragraphs) {
    for (const slot of slotsOf(text)) if (slot.word !== null) counts.set(slot.word, (counts.get(slot.word) ?? 0) + 1);
  }
  return counts;
}

/** Entries by count, highest first, then alphabetically (so ties are drawn the same on every run). */
function byCount(entries: Iterable<[string, number]>): Array<[string, number]> {
  return [...entries].sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The `count` most frequent words of at least `minLetters` letters.
 *
 * @example
 * commonWords(['Oil prices rose; oil output fell.', 'Oil prices fell.'], 2) // ['prices', 'fell']
 */
export function commonWords(paragraphs: readonly string[], count: number, minLetters: number = COMMON_WORD_LETTERS): string[] {
  const long = [...wordCounts(paragraphs)].filter(([word]) => [...word].length >= minLetters);
  return byCount(long)
    .slice(0, count)
    .map(([word]) => word);
}

/**
 * The `count` most frequent two-word phrases, both words of at least {@link COMMON_WORD_LETTERS}
 * letters and read consecutively in the text (no punctuation between them).
 *
 * @example
 * commonPhrases(['Crude oil prices rose sharply.', 'Oil prices rose again.'], 1) // [['prices', 'rose']]
 */
export function commonPhrases(paragraphs: readonly string[], count: number): Array<[string, string]> {
  const counts = new Map<string, number>();
  for (const text of paragraphs) {
    const slots = slotsOf(text);
    for (let index = 0; index + 1 < slots.length; index++) {
      const first = slots[index];
      const second = slots[index + 1];
      if (first === undefined || second === undefined || first.word === null || second.word === null || first.trailing || second.leading) continue;
      if ([...first.word].length < COMMON_WORD_LETTERS || [...second.word].length < COMMON_WORD_LETTERS) continue;
      const key = `${first.word} ${second.word}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return byCount(counts)
    .slice(0, count)
    .map(([key]) => key.split(' ') as [string, string]);
}

/**
 * The searchers' queries (SPEC §13: "16 concurrent searchers"), in the service's query language:
 * the four most common words alone, the two most common phrases, a prefix of a common long word,
 * and the most common word without the second. Throws when the corpus is too small to give them.
 *
 * @example
 * searchMix(paragraphs) // ['said', 'year', 'with', 'from', '"last year"', '"told reuters"', 'comp*', 'said -year']
 */
export function searchMix(paragraphs: readonly string[]): string[] {
  const words = commonWords(paragraphs, 4);
  const phrases = commonPhrases(paragraphs, 2);
  const [long] = commonWords(paragraphs, 1, PREFIX_SOURCE_LETTERS);
  const [first, second] = words;
  if (words.length < 4 || phrases.length < 2 || long === undefined || first === undefined || second === undefined) {
    throw new Error('the corpus is too small for the load mix: it needs four distinct words of 4 letters, two phrases and a word of 6');
  }
  return [...words, ...phrases.map((phrase) => `"${phrase.join(' ')}"`), `${[...long].slice(0, PREFIX_LETTERS).join('')}*`, `${first} -${second}`];
}

/**
 * A word of at least {@link RARE_WORD_LETTERS} letters that occurs once in `paragraphs` (the first
 * such in the text): the trivial search, which finds one or a few paragraphs. Throws when none does.
 */
export function rareWord(paragraphs: readonly string[]): string {
  const counts = wordCounts(paragraphs);
  for (const text of paragraphs) {
    for (const slot of slotsOf(text)) {
      if (slot.word !== null && counts.get(slot.word) === 1 && [...slot.word].length >= RARE_WORD_LETTERS) return slot.word;
    }
  }
  throw new Error(`the corpus has no word of ${RARE_WORD_LETTERS} letters that occurs only once`);
}

/**
 * Two-letter prefixes ordered by how many word occurrences start with them, most first: the
 * building blocks of a slow query (`co* OR re* OR pr*`), each expanding to many words.
 *
 * @example
 * commonPrefixes(['contract costs rose', 'records rested'], 2) // ['co', 're']
 */
export function commonPrefixes(paragraphs: readonly string[], count: number): string[] {
  const counts = new Map<string, number>();
  for (const [word, occurrences] of wordCounts(paragraphs)) {
    const letters = [...word];
    if (letters.length <= SLOW_PREFIX_LETTERS) continue;
    const prefix = letters.slice(0, SLOW_PREFIX_LETTERS).join('');
    counts.set(prefix, (counts.get(prefix) ?? 0) + occurrences);
  }
  return byCount(counts)
    .slice(0, count)
    .map(([prefix]) => prefix);
}

/**
 * The query ORing the prefixes.
 *
 * @example
 * prefixQuery(['co', 're']) // 'co* OR re*'
 */
export function prefixQuery(prefixes: readonly string[]): string {
  return prefixes.map((prefix) => `${prefix}*`).join(' OR ');
}

/**
 * The first articles of `articles` holding at least `paragraphs` paragraphs in all (the archive
 * the writes go into), and the articles after them (what the writers post, under new ids).
 */
export function splitArchive(articles: readonly Article[], paragraphs: number): { archive: Article[]; rest: Article[] } {
  let held = 0;
  let end = 0;
  while (end < articles.length && held < paragraphs) held += articles[end++]?.paragraphs.length ?? 0;
  return { archive: articles.slice(0, end), rest: articles.slice(end) };
}

/** Letters standing for the digits 0–9 in a marker word: consonants, so no English suffix is stemmed off. */
const DIGIT_LETTERS = 'bcdfghjkmn';

function lettersOf(n: number): string {
  return String(n).replace(/\d/g, (digit) => DIGIT_LETTERS[Number(digit)] as string);
}

/**
 * The word only the `n`-th article posted by writer `writer` holds: letters only (`z`, the writer
 * and the number spelled in consonants, `q` between them, `x` last), so the analyzer keeps it whole
 * and no stem joins two of them.
 *
 * @example
 * markerWord(2, 15) // 'zdqchx'
 */
export function markerWord(writer: number, n: number): string {
  return `z${lettersOf(writer)}q${lettersOf(n)}x`;
}

/** The id of the `n`-th article posted by writer `writer`. */
export function postedId(writer: number, n: number): string {
  return `bench-write-${writer}-${n}`;
}

/**
 * The `n`-th article writer `writer` posts: a corpus article (`source`) under a new id, with the
 * writer's {@link markerWord} appended to its first paragraph.
 */
export function postedArticle(source: Article, writer: number, n: number): Article {
  const [first = '', ...others] = source.paragraphs;
  return { ...source, id: postedId(writer, n), paragraphs: [`${first} ${markerWord(writer, n)}`.trim(), ...others] };
}
