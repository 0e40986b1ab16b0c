/**
 * @module backends/postgres/rank
 * The statement around a compiled search: filters, the rule of what a paragraph hit is (an
 * article matching only through its title is one hit, its first paragraph), grouping by
 * article, the exact total, the facets and the page, sorted as execute.ts sorts: more clauses
 * held first (relaxed matching), then paragraphs whose own text matched, then score, then
 * paragraph id (as a string, byte order); `newest` / `oldest` by the date string first,
 * undated last.
 */
import type { CopiesSummary, FacetName, HitKey, SearchRequest } from '../backend.ts';
import type { CompiledSearch } from './compile.ts';
import type { Params } from './sql.ts';

/** A row of the page: which paragraph, and how it ranked. */
export type PageRow = { articleId: string; n: number; score: number; textMatched: boolean; clauses: number; date: string | null; matchingParagraphs?: number; copies?: CopiesSummary };

/** What the statement returns. */
export type Ranked = { total: number; page: PageRow[]; facets: Partial<Record<FacetName, Record<string, number>>> };

/** The facets' keys: the source, the month of the date. */
const FACET_KEYS: Record<FacetName, string> = { source: 'source', month: 'left(date, 7)', copies: "CASE WHEN has_copies THEN 'true' ELSE 'false' END" };

/** The statement ranking `compiled` for `request` (its result: one row, read by {@link readRanked}). */
export function rankingStatement(compiled: CompiledSearch & { tsquery: string }, request: SearchRequest, params: Params): string {
  const filters: string[] = [];
  if (request.sources.length > 0) filters.push(`p.source_key = ANY(${params.add(request.sources.map((source) => source.toLowerCase()), 'text[]')})`);
  if (request.from !== null) filters.push(`left(p.date, 10) >= ${params.add(request.from, 'text')}`);
  if (request.to !== null) filters.push(`left(p.date, 10) <= ${params.add(request.to, 'text')}`);
  const relevance = 'clauses DESC, tm DESC, score DESC, pid';
  const order = request.sort === 'relevance' ? relevance : `(date IS NULL), date ${request.sort === 'newest' ? 'DESC' : 'ASC'}, ${relevance}`;
  const collapsed = request.collapse === 'copies';
  const grouped = request.group === 'article' && !collapsed;
  const ranked = collapsed ? 'chosen' : grouped ? 'best' : 'counted';
  // Collapsed with group=article, a hit still says how many paragraphs of its article matched.
  const counts = grouped || (collapsed && request.group === 'article');
  const facets = request.facets.map(
    (name) =>
      `(SELECT coalesce(json_object_agg(k, c), '{}') FROM (SELECT ${FACET_KEYS[name]} AS k, count(*)::int AS c FROM counted WHERE ${FACET_KEYS[name]} IS NOT NULL GROUP BY 1) AS f) AS facet_${name}`,
  );
  return `WITH hits AS MATERIALIZED (
  SELECT p.article_id, p.n, p.source, p.date, ${compiled.score} AS score, ${compiled.textMatched} AS tm, ${compiled.clauses} AS clauses
  FROM paragraphs AS p
  ${compiled.joins}
  WHERE p.tsv @@ ${params.add(compiled.tsquery, 'tsquery')} AND ${compiled.hit}${filters.map((filter) => ` AND ${filter}`).join('')}
),
counted AS MATERIALIZED (
  SELECT h.*, (h.article_id || ':' || h.n::text) COLLATE "C" AS pid,
    coalesce(cp.cluster, h.article_id) COLLATE "C" AS cluster_key, (cp.cluster IS NOT NULL) AS has_copies FROM (
    SELECT * FROM hits WHERE tm
    UNION ALL
    (SELECT DISTINCT ON (h.article_id) h.* FROM hits AS h
     WHERE NOT h.tm AND NOT EXISTS (SELECT 1 FROM hits AS x WHERE x.article_id = h.article_id AND x.tm)
     ORDER BY h.article_id, h.n)
  ) AS h LEFT JOIN copy_prints AS cp ON cp.article_id = h.article_id
)${
    collapsed
      ? `,
chosen AS (
  SELECT DISTINCT ON (cluster_key) *, count(*) OVER (PARTITION BY article_id) AS matching FROM counted ORDER BY cluster_key, (date IS NULL), date, article_id, ${order}
)`
      : ''
  }${
    grouped
      ? `,
best AS (
  SELECT DISTINCT ON (article_id) *, count(*) OVER (PARTITION BY article_id) AS matching FROM counted ORDER BY article_id, ${order}
)`
      : ''
  }
SELECT (SELECT count(*) FROM ${ranked})::int AS total,
  (SELECT coalesce(json_agg(json_build_array(article_id, n, score, tm, ${counts ? 'matching' : 'NULL'}, ${collapsed ? COPIES_SUMMARY : 'NULL'}, clauses, date) ORDER BY ${order}), '[]')
   FROM (SELECT * FROM ${ranked}${request.after === undefined ? '' : ` WHERE ${afterKey(request.after, request.sort, params)}`} ORDER BY ${order} LIMIT ${params.add(request.limit, 'int')} OFFSET ${params.add(request.offset, 'int')}) AS page) AS page${facets.map((facet) => `,\n  ${facet}`).join('')}`;
}

