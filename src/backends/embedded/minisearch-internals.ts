/**
 * @module backends/embedded/minisearch-internals
 * MiniSearch keeps some of what we need private: its postings (for our own scoring and document
 * counts), its unsorted query results, its id table and its field lengths. This is the one place
 * that names them, typed as narrowly as they are used; the version is pinned in package.json and
 * the tests exercise each. Here too: a compact copy of the field lengths, and the snapshot
 * records written from and read into that private state.
 */
import type SearchableMap from 'minisearch/SearchableMap';
import type { Query } from 'minisearch';
import type { Pace, Steps } from './pace.ts';

/** A match of MiniSearch's query tree, before its public search() turns it into a result. */
export type RawMatch = { score: number; terms: string[]; match: Record<string, string[]> };
/** Postings of one term: per field id, document short id → term frequency. */
export type Postings = Map<number, Map<number, number>>;
/** The private fields and methods of a MiniSearch instance that the engine uses. */
export type Internals = {
  _index: SearchableMap<Postings>;
  _documentIds: Map<number, string>;
  _idToShortId: Map<string, number>;
  _dirtCount: number;
  _documentCount: number;
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, Array<number | undefined> | undefined>;
  _nextId: number;
  _avgFieldLength: number[];
  executeQuery(query: Query, searchOptions?: object): Map<number, RawMatch>;
};

/**
 * `executeQuery` of a query tree, a piece at a time: each term of the tree is looked up by
 * MiniSearch itself, and the results are combined as it combines them ({@link combineInSteps}),
 * one after the other in the same order (its `combineResults` reduces a list from the left), so
 * the outcome is the same to the last bit; between two terms, and every so many paragraphs while
 * combining, the work pauses when `pace` says so. A prefix of
 * thousands of words ORed with others (`th* OR co*`) then holds up nobody for long.
 */
export function* executeQueryInSteps(internals: Internals, query: Query, pace: Pace, searchOptions: object = {}): Steps<Map<number, RawMatch>> {
  if (typeof query !== 'object') return internals.executeQuery(query, searchOptions);
  const options = { ...searchOptions, ...query, queries: undefined };
  let combined: Map<number, RawMatch> | undefined;
  for (const subquery of query.queries) {
    const result = yield* executeQueryInSteps(internals, subquery, pace, options);
    combined = combined === undefined ? result : yield* combineInSteps(combined, result, options.combineWith, pace);
    if (pace()) yield;
  }
  return combined ?? new Map();
}

/**
 * MiniSearch's combination of two results (`combineResults([a, b], combineWith)`: OR sums the
 * scores into `a`, AND keeps what both hold, AND_NOT takes `b` out of `a`), done as it does it,
 * step for step, with a pause now and then: two results of 90,000 paragraphs take a tenth of a
 * second to combine. The property test against `executeQuery` holds it to the same outcome.
 */
function* combineInSteps(a: Map<number, RawMatch>, b: Map<number, RawMatch>, combineWith: string | undefined, pace: Pace): Steps<Map<number, RawMatch>> {
  const operator = (combineWith ?? 'or').toLowerCase();
  if (operator === 'or') {
    for (const [doc, other] of b) {
      const existing = a.get(doc);
      if (existing === undefined) a.set(doc, other);
      else {
        existing.score = existing.score + other.score;
        existing.match = Object.assign(existing.match, other.match);
        addUniqueTerms(existing.terms, other.terms);
      }
      if (pace()) yield;
    }
    return a;
  }
  if (operator === 'and') {
    const combined = new Map<number, RawMatch>();
    for (const [doc, other] of b) {
      const existing = a.get(doc);
      if (existing !== undefined) {
        addUniqueTerms(existing.terms, other.terms);
        combined.set(doc, { score: existing.score + other.score, terms: existing.terms, match: Object.assign(existing.match, other.match) });
      }
      if (pace()) yield;
    }
    return combined;
  }
  if (operator === 'and_not') {
    for (const doc of b.keys()) {
      a.delete(doc);
      if (pace()) yield;
    }
    return a;
  }
  throw new Error(`Invalid combination operator: ${combineWith}`);
}

/** Appends the terms of `source` that `target` does not hold yet. */
function addUniqueTerms(target: string[], source: readonly string[]): void {
  for (const term of source) if (!target.includes(term)) target.push(term);
}

/**
 * The field lengths of every paragraph by short id, in one typed array: MiniSearch keeps an array
 * per paragraph in a map, and scoring a common word reads tens of thousands of them, each a
 * cache miss. A copy, filled in after each `addAll` (short ids only grow) and on load.
 */
export class FieldLengths {
  readonly #fields: number;
  #table = new Uint32Array(0);
  /** Short ids below this are copied. */
  #synced = 0;

  constructor(fields: number) {
    this.#fields = fields;
  }

