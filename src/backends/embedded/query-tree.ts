/**
 * @module backends/embedded/query-tree
 * MiniSearch's query tree (terms combined with OR, AND and AND_NOT, fields chosen per node),
 * evaluated as MiniSearch evaluates it but into flat typed arrays indexed by paragraph short id
 * instead of a map of result objects per term and per combination. A query of prefixes ORed
 * together (`th* OR co*`: thousands of terms) made hundreds of megabytes of such objects, and
 * the garbage collector's pauses held up every other search; here it allocates a few arrays for
 * the whole query. Like the rest of the seam to MiniSearch, it reads MiniSearch's private state
 * through {@link Internals} only. A property test holds it to MiniSearch's own `executeQuery`.
 */
import type { Query } from 'minisearch';
import { scoreStem, type Internals } from './minisearch-internals.ts';
import type { Pace, Steps } from '../pace.ts';

/** A query tree this module evaluates: stems, and nodes with no options but these. */
export type Tree = string | { queries: Tree[]; combineWith?: string; fields?: string[] };

/**
 * The outcome, per paragraph short id: `score` (MiniSearch's, before it multiplies by the number
 * of terms matched), `terms` (how many of the query's stems matched; 0: not a match) and `fields`
 * (bit `1 << fieldId` set for each field some stem matched in). `docs` lists the matches, in no
 * particular order.
 */
export class Matches {
  readonly score: Float64Array;
  readonly terms: Uint16Array;
  readonly fields: Uint8Array;
  docs: number[] = [];

  constructor(size: number) {
    this.score = new Float64Array(size);
    this.terms = new Uint16Array(size);
    this.fields = new Uint8Array(size);
  }

  /** Removes paragraph `doc` from the matches (`docs` still lists it until compacted). */
  drop(doc: number): void {
    this.score[doc] = 0;
    this.terms[doc] = 0;
    this.fields[doc] = 0;
  }

  /** Empties the matches, for reuse. */
  clear(): void {
    for (const doc of this.docs) this.drop(doc);
    this.docs = [];
  }
}

/**
 * `query` as a {@link Tree} when this module can evaluate it exactly as MiniSearch would: only
 * terms and nodes with `queries`, `combineWith` and `fields`, and no stem twice (MiniSearch counts
 * a stem matched twice once, and keeps one clause's fields for it); otherwise `null`.
 */
export function treeOf(query: Query): Tree | null {
  const stems = new Set<string>();
  const fits = (node: Query): boolean => {
    if (typeof node === 'string') {
      if (stems.has(node)) return false;
      stems.add(node);
      return true;
    }
    if (typeof node !== 'object' || node === null) return false;
    if (Object.keys(node).some((key) => key !== 'queries' && key !== 'combineWith' && key !== 'fields')) return false;
    return node.queries.every(fits);
  };
  return fits(query) ? (query as Tree) : null;
}

/**
 * Whether `tree` is better evaluated here than by MiniSearch: the arrays take 11 bytes per
 * paragraph of the archive for each depth of combination, whatever the query finds; MiniSearch's
 * result objects take some 150 bytes per posting read (and as much garbage). So a query reading
 * postings of at least an eighth as many paragraphs as the archive holds comes here (`th* OR co*`
 * reads several times as many), and `gaza OR ceasefire` in a large archive stays with MiniSearch.
 */
export function worthArrays(internals: Internals, tree: Tree): boolean {
  let postings = 0;
  const count = (node: Tree): void => {
    if (typeof node !== 'string') return node.queries.forEach(count);
    for (const docs of internals._index.get(node)?.values() ?? []) postings += docs.size;
  };
  count(tree);
  return postings * 8 >= internals._nextId;
}

/**
 * Evaluates `tree` as MiniSearch's `executeQuery` does, pausing when `pace` says so: each term's
 * BM25+ per field over its postings (those of discarded paragraphs removed on the way, as it
 * removes them), then the combinations, left to right, with the same additions in the same
 * order, so that scores are the same to the last bit.
 */
