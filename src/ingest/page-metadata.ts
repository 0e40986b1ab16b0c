/**
 * @module ingest/page-metadata
 * What an article page says about itself outside its text: `<meta>` values (Open Graph,
 * `article:published_time`, `author`…) and the article object of its JSON-LD (`datePublished`,
 * `author`). Read before Readability runs: it drops scripts, so JSON-LD too. Pure: broken JSON-LD
 * or odd values give `null`, never an exception.
 */
import { nonBlank } from './article.ts';

/** The article object of a page's JSON-LD, as far as the readers use it. */
export type JsonLdArticle = { datePublished: string | null; authors: string[] };

/** `<meta>` names that hold the author's name (in this order), after JSON-LD's `author`. */
const AUTHOR_META_NAMES = ['author', 'article:author', 'dc.creator', 'dcterms.creator', 'parsely-author', 'sailthru.author'];
/** How deep the JSON-LD finders look: JSON-LD nests a few levels, never dozens. */
const MAX_JSON_LD_DEPTH = 6;
/** Matches a value that is a link (a profile page), not a name: `article:author` often is one. */
const LINK_RE = /^(?:https?:)?\/\//i;

/** The page's `<meta>` values by lower-cased `property`, `name` or `itemprop` (first one wins). */
export function metaValues(document: Document): Map<string, string> {
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

/**
 * The first `datePublished` and the first `author` in the page's JSON-LD blocks (objects,
 * arrays, `@graph`s and `mainEntity`s, depth first). Authors are names: a string, a
 * `{name}` (Person or Organization), or a list of those.
 *
 * @example
 * // <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-05-02","author":[{"name":"A"},{"name":"B"}]}</script>
 * jsonLdArticle(document) // { datePublished: '2024-05-02', authors: ['A', 'B'] }
 */
export function jsonLdArticle(document: Document): JsonLdArticle {
  let datePublished: string | null = null;
  let authors: string[] = [];
  for (const script of Array.from(document.querySelectorAll('script[type="application/ld+json" i]'))) {
    let data: unknown;
    try {
      data = JSON.parse(script.textContent ?? '') as unknown;
    } catch {
      continue; // broken JSON-LD is common and says nothing about the article
    }
    datePublished ??= findInJsonLd(data, 0, (record) => nonBlank(typeof record.datePublished === 'string' ? record.datePublished : null));
    if (authors.length === 0) authors = findInJsonLd(data, 0, (record) => nonEmpty(authorNames(record.author))) ?? [];
  }
  return { datePublished, authors };
}

/**
 * The byline the page's metadata gives: JSON-LD authors, else the first author `<meta>` that is
 * a name (not a link); never the site's own name. `null` when it gives none.
 *
 * @example
 * metadataByline(new Map([['author', 'Dana Whitfield']]), { datePublished: null, authors: [] }, null) // 'Dana Whitfield'
 */
export function metadataByline(meta: ReadonlyMap<string, string>, jsonLd: JsonLdArticle, siteName: string | null): string | null {
  // A site crediting itself names no author.
  const isSite = (name: string): boolean => siteName !== null && name.toLowerCase() === siteName.toLowerCase();
  const authors = jsonLd.authors.filter((name) => !isSite(name));
  if (authors.length > 0) return joinNames(authors);
  for (const name of AUTHOR_META_NAMES) {
    const value = meta.get(name);
    if (value !== undefined && !LINK_RE.test(value) && !isSite(value)) return value;
  }
  return null;
}

/**
 * Names as a byline writes them: `A`, `A and B`, `A, B and C`.
 *
 * @example
 * joinNames(['Maria Santos', 'Kofi Mensah']) // 'Maria Santos and Kofi Mensah'
 */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

/** The names of a JSON-LD `author` value, in order; links and nameless entries are skipped. */
function authorNames(value: unknown): string[] {
  const entries = Array.isArray(value) ? (value as unknown[]) : [value];
  const names: string[] = [];
  for (const entry of entries) {
    const raw = typeof entry === 'string' ? entry : typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).name : null;
    const name = nonBlank(typeof raw === 'string' ? raw : null);
    if (name !== null && !LINK_RE.test(name) && !names.includes(name)) names.push(name);
  }
  return names;
}

function nonEmpty<T>(values: T[]): T[] | null {
  return values.length > 0 ? values : null;
}

/** The first non-null `pick` of an object in a JSON-LD value, depth first through arrays, `@graph` and `mainEntity`. */
function findInJsonLd<T>(value: unknown, depth: number, pick: (record: Record<string, unknown>) => T | null): T | null {
  if (depth > MAX_JSON_LD_DEPTH || typeof value !== 'object' || value === null) return null;
  const children: unknown[] = Array.isArray(value) ? value : [];
  if (!Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const found = pick(record);
    if (found !== null) return found;
    children.push(record['@graph'], record.mainEntity);
  }
  for (const child of children) {
    const found = findInJsonLd(child, depth + 1, pick);
    if (found !== null) return found;
  }
  return null;
}
