/**
 * @module bench/measure
 * Timing and statistics for the benchmark: percentiles and medians from sorted samples,
 * `performance.now()` timers, and heap readings taken after a full garbage collection.
 */
import { performance } from 'node:perf_hooks';

/** A latency distribution, in milliseconds. */
export type Distribution = { count: number; p50: number; p99: number; max: number };

/**
 * The `p`-th percentile (0–100) of ascending `sorted` samples, by nearest rank: always one of
 * the samples, never an interpolation. `NaN` when there are none.
 *
 * @example
 * percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/**
 * The median of `values` (in any order): the middle sample, or the mean of the two middle ones.
 * `NaN` when there are none.
 *
 * @example
 * median([3, 1, 2, 10]) // 2.5
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The p50, p99 and maximum of latency samples (in any order). */
export function summarize(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

/** Runs `work` and returns its value and how long it took, in milliseconds. */
export function timed<T>(work: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
}

/** Awaits `work` and returns its value and how long it took, in milliseconds. */
export async function timedAsync<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/**
 * The bytes of live heap once `collect` (a full GC, `global.gc` under `--expose-gc`) has run:
 * twice, as objects freed by the first (weak references, finalizers) go on the second.
 */
export function settledHeapBytes(collect: () => void): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** Paragraphs per second from a count and a duration in milliseconds. */
export function ratePerSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.NaN;
}
