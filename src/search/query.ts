/**
 * @module search/query
 * The parsed form of a query (SPEC §4): a tree of term, phrase, AND and OR nodes. The parser
 * produces it; the executor asks the index for candidates with it and verifies them against it;
 * the highlighter marks what its positive leaves matched.
 */

/** The two indexed fields of a paragraph document. */
export type Field = 'title' | 'text';

/** The paragraph fields a field restriction allows: `null` means both. */
export type FieldRestriction = Field | null;

/**
 * One keyword. `term` is a folded analyzer term (a token or a hyphen compound).
 * - `exact`: matches index terms with the same English stem (`talk` matches `talks`);
 * - `prefix`: the words that start with `term` (written `cease*`);
 * - `fuzzy`: the words within `distance` edits of `term` (written `haniya~`, `haniya~2`).
 *
 * A prefix or fuzzy term expands to the words of the index's vocabulary it matches, each then
 * searched as a keyword, that is by its stem: `talks*` finds `talk` as `talks` does. Once the
 * engine has expanded it, `stems` holds the stems of those words. Before that (a query checked
 * against a lone paragraph), it matches the paragraph's own terms by their written form.
 */
export type TermNode = {
  kind: 'term';
  term: string;
  mode: 'exact' | 'prefix' | 'fuzzy';
  distance: number;
  field: FieldRestriction;
  stems?: ReadonlySet<string>;
};

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

/** Every `must` child matches and no `not` child does. */
export type AndNode = { kind: 'and'; must: QueryNode[]; not: QueryNode[] };

/** At least one child matches. */
export type OrNode = { kind: 'or'; should: QueryNode[] };

export type QueryNode = TermNode | PhraseNode | AndNode | OrNode;

/** A parsed query: the tree, and its leaves counted for the clause limit. */
export type ParsedQuery = { root: AndNode; clauses: number };
