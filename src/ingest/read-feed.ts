/**
 * @module ingest/read-feed
 * Reads RSS 2.0 (and RSS 1.0/RDF) and Atom feeds (SPEC §2.4): each item or entry becomes the
 * raw fields of one article, its HTML content turned into plain-text paragraphs. The XML parser's
 * loosely typed output is narrowed once, into {@link XmlElement}s, and read from there.
 * Pure: a document that is not a feed gives `{ ok: false, reason }`, never an exception.
 */
import { createRequire } from 'node:module';
import type { X2jOptions } from 'fast-xml-parser';
import { splitParagraphs } from './article.ts';
import { absoluteHttpUrl, lenientDate, nonBlank, type ReadFields } from './article.ts';
import { fragmentParagraphs } from './read-html.ts';
import { messageOf } from '../errors.ts';

const require = createRequire(import.meta.url);
/** The XML parser, loaded when the first feed is read rather than at every start. */
let xml: typeof import('fast-xml-parser') | undefined;
function xmlTools(): typeof import('fast-xml-parser') {
  xml ??= require('fast-xml-parser') as typeof import('fast-xml-parser');
  return xml;
}

/** The dialects {@link readFeed} reads, by root element: `<rss>`, `<rdf:RDF>`, `<feed>`. */
export type FeedKind = 'rss' | 'rdf' | 'atom';

/** What {@link readFeed} makes of a document: its items, or why it is not a feed. */
export type FeedReading = { ok: true; kind: FeedKind; items: ReadFields[]; title?: string | null; keys?: Array<string | null> } | { ok: false; reason: string };

/** An XML element as read here: name as written (with any prefix), attributes, children in order. */
type XmlElement = { name: string; attributes: ReadonlyMap<string, string>; children: XmlNode[] };
/** A child of an element: an element, or text (CDATA included, entities decoded). */
type XmlNode = XmlElement | string;

/** Parser options: document order kept (mixed XHTML content), values left as strings. */
const XML_OPTIONS: X2jOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false, // a title "2024" stays a string
  parseAttributeValue: false,
  trimValues: false, // whitespace between inline HTML elements is meaningful
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: false, // HTML entities in content are decoded by the HTML parser, once
};
/** Matches the characters that must be escaped in HTML text, for {@link serialize}. */
const HTML_SPECIAL_RE = /[&<>]/g;
const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** Elements the XHTML serializer writes without an end tag (`<br></br>` would read as two breaks). */
const VOID_TAGS: ReadonlySet<string> = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * Reads an RSS or Atom feed into one raw article per item: title, link (`url`), date, source
 * (the item's own `<source>`, else the channel's or feed's title) and paragraphs (from
 * `content:encoded`/`<content>`, else `<description>`/`<summary>`).
 *
 * @example
 * readFeed('<rss><channel><title>Wire</title><item><title>T</title><link>https://w.example/1</link>' +
 *   '<description>&lt;p&gt;Text.&lt;/p&gt;</description></item></channel></rss>')
 * // { ok: true, kind: 'rss', items: [{ title: 'T', source: 'Wire', date: null, url: 'https://w.example/1', paragraphs: ['Text.'] }] }
 */