/** A collapsed hit's copy cluster, from its cluster key: [articles, their sources sorted, first date, last date]. */
const COPIES_SUMMARY = `(SELECT json_build_array(count(*), coalesce(array_agg(DISTINCT a.source COLLATE "C" ORDER BY a.source COLLATE "C") FILTER (WHERE a.source IS NOT NULL), '{}'), min(a.date), max(a.date))
     FROM articles AS a LEFT JOIN copy_prints AS c ON c.article_id = a.article_id WHERE coalesce(c.cluster, a.article_id) = page.cluster_key)`;

/** Reads the one row of the ranking statement. */
export function readRanked(row: unknown, request: SearchRequest): Ranked {
  const record = row as Record<string, unknown>;
  const page = (record.page as unknown[]).map((entry): PageRow => {
    const [articleId, n, score, textMatched, matching, copies, clauses, date] = entry as [string, number, number, boolean, number | null, [number, string[], string | null, string | null] | null, number, string | null];
    const pageRow: PageRow = { articleId, n, score, textMatched, clauses, date };
    if (matching !== null) pageRow.matchingParagraphs = matching;
    if (copies !== null) pageRow.copies = { count: copies[0], sources: copies[1], first: copies[2], last: copies[3] };
    return pageRow;
  });
  const facets: Ranked['facets'] = {};
  for (const name of request.facets) facets[name] = { ...(record[`facet_${name}`] as Record<string, number>) };
  return { total: Number(record.total), page, facets };
}

/**
 * The rows that come strictly after `key` in the order of `sort` (keyset paging): the order's
 * columns compared one after the other, as the ORDER BY of {@link rankingStatement} compares them.
 */
function afterKey(key: HitKey, sort: SearchRequest['sort'], params: Params): string {
  const score = params.add(key.score, 'float8');
  const relevance = `(clauses < ${params.add(key.clauses, 'int')} OR (clauses = ${params.add(key.clauses, 'int')} AND (tm < ${params.add(key.textMatched, 'boolean')} OR (tm = ${params.add(key.textMatched, 'boolean')} AND (score < ${score} OR (score = ${score} AND pid > ${params.add(key.id, 'text')} COLLATE "C"))))))`;
  if (sort === 'relevance') return relevance;
  // Undated rows come last in both orders.
  if (key.date === null) return `(date IS NULL AND ${relevance})`;
  const date = params.add(key.date, 'text');
  return `(date IS NULL OR date ${sort === 'newest' ? '<' : '>'} ${date} OR (date = ${date} AND ${relevance}))`;
}
