/**
 * @module assets/exports
 * The "Export" and "Subscribe to this search" links of the results bar (SPEC §7, §11): the
 * current search, with its filters, as `/search.csv`, `/search.jsonl` (every match) and
 * `/search.atom` (the newest hits as a feed). Only the hrefs change; the links' text is fixed.
 */
import { searchParams } from './state.js';

/**
 * The URL of the current search in another format: the query, its grouping and filters, and
 * the sort (a feed is always newest first, so it leaves the sort out). No page: an export holds
 * every match.
 *
 * @param {import('./state.js').PageState} state
 * @param {'csv' | 'jsonl' | 'atom'} format
 * @returns {string}
 */
export function exportUrl(state, format) {
  const params = searchParams(state);
  if (format === 'atom' || state.sort === 'relevance') params.delete('sort');
  return `/search.${format}?${params}`;
}

/**
 * Points the links inside `bar` (`a[data-format]`) at the current search, and shows the bar
 * only when something matched.
 *
 * @param {HTMLElement} bar
 * @param {import('./state.js').PageState} state
 * @param {number} total
 */
export function renderExportLinks(bar, state, total) {
  for (const link of bar.querySelectorAll('a[data-format]')) {
    link.setAttribute('href', exportUrl(state, /** @type {'csv' | 'jsonl' | 'atom'} */ (link.getAttribute('data-format'))));
  }
  bar.hidden = total === 0;
}
