/**
 * @module assets/dom
 * Small DOM helpers for the page. Text only ever enters the DOM as text nodes; the one string
 * parsed as HTML is a search snippet, and only its text and `<mark>` elements are kept.
 */

/**
 * Creates an element. Attributes are set with `setAttribute` (never `innerHTML`); children are
 * nodes or strings (added as text); `null`, `undefined` and `false` children are skipped.
 *
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attributes]
 * @param {Array<Node | string | null | undefined | false>} children
 * @returns {HTMLElement}
 * @example h('a', { href: '/?q=truce' }, 'truce')
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** The SVG namespace, for {@link svg}. */
const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Creates an SVG element with attributes and children (strings become text).
 *
 * @param {string} tag
 * @param {Record<string, string | number>} [attributes]
 * @param {Array<Node | string>} children
 * @returns {SVGElement}
 */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

/**
 * `text` with the `[start, end)` spans wrapped in `<mark>`, as nodes. Spans out of order,
 * overlapping or out of range are skipped rather than trusted.
 *
 * @param {string} text
 * @param {ReadonlyArray<readonly [number, number]>} [spans]
 * @returns {DocumentFragment}
 */
export function markedText(text, spans = []) {
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of spans) {
    if (!(start >= at && end > start && end <= text.length)) continue;
    if (start > at) fragment.append(text.slice(at, start));
    fragment.append(h('mark', {}, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) fragment.append(text.slice(at));
  return fragment;
}

/**
 * The nodes of a snippet from the API (HTML-escaped text with `<mark>` around matches). It is
 * parsed in an inert `<template>` (no script runs, nothing loads), then only text and `<mark>`
 * are copied out: anything else the string might hold becomes its text.
 *
 * @param {string} html
 * @returns {DocumentFragment}
 */
export function snippetFragment(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  const fragment = document.createDocumentFragment();
  for (const node of template.content.childNodes) {
    if (node.nodeName === 'MARK') fragment.append(h('mark', {}, node.textContent ?? ''));
    else fragment.append(node.textContent ?? '');
  }
  return fragment;
}

/** Formats dates as "22 Nov 2023", in UTC so a date-only value never shifts a day. */
const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/**
 * A stored ISO date for reading, or `null` when there is none or it does not parse.
 *
 * @param {string | null | undefined} iso
 * @returns {string | null}
 */
export function formatDate(iso) {
  if (!iso) return null;
  const time = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(time) ? null : DATE_FORMAT.format(time);
}

/** Formats dates in full, as a citation writes them: "22 November 2023". */
const LONG_DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * A stored ISO date in full ("22 November 2023"), or `null`.
 *
 * @param {string | null | undefined} iso
 * @returns {string | null}
 */
export function formatLongDate(iso) {
  if (!iso) return null;
  const time = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(time) ? null : LONG_DATE_FORMAT.format(time);
}

/**
 * `count` and the noun, singular or plural: `plural(1, 'article')` is "1 article".
 *
 * @param {number} count
 * @param {string} one
 * @param {string} [many]
 * @returns {string}
 */
export function plural(count, one, many = `${one}s`) {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}
