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
import type { Pace, Steps } from '../pace.ts';
import { decodeIntegers, encodeIntegers } from './integers.ts';

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
  _options: { fields: string[]; tokenize: (text: string) => string[]; processTerm: (term: string) => string | string[] | null | undefined | false; searchOptions: SearchOptions };
  executeQuery(query: Query, searchOptions?: object): Map<number, RawMatch>;
  removeTerm(fieldId: number, documentId: number, term: string): void;
};

/** The search options of MiniSearch this module reads. */
type SearchOptions = {
  fields?: string[];
  boost?: Record<string, number>;
  bm25?: Bm25;
  combineWith?: string;
  tokenize?: (text: string) => string[];
  processTerm?: (term: string) => string | string[] | null | undefined | false;
  prefix?: unknown;
  fuzzy?: unknown;
  boostTerm?: unknown;
  boostDocument?: unknown;
};

/**
 * `executeQuery` of a query tree, a piece at a time: each term of the tree is looked up by
 * MiniSearch itself, and the results are combined as it combines them ({@link combineInSteps}),
 * one after the other in the same order (its `combineResults` reduces a list from the left), so
 * the outcome is the same to the last bit; between two terms, and every so many paragraphs while
 * combining, the work pauses when `pace` says so. A prefix of
 * thousands of words ORed with others (`th* OR co*`) then holds up nobody for long.
 */
