/**
 * @module backends/postgres/lexemes
 * How our analyzer's terms are spelled in the database: as keys (a term, or a hash of a term too
 * long for an index entry), and as `tsvector` / `tsquery` lexemes, one namespace per field and
 * kind (stems of the text, stems of the title, written words of each, pairs of written words).
 * Literals built here are quoted and escaped, and sent as parameters: user text never becomes SQL.
 */
import { createHash } from 'node:crypto';
import type { Field } from '../../search/query.ts';

/**
 * Longest term, in UTF-8 bytes, stored as written: a `tsvector` lexeme holds at most 2,046 bytes
 * and a btree entry about 2,700; a longer term (a run of letters with no space) is stored as a hash.
 */
const MAX_KEY_BYTES = 512;
/** Starts a hashed key: no term of the analyzer starts with it (terms are letters, digits and marks). */
const HASHED_KEY_MARK = '#';

/**
 * The database key of a term or stem: the term itself, or `#` and its SHA-256 when it is too long.
 *
 * @example
 * termKey('ceasefire') // 'ceasefire'
 */
export function termKey(term: string): string {
  if (term.length * 3 <= MAX_KEY_BYTES || Buffer.byteLength(term, 'utf8') <= MAX_KEY_BYTES) return term;
  return HASHED_KEY_MARK + createHash('sha256').update(term).digest('hex');
}

/**
 * The namespaces of lexemes: a stem of the text or of the title, a written word of the text or of
 * the title, two written words that follow each other in the text or in the title.
 */
const NAMESPACE = { stem: { text: 's', title: 't' }, word: { text: 'w', title: 'v' }, pair: { text: 'p', title: 'q' } } as const;

/** The lexeme of a stem key in a field (also the key of its term frequency in a paragraph's `tf`). */
export function stemLexeme(field: Field, stemKey: string): string {
  return NAMESPACE.stem[field] + stemKey;
}

/** The lexeme of a written word key in a field. */
export function wordLexeme(field: Field, wordKey: string): string {
  return NAMESPACE.word[field] + wordKey;
}

/**
 * The lexeme of two written word keys that follow each other in a field (schema migration 9): a
 * phrase without slop looks up its pairs, far fewer paragraphs than its words. Keys of the
 * analyzer's terms hold no space, so such a pair is spelled by no other; were a key to hold one,
 * its pairs would still hold wherever the phrase does (compile.ts then checks the words too).
 *
 * @example
 * pairLexeme('text', 'oil', 'prices') // 'poil prices'
 */
export function pairLexeme(field: Field, firstKey: string, secondKey: string): string {
  return `${NAMESPACE.pair[field]}${firstKey} ${secondKey}`;
}

/** The pair lexemes of a field's written word keys, in order ({@link pairLexeme}). */
export function pairLexemes(field: Field, wordKeys: readonly string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i + 1 < wordKeys.length; i++) pairs.push(pairLexeme(field, wordKeys[i] as string, wordKeys[i + 1] as string));
  return pairs;
}

/** The field of a stem lexeme (`s…` text, `t…` title). */
export function fieldOfStemLexeme(lexeme: string): Field {
  return lexeme.startsWith(NAMESPACE.stem.title) ? 'title' : 'text';
}

/** A lexeme quoted for a `tsvector` or `tsquery` literal: in single quotes, `'` and `\` doubled. */
export function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A `tsvector` literal of lexemes without positions (the index only says which paragraphs hold a lexeme). */
export function tsvectorLiteral(lexemes: Iterable<string>): string {
  return [...new Set(lexemes)].map(quoteLexeme).join(' ');
}

/**
 * A boolean formula over lexemes, as the candidate lookup of a query: what the GIN index is
 * asked. `true`/`false` are constants, folded away by {@link simplify}.
 */
export type LexemeFormula =
  | { kind: 'lexeme'; lexeme: string }
  | { kind: 'and'; of: LexemeFormula[] }
  | { kind: 'or'; of: LexemeFormula[] }
  | { kind: 'not'; of: LexemeFormula }
  | { kind: 'const'; value: boolean };

export const TRUE: LexemeFormula = { kind: 'const', value: true };
export const FALSE: LexemeFormula = { kind: 'const', value: false };

/** Any of `lexemes` (false when there is none). */
export function anyLexeme(lexemes: Iterable<string>): LexemeFormula {
  return { kind: 'or', of: [...lexemes].map((lexeme) => ({ kind: 'lexeme', lexeme }) as LexemeFormula) };
}

/** Folds the constants of a formula and flattens nested ANDs and ORs. */
export function simplify(formula: LexemeFormula): LexemeFormula {
  switch (formula.kind) {
    case 'lexeme':
    case 'const':
      return formula;
    case 'not': {
      const inner = simplify(formula.of);
      return inner.kind === 'const' ? { kind: 'const', value: !inner.value } : { kind: 'not', of: inner };
    }
    case 'and':
    case 'or': {
      const absorbing = formula.kind === 'or';
      const kept: LexemeFormula[] = [];
      for (const child of formula.of.map(simplify)) {
        if (child.kind === 'const') {
          if (child.value === absorbing) return child;
          continue;
        }
        if (child.kind === formula.kind) kept.push(...child.of);
        else kept.push(child);
      }
      if (kept.length === 0) return { kind: 'const', value: !absorbing };
      return kept.length === 1 ? (kept[0] as LexemeFormula) : { kind: formula.kind, of: kept };
    }
  }
}

/**
 * The `tsquery` literal of a simplified formula without constants. Long ANDs and ORs are written
 * as balanced trees: PostgreSQL evaluates a tsquery recursively, and a chain of thousands of ORs
 * (a short prefix) would exhaust its stack.
 */
export function tsqueryLiteral(formula: LexemeFormula): string {
  switch (formula.kind) {
    case 'lexeme':
      return quoteLexeme(formula.lexeme);
    case 'not':
      return `!(${tsqueryLiteral(formula.of)})`;
    case 'and':
      return balanced(formula.of.map(tsqueryLiteral), '&');
    case 'or':
      return balanced(formula.of.map(tsqueryLiteral), '|');
    case 'const':
      throw new Error('a constant has no tsquery: simplify the formula first');
  }
}

function balanced(parts: readonly string[], operator: '&' | '|'): string {
  if (parts.length === 1) return parts[0] as string;
  const middle = parts.length >> 1;
  return `(${balanced(parts.slice(0, middle), operator)} ${operator} ${balanced(parts.slice(middle), operator)})`;
}
