/**
 * @module text/tokenize
 * The tokenizer: finds the words of a text with their UTF-16 offsets and folds each into a term.
 *
 * Rules (SPEC §3): `Qatar's` is the token `qatar` spanning the whole `Qatar's`;
 * `Amir-Abdollahian` is the tokens `amir`, `abdollahian` plus the compound `amirabdollahian`;
 * an English contraction is one token that keeps its apostrophe (`we're`, not the word `were`)
 * plus the compound of the word it is built on (`they're` → `they`, `can't` → `can`);
 * `U.S.` is the single token `us`; `3.5` and `1,000` stay one number; Han and Hiragana
 * characters are one token each (those scripts do not separate words with spaces).
 */
import { fold, IGNORABLE_CHARS } from './normalize.ts';

/** A word of the text: its folded term, where it stands, and its ordinal among the words. */
export type Token = {
  term: string;
  start: number;
  end: number;
  position: number;
};

/**
 * An extra index term spanning `span` tokens from `position`: a hyphenated word taken as one
 * (`cease-fire` → `ceasefire`), or the word a contraction is built on (`can't` → `can`, span 1;
 * it follows the group's hyphen compound, if any). Compounds are indexed as terms but phrases
 * are matched on tokens only.
 */
export type Compound = Token & { span: number };

export type Analysis = {
  tokens: Token[];
  compounds: Compound[];
};

/** Letters, digits and marks that make up words, minus the scripts tokenized per character. */
const WORD_CHAR = `[[\\p{L}\\p{N}\\p{M}${IGNORABLE_CHARS}]--[\\p{sc=Han}\\p{sc=Hiragana}]]`;
/** A character tokenized on its own: an ideograph or a Hiragana syllable. */
const SINGLE_CHAR = `[\\p{sc=Han}\\p{sc=Hiragana}]`;
/** Punctuation that may join two runs of word characters into one chunk: apostrophes, hyphens, `.`, `,`. */
const JOINER = `['\\u2019\\u02BC\\-\\u2010\\u2011\\.\\,]`;
/** Matches one ideograph, or one chunk: word runs joined by single joiner characters. */
const CHUNK_RE = new RegExp(`${SINGLE_CHAR}|${WORD_CHAR}+(?:${JOINER}${WORD_CHAR}+)*`, 'gv');

