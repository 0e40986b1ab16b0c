import { describe, expect, it } from 'vitest';
import { searchPath } from '../../src/bench/http.ts';
import { everyTypePaths, httpPaths } from '../../src/bench/run.ts';
import { generateQueries, QUERY_TYPES, serviceSyntax } from '../../src/bench/queries.ts';

describe('httpPaths', () => {
  it('interleaves the term and two-term queries', () => {
    const set = generateQueries(['Oil prices rose sharply in early trading, dealers said.'], { seed: 1, perType: 3 });
    const paths = httpPaths(set);
    expect(paths).toHaveLength(6);
    expect(paths[0]).toBe(searchPath(set.term[0]?.words[0] ?? ''));
    expect(paths[1]).toBe(searchPath(set['two terms'][0]?.words.join(' ') ?? ''));
  });
});

describe('everyTypePaths', () => {
  it('holds every query of every type once, the types in turn', () => {
    const set = generateQueries(['Oil prices rose sharply in early trading, dealers said.', 'Crude oil output fell in March, the ministry said.'], { seed: 3, perType: 2 });
    const paths = everyTypePaths(set);
    expect(paths).toHaveLength(QUERY_TYPES.length * 2);
    expect(paths.slice(0, QUERY_TYPES.length)).toEqual(QUERY_TYPES.map((type) => searchPath(serviceSyntax(set[type][0]!))));
    expect(paths.slice(QUERY_TYPES.length)).toEqual(QUERY_TYPES.map((type) => searchPath(serviceSyntax(set[type][1]!))));
  });
});