export function readFeed(text: string): FeedReading {
  const valid = xmlTools().XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    const where = typeof line === 'number' ? ` (line ${line}${typeof col === 'number' ? `, column ${col}` : ''})` : '';
    return { ok: false, reason: `not well-formed XML: ${msg}${where}` };
  }
  let parsed: unknown;
  try {
    parsed = new (xmlTools().XMLParser)(XML_OPTIONS).parse(text) as unknown;
  } catch (error) {
    return { ok: false, reason: `not well-formed XML: ${messageOf(error)}` };
  }
  const root = toNodes(parsed).find(isElement);
  if (root === undefined) return { ok: false, reason: 'not an RSS or Atom feed: no root element' };
  switch (root.name) {
    case 'rss': {
      const channel = child(root, 'channel');
      return { ok: true, kind: 'rss', items: channel === undefined ? [] : readRssItems(channel, channel), ...identities(channel, channel, 'item', 'guid') };
    }
    case 'rdf:RDF': {
      // RSS 1.0: the items are siblings of the channel, not its children.
      const channel = child(root, 'channel');
      return { ok: true, kind: 'rdf', items: channel === undefined ? [] : readRssItems(channel, root), ...identities(channel, root, 'item', 'guid') };
    }
    default:
      if (localName(root.name) === 'feed') {
        const prefix = root.name.includes(':') ? root.name.slice(0, root.name.indexOf(':') + 1) : '';
        return { ok: true, kind: 'atom', items: readAtomEntries(root), ...identities(root, root, `${prefix}entry`, `${prefix}id`) };
      }
      return { ok: false, reason: `not an RSS or Atom feed: the root element is <${root.name}>` };
  }
}

/** Matches `entry` ending an Atom entry's element name (`atom:entry` with a prefix): the feed's title is named alike, `atom:title`. */
const ENTRY_RE = /entry$/;

/**
 * The feed's title and each item's own identifier (RSS `<guid>`, Atom `<id>`; `null` without
 * one), in item order: what a subscription keys an item by when it has no link (SPEC §11).
 */
function identities(head: XmlElement | undefined, itemParent: XmlElement | undefined, itemName: string, keyName: string): { title: string | null; keys: Array<string | null> } {
  const title = head === undefined ? null : (atomText(child(head, itemName === 'item' ? 'title' : itemName.replace(ENTRY_RE, 'title'))) ?? null);
  return { title, keys: children(itemParent, itemName).map((item) => nonBlank(textOf(child(item, keyName)))) };
}

function readRssItems(channel: XmlElement, itemParent: XmlElement): ReadFields[] {
  const channelTitle = nonBlank(textOf(child(channel, 'title')));
  const channelLink = absoluteHttpUrl(textOf(child(channel, 'link'))) ?? undefined;
  return children(itemParent, 'item').map((item) => {
    const guid = child(item, 'guid');
    // A guid is the item's permalink unless it says otherwise (RSS 2.0).
    const guidUrl = guid?.attributes.get('isPermaLink')?.trim() === 'false' ? null : absoluteHttpUrl(textOf(guid));
    const content = fragmentParagraphs(textOf(child(item, 'content:encoded')));
    return {
      title: nonBlank(textOf(child(item, 'title'))),
      source: nonBlank(textOf(child(item, 'source'))) ?? channelTitle,
      date: lenientDate(textOf(child(item, 'pubDate'))) ?? lenientDate(textOf(child(item, 'dc:date'))),
      url: absoluteHttpUrl(textOf(child(item, 'link')), channelLink) ?? guidUrl,
      paragraphs: content.length > 0 ? content : fragmentParagraphs(textOf(child(item, 'description'))),
    };
  });
}

function readAtomEntries(feed: XmlElement): ReadFields[] {
  // A prefixed feed (`<atom:feed>`) prefixes its elements too; other namespaces keep theirs.
  const prefix = feed.name.includes(':') ? feed.name.slice(0, feed.name.indexOf(':') + 1) : '';
  const atom = (name: string): string => `${prefix}${name}`;
  const feedTitle = atomText(child(feed, atom('title')));
  const feedBase = feed.attributes.get('xml:base') ?? alternateHref(feed, atom('link'));
  return children(feed, atom('entry')).map((entry) => {
    const base = absoluteHttpUrl(entry.attributes.get('xml:base'), feedBase ?? undefined) ?? feedBase ?? undefined;
    const content = atomParagraphs(child(entry, atom('content')));
    return {
      title: atomText(child(entry, atom('title'))),
      source: atomText(child(child(entry, atom('source')), atom('title'))) ?? feedTitle,
      date: lenientDate(textOf(child(entry, atom('published')))) ?? lenientDate(textOf(child(entry, atom('updated')))),
      url: absoluteHttpUrl(alternateHref(entry, atom('link')), base),
      paragraphs: content.length > 0 ? content : atomParagraphs(child(entry, atom('summary'))),
    };
  });
}

