/**
 * @module backends/postgres/postings-rank
 * Ranking from the posting blocks (postings.ts) instead of the paragraph rows, for the searches
 * whose every unit is an AND of terms with excluded terms (one term, several, a prefix, a
 * wildcard, a fuzzy term, exclusions, and their relaxed clauses) and whose request has no
 * filter, facet, date sort or grouping: the commonest searches, and those that read the most
 * rows. The articles are taken in windows of their numbers (so that a search's memory does not
 * grow with the archive): each window's blocks of the query's stems are read, and the rest runs
 * here, on typed arrays: the candidates (every paragraph holding a positive stem, a title stem
 * standing for each paragraph of its article), the exact match, the score, the paragraph-hit rule, the
 * exact total and the page. It computes what compile.ts and rank.ts compute in SQL, in the same
 * order of float operations; the rows are read only for the page's article ids.
 */
import { BM25, TITLE_BOOST } from '../../search/ranking.ts';
import type { Field, QueryNode } from '../../search/query.ts';
import type { SearchRequest } from '../backend.ts';
import { createPacer, type Pace, type Steps } from '../pace.ts';
import { eventLoopTurns } from '../turns.ts';
import { readArticleKeys } from './articles.ts';
import { inverseDocumentFrequency, type CorpusStats } from './compile.ts';
import { arrayLiteral, type Reader } from './connection.ts';
import { stemLexeme } from './lexemes.ts';
import { ENTRY_BYTES } from './postings.ts';
import type { Leaf, Unit } from './query-plan.ts';
import type { PageRow, Ranked } from './rank.ts';

/** Paragraph numbers per article in a paragraph's key (`art * SLOTS + n`): above the 10,000 paragraphs an article may have. */
const SLOTS = 16384;
/**
 * Milliseconds of ranking work between two turns of the event loop, as the embedded backend's
 * searches take: other searches and writes of this process get a turn that often, however common
 * the words (one phase of `said` at 10× took tens of milliseconds).
 */
const RANK_SLICE_MS = 5;
/** A list this many times shorter than the candidates is placed by binary search, a longer one by a merge. */
const SEARCH_RATIO = 16;

/** Whether {@link rankFromPostings} can rank `units` for `request`. */
export function postingsCanRank(units: readonly Unit[], request: SearchRequest): boolean {
  if (request.sources.length > 0 || request.from !== null || request.to !== null) return false;
  if (request.facets.length > 0 || request.sort !== 'relevance' || request.group !== 'paragraph') return false;
  // Keyset paging (exports) and collapsed copies take the SQL way.
  if (request.after !== undefined || request.collapse === 'copies') return false;
  return units.every((unit) => unit.exact && [...unit.root.must, ...unit.root.not].every((node) => node.kind === 'term'));
}

/** A lexeme's postings as paragraphs: sorted keys, term frequencies, field lengths. */
export type Postings = { keys: Float64Array; tf: Uint16Array; length: Uint16Array };

/** A lexeme's postings at the candidates: term frequencies, field lengths, and the candidate of each (-1: none), in any order. */
type Placed = { tf: Uint16Array; length: Uint16Array; at: Int32Array };

/** What one unit makes of each candidate. */
type UnitResult = { hit: Uint8Array; textMatched: Uint8Array; score: Float64Array };

/**
 * Candidate paragraphs a search ranks at a time, at most (but for the blocks of one article that
 * pass it): the articles are ranked in windows of their numbers, each window's blocks read,
 * decoded and ranked before the next one's are read, and only each window's best kept. The other
 * terms' blocks of a window are read {@link REST_ENTRIES_PER_WINDOW} times as many entries at a
 * time, of which only the entries of the candidates' articles are kept. A search of the
 * commonest words so holds tens of megabytes whatever the archive's size: at 100x Reuters,
 * ranked in one piece, `the*` left 355 MB of decoded postings behind and a server's RSS peaked
 * at 752 MB under 16 clients; in windows, at 213 to 230 MB, as fast (README, "Beyond one
 * machine").
 */
export const WINDOW_PARAGRAPHS = 1 << 17;
/** Entries of the other terms' blocks read in one statement, per candidate paragraph of a window. */
export const REST_ENTRIES_PER_WINDOW = 4;

/**
 * Where a lexeme's block lies among the article numbers, and the paragraphs its entries stand
 * for: one per entry of the text, and for an entry of a title (every paragraph of its article)
 * the corpus's paragraphs per article.
 */
type BlockRange = { lexeme: string; block: number; firstArt: number; lastArt: number; entries: number; paragraphs: number };

/** A candidate the window it was ranked in kept for the page: its key and what ranks it. */
type Kept = { key: number; clauses: number; textMatched: number; score: number };

/**
 * Ranks `units` (one, or one per clause when `relaxed`) from the posting blocks, in windows of
 * at most `windowParagraphs` paragraphs ({@link WINDOW_PARAGRAPHS}); see rank.ts for the order
 * and the paragraph-hit rule.
 */
export async function rankFromPostings(client: Reader, units: readonly Unit[], relaxed: boolean, stats: CorpusStats, request: SearchRequest, windowParagraphs = WINDOW_PARAGRAPHS): Promise<Ranked> {
  // The candidates: every paragraph holding a positive lexeme. A single unit's hits hold all its
  // required terms, so the paragraphs of its rarest one are enough: the other lexemes' blocks are
  // read only where they can hold those paragraphs' articles.
  const driver = relaxed ? null : rarest(units[0] as Unit, stats);
  const candidateLexemes = new Set<string>();
  const all = new Set<string>();
  for (const unit of units) {
    const counted = new Set(unit.positive);
    for (const leaf of unit.leaves) {
      for (const lexeme of lexemesOf(leaf)) {
        all.add(lexeme);
        if (driver === null ? counted.has(leaf) : leaf === driver) candidateLexemes.add(lexeme);
      }
    }
  }
  const ranges = await readRanges(client, [...all], stats.articles === 0 ? 1 : stats.paragraphs / stats.articles);
  const phases = slices();
  const wanted = request.offset + request.limit;
  let total = 0;
  const kept: Kept[] = [];
  const windows = windowsOf(
    ranges.filter((range) => candidateLexemes.has(range.lexeme)),
    windowParagraphs,
  );
  // The database reads a window's candidate blocks while the window before is ranked here.
  const readWindow = (window: Window): Promise<Map<string, Buffer[]>> =>
    ahead(
      isWhole(window)
        ? // One window (most searches) reads its candidate lexemes whole, by lexeme: one index range
          // each, where reading them by block key probes the index once per block (3 ms more at the median).
          readLexemes(client, [...candidateLexemes])
        : readBlocks(
            client,
            ranges.filter((range) => candidateLexemes.has(range.lexeme) && overlaps(range, window)),
          ),
    );
  let next = readWindow(windows[0] as Window);
  for (const [index, window] of windows.entries()) {
    const blocks = await next;
    const following = windows[index + 1];
    const readNext = (): void => {
      if (following !== undefined) next = readWindow(following);
    };
    const work = { units, relaxed, stats, wanted, restEntries: windowParagraphs * REST_ENTRIES_PER_WINDOW };
    const ranked = await rankWindow(client, phases, window, blocks, readNext, ranges, candidateLexemes, work);
    total += ranked.total;
    for (const entry of ranked.kept) kept.push(entry);
  }
  // Each window kept its best and their ties: together they hold the best of all, and their ties.
  const ranking: Ranking = {
    clauses: relaxed ? Uint16Array.from(kept, (entry) => entry.clauses) : null,
    textMatched: Uint8Array.from(kept, (entry) => entry.textMatched),
    score: Float64Array.from(kept, (entry) => entry.score),
  };
  const chosen = await phases.run((pace) => best(pace, Int32Array.from(kept.keys()), ranking, wanted));
  const page = await pageOf(client, chosen, Float64Array.from(kept, (entry) => entry.key), ranking, request);
  return { total, page, facets: {} };
}

