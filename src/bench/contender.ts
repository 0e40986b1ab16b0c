/**
 * @module bench/contender
 * What the benchmark measures on each side: the service's own path and plain MiniSearch both
 * implement {@link Contender}, so every phase runs the same code over either.
 */
import type { Article } from '../ingest/article.ts';
import type { BenchQuery } from './queries.ts';

/** The side being measured. */
export type Side = 'service' | 'plain';

/** How many hits a caller gets: the service's default `limit` (SPEC §5). */
export const PAGE_SIZE = 10;

/** One side of the benchmark. */
export interface Contender {
  readonly side: Side;
  /** Indexes the paragraphs of `articles` (timed by the caller: the ingest rate). */
  index(articles: readonly Article[]): void;
  /** Saves a snapshot of the index into the empty folder `dir`; resolves to its size in bytes. */
  save(dir: string): Promise<number>;
  /** Loads the snapshot saved in `dir` as a cold start would (timed by the caller), then drops it. */
  load(dir: string): Promise<void>;
  /** Runs `query` as a caller would, keeping the first {@link PAGE_SIZE} hits; returns how many paragraphs matched. */
  search(query: BenchQuery): number;
}
