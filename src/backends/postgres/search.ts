/**
 * @module backends/postgres/search
 * A search, in one read-only snapshot (so it never sees half a batch): the prefix, wildcard and
 * fuzzy terms expanded through the vocabulary, the corpus statistics of the query's stems read,
 * the query compiled and ranked in one statement (exact total, facets, page), relaxed matching
 * when the strict search finds nothing (or always, with `mode=any`), then the page's articles.
 * The whole search, expansion included, has {@link SEARCH_TIMEOUT_MS}: each statement may run
 * for what is left of it, and is cancelled and refused as too costly past that, as the
 * embedded backend refuses a query over its budget.
 */
import type { BackendHit, BackendSearch, SearchRequest } from '../backend.ts';
import { performance } from 'node:perf_hooks';
import { overBudget, QUERY_BUDGET_MS } from '../../search/ranking.ts';
import type { AndNode, ParsedQuery, QueryNode } from '../../search/query.ts';
import { readArticles } from './articles.ts';
import { compileUnits, type CorpusStats } from './compile.ts';
import type { Database, Queryable, Reader } from './connection.ts';
import { expandTerms } from './expand.ts';
import { stemLexeme } from './lexemes.ts';
import { planUnit, relaxable, stemsFrom, type StemsOf, type Unit } from './query-plan.ts';
import { postingsCanRank, rankFromPostings } from './postings-rank.ts';
import { rankingStatement, readRanked, type Ranked } from './rank.ts';
import { rankTermTop, termTopLeaf } from './term-top.ts';
import { createParams } from './sql.ts';

/** Longest a search statement may run: the embedded backend's query budget. */
export const SEARCH_TIMEOUT_MS = QUERY_BUDGET_MS;

/**
 * Settings of a search's transaction. The GIN index is the only way to the paragraphs a search
 * wants: the planner, misjudging how many rows a tsquery of many lexemes (a prefix) finds, would
 * rather scan the table and evaluate the tsquery on every row (seconds instead of a fraction of
 * one on Reuters). Memoizing the laterals on a paragraph's jsonb costs more than it saves, and
 * compiling the long generated expressions just in time costs more than running them.
 */
export const PLANNER_SETTINGS = `SET LOCAL statement_timeout = ${SEARCH_TIMEOUT_MS}; SET LOCAL enable_seqscan = off; SET LOCAL enable_memoize = off; SET LOCAL jit = off`;

/**
 * Runs `query` for `request`; see {@link SearchBackend.search}.
 *
 * @example
 * (await runSearch(db, parseQuery('ceasefire'), DEFAULT_SEARCH_REQUEST)).total // 2 on the seed
 */
export async function runSearch(db: Database, query: ParsedQuery, request: SearchRequest, tuning: SearchTuning = {}): Promise<BackendSearch> {
  return db.transaction('snapshot', (client) => searchIn(client, query, request, tuning), PLANNER_SETTINGS);
}

/** How a search uses its memory: the paragraphs of posting blocks it ranks at a time (default: postings-rank.ts, `WINDOW_PARAGRAPHS`). */
export type SearchTuning = { windowParagraphs?: number };

