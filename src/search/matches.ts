/**
 * @module search/matches
 * Where a query matched inside one paragraph: the spans of text and title that made it match,
 * found with the analyzer's tokens (never with regexes over raw text). Excluded clauses, OR
 * branches that did not match and proximity operands outside every satisfying chain contribute
 * nothing.
 */
import type { Token } from '../text/analyzer.ts';
import { connector } from './query-print.ts';
import { BOTH_FIELDS, fieldsOf, NO_EXPANSIONS, type Expansions, type QueryNode } from './query.ts';
import { chainIn, matchesQuery, phraseOccurrences, termMatches, type AnalyzedDoc } from './verify.ts';

export { analyzeDoc } from './verify.ts';

/** A matched span: UTF-16 `[start, end)` and the clause that matched (to count distinct terms). */
export type Span = { start: number; end: number; key: string };

/** The matched spans of a paragraph, per field. */
export type MatchSpans = { title: Span[]; text: Span[] };

/**
 * Collects the spans of `doc` that satisfy the positive clauses of `node`.
 *
 * @example
 * const doc = analyzeDoc('Gaza truce', 'The four-day truce began.');
 * matchSpans(parseQuery('truce').root, doc).text // [{ start: 14, end: 19, key: 'exact:truce' }]
 */
export function matchSpans(node: QueryNode, doc: AnalyzedDoc, expansions: Expansions = NO_EXPANSIONS): MatchSpans {
  const spans: MatchSpans = { title: [], text: [] };
  collect(node, doc, spans, expansions);
  return spans;
}

function collect(node: QueryNode, doc: AnalyzedDoc, spans: MatchSpans, expansions: Expansions): void {
  switch (node.kind) {
    case 'term':
      for (const field of fieldsOf(node.field)) {
        const analysis = doc[field];
        const key = `${node.mode}:${node.term}`;
        for (const token of analysis.tokens) if (termMatches(node, token.term, expansions)) spans[field].push(spanOf(token, token, key));
        for (const compound of analysis.compounds) if (termMatches(node, compound.term, expansions)) spans[field].push(spanOf(compound, compound, key));
      }
      return;
    case 'phrase':
      for (const field of fieldsOf(node.field)) {
        const tokens = doc[field].tokens;
        const key = `"${node.terms.join(' ')}"~${node.slop}`;
        for (const [first, last] of phraseOccurrences(tokens, node.terms, node.slop)) {
          spans[field].push(spanOf(tokens[first] as Token, tokens[last] as Token, key));
        }
      }
      return;
    case 'near':
      for (const field of BOTH_FIELDS) {
        const chain = chainIn(node, doc, field, expansions);
        if (chain === null) continue;
        const tokens = doc[field].tokens;
        chain.forEach((occurrences, operand) => {
          const key = `near:${node.links.map(connector).join(',')}:${operand}`;
          for (const [first, last] of occurrences) spans[field].push(spanOf(tokens[first] as Token, tokens[last] as Token, key));
        });
      }
      return;
    case 'and':
      for (const child of node.must) collect(child, doc, spans, expansions);
      return;
    case 'or':
      for (const child of node.should) if (matchesQuery(child, doc, expansions)) collect(child, doc, spans, expansions);
      return;
  }
}

function spanOf(first: Token, last: Token, key: string): Span {
  return { start: first.start, end: last.end, key };
}
