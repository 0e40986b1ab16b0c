/**
 * @module text/sentences
 * Which sentence each token of a text belongs to (for `w/s`, SPEC §4), with the sentence
 * boundaries of UAX #29 as `Intl.Segmenter` gives them: the same boundaries snippets are cut at.
 */
import type { Token } from './tokenize.ts';

const SENTENCES = new Intl.Segmenter('und', { granularity: 'sentence' });

/**
 * The sentence number (0-based) of each token of `text`, by token index. Never throws.
 *
 * @example
 * const text = 'Talks resumed. Hamas agreed.';
 * sentenceNumbers(text, analyze(text).tokens) // Int32Array [0, 0, 1, 1]
 */
export function sentenceNumbers(text: string, tokens: readonly Token[]): Int32Array {
  const numbers = new Int32Array(tokens.length);
  if (tokens.length === 0) return numbers;
  const starts: number[] = [];
  for (const segment of SENTENCES.segment(text)) starts.push(segment.index);
  let sentence = 0;
  tokens.forEach((token, index) => {
    while (sentence + 1 < starts.length && (starts[sentence + 1] as number) <= token.start) sentence += 1;
    numbers[index] = sentence;
  });
  return numbers;
}