/** Runs `query` for `request` on `client`, in the read-only snapshot transaction it holds, begun with {@link PLANNER_SETTINGS}. */
export async function searchIn(client: Reader, query: ParsedQuery, request: SearchRequest, tuning: SearchTuning = {}): Promise<BackendSearch> {
  const started = performance.now();
  /** Sets the statement timeout to what is left of the budget. */
  const budgetLeft = async (): Promise<void> => {
    const left = Math.floor(SEARCH_TIMEOUT_MS - (performance.now() - started));
    if (left < 1) throw overBudget(SEARCH_TIMEOUT_MS);
    await client.query(`SET LOCAL statement_timeout = ${left}`);
  };
  const root = query.root;
  const expansions = await expandTerms(client, root);
  const stemsOf = stemsFrom(expansions);
  const strict = planUnit(root, stemsOf);
  const stats = await corpusStats(client, strict);
  const wordsOf = await nearVocabulary(client, strict);
  const run = async (units: Unit[], relaxed: boolean): Promise<Ranked> => {
    const empty: Ranked = { total: 0, page: [], facets: Object.fromEntries(request.facets.map((name) => [name, {}])) };
    if (stats.paragraphs === 0) return empty;
    if (postingsCanRank(units, request)) {
      await budgetLeft();
      const word = termTopLeaf(units, relaxed, stats, request);
      return word === null ? rankFromPostings(client, units, relaxed, stats, request, tuning.windowParagraphs) : rankTermTop(client, word, stats, request);
    }
    const params = createParams();
    const compiled = compileUnits(units, relaxed, stats, stemsOf, wordsOf, params);
    if (compiled.tsquery === null) return empty;
    const statement = rankingStatement({ ...compiled, tsquery: compiled.tsquery }, request, params);
    await budgetLeft();
    const { rows } = await client.query(statement, params.values);
    return readRanked(rows[0], request);
  };
  let relaxed = false;
  let ranked: Ranked | undefined;
  if (request.mode !== 'any' || root.must.length < 2) {
    ranked = await run([strict], false);
    if (!(ranked.total > 0 || request.mode === 'all' || !relaxable(root))) ranked = undefined;
  }
  if (ranked === undefined) {
    relaxed = true;
    ranked = await run(relaxedUnits(root, stemsOf), true);
  }
  const articles = await readArticles(client, [...new Set(ranked.page.map((row) => row.articleId))]);
  const hits: BackendHit[] = [];
  for (const row of ranked.page) {
    const article = articles.get(row.articleId);
    if (article === undefined) continue;
    const key = { clauses: row.clauses, textMatched: row.textMatched, score: row.score, date: row.date, id: `${row.articleId}:${row.n}` };
    const hit: BackendHit = { article, index: row.n - 1, score: row.score, textMatched: row.textMatched, key };
    if (row.matchingParagraphs !== undefined) hit.matchingParagraphs = row.matchingParagraphs;
    if (row.copies !== undefined) hit.copies = row.copies;
    hits.push(hit);
  }
  return { total: ranked.total, relaxed, hits, facets: ranked.facets, expansions };
}

/** One unit per clause of `root`, each with the exclusions: relaxed matching counts the clauses a paragraph holds. */
function relaxedUnits(root: AndNode, stemsOf: StemsOf): Unit[] {
  return root.must.map((clause) => planUnit({ kind: 'and', must: [clause], not: root.not }, stemsOf));
}

/** The paragraph count, average field lengths and the document frequencies of the unit's stems, in one statement. */
async function corpusStats(client: Queryable, unit: Unit): Promise<CorpusStats> {
  const stems = [...new Set(unit.leaves.flatMap((leaf) => leaf.stems))];
  // One row per stem found, or one row with no stem: the totals ride on each.
  const { rows } = await client.query(
    `SELECT t.paragraphs::float8 AS paragraphs, t.articles::float8 AS articles, t.title_length::float8 AS title, t.text_length::float8 AS text, s.stem, s.title_df, s.text_df, s.title_only
     FROM corpus_totals AS t LEFT JOIN stems AS s ON s.stem = ANY($1::text[])`,
    [stems],
  );
  const found = rows as Array<{ paragraphs: number; articles: number; title: number; text: number; stem: string | null; title_df: number; text_df: number; title_only: number }>;
  const df = new Map<string, number>();
  const titleOnly = new Map<string, number>();
  for (const entry of found) {
    if (entry.stem === null) continue;
    df.set(stemLexeme('title', entry.stem), entry.title_df);
    df.set(stemLexeme('text', entry.stem), entry.text_df);
    titleOnly.set(entry.stem, entry.title_only);
  }
  const totals = found[0] as { paragraphs: number; articles: number; title: number; text: number };
  const paragraphs = totals.paragraphs;
  return { paragraphs, articles: totals.articles, avgTitle: paragraphs === 0 ? 0 : totals.title / paragraphs, avgText: paragraphs === 0 ? 0 : totals.text / paragraphs, df, titleOnly };
}

/** The vocabulary words of the stems of terms inside proximity chains (a chain places words, not stems). */
async function nearVocabulary(client: Queryable, unit: Unit): Promise<(stem: string) => readonly string[]> {
  const stems = new Set<string>();
  const visit = (node: QueryNode, inChain: boolean): void => {
    if (node.kind === 'term') {
      if (inChain) for (const stem of unit.leafOf.get(node)?.stems ?? []) stems.add(stem);
    } else if (node.kind === 'near') node.operands.forEach((operand) => visit(operand, true));
    else if (node.kind === 'or') node.should.forEach((child) => visit(child, inChain));
    else if (node.kind === 'and') [...node.must, ...node.not].forEach((child) => visit(child, inChain));
  };
  visit(unit.root, false);
  const words = new Map<string, string[]>();
  if (stems.size > 0) {
    const { rows } = await client.query('SELECT stem, array_agg(word) AS words FROM words WHERE stem = ANY($1) GROUP BY stem', [[...stems]]);
    for (const row of rows as Array<{ stem: string; words: string[] }>) words.set(row.stem, row.words);
  }
  return (stem) => words.get(stem) ?? [];
}
