/**
 * @module assets/copies
 * Wire copies on the page (SPEC §10): under a result that stands for a copy cluster, "Also ran
 * in N outlets", a button that lists the other copies (loaded from `GET /articles/:id` when it
 * is first opened); and in the article view, its copies, earliest first, with a note when the
 * article copies an earlier one.
 */
import { getJson } from './api.js';
import { formatDate, h, plural } from './dom.js';
import { articleError } from './messages.js';

/**
 * @typedef {object} CopiesSummary a collapsed hit's cluster, as `/search?collapse=copies` gives it
 * @property {number} count its articles, the hit's own included
 * @property {string[]} sources their distinct sources
 * @property {string | null} first the earliest date
 * @property {string | null} last the latest date
 */

/**
 * @typedef {object} Copy another article of the cluster, as `GET /articles/:id` lists it
 * @property {string} id
 * @property {string} title
 * @property {string | null} source
 * @property {string | null} date
 * @property {string | null} url
 */

/**
 * What "also ran" says of a cluster: the outlets besides the hit's own, or the articles when the
 * copies name no other source (all from one outlet, or no source recorded).
 *
 * @param {CopiesSummary} copies
 * @param {string | null} source the hit's own source
 * @returns {string}
 * @example alsoRanText({ count: 3, sources: ['Gazette', 'Herald', 'Wire'], first: null, last: null }, 'Wire') // 'Also ran in 2 other outlets'
 */
export function alsoRanText(copies, source) {
  const own = source?.toLowerCase() ?? null;
  const others = copies.sources.filter((other) => other.toLowerCase() !== own).length;
  if (others > 0) return `Also ran in ${plural(others, 'other outlet')}`;
  return `Also ran as ${plural(copies.count - 1, 'other article')}`;
}

/**
 * The "also ran" part of a result: a button (its `aria-expanded` kept in step) and the list of
 * the other copies it shows, fetched from the article when first opened. `null` when the hit's
 * cluster holds it alone.
 *
 * @param {{ articleId: string, source: string | null, copies?: CopiesSummary }} hit
 * @param {(id: string) => string} articleHref the page URL of an article
 * @returns {HTMLElement | null}
 */
export function alsoRan(hit, articleHref) {
  if (hit.copies === undefined || hit.copies.count < 2) return null;
  const listId = `copies-of-${hit.articleId}`;
  const button = h('button', { type: 'button', class: 'also-ran-toggle', 'aria-expanded': 'false', 'aria-controls': listId }, alsoRanText(hit.copies, hit.source));
  const list = h('div', { id: listId, class: 'also-ran-list', hidden: true });
  let loaded = false;
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    list.hidden = !open;
    if (!open || loaded) return;
    loaded = true;
    list.replaceChildren(h('p', { class: 'muted' }, 'Loading the copies…'));
    /** @type {import('./api.js').ApiResult<{ copies?: Copy[] }>} */
    const result = await getJson(`/articles/${encodeURIComponent(hit.articleId)}`);
    if (!result.ok) {
      // A failure is not remembered: closing and opening again tries again.
      loaded = false;
      list.replaceChildren(h('p', { class: 'also-ran-error', role: 'alert' }, articleError(result).text));
      return;
    }
    const copies = result.value.copies ?? [];
    list.replaceChildren(
      copies.length === 0 ? h('p', { class: 'muted' }, 'The other copies are no longer in the archive.') : copyList(copies, articleHref),
    );
  });
  return h('div', { class: 'also-ran' }, button, list);
}

/**
 * The copies as a list: title (a link to the article view), source and date, earliest first as
 * the API gives them.
 *
 * @param {Copy[]} copies
 * @param {(id: string) => string} articleHref
 * @returns {HTMLElement}
 */
function copyList(copies, articleHref) {
  return h(
    'ul',
    { class: 'copies' },
    ...copies.map((copy) =>
      h(
        'li',
        { class: 'copy-item', 'data-article': copy.id },
        h('a', { href: articleHref(copy.id), class: 'copy-link' }, copy.title || copy.id),
        ' ',
        h('span', { class: 'copy-meta' }, h('span', { class: 'copy-source' }, copy.source ?? 'unknown source'), ' · ', h('time', { datetime: copy.date ?? null }, formatDate(copy.date) ?? 'undated')),
      ),
    ),
  );
}

/**
 * The article view's copies: a note when the article copies an earlier one (its cluster's
 * earliest), and "Also ran in…" with the other copies, earliest first. `null` without copies.
 *
 * @param {{ id: string, copyOf?: string | null, copies?: Copy[] }} article
 * @param {(id: string) => string} articleHref
 * @returns {HTMLElement | null}
 */
export function articleCopies(article, articleHref) {
  const copies = article.copies ?? [];
  if (copies.length === 0) return null;
  const original = article.copyOf && article.copyOf !== article.id ? copies.find((copy) => copy.id === article.copyOf) : undefined;
  const note =
    original === undefined
      ? h('p', { class: 'copies-note' }, 'The earliest of its copies in the archive.')
      : h(
          'p',
          { class: 'copies-note is-copy' },
          'A copy of an earlier article: ',
          h('a', { href: articleHref(original.id), class: 'copy-of-link' }, original.title || original.id),
          ` (${[original.source ?? 'unknown source', formatDate(original.date) ?? 'undated'].join(', ')}).`,
        );
  const sources = new Set(copies.map((copy) => copy.source?.toLowerCase() ?? ''));
  sources.delete('');
  const heading = sources.size > 0 ? `Also ran in ${plural(sources.size, 'outlet')}` : `Also ran as ${plural(copies.length, 'other article')}`;
  return h('section', { class: 'reader-copies', 'aria-labelledby': 'reader-copies-title' }, h('h2', { id: 'reader-copies-title', class: 'reader-copies-title' }, heading), note, copyList(copies, articleHref));
}
