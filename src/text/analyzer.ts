/**
 * @module text/analyzer
 * The one analyzer of SPEC §3, used to index, to parse queries, to verify phrases and to place
 * highlights. Tokens carry folded terms, the words as written; {@link stem} relates a term to
 * its inflections (`talk`, `talks`, `talked`). The engine indexes stems and looks keywords up by
 * stem, the same function at both ends; phrases, prefixes and fuzzy terms see words as written.
 */
import { stemmer } from 'stemmer';
import { analyze, type Analysis } from './tokenize.ts';

export { analyze, type Analysis, type Compound, type Token } from './tokenize.ts';
export { fold } from './normalize.ts';

/**
 * Bumped whenever a change to the analyzer changes the terms of some text: a snapshot built by
 * another version is stale and is rebuilt.
 */
export const ANALYZER_VERSION = 2;

/** Matches terms the English stemmer applies to: plain lower-case Latin letters, four or more. */
const STEMMABLE_RE = /^[a-z]{4,}$/;
/**
 * Longest term that is its own stem: short words (`us`, `its`, `use`, `war`) and acronyms (`US`,
 * `UK`, `EEC`) are words a reader tells apart by their letters, so no suffix is taken from them.
 */
const SHORT_WORD_LENGTH = 3;
/**
 * Appended to a Porter stem shorter than {@link SHORT_WORD_LENGTH} that is no short word's stem
 * (`doing` → `do_`, `died` → `di_`): no term holds it, so such a stem never equals a short word.
 */
const CLIPPED_STEM_MARK = '_';

/**
 * The stem of a folded term, for relating English inflections; the same function serves indexing
 * and queries. Words of at most 3 letters (and so the acronyms `US`, `U.S.`, `UK`) and terms that
 * are not plain Latin letters are their own stem. A longer word gets its Porter stem, except that
 * the stem of a longer word never equals a short word that is not one of its forms: where Porter
 * cut it to at most 3 letters, the stem is the short word Porter cuts the same way (`used`,
 * `uses`, `using` → `use`, as Porter cuts `use` to `us`; `buys` → `buy`), else a stem of 3
 * letters as is (`wars` → `war`), and a shorter one marked (`doing` → `do_`, not `do`).
 *
 * @example
 * stem('talks') === stem('talk') // true
 * stem('elections')              // 'elect'
 * stem('used')                   // 'use', not 'us'
 */
export function stem(term: string): string {
  if (!STEMMABLE_RE.test(term)) return term;
  let known = STEMS.get(term);
  if (known === undefined) {
    known = stemLongWord(term);
    if (STEMS.size >= STEM_MEMO_LIMIT) STEMS.clear();
    STEMS.set(term, known);
  }
  return known;
}

/** The stem of a word of more than {@link SHORT_WORD_LENGTH} letters (see {@link stem}). */
function stemLongWord(word: string): string {
  const porter = stemmer(word);
  if (porter.length > SHORT_WORD_LENGTH) return porter;
  const short = shortWordCutTo(porter);
  if (short !== null && stemmer(short) === porter) return short;
  return porter.length === SHORT_WORD_LENGTH ? porter : porter + CLIPPED_STEM_MARK;
}

/**
 * The short word Porter may have cut to `porter`: a final `e` dropped (`use` → `us`) or a final
 * `y` made `i` (`buy` → `bui`). The caller checks that Porter does cut it so.
 */
function shortWordCutTo(porter: string): string | null {
  if (porter.length === SHORT_WORD_LENGTH - 1) return `${porter}e`;
  if (porter.length === SHORT_WORD_LENGTH && porter.endsWith('i')) return `${porter.slice(0, -1)}y`;
  return null;
}

/** Stems already computed: highlighting and verification stem the same words again and again. */
const STEMS = new Map<string, string>();
/** Bound of {@link STEMS}: about the vocabulary of a large news archive; past it, it starts over. */
const STEM_MEMO_LIMIT = 500_000;

/** True when {@link stem} applies the English stemmer to `term` (other terms are their own stem). */
export function isStemmable(term: string): boolean {
  return STEMMABLE_RE.test(term);
}

/**
 * The terms under which a text is indexed: every token, and every hyphenated compound joined.
 *
 * @example
 * indexTerms("Qatar's cease-fire") // ['qatar', 'cease', 'fire', 'ceasefire']
 */
export function indexTerms(text: string): string[] {
  return termsOf(analyze(text));
}

/** The index terms of an analysis already made. */
export function termsOf(analysis: Analysis): string[] {
  const terms = analysis.tokens.map((token) => token.term);
  for (const compound of analysis.compounds) terms.push(compound.term);
  return terms;
}
