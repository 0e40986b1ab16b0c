import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Vocabulary } from '../../../src/backends/embedded/vocabulary.ts';
import type { Steps } from '../../../src/backends/pace.ts';
import { stem } from '../../../src/text/analyzer.ts';

const WORDS = ['truce', 'truces', 'talks', 'talked', 'tally', 'gaza', 'qatar', 'quarter', 'war', 'wars'];

/** The tree's words, each with its stem, sorted. */
function contents(vocabulary: Vocabulary): Array<[string, string]> {
  return [...vocabulary.words.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('the vocabulary', () => {
  it('is built in steps, by several callers in turn and with words added meanwhile, into the tree built at once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...WORDS)),
        fc.array(fc.constantFrom(...WORDS, 'ceasefire', 'doha')),
        fc.array(fc.constantFrom('a', 'b', 'add'), { maxLength: 40 }),
        (snapshotWords, added, schedule) => {
          const stepped = new Vocabulary();
          stepped.defer([...snapshotWords]);
          const builders: Record<'a' | 'b', Steps<unknown>> = { a: stepped.readySteps(() => true), b: stepped.readySteps(() => true) };
          const toAdd = [...added];
          for (const move of schedule) {
            if (move === 'add') {
              const word = toAdd.shift();
              if (word !== undefined) expect(stepped.add(word)).toBe(stem(word));
            } else builders[move].next();
          }
          for (const word of toAdd) stepped.add(word);
          const atOnce = new Vocabulary();
          for (const word of [...snapshotWords, ...added]) atOnce.add(word);
          expect(contents(stepped)).toEqual(contents(atOnce));
          expect([...new Set(stepped.list())].length).toBe(stepped.list().length);
          expect(new Set(stepped.list())).toEqual(new Set([...snapshotWords, ...added]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lists words of a snapshot it has not recorded yet, once each', () => {
    const vocabulary = new Vocabulary();
    vocabulary.defer(['truce', 'talks']);
    vocabulary.add('talks');
    vocabulary.add('doha');
    expect(vocabulary.list().sort()).toEqual(['doha', 'talks', 'truce']);
  });

  it('pauses while it builds when the pace says so', () => {
    const vocabulary = new Vocabulary();
    vocabulary.defer([...WORDS]);
    let pauses = 0;
    const steps = vocabulary.readySteps(() => true);
    while (steps.next().done !== true) pauses += 1;
    // Each word recorded, then each put in the tree.
    expect(pauses).toBe(2 * WORDS.length);
    expect(vocabulary.words.size).toBe(WORDS.length);
  });
});
