/**
 * @module backends/backend
 * The one contract every search backend implements (SPEC §9): the embedded backend (MiniSearch
 * in this process, `corpus/` files, a snapshot in `index/`) and the PostgreSQL backend. It sits at
 * the level of a whole search — a parsed query with its filters, sort, grouping, facets, mode and
 * page in; the exact total, the page, the facets out — so each backend can push all of it down to
 * where its data lives. Nothing in it is shaped by one implementation: no index records, no
 * vocabulary stems written into the shared query tree. Persistence belongs to each backend.
 *
 * Highlights and snippets are not the backend's: the service computes them from the page's
 * paragraphs with the one analyzer, given the words each prefix, wildcard and fuzzy term matched.
 */
import type { Article } from '../ingest/article.ts';
import type { Expansions, ParsedQuery } from '../search/query.ts';

export type { Expansions } from '../search/query.ts';

/** The facets a search can count (SPEC §5). */
export type FacetName = 'source' | 'month' | 'copies';

/** What to search for and how to rank, filter, group, count and page (SPEC §5); validated by the caller. */
export type SearchRequest = {
  limit: number;
  offset: number;
  /** Exact source names, compared case-insensitively; empty: every source. */
  sources: string[];
  /** Inclusive `YYYY-MM-DD` bounds on the article's date; undated articles are left out when either is set. */
  from: string | null;
  to: string | null;
  /** `relevance`: see {@link SearchBackend.search}; `newest` / `oldest`: by article date, undated last, then by relevance. */
  sort: 'relevance' | 'newest' | 'oldest';
  /** `article`: one hit per article (its best paragraph by the sort), `total` counts articles. */
  group: 'paragraph' | 'article';
  facets: FacetName[];
  /** `all`: only paragraphs matching the whole query; `any`: always relaxed; `default`: relaxed when nothing matches (SPEC §4). */
  mode: 'default' | 'all' | 'any';
  /**
   * `copies`: one hit per copy cluster (SPEC §10), the best paragraph of its earliest article
   * that matched, with {@link CopiesSummary}; `total` counts clusters (an article without copies
   * is a cluster of one).
   */
  collapse: 'none' | 'copies';
  /**
   * Keyset paging ("search after"): when set, the page is the first `limit` hits (from `offset`)
   * that come strictly after this key in the sort order — pass the {@link BackendHit.key} of the
   * last hit of the previous page. `total` and facets still count every hit. Exports walk every
   * match this way in bounded chunks (service/exports.ts).
   */
  after?: HitKey | undefined;
};

/**
 * Where a hit stands in the sort order of its search, as {@link SearchRequest.after} takes it:
 * clauses held (relaxed matching), whether its own text matched, its score and paragraph id
 * (relevance), and its article's date (`newest` / `oldest`). Keys are compared exactly: a score
 * comes back as the backend computed it.
 */
export type HitKey = { clauses: number; textMatched: boolean; score: number; date: string | null; id: string };

/** The defaults of every search parameter. */
export const DEFAULT_SEARCH_REQUEST: SearchRequest = {
  limit: 10,
  offset: 0,
  sources: [],
  from: null,
  to: null,
  sort: 'relevance',
  group: 'paragraph',
  facets: [],
  mode: 'default',
  collapse: 'none',
};

/** A paragraph of the page: the article it belongs to (whole, for text and context), which paragraph, and how it ranked. */
export type BackendHit = {
  article: Article;
  /** 0-based index of the paragraph in `article.paragraphs`. */
  index: number;
  /** BM25 as MiniSearch computes it (BM25+, title boosted, times the number of query terms matched). */
  score: number;
  /** False when the paragraph stands for an article that matched only through its title. */
  textMatched: boolean;
  /** With `group=article`: how many paragraphs of the article are hits. */
  matchingParagraphs?: number;
  /** With `collapse=copies`: the hit's copy cluster. */
  copies?: CopiesSummary;
  /** Its place in the sort order: what {@link SearchRequest.after} takes to continue after it. */
  key: HitKey;
};

/** A copy cluster in a collapsed hit: its articles (the hit's included), their sources and their first and last dates. */
export type CopiesSummary = { count: number; sources: string[]; first: string | null; last: string | null };

/** The outcome of a search, before hits are dressed with highlights and snippets. */
export type BackendSearch = {
  /** Exact: matching paragraphs (articles with `group=article`) under the paragraph-hit rule. */
  total: number;
  /** True when no paragraph held every clause and those holding most of them were returned. */
  relaxed: boolean;
  hits: BackendHit[];
  facets: Partial<Record<FacetName, Record<string, number>>>;
  /** The stems of the index words each prefix, wildcard and fuzzy term of the query matched (SPEC §4: each is searched as a keyword). */
  expansions: Expansions;
};

