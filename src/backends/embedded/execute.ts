/**
 * @module backends/embedded/execute
 * Runs a parsed query against the library: candidates from the engine, filters, exact phrase
 * verification on the analyzer's tokens, ranking, grouping, facets and the requested page.
 */
import { articleIdOf, clusterArticles, COLON, findParagraph, paragraphNumberOf, type Library, type ParagraphRef, type StoredArticle } from './library.ts';
import type { CopiesSummary, FacetName, HitKey, SearchRequest } from '../backend.ts';
import type { Article } from '../../ingest/article.ts';
import { earliestFirst } from '../../news/copies.ts';
import type { AndNode, Expansions, ParsedQuery } from '../../search/query.ts';
import type { Verdict } from './term-store.ts';
import { createTopK } from './top-k.ts';
import { QUERY_BUDGET_MS } from '../../search/ranking.ts';
import { createPacer, runToEnd, type Pace, type Steps } from '../pace.ts';
import type { Turns } from '../turns.ts';

export type { FacetName, SearchRequest } from '../backend.ts';
export { DEFAULT_SEARCH_REQUEST } from '../backend.ts';

/** A paragraph that matched, ranked. */
export type RankedParagraph = {
  id: string;
  stored: StoredArticle;
  /** 0-based index of the paragraph in its article. */
  index: number;
  score: number;
  /** False when the paragraph stands for an article that matched only through its title. */
  textMatched: boolean;
  /** With `group=article`: how many paragraphs of the article matched. */
  matchingParagraphs?: number;
  /** With `collapse=copies`: the hit's copy cluster. */
  copies?: CopiesSummary;
  /** Its place in the sort order (keyset paging). */
  key: HitKey;
};

/** The outcome of a search, before hits are dressed with highlights and snippets. */
export type SearchOutcome = {
  /** What each prefix, wildcard and fuzzy term of the query expanded to. */
  expansions: Expansions;
  /** True when no paragraph held every clause and those holding most of them were returned (SPEC §4). */
  relaxed: boolean;
  total: number;
  page: RankedParagraph[];
  facets: Partial<Record<FacetName, Record<string, number>>>;
};

/** Longest a search works before it lets writes and other searches run. */
export const SEARCH_SLICE_MS = 5;
/**
 * Times a search is started over because the index changed while it was paused (it would
 * otherwise mix two states of the archive); the next run does not pause, so it always ends.
 */
const MAX_RESTARTS = 2;

/** A candidate being ranked: the paragraph is looked up only when something needs it. */
type Match = { id: string; score: number; textMatched: boolean; clauses: number; ref: ParagraphRef | undefined; matchingParagraphs?: number; date?: string | null };

/**
 * Receives a candidate: its id, BM25 score, whether it matched in its own text, whether its
 * article's title may have matched too (true when unknown), and how many clauses it holds.
 */
type Visit = (id: string, score: number, textMatched: boolean, titleMatched: boolean, clauses: number) => void;

/** How a search shares the event loop: whose turn it is, its budget of work, and how long it works before pausing. */
type Options = { turns: Turns; budgetMs?: number; sliceMs?: number };

/**
 * Executes `query`. `total` is exact: every candidate is filtered, verified and counted; only
 * the page is kept, with a bounded selection instead of a sort of every match.
 *
 * A paragraph is a hit when the query matches over its text and its article's title and some
 * positive clause matches in its own text; an article that matches only through its title is one
 * hit, its first matching paragraph (SPEC §4). When the AND of three or more terms finds nothing
 * (or always, with `mode=any`), paragraphs holding some of the clauses are ranked by how many
 * they hold, then by BM25, and the outcome says `relaxed`.
 *
 * @example
 * executeSearch(library, parseQuery('ceasefire'), DEFAULT_SEARCH_REQUEST).total // 2 on the seed
 */
export function executeSearch(library: Library, query: ParsedQuery, request: SearchRequest, budgetMs: number = QUERY_BUDGET_MS): SearchOutcome {
  const pacer = createPacer({ sliceMs: Number.POSITIVE_INFINITY, budgetMs });
  return runToEnd(searchSteps(library, query, request, pacer.pace), pacer);
}

/**
 * {@link executeSearch}, a slice of {@link SEARCH_SLICE_MS} at a time, taking turns with other
 * searches (`turns`): between two slices the event loop handles writes and new requests, so
 * neither a long query nor many short ones hold up a write, and a short query issued while a
 * long one runs waits for one slice, not for all of it (a search resuming after a pause lets
new work go first: see `turns.ts`). Should the index change while it is
 * paused, the search starts over (at most {@link MAX_RESTARTS} times; then it runs to the end
 * in one slice): an outcome always reflects one state of the archive.
 */
