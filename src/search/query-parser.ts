/**
 * @module search/query-parser
 * Parses the query language of SPEC §4 into a {@link ParsedQuery}: words ANDed, upper-case `OR`
 * (binding tighter than the implicit AND), `( … )` groups, `"phrases"~slop`, `-exclusions`,
 * `prefix*`, `fuzzy~N` and `title:` / `text:` restrictions. Every word goes through the one
 * analyzer. Malformed syntax is read leniently as plain words; only a query that is too long,
 * has too many clauses or nothing positive to find is refused, with a `bad_request` error.
 */
import { createError } from '../errors.ts';
import { analyze, type Analysis } from '../text/analyzer.ts';
import type { AndNode, Field, FieldRestriction, ParsedQuery, QueryNode, TermNode } from './query.ts';

/** Longest query accepted, in UTF-16 units (SPEC §4). */
export const MAX_QUERY_LENGTH = 1000;
/** Most leaves (terms and phrases) a query may hold (SPEC §4): each one is an index lookup. */
export const MAX_CLAUSES = 64;
/** Largest phrase slop honoured: far beyond it a phrase is just its words anywhere in order. */
export const MAX_SLOP = 100;
/** Largest fuzzy distance: at three edits short words match a good part of the dictionary. */
export const MAX_FUZZY_DISTANCE = 2;
/** Fewest characters of a prefix before `*` (SPEC §4): one letter would expand to thousands of terms. */
export const MIN_PREFIX_LENGTH = 2;

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
/** Matches the prefix operator ending a word: one or more `*`. */
const PREFIX_SUFFIX_RE = /\*+$/u;
/** Matches the fuzzy operator ending a word: `~` and an optional distance. */
const FUZZY_SUFFIX_RE = /~(\d*)$/u;

/** The query text and how far it has been read. */
type Scanner = { text: string; pos: number };

/** A clause of a sequence, before `OR` chains are resolved. */
type Clause = { node: QueryNode; negated: boolean };

/** `'or'` stands for an upper-case `OR` that may turn out to be an operator or a plain word. */
type Item = Clause | 'or';

/**
 * Parses `q`. Throws `bad_request` when `q` is over {@link MAX_QUERY_LENGTH} characters, holds
 * over {@link MAX_CLAUSES} terms and phrases, or has no positive clause; anything else parses.
 *
 * @example
 * parseQuery('gaza iran OR qatar').root
 * // { kind: 'and', not: [], must: [gaza, { kind: 'or', should: [iran, qatar] }] }
 * parseQuery('title:truce -"united states"').clauses // 2
 */
export function parseQuery(q: string): ParsedQuery {
  if (q.length > MAX_QUERY_LENGTH) {
    throw createError('bad_request', `q must be at most ${MAX_QUERY_LENGTH} characters, got ${q.length}`);
  }
  const root = parseSequence({ text: q, pos: 0 }, false);
  const clauses = countLeaves(root);
  if (clauses > MAX_CLAUSES) {
    throw createError('bad_request', `q must hold at most ${MAX_CLAUSES} terms and phrases, got ${clauses}`);
  }
  if (root.must.length === 0) {
    throw createError('bad_request', `q must hold at least one term or phrase to find (exclusions alone find nothing), got "${q}"`);
  }
  return { root, clauses };
}

/** Reads clauses up to the end, or up to the `)` closing the group when `inGroup`. */
function parseSequence(s: Scanner, inGroup: boolean): AndNode {
  const items: Item[] = [];
  while (s.pos < s.text.length) {
    const char = s.text[s.pos] as string;
    if (SPACE_RE.test(char)) {
      s.pos += 1;
    } else if (char === ')') {
      s.pos += 1; // closes this group; a stray `)` at the top level is skipped
      if (inGroup) break;
    } else if (s.text.startsWith('OR', s.pos) && endsWord(s.text, s.pos + 2)) {
      s.pos += 2;
      items.push('or');
    } else {
      const clause = parseClause(s);
      if (clause !== null) items.push(clause);
    }
  }
  return combine(items);
}

/** Reads one clause: `-` and field prefixes, then a phrase, a group or a word. Null when it holds nothing. */
function parseClause(s: Scanner): Clause | null {
  let negated = false;
  let field: FieldRestriction = null;
  for (;;) {
    if (s.text[s.pos] === '-') {
      s.pos += 1;
      if (!startsOperand(s.text, s.pos)) return null; // a lone `-`
      negated = true;
      continue;
    }
    FIELD_RE.lastIndex = s.pos;
    const restriction = FIELD_RE.exec(s.text);
    if (restriction !== null && startsOperand(s.text, s.pos + restriction[0].length)) {
      field = (restriction[1] as string).toLowerCase() as Field; // the innermost restriction wins
      s.pos += restriction[0].length;
      continue;
    }
    break;
  }
  const node = parseOperand(s, field);
  return node === null ? null : { node, negated };
}

