/**
 * @module assets/results
 * Renders a page of hits from `/search`: the count line, the hits (title, source, date,
 * paragraph number, snippet, link to the article, a button copying the paragraph's citation), the pager, and what to try when nothing
 * matched or the search failed.
 */
import { copyCitationButton } from './citation.js';
import { alsoRan } from './copies.js';
import { formatDate, h, markedText, plural, snippetFragment } from './dom.js';
import { collapsesCopies, PAGE_SIZE, urlOf, withChanges } from './state.js';

/**
 * @typedef {object} Hit
 * @property {string} articleId
 * @property {number} paragraph
 * @property {string} title
 * @property {string | null} source
 * @property {string | null} date
 * @property {string | null} url the original's address
 * @property {string} text the whole paragraph, plain
 * @property {string} snippet HTML-escaped, matches in `<mark>`
 * @property {Array<[number, number]>} [titleHighlights]
 * @property {number} [matchingParagraphs]
 * @property {import('./copies.js').CopiesSummary} [copies] with `collapse=copies`: the hit's copy cluster
 */

/**
 * @typedef {object} SearchResponse
 * @property {string} query how the query was read (canonical form)
 * @property {string[]} warnings what was read otherwise than written
 * @property {boolean} relaxed no paragraph held every word; those with most of them came back
 * @property {number} total
 * @property {number} offset
 * @property {number} tookMs
 * @property {Hit[]} hits
 * @property {{ source?: Record<string, number>, month?: Record<string, number> }} [facets]
 */

/**
 * The line above the hits: how many matched and which are shown.
 *
 * @param {SearchResponse} response
 * @param {import('./state.js').PageState} state
 * @returns {string}
 */
export function summaryText(response, state) {
  // Grouped, the total counts stories: an article and the copies other outlets ran of it.
  const noun = collapsesCopies(state) ? 'story' : state.group === 'article' ? 'article' : 'paragraph';
  if (response.total === 0) {
    const filtered = state.sources.length > 0 || state.from || state.to;
    return `No ${noun === 'paragraph' ? 'paragraphs' : 'articles'} match ${state.q}${filtered ? ' with these filters' : ''}.`;
  }
  const first = response.offset + 1;
  const last = response.offset + response.hits.length;
  const shown = response.hits.length === 0 ? 'none on this page' : `showing ${first}–${last}`;
  return `${plural(response.total, noun, noun === 'story' ? 'stories' : undefined)} ${response.total === 1 ? 'matches' : 'match'} · ${shown} · ${response.tookMs} ms`;
}

/** What a relaxed response says; the page puts it in its own words. */
const RELAXED_WARNING = 'no paragraph holds all the words; showing those with most of them';

/**
 * Says how the query was read when that differs from what was typed (beyond the implicit AND
 * written out), what was reinterpreted, and when the words were relaxed; hidden otherwise.
 *
 * @param {HTMLElement} box
 * @param {SearchResponse} response
 * @param {string} typed
 */
export function renderReading(box, response, typed) {
  const squeeze = (/** @type {string} */ text) => text.trim().replace(/\s+/g, ' ');
  const differs = squeeze(response.query).replaceAll(' AND ', ' ') !== squeeze(typed);
  const warnings = response.warnings.filter((warning) => warning !== RELAXED_WARNING);
  const lines = [];
  if (response.relaxed) lines.push(h('p', { class: 'reading-relaxed' }, 'No paragraph holds all the words; showing those with most of them.'));
  if (differs || warnings.length > 0) lines.push(h('p', { class: 'reading-query' }, 'Searched for ', h('code', {}, response.query)));
  if (warnings.length > 0) lines.push(h('ul', { class: 'reading-warnings' }, ...warnings.map((warning) => h('li', {}, `${warning[0]?.toUpperCase() ?? ''}${warning.slice(1)}.`))));
  box.hidden = lines.length === 0;
  box.replaceChildren(...lines);
}

/**
 * Fills `list` with the hits.
 *
 * @param {HTMLOListElement} list
 * @param {SearchResponse} response
 * @param {import('./state.js').PageState} state
 */
