/**
 * @module ingest/read-html
 * Reads an article page (SPEC §2.3): `@mozilla/readability` over a `linkedom` DOM finds the
 * article body; the page's metadata (Open Graph, JSON-LD, `<time>`, canonical link) gives the
 * title, source, date and URL. Also holds the HTML-to-paragraphs and lenient date/URL helpers
 * the feed reader shares. Pure: odd input gives missing fields, never an exception.
 */
import { createRequire } from 'node:module';
import type { Readability } from '@mozilla/readability';
import type { parseHTML as ParseHTML } from 'linkedom';
import { absoluteHttpUrl, lenientDate, MAX_BYLINE_CHARS, nonBlank, type ReadFields } from './article.ts';
import { takeOutBoilerplate } from './page-boilerplate.ts';
import { jsonLdArticle, metadataByline, metaValues } from './page-metadata.ts';

const require = createRequire(import.meta.url);
/** linkedom and Readability, loaded when the first page is read: they take a third of a second to load, which every start would pay. */
let htmlTools: { parseHTML: typeof ParseHTML; Readability: typeof Readability } | undefined;
function tools(): { parseHTML: typeof ParseHTML; Readability: typeof Readability } {
  htmlTools ??= {
    parseHTML: (require('linkedom') as typeof import('linkedom')).parseHTML,
    Readability: (require('@mozilla/readability') as typeof import('@mozilla/readability')).Readability,
  };
  return htmlTools;
}


/** What a page gives: a feed item's fields, and the byline and lead caption only a page has. */
export type PageFields = ReadFields & { byline: string | null; caption: string | null };

/** Elements whose text starts and ends a paragraph of its own. */
const BLOCK_TAGS: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'caption', 'dd', 'details', 'div', 'dl', 'dt',
  'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li',
  'main', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead',
  'tr', 'ul',
]);
/** Elements whose content is never article text: code, styling, embedded media and their captions (SPEC §2), widgets. */
const SKIPPED_TAGS: ReadonlySet<string> = new Set([
  'button', 'canvas', 'embed', 'figcaption', 'figure', 'form', 'head', 'iframe', 'input', 'nav', 'noscript', 'object',
  'script', 'select', 'style', 'svg', 'template', 'textarea', 'title',
]);
/** Matches an `<html` start tag: without one, linkedom builds no document element at all. */
const HAS_HTML_ROOT_RE = /<html[\s>]/i;
/** How deep elements may nest under `<body>` before {@link flattenDeepElements} flattens them: real pages stay under ~50. */
const MAX_ELEMENT_DEPTH = 64;
/** Marks, on the walk's stack, the end of a block element's children. */
const BLOCK_END: unique symbol = Symbol('block end');
/** `Node.ELEMENT_NODE` and `Node.TEXT_NODE`: linkedom has no global `Node` to read them from. */
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/**
 * Extracts an article from a whole HTML page. `baseUrl` (the page's address, if known)
 * resolves a relative canonical link and stands in as the URL when the page names none.
 * The byline (JSON-LD or `<meta>` author, else the page's byline line) and the lead figure's
 * caption are fields of their own; neither they nor any other figure caption, share bar,
 * "read more" line, newsletter box, comment, tag list or author box is a paragraph.
 * Returns `null` when the page has neither a title nor any text.
 *
 * @example
 * readHtmlArticle('<html><head><title>Storm</title></head><body><article><p>Rain fell.</p></article></body></html>')
 * // { title: 'Storm', source: null, date: null, url: null, byline: null, caption: null, paragraphs: ['Rain fell.'] }
 */
