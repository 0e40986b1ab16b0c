/**
 * @module news/copy-clusters
 * The copy clusters of an archive (SPEC §10), kept up to date as articles arrive, change and
 * leave: an LSH index of each article's band keys finds the candidates, {@link areCopies} decides
 * each pair, and a cluster is a connected component of the pairs found (a copy of a copy is in
 * the same cluster). In memory, for the embedded backend; the PostgreSQL backend keeps the same
 * keys and pairs in tables.
 */
import { areCopies, bandKeys, type CopyPrint } from './copies.ts';

/** Receives an indexed article's id and gives its copy print (computed again from its text), or `undefined` if unknown. */
export type PrintOf = (id: string) => CopyPrint | undefined;

export class CopyClusters {
  /** LSH key → the articles holding it. */
  readonly #buckets = new Map<number, string[]>();
  /** Article → its LSH keys. */
  readonly #keys = new Map<string, Uint32Array>();
  /** Article → the articles it is a copy of, found so far. */
  readonly #pairs = new Map<string, Set<string>>();

  /** Articles indexed. */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Indexes article `id` with its copy print (replacing what it held before): its candidates are
   * the articles sharing an LSH key with it, each checked with `printOf`. Returns the copies found.
   */
  add(id: string, print: CopyPrint, printOf: PrintOf): string[] {
    this.remove(id);
    const keys = bandKeys(print.shingles);
    const candidates = new Set<string>();
    for (const key of keys) {
      const bucket = this.#buckets.get(key);
      if (bucket === undefined) this.#buckets.set(key, [id]);
      else {
        for (const other of bucket) candidates.add(other);
        bucket.push(id);
      }
    }
    this.#keys.set(id, keys);
    const copies: string[] = [];
    for (const other of candidates) {
      const otherPrint = printOf(other);
      if (otherPrint === undefined || !areCopies(print, otherPrint)) continue;
      this.#link(id, other);
      copies.push(other);
    }
    return copies;
  }

  /** Removes article `id`; its cluster may split in two or more. */
  remove(id: string): void {
    const keys = this.#keys.get(id);
    if (keys === undefined) return;
    this.#keys.delete(id);
    for (const key of keys) {
      const bucket = this.#buckets.get(key);
      if (bucket === undefined) continue;
      const kept = bucket.filter((other) => other !== id);
      if (kept.length === 0) this.#buckets.delete(key);
      else this.#buckets.set(key, kept);
    }
    for (const other of this.#pairs.get(id) ?? []) this.#pairs.get(other)?.delete(id);
    this.#pairs.delete(id);
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
      if (seen.has(id) || (this.#pairs.get(id)?.size ?? 0) === 0) continue;
      const cluster = this.cluster(id);
      for (const member of cluster) seen.add(member);
      yield cluster;
    }
  }

  #link(a: string, b: string): void {
    if (a === b) return;
    let ofA = this.#pairs.get(a);
    if (ofA === undefined) this.#pairs.set(a, (ofA = new Set()));
    ofA.add(b);
    let ofB = this.#pairs.get(b);
    if (ofB === undefined) this.#pairs.set(b, (ofB = new Set()));
    ofB.add(a);
  }
}