/** Articles from `low` to `high`, both included. */
type Window = { low: number; high: number };

/**
 * Cuts the article numbers into windows whose blocks stand for at most `limit` paragraphs,
 * counting each block in the window it starts in: a window ends before the block that would take
 * it past `limit`, unless that block starts at the same article as the last one counted (the
 * blocks of one article are never split). A block that spans a cut is read by each window it
 * overlaps, each taking its own articles' entries.
 */
export function windowsOf(ranges: readonly BlockRange[], limit: number): Window[] {
  const sorted = [...ranges].sort((a, b) => a.firstArt - b.firstArt);
  const windows: Window[] = [];
  let low = 0;
  let paragraphs = 0;
  // The first article of the last block counted: blocks starting there stay in one window.
  let lastStart = -1;
  for (const range of sorted) {
    if (paragraphs > 0 && paragraphs + range.paragraphs > limit && range.firstArt > lastStart) {
      windows.push({ low, high: range.firstArt - 1 });
      low = range.firstArt;
      paragraphs = 0;
    }
    paragraphs += range.paragraphs;
    lastStart = range.firstArt;
  }
  windows.push({ low, high: Number.MAX_SAFE_INTEGER });
  return windows;
}

/** `ranges` by lexeme, each lexeme's in order of their first article, cut into runs of blocks holding at most `limit` entries (a larger block alone). */
function chunksOf(ranges: readonly BlockRange[], limit: number): BlockRange[][] {
  const sorted = [...ranges].sort((a, b) => (a.lexeme < b.lexeme ? -1 : a.lexeme > b.lexeme ? 1 : a.firstArt - b.firstArt || a.block - b.block));
  const chunks: BlockRange[][] = [];
  let chunk: BlockRange[] = [];
  let entries = 0;
  for (const range of sorted) {
    if (chunk.length > 0 && entries + range.entries > limit) {
      chunks.push(chunk);
      chunk = [];
      entries = 0;
    }
    chunk.push(range);
    entries += range.entries;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * `promise`, marked as handled: a read asked for ahead of its use may fail while the search is
 * still busy with the one before (which may then fail itself and never await it); its failure
 * still reaches whoever awaits it.
 */
function ahead<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** True when `window` holds every article (the search has one window). */
function isWhole(window: Window): boolean {
  return window.low === 0 && window.high === Number.MAX_SAFE_INTEGER;
}

/** True when `range` holds articles of `window`. */
function overlaps(range: BlockRange, window: Window): boolean {
  return range.firstArt <= window.high && range.lastArt >= window.low;
}

/** What ranking a window needs besides its blocks: the units, the statistics, the page's size, and the entries read at once of the other lexemes. */
type WindowWork = { units: readonly Unit[]; relaxed: boolean; stats: CorpusStats; wanted: number; restEntries: number };

/**
 * Ranks the articles of one window from `blocks`, those of its candidate lexemes: reads the
 * blocks of the other lexemes that can hold one of its candidates' articles (`restEntries` at a
 * time, the database reading each next part while the last one is decoded), calls `readNext`
 * once its last read is asked for, and keeps the `wanted` best of its counted candidates with
 * their ties.
 */
async function rankWindow(
  client: Reader,
  phases: Phases,
  window: Window,
  blocks: ReadonlyMap<string, readonly Buffer[]>,
  readNext: () => void,
  ranges: readonly BlockRange[],
  candidateLexemes: ReadonlySet<string>,
  { units, relaxed, stats, wanted, restEntries }: WindowWork,
): Promise<{ total: number; kept: Kept[] }> {
  const inWindow = ranges.filter((range) => overlaps(range, window));
  phases.resumed();
  const postings = await phases.run((pace) => decodeAll(pace, blocks, new Map(), window));
  const candidates = await phases.run((pace) => union(pace, [...candidateLexemes].map((lexeme) => postings.get(lexeme)?.keys ?? new Float64Array(0))));
  const rest = candidates.length === 0 ? [] : inWindow.filter((range) => !candidateLexemes.has(range.lexeme));
  if (rest.length === 0) readNext();
  if (candidates.length === 0) return { total: 0, kept: [] };
  const placed = new Map<string, Placed>();
  if (rest.length > 0) {
    const arts = await phases.run((pace) => articlesOf(pace, candidates));
    // Only the entries of the candidates' paragraphs, placed among them as they are decoded: a
    // common word's postings beside a rare one's are mostly skipped unread.
    const placement = await phases.run((pace) => placementOf(pace, candidates, arts));
    const low = arts[0] as number;
    const flags = new Uint8Array((arts[arts.length - 1] as number) - low + 1);
    for (const art of arts) flags[art - low] = 1;
    const keep: Keep = { low: window.low, high: window.high, flags, from: low, arts };
    const parts = new Map<string, Placed[]>();
    const chunks = chunksOf(
      rest.filter((range) => holdsOneOf(arts, range.firstArt, range.lastArt)),
      restEntries,
    );
    let pending = chunks.length > 0 ? ahead(readBlocks(client, chunks[0] as BlockRange[])) : null;
    if (chunks.length <= 1) readNext();
    for (let c = 0; c < chunks.length; c++) {
      const more = await (pending as Promise<Map<string, Buffer[]>>);
      pending = c + 1 < chunks.length ? ahead(readBlocks(client, chunks[c + 1] as BlockRange[])) : null;
      if (c + 2 === chunks.length) readNext();
      phases.resumed();
      for (const [lexeme, list] of more) {
        const placed = await phases.run((pace) => decodePlaced(pace, list, lexeme.startsWith(stemLexeme('title', '')), keep, placement));
        parts.set(lexeme, [...(parts.get(lexeme) ?? []), placed]);
      }
    }
    for (const [lexeme, list] of parts) placed.set(lexeme, joinPlaced(list));
  }
  await phases.run((pace) => placeAll(pace, candidates, postings, placed));

  const size = candidates.length;
  const results: UnitResult[] = [];
  for (const unit of units) results.push(await phases.run((pace) => evaluateUnit(pace, unit, placed, stats, size)));
  const { counted, ranking } = await phases.run((pace) => countHits(pace, results, candidates, relaxed));
  const chosen = await phases.run((pace) => best(pace, counted, ranking, wanted));
  const kept = chosen.map((d) => ({
    key: candidates[d] as number,
    clauses: ranking.clauses === null ? 0 : (ranking.clauses[d] as number),
    textMatched: ranking.textMatched[d] as number,
    score: ranking.score[d] as number,
  }));
  return { total: counted.length, kept };
}

/** Runs the phases of one search's ranking ({@link slices}). */
type Phases = {
  run<T>(work: (pace: Pace) => Steps<T>): Promise<T>;
  /** A database round trip has just ended (the event loop had turns meanwhile): a new slice starts. */
  resumed(): void;
};

/**
 * The phases of one search's ranking, a slice of {@link RANK_SLICE_MS} at a time on one clock: a
 * phase goes on at once while the search's slice lasts, and waits for a turn of the event loop
 * behind the work that has just arrived (backends/turns.ts) once it is spent. A rare word's
 * search, whose phases together take less than a slice, so never queues behind a common word's
 * slices, and no search holds the event loop for more than a slice.
 */
function slices(): Phases {
  const pacer = createPacer({ sliceMs: RANK_SLICE_MS, budgetMs: Number.POSITIVE_INFINITY });
  return {
    async run(work) {
      const steps = work(pacer.pace);
      for (;;) {
        const next = steps.next();
        if (next.done === true) return next.value;
        await eventLoopTurns.next('resumed');
        pacer.resume();
      }
    },
    resumed: () => pacer.resume(),
  };
}

/** What ranks the candidates: clauses held (relaxed matching only), text matched, score. */
type Ranking = { clauses: Uint16Array | null; textMatched: Uint8Array; score: Float64Array };

/**
 * The units' results combined (relaxed: clauses held, scores summed), and the candidates counted
 * by the paragraph-hit rule: an article's paragraphs that matched in their text, or else its first
 * paragraph that matched.
 */
function* countHits(pace: Pace, results: readonly UnitResult[], candidates: Float64Array, relaxed: boolean): Steps<{ counted: Int32Array; ranking: Ranking }> {
  const size = candidates.length;
  let hit: Uint8Array;
  let textMatched: Uint8Array;
  let score: Float64Array;
  let clauses: Uint16Array | null = null;
  if (!relaxed) {
    ({ hit, textMatched, score } = results[0] as UnitResult);
  } else {
    hit = new Uint8Array(size);
    textMatched = new Uint8Array(size);
    score = new Float64Array(size);
    clauses = new Uint16Array(size);
    for (const result of results) {
      for (let d = 0; d < size; d++) {
        if (pace()) yield;
        if (result.hit[d] === 0) continue;
        hit[d] = 1;
        clauses[d] = (clauses[d] as number) + 1;
        score[d] = (score[d] as number) + (result.score[d] as number);
        if (result.textMatched[d] === 1) textMatched[d] = 1;
      }
    }
  }
  const counted = new Int32Array(size);
  let hits = 0;
  for (let start = 0; start < size; ) {
    const art = Math.floor((candidates[start] as number) / SLOTS);
    let end = start;
    let first = -1;
    let anyText = false;
    while (end < size && Math.floor((candidates[end] as number) / SLOTS) === art) {
      if (hit[end] === 1) {
        if (first < 0) first = end;
        if (textMatched[end] === 1) {
          anyText = true;
          counted[hits++] = end;
        }
      }
      end++;
    }
    if (!anyText && first >= 0) counted[hits++] = first;
    start = end;
    if (pace()) yield;
  }
  return { counted: counted.subarray(0, hits), ranking: { clauses, textMatched, score } };
}

/** The lexemes a leaf looks up: each of its stems in each of its fields. */
function lexemesOf(leaf: Leaf): string[] {
  return leaf.stems.flatMap((stem) => leaf.fields.map((field) => stemLexeme(field, stem)));
}

/** The must leaf of `unit` with the fewest postings (by document frequency). */
function rarest(unit: Unit, stats: CorpusStats): Leaf | null {
  let best: Leaf | null = null;
  let fewest = Infinity;
  for (const node of unit.root.must) {
    const leaf = node.kind === 'term' ? unit.leafOf.get(node) : undefined;
    if (leaf === undefined) return null;
    const postings = lexemesOf(leaf).reduce((sum, lexeme) => sum + (stats.df.get(lexeme) ?? 0), 0);
    if (postings < fewest) {
      fewest = postings;
      best = leaf;
    }
  }
  return best;
}

/** The distinct article numbers of sorted paragraph keys, sorted. */
function* articlesOf(pace: Pace, keys: Float64Array): Steps<Float64Array> {
  const arts = new Float64Array(keys.length);
  let count = 0;
  for (let i = 0; i < keys.length; i++) {
    const art = Math.floor((keys[i] as number) / SLOTS);
    if (count === 0 || arts[count - 1] !== art) arts[count++] = art;
    if (pace()) yield;
  }
  return arts.subarray(0, count);
}

/** Bytes of a block's range as {@link readRanges} reads it: block number, first and last article, entries (int4 each). */
const RANGE_BYTES = 16;

/**
 * Where the blocks of `lexemes` lie, and the paragraphs they stand for (a title entry for
 * `perArticle`). One row per lexeme, its blocks' ranges packed as bytes (read by COPY, as the
 * blocks are), from the index that holds them (migration 11): a common word has thousands of
 * blocks, which as rows cost more to parse here than to find.
 */
async function readRanges(client: Reader, lexemes: readonly string[], perArticle: number): Promise<BlockRange[]> {
  const title = stemLexeme('title', '');
  if (lexemes.length === 0) return [];
  const rows = await client.copyOut(
    `SELECT lexeme, string_agg(int4send(block) || int4send(first_art) || int4send(last_art) || int4send(entries), ''::bytea)
     FROM postings WHERE lexeme = ANY(${arrayLiteral(lexemes, 'text')}) GROUP BY lexeme`,
  );
  const ranges: BlockRange[] = [];
  for (const [lexemeBytes, packed] of rows) {
    if (lexemeBytes == null || packed == null) throw new Error('postgres: a lexeme without its blocks\' ranges');
    const lexeme = lexemeBytes.toString('utf8');
    for (let at = 0; at + RANGE_BYTES <= packed.length; at += RANGE_BYTES) {
      const entries = packed.readInt32BE(at + 12);
      ranges.push({
        lexeme,
        block: packed.readInt32BE(at),
        firstArt: packed.readInt32BE(at + 4),
        lastArt: packed.readInt32BE(at + 8),
        entries,
        paragraphs: lexeme.startsWith(title) ? Math.ceil(entries * perArticle) : entries,
      });
    }
  }
  return ranges;
}

/**
 * The columns a block is read with: its lexeme, first article and number (the order of a
 * lexeme's blocks, set here: an ORDER BY in the statement sorts every block's bytes in the
 * database, on disk past `work_mem`, before the first row leaves it) and its data.
 */
const BLOCK_COLUMNS = 'p.lexeme, p.first_art, p.block, p.data';

/** Reads every block of `lexemes`, each lexeme's in order of their first article. */
async function readLexemes(client: Reader, lexemes: readonly string[]): Promise<Map<string, Buffer[]>> {
  if (lexemes.length === 0) return new Map();
  return byLexeme(await client.copyOut(`SELECT ${BLOCK_COLUMNS} FROM postings AS p WHERE p.lexeme = ANY(${arrayLiteral(lexemes, 'text')})`));
}

/**
 * Reads the blocks of `ranges`, each lexeme's in order of their first article: by runs of
 * consecutive block numbers, one index range each (since migration 12 a run's blocks lie side by
 * side in the table). A probe per block cost more: 1,083 blocks of `march` beside `iowa`'s
 * candidates at 100x Reuters took 5.3 ms in the database by probe, 3.3 ms as 97 runs.
 */
async function readBlocks(client: Reader, ranges: readonly BlockRange[]): Promise<Map<string, Buffer[]>> {
  if (ranges.length === 0) return new Map();
  const runs = runsOf(ranges);
  const lexemes = arrayLiteral(
    runs.map((run) => run.lexeme),
    'text',
  );
  const lows = arrayLiteral(
    runs.map((run) => run.low),
    'int',
  );
  const highs = arrayLiteral(
    runs.map((run) => run.high),
    'int',
  );
  return byLexeme(
    await client.copyOut(
      `SELECT ${BLOCK_COLUMNS} FROM unnest(${lexemes}, ${lows}, ${highs}) AS w(lexeme, low, high)
       JOIN postings AS p ON p.lexeme = w.lexeme AND p.block BETWEEN w.low AND w.high`,
    ),
  );
}

/** Blocks `low` to `high` of `lexeme`, both included. */
type Run = { lexeme: string; low: number; high: number };

/** The block numbers of `ranges` as runs of consecutive numbers of one lexeme. */
export function runsOf(ranges: readonly Pick<BlockRange, 'lexeme' | 'block'>[]): Run[] {
  const sorted = [...ranges].sort((a, b) => (a.lexeme < b.lexeme ? -1 : a.lexeme > b.lexeme ? 1 : a.block - b.block));
  const runs: Run[] = [];
  for (const { lexeme, block } of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.lexeme === lexeme && block <= last.high + 1) last.high = Math.max(last.high, block);
    else runs.push({ lexeme, low: block, high: block });
  }
  return runs;
}

/** The blocks of each lexeme, from rows of {@link BLOCK_COLUMNS}, in order of their first article, then number. */
function byLexeme(rows: ReadonlyArray<ReadonlyArray<Buffer | null>>): Map<string, Buffer[]> {
  const read = new Map<string, Array<{ firstArt: number; block: number; data: Buffer }>>();
  for (const [lexemeBytes, firstArt, block, data] of rows) {
    if (lexemeBytes == null || firstArt == null || block == null || data == null) throw new Error('postgres: a posting block without its lexeme, range or data');
    const lexeme = lexemeBytes.toString('utf8');
    const one = { firstArt: firstArt.readInt32BE(0), block: block.readInt32BE(0), data };
    const list = read.get(lexeme);
    if (list === undefined) read.set(lexeme, [one]);
    else list.push(one);
  }
  const blocks = new Map<string, Buffer[]>();
  for (const [lexeme, list] of read) blocks.set(lexeme, list.sort((a, b) => a.firstArt - b.firstArt || a.block - b.block).map((one) => one.data));
  return blocks;
}

/**
 * The articles whose entries a decoding keeps: those of a window, and of them, when `flags` is
 * given, only those it flags (article `art` at `flags[art - from]`), which are the sorted `arts`.
 */
type Keep = { low: number; high: number; flags: Uint8Array | null; from: number; arts: Float64Array | null };

/** Decodes the blocks of each lexeme into `postings` (returned): the entries of the window's articles. */
function* decodeAll(pace: Pace, blocks: ReadonlyMap<string, readonly Buffer[]>, postings: Map<string, Postings>, window: Window): Steps<Map<string, Postings>> {
  const keep: Keep = { low: window.low, high: window.high, flags: null, from: 0, arts: null };
  for (const [lexeme, list] of blocks) postings.set(lexeme, yield* decodePostings(pace, list, lexeme.startsWith(stemLexeme('title', '')), keep));
  return postings;
}

/** True when `keep` keeps the entries of article `art`. */
function keeps(keep: Keep, art: number): boolean {
  if (art < keep.low || art > keep.high) return false;
  if (keep.flags === null) return true;
  const at = art - keep.from;
  return at >= 0 && at < keep.flags.length && keep.flags[at] === 1;
}

/** The index of the first of the sorted `values` at or above `value` (their length when none is). */
export function lowerBound(values: Float64Array, value: number): number {
  let from = 0;
  let to = values.length;
  while (from < to) {
    const middle = (from + to) >>> 1;
    if ((values[middle] as number) < value) from = middle + 1;
    else to = middle;
  }
  return from;
}

/** The index of the first of the sorted `values` above `value` (their length when none is). */
function upperBound(values: Float64Array, value: number): number {
  let from = 0;
  let to = values.length;
  while (from < to) {
    const middle = (from + to) >>> 1;
    if ((values[middle] as number) <= value) from = middle + 1;
    else to = middle;
  }
  return from;
}

/** True when some of the sorted `values` lies in [low, high]. */
function holdsOneOf(values: Float64Array, low: number, high: number): boolean {
  const from = lowerBound(values, low);
  return from < values.length && (values[from] as number) <= high;
}

/**
 * A lexeme's postings being decoded: the paragraphs so far (`count`), the last key, and the
 * starts of the sorted runs (blocks hold entries in the order writers committed them, which is by
 * article number but for batches that committed out of order: a few runs per lexeme at most).
 */
type Decoded = { keys: Float64Array; tf: Uint16Array; length: Uint16Array; count: number; previous: number; runs: number[] };

/**
 * The entries of a block that `keep` keeps, as ranges of entry numbers: `[start, end, start, end,
 * …]`, each end excluded. A block's entries are sorted by article number (postings.ts: a batch
 * appends only after a block's last entry): when the articles kept are few beside the block's
 * entries, as a rare word's candidates in a common word's block, each one's entries are found by
 * binary search; otherwise the block is scanned.
 */
function keptRanges(view: DataView, keep: Keep): number[] {
  const count = view.byteLength / ENTRY_BYTES;
  const ranges: number[] = [];
  if (count === 0) return ranges;
  const { arts } = keep;
  if (arts !== null) {
    const from = lowerBound(arts, Math.max(view.getUint32(0), keep.low));
    const to = upperBound(arts, Math.min(view.getUint32((count - 1) * ENTRY_BYTES), keep.high));
    if ((to - from) * Math.log2(count + 1) < count) {
      let at = 0;
      for (let i = from; i < to; i++) {
        const art = arts[i] as number;
        at = entryFrom(view, art, at, count);
        let end = at;
        while (end < count && view.getUint32(end * ENTRY_BYTES) === art) end++;
        if (end > at) ranges.push(at, end);
        at = end;
      }
      return ranges;
    }
  }
  let start = -1;
  for (let entry = 0; entry < count; entry++) {
    if (keeps(keep, view.getUint32(entry * ENTRY_BYTES))) {
      if (start < 0) start = entry;
    } else if (start >= 0) {
      ranges.push(start, entry);
      start = -1;
    }
  }
  if (start >= 0) ranges.push(start, count);
  return ranges;
}

/** The first entry from `from` on of the sorted block `view` (of `count` entries) whose article is at or above `art` (`count` when none is). */
function entryFrom(view: DataView, art: number, from: number, count: number): number {
  let low = from;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (view.getUint32(middle * ENTRY_BYTES) < art) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Paragraphs the entries of `ranges` stand for (a title entry: every paragraph of its article). */
function countParagraphs(view: DataView, title: boolean, ranges: readonly number[]): number {
  let count = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    const start = ranges[r] as number;
    const end = ranges[r + 1] as number;
    if (!title) count += end - start;
    else for (let entry = start; entry < end; entry++) count += view.getUint16(entry * ENTRY_BYTES + 4);
  }
  return count;
}

/**
 * Appends the paragraphs of a block's entries in `ranges` to `into`. A plain function called per
 * block, not a loop of the generator: V8 optimizes it once for every search.
 */
function decodeBlock(view: DataView, title: boolean, ranges: readonly number[], into: Decoded): void {
  const { keys, tf, length, runs } = into;
  let i = into.count;
  let previous = into.previous;
  for (let r = 0; r < ranges.length; r += 2) {
    const end = (ranges[r + 1] as number) * ENTRY_BYTES;
    for (let at = (ranges[r] as number) * ENTRY_BYTES; at < end; at += ENTRY_BYTES) {
      const art = view.getUint32(at);
      const base = art * SLOTS;
      const slot = view.getUint16(at + 4);
      const frequency = view.getUint16(at + 6);
      const size = view.getUint16(at + 8);
      const first = title ? 1 : slot;
      if (base + first <= previous) runs.push(i);
      for (let n = first; n <= slot; n++, i++) {
        keys[i] = base + n;
        tf[i] = frequency;
        length[i] = size;
      }
      previous = base + slot;
    }
  }
  into.count = i;
  into.previous = previous;
}

/**
 * A lexeme's blocks as paragraphs, sorted by key; a title entry stands for every paragraph of its
 * article. Only the entries of the articles `keep` keeps.
 */
function* decodePostings(pace: Pace, blocks: readonly Buffer[], title: boolean, keep: Keep): Steps<Postings> {
  const views = blocks.map((data) => new DataView(data.buffer, data.byteOffset, data.byteLength - (data.byteLength % ENTRY_BYTES)));
  const everything = keep.flags === null && isWhole(keep);
  const kept: number[][] = [];
  let count = 0;
  for (const view of views) {
    const ranges = everything ? [0, view.byteLength / ENTRY_BYTES] : keptRanges(view, keep);
    kept.push(ranges);
    count += countParagraphs(view, title, ranges);
    if (pace()) yield;
  }
  const decoded: Decoded = { keys: new Float64Array(count), tf: new Uint16Array(count), length: new Uint16Array(count), count: 0, previous: -1, runs: [0] };
  for (const [index, view] of views.entries()) {
    decodeBlock(view, title, kept[index] as number[], decoded);
    if (pace()) yield;
  }
  const { keys, tf, length, runs } = decoded;
  return yield* sortRuns(pace, { keys, tf, length }, runs);
}

/**
 * `postings` sorted by key, made of sorted runs starting at `runs` (themselves, when there is one
 * run). Each run is merged into what precedes it where the two overlap ({@link mergeOverlaps}):
 * the blocks of batches that committed out of order overlap where they meet, a few entries. Runs
 * interleaved throughout are merged two by two instead ({@link mergeRuns}).
 */
export function* sortRuns(pace: Pace, postings: Postings, runs: readonly number[]): Steps<Postings> {
  if (runs.length === 1) return postings;
  const merged = yield* mergeOverlaps(pace, postings, runs);
  if (merged !== null) return merged;
  const { keys, tf, length } = postings;
  const order = yield* mergeRuns(pace, keys, runs);
  const count = keys.length;
  const sortedKeys = new Float64Array(count);
  const sortedTf = new Uint16Array(count);
  const sortedLength = new Uint16Array(count);
  for (let k = 0; k < count; k++) {
    const from = order[k] as number;
    sortedKeys[k] = keys[from] as number;
    sortedTf[k] = tf[from] as number;
    sortedLength[k] = length[from] as number;
    if (pace()) yield;
  }
  return { keys: sortedKeys, tf: sortedTf, length: sortedLength };
}

/**
 * `postings` sorted by appending its runs in turn, each merged with the end of what is sorted so
 * far that holds keys above its first (a few entries where blocks overlap where they meet); null,
 * after at most as many moves as there are entries, when the runs overlap more than that (runs
 * interleaved throughout: merging them two by two is then cheaper).
 */
function* mergeOverlaps(pace: Pace, { keys, tf, length }: Postings, runs: readonly number[]): Steps<Postings | null> {
  const count = keys.length;
  const out: Postings = { keys: new Float64Array(count), tf: new Uint16Array(count), length: new Uint16Array(count) };
  let size = 0;
  let moved = 0;
  for (let r = 0; r < runs.length; r++) {
    const from = runs[r] as number;
    const to = r + 1 < runs.length ? (runs[r + 1] as number) : count;
    if (from === to) continue;
    // The sorted entries above the run's first key: they merge with it, the rest stays.
    const at = size > 0 && (out.keys[size - 1] as number) >= (keys[from] as number) ? upperBound(out.keys.subarray(0, size), keys[from] as number) : size;
    moved += size - at;
    if (moved > count) return null;
    const tailKeys = out.keys.slice(at, size);
    const tailTf = out.tf.slice(at, size);
    const tailLength = out.length.slice(at, size);
    let i = 0;
    let j = from;
    let k = at;
    while (i < tailKeys.length || j < to) {
      if (j === to || (i < tailKeys.length && (tailKeys[i] as number) < (keys[j] as number))) {
        out.keys[k] = tailKeys[i] as number;
        out.tf[k] = tailTf[i] as number;
        out.length[k] = tailLength[i] as number;
        i++;
      } else {
        out.keys[k] = keys[j] as number;
        out.tf[k] = tf[j] as number;
        out.length[k] = length[j] as number;
        j++;
      }
      k++;
      if (pace()) yield;
    }
    size = k;
  }
  return out;
}

/**
 * Where each candidate article's paragraphs lie among the sorted candidates: article `arts[i]`'s
 * from `starts[i]` to `starts[i + 1]`, excluded.
 */
type Placement = { candidates: Float64Array; arts: Float64Array; starts: Int32Array };

/** The {@link Placement} of `candidates`, whose distinct articles are the sorted `arts`. */
function* placementOf(pace: Pace, candidates: Float64Array, arts: Float64Array): Steps<Placement> {
  const starts = new Int32Array(arts.length + 1);
  let i = -1;
  let previous = -1;
  for (let c = 0; c < candidates.length; c++) {
    const art = Math.floor((candidates[c] as number) / SLOTS);
    if (art !== previous) {
      starts[++i] = c;
      previous = art;
    }
    if (pace()) yield;
  }
  starts[arts.length] = candidates.length;
  return { candidates, arts, starts };
}

/**
 * A lexeme's blocks as the candidate paragraphs they hold, placed among the candidates as they
 * are decoded (in no order: what ranks them reads them by candidate): the entries of the articles
 * `keep` keeps, each text entry where its paragraph is a candidate, each title entry at every
 * candidate of its article.
 */
function* decodePlaced(pace: Pace, blocks: readonly Buffer[], title: boolean, keep: Keep, placement: Placement): Steps<Placed> {
  const views = blocks.map((data) => new DataView(data.buffer, data.byteOffset, data.byteLength - (data.byteLength % ENTRY_BYTES)));
  const kept: number[][] = [];
  let entries = 0;
  for (const view of views) {
    const ranges = keptRanges(view, keep);
    kept.push(ranges);
    entries += entriesIn(ranges);
    if (pace()) yield;
  }
  // Each candidate paragraph holds the lexeme once at most (a title entry stands for each of its
  // article's): the entries of candidate articles (of a common word beside a rarer one's
  // articles, millions) need not all be made room for.
  const room = title ? placement.candidates.length : Math.min(entries, placement.candidates.length);
  const placed: Placed = { tf: new Uint16Array(room), length: new Uint16Array(room), at: new Int32Array(room) };
  let count = 0;
  for (const [index, view] of views.entries()) {
    count = placeBlock(view, title, kept[index] as number[], placement, placed, count);
    if (pace()) yield;
  }
  if (count > room) throw new Error(`postings-rank: the blocks of a lexeme hold ${count} entries at ${room} candidate paragraphs (a paragraph twice)`);
  return { tf: placed.tf.subarray(0, count), length: placed.length.subarray(0, count), at: placed.at.subarray(0, count) };
}

/** Entries in `ranges`. */
function entriesIn(ranges: readonly number[]): number {
  let count = 0;
  for (let r = 0; r < ranges.length; r += 2) count += (ranges[r + 1] as number) - (ranges[r] as number);
  return count;
}

/**
 * The number in `arts` of the first article at or above `art`, looking from `from` on (the
 * entries of a range are in order of their articles, so each lookup goes on from the last one's
 * number); `art` is a candidate's article when `arts` holds it there.
 */
function articleFrom(arts: Float64Array, art: number, from: number): number {
  let i = from;
  while (i < arts.length && (arts[i] as number) < art) i++;
  return i;
}

/**
 * Writes the entries of a block's `ranges` into `into` from `count` on, each at the candidates it
 * stands for; returns the new count. A plain function called per block, as {@link decodeBlock}.
 */
function placeBlock(view: DataView, title: boolean, ranges: readonly number[], { candidates, arts, starts }: Placement, into: Placed, count: number): number {
  const { tf, length, at } = into;
  let k = count;
  for (let r = 0; r < ranges.length; r += 2) {
    const end = (ranges[r + 1] as number) * ENTRY_BYTES;
    let i = lowerBound(arts, view.getUint32((ranges[r] as number) * ENTRY_BYTES));
    for (let offset = (ranges[r] as number) * ENTRY_BYTES; offset < end; offset += ENTRY_BYTES) {
      const art = view.getUint32(offset);
      i = articleFrom(arts, art, i);
      if (arts[i] !== art) continue;
      const frequency = view.getUint16(offset + 6);
      const size = view.getUint16(offset + 8);
      const from = starts[i] as number;
      const to = starts[i + 1] as number;
      if (title) {
        for (let c = from; c < to; c++, k++) {
          tf[k] = frequency;
          length[k] = size;
          at[k] = c;
        }
        continue;
      }
      const key = art * SLOTS + view.getUint16(offset + 4);
      for (let c = from; c < to && (candidates[c] as number) <= key; c++) {
        if (candidates[c] !== key) continue;
        tf[k] = frequency;
        length[k] = size;
        at[k] = c;
        k++;
      }
    }
  }
  return k;
}

/** A lexeme's placed lists, decoded in parts, as one. */
function joinPlaced(parts: readonly Placed[]): Placed {
  if (parts.length === 1) return parts[0] as Placed;
  const count = parts.reduce((sum, part) => sum + part.at.length, 0);
  const joined: Placed = { tf: new Uint16Array(count), length: new Uint16Array(count), at: new Int32Array(count) };
  let offset = 0;
  for (const part of parts) {
    joined.tf.set(part.tf, offset);
    joined.length.set(part.length, offset);
    joined.at.set(part.at, offset);
    offset += part.at.length;
  }
  return joined;
}

/**
 * The order that sorts `keys`, made of sorted runs starting at `runs`: the runs merged two by
 * two, as indices (a few passes over the list where a general sort would compare n log n times).
 */
function* mergeRuns(pace: Pace, keys: Float64Array, runs: readonly number[]): Steps<Int32Array> {
  let order = new Int32Array(keys.length);
  for (let index = 0; index < keys.length; index++) order[index] = index;
  let spare = new Int32Array(keys.length);
  let starts = [...runs, keys.length];
  while (starts.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < starts.length; r += 2) {
      const low = starts[r] as number;
      const middle = starts[r + 1] as number;
      const high = r + 2 < starts.length ? (starts[r + 2] as number) : middle;
      let a = low;
      let b = middle;
      let k = low;
      while (a < middle && b < high) {
        spare[k++] = (keys[order[a] as number] as number) <= (keys[order[b] as number] as number) ? (order[a++] as number) : (order[b++] as number);
        if (pace()) yield;
      }
      while (a < middle) spare[k++] = order[a++] as number;
      while (b < high) spare[k++] = order[b++] as number;
      next.push(high);
    }
    if (next[next.length - 1] !== keys.length) next.push(keys.length);
    [order, spare] = [spare, order];
    starts = next;
  }
  return order;
}

