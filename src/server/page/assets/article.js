/**
 * @module assets/article
 * The article view: the whole article from `GET /articles/:id` with its source, date and
 * original link at the top, a "Copy citation" button, the paragraphs numbered (each number a
 * link that marks that paragraph for citing), the paragraph the search found marked and
 * scrolled into view, and the query's matches marked where the search API reports them.
 */
import { formatDate, formatLongDate, h, markedText } from './dom.js';

/**
 * @typedef {object} Article
 * @property {string} id
 * @property {string} title
 * @property {string | null} source
 * @property {string | null} date
 * @property {string | null} url
 * @property {string | null} [caption]
 * @property {string | null} [dateline]
 * @property {string[]} paragraphs
 */

/** Matches a link the page may follow: absolute http(s) only, never `javascript:` and kin. */
const WEB_URL_RE = /^https?:\/\//i;

/** The day a citation says the article was read: today, where the reader is. */
const ACCESS_DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

/**
 * @typedef {object} ArticleOptions
 * @property {number} target the paragraph to mark (0: none)
 * @property {string | null} backHref the results the reader came from
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
export function renderArticle(reader, article, { target, backHref, paragraphHref, permalink }) {
  const meta = [article.source ?? 'Unknown source', formatDate(article.date) ?? 'undated', article.dateline].filter(Boolean).join(' · ');
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
  const copied = h('span', { class: 'copy-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'copy-citation' }, target > 0 && article.paragraphs[target - 1] !== undefined ? `Copy citation (¶ ${target})` : 'Copy citation');
  // The access date is the day of the click, not of the page load.
  button.addEventListener('click', () => void copyCitation(citationText(article, target, permalink, new Date()), copied, reader));
  reader.replaceChildren(
    backHref === null ? '' : h('nav', { class: 'reader-nav' }, h('a', { href: backHref, class: 'back' }, '← Back to results')),
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
      h('p', { class: 'reader-actions' }, button, copied),
      article.caption ? h('p', { class: 'reader-caption' }, article.caption) : null,
    ),
    h('ol', { class: 'paragraphs' }, ...paragraphs),
    h('footer', { class: 'reader-footer' }, `Archive id ${article.id} · ${article.paragraphs.length} paragraphs`),
  );
  return paragraphs[target - 1] ?? null;
}

/**
 * The citation the button copies: title, source and date, the link, the paragraph's number
 * and words (when one is marked), and the day it was read. One item a line, so it pastes into
 * notes and messages alike.
 *
 * @param {Article} article
 * @param {number} target the marked paragraph (0: none)
 * @param {string} permalink cited when the article has no original link
 * @param {Date} now the access date
 * @returns {string}
 * @example
 * citationText(article, 3, 'http://127.0.0.1:3000/?article=a&p=3', new Date())
 * // “Qatar announces four-day truce in Gaza”
 * // Gulf Times, 22 November 2023
 * // https://example.com/gulf-truce
 * // Paragraph 3: “A ceasefire had been sought for weeks…”
 * // Accessed 2 December 2026
 */
export function citationText(article, target, permalink, now) {
  const paragraph = article.paragraphs[target - 1];
  const original = article.url && WEB_URL_RE.test(article.url) ? article.url : null;
  return [
    `“${article.title}”`,
    `${article.source ?? 'Unknown source'}, ${formatLongDate(article.date) ?? 'undated'}`,
    original ?? `No original link recorded; in this archive: ${permalink}`,
    paragraph === undefined ? null : `Paragraph ${target}: “${paragraph}”`,
    `Accessed ${ACCESS_DATE_FORMAT.format(now)}`,
  ]
    .filter((line) => line !== null)
    .join('\n');
}

/**
 * Copies `text` and says so in `status`. Where the clipboard is out of reach (a page served
 * over plain HTTP on another machine), the citation is shown selected, to copy by hand.
 *
 * @param {string} text
 * @param {HTMLElement} status
 * @param {HTMLElement} reader
 */
async function copyCitation(text, status, reader) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = 'Citation copied.';
    return;
  } catch {
    // Falls through to copying by hand.
  }
  let box = /** @type {HTMLTextAreaElement | null} */ (reader.querySelector('.citation-box'));
  if (box === null) {
    box = /** @type {HTMLTextAreaElement} */ (h('textarea', { class: 'citation-box', readonly: true, rows: 6, 'aria-label': 'Citation' }));
    status.after(box);
  }
  box.value = text;
  box.focus();
  box.select();
  status.textContent = 'The browser did not allow copying: the citation is selected below, copy it with Ctrl+C (⌘C).';
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
