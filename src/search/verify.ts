/**
 * @module search/verify
 * The exact meaning of a parsed query on one paragraph (SPEC §4). The executor uses it to verify
 * the index's candidates, the highlighter to find what matched, and the tests as the building
 * block of their oracle. Everything here is pure and never throws.
 */
import { analyze, stem, type Analysis, type Token } from '../text/analyzer.ts';
import { sentenceNumbers } from '../text/sentences.ts';
import { solveChain, type Occurrence } from './proximity.ts';
import { BOTH_FIELDS, fieldsOf, NO_EXPANSIONS, type Expansions, type Field, type NearNode, type PhraseNode, type QueryNode, type TermNode } from './query.ts';

/** A field analyzed: its tokens and compounds, the text they come from, and (once asked for) the sentence of each token. */
export type FieldAnalysis = Analysis & { source: string; sentences?: Int32Array };

/** A paragraph analyzed for verification: its article's title and its own text. */
export type AnalyzedDoc = { title: FieldAnalysis; text: FieldAnalysis };

/**
 * Analyzes a paragraph and its article's title for verification and highlighting.
 *
 * @example
 * matchesQuery(parseQuery('truce').root, analyzeDoc('Gaza', 'The truce held.')) // true
 */
export function analyzeDoc(title: string, text: string): AnalyzedDoc {
  return { title: analyzeField(title), text: analyzeField(text) };
}

/** Analyzes one field's text. */
export function analyzeField(source: string): FieldAnalysis {
  return { ...analyze(source), source };
}

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
 * compound's term): `exact` compares stems; a prefix, wildcard or fuzzy term a backend
 * expanded looks the term's stem up in `expansions`; unexpanded, `prefix` tests the start,
 * `wildcard` the pattern, and `fuzzy` allows up to `node.distance` edits (Levenshtein, counted in
 * UTF-16 units as MiniSearch counts them).
 *
 * @example
 * termMatches({ kind: 'term', term: 'talk', mode: 'exact', distance: 0, field: null }, 'talks')     // true
 * termMatches({ kind: 'term', term: 'cease', mode: 'prefix', distance: 0, field: null }, 'ceasefire') // true
 * termMatches({ kind: 'term', term: 'wom?n', mode: 'wildcard', distance: 0, field: null }, 'women')   // true
 * termMatches({ kind: 'term', term: 'haniya', mode: 'fuzzy', distance: 1, field: null }, 'haniyeh')   // false
 */
export function termMatches(node: TermNode, indexTerm: string, expansions: Expansions = NO_EXPANSIONS): boolean {
  const stems = node.mode === 'exact' ? undefined : expansions.get(node);
  if (stems !== undefined) return stems.has(stem(indexTerm));
  switch (node.mode) {
    case 'exact':
      return indexTerm === node.term || stem(indexTerm) === stem(node.term);
    case 'prefix':
      return indexTerm.startsWith(node.term);
    case 'wildcard':
      return wildcardPattern(node.term).test(indexTerm);
    case 'fuzzy':
      return boundedEditDistance(node.term, indexTerm, node.distance) <= node.distance;
  }
}

/**
 * The regular expression of a wildcard word (`wom?n`, `organi*ation`): `?` is one character
 * (code point), `*` any run; anchored at both ends.
 *
 * @example
 * wildcardPattern('wom?n').test('woman') // true
 */
export function wildcardPattern(pattern: string): RegExp {
  let compiled = PATTERNS.get(pattern);
  if (compiled === undefined) {
    const source = [...pattern].map((char) => (char === '?' ? '.' : char === '*' ? '.*' : char.replace(/[\\^$.*+?()[\]{}|]/gu, '\\$&'))).join('');
    compiled = new RegExp(`^${source}$`, 'su');
    if (PATTERNS.size >= MAX_PATTERNS) PATTERNS.clear();
    PATTERNS.set(pattern, compiled);
  }
  return compiled;
}

/** Compiled wildcard patterns: verification tests the same pattern against many words. */
const PATTERNS = new Map<string, RegExp>();
/** Bound of {@link PATTERNS}: a pattern per query, so a few hundred queries' worth. */
const MAX_PATTERNS = 1000;

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
 * field when unrestricted (a phrase always lies within one field); a proximity chain within one
 * field; an AND needs every `must` child and no `not` child; an OR needs some child.
 *
 * @example
 * const doc = analyzeDoc('Gaza truce', 'The four-day truce began.');
 * matchesQuery(parseQuery('"four day" title:gaza').root, doc) // true
 * matchesQuery(parseQuery('title:truce -gaza').root, doc)     // false
 * matchesQuery(parseQuery('four w/2 began').root, doc)        // true
 */
export function matchesQuery(node: QueryNode, doc: AnalyzedDoc, expansions: Expansions = NO_EXPANSIONS): boolean {
  return evaluateQuery(node, (leaf) => leafMatches(leaf, doc, expansions));
}