  /** Copies the lengths of the paragraphs added since the last call. */
  sync(internals: Internals): void {
    const end = internals._nextId;
    if (end * this.#fields > this.#table.length) {
      const grown = new Uint32Array(Math.max(end, 2 * (this.#table.length / this.#fields)) * this.#fields);
      grown.set(this.#table);
      this.#table = grown;
    }
    for (let shortId = this.#synced; shortId < end; shortId += 1) {
      const lengths = internals._fieldLength.get(shortId);
      if (lengths === undefined) continue;
      for (let field = 0; field < this.#fields; field += 1) this.#table[shortId * this.#fields + field] = lengths[field] ?? 0;
    }
    this.#synced = end;
  }

  /** The length of field `field` of paragraph `shortId`. */
  of(shortId: number, field: number): number {
    return this.#table[shortId * this.#fields + field] as number;
  }
}

/**
 * One record of an engine snapshot: its kind, then flat arrays (numbers parse much faster than
 * objects keyed by numbers, which is how MiniSearch's own JSON holds postings).
 * - `meta`: MiniSearch's counters and field statistics;
 * - `documents`: per paragraph its short id, its id and one length per field;
 * - `terms`: per stem the stem, its number of fields, and per field its id, its number of
 *   paragraphs and their (short id, term frequency) pairs;
 * - `words`: the vocabulary.
 */
export type EngineRecord =
  | ['meta', { documentCount: number; nextId: number; fieldIds: Record<string, number>; averageFieldLength: number[]; dirtCount: number }]
  | ['documents', Array<number | string>]
  | ['terms', Array<number | string>]
  | ['words', string[]];

/** About how many values go in one snapshot record. */
const RECORD_VALUES = 100_000;

/** The engine's snapshot records: `meta`, then `documents`, `terms` and `words`. */
export function* writeRecords(internals: Internals, lengths: FieldLengths, words: readonly string[]): Generator<EngineRecord> {
  const fields = Object.keys(internals._fieldIds).length;
  // Taken at once: MiniSearch may vacuum removed paragraphs while the records are written.
  const documents = [...internals._documentIds];
  const terms = [...internals._index];
  yield ['meta', { documentCount: internals._documentCount, nextId: internals._nextId, fieldIds: internals._fieldIds, averageFieldLength: internals._avgFieldLength, dirtCount: internals._dirtCount }];
  for (let at = 0; at < documents.length; ) {
    const values: Array<number | string> = [];
    for (; at < documents.length && values.length < RECORD_VALUES; at += 1) {
      const [shortId, id] = documents[at] as [number, string];
      values.push(shortId, id);
      for (let field = 0; field < fields; field += 1) values.push(lengths.of(shortId, field));
    }
    yield ['documents', values];
  }
  for (let at = 0; at < terms.length; ) {
    const values: Array<number | string> = [];
    for (; at < terms.length && values.length < RECORD_VALUES; at += 1) {
      const [term, postings] = terms[at] as [string, Postings];
      values.push(term, postings.size);
      for (const [fieldId, docs] of postings) {
        values.push(fieldId, docs.size);
        for (const [doc, frequency] of docs) values.push(doc, frequency);
      }
    }
    yield ['terms', values];
  }
  for (let at = 0; at < words.length; at += RECORD_VALUES) yield ['words', words.slice(at, at + RECORD_VALUES)];
}

/**
 * Gives an indexed document another id (a staged paragraph takes its final id): both id tables
 * change, its postings and lengths stay. Returns its short id, or `undefined` when `from` is unknown.
 */
export function renameDocument(internals: Internals, from: string, to: string): number | undefined {
  const shortId = internals._idToShortId.get(from);
  if (shortId === undefined) return undefined;
  internals._idToShortId.delete(from);
  internals._idToShortId.set(to, shortId);
  internals._documentIds.set(shortId, to);
  return shortId;
}

/** Reads a `documents` record into MiniSearch's id tables and field lengths. */
export function readDocuments(internals: Internals, values: unknown[], fields: number): void {
  for (let at = 0; at < values.length; at += 2 + fields) {
    const shortId = values[at];
    const id = values[at + 1];
    if (typeof shortId !== 'number' || typeof id !== 'string') throw new Error('search engine snapshot is malformed: documents');
    internals._documentIds.set(shortId, id);
    internals._idToShortId.set(id, shortId);
    internals._fieldLength.set(shortId, values.slice(at + 2, at + 2 + fields) as number[]);
  }
}

/** Reads a `terms` record into MiniSearch's postings. */
export function readTerms(internals: Internals, values: unknown[]): void {
  let at = 0;
  const next = (): number => {
    const value = values[at++];
    if (typeof value !== 'number') throw new Error('search engine snapshot is malformed: terms');
    return value;
  };
  while (at < values.length) {
    const term = values[at++];
    if (typeof term !== 'string') throw new Error('search engine snapshot is malformed: terms');
    const postings: Postings = new Map();
    for (let fieldsLeft = next(); fieldsLeft > 0; fieldsLeft -= 1) {
      const fieldId = next();
      const docs = new Map<number, number>();
      for (let count = next(); count > 0; count -= 1) docs.set(next(), next());
      postings.set(fieldId, docs);
    }
    internals._index.set(term, postings);
  }
}
