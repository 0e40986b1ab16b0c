/**
 * @module search/query-lexer
 * Splits a query into lexemes for the parser (SPEC §4): groups, phrases, operators (`AND`, `&&`,
 * `OR`, `||`, `NOT`, proximity connectors), the prefixes of an operand (`-`, `!`, `+`, `title:`)
 * and bare words. Operators are upper case (`and`, `or`, `not` are words); connectors are read in
 * any case, as LexisNexis does. What cannot be read as written (an unclosed quote, a lone `-`) is
 * read leniently and reported in `warnings`.
 */
import type { Field, Link } from './query.ts';

/** A piece of the query. `word` is raw text the parser analyzes; `phrase` holds the text between quotes. */
export type Lexeme =
  | { kind: 'open' }
  | { kind: 'close' }
  | { kind: 'and'; text: string }
  | { kind: 'or'; text: string }
  | { kind: 'not'; text: string }
  | { kind: 'near'; link: Link; text: string }
  | { kind: 'sign'; sign: '-' | '+' | '!' }
  | { kind: 'field'; field: Field }
  | { kind: 'phrase'; text: string; slop: string | null }
  | { kind: 'word'; text: string };

/** Largest proximity distance honoured (LexisNexis allows up to 255; beyond, `w/p` says it). */
export const MAX_NEAR_DISTANCE = 255;

/** Matches a character that separates clauses. */
const SPACE_RE = /\s/u;
/** Matches a character that opens or closes a phrase: straight and typographic double quotes. */
const QUOTE_RE = /["\u201C\u201D\u201E]/u;
/** Matches a character that ends a bare word: a separator, a parenthesis or a quote. */
const WORD_END_RE = /[\s()"\u201C\u201D\u201E]/u;
/** Matches a field restriction at the scanner's position (sticky): `title:` or `text:`, any case. */
const FIELD_RE = /(title|text):/iy;
/** Matches the slop after a closing quote (sticky): `~` and its digits, if any. */
const SLOP_RE = /~(\d*)/y;
/** Matches a proximity connector word: `w/5`, `pre/5`, `w/s`, `w/p` (any case; `/s`, `/p` as LexisNexis). */
const NEAR_RE = /^(?:(w|pre)\/(\d+)|w?\/(s|p))$/i;

/**
 * Splits `q` into lexemes, appending to `warnings` what was read otherwise than written.
 *
 * @example
 * lex('gaza AND -"united states"', []).map((l) => l.kind) // ['word', 'and', 'sign', 'phrase']
 */
export function lex(q: string, warnings: string[]): Lexeme[] {
  const lexemes: Lexeme[] = [];
  let pos = 0;
  while (pos < q.length) {
    const char = q[pos] as string;
    if (SPACE_RE.test(char)) {
      pos += 1;
    } else if (char === '(') {
      lexemes.push({ kind: 'open' });
      pos += 1;
    } else if (char === ')') {
      lexemes.push({ kind: 'close' });
      pos += 1;
    } else if (QUOTE_RE.test(char)) {
      const close = indexOfQuote(q, pos + 1);
      if (close === -1) {
        warnings.push('unclosed quote: the words after it are read one by one');
        pos += 1;
        continue;
      }
      const text = q.slice(pos + 1, close);
      pos = close + 1;
      SLOP_RE.lastIndex = pos;
      const slop = SLOP_RE.exec(q);
      if (slop !== null) pos += slop[0].length;
      lexemes.push({ kind: 'phrase', text, slop: slop === null ? null : (slop[1] as string) });
    } else if (char === '-' || char === '+' || char === '!') {
      pos += 1;
      if (startsOperand(q, pos)) lexemes.push({ kind: 'sign', sign: char });
      else warnings.push(`a lone "${char}" is ignored`);
    } else {
      FIELD_RE.lastIndex = pos;
      const field = FIELD_RE.exec(q);
      if (field !== null && startsOperand(q, pos + field[0].length)) {
        lexemes.push({ kind: 'field', field: (field[1] as string).toLowerCase() as Field });
        pos += field[0].length;
        continue;
      }
      const start = pos;
      while (pos < q.length && !WORD_END_RE.test(q[pos] as string)) pos += 1;
      lexemes.push(wordLexeme(q.slice(start, pos), warnings));
    }
  }
  return lexemes;
}

/** A bare word: an operator when it is one, else a word. */
function wordLexeme(text: string, warnings: string[]): Lexeme {
  if (text === 'AND' || text === '&&') return { kind: 'and', text };
  if (text === 'OR' || text === '||') return { kind: 'or', text };
  if (text === 'NOT') return { kind: 'not', text };
  const near = NEAR_RE.exec(text);
  if (near === null) return { kind: 'word', text };
  if (near[3] !== undefined) return { kind: 'near', link: { unit: near[3].toLowerCase() === 's' ? 'sentence' : 'paragraph' }, text: text.toLowerCase() };
  let distance = Number(near[2]);
  if (distance > MAX_NEAR_DISTANCE) {
    warnings.push(`${text}: proximity is at most ${MAX_NEAR_DISTANCE} words; read as ${MAX_NEAR_DISTANCE}`);
    distance = MAX_NEAR_DISTANCE;
  }
  if (distance < 1) {
    warnings.push(`${text}: proximity is at least 1 word; read as 1`);
    distance = 1;
  }
  const ordered = (near[1] as string).toLowerCase() === 'pre';
  return { kind: 'near', link: { unit: 'words', distance, ordered }, text: `${ordered ? 'pre' : 'w'}/${distance}` };
}

/** True when an operand can start at `index`: something other than a separator or `)`. */
function startsOperand(text: string, index: number): boolean {
  const char = text[index];
  return char !== undefined && char !== ')' && !SPACE_RE.test(char);
}

function indexOfQuote(text: string, from: number): number {
  for (let index = from; index < text.length; index += 1) if (QUOTE_RE.test(text[index] as string)) return index;
  return -1;
}