/** Matches an acronym written with periods: `U.S`, `e.g` (the final period is outside the chunk). */
const ACRONYM_RE = /^\p{L}(?:\.\p{L})+$/u;
/** Matches a number with decimal or thousands separators: `3.5`, `1,000`, `1.000.000`. */
const NUMBER_RE = /^\p{N}+(?:[.,]\p{N}+)+$/u;
/** Matches the separators that split a chunk into words when it is neither acronym nor number. */
const SENTENCE_JOINER_RE = /[.,]/u;
/** Matches hyphens (ASCII, U+2010, U+2011). */
const HYPHEN_RE = /[-\u2010\u2011]/u;
/** Matches apostrophes (ASCII, right single quotation mark, modifier letter apostrophe). */
const APOSTROPHE_RE = /['\u2019\u02BC]/u;
/** French elided articles and pronouns (`l'`, `d'`, `qu'`): split from the word they precede. */
const ELISION_RE = /^(?:\p{L}|qu|jusqu|lorsqu|puisqu|quoiqu)$/iu;
/** English clitics that follow an apostrophe to make a contraction: `we're`, `we'll`, `I've`, `she'd`, `I'm`. */
const CLITIC_RE = /^(?:re|ll|ve|d|m)$/i;
/** Matches a word ending in a letter, the only kind a clitic attaches to (`90's` is no contraction). */
const ENDS_IN_LETTER_RE = /\p{L}$/u;
/** Matches a host ending in `n`: with the clitic `t` it makes a contraction in `n't` (`don't`, `can't`). */
const ENDS_IN_N_RE = /n$/i;
/** The apostrophe a contraction's term keeps, whichever apostrophe the text uses. */
const CONTRACTION_APOSTROPHE = "'";
/**
 * The word a contraction in `n't` is built on, where it is not the letters before `n't`
 * (`don't` → `do`): `can't` → `can`, `won't` → `will`, `shan't` → `shall`; `ain't` has none.
 */
const NEGATED_BASES: Readonly<Record<string, string | null>> = { ca: 'can', wo: 'will', sha: 'shall', ai: null };

type Piece = { text: string; start: number };

/** Splits `text` (at offset `start`) on every match of a one-character separator. */
function splitPieces(text: string, start: number, separator: RegExp): Piece[] {
  const pieces: Piece[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (separator.test(text[i] as string)) {
      pieces.push({ text: text.slice(from, i), start: start + from });
      from = i + 1;
    }
  }
  pieces.push({ text: text.slice(from), start: start + from });
  return pieces;
}

/** A word of a chunk; `base` is the word a contraction is built on (`they're` → `they`), if any. */
type Word = { term: string; start: number; end: number; base?: string };

/** A word being read: its text so far (a contraction's apostrophe as {@link CONTRACTION_APOSTROPHE}), span, and base. */
type Pending = { text: string; start: number; end: number; contracted: boolean; base: string | null };

/**
 * Resolves apostrophes in one hyphen-free part: possessive `'s` dropped, English contractions
 * kept whole with their base word, elisions split, others joined.
 */
function resolveApostrophes(part: Piece): Word[] {
  const pieces = splitPieces(part.text, part.start, APOSTROPHE_RE);
  const words: Word[] = [];
  const first = pieces[0] as Piece;
  let current: Pending = { text: first.text, start: first.start, end: first.start + first.text.length, contracted: false, base: null };
  const wordOf = (): Word => {
    const word: Word = { term: fold(current.text), start: current.start, end: current.end };
    if (current.base !== null && current.base.length > 0) word.base = current.base;
    return word;
  };
  for (const piece of pieces.slice(1)) {
    const pieceEnd = piece.start + piece.text.length;
    if (piece.text === 's' || piece.text === 'S') {
      current.end = pieceEnd; // possessive (or `it's`, `he's`): the token covers `'s`, its term does not
    } else if (isClitic(current.text, piece.text)) {
      if (!current.contracted) current.base = baseOf(current.text, piece.text);
      current = { ...current, text: current.text + CONTRACTION_APOSTROPHE + piece.text, end: pieceEnd, contracted: true };
    } else if (ELISION_RE.test(current.text)) {
      words.push(wordOf());
      current = { text: piece.text, start: piece.start, end: pieceEnd, contracted: false, base: null };
    } else {
      current = { ...current, text: current.text + piece.text, end: pieceEnd };
    }
  }
  words.push(wordOf());
  return words.filter((word) => word.term.length > 0);
}

/** True when `clitic`, after an apostrophe, makes an English contraction with `host`: `we're`, `can't`. */
function isClitic(host: string, clitic: string): boolean {
  if (!ENDS_IN_LETTER_RE.test(host)) return false;
  return CLITIC_RE.test(clitic) || ((clitic === 't' || clitic === 'T') && ENDS_IN_N_RE.test(host));
}

/** The folded word a contraction is built on: the host, or for `n't` the host without its `n`. */
function baseOf(host: string, clitic: string): string | null {
  if (CLITIC_RE.test(clitic)) return fold(host);
  const before = fold(host.slice(0, -1));
  return Object.hasOwn(NEGATED_BASES, before) ? (NEGATED_BASES[before] as string | null) : before;
}

/** {@link CHUNK_RE}, anchored at `lastIndex`: reads the chunk that starts at a given position. */
const CHUNK_AT_RE = new RegExp(CHUNK_RE.source, 'yv');

/** True for ASCII letters and digits. */
function isAsciiWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

/** True for the ASCII joiners of {@link JOINER}: `'`, `,`, `-`, `.`. */
function isAsciiJoiner(code: number): boolean {
  return code === 39 || code === 44 || code === 45 || code === 46;
}

/**
 * Tokenizes `text`. Offsets are UTF-16 indexes into `text` itself, so
 * `text.slice(token.start, token.end)` is the word as written. Never throws.
 *
 * Plain ASCII words (most of an English text) are read by a character loop; anything else
 * (accents, other scripts, joined words such as `Qatar's`, `cease-fire`, `U.S.`, `3.5`) by
 * {@link CHUNK_RE} and the chunk rules. Both paths give the same tokens.
 *
 * @example
 * analyze("Qatar's cease-fire").tokens.map((t) => t.term) // ['qatar', 'cease', 'fire']
 * analyze("Qatar's cease-fire").compounds[0]?.term         // 'ceasefire'
 */
export function analyze(text: string): Analysis {
  const tokens: Token[] = [];
  const compounds: Compound[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code < 128) {
      if (!isAsciiWordChar(code)) {
        i += 1;
        continue;
      }
      let end = i + 1;
      let upper = code >= 65 && code <= 90;
      while (end < length) {
        const next = text.charCodeAt(end);
        if (!isAsciiWordChar(next)) break;
        if (next >= 65 && next <= 90) upper = true;
        end += 1;
      }
      const after = end < length ? text.charCodeAt(end) : -1;
      const joined = after >= 128 || (isAsciiJoiner(after) && end + 1 < length && (isAsciiWordChar(text.charCodeAt(end + 1)) || text.charCodeAt(end + 1) >= 128));
      if (!joined) {
        const word = text.slice(i, end);
        tokens.push({ term: upper ? word.toLowerCase() : word, start: i, end, position: tokens.length });
        i = end;
        continue;
      }
    }
    CHUNK_AT_RE.lastIndex = i;
    const match = CHUNK_AT_RE.exec(text);
    if (match === null) {
      i += 1;
      continue;
    }
    analyzeChunk(text, match[0], i, tokens, compounds);
    i += match[0].length;
  }
  return { tokens, compounds };
}