export async function searchInSlices(library: Library, query: ParsedQuery, request: SearchRequest, options: Options): Promise<SearchOutcome> {
  const { turns, budgetMs = QUERY_BUDGET_MS, sliceMs = SEARCH_SLICE_MS } = options;
  for (let restarts = 0; ; restarts += 1) {
    const pauses = restarts < MAX_RESTARTS;
    await turns.next(restarts === 0 ? 'fresh' : 'resumed');
    const pacer = createPacer({ sliceMs: pauses ? sliceMs : Number.POSITIVE_INFINITY, budgetMs });
    const version = library.engine.version;
    const steps = searchSteps(library, query, request, pacer.pace);
    for (;;) {
      const next = steps.next();
      if (next.done === true) return next.value;
      await turns.next('resumed');
      pacer.resume();
      if (library.engine.version !== version) break;
    }
    steps.return(undefined as never);
  }
}

/** The work of a search, pausing when `pace` says so. */
function* searchSteps(library: Library, query: ParsedQuery, request: SearchRequest, pace: Pace): Steps<SearchOutcome> {
  const root = query.root;
  const expansions = yield* library.engine.expandSteps(root, pace);
  if (request.mode !== 'any' || root.must.length < 2) {
    const outcome = yield* rank(library, request, pace, (visit) => strictCandidates(library, root, expansions, pace, visit));
    if (outcome.total > 0 || request.mode === 'all' || !relaxable(root)) return { expansions, relaxed: false, ...outcome };
  }
  const outcome = yield* rank(library, request, pace, (visit) => relaxedCandidates(library, root, expansions, pace, visit));
  return { expansions, relaxed: true, ...outcome };
}

/** Fewest plain terms whose AND, finding nothing, falls back to relaxed matching (SPEC §4). */
const MIN_RELAXED_TERMS = 3;

/** True when `root` is the AND of enough plain terms for the relaxed fallback. */
function relaxable(root: AndNode): boolean {
  return root.must.length >= MIN_RELAXED_TERMS && root.must.every((child) => child.kind === 'term');
}

/** The paragraphs matching all of `root`, verified when the engine's candidates are a superset. */
function* strictCandidates(library: Library, root: AndNode, expansions: Expansions, pace: Pace, visit: Visit): Steps<void> {
  const prepared = library.engine.prepare(root, expansions);
  const verdict = prepared.exact && prepared.textExact ? undefined : verifier(library, root, expansions);
  yield* prepared.run((id, score, textMatched, titleMatched) => {
    if (verdict === undefined || (prepared.exact && textMatched)) {
      // Without exact fields, the title may have matched though the engine does not say so.
      visit(id, score, textMatched, titleMatched || !prepared.textExact, 0);
      return;
    }
    const ref = findParagraph(library, id);
    const outcome = ref === undefined ? 'none' : verdict(ref);
    if (outcome !== 'none') visit(id, score, outcome === 'text', true, 0);
  }, pace);
}

/** The paragraphs matching some positive clause of `root` and none of its exclusions, with how many clauses each holds. */
function* relaxedCandidates(library: Library, root: AndNode, expansions: Expansions, pace: Pace, visit: Visit): Steps<void> {
  const found = new Map<string, { score: number; clauses: number; text: boolean; title: boolean }>();
  for (const clause of root.must) {
    yield* strictCandidates(library, { kind: 'and', must: [clause], not: root.not }, expansions, pace, (id, score, textMatched, titleMatched) => {
      const known = found.get(id);
      if (known === undefined) found.set(id, { score, clauses: 1, text: textMatched, title: titleMatched });
      else {
        known.score += score;
        known.clauses += 1;
        known.text ||= textMatched;
        known.title ||= titleMatched;
      }
    });
  }
  for (const [id, { score, clauses, text, title }] of found) {
    visit(id, score, text, title, clauses);
    if (pace()) yield;
  }
}

/**
 * Filters, counts, groups and pages the candidates `produce` visits, applying the rule of what a
 * paragraph hit is: title-only candidates stand for their article only when none of its
 * paragraphs matched in its own text, by the first of them.
 */
