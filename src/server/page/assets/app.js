/**
 * @module assets/app
 * The search page's script (loaded by `GET /` as a module). The URL is the state: every
 * search, filter, page turn and opened article is a `history.pushState`, and rendering reads
 * the state back, so links can be shared and back/forward work. A newer view aborts the
 * requests of the one it replaces, so a slow answer never overwrites a newer one.
 */
import { getJson } from './api.js';
import { markMatches, renderArticle } from './article.js';
import { articleCopies } from './copies.js';
import { renderChart } from './chart.js';
import { renderChips } from './chips.js';
import { h, plural } from './dom.js';
import { renderExportLinks } from './exports.js';
import { attachFilterSheet, renderSources } from './filters.js';
import { articleError, emptyAdvice, searchError } from './messages.js';
import { renderProvenance } from './provenance.js';
import { renderAdvice, renderHits, renderPager, renderReading, summaryText } from './results.js';
import { provenanceUrl, searchUrl, stateFromSearch, urlOf, withChanges } from './state.js';
import { attachCompletions } from './suggest.js';

/** @typedef {import('./state.js').PageState} PageState */
/** @typedef {import('./results.js').SearchResponse} SearchResponse */

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
const byId = (id) => /** @type {T} */ (document.getElementById(id));

const form = /** @type {HTMLFormElement} */ (byId('search'));
const queryInput = /** @type {HTMLInputElement} */ (byId('q'));
const intro = byId('intro');
const results = byId('results');
const status = byId('status');
const chips = byId('chips');
const advice = byId('advice');
const hits = /** @type {HTMLOListElement} */ (byId('hits'));
const pager = byId('pager');
const filters = byId('filters');
const filtersToggle = /** @type {HTMLButtonElement} */ (byId('filters-toggle'));
const reader = byId('reader');
const reading = byId('reading');
const traceLink = byId('trace-link');
const exportLinks = byId('export-links');
const provenance = byId('provenance');

const completions = attachCompletions(queryInput, byId('suggestions'));
const filterSheet = attachFilterSheet(filters, filtersToggle, byId('filters-close'));

/** The requests of the view on screen; aborted when another view starts. */
let current = new AbortController();

/**
 * Shows the view of `state`.
 *
 * @param {PageState} state
 */
async function render(state) {
  current.abort();
  const request = new AbortController();
  current = request;
  completions.close();
  fillForm(state);
  document.body.dataset.state = 'loading';
  if (state.article) await showArticle(state, request.signal);
  else if (state.q.trim() === '') await showIntro(request.signal);
  else if (state.trace) await showProvenance(state, request.signal);
  else await showSearch(state, request.signal);
  if (!request.signal.aborted) document.body.dataset.state = 'ready';
}

/**
 * @param {'intro' | 'search' | 'article' | 'provenance'} view
 */
function setView(view) {
  document.body.dataset.view = view;
  intro.hidden = view !== 'intro';
  results.hidden = view !== 'search';
  filters.hidden = view !== 'search';
  filtersToggle.hidden = view !== 'search';
  reader.hidden = view !== 'article';
  provenance.hidden = view !== 'provenance';
  traceLink.hidden = true;
  exportLinks.hidden = true;
  filterSheet.close();
  if (view !== 'search') {
    setStatus('');
    chips.hidden = true;
    reading.hidden = true;
    advice.hidden = true;
    hits.replaceChildren();
    pager.hidden = true;
  }
}

/**
 * @param {string} text
 * @param {'' | 'empty' | 'error'} [kind]
 */
