/**
 * @module backends/embedded/copy-clusters
 * The copy clusters of an archive (SPEC §10), kept up to date as articles arrive, change and
 * leave: an LSH index of each article's band keys finds the candidates, `isCopyOf` decides each
 * pair, and a cluster is a connected component of the copy pairs (a copy of a copy is in the
 * same cluster). Only enough pairs to connect each cluster are recorded, so a story with many
 * copies costs each new copy one check, not one per copy. In memory, for the embedded backend:
 * per article its shingle hashes (to check a candidate without reading its text again) and its
 * recorded pairs.
 */
import { bandKeys, isCopyOf, type CopyPrint } from '../../news/copies.ts';
import { runToEnd, type Pace, type Steps } from '../pace.ts';

/** A pace that never pauses. */
const UNPAUSED: Pace = () => false;

/** Gives an indexed article's words, read again from its text (only for pairs the shingles leave in doubt). */
export type WordsOf = (id: string) => readonly string[] | undefined;

/** What is kept per article; `keys` is undefined until a restored article is put in the LSH index. */
type Entry = { shingles: Uint32Array; keys: Uint32Array | undefined; single: number | null };

/**
 * Whether article `id` (its print) and the indexed article `other` are copies: {@link isCopyOf},
 * unless a test puts a relation of its own in its place.
 */
export type CopyDecision = (id: string, print: CopyPrint, other: string, otherPrint: Pick<CopyPrint, 'shingles' | 'single'>, wordsOfOther: () => readonly string[] | undefined) => boolean;

const decideByPrints: CopyDecision = (_id, print, _other, otherPrint, wordsOfOther) => isCopyOf(print, otherPrint, wordsOfOther);

export class CopyClusters {
  /** LSH key → the article holding it, or the articles (most keys have one). */
  readonly #buckets = new Map<number, string | string[]>();
  readonly #entries = new Map<string, Entry>();
  /** Articles restored from a snapshot and not in the LSH index yet. */
  readonly #unindexed = new Set<string>();
  /** Article → the articles it is a copy of. */
  readonly #pairs = new Map<string, Set<string>>();
  readonly #areCopies: CopyDecision;

  constructor(areCopies: CopyDecision = decideByPrints) {
    this.#areCopies = areCopies;
  }

  /** Articles indexed. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Indexes article `id` (replacing what it held before) and links it to its copies among the
   * articles sharing an LSH key with it: to one copy in each cluster it joins (see `#joinCopies`).
   */
  add(id: string, print: CopyPrint, wordsOf: WordsOf): void {
    this.remove(id, wordsOf);
    if (this.#unindexed.size > 0) runToEnd(this.indexSteps(UNPAUSED));
    const keys = bandKeys(print.shingles);
    const entry: Entry = { shingles: print.shingles, keys, single: print.single };
    const candidates = new Set<string>();
    for (const key of keys) this.#file(key, id, candidates);
    this.#entries.set(id, entry);
    this.#joinCopies(id, print, candidates, wordsOf);
  }

  /**
   * Links `id` to one copy in each cluster among `candidates` that it is not in yet. A cluster is
   * a connected component of the pairs, so one pair joins it: a wire story with n copies keeps
   * about n pairs instead of n²/2, and its next copy checks one candidate, not all n (the pairs
   * are a spanning set; {@link CopyClusters.remove} finds again the pairs a removal takes away).
   */
  #joinCopies(id: string, print: CopyPrint, candidates: Iterable<string>, wordsOf: WordsOf): void {
    const joined = new Set(this.cluster(id));
    for (const other of candidates) {
      if (joined.has(other)) continue;
      const otherEntry = this.#entries.get(other);
      if (otherEntry === undefined || !this.#areCopies(id, print, other, otherEntry, () => wordsOf(other))) continue;
      this.link(id, other);
      for (const member of this.cluster(other)) joined.add(member);
    }
  }

  /** Indexes article `id` as a snapshot recorded it, without looking for its copies (its pairs are {@link CopyClusters.link}ed). */
  restore(id: string, shingles: Uint32Array, single: number | null): void {
    this.#drop(id);
    this.#entries.set(id, { shingles, keys: undefined, single });
    this.#unindexed.add(id);
  }

  /**
   * Puts the articles restored from a snapshot into the LSH index, pausing when `pace` says so:
   * a start does not wait for it (the embedded backend runs it in the background; the next
   * {@link CopyClusters.add} finishes it at once if need be).
   */
  *indexSteps(pace: Pace): Steps<void> {
    for (const id of this.#unindexed) {
      this.#unindexed.delete(id);
      const entry = this.#entries.get(id);
      if (entry !== undefined && entry.keys === undefined) {
        entry.keys = bandKeys(entry.shingles);
        for (const key of entry.keys) this.#file(key, id, undefined);
      }
      if (pace()) yield;
    }
  }

  /** Files `id` under LSH key `key`, adding the articles filed there before to `before`. */
  #file(key: number, id: string, before: Set<string> | undefined): void {
    const bucket = this.#buckets.get(key);
    if (before !== undefined) addMembers(bucket, before);
    if (bucket === undefined) this.#buckets.set(key, id);
    else if (typeof bucket === 'string') this.#buckets.set(key, [bucket, id]);
    else bucket.push(id);
  }

