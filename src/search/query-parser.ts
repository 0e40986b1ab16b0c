/**
 * @module search/query-parser
 * Parses the query language of SPEC §4 into a {@link ParsedQuery}. Precedence, tightest first:
 * `OR` / `||`, then proximity connectors (`w/N`, `pre/N`, `w/s`, `w/p`), then AND (implicit,
 * `AND`, `&&`, `+`). `-`, `!` and `NOT` exclude the operand that follows; `title:` / `text:`
 * restrict it; `( … )` groups; `"phrases"~slop`; `prefix*`, `wild?ca*ds`, `fuzzy~N`. Every word
 * goes through the one analyzer. Malformed syntax never fails: what cannot be read as written is
 * read leniently, with a warning; only a query that is too long, has too many clauses or nothing
 * positive to find is refused, with a `bad_request` error.
 */
import { createError } from '../errors.ts';
import { analyze, fold, type Analysis } from '../text/analyzer.ts';
import { lex, type Lexeme } from './query-lexer.ts';
import { printQuery } from './query-print.ts';
import type { AndNode, Field, FieldRestriction, Link, ParsedQuery, QueryNode, TermNode } from './query.ts';

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
/** Fewest literal characters of a wildcard word (SPEC §4), for the same reason. */
export const MIN_WILDCARD_LITERALS = 2;

/** Matches the prefix operator ending a word: one or more `*`. */
const PREFIX_SUFFIX_RE = /\*+$/u;
/** Matches the fuzzy operator ending a word: `~` and an optional distance. */
const FUZZY_SUFFIX_RE = /~(\d*)$/u;
/** Matches a wildcard character inside a word. */
const WILDCARD_RE = /[*?]/u;
/** Matches a literal run of a wildcard word: letters, digits and marks only. */
const WILDCARD_LITERAL_RE = /^[\p{L}\p{N}\p{M}]*$/u;

/** The lexemes and how far they have been read; what was reinterpreted; how words were written. */
type Parser = { lexemes: Lexeme[]; pos: number; warnings: string[]; written: WeakMap<QueryNode, string> };

/** An operand or clause as read: its node (null when it held nothing), whether it is excluded, and exclusions it carried out. */
type Clause = { node: QueryNode | null; negated: boolean; hoisted: QueryNode[] };

/**
 * Parses `q`. Throws `bad_request` when `q` is over {@link MAX_QUERY_LENGTH} characters, holds
 * over {@link MAX_CLAUSES} terms and phrases, or has no positive clause; anything else parses.
 *
 * @example
 * parseQuery('gaza iran OR qatar').root
 * // { kind: 'and', not: [], must: [gaza, { kind: 'or', should: [iran, qatar] }] }
 * parseQuery('truce OR').warnings // ['a dangling OR is ignored']
 * parseQuery('Gaza !"united states"').canonical // 'Gaza NOT "united states"'
 */
export function parseQuery(q: string): ParsedQuery {
  if (q.length > MAX_QUERY_LENGTH) {
    throw createError('bad_request', `q must be at most ${MAX_QUERY_LENGTH} characters, got ${q.length}`);
  }
  const warnings: string[] = [];
  const parser: Parser = { lexemes: lex(q, warnings), pos: 0, warnings, written: new WeakMap() };
  const root = parseSequence(parser, false);
  const clauses = countLeaves(root);
  if (clauses > MAX_CLAUSES) {
    throw createError('bad_request', `q must hold at most ${MAX_CLAUSES} terms and phrases, got ${clauses}`);
  }
  if (root.must.length === 0) {
    throw createError('bad_request', `q must hold at least one term or phrase to find (exclusions alone find nothing), got "${q.slice(0, 100)}"`);
  }
  return { root, clauses, warnings: [...new Set(warnings)], canonical: printQuery(root, parser.written) };
}

/** Reads clauses up to the end, or up to the `)` closing the group when `inGroup`; ANDs them. */
function parseSequence(p: Parser, inGroup: boolean): AndNode {
  const must: QueryNode[] = [];
  const not: QueryNode[] = [];
  while (p.pos < p.lexemes.length) {
    const lexeme = p.lexemes[p.pos] as Lexeme;
    if (lexeme.kind === 'close') {
      p.pos += 1;
      if (inGroup) return andOf(must, not);
      p.warnings.push('an unmatched ")" is ignored');
      continue;
    }
    if (lexeme.kind === 'and' || lexeme.kind === 'or' || lexeme.kind === 'near') {
      p.pos += 1;
      // An AND between two clauses is the implicit AND written out; anywhere else it dangles.
      const between = lexeme.kind === 'and' && must.length + not.length > 0 && startsClause(p.lexemes[p.pos]);
      if (!between) p.warnings.push(`a dangling ${lexeme.text} is ignored`);
      continue;
    }
    const clause = parseChain(p);
    not.push(...clause.hoisted);
    if (clause.node !== null) (clause.negated ? not : must).push(clause.node);
  }
  if (inGroup) p.warnings.push('an unclosed "(" is closed at the end');
  return andOf(must, not);
}

