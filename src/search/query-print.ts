/**
 * @module search/query-print
 * The canonical text of a parsed query (SPEC §4 `query`): operators written out (`AND`, `OR`,
 * `NOT`, connectors), groups in parentheses only where precedence needs them, fuzzy distances
 * resolved, words and phrases as typed (folded forms only where nothing typed reads back the same). Parsing the
 * canonical text gives the same tree, so it can be sent back as `q`.
 */
import type { AndNode, Link, QueryNode } from './query.ts';

/**
 * Prints `root`. `written` maps nodes made from a bare word to the word as typed.
 *
 * @example
 * printQuery(parseQuery('Gaza iran OR qatar -"United States"').root)
 * // 'Gaza AND (iran OR qatar) NOT "United States"'
 */
export function printQuery(root: AndNode, written: WeakMap<QueryNode, string> = new WeakMap()): string {
  return printAnd(root, written);
}

/** Binding strength of a node printed as an operand: leaves (and anything printed as typed) 3, OR 2, proximity 1, AND 0. */
function strength(node: QueryNode, written: WeakMap<QueryNode, string>): number {
  if (written.has(node)) return 3;
  switch (node.kind) {
    case 'term':
    case 'phrase':
      return 3;
    case 'or':
      return 2;
    case 'near':
      return 1;
    case 'and':
      return node.must.length === 1 && node.not.length === 0 ? strength(node.must[0] as QueryNode, written) : 0;
  }
}

/** `node` as an operand that must bind at least as `needed`: in parentheses when it binds less. */
function operand(node: QueryNode, needed: number, written: WeakMap<QueryNode, string>): string {
  const text = print(node, written);
  return strength(node, written) >= needed ? text : `(${text})`;
}

function print(node: QueryNode, written: WeakMap<QueryNode, string>): string {
  const typed = written.get(node);
  if (typed !== undefined) {
    const restriction = fieldOf(node);
    return restriction === null ? typed : `${restriction}:${typed}`;
  }
  const field = (node.kind === 'term' || node.kind === 'phrase') && node.field !== null ? `${node.field}:` : '';
  switch (node.kind) {
    case 'term':
      return `${field}${node.term}${node.mode === 'prefix' ? '*' : node.mode === 'fuzzy' ? `~${node.distance}` : ''}`;
    case 'phrase':
      return `${field}"${node.terms.join(' ')}"${node.slop > 0 ? `~${node.slop}` : ''}`;
    case 'or':
      return node.should.map((child) => operand(child, 3, written)).join(' OR ');
    case 'near':
      // OR operands bind tighter than connectors, but read more easily in parentheses.
      return node.operands.map((child, index) => (index === 0 ? '' : ` ${connector(node.links[index - 1] as Link)} `) + operand(child, 3, written)).join('');
    case 'and':
      return printAnd(node, written);
  }
}

function printAnd(node: AndNode, written: WeakMap<QueryNode, string>): string {
  // Among other clauses an OR or a proximity chain is put in parentheses: it binds tighter, but not every reader knows.
  const alone = node.must.length + node.not.length === 1;
  const must = node.must.map((child) => operand(child, alone ? 1 : 3, written)).join(' AND ');
  const not = node.not.map((child) => `NOT ${operand(child, 3, written)}`).join(' ');
  return must === '' ? not : not === '' ? must : `${must} ${not}`;
}

/** The field restriction a node is printed with: its own, or (a hyphenated word's OR) its first branch's. */
function fieldOf(node: QueryNode): string | null {
  if (node.kind === 'term' || node.kind === 'phrase') return node.field;
  if (node.kind === 'or') {
    const first = node.should[0];
    return first !== undefined && (first.kind === 'term' || first.kind === 'phrase') ? first.field : null;
  }
  return null;
}

/** The connector of a link as written: `w/5`, `pre/5`, `w/s`, `w/p`. */
export function connector(link: Link): string {
  switch (link.unit) {
    case 'words':
      return `${link.ordered ? 'pre' : 'w'}/${link.distance}`;
    case 'sentence':
      return 'w/s';
    case 'paragraph':
      return 'w/p';
  }
}
