/**
 * @module service/library-search
 * The whole search path over an embedded library, synchronously: parse, execute, dress. The
 * benchmark times exactly this (no promise in between), and tests of the embedded backend's
 * internals use it; the server goes through {@link searchBackend} like every backend.
 */
import { executeSearch } from '../backends/embedded/execute.ts';
import { toBackendSearch } from '../backends/embedded/embedded-backend.ts';
import type { Library } from '../backends/embedded/library.ts';
import { parseQuery } from '../search/query-parser.ts';
import { DEFAULT_SEARCH_PARAMS, dressSearch, type SearchParams, type SearchResponse } from './search-service.ts';
import { performance } from 'node:perf_hooks';

/**
 * Searches `library` end to end, as {@link searchBackend} does over the embedded backend.
 *
 * @example
 * searchLibrary(library, 'ceasefire').total // 2 on the seed
 */
export function searchLibrary(library: Library, q: string, params: SearchParams = DEFAULT_SEARCH_PARAMS): SearchResponse {
  const started = performance.now();
  const query = parseQuery(q);
  const result = toBackendSearch(executeSearch(library, query, params));
  return dressSearch(q, query, result, params, performance.now() - started);
}
