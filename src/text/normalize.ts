/**
 * @module text/normalize
 * Folding of a word's surface form into the term the index stores:
 * NFKC, lower case, diacritics removed, soft hyphens and zero-width characters dropped.
 */

/** Characters that are invisible inside words: soft hyphen, zero-width space/joiners, word joiner, BOM. */
export const IGNORABLE_CHARS = '\u00AD\u200B\u200C\u200D\u2060\uFEFF';

/** Matches the ignorable characters above, anywhere. */
const IGNORABLE_RE = new RegExp(`[${IGNORABLE_CHARS}]`, 'gu');

/** Matches nonspacing combining marks (accents once a letter is decomposed with NFD). */
const COMBINING_MARK_RE = /\p{Mn}/gu;

/** Matches strings made only of ASCII letters and digits: these need no Unicode folding. */
const PLAIN_ASCII_RE = /^[A-Za-z0-9]*$/;

/**
 * Folds a word to its index form: case, diacritics, compatibility forms and invisible
 * characters do not count. Never throws.
 *
 * @example
 * fold('Éléphant') // 'elephant'
 * fold('Ｇａｚａ') // 'gaza'
 */
export function fold(word: string): string {
  if (PLAIN_ASCII_RE.test(word)) return word.toLowerCase();
  return word
    .normalize('NFKC')
    .replace(IGNORABLE_RE, '')
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARK_RE, '')
    .replace(/ß/g, 'ss')
    .normalize('NFC');
}
