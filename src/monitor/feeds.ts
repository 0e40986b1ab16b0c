/**
 * @module monitor/feeds
 * A page of hits as an Atom 1.0 or RSS 2.0 feed (SPEC §11: a saved search is a subscription):
 * one entry per hit, newest first as given, every text escaped for XML 1.0 (characters XML
 * forbids dropped), entry ids that a hit keeps across requests, dates as each format wants them.
 * Pure: the caller gives the hits and the URLs.
 */
import { createHash } from 'node:crypto';
import type { Hit } from '../service/search-service.ts';

/** What a feed says about its search, besides the hits. */
export type FeedInput = {
  /** The query as typed; the feed's title names it. */
  q: string;
  /** The feed's own absolute URL (`rel="self"`); it also identifies the feed. */
  selfUrl: string;
  /** The search page showing the same search (`rel="alternate"`). */
  pageUrl: string;
  /** The page view of a hit's article, for hits without an original URL. */
  articleUrl: (hit: Hit) => string;
  /** Whether a hit stands for its article (`group=article`): its id is then the article's. */
  perArticle: boolean;
  hits: readonly Hit[];
};

/** Media types of the two formats. */
export const ATOM_TYPE = 'application/atom+xml; charset=utf-8';
export const RSS_TYPE = 'application/rss+xml; charset=utf-8';

/** What the feed's `updated` says when no hit has a date: a fixed instant, so the feed does not look new at every poll. */
const NO_DATE = '1970-01-01T00:00:00Z';
/**
 * The namespace of the feed and entry ids (a version 5 UUID names something within it): fixed,
 * so the same hit always gets the same id (RFC 4122, name-based).
 */
const ID_NAMESPACE = '5b0e1c52-6f0c-4d8e-9a43-1f3c0e2b7d61';

/**
 * Matches what XML 1.0 does not allow in a document (§2.2): C0 controls but tab, line feed and
 * carriage return; U+FFFE and U+FFFF; surrogates that are not part of a pair.
 */
const XML_FORBIDDEN_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/**
 * Matches the characters escaped in XML text and attribute values: the five special ones, and
 * tab, line feed and carriage return, which a parser would otherwise normalize (a lone CR reads
 * as LF, §2.11; in an attribute, all three read as spaces, §3.3.3).
 */
const XML_SPECIAL_RE = /[&<>"'\t\n\r]/g;
const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };
/** Matches a date without a time, as articles may carry. */
const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `text` as XML character data or an attribute value: forbidden characters dropped, special
 * ones and line ends escaped, so a parser reads back exactly the text that is left. Never throws.
 *
 * @example
 * escapeXml('Tom & "Jerry" <3\u0007') // 'Tom &amp; &quot;Jerry&quot; &lt;3'
 */
export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN_RE, '').replace(XML_SPECIAL_RE, (char) => XML_ENTITIES[char] ?? char);
}

/**
 * A stable URN for `name`: a version 5 (SHA-1, name-based) UUID in this service's namespace.
 *
 * @example
 * entryId('paragraph:abc:4') === entryId('paragraph:abc:4') // true, on every request
 */