/** The sorted union of sorted key lists, merged two at a time. */
function* union(pace: Pace, lists: readonly Float64Array[]): Steps<Float64Array> {
  let round = lists.filter((list) => list.length > 0);
  if (round.length === 0) return new Float64Array(0);
  while (round.length > 1) {
    const next: Float64Array[] = [];
    for (let i = 0; i + 1 < round.length; i += 2) next.push(yield* mergeTwo(pace, round[i] as Float64Array, round[i + 1] as Float64Array));
    if (round.length % 2 === 1) next.push(round[round.length - 1] as Float64Array);
    round = next;
  }
  return round[0] as Float64Array;
}

/** The sorted union of two sorted lists without repeats. */
function* mergeTwo(pace: Pace, a: Float64Array, b: Float64Array): Steps<Float64Array> {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x < y) {
      out[k++] = x;
      i++;
    } else if (y < x) {
      out[k++] = y;
      j++;
    } else {
      out[k++] = x;
      i++;
      j++;
    }
    if (pace()) yield;
  }
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out.subarray(0, k);
}

/** Places every lexeme's postings among the candidates ({@link place}), into `placed`. */
function* placeAll(pace: Pace, candidates: Float64Array, postings: ReadonlyMap<string, Postings>, placed: Map<string, Placed>): Steps<void> {
  for (const [lexeme, list] of postings) placed.set(lexeme, { tf: list.tf, length: list.length, at: yield* place(pace, candidates, list.keys) });
}

