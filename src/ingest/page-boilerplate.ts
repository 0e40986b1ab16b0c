/**
 * @module ingest/page-boilerplate
 * Takes out of an article page's DOM, before Readability reads it, what sits among the article's
 * paragraphs without being one (SPEC §2: "Bylines, figure captions, share buttons and 'read more'
 * lines of HTML pages are not paragraphs"): the byline line, every figure and image credit,
 * share bars, "Read more" / "Related" links, newsletter boxes, comment sections, tag lists,
 * author boxes and AMP widgets. Readability drops some of these on its own, but not reliably: it
 * keeps a byline whenever the page's metadata names the author, and keeps figures whole.
 *
 * Says what it took that belongs to the article: the byline as the page prints it and the
 * caption of the lead figure. Pure over the document it is given; odd markup removes less,
 * never throws.
 */
import { nonBlank } from './article.ts';

/** What {@link takeOutBoilerplate} kept of what it took out. */
export type PageParts = {
  /** The in-page byline's names ("By" and dates taken off), or `null`. */
  byline: string | null;
  /** The caption of the figure that opens the article (credit taken off), or `null`. */
  caption: string | null;
};

/** Widgets of AMP pages that hold no article text (ads, share buttons, menus, analytics). */
const WIDGET_TAGS = ['amp-ad', 'amp-analytics', 'amp-consent', 'amp-embed', 'amp-pixel', 'amp-sidebar', 'amp-social-share', 'amp-sticky-ad'];
/**
 * Matches a class or id part (lower case, words joined by `-`) naming boilerplate: share bars,
 * related and read-more links, newsletter boxes, tags, author boxes, captions and credits.
 * Matched on whole words, so `share-bar` and `jp-relatedposts` are boilerplate and `shared` or
 * `commentary` are not.
 */
const BOILERPLATE_NAME_RE =
  /(?:^|-)(?:share|sharing|sharebar|sharedaddy|sharethis|addthis|social|related|relatedposts|read-more|readmore|more-stories|also-read|recommended|outbrain|taboola|most-read|newsletter|signup|sign-up|subscribe|tags|tag-list|tagcloud|cat-links|author-(?:box|bio|info|card|profile)|about-(?:the-)?author|caption|credit|credits)(?:$|-)/;
/**
 * Matches a class or id part that is the name of a comment section, which may be longer than the
 * article and so is removed whatever its size: whole names only (`comments-open` on a body
 * wrapper names a setting, not a section).
 */