/** Reads a proximity chain of OR chains: `a w/5 b OR c pre/3 "d e"`. */
function parseChain(p: Parser): Clause {
  const first = parseOrChain(p);
  const operands: Clause[] = [first];
  const links: Array<{ link: Link; text: string }> = [];
  for (let next = p.lexemes[p.pos]; next?.kind === 'near'; next = p.lexemes[p.pos]) {
    p.pos += 1;
    if (!startsClause(p.lexemes[p.pos])) {
      p.warnings.push(`a dangling ${next.text} is ignored`);
      break;
    }
    links.push({ link: next.link, text: next.text });
    operands.push(parseOrChain(p));
  }
  if (operands.length === 1) return first;

  const hoisted = operands.flatMap((operand) => operand.hoisted);
  const kept: QueryNode[] = [];
  const keptLinks: Link[] = [];
  operands.forEach((operand, index) => {
    const node = operand.node;
    const usable = node !== null && !operand.negated && !(node.kind === 'and' && node.must.length === 0);
    if (!usable) {
      if (node !== null) {
        p.warnings.push(`an excluded operand of ${(links[Math.max(0, index - 1)] as { text: string }).text} excludes from the whole query`);
        if (node.kind === 'and' && node.must.length === 0 && !operand.negated) hoisted.push(...node.not);
        else if (operand.negated) hoisted.push(node);
      }
      return;
    }
    // An operand joins the one kept before it by the connector written just before it.
    if (kept.length > 0) keptLinks.push((links[index - 1] as { link: Link }).link);
    kept.push(node);
  });
  if (kept.length === 0) return { node: null, negated: false, hoisted };
  if (kept.length === 1) return { node: kept[0] as QueryNode, negated: false, hoisted };
  return { node: { kind: 'near', operands: kept, links: keptLinks }, negated: false, hoisted };
}

/** Reads operands joined by `OR` / `||`. An excluded operand of an OR excludes from the whole query, as in Lucene. */
function parseOrChain(p: Parser): Clause {
  const first = parseUnary(p);
  const members: Clause[] = [first];
  for (let next = p.lexemes[p.pos]; next?.kind === 'or'; next = p.lexemes[p.pos]) {
    p.pos += 1;
    if (p.lexemes[p.pos]?.kind === 'or') {
      p.warnings.push(`a repeated ${next.text} is read once`);
      continue;
    }
    if (!startsClause(p.lexemes[p.pos])) {
      p.warnings.push(`a dangling ${next.text} is ignored`);
      break;
    }
    members.push(parseUnary(p));
  }
  if (members.length === 1) return first;
  const hoisted: QueryNode[] = members.flatMap((member) => member.hoisted);
  const should: QueryNode[] = [];
  for (const { node, negated } of members) {
    if (node === null) continue;
    if (negated) {
      p.warnings.push('an excluded operand of OR excludes from the whole query');
      hoisted.push(node);
    } else if (node.kind === 'and' && node.must.length === 0) {
      p.warnings.push('an excluded operand of OR excludes from the whole query');
      hoisted.push(...node.not);
    } else {
      should.push(node);
    }
  }
  return { node: should.length === 0 ? null : orOf(should), negated: false, hoisted };
}

/** Reads signs, `NOT` and field restrictions, then a phrase, a group or a word. */
function parseUnary(p: Parser): Clause {
  let negated = false;
  let field: FieldRestriction = null;
  for (;;) {
    const lexeme = p.lexemes[p.pos];
    if (lexeme?.kind === 'sign') {
      if (lexeme.sign !== '+') negated = true;
    } else if (lexeme?.kind === 'not') {
      if (!startsClause(p.lexemes[p.pos + 1])) {
        p.pos += 1;
        p.warnings.push('a dangling NOT is ignored');
        return { node: null, negated: false, hoisted: [] };
      }
      negated = true;
    } else if (lexeme?.kind === 'field') {
      field = lexeme.field; // the innermost restriction wins
    } else {
      break;
    }
    p.pos += 1;
  }
  const lexeme = p.lexemes[p.pos];
  if (lexeme === undefined || lexeme.kind === 'close' || lexeme.kind === 'and' || lexeme.kind === 'or' || lexeme.kind === 'near') {
    return { node: null, negated, hoisted: [] };
  }
  p.pos += 1;
  if (lexeme.kind === 'open') {
    const group = parseSequence(p, true);
    const node = unwrap(group);
    return { node: field === null ? node : withField(node, field, p.written), negated, hoisted: [] };
  }
  if (lexeme.kind === 'phrase') {
    const terms = analyze(lexeme.text).tokens.map((token) => token.term);
    if (terms.length === 0) p.warnings.push(`the phrase "${lexeme.text.slice(0, 40)}" holds no word and is ignored`);
    const slop = readSlop(lexeme.slop, p.warnings);
    const node = phraseOf(terms, slop, field);
    if (node !== null) p.written.set(node, `"${lexeme.text}"${slop > 0 ? `~${slop}` : ''}`);
    return { node, negated, hoisted: [] };
  }
  if (lexeme.kind === 'word') {
    const node = wordOf(lexeme.text, field, p);
    return { node, negated, hoisted: [] };
  }
  return { node: null, negated, hoisted: [] };
}

