/**
 * Sorting a lexeme's decoded postings made of sorted runs (postings-rank.ts, `sortRuns`): the
 * blocks of batches that committed out of order, overlapping where they meet or throughout.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runToEnd } from '../../../src/backends/pace.ts';
import { sortRuns, type Postings } from '../../../src/backends/postgres/postings-rank.ts';

/** Postings whose term frequency and length are drawn from the key, so a pair torn from its key shows. */
function postingsOf(keys: readonly number[]): Postings {
  return { keys: Float64Array.from(keys), tf: Uint16Array.from(keys, (key) => key % 65521), length: Uint16Array.from(keys, (key) => (key * 7) % 65519) };
}

/** Distinct keys dealt into runs: each run sorted, the runs in any order. */
const runsArbitrary = fc
  .uniqueArray(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 400 })
  .chain((keys) =>
    fc.record({
      keys: fc.constant(keys),
      // A run for each entry (by index), and whether runs follow one another (overlapping where they meet) or are dealt at random.
      runOf: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: keys.length, maxLength: keys.length }),
      contiguous: fc.boolean(),
    }),
  )
  .map(({ keys, runOf, contiguous }) => {
    const sorted = [...keys].sort((a, b) => a - b);
    const runs = new Map<number, number[]>();
    sorted.forEach((key, index) => {
      // Contiguous: run r takes a stretch of the keys, with a few keys of the next stretch mixed into its end.
      const run = contiguous ? Math.min(12, Math.floor((index * 12) / sorted.length) + ((runOf[index] as number) % 5 === 0 ? 1 : 0)) : (runOf[index] as number);
      runs.set(run, [...(runs.get(run) ?? []), key]);
    });
    const list = [...runs.values()];
    const starts: number[] = [];
    const all: number[] = [];
    for (const run of list) {
      starts.push(all.length);
      all.push(...run);
    }
    return { all, starts, sorted };
  });

describe('sortRuns', () => {
  it('sorts postings made of sorted runs, each key keeping its frequency and length', () => {
    fc.assert(
      fc.property(runsArbitrary, ({ all, starts, sorted }) => {
        const result = runToEnd(sortRuns(() => false, postingsOf(all), starts));
        expect(Array.from(result.keys)).toEqual(sorted);
        const expected = postingsOf(sorted);
        expect(Array.from(result.tf)).toEqual(Array.from(expected.tf));
        expect(Array.from(result.length)).toEqual(Array.from(expected.length));
      }),
      { numRuns: 300 },
    );
  });

  it('sorts runs that overlap only where they meet, and runs interleaved throughout', () => {
    // Blocks of 1,000 keys, each but the first lending 3 of its keys to the end of the one before: each block starts below where the one before ends.
    const meeting: number[] = [];
    const meetingStarts: number[] = [];
    const lent = (block: number): number[] => (block === 0 ? [] : [block * 1000 + 10, block * 1000 + 11, block * 1000 + 12]);
    for (let block = 0; block < 50; block++) {
      meetingStarts.push(meeting.length);
      for (let k = 0; k < 1000; k++) if (!lent(block).includes(block * 1000 + k)) meeting.push(block * 1000 + k);
      if (block < 49) meeting.push(...lent(block + 1));
    }
    const meetingSorted = runToEnd(sortRuns(() => false, postingsOf(meeting), meetingStarts));
    expect(Array.from(meetingSorted.keys)).toEqual([...meeting].sort((a, b) => a - b));
    // Two runs of the odd and the even keys: each overlaps the other throughout.
    const interleaved = [...Array.from({ length: 5000 }, (_, i) => 2 * i + 1), ...Array.from({ length: 5000 }, (_, i) => 2 * i), ...Array.from({ length: 5000 }, (_, i) => 3 * i + 20000)];
    const interleavedSorted = runToEnd(sortRuns(() => false, postingsOf(interleaved), [0, 5000, 10000]));
    expect(Array.from(interleavedSorted.keys)).toEqual([...interleaved].sort((a, b) => a - b));
  });
});
