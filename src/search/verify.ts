/**
 * @module search/verify
 * The exact meaning of a parsed query on one paragraph (SPEC §4). The executor uses it to verify
 * the index's candidates, the highlighter to find what matched, and the tests as the building
 * block of their oracle. Everything here is pure and never throws.
 */
import { stem, type Analysis, type Token } from '../text/analyzer.ts';
import type { Field, FieldRestriction, PhraseNode, QueryNode, TermNode } from './query.ts';

/** A paragraph analyzed for verification: its article's title and its own text. */
export type AnalyzedDoc = { title: Analysis; text: Analysis };

const BOTH_FIELDS: readonly Field[] = ['title', 'text'];

/**
 * Every occurrence of the phrase `terms` in `tokens` (in text order, as {@link analyze} gives
 * them): the terms in order, with at most `slop` other tokens in between in total, that is
 * `p_last − p_first − (k − 1) ≤ slop`. Each token holding the first term starts at most one
 * occurrence, ending at its earliest in-order continuation. Returns `[first, last]` token indexes.
 *
 * @example
 * const tokens = analyze('Hamas leader Ismail Haniyeh said').tokens;
 * phraseOccurrences(tokens, ['hamas', 'haniyeh'], 2) // [[0, 3]]
 * phraseOccurrences(tokens, ['hamas', 'haniyeh'], 1) // []
 */
export function phraseOccurrences(tokens: readonly Token[], terms: readonly string[], slop: number): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  const words = tokens.map((token) => token.term);
  const allowed = allowedSlop(slop);
  for (let first = 0; first < words.length; first += 1) {
    const last = phraseEndAt(words, words.length, terms, allowed, first);
    if (last !== -1) found.push([first, last]);
  }
  return found;
}

/** True when the phrase occurs at least once in `tokens` (see {@link phraseOccurrences}). */
function hasPhrase(tokens: readonly Token[], terms: readonly string[], slop: number): boolean {
  const words = tokens.map((token) => token.term);
  const allowed = allowedSlop(slop);
  for (let first = 0; first < words.length; first += 1) if (phraseEndAt(words, words.length, terms, allowed, first) !== -1) return true;
  return false;
}

/**
 * Where the occurrence of the phrase `wanted` that starts at `first` ends in `terms` (read up
 * to index `end`; a term's position is its index), or -1 when none starts there: each later
 * term of the phrase at its earliest place in order, with at most `slop` other terms in between
 * in total. Terms may be strings (tokens) or numbers (term ids). Shared by the verification of
 * candidates and the highlighter, so that both find the same occurrences.
 */
export function phraseEndAt<T>(terms: ArrayLike<T>, end: number, wanted: readonly T[], slop: number, first: number): number {
  if (first >= end || wanted.length === 0 || terms[first] !== wanted[0]) return -1;
  let last = first;
  for (let matched = 1; matched < wanted.length; matched += 1) {
    let next = last + 1;
    for (;;) {
      if (next >= end) return -1;
      // The gap only grows as the match goes on: once over the slop, nothing further can fit.
      if (next - first - matched > slop) return -1;
      if (terms[next] === wanted[matched]) break;
      next += 1;
    }
    last = next;
  }
  return last;
}

/** A phrase's slop as a count of words: `NaN` and negative values allow none. */
export function allowedSlop(slop: number): number {
  return Number.isNaN(slop) ? 0 : Math.max(0, slop);
}

/**
 * True when the query term `node` matches the index term `indexTerm` (a token's or a hyphen
 * compound's term): `exact` compares English stems; a prefix or fuzzy term expanded by the engine
 * looks the term's stem up in its `stems`; unexpanded, `prefix` tests the start and `fuzzy` allows
 * up to `node.distance` edits (Levenshtein, counted in UTF-16 units as MiniSearch counts them).
 *
 * @example
 * termMatches({ kind: 'term', term: 'talk', mode: 'exact', distance: 0, field: null }, 'talks')     // true
 * termMatches({ kind: 'term', term: 'cease', mode: 'prefix', distance: 0, field: null }, 'ceasefire') // true
 * termMatches({ kind: 'term', term: 'haniya', mode: 'fuzzy', distance: 1, field: null }, 'haniyeh')   // false
 */
export function termMatches(node: TermNode, indexTerm: string): boolean {
  if (node.stems !== undefined) return node.stems.has(stem(indexTerm));
  switch (node.mode) {
    case 'exact':
      return indexTerm === node.term || stem(indexTerm) === stem(node.term);
    case 'prefix':
      return indexTerm.startsWith(node.term);
    case 'fuzzy':
      return boundedEditDistance(node.term, indexTerm, node.distance) <= node.distance;
  }
}

/**
 * The Levenshtein distance between `a` and `b` (insertions, deletions and substitutions of
 * UTF-16 units) when it is at most `max`, else `max + 1`. Stops as soon as the bound is passed.
 *
 * @example
 * boundedEditDistance('haniya', 'haniyeh', 2) // 2
 * boundedEditDistance('haniya', 'hamas', 1)   // 2 (more than 1)
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  const bound = Number.isNaN(max) ? 0 : Math.max(0, max);
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    // Every later row is at least this row's minimum: the bound is already passed.
    if (rowMin > bound) return bound + 1;
    previous = current;
  }
  const distance = previous[b.length] as number;
  return distance <= bound ? distance : bound + 1;
}

/**
 * True when `doc` matches `node`: a term or phrase matches in its restricted field, or in either
 * field when unrestricted (a phrase always lies within one field); an AND needs every `must`
 * child and no `not` child; an OR needs some child.
 *
 * @example
 * const doc = { title: analyze('Gaza truce'), text: analyze('The four-day truce began.') };
 * matchesQuery(parseQuery('"four day" title:gaza').root, doc) // true
 * matchesQuery(parseQuery('title:truce -gaza').root, doc)     // false
 */
export function matchesQuery(node: QueryNode, doc: AnalyzedDoc): boolean {
  return evaluateQuery(node, (leaf) =>
    leaf.kind === 'term'
      ? fieldsOf(leaf.field).some((field) => termInField(leaf, doc[field]))
      : fieldsOf(leaf.field).some((field) => hasPhrase(doc[field].tokens, leaf.terms, leaf.slop)),
  );
}

/**
 * The boolean structure of a query over any representation of a paragraph: `leaf` says whether
 * a term or phrase matches; an AND needs every `must` child and no `not` child, an OR some child.
 */
export function evaluateQuery(node: QueryNode, leaf: (node: TermNode | PhraseNode) => boolean): boolean {
  switch (node.kind) {
    case 'term':
    case 'phrase':
      return leaf(node);
    case 'and':
      return node.must.every((child) => evaluateQuery(child, leaf)) && !node.not.some((child) => evaluateQuery(child, leaf));
    case 'or':
      return node.should.some((child) => evaluateQuery(child, leaf));
  }
}

/** True when some index term of the field (a token's or a compound's term) matches `node`. */
function termInField(node: TermNode, analysis: Analysis): boolean {
  return (
    analysis.tokens.some((token) => termMatches(node, token.term)) ||
    analysis.compounds.some((compound) => termMatches(node, compound.term))
  );
}

function fieldsOf(field: FieldRestriction): readonly Field[] {
  return field === null ? BOTH_FIELDS : [field];
}
