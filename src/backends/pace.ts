/**
 * @module backends/pace
 * Long work that shares the event loop: a search is a generator ({@link Steps}) whose loops ask
 * {@link Pace} now and then whether their slice of time is spent, and yield when it is. A driver
 * then runs it to the end at once ({@link runToEnd}: benchmarks, tests, the CLI) or a slice at
 * a time, letting writes and other searches in between (`execute.ts`). The pace also holds the
 * query budget: the work of a search, summed over its slices, may not exceed it.
 */
import { performance } from 'node:perf_hooks';
import { overBudget } from '../search/ranking.ts';
import type { TurnKind, Turns } from './turns.ts';

/** Work that pauses: each `yield` is a point where others may run; the return value is its outcome. */
export type Steps<T> = Generator<void, T, void>;

/** Asked by long loops, cheaply and often: true when the work should pause now. Throws when the budget is spent. */
export type Pace = () => boolean;

/** A pace and its clock. */
export type Pacer = {
  readonly pace: Pace;
  /** Called when the work resumes after a pause: a new slice starts; the time paused does not count. */
  resume(): void;
  /** Milliseconds of work so far. */
  worked(): number;
};

/** The clock is read every 64 calls of {@link Pace} (a mask): cheap enough for the innermost loops. */
const CHECK_EVERY = 63;

/**
 * Creates a pacer: slices of `sliceMs` (Infinity: never pause), a budget of `budgetMs` of work,
 * refused with a 400 naming the query's cost once spent; `now` is the clock (tests pass their own).
 *
 * @example
 * const pacer = createPacer({ sliceMs: 8, budgetMs: 3000 });
 * for (const doc of docs) { consider(doc); if (pacer.pace()) yield; }
 */
export function createPacer(options: { sliceMs: number; budgetMs: number; now?: () => number }): Pacer {
  const { sliceMs, budgetMs, now: clock = () => performance.now() } = options;
  let before = 0;
  let sliceStart = clock();
  let calls = 0;
  const pace: Pace = () => {
    calls += 1;
    if ((calls & CHECK_EVERY) !== 0) return false;
    const now = clock();
    if (before + now - sliceStart > budgetMs) throw overBudget(budgetMs);
    if (now - sliceStart < sliceMs) return false;
    before += now - sliceStart;
    sliceStart = Number.POSITIVE_INFINITY; // paused until resume()
    return true;
  };
  return {
    pace,
    resume() {
      sliceStart = clock();
    },
    worked: () => before + Math.max(0, clock() - sliceStart),
  };
}

/** Runs `steps` to the end without pausing. */
export function runToEnd<T>(steps: Steps<T>, pacer?: Pacer): T {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    pacer?.resume();
  }
}

/**
 * Runs `work` a slice of `sliceMs` at a time, each slice on a turn of `turns` of kind `kind`
 * (`resumed`: behind whatever has just arrived), with no budget: background work.
 */
export async function runInTurns<T>(work: (pace: Pace) => Steps<T>, turns: Turns, options: { sliceMs: number; kind: TurnKind }): Promise<T> {
  const pacer = createPacer({ sliceMs: options.sliceMs, budgetMs: Number.POSITIVE_INFINITY });
  const steps = work(pacer.pace);
  for (;;) {
    await turns.next(options.kind);
    pacer.resume();
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}
