/**
 * @module backends/embedded/conjunction
 * Scores a conjunction of clauses straight on the index's postings, without a result object per
 * match: the common shape of a query (`oil prices`, `compan* -bank`, the words of a phrase). A
 * clause is one stem, or the several stems a prefix or fuzzy term expands to. Scores follow
 * MiniSearch's BM25+ with its boosts and its factor for the number of query terms matched, so a
 * paragraph scores as it would through MiniSearch's own query tree.
 */
import type { Field } from '../../search/query.ts';
import { BM25 } from '../../search/ranking.ts';
import type { Pace, Steps } from '../pace.ts';

/** A clause: the stems it stands for (any of them matches), in the fields it may match in. */
export type Lookup = { stems: readonly string[]; fields: readonly Field[] };

/** What scoring needs from the index: postings, field statistics and the public ids. */
export interface PostingsView {
  /** The postings of `stem` in `field`: paragraph short id → term frequency. */
  postings(stem: string, field: Field): Map<number, number> | undefined;
  /** The field's number, as {@link PostingsView.lengthOf} takes it. */
  fieldId(field: Field): number;
  /** The field's average length. */
  averageLength(fieldId: number): number;
  /** The length of one field of one paragraph. */
  lengthOf(doc: number, fieldId: number): number;
  /** The public id of a paragraph, `undefined` once removed (removed paragraphs linger in postings). */
  idOf(doc: number): string | undefined;
  /** Number of paragraphs indexed. */
  readonly total: number;
  /** Boost of a match in `field`. */
  boost(field: Field): number;
}

/** Receives each match: its id, its score, and whether some clause matched in its own text, and in its article's title. */
export type MatchVisitor = (id: string, score: number, textMatched: boolean, titleMatched: boolean) => void;

/** Most excluded postings probed per candidate; past it they are merged into one set. */
const MAX_PROBED_EXCLUSIONS = 8;


/** MiniSearch's BM25+ inverse document frequency of a term held by `matchingCount` of `totalCount` documents. */
function inverseFrequency(matchingCount: number, totalCount: number): number {
  return Math.log(1 + (totalCount - matchingCount + 0.5) / (matchingCount + 0.5));
}

/** MiniSearch's BM25+ score of one term in one field of one document, given the term's inverse frequency. */
function bm25(termFrequency: number, idf: number, fieldLength: number, averageLength: number): number {
  return idf * (BM25.d + (termFrequency * (BM25.k + 1)) / (termFrequency + BM25.k * (1 - BM25.b + (BM25.b * fieldLength) / averageLength)));
}

/** The postings of one stem in one field, with what scoring them needs. */
type FieldPostings = { docs: Map<number, number>; fieldId: number; boost: number; idf: number; average: number; text: boolean };

/**
 * A clause of several stems, evaluated once over all its postings: per paragraph, its summed
 * score, the number of its stems it holds, and in which fields ({@link IN_TEXT}, {@link IN_TITLE} bits).
 */
type Accumulated = { slots: Map<number, number>; docs: number[]; scores: Float64Array; stems: Uint16Array; fields: Uint8Array };

/** Bits of {@link Accumulated.fields}. */
const IN_TEXT = 1;
const IN_TITLE = 2;

/** A required clause, ready to probe. */
type Clause = { kind: 'stem'; fields: FieldPostings[]; size: number } | { kind: 'stems'; accumulated: Accumulated; size: number };

/**
 * Visits every paragraph that holds each required clause and no excluded one; returns how many.
 * The clause with the fewest postings drives; the others are probed. Pauses when `pace` says so.
 */
