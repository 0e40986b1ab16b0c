/**
 * @module search/ranking
 * What every backend ranks and bounds by, in one place: the BM25+ parameters and title boost
 * (both backends score as MiniSearch does, SPEC §9: the same top 10), and the most words a
 * prefix, wildcard or fuzzy term may expand to before the query is refused.
 */
import { createError, type ServiceError } from '../errors.ts';
import type { TermNode } from './query.ts';

/** BM25+ parameters: MiniSearch's defaults, which the embedded index is built with and the PostgreSQL scoring copies. */
export const BM25 = { k: 1.2, b: 0.7, d: 0.5 } as const;

/** How much more a title match weighs than a text match: titles are short and chosen with care. */
export const TITLE_BOOST = 2;

/** Most words of the index a prefix, wildcard or fuzzy term may expand to; beyond it the query is refused (bounded cost). */
export const MAX_EXPANDED_WORDS = 5000;

/**
 * The `bad_request` for a term that matches over {@link MAX_EXPANDED_WORDS} words, saying how to narrow it.
 *
 * @example
 * throw tooManyWords(prefixNode) // q: the prefix "co*" matches over 5000 words; use a longer prefix
 */
export function tooManyWords(node: TermNode): ServiceError {
  const what = node.mode === 'prefix' ? `the prefix "${node.term}*"` : node.mode === 'wildcard' ? `the wildcard word "${node.term}"` : `the fuzzy term "${node.term}~${node.distance}"`;
  const advice = node.mode === 'prefix' ? 'use a longer prefix' : node.mode === 'wildcard' ? 'give more letters' : 'allow fewer edits';
  return createError('bad_request', `q: ${what} matches over ${MAX_EXPANDED_WORDS} words; ${advice}`);
}

/**
 * Longest a query may work, expansion of its prefixes and fuzzy terms included, before it is
 * refused with a 400, on either backend: an exact answer or an honest refusal, never a silently
 * partial total. (The embedded backend counts its own work, not the time it spends paused while
 * others run; PostgreSQL counts the time its statements take.)
 */
export const QUERY_BUDGET_MS = 3000;

/** The refusal of a query whose work passed the budget. */
export function overBudget(budgetMs: number): ServiceError {
  return createError('bad_request', `q took longer than ${budgetMs} ms to run; narrow it (fewer very common words in phrases, longer prefixes, fewer fuzzy terms)`);
}
