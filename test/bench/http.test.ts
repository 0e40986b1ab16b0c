import { describe, expect, it } from 'vitest';
import { searchPath } from '../../src/bench/http.ts';

describe('searchPath', () => {
  it('encodes the query in the query string', () => {
    expect(searchPath('oil -"crude oil"')).toBe('/search?q=oil%20-%22crude%20oil%22');
  });
});
