/**
 * @module assets/provenance
 * The provenance timeline of a query (SPEC §10, from `GET /provenance`): where and when it first
 * appeared, how many outlets ran it after and over how many days, then every appearance oldest
 * first (undated last) with date, source, title (a link to the article view, the paragraph
 * marked), the snippet, and a badge on those that copy an earlier article; a pager when the
 * appearances fill more than a page; plain words when nothing matched or the trace failed.
 */
import { formatDate, h, plural, snippetFragment } from './dom.js';
import { emptyAdvice, searchError } from './messages.js';
import { TRACE_PAGE_SIZE, urlOf, withChanges } from './state.js';

/**
 * @typedef {object} Appearance
 * @property {string} articleId
 * @property {number} paragraph
 * @property {string} title
 * @property {string | null} source
 * @property {string | null} date
 * @property {string | null} url
 * @property {string} snippet HTML-escaped, matches in `<mark>`
 * @property {string | null} copyOf
 * @property {boolean} earlierCopy
 */

/**
 * @typedef {object} ProvenanceResponse
 * @property {string} q
 * @property {string} query
 * @property {number} total
 * @property {number} offset
 * @property {number} limit
 * @property {Appearance | null} first
 * @property {number} outlets
 * @property {number | null} days
 * @property {Appearance[]} appearances
 */

/**
 * The timeline's headline: "First seen 28 Nov 2023 in Wire; then 3 more outlets over 4 days".
 *
 * @param {ProvenanceResponse} trace
 * @returns {string}
 */
export function provenanceSummary(trace) {
  const first = trace.first;
  if (first === null) return '';
  const when = formatDate(first.date);
  const where = first.source ?? 'an unknown source';
  const seen = when === null ? `First seen in ${where} (undated)` : `First seen ${when} in ${where}`;
  // The first outlet is counted in `outlets` when it has a source.
  const more = trace.outlets - (first.source === null ? 0 : 1);
  if (more <= 0) return trace.total === 1 ? `${seen}; nowhere else in the archive.` : `${seen}; then ${plural(trace.total - 1, 'more article')} from the same outlet${span(trace.days)}.`;
  return `${seen}; then ${plural(more, 'more outlet')}${span(trace.days)}.`;
}

/** " over 4 days", " the same day", or nothing when the dates do not tell. */
function span(/** @type {number | null} */ days) {
  if (days === null) return '';
  return days === 0 ? ' the same day' : ` over ${plural(days, 'day')}`;
}

/**
 * Fills `box` with the timeline of `result` (or what went wrong), for `state` (its query and page).
 *
 * @param {HTMLElement} box
 * @param {import('./api.js').ApiResult<ProvenanceResponse>} result
 * @param {import('./state.js').PageState} state
 */
export function renderProvenance(box, result, state) {
  const back = h('nav', { class: 'reader-nav' }, h('a', { href: urlOf(withChanges(state, { page: 1 })), class: 'back' }, '← Back to results'));
  // The query as typed: a phrase brings its own quotes.
  const heading = h('h1', { class: 'provenance-title' }, 'Where this first appeared: ', h('span', { class: 'provenance-query' }, state.q));
  if (!result.ok) {
    const error = searchError(result);
    const again = error.retry ? h('p', {}, h('a', { href: urlOf(state), class: 'advice-retry' }, 'Try again')) : null;
    box.replaceChildren(back, heading, h('p', { class: 'status is-error', role: 'alert' }, error.text), again ?? '');
    return;
  }
  const trace = result.value;
  if (trace.total === 0) {
    const advice = emptyAdvice(state.q, false).map((item) =>
      item.query === undefined ? h('li', {}, item.text) : h('li', {}, `${item.text} `, h('a', { href: urlOf({ ...state, q: item.query, page: 1 }), class: 'advice-query' }, item.query)),
    );
    box.replaceChildren(
      back,
      heading,
      h('p', { class: 'status is-empty', role: 'status' }, `No article in the archive holds ${state.q}, so there is nothing to trace.`),
      h('div', { class: 'advice' }, h('p', { class: 'advice-title' }, 'Things to try:'), h('ul', {}, ...advice)),
    );
    return;
  }
  const first = trace.offset + 1;
  const last = trace.offset + trace.appearances.length;
  const count = `${plural(trace.total, 'article')} ${trace.total === 1 ? 'holds' : 'hold'} it · ${trace.appearances.length === 0 ? 'none on this page' : `showing ${first}–${last}`}, oldest first`;
  const list = h('ol', { class: 'timeline', start: first }, ...trace.appearances.map((appearance) => renderAppearance(appearance, state)));
  // `/provenance` takes no filters: the first appearance is the whole archive's.
  const filtered = state.sources.length > 0 || state.from !== '' || state.to !== '';
  box.replaceChildren(
    back,
    heading,
    h('p', { class: 'provenance-summary', role: 'status' }, provenanceSummary(trace)),
    h('p', { class: 'provenance-count' }, count),
    filtered ? h('p', { class: 'provenance-unfiltered' }, 'Traced across the whole archive: the source and date filters of the search do not apply here.') : '',
    list,
    pager(trace, state) ?? '',
  );
}

/**
 * @param {Appearance} appearance
 * @param {import('./state.js').PageState} state
 */
function renderAppearance(appearance, state) {
  const href = urlOf({ ...state, article: appearance.articleId, p: appearance.paragraph });
  const snippet = h('p', { class: 'snippet' });
  snippet.append(snippetFragment(appearance.snippet));
  return h(
    'li',
    { class: appearance.earlierCopy ? 'appearance is-copy' : 'appearance', 'data-article': appearance.articleId },
    h(
      'p',
      { class: 'appearance-meta' },
      h('time', { class: 'appearance-date', datetime: appearance.date ?? null }, formatDate(appearance.date) ?? 'undated'),
      h('span', { class: 'hit-source' }, appearance.source ?? 'unknown source'),
      h('span', { class: 'hit-paragraph' }, `¶ ${appearance.paragraph}`),
      appearance.earlierCopy ? h('span', { class: 'badge copy-badge' }, 'copy of an earlier article') : null,
    ),
    h('h2', { class: 'hit-title' }, h('a', { href, class: 'hit-link' }, appearance.title || appearance.articleId)),
    snippet,
  );
}

/**
 * Previous / next through the appearances; `null` when one page holds them all.
 *
 * @param {ProvenanceResponse} trace
 * @param {import('./state.js').PageState} state
 */
function pager(trace, state) {
  const pages = Math.ceil(trace.total / TRACE_PAGE_SIZE);
  if (pages <= 1 && state.page <= 1) return null;
  const link = (/** @type {number} */ page, /** @type {string} */ label, /** @type {string} */ rel) =>
    page >= 1 && page <= pages ? h('a', { href: urlOf({ ...state, page }), rel, class: `pager-${rel}` }, label) : h('span', { class: `pager-${rel}`, 'aria-disabled': 'true' }, label);
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages of appearances' },
    link(Math.min(state.page - 1, pages), '← Earlier', 'prev'),
    h('span', { class: 'pager-position' }, `Page ${state.page} of ${Math.max(pages, 1)}`),
    link(state.page + 1, 'Later →', 'next'),
  );
}