function setStatus(text, kind = '') {
  status.textContent = text;
  status.className = kind === '' ? 'status' : `status is-${kind}`;
  status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

/** @param {AbortSignal} signal */
async function showIntro(signal) {
  setView('intro');
  document.title = 'News archive search';
  /** @type {import('./api.js').ApiResult<{ articles: number, paragraphs: number, sources: Record<string, number> }>} */
  const stats = await getJson('/stats', signal);
  if (signal.aborted || !stats.ok) return;
  const { articles, paragraphs, sources } = stats.value;
  byId('intro-stats').textContent = `${plural(articles, 'article')} · ${plural(paragraphs, 'paragraph')} · ${plural(Object.keys(sources ?? {}).length, 'source')} in the archive`;
}

/**
 * @param {PageState} state
 * @param {AbortSignal} signal
 */
async function showSearch(state, signal) {
  setView('search');
  document.title = `${state.q} – News archive search`;
  results.setAttribute('aria-busy', 'true');
  setStatus('Searching…');
  renderChips(chips, state);
  filtersToggle.textContent = filterCount(state) === 0 ? 'Filters' : `Filters (${filterCount(state)})`;
  // Each facet leaves out its own filter, so unticked sources keep their counts and the chart
  // keeps every month after a click on one; counted per paragraph, whatever the grouping.
  const perParagraph = { ...state, group: /** @type {const} */ ('paragraph'), page: 1 };
  const forSources = { ...perParagraph, sources: [] };
  const forChart = { ...perParagraph, from: '', to: '' };
  const together = urlOf(forSources) === urlOf(forChart);
  /** @type {[import('./api.js').ApiResult<SearchResponse>, import('./api.js').ApiResult<SearchResponse>, import('./api.js').ApiResult<SearchResponse> | null]} */
  const [main, sourceFacet, chartFacet] = await Promise.all([
    getJson(searchUrl(state), signal),
    getJson(searchUrl(forSources, { limit: 1, offset: 0, facets: together ? 'source,month' : 'source' }), signal),
    together ? null : getJson(searchUrl(forChart, { limit: 1, offset: 0, facets: 'month' }), signal),
  ]);
  if (signal.aborted) return;
  results.removeAttribute('aria-busy');
  if (!main.ok) {
    reading.hidden = true;
    hits.replaceChildren();
    pager.hidden = true;
    filters.hidden = true;
    const error = searchError(main);
    setStatus(error.text, 'error');
    renderAdvice(advice, [], state, { retry: error.retry });
    return;
  }
  const response = main.value;
  const filtered = filterCount(state) > 0;
  setStatus(summaryText(response, state), response.total === 0 ? 'empty' : '');
  // Provenance answers "where did this quote first appear": offered for a query with a phrase.
  traceLink.hidden = response.total === 0 || !state.q.includes('"');
  traceLink.setAttribute('href', urlOf(withChanges(state, { trace: true, page: 1 })));
  renderExportLinks(exportLinks, state, response.total);
  renderReading(reading, response, state.q);
  renderHits(hits, response, state);
  renderPager(pager, response, state);
  renderAdvice(advice, response.total === 0 ? emptyAdvice(state.q, filtered) : [], state);
  const sourceCounts = sourceFacet.ok ? (sourceFacet.value.facets?.source ?? {}) : {};
  const chartSource = chartFacet ?? sourceFacet;
  const chart = chartSource.ok ? { months: chartSource.value.facets?.month ?? {}, total: chartSource.value.total } : { months: {}, total: 0 };
  // Nothing matched and nothing narrows the search: there is nothing to filter.
  filters.hidden = response.total === 0 && !filtered;
  filtersToggle.hidden = filters.hidden;
  byId('sources-panel').hidden = Object.keys(sourceCounts).length === 0 && state.sources.length === 0;
  // The checkboxes are drawn anew: the one that had the focus (just ticked, say) keeps it.
  const focusedSource = document.activeElement instanceof HTMLInputElement && document.activeElement.name === 'source' ? document.activeElement.value : null;
  renderSources(byId('sources'), sourceCounts, state.sources);
  if (focusedSource !== null) {
    /** @type {HTMLInputElement | undefined} */ ([...document.querySelectorAll('#sources input')].find((input) => /** @type {HTMLInputElement} */ (input).value === focusedSource))?.focus();
  }
  renderChart(byId('chart'), chart, state);
}

/**
 * @param {PageState} state
 * @param {AbortSignal} signal
 */
async function showArticle(state, signal) {
  setView('article');
  // Keeps the URL's sources in the form, so a new search from here filters as before.
  renderSources(byId('sources'), {}, state.sources);
  // Back to the results, or to the timeline the article was opened from.
  const backHref = state.q ? urlOf({ ...withChanges(state, {}), trace: state.trace }) : null;
  reader.replaceChildren(h('p', { class: 'status' }, 'Loading the article…'));
  /** @type {import('./api.js').ApiResult<import('./article.js').Article>} */
  const result = await getJson(`/articles/${encodeURIComponent(state.article)}`, signal);
  if (signal.aborted) return;
  if (!result.ok) {
    const error = articleError(result);
    const back = backHref === null ? h('a', { href: '/', class: 'back' }, 'New search') : h('a', { href: backHref, class: 'back' }, '← Back to results');
    const again = error.retry ? h('a', { href: urlOf(state), class: 'advice-retry' }, 'Try again') : null;
    reader.replaceChildren(h('p', { class: 'status is-error', role: 'alert' }, error.text), h('p', { class: 'reader-nav' }, back, again === null ? '' : ' · ', again ?? ''));
    return;
  }
  const article = result.value;
  document.title = `${article.title} – News archive`;
  const target = renderArticle(reader, article, {
    target: state.p,
    backHref,
    backLabel: state.trace ? '← Back to the timeline' : '← Back to results',
    paragraphHref: (p) => urlOf({ ...state, p }),
    permalink: new URL(`/?${new URLSearchParams(state.p > 0 ? { article: article.id, p: String(state.p) } : { article: article.id })}`, location.origin).href,
  });
  const copies = articleCopies(article, (id) => urlOf({ ...state, article: id, p: 0 }));
  if (copies !== null) reader.querySelector('.reader-header')?.after(copies);
  if (target === null) window.scrollTo(0, 0);
  else {
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  }
  if (state.q.trim() !== '') await markQuery(article, state, signal);
}

/**
 * The provenance timeline of the query (one page of its appearances).
 *
 * @param {PageState} state
 * @param {AbortSignal} signal
 */
async function showProvenance(state, signal) {
  setView('provenance');
  document.title = `Where ${state.q} first appeared – News archive`;
  provenance.setAttribute('aria-busy', 'true');
  provenance.replaceChildren(h('p', { class: 'status' }, 'Tracing where it appeared…'));
  /** @type {import('./api.js').ApiResult<import('./provenance.js').ProvenanceResponse>} */
  const result = await getJson(provenanceUrl(state), signal);
  if (signal.aborted) return;
  provenance.removeAttribute('aria-busy');
  renderProvenance(provenance, result, state);
}

/**
 * Asks the search API where the query matches this article (the search narrowed to its source
 * and day, so its paragraphs are on the first page) and marks those spans.
 *
 * @param {import('./article.js').Article} article
 * @param {PageState} state
 * @param {AbortSignal} signal
 */
async function markQuery(article, state, signal) {
  const day = article.date?.slice(0, 10) ?? '';
  const narrowed = { ...state, group: /** @type {const} */ ('paragraph'), sort: 'relevance', page: 1, sources: article.source ? [article.source] : [], from: day, to: day };
  /** @type {import('./api.js').ApiResult<{ hits: Array<{ articleId: string, paragraph: number, highlights: Array<[number, number]>, titleHighlights: Array<[number, number]> }> }>} */
  const result = await getJson(searchUrl(narrowed, { limit: 100, offset: 0 }), signal);
  if (signal.aborted || !result.ok) return;
  const mine = result.value.hits.filter((hit) => hit.articleId === article.id);
  markMatches(reader, article, { title: mine[0]?.titleHighlights ?? [], paragraphs: new Map(mine.map((hit) => [hit.paragraph, hit.highlights])) });
}

/** How many filters narrow the search: each source, and the date range as one. */
function filterCount(/** @type {PageState} */ state) {
  return state.sources.length + (state.from || state.to ? 1 : 0);
}

/** @param {PageState} state */
function fillForm(state) {
  queryInput.value = state.q;
  for (const radio of document.querySelectorAll('input[name="group"]')) {
    const input = /** @type {HTMLInputElement} */ (radio);
    input.checked = input.value === state.group;
  }
  /** @type {HTMLSelectElement} */ (byId('sort')).value = state.sort;
  /** @type {HTMLInputElement} */ (byId('copies')).checked = state.copies === 'all';
  /** @type {HTMLInputElement} */ (byId('from')).value = state.from;
  /** @type {HTMLInputElement} */ (byId('to')).value = state.to;
}

/** The state the form describes, back on page 1. */
function stateFromForm() {
  const entries = [...new FormData(form)].map(([name, value]) => [name, String(value)]);
  return stateFromSearch(`?${new URLSearchParams(entries)}`);
}

/** @param {PageState} state */
function navigate(state) {
  history.pushState(null, '', urlOf(state));
  window.scrollTo(0, 0);
  void render(state);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  completions.close();
  navigate(stateFromForm());
});