  /** Every article indexed, with what {@link CopyClusters.restore} needs. */
  *entries(): Generator<{ id: string; shingles: Uint32Array; single: number | null }> {
    for (const [id, { shingles, single }] of this.#entries) yield { id, shingles, single };
  }

  /** Records that `a` and `b` are copies (as found before: a snapshot's pairs). */
  link(a: string, b: string): void {
    if (a === b) return;
    let ofA = this.#pairs.get(a);
    if (ofA === undefined) this.#pairs.set(a, (ofA = new Set()));
    ofA.add(b);
    let ofB = this.#pairs.get(b);
    if (ofB === undefined) this.#pairs.set(b, (ofB = new Set()));
    ofB.add(a);
  }

  /**
   * Removes article `id`; its cluster may split in two or more. The rest of its cluster looks
   * for its copies again (`wordsOf` reads an article's words where the shingles leave a pair in
   * doubt): pairs that were never recorded, because a cluster needs only one, may still hold it
   * together, and not only through the articles `id` was paired with (two articles joined through
   * `id` by a path may be copies of each other with no pair recorded), as on PostgreSQL.
   */
  remove(id: string, wordsOf: WordsOf): void {
    const rest = this.#entries.has(id) ? this.cluster(id).filter((member) => member !== id) : [];
    this.#drop(id);
    for (const member of rest) this.#relink(member, wordsOf);
  }

  /** Takes article `id` out of the index and its pairs. */
  #drop(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    this.#unindexed.delete(id);
    for (const key of entry.keys ?? []) {
      const bucket = this.#buckets.get(key);
      if (bucket === undefined) continue;
      if (typeof bucket === 'string') {
        if (bucket === id) this.#buckets.delete(key);
        continue;
      }
      const kept = bucket.filter((other) => other !== id);
      this.#buckets.set(key, kept.length === 1 ? (kept[0] as string) : kept);
    }
    for (const other of this.#pairs.get(id) ?? []) {
      const theirs = this.#pairs.get(other);
      theirs?.delete(id);
      if (theirs?.size === 0) this.#pairs.delete(other);
    }
    this.#pairs.delete(id);
  }

  /** Links article `id`, already indexed, to its copies among the articles sharing an LSH key with it. */
  #relink(id: string, wordsOf: WordsOf): void {
    if (this.#unindexed.size > 0) runToEnd(this.indexSteps(UNPAUSED));
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    const candidates = new Set<string>();
    for (const key of entry.keys ?? []) addMembers(this.#buckets.get(key), candidates);
    candidates.delete(id);
    let words: readonly string[] | undefined;
    const print: CopyPrint = {
      shingles: entry.shingles,
      single: entry.single,
      get words() {
        words ??= wordsOf(id) ?? [];
        return words as string[];
      },
    };
    this.#joinCopies(id, print, candidates, wordsOf);
  }

  /** Whether article `id` has a copy. */
  hasCopies(id: string): boolean {
    return (this.#pairs.get(id)?.size ?? 0) > 0;
  }

  /** The articles of `id`'s cluster, itself included, in no particular order; `[id]` when it has no copy. */
  cluster(id: string): string[] {
    const seen = new Set([id]);
    const queue = [id];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const other of this.#pairs.get(next) ?? []) {
        if (seen.has(other)) continue;
        seen.add(other);
        queue.push(other);
      }
    }
    return [...seen];
  }

  /** Every cluster of two articles or more. */
  *clusters(): Generator<string[]> {
    const seen = new Set<string>();
    for (const id of this.#pairs.keys()) {
      if (seen.has(id)) continue;
      const cluster = this.cluster(id);
      for (const member of cluster) seen.add(member);
      yield cluster;
    }
  }

  /** Every pair recorded, each once: enough pairs to connect each cluster, not every pair of copies in it. */
  *pairs(): Generator<[string, string]> {
    for (const [id, others] of this.#pairs) for (const other of others) if (id < other) yield [id, other];
  }
}

/** Adds the articles of an LSH bucket to `to`. */
function addMembers(bucket: string | string[] | undefined, to: Set<string>): void {
  if (typeof bucket === 'string') to.add(bucket);
  else for (const other of bucket ?? []) to.add(other);
}