/** What writing one article of a batch did (SPEC §6). */
/** An article of a copy cluster, as lists of copies show it. */
export type CopySummary = { id: string; title: string; source: string | null; date: string | null; url: string | null };

/**
 * An article's copy cluster (SPEC §10): `copyOf` is the cluster's id, that of its earliest
 * article (by date, undated last, then by id), or `null` when the article has no copy; `copies`
 * lists the other articles of the cluster, earliest first.
 */
export type ArticleCopies = { copyOf: string | null; copies: CopySummary[] };

export type ArticleResult = { id: string; status: 'created' | 'updated' | 'unchanged'; paragraphs: number };

/** The counts of `/stats` a backend knows, plus what it wants to say about its storage. */
export type BackendStats = {
  articles: number;
  paragraphs: number;
  /** Distinct index terms (stems). */
  terms: number;
  /** Articles per source (`(none)` for articles without one). */
  sources: Record<string, number>;
  /** Which backend, and backend-specific facts (snapshot size and time, database size…). */
  backend: { name: 'embedded' | 'postgres' } & Record<string, unknown>;
};

/** The embedded backend's snapshot in `index/` (SPEC §6), as `/metrics` shows it. */
export type SnapshotMetrics = {
  /** The snapshot file last saved or loaded: its size and when it was written (milliseconds since the epoch); null when there is none. */
  saved: { bytes: number; at: number } | null;
  /** False when the index cannot be saved (no index folder, a read-only or full disk): every start rebuilds. */
  persisted: boolean;
  /** True while the index holds a change the snapshot does not: a start now would rebuild. */
  pending: boolean;
};

/**
 * What `/metrics` reads from a backend at every scrape: cheap to take (counters the backend
 * keeps, no scan of the archive, no per-source breakdown as in {@link BackendStats}).
 */
export type BackendMetrics = {
  name: 'embedded' | 'postgres';
  articles: number;
  paragraphs: number;
  /** The embedded backend's snapshot; null for a backend without one (PostgreSQL: the database is the index). */
  snapshot: SnapshotMetrics | null;
};

/**
 * A search backend. Every method may be called concurrently; writes are atomic per batch and
 * durable when their promise resolves, and a search never sees half a batch.
 */
export interface SearchBackend {
  /**
   * Runs `query`. A paragraph is a hit when the query matches over its text and its article's
   * title and some positive clause matches in its own text; an article that matches only through
   * its title is one hit, its first matching paragraph. Relevance ranks by how many top-level
   * clauses a paragraph holds (relaxed matching only), then text matches above title-only ones,
   * then by score, then by paragraph id. Throws `bad_request` when the query is too costly
   * (a prefix or wildcard matching too many words, the query budget spent).
   */
  search(query: ParsedQuery, request: SearchRequest): Promise<BackendSearch>;
  /** The copy cluster of the article `id` (see {@link ArticleCopies}), or `undefined` when there is no such article. */
  copiesOf(id: string): Promise<ArticleCopies | undefined>;
  /**
   * The copy cluster id (`copyOf`, see {@link ArticleCopies}) of each of `ids`: null for an
   * article without copies; unknown ids are left out. One round trip for a page of hits.
   */
  copyClusters(ids: readonly string[]): Promise<Map<string, string | null>>;
  /** An article by id, or `undefined`. */
  getArticle(id: string): Promise<Article | undefined>;
  /**
   * Adds or replaces validated articles with distinct ids, all or nothing: an identical article
   * is `unchanged`; the same id with other content replaces it. Resolves once durable and
   * searchable; throws `insufficient_storage` when the store of record is full (nothing written).
   */
  putArticles(articles: readonly Article[]): Promise<ArticleResult[]>;
  /** Removes an article; resolves false when it is unknown. */
  deleteArticle(id: string): Promise<boolean>;
  /** Up to `limit` words of the index starting with the folded `prefix`, most frequent first. */
  suggest(prefix: string, limit: number): Promise<string[]>;
  stats(): Promise<BackendStats>;
  /** The counts `/metrics` shows; cheap enough for every scrape. */
  metrics(): Promise<BackendMetrics>;
  /** Stops background work and releases resources (saves what must be saved). */
  close(): Promise<void>;
}