/** For each of the sorted `keys`, its index among the sorted `candidates`, or -1. */
function* place(pace: Pace, candidates: Float64Array, keys: Float64Array): Steps<Int32Array> {
  const at = new Int32Array(keys.length);
  if (keys.length * SEARCH_RATIO < candidates.length) {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as number;
      const low = lowerBound(candidates, key);
      at[i] = low < candidates.length && candidates[low] === key ? low : -1;
      if (pace()) yield;
    }
    return at;
  }
  let c = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as number;
    while (c < candidates.length && (candidates[c] as number) < key) c++;
    at[i] = c < candidates.length && candidates[c] === key ? c : -1;
    if (pace()) yield;
  }
  return at;
}

/** MiniSearch's BM25+ term score (ns_bm25 in the schema, the same operations in the same order). */
export function bm25(tf: number, idf: number, length: number, average: number): number {
  return idf * (BM25.d + (tf * (BM25.k + 1)) / (tf + BM25.k * (1 - BM25.b + (BM25.b * length) / average)));
}

/**
 * Where `leaf` is present among the candidates (bit 1: in the title, bit 2: in the text), computed
 * once per leaf into `presence`. A module-level function, as every loop of the ranking: V8
 * optimizes a closure made anew for each search anew, running the first search's loops
 * unoptimized (tens of milliseconds a search for a common word at 10×).
 */