function parseOperand(s: Scanner, field: FieldRestriction): QueryNode | null {
  const char = s.text[s.pos];
  if (char === undefined) return null;
  if (QUOTE_RE.test(char)) {
    const close = indexOfQuote(s.text, s.pos + 1);
    s.pos += 1;
    // An unbalanced quote is read as if it were not there.
    if (close === -1) return startsOperand(s.text, s.pos) ? parseOperand(s, field) : null;
    const inner = s.text.slice(s.pos, close);
    s.pos = close + 1;
    return phraseOf(analyze(inner).tokens.map((token) => token.term), readSlop(s), field);
  }
  if (char === '(') {
    s.pos += 1;
    const group = parseSequence(s, true);
    return field === null ? group : withField(group, field);
  }
  const start = s.pos;
  while (s.pos < s.text.length && !WORD_END_RE.test(s.text[s.pos] as string)) s.pos += 1;
  return wordOf(s.text.slice(start, s.pos), field);
}

/** Reads `~N` after a phrase: the slop, capped; a bare `~` is ignored (slop 0, as in Lucene). */
function readSlop(s: Scanner): number {
  SLOP_RE.lastIndex = s.pos;
  const match = SLOP_RE.exec(s.text);
  if (match === null) return 0;
  s.pos += match[0].length;
  const digits = match[1] as string;
  return digits === '' ? 0 : Math.min(Number(digits), MAX_SLOP);
}

/**
 * The most edits a fuzzy term of this length may have, as Elasticsearch's `AUTO` fuzziness:
 * none up to 2 characters, 1 up to 5, 2 beyond. Two edits on a three-letter word would match
 * most short words of the dictionary: costly and useless.
 */
export function fuzzyAllowance(term: string): number {
  const length = [...term].length;
  return length <= 2 ? 0 : length <= 5 ? 1 : 2;
}

/** A bare word, with its `*` or `~N` operator when it analyzes to one token; else the plain word. */
function wordOf(word: string, field: FieldRestriction): QueryNode | null {
  const star = PREFIX_SUFFIX_RE.exec(word);
  if (star !== null) {
    const base = word.slice(0, star.index);
    const [token, ...rest] = analyze(base).tokens;
    if (token !== undefined && rest.length === 0 && [...token.term].length >= MIN_PREFIX_LENGTH) {
      return termOf(token.term, 'prefix', 0, field);
    }
    return plainWordOf(analyze(base), field);
  }
  const tilde = FUZZY_SUFFIX_RE.exec(word);
  if (tilde !== null) {
    const base = word.slice(0, tilde.index);
    const digits = tilde[1] as string;
    const asked = digits === '' ? 1 : Math.min(Number(digits), MAX_FUZZY_DISTANCE);
    const [token, ...rest] = analyze(base).tokens;
    const distance = token === undefined ? 0 : Math.min(asked, fuzzyAllowance(token.term));
    if (token !== undefined && rest.length === 0 && distance > 0) return termOf(token.term, 'fuzzy', distance, field);
    return plainWordOf(analyze(base), field);
  }
  return plainWordOf(analyze(word), field);
}

/**
 * A word as the analyzer reads it: one token is a term; a hyphenated word matches both its
 * joined form and its parts in a row (`cease-fire` → `ceasefire` OR "cease fire"); other
 * multi-token words (CJK runs, `l'armée`) are phrases; punctuation alone is nothing.
 */
function plainWordOf(analysis: Analysis, field: FieldRestriction): QueryNode | null {
  const terms = analysis.tokens.map((token) => token.term);
  if (terms.length <= 1 || analysis.compounds.length === 0) {
    return terms.length === 1 ? termOf(terms[0] as string, 'exact', 0, field) : phraseOf(terms, 0, field);
  }
  const joined: string[] = [];
  for (let position = 0; position < terms.length; ) {
    const compound = analysis.compounds.find((candidate) => candidate.position === position);
    joined.push(compound === undefined ? (terms[position] as string) : compound.term);
    position += compound === undefined ? 1 : compound.span;
  }
  const whole: QueryNode = joined.length === 1 ? termOf(joined[0] as string, 'exact', 0, field) : { kind: 'phrase', terms: joined, slop: 0, field };
  return { kind: 'or', should: [whole, { kind: 'phrase', terms, slop: 0, field }] };
}

function termOf(term: string, mode: TermNode['mode'], distance: number, field: FieldRestriction): TermNode {
  return { kind: 'term', term, mode, distance, field };
}

function phraseOf(terms: string[], slop: number, field: FieldRestriction): QueryNode | null {
  return terms.length === 0 ? null : { kind: 'phrase', terms, slop, field };
}