export function* executeQueryInSteps(internals: Internals, query: Query, pace: Pace, searchOptions: SearchOptions = {}): Steps<Map<number, RawMatch>> {
  if (typeof query === 'string') return yield* termQueryInSteps(internals, query, pace, searchOptions);
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
 * `executeQuery` of one term, as MiniSearch does it (the term tokenized and processed by the
 * search options, each resulting term scored by BM25 in each field over its postings, the results
 * combined), pausing every so many paragraphs: a word in half the archive (`the`, `said`) takes
 * tens of milliseconds to score. Options this replica does not follow (prefix and fuzzy terms,
 * term and document boosts: the engine expands terms itself and boosts none) go to MiniSearch.
 */
function* termQueryInSteps(internals: Internals, query: string, pace: Pace, searchOptions: SearchOptions): Steps<Map<number, RawMatch>> {
  const { tokenize, processTerm, searchOptions: globalOptions } = internals._options;
  const options: SearchOptions = { tokenize, processTerm, ...globalOptions, ...searchOptions };
  if (options.prefix !== undefined && options.prefix !== false) return internals.executeQuery(query, searchOptions);
  if (options.fuzzy !== undefined && options.fuzzy !== false) return internals.executeQuery(query, searchOptions);
  if (options.boostTerm !== undefined || options.boostDocument !== undefined || options.bm25 === undefined) return internals.executeQuery(query, searchOptions);
  const analyze = options.tokenize ?? tokenize;
  const process = options.processTerm ?? processTerm;
  const terms = analyze(query)
    .flatMap((term) => process(term))
    .filter((term): term is string => typeof term === 'string' && term !== '');
  const fields = options.fields ?? internals._options.fields;
  const results: Array<Map<number, RawMatch>> = [];
  for (const term of terms) results.push(yield* termResultsInSteps(internals, term, fields, options.boost ?? {}, options.bm25, pace));
  let combined: Map<number, RawMatch> | undefined;
  for (const result of results) combined = combined === undefined ? result : yield* combineInSteps(combined, result, options.combineWith, pace);
  return combined ?? new Map();
}

/** BM25 parameters, as MiniSearch takes them. */
export type Bm25 = { k: number; b: number; d: number };

/**
 * MiniSearch's `termResults` loop for a stem searched as itself (weight, term and document boosts
 * of 1): field by field, the BM25+ score of each paragraph holding the stem, times the field's
 * boost, handed to `score` in MiniSearch's order, pausing when `pace` says so. The postings of
 * discarded paragraphs (removed, not vacuumed yet) are removed first, so that every paragraph is
 * scored with the exact document frequency. MiniSearch removes them as it meets them, so the
 * paragraphs it scores before one count it: after an update its scores depend on the order of
 * the postings until a vacuum, where the PostgreSQL backend's do not.
 */
export function* scoreStem(
  internals: Internals,
  stem: string,
  fields: readonly string[],
  boost: Readonly<Record<string, number>>,
  bm25: Bm25,
  pace: Pace,
  score: (doc: number, weighted: number, field: string, fieldId: number) => void,
): Steps<void> {
  const data = stem === '' ? undefined : internals._index.get(stem);
  if (data === undefined) return;
  const { k, b, d } = bm25;
  for (const field of fields) {
    const fieldBoost = (Object.hasOwn(boost, field) ? boost[field] : undefined) || 1;
    const fieldId = internals._fieldIds[field] as number;
    const frequencies = data.get(fieldId);
    if (frequencies === undefined) continue;
    // MiniSearch drops discarded postings as it meets them, so the paragraphs scored before would
    // count them in the document frequency; they go first, and every paragraph is scored with the
    // same, exact frequency (as PostgreSQL's).
    dropDiscarded(internals, stem, fieldId);
    const matching = frequencies.size;
    const averageLength = internals._avgFieldLength[fieldId] as number;
    for (const doc of frequencies.keys()) {
      if (pace()) yield;
      if (!internals._documentIds.has(doc)) continue;
      const frequency = frequencies.get(doc) as number;
      const length = (internals._fieldLength.get(doc) as number[])[fieldId] as number;
      // MiniSearch's calcBM25Score, the same operations in the same order; weights of 1 leave the product as it is.
      const inverse = Math.log(1 + (internals._documentCount - matching + 0.5) / (matching + 0.5));
      score(doc, fieldBoost * (inverse * (d + (frequency * (k + 1)) / (frequency + k * (1 - b + (b * length) / averageLength)))), field, fieldId);
    }
  }
}

/**
 * The postings of `stem` in field `fieldId`, without the paragraphs discarded and not vacuumed
 * yet (dropped from the index on the way): their size is the exact document frequency.
 */
export function livePostings(internals: Internals, stem: string, fieldId: number): Map<number, number> | undefined {
  dropDiscarded(internals, stem, fieldId);
  return internals._index.get(stem)?.get(fieldId);
}

/** Paragraphs discarded through {@link discardParagraph} in this process so far. */
let discards = 0;
/** Per postings map, {@link discards} when its discarded paragraphs were last dropped: while it is unchanged there are none to look for. */
const droppedAt = new WeakMap<Map<number, number>, number>();

/** Discards paragraph `id` from `index` (MiniSearch's `discard`: its postings stay until a vacuum, or until {@link livePostings} drops them). */
export function discardParagraph(index: { discard(id: string): void }, id: string): void {
  index.discard(id);
  discards += 1;
}

/**
 * Drops from the postings of `stem` in field `fieldId` the paragraphs discarded and not vacuumed
 * yet: none while MiniSearch's dirt count is 0, none new since the last pass over this map.
 */
function dropDiscarded(internals: Internals, stem: string, fieldId: number): void {
  if (internals._dirtCount === 0) return;
  const data = internals._index.get(stem);
  const frequencies = data?.get(fieldId);
  if (data === undefined || frequencies === undefined || droppedAt.get(frequencies) === discards) return;
  for (const doc of frequencies.keys()) if (!internals._documentIds.has(doc)) frequencies.delete(doc);
  droppedAt.set(frequencies, discards);
  if (frequencies.size === 0) data.delete(fieldId);
  if (data.size === 0) internals._index.delete(stem);
}

/** MiniSearch's `termResults` of a stem searched as itself: {@link scoreStem}'s scores summed per paragraph, with its match table. */
function* termResultsInSteps(internals: Internals, term: string, fields: readonly string[], boost: Readonly<Record<string, number>>, bm25: Bm25, pace: Pace): Steps<Map<number, RawMatch>> {
  const results = new Map<number, RawMatch>();
  yield* scoreStem(internals, term, fields, boost, bm25, pace, (doc, weighted, field) => {
    const result = results.get(doc);
    if (result === undefined) {
      results.set(doc, { score: weighted, terms: [term], match: { [term]: [field] } });
      return;
    }
    result.score += weighted;
    if (!result.terms.includes(term)) result.terms.push(term);
    const match = Object.hasOwn(result.match, term) ? result.match[term] : undefined;
    if (match !== undefined) match.push(field);
    else result.match[term] = [field];
  });
  return results;
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
 * - `postings`: stems, and for each in turn, in `data` (32-bit little-endian integers, in
 *   base64: reading them back is a copy, where numbers in JSON are parsed one by one), its number
 *   of fields, and per field its id, its number of paragraphs and their (short id, term
 *   frequency) pairs;
 * - `words`: the vocabulary.
 */
export type EngineRecord =
  | ['meta', { documentCount: number; nextId: number; fieldIds: Record<string, number>; averageFieldLength: number[]; dirtCount: number }]
  | ['documents', Array<number | string>]
  | ['postings', { terms: string[]; data: string }]
  | ['words', string[]];

/** About how many values go in one snapshot record. */
const RECORD_VALUES = 100_000;

/** The engine's snapshot records: `meta`, then `documents`, `postings` and `words`. */
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
  // One buffer for every record's integers, grown as needed (a JS array of numbers was copied into one anyway, at twice the cost).
  let data = new Int32Array(2 * RECORD_VALUES);
  let length = 0;
  const room = (values: number) => {
    if (length + values <= data.length) return;
    const grown = new Int32Array(Math.max(length + values, 2 * data.length));
    grown.set(data.subarray(0, length));
    data = grown;
  };
  for (let at = 0; at < terms.length; ) {
    const stems: string[] = [];
    length = 0;
    for (; at < terms.length && length < RECORD_VALUES; at += 1) {
      const [term, postings] = terms[at] as [string, Postings];
      stems.push(term);
      // Postings nobody touched since the last load are written as they were read, without making maps of them.
      const unread = postings instanceof SnapshotPostings ? postings.unread() : undefined;
      if (unread !== undefined) {
        room(unread.length);
        data.set(unread, length);
        length += unread.length;
        continue;
      }
      room(1);
      data[length++] = postings.size;
      for (const [fieldId, docs] of postings) {
        room(2 + 2 * docs.size);
        data[length++] = fieldId;
        data[length++] = docs.size;
        for (const [doc, frequency] of docs) {
          data[length++] = doc;
          data[length++] = frequency;
        }
      }
    }
    yield ['postings', { terms: stems, data: encodeIntegers(data.subarray(0, length)) }];
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

/**
 * Reads a `postings` record into MiniSearch's postings, checking its shape. Each term's postings
 * stay as they were read, in the record's typed array ({@link SnapshotPostings}), until a search
 * or a change first touches them: building millions of map entries at start-up was most of a
 * restart, and most terms are never searched.
 */
export function readPostings(internals: Internals, record: unknown): void {
  const malformed = (): Error => new Error('search engine snapshot is malformed: postings');
  const { terms, data } = (record ?? {}) as { terms?: unknown; data?: unknown };
  if (!Array.isArray(terms) || typeof data !== 'string') throw malformed();
  const table = decodeIntegers(data);
  if (table === undefined) throw malformed();
  let at = 0;
  for (const term of terms) {
    if (typeof term !== 'string' || at >= table.length) throw malformed();
    const start = at;
    at += 1;
    for (let fieldsLeft = table[start] as number; fieldsLeft > 0; fieldsLeft -= 1) {
      const count = table[at + 1];
      if (count === undefined || count < 0 || at + 2 + 2 * count > table.length) throw malformed();
      at += 2 + 2 * count;
    }
    internals._index.set(term, new SnapshotPostings(table, start, at));
  }
  if (at !== table.length) throw malformed();
}

/**
 * The postings of one term as a snapshot holds them (its number of fields, then per field its id,
 * its number of paragraphs and their (short id, term frequency) pairs, in `table` from `start` to
 * `end`), a map like MiniSearch's own that fills itself in the first time it is used. Every method
 * of a map is covered, so MiniSearch's code (searching, adding, removing, vacuuming, saving) sees an
 * ordinary map.
 */
export class SnapshotPostings extends Map<number, Map<number, number>> {
  #table: Int32Array | undefined;
  readonly #start: number;
  readonly #end: number;

  constructor(table: Int32Array, start: number, end: number) {
    super();
    this.#table = table;
    this.#start = start;
    this.#end = end;
  }

  /** The postings as the snapshot holds them (number of fields first), or `undefined` once the map is filled in. */
  unread(): Int32Array | undefined {
    return this.#table?.subarray(this.#start, this.#end);
  }

  /** Fills the map in from the table, once. */
  #read(): void {
    const table = this.#table;
    if (table === undefined) return;
    this.#table = undefined;
    let at = this.#start + 1;
    while (at < this.#end) {
      const fieldId = table[at] as number;
      const count = table[at + 1] as number;
      const docs = new Map<number, number>();
      at += 2;
      for (const stop = at + 2 * count; at < stop; at += 2) docs.set(table[at] as number, table[at + 1] as number);
      super.set(fieldId, docs);
    }
  }

  override get size(): number {
    this.#read();
    return super.size;
  }
  override get(fieldId: number): Map<number, number> | undefined {
    this.#read();
    return super.get(fieldId);
  }
  override has(fieldId: number): boolean {
    this.#read();
    return super.has(fieldId);
  }
  override set(fieldId: number, docs: Map<number, number>): this {
    this.#read();
    return super.set(fieldId, docs);
  }
  override delete(fieldId: number): boolean {
    this.#read();
    return super.delete(fieldId);
  }
  override clear(): void {
    this.#table = undefined;
    super.clear();
  }
  override forEach(callback: (docs: Map<number, number>, fieldId: number, map: Map<number, Map<number, number>>) => void, thisArg?: unknown): void {
    this.#read();
    super.forEach(callback, thisArg);
  }
  override keys(): MapIterator<number> {
    this.#read();
    return super.keys();
  }
  override values(): MapIterator<Map<number, number>> {
    this.#read();
    return super.values();
  }
  override entries(): MapIterator<[number, Map<number, number>]> {
    this.#read();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[number, Map<number, number>]> {
    return this.entries();
  }
}