/** The `href` of the element's alternate `<link>` (no `rel` means alternate), HTML preferred. */
function alternateHref(element: XmlElement, linkName: string): string | null {
  const alternates = children(element, linkName).filter((link) => (link.attributes.get('rel') ?? 'alternate') === 'alternate');
  const preferred = alternates.find((link) => (link.attributes.get('type') ?? 'text/html').includes('html')) ?? alternates[0];
  return nonBlank(preferred?.attributes.get('href'));
}

/** How an Atom text construct is written, from its `type` (RFC 4287 §3.1; default text). */
function atomType(element: XmlElement): 'text' | 'html' | 'xhtml' | 'other' {
  const type = (element.attributes.get('type') ?? 'text').trim().toLowerCase();
  if (type === 'html' || type === 'text/html') return 'html';
  if (type === 'xhtml' || type === 'application/xhtml+xml') return 'xhtml';
  return type === 'text' || type.startsWith('text/') ? 'text' : 'other';
}

/** The paragraphs of an Atom `<content>` or `<summary>`; none for out-of-line or binary content. */
function atomParagraphs(element: XmlElement | undefined): string[] {
  if (element === undefined || element.attributes.has('src')) return [];
  switch (atomType(element)) {
    case 'html':
      return fragmentParagraphs(textOf(element));
    case 'xhtml':
      return fragmentParagraphs(serialize(element.children));
    case 'text':
      return splitParagraphs(textOf(element));
    case 'other':
      return [];
  }
}

/** An Atom title as one line of plain text, whatever its type. */
function atomText(element: XmlElement | undefined): string | null {
  if (element === undefined) return null;
  return nonBlank(atomType(element) === 'text' ? textOf(element) : atomParagraphs(element).join(' '));
}

/** Turns the parser's ordered output (`[{ tag: [...children], ':@': {attrs} }, { '#text': … }]`) into nodes. */
function toNodes(value: unknown): XmlNode[] {
  if (!Array.isArray(value)) return [];
  const nodes: XmlNode[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const record = entry as Record<string, unknown>;
    for (const [key, content] of Object.entries(record)) {
      if (key === ':@') continue;
      if (key === '#text') {
        if (typeof content === 'string' || typeof content === 'number') nodes.push(String(content));
      } else {
        nodes.push({ name: key, attributes: toAttributes(record[':@']), children: toNodes(content) });
      }
    }
  }
  return nodes;
}

function toAttributes(value: unknown): ReadonlyMap<string, string> {
  const attributes = new Map<string, string>();
  if (typeof value !== 'object' || value === null) return attributes;
  for (const [name, content] of Object.entries(value as Record<string, unknown>)) {
    if (typeof content === 'string' || typeof content === 'number' || typeof content === 'boolean') attributes.set(name, String(content));
  }
  return attributes;
}

function isElement(node: XmlNode): node is XmlElement {
  return typeof node !== 'string';
}

function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element === undefined ? [] : element.children.filter((node): node is XmlElement => isElement(node) && node.name === name);
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((node): node is XmlElement => isElement(node) && node.name === name);
}

/** All the text inside an element, in order; `''` for a missing element. */
function textOf(element: XmlElement | undefined): string {
  if (element === undefined) return '';
  return element.children.map((node) => (isElement(node) ? textOf(node) : node)).join('');
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** Writes inline XHTML content back as HTML markup (names without prefix, text escaped) for the HTML reader. */
function serialize(nodes: readonly XmlNode[]): string {
  return nodes
    .map((node) => {
      if (!isElement(node)) return node.replace(HTML_SPECIAL_RE, (char) => HTML_ESCAPES[char] ?? char);
      const tag = localName(node.name).toLowerCase();
      return VOID_TAGS.has(tag) ? `<${tag}>` : `<${tag}>${serialize(node.children)}</${tag}>`;
    })
    .join('');
}