/** Appends `word` as the next token. */
function pushWord(tokens: Token[], word: Word): void {
  tokens.push({ term: word.term, start: word.start, end: word.end, position: tokens.length });
}

/** Applies the chunk rules (acronym, number, sentence joiners, hyphens, apostrophes) to one chunk. */
function analyzeChunk(text: string, chunk: string, start: number, tokens: Token[], compounds: Compound[]): void {
  if (ACRONYM_RE.test(chunk)) {
    const end = start + chunk.length;
    const withPeriod = text[end] === '.' ? end + 1 : end;
    pushWord(tokens, { term: fold(chunk.replace(/\./g, '')), start, end: withPeriod });
    return;
  }
  if (NUMBER_RE.test(chunk)) {
    pushWord(tokens, { term: fold(chunk.replace(/,/g, '')), start, end: start + chunk.length });
    return;
  }
  for (const group of splitPieces(chunk, start, SENTENCE_JOINER_RE)) {
    const first = tokens.length;
    const parts = splitPieces(group.text, group.start, HYPHEN_RE).filter((p) => p.text.length > 0);
    const bases: Compound[] = [];
    for (const part of parts) {
      for (const word of resolveApostrophes(part)) {
        if (word.base !== undefined) bases.push({ term: word.base, start: word.start, end: word.end, position: tokens.length, span: 1 });
        pushWord(tokens, word);
      }
    }
    if (parts.length > 1 && tokens.length - first > 1) {
      const grouped = tokens.slice(first);
      compounds.push({
        term: grouped.map((t) => t.term).join(''),
        start: (grouped[0] as Token).start,
        end: (grouped[grouped.length - 1] as Token).end,
        position: first,
        span: grouped.length,
      });
    }
    // After the hyphen compound: a reader of compounds by position meets the whole word first.
    compounds.push(...bases);
  }
}