function* presentOf(pace: Pace, leaf: Leaf, postings: ReadonlyMap<string, Placed>, size: number, presence: Map<Leaf, Uint8Array>): Steps<Uint8Array> {
  let present = presence.get(leaf);
  if (present === undefined) {
    present = new Uint8Array(size);
    for (const stem of leaf.stems) {
      for (const field of leaf.fields) {
        const list = postings.get(stemLexeme(field, stem));
        if (list === undefined) continue;
        const bit = field === 'title' ? 1 : 2;
        const at = list.at;
        for (let i = 0; i < at.length; i++) {
          const d = at[i] as number;
          if (d >= 0) present[d] = (present[d] as number) | bit;
          if (pace()) yield;
        }
      }
    }
    presence.set(leaf, present);
  }
  return present;
}

/** Adds the BM25+ scores of `leaf`'s lexemes (the title's boosted) to the candidates' scores `into`. */
function* leafScore(pace: Pace, leaf: Leaf, postings: ReadonlyMap<string, Placed>, stats: CorpusStats, into: Float64Array): Steps<void> {
  for (const stem of leaf.stems) {
    for (const field of leaf.fields) {
      const lexeme = stemLexeme(field, stem);
      const list = postings.get(lexeme);
      if (list === undefined) continue;
      const idf = inverseDocumentFrequency(stats, lexeme);
      const average = field === 'title' ? stats.avgTitle : stats.avgText;
      const title = field === 'title';
      const at = list.at;
      for (let i = 0; i < at.length; i++) {
        const d = at[i] as number;
        if (d < 0) continue;
        const score = bm25(list.tf[i] as number, idf, list.length[i] as number, average);
        into[d] = (into[d] as number) + (title ? TITLE_BOOST * score : score);
        if (pace()) yield;
      }
    }
  }
}