export function* evaluateTree(internals: Internals, tree: Tree, pace: Pace): Steps<Matches> {
  const size = internals._nextId;
  /** One set of arrays per depth of combination: a node's first child is evaluated into the node's own. */
  const levels: Matches[] = [];
  const level = (depth: number): Matches => (levels[depth] ??= new Matches(size));
  const { boost = {}, bm25: parameters } = internals._options.searchOptions;
  if (parameters === undefined) throw new Error('the search options name no BM25 parameters');
  const bm25 = parameters;

  function* term(stem: string, into: Matches, fields: readonly string[]): Steps<void> {
    yield* scoreStem(internals, stem, fields, boost, bm25, pace, (doc, weighted, _field, fieldId) => {
      if (into.terms[doc] === 0) {
        into.docs.push(doc);
        into.score[doc] = weighted;
        into.terms[doc] = 1;
        into.fields[doc] = 1 << fieldId;
      } else {
        into.score[doc] = (into.score[doc] as number) + weighted;
        into.fields[doc] = (into.fields[doc] as number) | (1 << fieldId);
      }
    });
  }

  function* evaluate(node: Tree, depth: number, fields: readonly string[], combineWith: string | undefined): Steps<void> {
    const into = level(depth);
    if (typeof node === 'string') return yield* term(node, into, fields);
    // A node's options pass to its children (MiniSearch spreads them into theirs).
    const childFields = Object.hasOwn(node, 'fields') ? (node.fields ?? internals._options.fields) : fields;
    const operator = Object.hasOwn(node, 'combineWith') ? node.combineWith : combineWith;
    const [first, ...rest] = node.queries;
    if (first === undefined) return;
    yield* evaluate(first, depth, childFields, operator);
    for (const child of rest) {
      const other = level(depth + 1);
      yield* evaluate(child, depth + 1, childFields, operator);
      yield* combine(into, other, operator);
      other.clear();
    }
  }

  /** MiniSearch's combination of `into` with `other` (OR by default), left in `into`. */
  function* combine(into: Matches, other: Matches, combineWith: string | undefined): Steps<void> {
    const operator = (combineWith ?? 'or').toLowerCase();
    if (operator === 'or') {
      for (const doc of other.docs) {
        if (pace()) yield;
        if (into.terms[doc] === 0) {
          into.docs.push(doc);
          into.score[doc] = other.score[doc] as number;
          into.terms[doc] = other.terms[doc] as number;
          into.fields[doc] = other.fields[doc] as number;
        } else {
          into.score[doc] = (into.score[doc] as number) + (other.score[doc] as number);
          into.terms[doc] = (into.terms[doc] as number) + (other.terms[doc] as number);
          into.fields[doc] = (into.fields[doc] as number) | (other.fields[doc] as number);
        }
      }
    } else if (operator === 'and') {
      const kept: number[] = [];
      for (const doc of other.docs) {
        if (pace()) yield;
        if (into.terms[doc] === 0) continue;
        into.score[doc] = (into.score[doc] as number) + (other.score[doc] as number);
        into.terms[doc] = (into.terms[doc] as number) + (other.terms[doc] as number);
        into.fields[doc] = (into.fields[doc] as number) | (other.fields[doc] as number);
        kept.push(doc);
      }
      for (const doc of into.docs) {
        if (pace()) yield;
        if (other.terms[doc] === 0) into.drop(doc);
      }
      into.docs = kept;
    } else if (operator === 'and_not') {
      for (const doc of other.docs) {
        if (pace()) yield;
        into.drop(doc);
      }
      into.docs = into.docs.filter((doc) => into.terms[doc] !== 0);
    } else {
      throw new Error(`Invalid combination operator: ${combineWith}`);
    }
  }

  yield* evaluate(tree, 0, internals._options.fields, undefined);
  return level(0);
}