/**
 * True when some positive clause of `root` (a term, phrase or proximity chain that is not
 * excluded) matches in the paragraph's own text: what makes a paragraph a hit of its own rather
 * than through its article's title (SPEC §4, "What a paragraph hit is").
 */
export function matchesInText(root: QueryNode, leafInText: (leaf: Leaf) => boolean): boolean {
  switch (root.kind) {
    case 'term':
    case 'phrase':
    case 'near':
      return leafInText(root);
    case 'and':
      return root.must.some((child) => matchesInText(child, leafInText));
    case 'or':
      return root.should.some((child) => matchesInText(child, leafInText));
  }
}

/** A node {@link evaluateQuery} hands to its `leaf` callback: a term, a phrase or a proximity chain. */
export type Leaf = TermNode | PhraseNode | NearNode;

/**
 * The boolean structure of a query over any representation of a paragraph: `leaf` says whether
 * a term, phrase or proximity chain matches; an AND needs every `must` child and no `not`
 * child, an OR some child.
 */
export function evaluateQuery(node: QueryNode, leaf: (node: Leaf) => boolean): boolean {
  switch (node.kind) {
    case 'term':
    case 'phrase':
    case 'near':
      return leaf(node);
    case 'and':
      return node.must.every((child) => evaluateQuery(child, leaf)) && !node.not.some((child) => evaluateQuery(child, leaf));
    case 'or':
      return node.should.some((child) => evaluateQuery(child, leaf));
  }
}

/** True when `leaf` matches `doc` in some field it may match in. */
export function leafMatches(leaf: Leaf, doc: AnalyzedDoc, expansions: Expansions = NO_EXPANSIONS): boolean {
  if (leaf.kind === 'phrase') return fieldsOf(leaf.field).some((field) => hasPhrase(doc[field].tokens, leaf.terms, leaf.slop));
  if (leaf.kind === 'term') return fieldsOf(leaf.field).some((field) => termInField(leaf, doc[field], expansions));
  return BOTH_FIELDS.some((field) => chainIn(leaf, doc, field, expansions) !== null);
}

/** True when `leaf` matches in `field` of `doc`. */
export function leafMatchesIn(leaf: Leaf, doc: AnalyzedDoc, field: Field, expansions: Expansions = NO_EXPANSIONS): boolean {
  return occurrencesIn(leaf, doc, field, expansions).length > 0;
}

/**
 * Where `node` occurs in one field of `doc`, as token positions: a term's tokens and compounds,
 * a phrase's occurrences, an OR's branches', a proximity chain's operands that take part in a
 * complete chain, and a group's positive clauses when the group matches within the field.
 */
export function occurrencesIn(node: QueryNode, doc: AnalyzedDoc, field: Field, expansions: Expansions = NO_EXPANSIONS): Occurrence[] {
  const analysis = doc[field];
  switch (node.kind) {
    case 'term': {
      if (node.field !== null && node.field !== field) return [];
      const found: Occurrence[] = [];
      for (const token of analysis.tokens) if (termMatches(node, token.term, expansions)) found.push([token.position, token.position]);
      for (const compound of analysis.compounds) if (termMatches(node, compound.term, expansions)) found.push([compound.position, compound.position + compound.span - 1]);
      return found;
    }
    case 'phrase':
      if (node.field !== null && node.field !== field) return [];
      return phraseOccurrences(analysis.tokens, node.terms, node.slop);
    case 'near':
      return (chainIn(node, doc, field, expansions) ?? []).flat();
    case 'or':
      return node.should.flatMap((child) => occurrencesIn(child, doc, field, expansions));
    case 'and':
      if (!evaluateQuery(node, (leaf) => leafMatchesIn(leaf, doc, field, expansions))) return [];
      return node.must.flatMap((child) => occurrencesIn(child, doc, field, expansions));
  }
}

/** The operands' occurrences that take part in a complete chain of `node` in `field`, or null. */
export function chainIn(node: NearNode, doc: AnalyzedDoc, field: Field, expansions: Expansions = NO_EXPANSIONS): Occurrence[][] | null {
  const occurrences = node.operands.map((operand) => occurrencesIn(operand, doc, field, expansions));
  if (occurrences.some((list) => list.length === 0)) return null;
  const analysis = doc[field];
  return solveChain(occurrences, node.links, (position) => sentencesOf(analysis)[position] ?? 0);
}

/** True when some index term of the field (a token's or a compound's term) matches `node`. */
function termInField(node: TermNode, analysis: Analysis, expansions: Expansions): boolean {
  return (
    analysis.tokens.some((token) => termMatches(node, token.term, expansions)) ||
    analysis.compounds.some((compound) => termMatches(node, compound.term, expansions))
  );
}

/** The sentence number of each token of a field, computed once. */
function sentencesOf(analysis: FieldAnalysis): Int32Array {
  analysis.sentences ??= sentenceNumbers(analysis.source, analysis.tokens);
  return analysis.sentences;
}