/** One unit over the candidates: which match, which matched in their text, and their scores (compile.ts, `unit`). */
function* evaluateUnit(pace: Pace, unit: Unit, postings: ReadonlyMap<string, Placed>, stats: CorpusStats, size: number): Steps<UnitResult> {
  const presence = new Map<Leaf, Uint8Array>();
  const leafOf = (node: QueryNode): Leaf => {
    const leaf = node.kind === 'term' ? unit.leafOf.get(node) : undefined;
    if (leaf === undefined) throw new Error(`postings-rank: a ${node.kind} node has no leaf (postingsCanRank lets only terms through)`);
    return leaf;
  };
  const must = unit.root.must.map(leafOf);
  const excluded = unit.root.not.map(leafOf);
  const hit = new Uint8Array(size).fill(1);
  for (const leaf of must) {
    const present = yield* presentOf(pace, leaf, postings, size, presence);
    for (let d = 0; d < size; d++) {
      if (present[d] === 0) hit[d] = 0;
      if (pace()) yield;
    }
  }
  for (const leaf of excluded) {
    const present = yield* presentOf(pace, leaf, postings, size, presence);
    for (let d = 0; d < size; d++) {
      if (present[d] !== 0) hit[d] = 0;
      if (pace()) yield;
    }
  }
  const textMatched = new Uint8Array(size);
  for (const leaf of unit.positive) {
    const present = yield* presentOf(pace, leaf, postings, size, presence);
    for (let d = 0; d < size; d++) {
      if (((present[d] as number) & 2) !== 0) textMatched[d] = 1;
      if (pace()) yield;
    }
  }

  // The sum of the leaves' scores, times the distinct stems matched (in the fields of the leaves holding them).
  const score = new Float64Array(size);
  for (const leaf of must) yield* leafScore(pace, leaf, postings, stats, score);
  const fieldsOfStem = new Map<string, Set<Field>>();
  for (const leaf of unit.positive) {
    for (const stem of leaf.stems) {
      const fields = fieldsOfStem.get(stem) ?? new Set<Field>();
      for (const field of leaf.fields) fields.add(field);
      fieldsOfStem.set(stem, fields);
    }
  }
  const stems = new Uint16Array(size);
  const seen = new Int32Array(size).fill(-1);
  let stamp = 0;
  for (const [stem, fields] of fieldsOfStem) {
    for (const field of fields) {
      const list = postings.get(stemLexeme(field, stem));
      if (list === undefined) continue;
      const at = list.at;
      for (let i = 0; i < at.length; i++) {
        const d = at[i] as number;
        if (d < 0 || seen[d] === stamp) continue;
        seen[d] = stamp;
        stems[d] = (stems[d] as number) + 1;
        if (pace()) yield;
      }
    }
    stamp++;
  }
  for (let d = 0; d < size; d++) {
    score[d] = (score[d] as number) * (stems[d] as number);
    if (pace()) yield;
  }
  return { hit, textMatched, score };
}

