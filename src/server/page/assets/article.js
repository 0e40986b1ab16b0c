/**
 * @module assets/article
 * The article view: the whole article from `GET /articles/:id`, paragraphs numbered, the
 * paragraph the search found marked and scrolled into view, and the query's matches marked
 * where the search API reports them for this article.
 */
import { formatDate, h, markedText } from './dom.js';

/**
 * @typedef {object} Article
 * @property {string} id
 * @property {string} title
 * @property {string | null} source
 * @property {string | null} date
 * @property {string | null} url
 * @property {string | null} [caption]
 * @property {string | null} [dateline]
 * @property {string | null} [byline]
 * @property {string[]} paragraphs
 */

/** Matches a link the page may follow: absolute http(s) only, never `javascript:` and kin. */
const WEB_URL_RE = /^https?:\/\//i;

/**
 * Fills `reader` with the article and returns the marked paragraph, if any.
 *
 * @param {HTMLElement} reader
 * @param {Article} article
 * @param {{ target: number, backHref: string | null }} options
 * @returns {HTMLElement | null}
 */
export function renderArticle(reader, article, { target, backHref }) {
  const date = formatDate(article.date);
  const byline = article.byline ? `By ${article.byline}` : null;
  const meta = [byline, article.source ?? 'unknown source', date ?? 'undated', article.dateline].filter(Boolean).join(' · ');
  const paragraphs = article.paragraphs.map((text, index) => {
    const number = index + 1;
    const isTarget = number === target;
    return h(
      'li',
      { id: `p-${number}`, class: isTarget ? 'paragraph is-target' : 'paragraph', 'data-paragraph': number, 'aria-current': isTarget ? 'true' : null, tabindex: isTarget ? -1 : null },
      h('span', { class: 'paragraph-number', 'aria-hidden': 'true' }, String(number)),
      h('p', { class: 'paragraph-text' }, text),
    );
  });
  const original = article.url && WEB_URL_RE.test(article.url) ? article.url : null;
  reader.replaceChildren(
    backHref === null ? '' : h('nav', { class: 'reader-nav' }, h('a', { href: backHref, class: 'back' }, '← Back to results')),
    h(
      'header',
      { class: 'reader-header' },
      h('h1', { class: 'reader-title' }, article.title),
      h('p', { class: 'reader-meta' }, meta),
      article.caption ? h('p', { class: 'reader-caption' }, article.caption) : null,
    ),
    h('ol', { class: 'paragraphs' }, ...paragraphs),
    h(
      'footer',
      { class: 'reader-footer' },
      original === null ? 'No link to the original.' : 'Original: ',
      original === null ? null : h('a', { href: original, rel: 'noopener noreferrer', target: '_blank' }, new URL(original).host),
      ` · id ${article.id}`,
    ),
  );
  return paragraphs[target - 1] ?? null;
}

/**
 * Marks the query's matches in the rendered article: `highlights` are the API's offsets per
 * paragraph number (and `title` for the title).
 *
 * @param {HTMLElement} reader
 * @param {Article} article
 * @param {{ title: Array<[number, number]>, paragraphs: Map<number, Array<[number, number]>> }} highlights
 */
export function markMatches(reader, article, highlights) {
  const title = reader.querySelector('.reader-title');
  if (title !== null && highlights.title.length > 0) title.replaceChildren(markedText(article.title, highlights.title));
  for (const [number, spans] of highlights.paragraphs) {
    const text = reader.querySelector(`#p-${number} .paragraph-text`);
    const source = article.paragraphs[number - 1];
    if (text !== null && source !== undefined) text.replaceChildren(markedText(source, spans));
  }
}