function* rank(library: Library, request: SearchRequest, pace: Pace, produce: (visit: Visit) => Steps<void>): Steps<Omit<SearchOutcome, 'relaxed' | 'expansions'>> {
  const accept = articleFilter(request);
  const needsParagraph = accept !== undefined || request.facets.length > 0 || request.sort !== 'relevance';
  const compare = comparator(request.sort);
  const facets = createFacetCounter(request.facets, library);
  const collapse = request.collapse === 'copies' ? createCollapse(library, compare) : undefined;
  const byArticle = request.group === 'article' && collapse === undefined ? new Map<string, Match>() : undefined;
  // Collapsed with group=article, a hit still says how many paragraphs of its article matched.
  const paragraphsOf = request.group === 'article' && collapse !== undefined ? new Map<string, number>() : undefined;
  // Title-only candidates come an article at a time (its paragraphs are indexed together): the
  // last article id is reused instead of slicing a new string per candidate.
  let lastArticle = '';
  const articleOf = (id: string): string => {
    const length = lastArticle.length;
    if (length > 0 && id.charCodeAt(length) === COLON && id.startsWith(lastArticle)) return lastArticle;
    lastArticle = articleIdOf(id);
    return lastArticle;
  };
  // Articles with a text hit whose title matched too: only those can also have title-only candidates.
  const textArticles = new Set<string>();
  const titleOnly = new Map<string, Match>();
  const top = createTopK<Match>(request.offset + request.limit, compare);
  // Keyset paging: only hits after the key enter the page; every hit is still counted.
  const after = request.after === undefined ? undefined : { ...request.after, ref: undefined };
  const offer = (match: Match): void => {
    if (after === undefined || compare(after, match) < 0) top.push(match);
  };
  let total = 0;

  const count = (match: Match, articleId: string): void => {
    if (match.ref !== undefined) facets?.count(match.ref.stored);
    if (collapse !== undefined) {
      paragraphsOf?.set(articleId, (paragraphsOf.get(articleId) ?? 0) + 1);
      return collapse.add(match, articleId);
    }
    if (byArticle === undefined) {
      total += 1;
      offer(match);
      return;
    }
    const best = byArticle.get(articleId);
    if (best === undefined) byArticle.set(articleId, { ...match, matchingParagraphs: 1 });
    else if (compare(match, best) < 0) byArticle.set(articleId, { ...match, matchingParagraphs: (best.matchingParagraphs ?? 1) + 1 });
    else best.matchingParagraphs = (best.matchingParagraphs ?? 1) + 1;
  };

  yield* produce((id, score, textMatched, titleMatched, clauses) => {
    let ref: ParagraphRef | undefined;
    if (needsParagraph) {
      ref = findParagraph(library, id);
      if (ref === undefined || (accept !== undefined && !accept(ref.stored))) return;
    }
    const match: Match = { id, score, textMatched, clauses, ref };
    if (!textMatched) {
      const articleId = articleOf(id);
      const first = titleOnly.get(articleId);
      if (first === undefined || paragraphNumberOf(id, articleId.length) < paragraphNumberOf(first.id, articleId.length)) titleOnly.set(articleId, match);
      return;
    }
    if (titleMatched) textArticles.add(articleOf(id));
    count(match, byArticle === undefined && collapse === undefined ? '' : articleIdOf(id));
  });
  for (const [articleId, match] of titleOnly) {
    if (pace()) yield;
    if (textArticles.has(articleId)) continue;
    match.ref ??= needsParagraph ? findParagraph(library, match.id) : undefined;
    count(match, articleId);
  }

  if (collapse !== undefined) {
    total = collapse.size;
    for (const chosen of collapse.chosen()) {
      offer(chosen);
      if (pace()) yield;
    }
  }
  if (byArticle !== undefined) {
    total = byArticle.size;
    for (const best of byArticle.values()) {
      offer(best);
      if (pace()) yield;
    }
  }
  const page: RankedParagraph[] = [];
  for (const match of top.sorted().slice(request.offset)) {
    const ref = match.ref ?? findParagraph(library, match.id);
    if (ref === undefined) continue;
    const key: HitKey = { clauses: match.clauses, textMatched: match.textMatched, score: match.score, date: ref.stored.article.date, id: match.id };
    const hit: RankedParagraph = { id: match.id, stored: ref.stored, index: ref.index, score: match.score, textMatched: match.textMatched, key };
    if (match.matchingParagraphs !== undefined) hit.matchingParagraphs = match.matchingParagraphs;
    if (collapse !== undefined) hit.copies = copiesSummary(library, ref.stored.article.id);
    const matching = paragraphsOf?.get(ref.stored.article.id);
    if (matching !== undefined) hit.matchingParagraphs = matching;
    page.push(hit);
  }
  return { total, page, facets: facets?.result() ?? {} };
}

