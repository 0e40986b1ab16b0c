/**
 * @module search/query
 * The parsed form of a query (SPEC §4): a tree of term, phrase, proximity, AND and OR nodes. The
 * parser produces it; a backend finds candidates with it and verifies them against it; the
 * highlighter marks what its positive leaves matched.
 */

/** The two indexed fields of a paragraph document. */
export type Field = 'title' | 'text';

/** The paragraph fields a field restriction allows: `null` means both. */
export type FieldRestriction = Field | null;

/** Both fields, in the order they are searched. */
export const BOTH_FIELDS: readonly Field[] = ['title', 'text'];

/** The fields a restriction allows. */
export function fieldsOf(field: FieldRestriction): readonly Field[] {
  return field === null ? BOTH_FIELDS : field === 'title' ? TITLE_ONLY : TEXT_ONLY;
}
const TITLE_ONLY: readonly Field[] = ['title'];
const TEXT_ONLY: readonly Field[] = ['text'];

/**
 * One keyword. `term` is a folded analyzer term (a token or a hyphen compound).
 * - `exact`: matches index terms with the same stem (`talk` matches `talks`);
 * - `prefix`: the words that start with `term` (written `cease*`);
 * - `wildcard`: the words matching `term`, where `?` is one character and `*` any run (`wom?n`);
 * - `fuzzy`: the words within `distance` edits of `term` (written `haniya~`, `haniya~2`).
 *
 * A prefix, wildcard or fuzzy term expands to the words of the index's vocabulary it matches,
 * each then searched as a keyword, that is by its stem: `talks*` finds `talk` as `talks` does.
 * A backend says which stems it expanded to in an {@link Expansions} map beside the tree; without
 * one (a query checked against a lone paragraph), it matches the paragraph's own terms by their
 * written form.
 */
export type TermNode = {
  kind: 'term';
  term: string;
  mode: 'exact' | 'prefix' | 'wildcard' | 'fuzzy';
  distance: number;
  field: FieldRestriction;
};

/**
 * The stems of the index words each prefix, wildcard or fuzzy term matched, keyed by the term
 * node of the parsed query: the tree itself is never written to.
 */
export type Expansions = ReadonlyMap<TermNode, ReadonlySet<string>>;

/** No expansion known: terms match by their written form. */
export const NO_EXPANSIONS: Expansions = new Map();

/**
 * Folded tokens in order within one field, not stemmed, with at most `slop` other tokens
 * in between in total. A quoted single word is a phrase of one term: it matches as written.
 */
export type PhraseNode = {
  kind: 'phrase';
  terms: string[];
  slop: number;
  field: FieldRestriction;
};

/**
 * How two neighbouring operands of a proximity chain must stand (LexisNexis connectors):
 * - `words`: within `distance` words (`w/N`), and in order when `ordered` (`pre/N`);
 * - `sentence`: in the same sentence (`w/s`);
 * - `paragraph`: anywhere in the same field (`w/p`).
 */
export type Link = { unit: 'words'; distance: number; ordered: boolean } | { unit: 'sentence' } | { unit: 'paragraph' };

/**
 * A proximity chain `a w/5 b pre/3 c`: occurrences of each operand, within one field, each
 * linked to the next by its connector (`links[i]` joins `operands[i]` and `operands[i + 1]`).
 * Operands are terms, phrases, OR groups and groups; occurrences never overlap.
 */
export type NearNode = { kind: 'near'; operands: QueryNode[]; links: Link[] };

/** Every `must` child matches and no `not` child does. */
export type AndNode = { kind: 'and'; must: QueryNode[]; not: QueryNode[] };

/** At least one child matches. */
export type OrNode = { kind: 'or'; should: QueryNode[] };

export type QueryNode = TermNode | PhraseNode | NearNode | AndNode | OrNode;

/** The nodes that match by themselves in a field: what a backend looks up. */
export type LeafNode = TermNode | PhraseNode;

/**
 * A parsed query: the tree; its leaves counted for the clause limit; what the parser
 * reinterpreted, in words for the user; and the canonical text of the query
 * (see {@link printQuery} in `query-print.ts`).
 */
export type ParsedQuery = { root: AndNode; clauses: number; warnings: string[]; canonical: string };