/** True when a clause can start with `lexeme`. */
function startsClause(lexeme: Lexeme | undefined): boolean {
  return lexeme !== undefined && lexeme.kind !== 'close' && lexeme.kind !== 'and' && lexeme.kind !== 'or' && lexeme.kind !== 'near';
}

/** The slop after a phrase: `~N` capped; a bare `~` is ignored (slop 0, as in Lucene). */
function readSlop(slop: string | null, warnings: string[]): number {
  if (slop === null || slop === '') return 0;
  const asked = Number(slop);
  if (asked > MAX_SLOP) warnings.push(`a phrase slop of ${slop} is read as ${MAX_SLOP}`);
  return Math.min(asked, MAX_SLOP);
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

/** A bare word: with its `*`, `?` or `~N` operator when it analyzes to one token; else the plain word. */
function wordOf(word: string, field: FieldRestriction, p: Parser): QueryNode | null {
  const star = PREFIX_SUFFIX_RE.exec(word);
  if (star !== null && !word.slice(0, star.index).includes('?') && !word.slice(0, star.index).includes('*')) {
    const base = word.slice(0, star.index);
    const [token, ...rest] = analyze(base).tokens;
    if (token !== undefined && rest.length === 0 && [...token.term].length >= MIN_PREFIX_LENGTH) {
      return remember(p, termOf(token.term, 'prefix', 0, field), `${base}*`);
    }
    p.warnings.push(`${word}: a prefix needs at least ${MIN_PREFIX_LENGTH} letters before "*"; read as a word`);
    return wordsRead(base, field, p);
  }
  if (WILDCARD_RE.test(word)) return wildcardOf(word, field, p);
  const tilde = FUZZY_SUFFIX_RE.exec(word);
  if (tilde !== null) {
    const base = word.slice(0, tilde.index);
    const [token, ...rest] = analyze(base).tokens;
    if (token === undefined || rest.length > 0) {
      p.warnings.push(`${word}: fuzzy matching applies to one word; read as words`);
      return wordsRead(base, field, p);
    }
    const digits = tilde[1] as string;
    if (Number(digits) > MAX_FUZZY_DISTANCE) p.warnings.push(`${word}: at most ${MAX_FUZZY_DISTANCE} edits; read as ${base}~${MAX_FUZZY_DISTANCE}`);
    const distance = digits === '' ? fuzzyAllowance(token.term) : Math.min(Number(digits), MAX_FUZZY_DISTANCE);
    if (distance > 0) return remember(p, termOf(token.term, 'fuzzy', distance, field), `${base}~${distance}`);
    if (digits === '') p.warnings.push(`${word}: too short for fuzzy matching (AUTO allows no edit up to 2 letters); read as a word`);
    const node = termOf(token.term, 'exact', 0, field);
    const typed = typedAlone(base);
    return typed === null ? node : remember(p, node, typed);
  }
  return plainWordOf(analyze(word), field, p, word);
}

/**
 * The base of a word whose operator was dropped, as the canonical form may print it: null when
 * it would read as another operator alone (`~2~` leaves `~2`), and then the folded terms are
 * printed. Folded terms are not always printable (`⑴⺀*` reads as the words of `⑴⺀`, whose
 * folded `(1)` would read back as `1`).
 */
function typedAlone(base: string): string | null {
  return /[~*?]/u.test(base) ? null : base;
}

/** A word with `*` or `?` inside (`wom?n`, `organi*ation`): a wildcard term, or the plain words when it cannot be one. */
function wildcardOf(word: string, field: FieldRestriction, p: Parser): QueryNode | null {
  const pieces = word.split(/([*?])/u);
  const literals = pieces.filter((_piece, index) => index % 2 === 0);
  const valid = literals.every((piece) => WILDCARD_LITERAL_RE.test(piece));
  const pattern = pieces.map((piece, index) => (index % 2 === 0 ? fold(piece) : piece)).join('').replace(/\*+/gu, '*');
  const literalCount = [...pattern.replace(/[*?]/gu, '')].length;
  if (valid && literalCount >= MIN_WILDCARD_LITERALS) return remember(p, termOf(pattern, 'wildcard', 0, field), word.replace(/\*+/gu, '*'));
  p.warnings.push(
    valid
      ? `${word}: a wildcard word needs at least ${MIN_WILDCARD_LITERALS} letters besides "*" and "?"; read as words`
      : `${word}: wildcards apply inside one plain word; read as words`,
  );
  return wordsRead(word, field, p);
}

/**
 * `text` read as plain words, its operator dropped (a prefix too short, fuzzy matching of several
 * words, a wildcard that cannot be one), remembered for the canonical form as typed: the text of
 * its words, or, for a phrase whose words have operators between them (`0#*㊀Ͱ`), each word as
 * typed in quotes. Their folded terms may not read back (`㈠` folds to `(一)`, read back as `一`).
 */
function wordsRead(text: string, field: FieldRestriction, p: Parser): QueryNode | null {
  const analysis = analyze(text);
  const node = plainWordOf(analysis, field, p, surfaceOf(text, analysis));
  if (node?.kind === 'phrase' && !p.written.has(node)) {
    const surfaces = analysis.tokens.map((token) => text.slice(token.start, token.end));
    if (surfaces.every((surface) => typedAlone(surface) !== null && !surface.includes('"'))) p.written.set(node, `"${surfaces.join(' ')}"`);
  }
  return node;
}

/**
 * The text of `word` its words were read from, from the first to the last (`㈠*#` → `㈠`), as the
 * canonical form may print it: the same text reads as the same words. Null when none was read or
 * when an operator character lies between them.
 */
function surfaceOf(word: string, analysis: Analysis): string | null {
  const first = analysis.tokens[0];
  const last = analysis.tokens[analysis.tokens.length - 1];
  return first === undefined || last === undefined ? null : typedAlone(word.slice(first.start, last.end));
}

/**
 * A word as the analyzer reads it: one token is a term; a hyphenated word matches both its
 * joined form and its parts in a row (`cease-fire` → `ceasefire` OR "cease fire"); other
 * multi-token words (CJK runs, `l'armée`) are phrases; punctuation alone is nothing. `written`,
 * the word as typed, is remembered for the canonical form when it reads back the same.
 */
function plainWordOf(analysis: Analysis, field: FieldRestriction, p: Parser, written: string | null): QueryNode | null {
  const node = plainNodeOf(analysis, field);
  return node === null || written === null ? node : remember(p, node, written);
}

/**
 * Remembers how `node` was typed, for the canonical form, when that text alone reads back as
 * one bare word (not an operator, a sign or a field): folded terms are not always printable
 * (`⑴` folds to `(1)`), the typed word always is.
 */
function remember<T extends QueryNode>(p: Parser, node: T, typed: string): T {
  const lexemes = lex(typed, []);
  if (lexemes.length === 1 && lexemes[0]?.kind === 'word' && lexemes[0].text === typed) p.written.set(node, typed);
  return node;
}

function plainNodeOf(analysis: Analysis, field: FieldRestriction): QueryNode | null {
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

/** Restricts the leaves of `node` that have no restriction of their own to `field`; copies keep how they were typed. */
function withField(node: QueryNode, field: Field, written: WeakMap<QueryNode, string>): QueryNode {
  const copy = restricted(node, field, written);
  const typed = written.get(node);
  if (typed !== undefined && copy !== node) written.set(copy, typed);
  return copy;
}

function restricted(node: QueryNode, field: Field, written: WeakMap<QueryNode, string>): QueryNode {
  const inner = (child: QueryNode) => withField(child, field, written);
  switch (node.kind) {
    case 'term':
    case 'phrase':
      return node.field === null ? { ...node, field } : node;
    case 'near':
      return { kind: 'near', operands: node.operands.map(inner), links: node.links };
    case 'and':
      return { kind: 'and', must: node.must.map(inner), not: node.not.map(inner) };
    case 'or':
      return { kind: 'or', should: node.should.map(inner) };
  }
}

/** Terms and phrases in `node`, excluded ones included. */
export function countLeaves(node: QueryNode): number {
  switch (node.kind) {
    case 'term':
    case 'phrase':
      return 1;
    case 'near':
      return node.operands.reduce((sum, child) => sum + countLeaves(child), 0);
    case 'and':
      return [...node.must, ...node.not].reduce((sum, child) => sum + countLeaves(child), 0);
    case 'or':
      return node.should.reduce((sum, child) => sum + countLeaves(child), 0);
  }
}
