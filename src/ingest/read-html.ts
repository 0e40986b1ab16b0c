/**
 * @module ingest/read-html
 * Reads an article page (SPEC §2.3): `@mozilla/readability` over a `linkedom` DOM finds the
 * article body; the page's metadata (Open Graph, JSON-LD, `<time>`, canonical link) gives the
 * title, source, date and URL. Also holds the HTML-to-paragraphs and lenient date/URL helpers
 * the feed reader shares. Pure: odd input gives missing fields, never an exception.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { absoluteHttpUrl, lenientDate, nonBlank, type ReadFields } from './article.ts';


/** Elements whose text starts and ends a paragraph of its own. */
const BLOCK_TAGS: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'caption', 'dd', 'details', 'div', 'dl', 'dt',
  'figcaption', 'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li',
  'main', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead',
  'tr', 'ul',
]);
/** Elements whose content is never article text: code, styling, embedded media, widgets. */
const SKIPPED_TAGS: ReadonlySet<string> = new Set([
  'button', 'canvas', 'embed', 'form', 'head', 'iframe', 'input', 'nav', 'noscript', 'object',
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
 * Returns `null` when the page has neither a title nor any text.
 *
 * @example
 * readHtmlArticle('<html><head><title>Storm</title></head><body><article><p>Rain fell.</p></article></body></html>')
 * // { title: 'Storm', source: null, date: null, url: null, paragraphs: ['Rain fell.'] }
 */
export function readHtmlArticle(html: string, baseUrl?: string): ReadFields | null {
  const document = parseDocument(html);
  // Metadata first: Readability rewrites the document (drops scripts, so JSON-LD too).
  const meta = metaValues(document);
  const jsonLdDate = jsonLdPublished(document);
  const url =
    absoluteHttpUrl(document.querySelector('link[rel~="canonical" i]')?.getAttribute('href'), baseUrl) ??
    absoluteHttpUrl(meta.get('og:url'), baseUrl) ??
    absoluteHttpUrl(baseUrl);
  const fallbackTitle =
    meta.get('og:title') ?? textOf(document.querySelector('title')) ?? textOf(document.querySelector('h1'));
  const dates = [
    meta.get('article:published_time'),
    jsonLdDate,
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
  const parsed = runReadability(document);
  dates.push(parsed?.publishedTime);
  const title = nonBlank(parsed?.title) ?? fallbackTitle;
  const paragraphs = parsed?.content == null ? [] : htmlParagraphs(parsed.content);
  if (title === null && paragraphs.length === 0) return null;
  return {
    title,
    source: sourceFromMeta ?? nonBlank(parsed?.siteName),
    date: firstDate(dates),
    url,
    paragraphs,
  };
}

/**
 * Splits a fragment of HTML into plain-text paragraphs: each block element (`p`, `li`,
 * `blockquote`, headings, cells…) and each run separated by `<br><br>` is one paragraph; tags
 * go, entities are decoded, whitespace collapses, empty ones are dropped. Script, style and
 * form content never becomes text; text that merely *reads* `<script>` (escaped) stays.
 *
 * @example
 * fragmentParagraphs('<p>One &amp; two</p>Three<br><br>Four<script>x()</script>') // ['One & two', 'Three', 'Four']
 */
export function fragmentParagraphs(html: string): string[] {
  if (html.trim() === '') return [];
  const { document } = parseHTML(inBody(html));
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
    return parseHTML(inBody(text)).document;
  }
  const { document } = parseHTML(text);
  const root = document.documentElement as HTMLElement | null; // null when `<html` was only in a comment
  if (root === null) return parseHTML(inBody(text)).document;
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
    return new Readability<Node>(document, { serializer: (node) => node }).parse();
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

/** The page's `<meta>` values by lower-cased `property`, `name` or `itemprop` (first one wins). */
function metaValues(document: Document): Map<string, string> {
  const values = new Map<string, string>();
  for (const element of Array.from(document.querySelectorAll('meta'))) {
    const content = nonBlank(element.getAttribute('content'));
    if (content === null) continue;
    for (const attribute of ['property', 'name', 'itemprop']) {
      const key = element.getAttribute(attribute)?.trim().toLowerCase();
      if (key !== undefined && key !== '' && !values.has(key)) values.set(key, content);
    }
  }
  return values;
}

/** The first `datePublished` in the page's JSON-LD blocks (objects, arrays and `@graph`s). */
function jsonLdPublished(document: Document): string | null {
  for (const script of Array.from(document.querySelectorAll('script[type="application/ld+json" i]'))) {
    let data: unknown;
    try {
      data = JSON.parse(script.textContent ?? '') as unknown;
    } catch {
      continue; // broken JSON-LD is common and says nothing about the article
    }
    const found = findDatePublished(data, 0);
    if (found !== null) return found;
  }
  return null;
}

/** How deep {@link findDatePublished} looks: JSON-LD nests a few levels, never dozens. */
const MAX_JSON_LD_DEPTH = 6;

function findDatePublished(value: unknown, depth: number): string | null {
  if (depth > MAX_JSON_LD_DEPTH || typeof value !== 'object' || value === null) return null;
  const children: unknown[] = Array.isArray(value) ? value : [];
  if (!Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (typeof record.datePublished === 'string' && record.datePublished.trim() !== '') return record.datePublished;
    children.push(record['@graph'], record.mainEntity);
  }
  for (const child of children) {
    const found = findDatePublished(child, depth + 1);
    if (found !== null) return found;
  }
  return null;
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
