/**
 * The comparison of a PostgreSQL answer with the embedded backend's: totals, relaxed, facets and
 * expansions equal; pages holding the same paragraphs in the same order up to score ties (tie
 * groups compared as sets); scores within 1e-6 relative.
 */
import { expect } from 'vitest';
import type { BackendSearch, SearchRequest } from '../../../src/backends/backend.ts';
import type { RankedParagraph, SearchOutcome } from '../../../src/backends/embedded/execute.ts';
import type { Article } from '../../../src/ingest/article.ts';
import type { ParsedQuery } from '../../../src/search/query.ts';

/** Relative closeness of two scores. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

/** The key a hit is ranked by, besides its id: clauses are not visible, but relaxed hits rank by them first. */
type Key = { date: string | null; textMatched: boolean; score: number };

function sameKey(a: Key, b: Key, sort: SearchRequest['sort']): boolean {
  return (sort === 'relevance' || a.date === b.date) && a.textMatched === b.textMatched && close(a.score, b.score);
}

/** Tie groups of the embedded backend's whole ranking: hits whose keys agree within the tolerance, by id. */
function tieGroups(ranking: readonly RankedParagraph[], sort: SearchRequest['sort'], idOf: (hit: RankedParagraph) => string): Map<string, number> {
  const groups = new Map<string, number>();
  let group = 0;
  ranking.forEach((hit, i) => {
    const previous = ranking[i - 1];
    if (previous !== undefined && !sameKey(keyOf(previous), keyOf(hit), sort)) group += 1;
    groups.set(idOf(hit), group);
  });
  return groups;
}

function keyOf(hit: RankedParagraph): Key {
  return { date: hit.stored.article.date, textMatched: hit.textMatched, score: hit.score };
}

/** Asserts that the two backends answer `parsed` alike. */
export function expectSameAnswer(articles: readonly Article[], parsed: ParsedQuery, req: SearchRequest, outcome: SearchOutcome, full: SearchOutcome, actual: BackendSearch): void {
  const context = `q=${parsed.canonical} request=${JSON.stringify(req)} corpus=${JSON.stringify(articles)}`;
  expect(actual.total, context).toBe(outcome.total);
  expect(actual.relaxed, context).toBe(outcome.relaxed);
  expect(actual.facets, context).toEqual(outcome.facets);
  expect(actual.expansions.size, context).toBe(outcome.expansions.size);
  for (const [node, stems] of outcome.expansions) {
    expect([...(actual.expansions.get(node) ?? [])].sort(), `${context} expansion of ${node.term}`).toEqual([...stems].sort());
  }
  const grouped = req.group === 'article';
  const idOf = (articleId: string, index: number) => (grouped ? articleId : `${articleId}:${index + 1}`);
  const groups = tieGroups(full.page, req.sort, (hit) => idOf(hit.stored.article.id, hit.index));
  const expectedById = new Map(full.page.map((hit) => [idOf(hit.stored.article.id, hit.index), hit]));
  expect(actual.hits.length, context).toBe(outcome.page.length);
  actual.hits.forEach((hit, i) => {
    const expected = outcome.page[i] as RankedParagraph;
    const id = idOf(hit.article.id, hit.index);
    expect(groups.get(id), `${context} hit ${i} ${id}`).toBe(groups.get(idOf(expected.stored.article.id, expected.index)));
    const same = expectedById.get(id) as RankedParagraph;
    expect(sameKey({ date: hit.article.date, textMatched: hit.textMatched, score: hit.score }, keyOf(same), req.sort), `${context} hit ${id}: ${hit.score} vs ${same.score}`).toBe(true);
    expect(hit.matchingParagraphs, context).toBe(same.matchingParagraphs);
    expect(hit.article, context).toEqual(same.stored.article);
  });
  expect(new Set(actual.hits.map((hit) => idOf(hit.article.id, hit.index))).size).toBe(actual.hits.length);
}
