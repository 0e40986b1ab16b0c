/**
 * @module assets/app
 * The search page's script (loaded by `GET /` as a module). The URL is the state: every
 * search, filter, page turn and opened article is a `history.pushState`, and rendering reads
 * the state back, so links can be shared and back/forward work. A newer view aborts the
 * requests of the one it replaces, so a slow answer never overwrites a newer one.
 */
import { getJson } from './api.js';
import { markMatches, renderArticle } from './article.js';
import { renderChart } from './chart.js';
import { h, plural } from './dom.js';
import { renderSources } from './filters.js';
import { renderHits, renderPager, renderReading, summaryText } from './results.js';
import { searchUrl, stateFromSearch, urlOf, withChanges } from './state.js';

/** @typedef {import('./state.js').PageState} PageState */

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
const hits = /** @type {HTMLOListElement} */ (byId('hits'));
const pager = byId('pager');
const filters = byId('filters');
const reader = byId('reader');
const reading = byId('reading');

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
  fillForm(state);
  document.body.dataset.state = 'loading';
  if (state.article) await showArticle(state, request.signal);
  else if (state.q.trim() === '') await showIntro(request.signal);
  else await showSearch(state, request.signal);
  if (!request.signal.aborted) document.body.dataset.state = 'ready';
}

/**
 * @param {'intro' | 'search' | 'article'} view
 */
function setView(view) {
  document.body.dataset.view = view;
  intro.hidden = view !== 'intro';
  results.hidden = view === 'article';
  filters.hidden = view !== 'search';
  reader.hidden = view !== 'article';
  if (view !== 'search') {
    setStatus('');
    reading.hidden = true;
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
  // Source counts come from a search without the source filter, so unticked sources keep theirs.
  const bySource = state.sources.length > 0;
  /** @type {[import('./api.js').ApiResult<import('./results.js').SearchResponse>, import('./api.js').ApiResult<import('./results.js').SearchResponse> | null]} */
  const [main, unfiltered] = await Promise.all([
    getJson(searchUrl(state, { facets: bySource ? 'month' : 'source,month' }), signal),
    bySource ? getJson(searchUrl({ ...state, sources: [] }, { limit: 1, offset: 0, facets: 'source' }), signal) : null,
  ]);
  if (signal.aborted) return;
  results.removeAttribute('aria-busy');
  if (!main.ok) {
    reading.hidden = true;
    hits.replaceChildren();
    pager.hidden = true;
    filters.hidden = true;
    setStatus(main.message, 'error');
    return;
  }
  const response = main.value;
  setStatus(summaryText(response, state), response.total === 0 ? 'empty' : '');
  renderReading(reading, response, state.q);
  renderHits(hits, response, state);
  renderPager(pager, response, state);
  const sourceCounts = unfiltered === null ? response.facets?.source : unfiltered.ok ? unfiltered.value.facets?.source : {};
  renderSources(byId('sources'), sourceCounts ?? {}, state.sources);
  renderChart(byId('chart'), response.facets?.month ?? {}, state);
}

/**
 * @param {PageState} state
 * @param {AbortSignal} signal
 */
async function showArticle(state, signal) {
  setView('article');
  // Keeps the URL's sources in the form, so a new search from here filters as before.
  renderSources(byId('sources'), {}, state.sources);
  const backHref = state.q ? urlOf(withChanges(state, {})) : null;
  reader.replaceChildren(h('p', { class: 'status' }, 'Loading the article…'));
  /** @type {import('./api.js').ApiResult<import('./article.js').Article>} */
  const result = await getJson(`/articles/${encodeURIComponent(state.article)}`, signal);
  if (signal.aborted) return;
  if (!result.ok) {
    const back = backHref === null ? null : h('a', { href: backHref, class: 'back' }, '← Back to results');
    reader.replaceChildren(h('p', { class: 'status is-error', role: 'alert' }, result.message), back ?? '');
    return;
  }
  const article = result.value;
  document.title = `${article.title} – News archive`;
  const target = renderArticle(reader, article, { target: state.p, backHref });
  if (target === null) window.scrollTo(0, 0);
  else {
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  }
  if (state.q.trim() !== '') await markQuery(article, state, signal);
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

/** @param {PageState} state */
function fillForm(state) {
  queryInput.value = state.q;
  for (const radio of form.querySelectorAll('input[name="group"]')) {
    const input = /** @type {HTMLInputElement} */ (radio);
    input.checked = input.value === state.group;
  }
  /** @type {HTMLSelectElement} */ (byId('sort')).value = state.sort;
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
  navigate(stateFromForm());
});

// Options and source checkboxes (which sit outside the <form> element) apply at once.
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
  const url = new URL(href, location.href);
  if (url.origin !== location.origin || url.pathname !== '/') return;
  event.preventDefault();
  navigate(stateFromSearch(url.search));
});

window.addEventListener('popstate', () => void render(stateFromSearch(location.search)));

void render(stateFromSearch(location.search));
