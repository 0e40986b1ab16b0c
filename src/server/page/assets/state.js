/**
 * @module assets/state
 * The page's state and its URL: everything a reader sees (query, filters, page, grouping, the
 * open article, the provenance timeline) lives in `location.search`, so a search can be shared and back/forward work.
 */

/** Hits per page. */
export const PAGE_SIZE = 10;

/** Orders the API accepts besides the default `relevance`. */
const SORTS = ['newest', 'oldest'];

/**
 * @typedef {object} PageState
 * @property {string} q the query, as typed
 * @property {'article' | 'paragraph'} group one hit per article (default) or per paragraph
 * @property {string} sort `relevance`, `newest` or `oldest`
 * @property {string[]} sources the sources to keep (none: all)
 * @property {string} from first day `YYYY-MM-DD`, or ''
 * @property {string} to last day `YYYY-MM-DD`, or ''
 * @property {'grouped' | 'all'} copies wire copies of a story as one result (default) or every copy
 * @property {boolean} trace the provenance timeline of the query instead of its results
 * @property {number} page 1-based page of hits (or of appearances, with `trace`)
 * @property {string} article the open article's id, or ''
 * @property {number} p the paragraph to mark in the open article (0: none)
 */

/**
 * Reads the state from a query string.
 *
 * @param {string} search e.g. `location.search`
 * @returns {PageState}
 */
export function stateFromSearch(search) {
  const params = new URLSearchParams(search);
  const sort = params.get('sort') ?? '';
  return {
    q: params.get('q') ?? '',
    group: params.get('group') === 'paragraph' ? 'paragraph' : 'article',
    sort: SORTS.includes(sort) ? sort : 'relevance',
    sources: params.getAll('source').filter((source) => source !== ''),
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    copies: params.get('copies') === 'all' ? 'all' : 'grouped',
    trace: params.get('trace') === '1',
    page: positive(params.get('page'), 1),
    article: params.get('article') ?? '',
    p: positive(params.get('p'), 0),
  };
}

/**
 * The page URL of a state (defaults left out, so URLs stay short).
 *
 * @param {PageState} state
 * @returns {string}
 */
export function urlOf(state) {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  if (state.group !== 'article') params.set('group', state.group);
  if (state.sort !== 'relevance') params.set('sort', state.sort);
  for (const source of state.sources) params.append('source', source);
  if (state.from) params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  if (state.copies !== 'grouped') params.set('copies', state.copies);
  if (state.trace) params.set('trace', '1');
  if (state.page > 1) params.set('page', String(state.page));
  if (state.article) params.set('article', state.article);
  if (state.p > 0) params.set('p', String(state.p));
  const query = params.toString();
  return query === '' ? '/' : `/?${query}`;
}

/**
 * The `/search` API URL for a state.
 *
 * @param {PageState} state
 * @param {{ limit?: number, offset?: number, facets?: string }} [overrides]
 * @returns {string}
 */
export function searchUrl(state, overrides = {}) {
  const params = searchParams(state);
  params.set('limit', String(overrides.limit ?? PAGE_SIZE));
  params.set('offset', String(overrides.offset ?? (state.page - 1) * PAGE_SIZE));
  if (overrides.facets) params.set('facets', overrides.facets);
  return `/search?${params}`;
}

/**
 * The parameters that say which matches the search wants, whatever the format and the page:
 * the query, its grouping and sort, the sources and dates, and whether copies are grouped.
 *
 * @param {PageState} state
 * @returns {URLSearchParams}
 */
export function searchParams(state) {
  const params = new URLSearchParams({ q: state.q, group: state.group, sort: state.sort });
  for (const source of state.sources) params.append('source', source);
  if (state.from) params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  if (collapsesCopies(state)) params.set('collapse', 'copies');
  return params;
}

/**
 * Whether the search shows one result per copy cluster (a wire story and the outlets that ran
 * it). Only one-per-article results are grouped: the paragraph view lists every paragraph, so
 * every copy, by design.
 *
 * @param {PageState} state
 * @returns {boolean}
 */
export function collapsesCopies(state) {
  return state.group === 'article' && state.copies === 'grouped';
}

/** Appearances per page of the provenance timeline. */
export const TRACE_PAGE_SIZE = 20;

/**
 * The `/provenance` API URL for a state.
 *
 * @param {PageState} state
 * @returns {string}
 */
export function provenanceUrl(state) {
  const params = new URLSearchParams({ q: state.q, limit: String(TRACE_PAGE_SIZE), offset: String((state.page - 1) * TRACE_PAGE_SIZE) });
  return `/provenance?${params}`;
}

/**
 * A copy of `state` with `changes`, back on the results list (no open article).
 *
 * @param {PageState} state
 * @param {Partial<PageState>} changes
 * @returns {PageState}
 */
export function withChanges(state, changes) {
  return { ...state, article: '', p: 0, trace: false, ...changes };
}

/**
 * @param {string | null} value
 * @param {number} fallback
 */
function positive(value, fallback) {
  const number = Number.parseInt(value ?? '', 10);
  return Number.isInteger(number) && number >= 1 ? number : fallback;
}
