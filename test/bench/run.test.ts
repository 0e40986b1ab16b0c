import { describe, expect, it } from 'vitest';
import { searchPath } from '../../src/bench/http.ts';
import { httpPaths } from '../../src/bench/run.ts';
import { generateQueries } from '../../src/bench/queries.ts';

describe('httpPaths', () => {
  it('interleaves the term and two-term queries', () => {
    const set = generateQueries(['Oil prices rose sharply in early trading, dealers said.'], { seed: 1, perType: 3 });
    const paths = httpPaths(set);
    expect(paths).toHaveLength(6);
    expect(paths[0]).toBe(searchPath(set.term[0]?.words[0] ?? ''));
    expect(paths[1]).toBe(searchPath(set['two terms'][0]?.words.join(' ') ?? ''));
  });
});
