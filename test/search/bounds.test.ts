import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_REQUEST, executeSearch } from '../../src/backends/embedded/execute.ts';
import { MAX_EXPANDED_WORDS } from '../../src/search/ranking.ts';
import { fuzzyAllowance, parseQuery } from '../../src/search/query-parser.ts';
import { searchLibrary as search } from '../../src/service/library-search.ts';
import { libraryOf, makeArticle, thrownBy } from '../helpers.ts';

describe('fuzzyAllowance', () => {
  it('allows no edit up to 2 characters, one up to 5, two beyond', () => {
    expect([fuzzyAllowance('ab'), fuzzyAllowance('abc'), fuzzyAllowance('abcde'), fuzzyAllowance('abcdef')]).toEqual([0, 1, 1, 2]);
  });

  it('reads a bare ~ on a short word as the word itself, and ~N as asked', () => {
    expect(parseQuery('ab~').root.must).toEqual([{ kind: 'term', term: 'ab', mode: 'exact', distance: 0, field: null }]);
    expect(parseQuery('war~').root.must).toEqual([{ kind: 'term', term: 'war', mode: 'fuzzy', distance: 1, field: null }]);
    expect(parseQuery('war~2').root.must).toEqual([{ kind: 'term', term: 'war', mode: 'fuzzy', distance: 2, field: null }]);
  });
});

describe('prefix expansion', () => {
  it('refuses a prefix matching more terms than the cap, with a 400', () => {
    const words = Array.from({ length: MAX_EXPANDED_WORDS + 1 }, (_, i) => `zq${i.toString(36)}x`);
    const library = libraryOf([makeArticle({ id: 'many', paragraphs: [words.join(' ')] })]);
    expect(thrownBy(() => search(library, 'zq*'))).toMatchObject({ code: 'bad_request' });
    expect(search(library, 'zq1*').total).toBe(1);
  });
});

describe('query time budget', () => {
  it('refuses a query that overruns its budget instead of returning a partial total', () => {
    const paragraphs = Array.from({ length: 3000 }, (_, i) => `the truce number ${i} held`);
    const library = libraryOf([makeArticle({ id: 'big', paragraphs })]);
    expect(thrownBy(() => executeSearch(library, parseQuery('"truce number"'), DEFAULT_SEARCH_REQUEST, -1))).toMatchObject({ code: 'bad_request' });
    expect(executeSearch(library, parseQuery('"truce number"'), DEFAULT_SEARCH_REQUEST).total).toBe(3000);
  });
});