/** Verifies candidates on the analyzer's terms, in the library's term store. */
function verifier(library: Library, root: AndNode, expansions: Expansions): (ref: ParagraphRef) => Verdict {
  const verdict = library.terms.matcher(root, expansions);
  return (ref) => verdict(library.terms.doc(ref.stored, ref.index));
}

function articleFilter(request: SearchRequest): ((stored: StoredArticle) => boolean) | undefined {
  const sources = new Set(request.sources.map((source) => source.toLowerCase()));
  const { from, to } = request;
  if (sources.size === 0 && from === null && to === null) return undefined;
  return ({ article }) => {
    if (sources.size > 0 && (article.source === null || !sources.has(article.source.toLowerCase()))) return false;
    if (from === null && to === null) return true;
    if (article.date === null) return false;
    const day = article.date.slice(0, 10);
    return (from === null || day >= from) && (to === null || day <= to);
  };
}

/**
 * Relevance: more clauses held first (relaxed matching), then paragraphs whose own text matched,
 * then by score, then by id for stable pages.
 */
function comparator(sort: SearchRequest['sort']): (a: Match, b: Match) => number {
  const byRelevance = (a: Match, b: Match): number =>
    b.clauses - a.clauses || Number(b.textMatched) - Number(a.textMatched) || b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (sort === 'relevance') return byRelevance;
  const direction = sort === 'newest' ? -1 : 1;
  return (a, b) => {
    // A key to page after carries its date; a candidate's is its article's.
    const dateA = a.date !== undefined ? a.date : (a.ref?.stored.article.date ?? null);
    const dateB = b.date !== undefined ? b.date : (b.ref?.stored.article.date ?? null);
    if (dateA !== dateB) {
      if (dateA === null) return 1; // undated articles last in both orders
      if (dateB === null) return -1;
      return dateA < dateB ? -direction : direction;
    }
    return byRelevance(a, b);
  };
}
/** Counts matches per source, per month and by whether their article has copies, for the facets asked for. */
function createFacetCounter(names: readonly FacetName[], library: Library): { count(stored: StoredArticle): void; result(): SearchOutcome['facets'] } | undefined {
  if (names.length === 0) return undefined;
  const counts: SearchOutcome['facets'] = {};
  for (const name of names) counts[name] = {};
  const keyOf = (name: FacetName, article: StoredArticle['article']): string | null => {
    if (name === 'source') return article.source;
    if (name === 'month') return article.date?.slice(0, 7) ?? null;
    // Whether the hit's article has copies (SPEC §10).
    return library.copies.hasCopies(article.id) ? 'true' : 'false';
  };
  return {
    count({ article }) {
      for (const name of names) {
        const key = keyOf(name, article);
        const table = counts[name] as Record<string, number>;
        if (key !== null) table[key] = (table[key] ?? 0) + 1;
      }
    },
    result: () => counts,
  };
}

/**
 * One hit per copy cluster (SPEC §10): of the matches of a cluster's articles, those of its
 * earliest article (by date, undated last, then id), and of those the first by the sort. An
 * article's cluster is worked out once per search, for all its articles.
 */
function createCollapse(library: Library, compare: (a: Match, b: Match) => number) {
  const keyOf = new Map<string, string>();
  const chosen = new Map<string, { match: Match; article: Article }>();
  const clusterKey = (articleId: string): string => {
    const known = keyOf.get(articleId);
    if (known !== undefined) return known;
    const members = clusterArticles(library, articleId);
    const key = members[0]?.id ?? articleId;
    for (const member of members) keyOf.set(member.id, key);
    keyOf.set(articleId, key);
    return key;
  };
  return {
    add(match: Match, articleId: string): void {
      const article = library.articles.get(articleId)?.article;
      if (article === undefined) return;
      const key = clusterKey(articleId);
      const current = chosen.get(key);
      if (current === undefined) return void chosen.set(key, { match, article });
      const order = earliestFirst(article, current.article);
      if (order < 0 || (order === 0 && compare(match, current.match) < 0)) chosen.set(key, { match, article });
    },
    get size() {
      return chosen.size;
    },
    *chosen(): Generator<Match> {
      for (const { match } of chosen.values()) yield match;
    },
  };
}

/** The copy cluster of article `id` as a collapsed hit shows it. */
function copiesSummary(library: Library, id: string): CopiesSummary {
  const articles = clusterArticles(library, id);
  const dates = articles.flatMap((article) => (article.date === null ? [] : [article.date])).sort();
  const sources = [...new Set(articles.flatMap((article) => (article.source === null ? [] : [article.source])))].sort();
  return { count: articles.length, sources, first: dates[0] ?? null, last: dates.at(-1) ?? null };
}