/** Positive when candidate `a` ranks before `b` by clauses held, text matched and score (the paragraph id aside). */
function compareRanked({ clauses, textMatched, score }: Ranking, a: number, b: number): number {
  return (clauses === null ? 0 : (clauses[a] as number) - (clauses[b] as number)) || (textMatched[a] as number) - (textMatched[b] as number) || (score[a] as number) - (score[b] as number);
}

/** Restores the min-heap `heap` (worst ranked on top) below `from`. */
function siftDown(heap: number[], from: number, ranking: Ranking): void {
  for (let i = from; ; ) {
    const left = 2 * i + 1;
    const right = left + 1;
    let worst = i;
    if (left < heap.length && compareRanked(ranking, heap[left] as number, heap[worst] as number) < 0) worst = left;
    if (right < heap.length && compareRanked(ranking, heap[right] as number, heap[worst] as number) < 0) worst = right;
    if (worst === i) return;
    [heap[i], heap[worst]] = [heap[worst] as number, heap[i] as number];
    i = worst;
  }
}

/** The `wanted` best of the counted candidates, and every one that ties with the worst of them (the paragraph id decides among those). */
function* best(pace: Pace, counted: Int32Array, ranking: Ranking, wanted: number): Steps<number[]> {
  if (wanted === 0 || counted.length === 0) return [];
  // The `wanted` best without ids, as a min-heap; then every candidate that ties with its worst.
  const heap: number[] = [];
  for (const d of counted) {
    if (heap.length < wanted) {
      heap.push(d);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (compareRanked(ranking, heap[i] as number, heap[parent] as number) >= 0) break;
        [heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number];
        i = parent;
      }
    } else if (compareRanked(ranking, d, heap[0] as number) > 0) {
      heap[0] = d;
      siftDown(heap, 0, ranking);
    }
    if (pace()) yield;
  }
  if (heap.length < wanted) return Array.from(counted);
  const threshold = heap[0] as number;
  const chosen: number[] = [];
  for (const d of counted) {
    if (compareRanked(ranking, d, threshold) >= 0) chosen.push(d);
    if (pace()) yield;
  }
  return chosen;
}