export function renderHits(list, response, state) {
  list.start = response.offset + 1;
  list.replaceChildren(...response.hits.map((hit) => renderHit(hit, state)));
}

/**
 * @param {Hit} hit
 * @param {import('./state.js').PageState} state
 */
function renderHit(hit, state) {
  const href = urlOf({ ...state, article: hit.articleId, p: hit.paragraph });
  const date = formatDate(hit.date);
  const matching = hit.matchingParagraphs;
  const meta = h(
    'p',
    { class: 'hit-meta' },
    h('span', { class: 'hit-source' }, hit.source ?? 'unknown source'),
    h('time', { datetime: hit.date ?? null }, date ?? 'undated'),
    h('span', { class: 'hit-paragraph' }, `¶ ${hit.paragraph}`),
    matching !== undefined ? h('span', { class: 'hit-matching' }, `${plural(matching, 'matching paragraph')}`) : null,
    copyCitationButton(
      () => ({ ...hit, paragraph: { number: hit.paragraph, text: hit.text }, permalink: new URL(`/?${new URLSearchParams({ article: hit.articleId, p: String(hit.paragraph) })}`, location.origin).href }),
      { label: 'Copy citation', describedAs: `Copy citation: ${hit.title}, paragraph ${hit.paragraph}`, copied: 'Copied.' },
    ),
  );
  const snippet = h('p', { class: 'snippet' });
  snippet.append(snippetFragment(hit.snippet));
  const title = h('a', { href, class: 'hit-link' });
  title.append(markedText(hit.title, hit.titleHighlights));
  const copies = alsoRan(hit, (id) => urlOf({ ...state, article: id, p: 0 }));
  return h('li', { class: 'hit', 'data-article': hit.articleId }, h('h3', { class: 'hit-title' }, title), meta, snippet, copies);
}

/**
 * Fills `box` with what to try after an empty result (each suggested query a link) or a failed
 * search (a "Try again" link); hides it when there is nothing to say.
 *
 * @param {HTMLElement} box
 * @param {import('./messages.js').Advice[]} advice
 * @param {import('./state.js').PageState} state
 * @param {{ retry?: boolean }} [options]
 */
export function renderAdvice(box, advice, state, { retry = false } = {}) {
  const items = advice.map((item) => {
    if (item.action === 'clear') return h('li', {}, h('a', { href: urlOf(withChanges(state, { sources: [], from: '', to: '', page: 1 })), class: 'advice-clear' }, item.text));
    if (item.query === undefined) return h('li', {}, item.text);
    return h('li', {}, `${item.text} `, h('a', { href: urlOf(withChanges(state, { q: item.query, page: 1 })), class: 'advice-query' }, item.query));
  });
  const again = retry ? h('p', {}, h('a', { href: urlOf(state), class: 'advice-retry' }, 'Try again')) : null;
  box.hidden = items.length === 0 && again === null;
  box.replaceChildren(items.length === 0 ? '' : h('p', { class: 'advice-title' }, 'Things to try:'), items.length === 0 ? '' : h('ul', {}, ...items), again ?? '');
}

/**
 * Fills the pager: previous / next links and "page n of m"; hidden when one page holds all.
 *
 * @param {HTMLElement} nav
 * @param {SearchResponse} response
 * @param {import('./state.js').PageState} state
 */
export function renderPager(nav, response, state) {
  const pages = Math.ceil(response.total / PAGE_SIZE);
  nav.hidden = pages <= 1 && state.page <= 1;
  if (nav.hidden) return nav.replaceChildren();
  const link = (/** @type {number} */ page, /** @type {string} */ label, /** @type {string} */ rel) =>
    page >= 1 && page <= pages ? h('a', { href: urlOf(withChanges(state, { page })), rel, class: `pager-${rel}` }, label) : h('span', { class: `pager-${rel}`, 'aria-disabled': 'true' }, label);
  nav.replaceChildren(
    // Past the last page (an old shared link), "previous" leads back to the last one.
    link(Math.min(state.page - 1, pages), '← Previous', 'prev'),
    h('span', { class: 'pager-position' }, `Page ${state.page} of ${Math.max(pages, 1)}`),
    link(state.page + 1, 'Next →', 'next'),
  );
}
