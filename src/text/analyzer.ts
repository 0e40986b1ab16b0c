/**
 * @module text/analyzer
 * The one analyzer of SPEC §3, used to index, to parse queries, to verify phrases and to place
 * highlights. Index terms are folded but not stemmed; stemming relates keyword terms at query
 * time (`talk` also looks up `talks`), so phrases, prefixes and fuzzy terms see words as written.
 */
import { stemmer } from 'stemmer';
import { analyze, type Analysis } from './tokenize.ts';

export { analyze, type Analysis, type Compound, type Token } from './tokenize.ts';
export { fold } from './normalize.ts';

/**
 * Bumped whenever a change to the analyzer changes the terms of some text: a snapshot built by
 * another version is stale and is rebuilt.
 */
export const ANALYZER_VERSION = 1;

/** Matches terms the English stemmer applies to: plain lower-case Latin letters. */
const STEMMABLE_RE = /^[a-z]{3,}$/;

/**
 * The stem of a folded term, for relating English inflections. Other terms are their own stem.
 *
 * @example
 * stem('talks') === stem('talk') // true
 * stem('elections')              // 'elect'
 */
export function stem(term: string): string {
  if (!STEMMABLE_RE.test(term)) return term;
  let known = STEMS.get(term);
  if (known === undefined) {
    known = stemmer(term);
    if (STEMS.size >= STEM_MEMO_LIMIT) STEMS.clear();
    STEMS.set(term, known);
  }
  return known;
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
