/**
 * @module assets/article
 * The article view: the whole article from `GET /articles/:id` with its source, date and
 * original link at the top, a "Copy citation" button, the paragraphs numbered (each number a
 * link that marks that paragraph for citing), the paragraph the search found marked and
 * scrolled into view, and the query's matches marked where the search API reports them.
 */
import { copyCitationButton, WEB_URL_RE } from './citation.js';
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
 * @property {string | null} [copyOf] its copy cluster, by the id of the cluster's earliest article
 * @property {import('./copies.js').Copy[]} [copies] the cluster's other articles, earliest first
 */

/**
 * @typedef {object} ArticleOptions
 * @property {number} target the paragraph to mark (0: none)
 * @property {string | null} backHref the results (or timeline) the reader came from
 * @property {string} [backLabel] what the way back says
 * @property {(paragraph: number) => string} paragraphHref the page URL marking another paragraph
 * @property {string} permalink this view's own absolute URL, cited when the article has no original link
 */

/**
 * Fills `reader` with the article and returns the marked paragraph, if any.
 *
 * @param {HTMLElement} reader
 * @param {Article} article
 * @param {ArticleOptions} options
 * @returns {HTMLElement | null}
 */
export function renderArticle(reader, article, { target, backHref, backLabel = '← Back to results', paragraphHref, permalink }) {
  const byline = article.byline ? `By ${article.byline}` : null;
  const meta = [byline, article.source ?? 'Unknown source', formatDate(article.date) ?? 'undated', article.dateline].filter(Boolean).join(' · ');
  const paragraphs = article.paragraphs.map((text, index) => {
    const number = index + 1;
    const isTarget = number === target;
    return h(
      'li',
      { id: `p-${number}`, class: isTarget ? 'paragraph is-target' : 'paragraph', 'data-paragraph': number, 'aria-current': isTarget ? 'true' : null, tabindex: isTarget ? -1 : null },
      h('a', { class: 'paragraph-number', href: paragraphHref(number), 'aria-label': `Paragraph ${number}${isTarget ? ' (marked for citing)' : ': mark for citing'}` }, String(number)),
      h('p', { class: 'paragraph-text' }, text),
    );
  });
  const original = article.url && WEB_URL_RE.test(article.url) ? article.url : null;
  const cited = article.paragraphs[target - 1];
  const paragraph = cited === undefined ? null : { number: target, text: cited };
  const copy = copyCitationButton(() => ({ ...article, paragraph, permalink }), { label: paragraph === null ? 'Copy citation' : `Copy citation (¶ ${target})` });
  reader.replaceChildren(
    backHref === null ? '' : h('nav', { class: 'reader-nav' }, h('a', { href: backHref, class: 'back' }, backLabel)),
    h(
      'header',
      { class: 'reader-header' },
      h('h1', { class: 'reader-title' }, article.title),
      h('p', { class: 'reader-meta' }, meta),
      h(
        'p',
        { class: 'reader-original' },
        original === null ? 'No link to the original was recorded for this article.' : h('span', { class: 'reader-original-label' }, 'Original article: '),
        original === null ? null : h('a', { href: original, rel: 'noopener noreferrer', target: '_blank', class: 'original-link' }, original),
      ),
      h('p', { class: 'reader-actions' }, copy),
      article.caption ? h('p', { class: 'reader-caption' }, article.caption) : null,
    ),
    h('ol', { class: 'paragraphs' }, ...paragraphs),
    h('footer', { class: 'reader-footer' }, `Archive id ${article.id} · ${article.paragraphs.length} paragraphs`),
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
