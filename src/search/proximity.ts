/**
 * @module search/proximity
 * Proximity chains (`a w/5 b pre/3 c`, `a w/s b`, SPEC §4) on one field of one paragraph: the
 * occurrences of each operand, and which of them take part in a chain that satisfies every
 * connector. Pure; the verification and the highlighter both use it, so they agree.
 */
import type { Link } from './query.ts';

/** An occurrence of an operand: the positions of its first and last token in the field. */
export type Occurrence = readonly [first: number, last: number];

/**
 * The occurrences of each operand that take part in at least one complete chain, or null when
 * no chain satisfies every link. `occurrences[i]` are operand i's; `links[i]` joins operands i
 * and i + 1; `sentenceOf` gives a token position's sentence (needed only by `w/s`).
 *
 * @example
 * solveChain([[[0, 0]], [[3, 3], [9, 9]]], [{ unit: 'words', distance: 5, ordered: false }], () => 0)
 * // [[[0, 0]], [[3, 3]]]
 */
export function solveChain(occurrences: ReadonlyArray<readonly Occurrence[]>, links: readonly Link[], sentenceOf: (position: number) => number): Occurrence[][] | null {
  const reached: Occurrence[][] = [[...(occurrences[0] ?? [])]];
  for (let i = 1; i < occurrences.length; i += 1) {
    const link = links[i - 1] as Link;
    const before = reached[i - 1] as Occurrence[];
    const here = (occurrences[i] ?? []).filter((y) => before.some((x) => linked(link, x, y, sentenceOf)));
    if (here.length === 0) return null;
    reached.push(here);
  }
  if ((reached[0] as Occurrence[]).length === 0) return null;
  const useful = reached.map((list) => [...list]);
  for (let i = occurrences.length - 2; i >= 0; i -= 1) {
    const link = links[i] as Link;
    const after = useful[i + 1] as Occurrence[];
    useful[i] = (reached[i] as Occurrence[]).filter((x) => after.some((y) => linked(link, x, y, sentenceOf)));
  }
  return useful;
}

/**
 * True when occurrences `x` (of the earlier operand in the query) and `y` satisfy `link`. They
 * never overlap: one word cannot stand for two operands. `w/N`: the gap from the end of one to
 * the start of the other is at most N positions, either way round; `pre/N`: `y` after `x`.
 */
export function linked(link: Link, x: Occurrence, y: Occurrence, sentenceOf: (position: number) => number): boolean {
  const yAfter = y[0] > x[1];
  const xAfter = x[0] > y[1];
  if (!yAfter && !xAfter) return false;
  switch (link.unit) {
    case 'words':
      return (yAfter && y[0] - x[1] <= link.distance) || (!link.ordered && xAfter && x[0] - y[1] <= link.distance);
    case 'sentence': {
      const sentence = sentenceOf(x[0]);
      return sentenceOf(x[1]) === sentence && sentenceOf(y[0]) === sentence && sentenceOf(y[1]) === sentence;
    }
    case 'paragraph':
      return true;
  }
}
