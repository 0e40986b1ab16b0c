/**
 * @module backends/postgres/query-plan
 * What a parsed query means to the embedded backend, made explicit so SQL can reproduce it:
 * - which paragraphs match: the exact meaning of the query (verify.ts), phrases and proximity
 *   chains checked on positions;
 * - how they score: MiniSearch's query tree (engine.ts), where a term is its stems, a phrase or
 *   a chain the AND of its words' stems, an exclusion without phrase or chain an AND_NOT, and
 *   the BM25 of every stem of every part of the tree that holds for a paragraph adds up, times
 *   the number of distinct stems matched;
 * - which ones matched "in their own text" (SPEC §4): some positive clause matches in the text
 *   (the verifier's rule); for a plain conjunction of terms that is some term in the text.
 */
import { stem } from '../../text/analyzer.ts';
import { fieldsOf, type AndNode, type Field, type QueryNode, type TermNode } from '../../search/query.ts';
import { termKey } from './lexemes.ts';

/** A lookup of MiniSearch's tree: any of `stems` (keys) in any of `fields`. `node` is its term, or null for a word of a phrase. */
export type Leaf = { id: number; node: TermNode | null; stems: string[]; fields: readonly Field[] };

/** MiniSearch's query tree over leaves (AND with AND_NOT, OR). */
export type MsNode = { kind: 'leaf'; leaf: Leaf } | { kind: 'and'; must: MsNode[]; not: MsNode[] } | { kind: 'or'; should: MsNode[] };

/** How a unit tells a paragraph that matched in its own text from one that matched through its title. */
export type TextRule = 'verified' | 'any-clause';

/**
 * One AND evaluated as the embedded backend evaluates a strict search: the whole query, or (for
 * relaxed matching) one clause with the query's exclusions.
 */
export type Unit = {
  root: AndNode;
  ms: Extract<MsNode, { kind: 'and' }>;
  /** The leaves whose matches count towards the score, in MiniSearch's order of evaluation. */
  positive: Leaf[];
  /** Every leaf, excluded ones included. */
  leaves: Leaf[];
  /** The leaf of each term node of `root`. */
  leafOf: Map<TermNode, Leaf>;
  /** For each positive leaf, the AND nodes above it (the unit's root left out): it counts only when they all hold. */
  guards: Map<Leaf, Array<Extract<MsNode, { kind: 'and' }>>>;
  /** False when phrases or chains need checking on positions. */
  exact: boolean;
  textRule: TextRule;
};

/** The stem keys a term stands for: its own stem, or those its expansion found. */
export type StemsOf = (node: TermNode) => readonly string[];

/** The stem keys of a term node, given the expansions of its prefix, wildcard and fuzzy terms. */
export function stemsFrom(expansions: ReadonlyMap<TermNode, ReadonlySet<string>>): StemsOf {
  return (node) => (node.mode === 'exact' ? [termKey(stem(node.term))] : [...(expansions.get(node) ?? [])]);
}

/**
 * Plans `root`.
 *
 * @example
 * planUnit(parseQuery('gaza truce').root, stemsFrom(new Map())).textRule // 'any-clause'
 */