/**
 * Joins the clauses of one sequence: `OR` links its neighbours into a chain (an `OR` without a
 * clause on both sides is the word `or`), chains are ANDed. An excluded operand of a chain
 * excludes from the whole sequence, as in Lucene: `iran OR -qatar` is `iran -qatar`.
 */
function combine(items: readonly Item[]): AndNode {
  const collapsed = items.filter((item, index) => item !== 'or' || items[index - 1] !== 'or');
  const chains: Clause[][] = [];
  let linked = false;
  collapsed.forEach((item, index) => {
    if (item === 'or' && index > 0 && index < collapsed.length - 1) {
      linked = true;
      return;
    }
    const clause: Clause = item === 'or' ? { node: termOf('or', 'exact', 0, null), negated: false } : item;
    const chain = chains[chains.length - 1];
    if (linked && chain !== undefined) chain.push(clause);
    else chains.push([clause]);
    linked = false;
  });

  const must: QueryNode[] = [];
  const not: QueryNode[] = [];
  for (const chain of chains) {
    if (chain.length === 1) {
      const [only] = chain as [Clause];
      (only.negated ? not : must).push(only.node);
      continue;
    }
    const should: QueryNode[] = [];
    for (const { node, negated } of chain) {
      if (negated) not.push(node);
      else if (node.kind === 'and' && node.must.length === 0) not.push(...node.not);
      else should.push(node);
    }
    if (should.length > 0) must.push(orOf(should));
  }
  return andOf(must, not);
}

/** An AND with nested ANDs flattened, single-child wrappers removed and negations pushed inward. */
function andOf(must: readonly QueryNode[], not: readonly QueryNode[]): AndNode {
  const node: AndNode = { kind: 'and', must: [], not: [] };
  for (const child of must) addMust(node, child);
  for (const child of not) addNot(node, child);
  return node;
}

function addMust(node: AndNode, child: QueryNode): void {
  if (child.kind !== 'and') {
    node.must.push(child);
    return;
  }
  for (const grandchild of child.must) addMust(node, grandchild);
  for (const grandchild of child.not) addNot(node, grandchild);
}

function addNot(node: AndNode, child: QueryNode): void {
  const inner = unwrap(child);
  if (inner.kind === 'or') {
    for (const branch of inner.should) addNot(node, branch); // not (a or b) = not a, not b
  } else if (inner.kind === 'and' && inner.must.length === 0) {
    if (inner.not.length > 0) addMust(node, orOf(inner.not)); // not (not a, not b) = a or b
  } else {
    node.not.push(inner);
  }
}

/** An OR with nested ORs flattened; a single child stands alone. `children` is not empty. */
function orOf(children: readonly QueryNode[]): QueryNode {
  const should: QueryNode[] = [];
  for (const child of children) {
    const inner = unwrap(child);
    if (inner.kind === 'or') should.push(...inner.should);
    else should.push(inner);
  }
  return should.length === 1 ? (should[0] as QueryNode) : { kind: 'or', should };
}

/** The only child of an AND that has one `must` and no `not`; any other node itself. */
function unwrap(node: QueryNode): QueryNode {
  let inner = node;
  while (inner.kind === 'and' && inner.must.length === 1 && inner.not.length === 0) inner = inner.must[0] as QueryNode;
  return inner;
}

/** Restricts the leaves of `node` that have no restriction of their own to `field`. */
function withField(node: QueryNode, field: Field): QueryNode {
  switch (node.kind) {
    case 'term':
    case 'phrase':
      return node.field === null ? { ...node, field } : node;
    case 'and':
      return { kind: 'and', must: node.must.map((child) => withField(child, field)), not: node.not.map((child) => withField(child, field)) };
    case 'or':
      return { kind: 'or', should: node.should.map((child) => withField(child, field)) };
  }
}

/** Terms and phrases in `node`, excluded ones included. */
function countLeaves(node: QueryNode): number {
  switch (node.kind) {
    case 'term':
    case 'phrase':
      return 1;
    case 'and':
      return [...node.must, ...node.not].reduce((sum, child) => sum + countLeaves(child), 0);
    case 'or':
      return node.should.reduce((sum, child) => sum + countLeaves(child), 0);
  }
}

/** True when a clause can start at `index`: something other than a separator or `)`. */
function startsOperand(text: string, index: number): boolean {
  const char = text[index];
  return char !== undefined && char !== ')' && !SPACE_RE.test(char);
}

/** True when a word ends at `index`: the end of the text, a separator, a parenthesis or a quote. */
function endsWord(text: string, index: number): boolean {
  const char = text[index];
  return char === undefined || WORD_END_RE.test(char);
}

function indexOfQuote(text: string, from: number): number {
  for (let index = from; index < text.length; index += 1) if (QUOTE_RE.test(text[index] as string)) return index;
  return -1;
}
