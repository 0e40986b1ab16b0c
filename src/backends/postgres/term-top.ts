/**
 * @module backends/postgres/term-top
 * A search for one word, the commonest search there is, without reading all its postings: the
 * exact total from the statistics, and the best paragraphs from the few posting blocks that can
 * hold them.
 *
 * - **The total.** Every paragraph holding the word in its text is a hit; an article holding it in
 *   its title and in no paragraph's text is one hit (its first paragraph), by the paragraph-hit
 *   rule. The first number is the stem's text document frequency, the second `stems.title_only`
 *   (migration 8, kept by every write): no postings are read for it.
 * - **The page.** A paragraph's score is its text BM25+ plus its article's boosted title BM25+.
 *   Each block records its frontier (migration 8): the (term frequency, field length) pairs no
 *   entry of it beats on both. BM25+ grows with the frequency and falls with the length (and
 *   rounding keeps that order), so the best BM25+ along the frontier is the best of the block,
 *   and with the best title score among the block's articles it bounds every score in it.
 *   Blocks are read best bound first, two, then four and so on, until the page's worst score is
 *   above the next block's bound: the paragraphs no block read can hold neither outrank nor tie
 *   the page.
 *
 * The scores are the float operations of postings-rank.ts in the same order, so the page is the
 * one the full ranking gives. It runs when every hit on the page matched in its text (the word
 * is in at least `offset + limit` paragraphs' text) and the page is near the top; else the full
 * ranking does.
 */
import { TITLE_BOOST } from '../../search/ranking.ts';
import type { SearchRequest } from '../backend.ts';
import { readArticleKeys } from './articles.ts';
import { inverseDocumentFrequency, type CorpusStats } from './compile.ts';
import { arrayLiteral, textLiteral, type Queryable, type Reader } from './connection.ts';
import { stemLexeme } from './lexemes.ts';
import { bm25, lowerBound } from './postings-rank.ts';
import { decodeEntries, ENTRY_BYTES } from './postings.ts';
import type { Leaf, Unit } from './query-plan.ts';
import type { PageRow, Ranked } from './rank.ts';

/** Deepest page end (`offset + limit`) taken this way: deeper pages read most blocks anyway. */
export const TERM_TOP_DEEPEST = 1000;
/** Blocks read in the first round trip, twice as many in each next one up to {@link MOST_BLOCKS_PER_READ}: a page of 10 usually needs one or two. */
const FIRST_BLOCKS_PER_READ = 2;
const MOST_BLOCKS_PER_READ = 64;

/** A block's place and frontier, as `postings` records them. */
type BlockBounds = { block: number; first_art: number; last_art: number; frontier: number[] };

/** A paragraph of the word read from a block, with its score. */
type Scored = { art: number; n: number; score: number };

/**
 * The leaf of `units` when they are one word's search this module can rank for `request`
 * (called once postingsCanRank said yes), else null.
 */
export function termTopLeaf(units: readonly Unit[], relaxed: boolean, stats: CorpusStats, request: SearchRequest): Leaf | null {
  const unit = units[0];
  if (relaxed || units.length !== 1 || unit === undefined || unit.root.not.length > 0 || unit.root.must.length !== 1) return null;
  const node = unit.root.must[0];
  if (node?.kind !== 'term' || node.mode !== 'exact' || node.field !== null) return null;
  const leaf = unit.leafOf.get(node);
  if (leaf === undefined || leaf.stems.length !== 1) return null;
  const wanted = request.offset + request.limit;
  const inText = stats.df.get(stemLexeme('text', leaf.stems[0] as string)) ?? 0;
  return wanted <= TERM_TOP_DEEPEST && inText >= wanted ? leaf : null;
}

/** Ranks one word's search (a leaf {@link termTopLeaf} gave). */
export async function rankTermTop(client: Reader, leaf: Leaf, stats: CorpusStats, request: SearchRequest): Promise<Ranked> {
  const stem = leaf.stems[0] as string;
  const textLexeme = stemLexeme('text', stem);
  const total = (stats.df.get(textLexeme) ?? 0) + (stats.titleOnly.get(stem) ?? 0);
  const wanted = request.offset + request.limit;
  if (wanted === 0) return { total, page: [], facets: {} };

  const titles = await titleScores(client, stem, stats);
  const titleArts = Float64Array.from(titles.keys()).sort();
  const idf = inverseDocumentFrequency(stats, textLexeme);
  const { rows } = await client.query('SELECT block, first_art, last_art, frontier FROM postings WHERE lexeme = $1', [textLexeme]);
  const blocks = (rows as BlockBounds[])
    .map((bounds) => ({ block: bounds.block, bound: blockBound(bounds, idf, stats.avgText, titles, titleArts) }))
    .sort((a, b) => b.bound - a.bound);

  const best = new TopScores(wanted);
  const read: Scored[] = [];
  for (let next = 0, size = FIRST_BLOCKS_PER_READ; next < blocks.length; next += size, size = Math.min(2 * size, MOST_BLOCKS_PER_READ)) {
    // Strictly above: a block whose bound equals the page's worst score may hold a tie.
    if (best.worst() > (blocks[next]?.bound as number)) break;
    const round = blocks.slice(next, next + size).map((entry) => entry.block);
    const data = await client.copyOut(`SELECT data FROM postings WHERE lexeme = ${textLiteral(textLexeme)} AND block = ANY(${arrayLiteral(round, 'int')})`);
    for (const [block] of data) scoreBlock(block as Buffer, idf, stats.avgText, titles, best, read);
  }
  const worst = best.worst();
  const chosen = read.filter((scored) => scored.score >= worst);
  return { total, page: await pageOf(client, chosen, request), facets: {} };
}