/** The page of the `chosen` candidates: by clauses held, text matched, score, then paragraph id (rank.ts). */
async function pageOf(client: Reader, chosen: readonly number[], candidates: Float64Array, ranking: Ranking, request: SearchRequest): Promise<PageRow[]> {
  if (chosen.length === 0) return [];
  const { clauses, textMatched, score } = ranking;
  const arts = [...new Set(chosen.map((d) => Math.floor((candidates[d] as number) / SLOTS)))];
  const ids = await readArticleKeys(client, arts);
  const rows = chosen.map((d) => {
    const key = candidates[d] as number;
    const article = ids.get(Math.floor(key / SLOTS));
    const articleId = article?.articleId ?? '';
    const n = key % SLOTS;
    // Clauses held count only in relaxed matching (rank.ts: 0 otherwise).
    const row: PageRow = { articleId, n, score: score[d] as number, textMatched: textMatched[d] === 1, clauses: clauses === null ? 0 : (clauses[d] as number), date: article?.date ?? null };
    return { d, pid: `${articleId}:${n}`, row };
  });
  // Equal by clauses, text and score: by paragraph id, as a string in byte order ("C" collation).
  rows.sort((a, b) => compareRanked(ranking, b.d, a.d) || (a.pid < b.pid ? -1 : a.pid > b.pid ? 1 : 0));
  return rows.slice(request.offset, request.offset + request.limit).map((entry) => entry.row);
}
