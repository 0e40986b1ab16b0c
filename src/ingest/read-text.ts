/**
 * @module ingest/read-text
 * Reads an article written in the seed's plain-text layout (SPEC §2.1): title line, optional
 * caption, paragraphs separated by blank lines, then the URL and the source near the end.
 */

/** The fields read from a plain-text article, before validation. */
export type TextArticleFields = {
  title: string;
  caption: string | null;
  dateline: string | null;
  url: string | null;
  source: string | null;
  paragraphs: string[];
};

/** Matches a line that is only an http(s) URL. */
const BARE_URL_RE = /^https?:\/\/\S+$/i;
/** Matches text that ends like a sentence or a quotation: the caption and source never do. */
const END_PUNCTUATION_RE = /[.!?…:;"”’»)]$/u;
/** Matches a leading dateline `Place, Month Day (AGENCY)--`, capturing it without the dashes. */
const DATELINE_RE = /^([\p{Lu}][^,\n]{0,60},\s+[\p{L}]+\.?\s+\d{1,2}\s+\([^)\n]{1,40}\))\s*(?:--|—|–|-)/u;
/** Longest line taken for a caption or a source: longer ones are body paragraphs. */
const MAX_SHORT_LINE_CHARS = 200;
/** How many blocks from the end a bare URL may stand and still be the article's URL. */
const URL_SEARCH_BLOCKS = 3;

function isShortLine(block: string): boolean {
  return block.length <= MAX_SHORT_LINE_CHARS && !block.includes('\n') && !END_PUNCTUATION_RE.test(block);
}

/**
 * Parses the plain-text layout. Lines inside one block are joined with a space (wrapped text).
 * Returns `null` when the text has no title line.
 *
 * @example
 * readTextArticle('Title\n\nFirst paragraph.\n\nhttps://example.com/a\n\nExample News')
 * // { title: 'Title', paragraphs: ['First paragraph.'], url: 'https://example.com/a', source: 'Example News', … }
 */
export function readTextArticle(text: string): TextArticleFields | null {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) =>
      block
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.length > 0),
    )
    .filter((lines) => lines.length > 0);
  const firstBlock = blocks.shift();
  if (firstBlock === undefined) return null;
  const [title = '', ...rest] = firstBlock;
  if (rest.length > 0) blocks.unshift(rest);
  let body = blocks.map((lines) => lines.join(' '));

  let url: string | null = null;
  let source: string | null = null;
  const urlIndex = findUrlBlock(body);
  if (urlIndex !== -1) {
    url = body[urlIndex] ?? null;
    const after = body.slice(urlIndex + 1);
    if (after.length === 1 && isShortLine(after[0] as string)) source = after[0] as string;
    body = after.length === 0 || source !== null ? body.slice(0, urlIndex) : [...body.slice(0, urlIndex), ...after];
  }

  let caption: string | null = null;
  if (body.length > 1 && isShortLine(body[0] as string)) caption = body.shift() ?? null;
  const dateline = body[0] === undefined ? null : (DATELINE_RE.exec(body[0])?.[1] ?? null);
  return { title, caption, dateline, url, source, paragraphs: body };
}

function findUrlBlock(blocks: string[]): number {
  for (let i = blocks.length - 1; i >= Math.max(0, blocks.length - URL_SEARCH_BLOCKS); i -= 1) {
    if (BARE_URL_RE.test(blocks[i] as string)) return i;
  }
  return -1;
}