const COMMENTS_NAME_RE = /^(?:comments|comment-list|commentlist|comments-area|comments-section|comment-section|comments-container|respond|comment-respond|disqus-thread)$/;
/** Most text a boilerplate box other than comments holds: a longer one is more likely mislabelled article text. */
const MAX_BOX_CHARS = 1000;
/** Matches a class or id part naming a byline (as Readability's byline test, on whole words). */
const BYLINE_NAME_RE = /(?:^|-)(?:byline|author|authors|writtenby|contributor|contributors)(?:$|-)/;
/** Longest text of a byline element: longer ones are an author box or article text. */
const MAX_BYLINE_ELEMENT_CHARS = 100;
/** Matches the words that open a byline before the names: "By", "Written by", "Door", "Par", "Von", "Por". */
const BYLINE_LEAD_RE = /^(?:(?:written|posted|reported|words)\s+)?(?:by|door|par|von|por)\s+/i;
/** Matches what separates the parts of a byline line: "Anna de Vries · 14 March 2024". */
const BYLINE_SEPARATOR_RE = /\s*[·|•—–,]\s*|\s+-\s+/;
/** Words a byline line holds besides names and dates: "Posted on … by …", "Updated … 9:15 a.m.", "5 min read". */
const BYLINE_FILLER_WORDS: ReadonlySet<string> = new Set([
  'by', 'posted', 'published', 'updated', 'on', 'at', 'and', 'written', 'last', 'modified', 'am', 'pm', 'a', 'p', 'm', 'min', 'mins', 'minute', 'minutes', 'read',
  'jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'january', 'february', 'march', 'april', 'june',
  'july', 'august', 'september', 'october', 'november', 'december', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'monday', 'tuesday',
  'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
]);
/** Matches a token of a date or time: a number, an ordinal, a time zone (`CEST`, `GMT`, `UTC`). */
const DATE_TOKEN_RE = /^(?:\d+(?:st|nd|rd|th|h)?|[A-Z]{1,3}T|UTC)$/;
/** Matches the label that opens a "read more" line: "Read more:", "READ MORE", "Related:", "See also"… */
const READ_MORE_LABEL_RE =
  /^(?:read more|read next|read also|also read|see also|more on this(?: story)?|related(?: articles?| stories| content| coverage| reading)?|recommended(?: reading| stories)?|further reading|you may also like|most read|more from [\p{L}&' ]{1,30})(?:\s*[:：—–-]\s*|\s+|$)/iu;
/** Matches a whole line that only asks to share: "Share this article", "Share on Facebook", "Tweet this". */
const SHARE_LINE_RE = /^(?:share(?: this)?(?: article| story| page| post)?|share on [\p{L} ]{1,20}|tweet(?: this)?|e-?mail(?: this)?(?: article| story)?|copy link|print(?: this)?(?: article| story| page)?)\s*[:!.]?$/iu;
/** Matches a line opening a list of tags or categories: "Tags:", "Tagged", "Filed under". */
const TAGS_LINE_RE = /^(?:tags|tagged(?: with)?|filed under|topics|categories|posted in)\b\s*:?\s*/i;
/** Matches a line that opens like an image credit: "Photo: …", "Pictures by …". */
const CREDIT_LINE_RE = /^(?:photos?|photograph|pictures?|images?|video)\s*(?::|by\s)/i;
/** Most words of a credit line: "Photo: Jeroen Bakker / Delta Press" is one, "Pictures by residents showed the water rising" a sentence. */
const MAX_CREDIT_WORDS = 6;
/** Matches a credit closing a caption: "… on Thursday. (Photo: Harbour Post)" or "… on Wednesday. Photo: AP". */
const CAPTION_CREDIT_RE = /(?:\s*[([]\s*(?:photos?|photograph|pictures?|images?|credit|foto)\s*(?::|by\s)[^()[\]]*[)\]]|(?<=[.!?…])\s+(?:photos?|photograph|pictures?|images?|credit|foto)\s*(?::|by\s).*)\s*$/iu;
/** Matches class or id parts naming the credit inside a caption. */
const CREDIT_NAME_RE = /(?:^|-)(?:credit|credits|copyright|photographer|attribution)(?:$|-)/;
/** Longest line the text rules judge: "read more", share, tag and credit lines are short. */
const MAX_LINE_CHARS = 300;
/** Elements that make a line of their own for the text rules and the byline. */
const LINE_TAGS: ReadonlySet<string> = new Set(['p', 'li', 'dt', 'dd', 'h2', 'h3', 'h4', 'h5', 'h6', 'div', 'section', 'aside', 'header', 'footer', 'address']);
/** Headings: a line of their own whatever they hold. */
const HEADING_TAGS: ReadonlySet<string> = new Set(['h2', 'h3', 'h4', 'h5', 'h6']);
/** Elements that hold lines: a `div` holding one of these is a box, not a line. */
const CONTAINER_TAGS: ReadonlySet<string> = new Set(['p', 'li', 'ul', 'ol', 'dl', 'div', 'section', 'aside', 'article', 'header', 'footer', 'table', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'figure']);
/** Figures and their captions, which {@link leadCaption} reads before they go. */
const FIGURE_TAGS: ReadonlySet<string> = new Set(['figure', 'figcaption']);
/** Where a standfirst sits: paragraphs there come before the lead figure without ending the search for it. */
const NOT_TEXT_TAGS: ReadonlySet<string> = new Set(['figure', 'header']);

/**
 * Removes the boilerplate of an article page from `document` and returns its byline and lead
 * caption (see the module comment).
 *
 * @example
 * takeOutBoilerplate(parseHTML('<html><body><article><h1>T</h1><p class="byline">By Ann Lee</p><p>Text.</p></article></body></html>').document)
 * // { byline: 'Ann Lee', caption: null }, and the document keeps only the h1 and "Text."
 */
export function takeOutBoilerplate(document: Document): PageParts {
  const body = document.body as HTMLElement | null;
  if (body === null) return { byline: null, caption: null };
  const root = articleRoot(document, body);
  const headline = root.querySelector('h1') ?? body.querySelector('h1');
  const isShell = (element: Element): boolean => element.contains(root) || (headline !== null && element.contains(headline));

  for (const element of Array.from(body.querySelectorAll(WIDGET_TAGS.join(', ')))) element.remove();
  removeBoxes(body, isShell);
  removeLines(body, isShell);
  const byline = takeByline(root, isShell);
  const caption = leadCaption(root);
  for (const element of Array.from(body.querySelectorAll('figure, figcaption'))) element.remove();
  return { byline, caption };
}

/** The element holding the article: the `<article>` of the headline or of `articleBody`, else `<main>`, else the body. */
function articleRoot(document: Document, body: HTMLElement): Element {
  const articleBody = document.querySelector('[itemprop~="articleBody" i]');
  const headline = document.querySelector('h1');
  return articleBody?.closest('article') ?? articleBody ?? headline?.closest('article') ?? document.querySelector('main') ?? body;
}

/** The class and id parts of an element, lower case, words joined by `-`: `relatedPosts sd_block` → `related-posts`, `sd-block`. */
function nameParts(element: Element): string[] {
  const names = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`;
  return names
    .split(/\s+/)
    .filter((name) => name !== '')
    .map((name) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase());
}

function namedBy(element: Element, pattern: RegExp): boolean {
  return nameParts(element).some((part) => pattern.test(part));
}

/** Removes boxes named as boilerplate (share bars, related links, comments…). Figures are left to {@link leadCaption}. */
function removeBoxes(body: Element, isShell: (element: Element) => boolean): void {
  for (const element of Array.from(body.querySelectorAll('[class], [id]'))) {
    if (!body.contains(element) || isShell(element) || FIGURE_TAGS.has(tagOf(element)) || hasAncestor(element, FIGURE_TAGS)) continue;
    if (namedBy(element, COMMENTS_NAME_RE)) element.remove();
    else if (namedBy(element, BOILERPLATE_NAME_RE) && (element.textContent ?? '').length <= MAX_BOX_CHARS) element.remove();
  }
}

/** Removes single lines that are boilerplate by their text: "Read more: …", "Share this", "Tags: …", newsletter calls, credits. */
function removeLines(body: Element, isShell: (element: Element) => boolean): void {
  for (const element of Array.from(body.querySelectorAll([...LINE_TAGS].join(', ')))) {
    if (!body.contains(element) || isShell(element)) continue;
    const text = nonBlank(element.textContent) ?? '';
    if (text === '' || text.length > MAX_LINE_CHARS || !isLine(element)) continue;
    const label = READ_MORE_LABEL_RE.exec(text);
    if (label !== null) {
      const rest = text.slice(label[0].length);
      if (rest === '') {
        // A "Read more" heading: the list of links under it goes with it.
        const next = element.nextElementSibling;
        if (next !== null && ['ul', 'ol'].includes(tagOf(next)) && linkShare(next) >= 0.8) next.remove();
        element.remove();
      } else if (linkTextLength(element) >= rest.length / 2) {
        element.remove();
      }
    } else if (SHARE_LINE_RE.test(text) || (CREDIT_LINE_RE.test(text) && wordCount(text) <= MAX_CREDIT_WORDS)) {
      element.remove();
    } else if (TAGS_LINE_RE.test(text) && linkShare(element) >= 0.5) {
      element.remove();
    } else if (/newsletter/i.test(text) && /\b(?:sign(?:\s|-)?up|subscribe|inbox)\b/i.test(text) && element.querySelector('a, form, input, button') !== null) {
      element.remove();
    }
  }
}

/** True when an element reads as one line: a line element holding no other line. */
function isLine(element: Element): boolean {
  const tag = tagOf(element);
  if (!LINE_TAGS.has(tag)) return false;
  return HEADING_TAGS.has(tag) || !holdsAny(element, CONTAINER_TAGS);
}

function tagOf(element: Element): string {
  return element.tagName.toLowerCase();
}

/** True when an ancestor of `element` is one of `tags` (a walk up: no selector to compile per element). */
function hasAncestor(element: Element, tags: ReadonlySet<string>): boolean {
  for (let parent = element.parentElement; parent !== null; parent = parent.parentElement) if (tags.has(tagOf(parent))) return true;
  return false;
}

/** True when a descendant of `element` is one of `tags`. */
function holdsAny(element: Element, tags: ReadonlySet<string>): boolean {
  const pending = Array.from(element.children);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (tags.has(tagOf(next))) return true;
    pending.push(...Array.from(next.children));
  }
  return false;
}

function wordCount(text: string): number {
  return text.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '').length;
}

function linkTextLength(element: Element): number {
  return Array.from(element.querySelectorAll('a')).reduce((sum, link) => sum + (nonBlank(link.textContent)?.length ?? 0), 0);
}

/** The share of an element's text that is link text. */
function linkShare(element: Element): number {
  const length = nonBlank(element.textContent)?.length ?? 0;
  return length === 0 ? 0 : linkTextLength(element) / length;
}

/**
 * Finds the byline in `root` (an element named `byline`/`author`…, `rel="author"` or
 * `itemprop="author"`, short), removes the line that holds it (the byline with its date and
 * "Posted on" words, up to the block that holds nothing else) and returns its names. A byline
 * element inside a sentence ("Reporting by <a rel=author>…</a>; editing by …") is no byline line.
 */
function takeByline(root: Element, isShell: (element: Element) => boolean): string | null {
  const candidates = Array.from(root.querySelectorAll('[class], [id], [rel], [itemprop]')).filter(
    (element) => element.getAttribute('rel') === 'author' || (element.getAttribute('itemprop') ?? '').includes('author') || namedBy(element, BYLINE_NAME_RE),
  );
  for (const candidate of candidates) {
    if (!root.contains(candidate) || isShell(candidate)) continue;
    const length = nonBlank(candidate.textContent)?.length ?? 0;
    if (length === 0 || length > MAX_BYLINE_ELEMENT_CHARS) continue;
    let line = candidate;
    for (let parent = line.parentElement; parent !== null && parent !== root && !isShell(parent); parent = parent.parentElement) {
      if (!holdsOnlyByline(parent, candidate)) break;
      line = parent;
    }
    if (!LINE_TAGS.has(tagOf(line))) continue;
    const names = bylineNames(candidate);
    line.remove();
    if (names !== null) return names;
  }
  return null;
}

/** True when `element` holds nothing but `byline`, dates (`<time>` or written) and byline words. */
function holdsOnlyByline(element: Element, byline: Element): boolean {
  const rest = textOutside(element, (node) => node === byline || tagOf(node) === 'time');
  return rest
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token !== '')
    .every((token) => DATE_TOKEN_RE.test(token) || BYLINE_FILLER_WORDS.has(token.toLowerCase()));
}

/** The names of a byline element: its text without dates, the leading "By" and trailing separators. */
function bylineNames(element: Element): string | null {
  const text = nonBlank(textOutside(element, (node) => tagOf(node) === 'time'));
  if (text === null) return null;
  const parts = text
    .replace(BYLINE_LEAD_RE, '')
    .split(BYLINE_SEPARATOR_RE)
    .map((part) => part.trim())
    .filter((part) => part !== '' && !isDateText(part));
  return nonBlank(parts.join(', ').replace(BYLINE_LEAD_RE, ''));
}

/** True for text made only of date and time words: "14 March 2024", "Updated 08:00 CEST". */
function isDateText(text: string): boolean {
  const tokens = text.split(/[^\p{L}\p{N}]+/u).filter((token) => token !== '');
  return tokens.length > 0 && tokens.every((token) => DATE_TOKEN_RE.test(token) || BYLINE_FILLER_WORDS.has(token.toLowerCase())) && /\d/.test(text);
}

/** The text under `element`, leaving out the subtrees of the elements `skip` picks. */
function textOutside(element: Element, skip: (element: Element) => boolean): string {
  let text = '';
  const pending: Node[] = [element];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.nodeType === 3) text += node.nodeValue ?? '';
    else if (node.nodeType === 1 && (node === element || !skip(node as Element))) pending.push(...Array.from(node.childNodes).reverse());
  }
  return text;
}

/**
 * The caption of the figure that opens the article: the first figure of `root` that comes before
 * any paragraph of the article (a standfirst in the article's `<header>` aside). Its credit, marked
 * up or written at the end ("Photo: …"), is taken off. A figure further down is an illustration,
 * not the lead: its caption is dropped with it.
 */
function leadCaption(root: Element): string | null {
  for (const element of Array.from(root.querySelectorAll('figure, p'))) {
    if (tagOf(element) === 'p') {
      if (!hasAncestor(element, NOT_TEXT_TAGS) && nonBlank(element.textContent) !== null) return null;
      continue;
    }
    const figcaption = element.querySelector('figcaption');
    if (figcaption === null) continue;
    const text = nonBlank(textOutside(figcaption, (node) => namedBy(node, CREDIT_NAME_RE)));
    if (text === null) continue;
    return nonBlank(text.replace(CAPTION_CREDIT_RE, ''));
  }
  return null;
}