// Options, dates and source checkboxes (which sit outside the <form> element) apply at once.
document.addEventListener('change', (event) => {
  const target = /** @type {HTMLInputElement} */ (event.target);
  if (target.form === form && target !== queryInput && queryInput.value.trim() !== '') navigate(stateFromForm());
});

// Links within the page change the state without reloading it; others behave as links.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = /** @type {Element} */ (event.target).closest('a');
  const href = link?.getAttribute('href');
  if (!link || href === null || href === undefined || link.getAttribute('target')) return;
  if (href.startsWith('#')) {
    // The skip link: the focus moves to its target, and the URL (the page's state) stays as it is.
    const target = document.getElementById(href.slice(1));
    if (target === null) return;
    event.preventDefault();
    target.focus();
    return;
  }
  const url = new URL(href, location.href);
  if (url.origin !== location.origin || url.pathname !== '/') return;
  event.preventDefault();
  // A chip, an advice, a pager or chart link is redrawn by the navigation: the focus goes to the
  // results it changed, not back to the document's start.
  const redrawn = link.closest('#chips, #advice, #pager, #chart') !== null;
  const paged = link.closest('#provenance .pager') !== null;
  navigate(stateFromSearch(url.search));
  if (redrawn) results.focus({ preventScroll: true });
  if (paged) provenance.focus({ preventScroll: true });
});

// "/" anywhere but in a field goes to the search box, as on most search sites.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = /** @type {HTMLElement} */ (event.target);
  if (target.closest('input, textarea, select, [contenteditable]') !== null) return;
  event.preventDefault();
  queryInput.focus();
  queryInput.select();
});

window.addEventListener('popstate', () => void render(stateFromSearch(location.search)));

const initial = stateFromSearch(location.search);
// The search box has the focus on arrival, except in an article (the marked paragraph has it)
// and on a touch screen arriving at results, where the focus would open a keyboard over them.
const touchFirst = window.matchMedia('(pointer: coarse)').matches;
if (!initial.article && !(touchFirst && initial.q !== '')) queryInput.focus();
void render(initial);