export function planUnit(root: AndNode, stemsOf: StemsOf): Unit {
  const leaves: Leaf[] = [];
  const positive: Leaf[] = [];
  const leafOf = new Map<TermNode, Leaf>();
  const guards = new Map<Leaf, Array<Extract<MsNode, { kind: 'and' }>>>();
  const newLeaf = (node: TermNode | null, stems: readonly string[], field: Field | null): Leaf => {
    const leaf: Leaf = { id: leaves.length, node, stems: [...new Set(stems)], fields: fieldsOf(field) };
    leaves.push(leaf);
    if (node !== null) leafOf.set(node, leaf);
    return leaf;
  };
  type And = Extract<MsNode, { kind: 'and' }>;
  /** MiniSearch's tree of `node`; `path` holds the AND nodes above it, null when it is excluded. */
  const toMs = (node: QueryNode, path: And[] | null): MsNode => {
    const counted = (leaf: Leaf): MsNode => {
      if (path !== null) {
        positive.push(leaf);
        guards.set(leaf, path);
      }
      return { kind: 'leaf', leaf };
    };
    switch (node.kind) {
      case 'term':
        return counted(newLeaf(node, stemsOf(node), node.field));
      case 'phrase': {
        const and: And = { kind: 'and', must: [], not: [] };
        const inner = path === null ? null : [...path, and];
        for (const term of node.terms) {
          const leaf = newLeaf(null, [termKey(stem(term))], node.field);
          if (inner !== null) {
            positive.push(leaf);
            guards.set(leaf, inner);
          }
          and.must.push({ kind: 'leaf', leaf });
        }
        return and;
      }
      case 'near': {
        const and: And = { kind: 'and', must: [], not: [] };
        and.must = node.operands.map((operand) => toMs(operand, path === null ? null : [...path, and]));
        return and;
      }
      case 'or':
        return { kind: 'or', should: node.should.map((child) => toMs(child, path)) };
      case 'and': {
        const and: And = { kind: 'and', must: [], not: [] };
        and.must = node.must.map((child) => toMs(child, path === null ? null : [...path, and]));
        and.not = excludedOf(node, toMs, registerLeaves);
        return and;
      }
    }
  };
  /** Leaves for the terms of an exclusion MiniSearch leaves to the verifier. */
  const registerLeaves = (node: QueryNode): void => {
    if (node.kind === 'term') newLeaf(node, stemsOf(node), node.field);
    else if (node.kind === 'near') node.operands.forEach(registerLeaves);
    else if (node.kind === 'or') node.should.forEach(registerLeaves);
    else if (node.kind === 'and') [...node.must, ...node.not].forEach(registerLeaves);
  };
  const ms: And = { kind: 'and', must: root.must.map((child) => toMs(child, [])), not: [] };
  ms.not = excludedOf(root, toMs, registerLeaves);
  const exact = !positional(root);
  const textRule: TextRule = exact && isConjunction(root, stemsOf) ? 'any-clause' : 'verified';
  return { root, ms, positive, leaves, leafOf, guards, exact, textRule };
}

/** The exclusions MiniSearch applies itself (those without phrase or chain); the others get leaves for the verifier. */
function excludedOf(node: AndNode, toMs: (node: QueryNode, path: null) => MsNode, register: (node: QueryNode) => void): MsNode[] {
  const excluded: MsNode[] = [];
  for (const child of node.not) {
    if (positional(child)) register(child);
    else excluded.push(toMs(child, null));
  }
  return excluded;
}

/** True when `node` holds a phrase or a proximity chain. */
export function positional(node: QueryNode): boolean {
  switch (node.kind) {
    case 'term':
      return false;
    case 'phrase':
    case 'near':
      return true;
    case 'or':
      return node.should.some(positional);
    case 'and':
      return node.must.some(positional) || node.not.some(positional);
  }
}

/**
 * True when the embedded engine scores `root` as a plain conjunction (engine.ts, conjunctionOf):
 * every positive clause a term, a phrase or a chain of those, every exclusion a term, phrase
 * or chain, and no stem shared by a clause of several stems and another clause.
 */
export function isConjunction(root: AndNode, stemsOf: StemsOf): boolean {
  const required: Array<readonly string[]> = [];
  const add = (child: QueryNode): boolean => {
    if (child.kind === 'term') required.push(stemsOf(child));
    else if (child.kind === 'phrase') for (const term of child.terms) required.push([termKey(stem(term))]);
    else if (child.kind === 'near') return child.operands.every(add);
    else return false;
    return true;
  };
  for (const child of root.must) if (!add(child)) return false;
  for (const child of root.not) if (child.kind !== 'term' && child.kind !== 'phrase' && child.kind !== 'near') return false;
  if (required.length === 0) return false;
  const stems = required.flat();
  return !(required.some((clause) => clause.length > 1) && new Set(stems).size < stems.length);
}

/** Fewest plain terms whose AND, finding nothing, falls back to relaxed matching (SPEC §4, execute.ts). */
const MIN_RELAXED_TERMS = 3;

/** True when `root` is the AND of enough plain terms for the relaxed fallback. */
export function relaxable(root: AndNode): boolean {
  return root.must.length >= MIN_RELAXED_TERMS && root.must.every((child) => child.kind === 'term');
}