export function* scoreConjunction(view: PostingsView, required: readonly Lookup[], excluded: readonly Lookup[], visit: MatchVisitor, pace: Pace): Steps<number> {
  const fieldPostings = (stem: string, fields: readonly Field[]): FieldPostings[] =>
    fields.flatMap((field) => {
      const docs = view.postings(stem, field);
      if (docs === undefined || docs.size === 0) return [];
      const fieldId = view.fieldId(field);
      return [{ docs, fieldId, boost: view.boost(field), idf: inverseFrequency(docs.size, view.total), average: view.averageLength(fieldId), text: field === 'text' }];
    });
  const clauses: Clause[] = [];
  for (const lookup of required) {
    if (lookup.stems.length === 1) {
      const fields = fieldPostings(lookup.stems[0] as string, lookup.fields);
      clauses.push({ kind: 'stem', fields, size: fields.reduce((sum, field) => sum + field.docs.size, 0) });
      continue;
    }
    const accumulated = yield* accumulate(view, lookup.stems.map((stem) => fieldPostings(stem, lookup.fields)), pace);
    clauses.push({ kind: 'stems', accumulated, size: accumulated.docs.length });
  }
  if (clauses.some((clause) => clause.size === 0)) return 0;
  const exclusions = excluded.flatMap((lookup) => lookup.stems.flatMap((stem) => fieldPostings(stem, lookup.fields)));
  // Many postings (an excluded prefix) are merged once rather than probed one by one.
  const excludedDocs = exclusions.length > MAX_PROBED_EXCLUSIONS ? new Set(exclusions.flatMap((field) => [...field.docs.keys()])) : undefined;
  // One stem per single-stem clause, counted once; several-stem clauses count per paragraph.
  const singleStems = new Set(required.filter((lookup) => lookup.stems.length === 1).map((lookup) => lookup.stems[0])).size;
  const driver = clauses.reduce((best, clause) => (clause.size < best.size ? clause : best));

  let count = 0;
  const consider = (doc: number): void => {
    if (excludedDocs !== undefined ? excludedDocs.has(doc) : exclusions.length > 0 && holds(exclusions, exclusions.length, doc)) return;
    let score = 0;
    let quality = singleStems;
    let textMatched = false;
    let titleMatched = false;
    for (const clause of clauses) {
      if (clause.kind === 'stems') {
        const slot = clause.accumulated.slots.get(doc);
        if (slot === undefined) return;
        score += clause.accumulated.scores[slot] as number;
        quality += clause.accumulated.stems[slot] as number;
        const fields = clause.accumulated.fields[slot] as number;
        textMatched ||= (fields & IN_TEXT) !== 0;
        titleMatched ||= (fields & IN_TITLE) !== 0;
        continue;
      }
      let found = false;
      for (const field of clause.fields) {
        const frequency = field.docs.get(doc);
        if (frequency === undefined) continue;
        found = true;
        if (field.text) textMatched = true;
        else titleMatched = true;
        score += field.boost * bm25(frequency, field.idf, view.lengthOf(doc, field.fieldId), field.average);
      }
      if (!found) return;
    }
    const id = view.idOf(doc);
    if (id === undefined) return;
    count += 1;
    visit(id, score * quality, textMatched, titleMatched);
  };

  if (driver.kind === 'stems') {
    for (const doc of driver.accumulated.docs) {
      consider(doc);
      if (pace()) yield;
    }
    return count;
  }
  // The driver's largest field first, so that the check for paragraphs already visited (they
  // hold the stem in several fields) falls on the smaller ones.
  const fields = [...driver.fields].sort((a, b) => b.docs.size - a.docs.size);
  for (let position = 0; position < fields.length; position += 1) {
    for (const doc of (fields[position] as FieldPostings).docs.keys()) {
      if (position === 0 || !holds(fields, position, doc)) consider(doc);
      if (pace()) yield;
    }
  }
  return count;
}

/** Sums a several-stem clause over all its postings, once. */
function* accumulate(view: PostingsView, stems: ReadonlyArray<readonly FieldPostings[]>, pace: Pace): Steps<Accumulated> {
  let capacity = 0;
  for (const fields of stems) for (const field of fields) capacity += field.docs.size;
  const accumulated: Accumulated = { slots: new Map(), docs: [], scores: new Float64Array(capacity), stems: new Uint16Array(capacity), fields: new Uint8Array(capacity) };
  const { slots, docs, scores } = accumulated;
  for (const fields of stems) {
    for (let position = 0; position < fields.length; position += 1) {
      const field = fields[position] as FieldPostings;
      for (const [doc, frequency] of field.docs) {
        let slot = slots.get(doc);
        if (slot === undefined) {
          slot = docs.length;
          slots.set(doc, slot);
          docs.push(doc);
        }
        scores[slot] = (scores[slot] as number) + field.boost * bm25(frequency, field.idf, view.lengthOf(doc, field.fieldId), field.average);
        accumulated.fields[slot] = (accumulated.fields[slot] as number) | (field.text ? IN_TEXT : IN_TITLE);
        // A stem held in several fields counts once towards the paragraph's number of stems.
        if (position === 0 || !holds(fields, position, doc)) accumulated.stems[slot] = (accumulated.stems[slot] as number) + 1;
        if (pace()) yield;
      }
    }
  }
  return accumulated;
}

/** True when one of the first `before` postings holds `doc`. */
function holds(fields: readonly FieldPostings[], before: number, doc: number): boolean {
  for (let at = 0; at < before; at += 1) if ((fields[at] as FieldPostings).docs.has(doc)) return true;
  return false;
}