export function readHtmlArticle(html: string, baseUrl?: string): PageFields | null {
  const document = parseDocument(html);
  // Metadata first: Readability rewrites the document (drops scripts, so JSON-LD too).
  const meta = metaValues(document);
  const jsonLd = jsonLdArticle(document);
  const url =
    absoluteHttpUrl(document.querySelector('link[rel~="canonical" i]')?.getAttribute('href'), baseUrl) ??
    absoluteHttpUrl(meta.get('og:url'), baseUrl) ??
    absoluteHttpUrl(baseUrl);
  const headline = textOf(document.querySelector('h1'));
  const fallbackTitle = meta.get('og:title') ?? textOf(document.querySelector('title')) ?? headline;
  const dates = [
    meta.get('article:published_time'),
    jsonLd.datePublished,
    document.querySelector('[itemprop="datePublished"]')?.getAttribute('datetime'),
    meta.get('datepublished'),
    document.querySelector('time[datetime]')?.getAttribute('datetime'),
    meta.get('date'),
    meta.get('dc.date'),
    meta.get('dcterms.date'),
    meta.get('dc.date.issued'),
  ];
  const sourceFromMeta = meta.get('og:site_name') ?? meta.get('application-name');

  flattenDeepElements(document.body);
  // After flattening: what it looks at around each element is then bounded by the depth.
  const parts = takeOutBoilerplate(document);
  const parsed = runReadability(document);
  dates.push(parsed?.publishedTime);
  const titled = withoutSiteName(nonBlank(parsed?.title) ?? fallbackTitle, headline);
  const paragraphs = parsed?.content == null ? [] : htmlParagraphs(parsed.content);
  if (titled.title === null && paragraphs.length === 0) return null;
  const source = sourceFromMeta ?? nonBlank(parsed?.siteName) ?? titled.siteName;
  const byline = metadataByline(meta, jsonLd, source) ?? parts.byline;
  return {
    title: titled.title,
    source,
    date: firstDate(dates),
    url,
    // A byline too long to be one is left out rather than failing the page's validation.
    byline: byline !== null && byline.length <= MAX_BYLINE_CHARS ? byline : null,
    caption: parts.caption,
    paragraphs,
  };
}

/** Matches a separator between a headline and the site's name in a `<title>`, at the start of the rest: " – Field Notes". */
const SEPARATOR_AFTER_RE = /^\s+[|–—·»/•-]\s+/;
/** The same, at the end of the rest: "Field Notes | ". */
const SEPARATOR_BEFORE_RE = /\s+[|–—·»/•-]\s+$/;

/**
 * The title without the site's name beside the headline ("Ten years of walking – Field Notes"
 * → "Ten years of walking"), and that name; the title as it is when it is not the headline
 * and a name set apart by a separator.
 */
function withoutSiteName(title: string | null, headline: string | null): { title: string | null; siteName: string | null } {
  if (title === null || headline === null || title === headline) return { title, siteName: null };
  if (title.startsWith(headline)) {
    const rest = title.slice(headline.length);
    const separator = SEPARATOR_AFTER_RE.exec(rest);
    if (separator !== null) return { title: headline, siteName: nonBlank(rest.slice(separator[0].length)) };
  }
  if (title.endsWith(headline)) {
    const rest = title.slice(0, title.length - headline.length);
    const separator = SEPARATOR_BEFORE_RE.exec(rest);
    if (separator !== null) return { title: headline, siteName: nonBlank(rest.slice(0, separator.index)) };
  }
  return { title, siteName: null };
}

/**
 * Splits a fragment of HTML into plain-text paragraphs: each block element (`p`, `li`,
 * `blockquote`, headings, cells…) and each run separated by `<br><br>` is one paragraph; tags
 * go, entities are decoded, whitespace collapses, empty ones are dropped. Script, style and
 * form content never becomes text, nor do figures and their captions (SPEC §2: captions are not
 * paragraphs); text that merely *reads* `<script>` (escaped) stays.
 *
 * @example
 * fragmentParagraphs('<p>One &amp; two</p>Three<br><br>Four<script>x()</script>') // ['One & two', 'Three', 'Four']
 */
export function fragmentParagraphs(html: string): string[] {
  if (html.trim() === '') return [];
  const { document } = tools().parseHTML(inBody(html));
  return htmlParagraphs(document.body);
}