export function entryId(name: string): string {
  const namespace = Buffer.from(ID_NAMESPACE.replaceAll('-', ''), 'hex');
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The name a hit's id is made from: its paragraph, or its article when hits stand for articles. */
function hitName(hit: Hit, perArticle: boolean): string {
  return perArticle ? `article:${hit.articleId}` : `paragraph:${hit.id}`;
}

/** An article date as an instant: a date alone is its first moment, UTC. Null when unreadable. */
function instantOf(date: string | null): Date | null {
  if (date === null) return null;
  const parsed = new Date(DATE_ONLY_RE.test(date) ? `${date}T00:00:00Z` : date);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** Matches the milliseconds and `Z` that end `Date#toISOString()`. */
const MILLISECONDS_RE = /\.\d{3}Z$/;

/** RFC 3339 without milliseconds, as Atom's date constructs read best. */
function rfc3339(instant: Date): string {
  return instant.toISOString().replace(MILLISECONDS_RE, 'Z');
}

/** The newest date among the hits (they come newest first, but a caller may sort otherwise). */
function newestOf(hits: readonly Hit[]): Date | null {
  let newest: Date | null = null;
  for (const hit of hits) {
    const instant = instantOf(hit.date);
    if (instant !== null && (newest === null || instant > newest)) newest = instant;
  }
  return newest;
}

function feedTitle(q: string): string {
  return `News search: ${q}`;
}

/**
 * An Atom 1.0 feed (RFC 4287) of the hits. An undated hit's `updated` is the feed's (the newest
 * date among the hits), and the feed's is the Unix epoch when no hit has a date: Atom requires
 * one, and a fixed value keeps readers from seeing old entries as changed at every poll.
 *
 * @example
 * atomFeed({ q: 'ceasefire', selfUrl, pageUrl, articleUrl, perArticle: false, hits })
 */
export function atomFeed(input: FeedInput): string {
  const updated = newestOf(input.hits);
  const feedUpdated = updated === null ? NO_DATE : rfc3339(updated);
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${entryId(`feed:${input.selfUrl}`)}</id>`,
    `  <title type="text">${escapeXml(feedTitle(input.q))}</title>`,
    `  <updated>${feedUpdated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(input.selfUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(input.pageUrl)}"/>`,
    '  <author><name>News search</name></author>',
    '  <generator>news-search</generator>',
  ];
  for (const hit of input.hits) {
    const instant = instantOf(hit.date);
    lines.push(
      '  <entry>',
      `    <id>${entryId(hitName(hit, input.perArticle))}</id>`,
      `    <title type="text">${escapeXml(hit.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(hit.url ?? input.articleUrl(hit))}"/>`,
      `    <updated>${instant === null ? feedUpdated : rfc3339(instant)}</updated>`,
    );
    if (instant !== null) lines.push(`    <published>${rfc3339(instant)}</published>`);
    if (hit.source !== null) lines.push(`    <author><name>${escapeXml(hit.source)}</name></author>`);
    // The snippet is HTML (escaped text, <mark> highlights): carried as escaped markup.
    lines.push(`    <summary type="html">${escapeXml(hit.snippet)}</summary>`, '  </entry>');
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}

/**
 * An RSS 2.0 feed of the hits: each item's `guid` is the Atom entry's id (not a permalink), its
 * `pubDate` the article's date in RFC 822 form (none when undated: RSS makes it optional).
 *
 * @example
 * rssFeed({ q: 'ceasefire', selfUrl, pageUrl, articleUrl, perArticle: false, hits })
 */
export function rssFeed(input: FeedInput): string {
  const updated = newestOf(input.hits);
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    '  <channel>',
    `    <title>${escapeXml(feedTitle(input.q))}</title>`,
    `    <link>${escapeXml(input.pageUrl)}</link>`,
    `    <description>${escapeXml(`Paragraphs matching ${input.q}, newest first`)}</description>`,
    `    <atom:link rel="self" type="application/rss+xml" href="${escapeXml(input.selfUrl)}"/>`,
    '    <generator>news-search</generator>',
  ];
  if (updated !== null) lines.push(`    <lastBuildDate>${updated.toUTCString()}</lastBuildDate>`);
  for (const hit of input.hits) {
    const instant = instantOf(hit.date);
    lines.push(
      '    <item>',
      `      <title>${escapeXml(hit.title)}</title>`,
      `      <link>${escapeXml(hit.url ?? input.articleUrl(hit))}</link>`,
      `      <guid isPermaLink="false">${entryId(hitName(hit, input.perArticle))}</guid>`,
    );
    if (instant !== null) lines.push(`      <pubDate>${instant.toUTCString()}</pubDate>`);
    if (hit.source !== null) lines.push(`      <category>${escapeXml(hit.source)}</category>`);
    lines.push(`      <description>${escapeXml(hit.snippet)}</description>`, '    </item>');
  }
  lines.push('  </channel>', '</rss>', '');
  return lines.join('\n');
}
