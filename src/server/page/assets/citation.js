/**
 * @module assets/citation
 * What "Copy citation" copies, in the article view and beside each result: title, source and
 * date, the link, the paragraph's number and words, and the day it was read — one item a line,
 * so it pastes into notes and messages alike — and the copying itself, with a way out where
 * the browser keeps the clipboard closed.
 */
import { formatLongDate, h } from './dom.js';

/** Matches a link the page may follow: absolute http(s) only, never `javascript:` and kin. */
export const WEB_URL_RE = /^https?:\/\//i;

/** The day a citation says the article was read: today, where the reader is. */
const ACCESS_DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

/**
 * @typedef {object} Citable
 * @property {string} title
 * @property {string | null} source
 * @property {string | null} date stored ISO date
 * @property {string | null} url the original's address
 * @property {{ number: number, text: string } | null} paragraph the paragraph cited, if one is
 * @property {string} permalink this archive's address of it, cited when there is no original link
 */

/**
 * The citation text.
 *
 * @param {Citable} citable
 * @param {Date} now the access date
 * @returns {string}
 * @example
 * citationText({ title: 'Qatar announces four-day truce in Gaza', source: 'Gulf Times', date: '2023-11-22',
 *   url: 'https://example.com/gulf-truce', paragraph: { number: 3, text: 'A ceasefire…' }, permalink }, new Date())
 * // “Qatar announces four-day truce in Gaza”
 * // Gulf Times, 22 November 2023
 * // https://example.com/gulf-truce
 * // Paragraph 3: “A ceasefire…”
 * // Accessed 2 December 2026
 */
export function citationText({ title, source, date, url, paragraph, permalink }, now) {
  const original = url && WEB_URL_RE.test(url) ? url : null;
  return [
    `“${title}”`,
    `${source ?? 'Unknown source'}, ${formatLongDate(date) ?? 'undated'}`,
    original ?? `No original link recorded; in this archive: ${permalink}`,
    paragraph === null ? null : `Paragraph ${paragraph.number}: “${paragraph.text}”`,
    `Accessed ${ACCESS_DATE_FORMAT.format(now)}`,
  ]
    .filter((line) => line !== null)
    .join('\n');
}

/**
 * A "Copy citation" button and the line that says what happened; the citation is made at the
 * click, so the access date is the day of the click.
 *
 * @param {() => Citable} citable
 * @param {{ label: string, describedAs?: string, copied?: string }} text the button's words, its accessible name, and what it says once done
 * @returns {HTMLElement} a `span` holding both
 */
export function copyCitationButton(citable, { label, describedAs, copied = 'Citation copied.' }) {
  const status = h('span', { class: 'copy-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'copy-citation', 'aria-label': describedAs ?? null }, label);
  const holder = h('span', { class: 'copy' }, button, status);
  button.addEventListener('click', () => void copy(citationText(citable(), new Date()), status, copied, holder));
  return holder;
}

/**
 * Copies `text` and says so in `status`. Where the clipboard is out of reach (a page served
 * over plain HTTP on another machine), the citation is shown selected, to copy by hand.
 *
 * @param {string} text
 * @param {HTMLElement} status
 * @param {string} copied
 * @param {HTMLElement} holder
 */
async function copy(text, status, copied, holder) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = copied;
    return;
  } catch {
    // Falls through to copying by hand.
  }
  let box = /** @type {HTMLTextAreaElement | null} */ (holder.querySelector('.citation-box'));
  if (box === null) {
    box = /** @type {HTMLTextAreaElement} */ (h('textarea', { class: 'citation-box', readonly: true, rows: 6, 'aria-label': 'Citation' }));
    holder.append(box);
  }
  box.value = text;
  box.focus();
  box.select();
  status.textContent = 'The browser did not allow copying: the citation is selected below, copy it with Ctrl+C (⌘C).';
}