/** `html` as the body of an otherwise empty page: linkedom implies no `<html>` or `<body>`. */
function inBody(html: string): string {
  return `<!DOCTYPE html><html><head></head><body>${html}</body></html>`;
}

/** Parses a page so that `documentElement` and `body` exist and hold all of its content. */
function parseDocument(text: string): Document {
  if (!HAS_HTML_ROOT_RE.test(text)) {
    // linkedom has no implied <html>/<body>: a bare fragment would leave documentElement null.
    return tools().parseHTML(inBody(text)).document;
  }
  const { document } = tools().parseHTML(text);
  const root = document.documentElement as HTMLElement | null; // null when `<html` was only in a comment
  if (root === null) return tools().parseHTML(inBody(text)).document;
  const body = document.body; // linkedom creates an empty body when the markup has none
  for (const child of Array.from(root.childNodes)) {
    const name = child.nodeName.toLowerCase();
    if (name !== 'head' && name !== 'body') body.append(child);
  }
  return document;
}

type ReadabilityResult = ReturnType<Readability<Node>['parse']>;

function runReadability(document: Document): ReadabilityResult {
  try {
    return new (tools().Readability)<Node>(document, { serializer: (node) => node }).parse();
  } catch {
    return null; // a page Readability cannot handle simply has no body text
  }
}

/** Collects the paragraphs under `root` (see {@link fragmentParagraphs}). */
function htmlParagraphs(root: Node): string[] {
  const paragraphs: string[] = [];
  // Lines of the paragraph being read: a <br> starts a new line, a blank line ends a paragraph.
  let lines: string[] = [''];
  const flush = (): void => {
    let current: string[] = [];
    for (const line of lines) {
      const text = nonBlank(line);
      if (text !== null) current.push(text);
      else if (current.length > 0) {
        paragraphs.push(current.join(' '));
        current = [];
      }
    }
    if (current.length > 0) paragraphs.push(current.join(' '));
    lines = [''];
  };
  // An explicit stack, not recursion: hostile markup may nest thousands of levels deep.
  const pending: Array<Node | typeof BLOCK_END> = Array.from(root.childNodes).reverse();
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next === BLOCK_END) {
      flush();
    } else if (next.nodeType === TEXT_NODE) {
      lines[lines.length - 1] += next.nodeValue ?? '';
    } else if (next.nodeType === ELEMENT_NODE) {
      const element = next as Element;
      const tag = element.tagName.toLowerCase();
      if (SKIPPED_TAGS.has(tag) || element.hasAttribute('hidden')) continue;
      if (tag === 'br') {
        lines.push('');
        continue;
      }
      if (BLOCK_TAGS.has(tag)) {
        flush();
        pending.push(BLOCK_END);
      }
      pending.push(...Array.from(element.childNodes).reverse());
    } // other nodes (comments, processing instructions) hold no text
  }
  flush();
  return paragraphs;
}

/**
 * Replaces every element nested deeper than {@link MAX_ELEMENT_DEPTH} by plain `<p>`s of its
 * text, so the text stays but Readability's cost, which grows with depth squared, stays bounded.
 */
function flattenDeepElements(root: Element): void {
  const pending: Array<{ element: Element; depth: number }> = [{ element: root, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const child of Array.from(next.element.children)) {
      if (next.depth < MAX_ELEMENT_DEPTH) {
        pending.push({ element: child, depth: next.depth + 1 });
        continue;
      }
      const document = child.ownerDocument;
      const replacements = htmlParagraphs(child).map((text) => {
        const paragraph = document.createElement('p');
        paragraph.textContent = text;
        return paragraph;
      });
      child.replaceWith(...replacements);
    }
  }
}

function firstDate(candidates: ReadonlyArray<string | null | undefined>): string | null {
  for (const candidate of candidates) {
    const date = lenientDate(candidate);
    if (date !== null) return date;
  }
  return null;
}

function textOf(element: Element | null): string | null {
  return nonBlank(element?.textContent);
}