/**
 * The `size` best scores seen so far, as a min-heap: {@link TopScores.worst} is the page's worst
 * score once `size` were seen, and -Infinity before.
 */
class TopScores {
  readonly #heap: number[] = [];
  readonly #size: number;
  constructor(size: number) {
    this.#size = size;
  }
  worst(): number {
    return this.#heap.length < this.#size ? -Infinity : (this.#heap[0] as number);
  }
  add(score: number): void {
    const heap = this.#heap;
    if (heap.length < this.#size) {
      heap.push(score);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if ((heap[parent] as number) <= score) break;
        heap[i] = heap[parent] as number;
        heap[parent] = score;
        i = parent;
      }
      return;
    }
    if (score <= (heap[0] as number)) return;
    heap[0] = score;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && (heap[left] as number) < (heap[least] as number)) least = left;
      if (right < heap.length && (heap[right] as number) < (heap[least] as number)) least = right;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least] as number, heap[i] as number];
      i = least;
    }
  }
}

/**
 * Scores a block's entries (postings.ts's layout) into `best`, keeping in `read` those that may
 * still be on the page (at or above its worst score when scored).
 */
function scoreBlock(data: Buffer, idf: number, average: number, titles: ReadonlyMap<number, number>, best: TopScores, read: Scored[]): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength - (data.byteLength % ENTRY_BYTES));
  for (let at = 0; at < view.byteLength; at += ENTRY_BYTES) {
    const art = view.getUint32(at);
    const score = paragraphScore(view.getUint16(at + 6), view.getUint16(at + 8), art, idf, average, titles);
    if (score < best.worst()) continue;
    best.add(score);
    read.push({ art, n: view.getUint16(at + 4), score });
  }
}

/** The boosted title BM25+ of each article holding the stem in its title, by article number. */
async function titleScores(client: Reader, stem: string, stats: CorpusStats): Promise<Map<number, number>> {
  const lexeme = stemLexeme('title', stem);
  const idf = inverseDocumentFrequency(stats, lexeme);
  const rows = await client.copyOut(`SELECT data FROM postings WHERE lexeme = ${textLiteral(lexeme)}`);
  const scores = new Map<number, number>();
  for (const [data] of rows) {
    for (const entry of decodeEntries(data as Buffer)) scores.set(entry.art, TITLE_BOOST * bm25(entry.tf, idf, entry.length, stats.avgTitle));
  }
  return scores;
}

/**
 * A paragraph's score as postings-rank.ts adds it up: the title field's first (the leaf's fields
 * are title, text), onto zero, then the text's; times one distinct stem.
 */
function paragraphScore(tf: number, length: number, art: number, idf: number, average: number, titles: ReadonlyMap<number, number>): number {
  const text = bm25(tf, idf, length, average);
  const title = titles.get(art);
  return title === undefined ? text : title + text;
}

/** The highest score an entry of the block can have: the best BM25+ along its frontier, plus the best title score among its articles. */
function blockBound(bounds: BlockBounds, idf: number, average: number, titles: ReadonlyMap<number, number>, titleArts: Float64Array): number {
  let text = -Infinity;
  for (let i = 0; i + 1 < bounds.frontier.length; i += 2) text = Math.max(text, bm25(bounds.frontier[i] as number, idf, bounds.frontier[i + 1] as number, average));
  let title = -Infinity;
  for (let i = lowerBound(titleArts, bounds.first_art); i < titleArts.length && (titleArts[i] as number) <= bounds.last_art; i++) {
    title = Math.max(title, titles.get(titleArts[i] as number) as number);
  }
  return title === -Infinity ? text : title + text;
}

/** The page: by score, then paragraph id in byte order (rank.ts), every hit matched in its text. */
async function pageOf(client: Queryable, chosen: readonly Scored[], request: SearchRequest): Promise<PageRow[]> {
  const articles = await readArticleKeys(client, [...new Set(chosen.map((entry) => entry.art))]);
  const page = chosen.map((entry): PageRow & { pid: string } => {
    const article = articles.get(entry.art);
    const articleId = article?.articleId ?? '';
    return { articleId, n: entry.n, score: entry.score, textMatched: true, clauses: 0, date: article?.date ?? null, pid: `${articleId}:${entry.n}` };
  });
  page.sort((a, b) => b.score - a.score || (a.pid < b.pid ? -1 : a.pid > b.pid ? 1 : 0));
  return page.slice(request.offset, request.offset + request.limit).map(({ pid: _pid, ...row }) => row);
}
