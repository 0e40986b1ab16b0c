/**
 * The search API against a brute-force oracle: small random corpora and queries, the result set
 * and `total` compared with a scan of every paragraph's analyzer tokens. The oracle is written
 * here from the spec (SPEC §3–§4), independently of the parser, the engine and verify.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, stem, termsOf, type Analysis } from '../../src/text/analyzer.ts';
import type { SearchResponse } from '../../src/service/search-service.ts';
import { BACKENDS, contractArchive, type ContractArchive } from '../contract.ts';
import { makeArticle } from '../helpers.ts';

/** Words with inflections, case, accents, possessives and hyphens: the cases the analyzer folds. */
const VOCABULARY = ['truce', 'truces', 'Truce', 'gaza', 'Gaza', 'talk', 'talks', 'talked', 'iran', "Iran's", 'qatar', 'ceasefire', 'cease-fire', 'four-day', 'four', 'day', 'hamas', 'chief', 'U.S.', 'war', 'élan', 'Elan', 'the'];
/** Single-token query words (so the oracle needs no hyphen logic on the query side). */
const QUERY_WORDS = ['truce', 'truces', 'gaza', 'talk', 'talks', 'iran', 'qatar', 'ceasefire', 'four', 'day', 'hamas', 'chief', 'us', 'war', 'elan', 'the', 'fire', 'cease'];

/** A proximity connector: `w/N`, `pre/N`, `w/s`. */
type Connector = { kind: 'w' | 'pre'; distance: number } | { kind: 's' };

/** A field restriction (SPEC §4 `title:` / `text:`), or none. */
type Restriction = 'title' | 'text' | null;

type Clause =
  | { kind: 'term'; word: string; field?: Restriction }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'wildcard'; pattern: string }
  | { kind: 'fuzzy'; word: string; distance: number | null }
  | { kind: 'phrase'; words: string[]; slop: number; field?: Restriction }
  | { kind: 'or'; left: Clause; right: Clause }
  | { kind: 'near'; operands: Clause[]; connectors: Connector[] };
type Leaf = Exclude<Clause, { kind: 'or' } | { kind: 'near' }>;
/** A query, and how its AND and NOT are written (SPEC §4 allows several spellings of each). */
type Query = { must: Clause[]; not: Leaf[]; and: ' ' | ' AND ' | ' && ' | ' +'; neg: '-' | 'NOT ' | '!' };

const word = fc.constantFrom(...QUERY_WORDS);
const restriction = fc.constantFrom<Restriction>(null, null, null, 'title', 'text');
const term = fc.record({ w: word, field: restriction }).map(({ w, field }): Clause => ({ kind: 'term', word: w, field }));
const phrase = fc
  .record({ words: fc.array(word, { minLength: 1, maxLength: 3 }), slop: fc.constantFrom(0, 0, 1, 2), field: restriction })
  .map(({ words, slop, field }): Clause => ({ kind: 'phrase', words, slop, field }));
/** Prefixes that hit whole stem families (`talk*`) and parts of them (`talks*`, `truces*`). */
const prefix = fc.constantFrom('tal', 'talk', 'talks', 'tru', 'truces', 'ga', 'cease', 'ceasef', 'el', 'fo').map((p): Clause => ({ kind: 'prefix', prefix: p }));
/** `distance: null` is `~` alone: AUTO fuzziness. */
const fuzzy = fc.record({ word: fc.constantFrom('truse', 'talkz', 'gazza', 'chef', 'hamaz', 'ceasfire', 'wars', 'elam', 'th'), distance: fc.constantFrom(1, 2, null) }).map(({ word, distance }): Clause => ({ kind: 'fuzzy', word, distance }));
const wildcard = fc.constantFrom('t?lk', 'tr*e', 'ta*s', '*ire', 'g?za', 'ce*fire', 'h?m?s', '*ar').map((pattern): Clause => ({ kind: 'wildcard', pattern }));
const leaf: fc.Arbitrary<Clause> = fc.oneof(term, term, phrase, prefix, fuzzy, wildcard);
const connector: fc.Arbitrary<Connector> = fc.oneof(
  fc.record({ kind: fc.constantFrom('w' as const, 'pre' as const), distance: fc.integer({ min: 1, max: 4 }) }),
  fc.constant({ kind: 's' as const }),
);
const near = fc
  .array(fc.oneof(term, term, phrase, fc.record({ left: term, right: term }).map(({ left, right }): Clause => ({ kind: 'or', left, right }))), { minLength: 2, maxLength: 3 })
  .chain((operands) => fc.array(connector, { minLength: operands.length - 1, maxLength: operands.length - 1 }).map((connectors): Clause => ({ kind: 'near', operands, connectors })));
const clause: fc.Arbitrary<Clause> = fc.oneof(leaf, leaf, near, fc.record({ left: leaf, right: leaf }).map(({ left, right }): Clause => ({ kind: 'or', left, right })));
const query: fc.Arbitrary<Query> = fc.record({
  must: fc.array(clause, { minLength: 1, maxLength: 3 }),
  not: fc.array(fc.oneof(term, phrase, prefix, fuzzy, wildcard) as fc.Arbitrary<Leaf>, { maxLength: 2 }),
  and: fc.constantFrom(' ' as const, ' AND ' as const, ' && ' as const, ' +' as const),
  neg: fc.constantFrom('-' as const, 'NOT ' as const, '!' as const),
});

const paragraph = fc.array(fc.constantFrom(...VOCABULARY), { minLength: 1, maxLength: 12 }).chain((words) =>
  fc.array(fc.constantFrom(' ', ' ', ' ', ', ', '. ', '! ', '? ', ' — '), { minLength: words.length, maxLength: words.length }).map((gaps) =>
    words.map((w, i) => `${w}${i < words.length - 1 ? gaps[i] : '.'}`).join(''),
  ),
);
const corpus = fc.array(
  fc.record({ title: fc.array(fc.constantFrom(...VOCABULARY), { minLength: 1, maxLength: 4 }).map((ws) => ws.join(' ')), paragraphs: fc.array(paragraph, { minLength: 1, maxLength: 4 }) }),
  { minLength: 1, maxLength: 6 },
);

function render(c: Clause): string {
  switch (c.kind) {
    case 'term':
      return `${c.field ? `${c.field}:` : ''}${c.word}`;
    case 'prefix':
      return `${c.prefix}*`;
    case 'fuzzy':
      return `${c.word}~${c.distance ?? ''}`;
    case 'wildcard':
      return c.pattern;
    case 'phrase':
      return `${c.field ? `${c.field}:` : ''}"${c.words.join(' ')}"${c.slop > 0 ? `~${c.slop}` : ''}`;
    case 'or':
      return `(${render(c.left)} OR ${render(c.right)})`;
    case 'near':
      return `(${c.operands.map((operand, i) => (i === 0 ? '' : ` ${connectorText(c.connectors[i - 1] as Connector)} `) + render(operand)).join('')})`;
  }
}

function connectorText(c: Connector): string {
  return c.kind === 's' ? 'w/s' : `${c.kind}/${c.distance}`;
}

function renderQuery(q: Query): string {
  return [q.must.map(render).join(q.and), ...q.not.map((c) => `${q.neg}${render(c)}`)].join(' ');
}

/** In order, at most `slop` other tokens in between in total: tried over every tuple of positions. */
function hasPhrase(tokens: string[], words: string[], slop: number): boolean {
  const search = (from: number, index: number, first: number): boolean => {
    if (index === words.length) return true;
    for (let p = from; p < tokens.length; p += 1) {
      if (tokens[p] !== words[index]) continue;
      const start = index === 0 ? p : first;
      if (p - start - index > slop) break;
      if (search(p + 1, index + 1, start)) return true;
    }
    return false;
  };
  return search(0, 0, 0);
}

/** Levenshtein distance, by the textbook table. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/**
 * A prefix or fuzzy term (SPEC §4, README "Query language") matches like its keyword and like
 * every word of the vocabulary (all index terms of the corpus) it expands to, each by stem.
 */
function expansionStems(c: Leaf, vocabulary: readonly string[]): Set<string> | null {
  if (c.kind === 'prefix') return new Set([stem(c.prefix), ...vocabulary.filter((t) => t.startsWith(c.prefix)).map(stem)]);
  if (c.kind === 'wildcard') {
    // `?` one character, `*` any run; only the words it matches (a pattern has no stem of its own).
    const pattern = new RegExp(`^${c.pattern.replaceAll('?', '.').replaceAll('*', '.*')}$`, 'u');
    return new Set(vocabulary.filter((t) => pattern.test(t)).map(stem));
  }
  if (c.kind !== 'fuzzy') return null;
  // SPEC §4: `~` alone is AUTO (no edit up to 2 characters, 1 up to 5, 2 beyond); `~N` sets it.
  const allowed = c.distance ?? (c.word.length <= 2 ? 0 : c.word.length <= 5 ? 1 : 2);
  return new Set([stem(c.word), ...vocabulary.filter((t) => editDistance(t, c.word) <= allowed).map(stem)]);
}

function fieldMatches(c: Leaf, field: Analysis, vocabulary: readonly string[]): boolean {
  const terms = termsOf(field);
  switch (c.kind) {
    case 'term':
      return terms.some((t) => stem(t) === stem(c.word));
    case 'prefix':
    case 'wildcard':
    case 'fuzzy': {
      const stems = expansionStems(c, vocabulary) as Set<string>;
      return terms.some((t) => stems.has(stem(t)));
    }
    case 'phrase':
      return hasPhrase(field.tokens.map((t) => t.term), c.words, c.slop);
  }
}

/** A field: its analysis, and the sentence (UAX #29, by `Intl.Segmenter`) of each token. */
type FieldOf = { name: 'title' | 'text'; analysis: Analysis; sentence: number[] };

function fieldOf(name: 'title' | 'text', text: string): FieldOf {
  const analysis = analyze(text);
  const starts = [...new Intl.Segmenter('und', { granularity: 'sentence' }).segment(text)].map((segment) => segment.index);
  return { name, analysis, sentence: analysis.tokens.map((token) => starts.filter((start) => start <= token.start).length - 1) };
}

/** Every `[first, last]` token positions an operand occupies in a field: all tuples, by brute force. */
function occurrences(c: Clause, field: FieldOf, vocabulary: readonly string[]): Array<[number, number]> {
  const tokens = field.analysis.tokens.map((t) => t.term);
  if ((c.kind === 'term' || c.kind === 'phrase') && c.field && c.field !== field.name) return [];
  switch (c.kind) {
    case 'term': {
      const found: Array<[number, number]> = [];
      field.analysis.tokens.forEach((t) => {
        if (stem(t.term) === stem(c.word)) found.push([t.position, t.position]);
      });
      for (const compound of field.analysis.compounds) if (stem(compound.term) === stem(c.word)) found.push([compound.position, compound.position + compound.span - 1]);
      return found;
    }
    case 'phrase': {
      const found: Array<[number, number]> = [];
      const extend = (from: number, index: number, first: number): void => {
        if (index === c.words.length) return;
        for (let p = from; p < tokens.length; p += 1) {
          if (tokens[p] !== c.words[index]) continue;
          const start = index === 0 ? p : first;
          if (p - start - index > c.slop) break;
          if (index === c.words.length - 1) found.push([start, p]);
          else extend(p + 1, index + 1, start);
        }
      };
      extend(0, 0, 0);
      return found;
    }
    case 'or':
      return [...occurrences(c.left, field, vocabulary), ...occurrences(c.right, field, vocabulary)];
    default:
      throw new Error(`no occurrences for ${c.kind} in this oracle`);
  }
}

/** Two occurrences, `x` of the earlier operand: disjoint, and as the connector says. */
function satisfies(connector: Connector, x: [number, number], y: [number, number], sentence: number[]): boolean {
  if (!(y[0] > x[1] || x[0] > y[1])) return false;
  if (connector.kind === 's') return new Set([x[0], x[1], y[0], y[1]].map((p) => sentence[p])).size === 1;
  const after = y[0] > x[1] && y[0] - x[1] <= connector.distance;
  const before = x[0] > y[1] && x[0] - y[1] <= connector.distance;
  return connector.kind === 'pre' ? after : after || before;
}

/** A proximity chain in one field: some occurrence of each operand, each linked to the next, tried over every tuple. */
function chainMatches(c: Extract<Clause, { kind: 'near' }>, field: FieldOf, vocabulary: readonly string[]): boolean {
  const lists = c.operands.map((operand) => occurrences(operand, field, vocabulary));
  const extend = (index: number, previous: [number, number]): boolean =>
    index === lists.length ||
    (lists[index] as Array<[number, number]>).some((y) => satisfies(c.connectors[index - 1] as Connector, previous, y, field.sentence) && extend(index + 1, y));
  return (lists[0] as Array<[number, number]>).some((x) => extend(1, x));
}

function inField(c: Clause, field: FieldOf, vocabulary: readonly string[]): boolean {
  if (c.kind === 'or') return inField(c.left, field, vocabulary) || inField(c.right, field, vocabulary);
  if ((c.kind === 'term' || c.kind === 'phrase') && c.field && c.field !== field.name) return false;
  if (c.kind === 'near') return chainMatches(c, field, vocabulary);
  return fieldMatches(c, field.analysis, vocabulary);
}

function oracle(c: Clause, title: FieldOf, text: FieldOf, vocabulary: readonly string[]): boolean {
  if (c.kind === 'or') return oracle(c.left, title, text, vocabulary) || oracle(c.right, title, text, vocabulary);
  return inField(c, title, vocabulary) || inField(c, text, vocabulary);
}

describe.each(BACKENDS)('GET /search against a brute-force scan (%s backend)', (kind) => {
  let archive: ContractArchive;
  beforeAll(async () => {
    archive = await contractArchive(kind);
  });
  afterAll(async () => {
    await archive?.close();
  });

  it('returns exactly the paragraph hits of terms, AND, OR, NOT, phrases, slop, prefixes, wildcards, fuzzy terms and proximity', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(corpus, query, async (articles, q) => {
        const fixtures = articles.map((a, i) => makeArticle({ id: `a${i}`, title: a.title, paragraphs: a.paragraphs }));
        await archive.load(fixtures);
        const { app } = archive;
        const vocabulary = fixtures.flatMap((article) => [article.title, ...article.paragraphs].flatMap((text) => termsOf(analyze(text))));
        // SPEC §4, "What a paragraph hit is": the query matches over title and text, and some
        // positive clause in the text; an article matching only through its title is one hit,
        // its first matching paragraph.
        const expected: string[] = [];
        for (const article of fixtures) {
          const title = fieldOf('title', article.title);
          const matching: Array<{ id: string; inText: boolean }> = [];
          article.paragraphs.forEach((text, index) => {
            const field = fieldOf('text', text);
            const ok = q.must.every((c) => oracle(c, title, field, vocabulary)) && !q.not.some((c) => oracle(c, title, field, vocabulary));
            if (ok) matching.push({ id: `${article.id}:${index + 1}`, inText: q.must.some((c) => inField(c, field, vocabulary)) });
          });
          const own = matching.filter((m) => m.inText);
          if (own.length > 0) expected.push(...own.map((m) => m.id));
          else if (matching.length > 0) expected.push((matching[0] as { id: string }).id);
        }
        const response = await app.request(`/search?q=${encodeURIComponent(renderQuery(q))}&limit=100&mode=all`);
        expect(response.status).toBe(200);
        const body = (await response.json()) as SearchResponse;
        expect(body.total).toBe(expected.length);
        expect(body.hits.map((hit) => hit.id).sort()).toEqual(expected.sort());
        // The echoed reading, sent back as `q`, gives the same hits in the same order.
        const again = (await (await app.request(`/search?q=${encodeURIComponent(body.query)}&limit=100&mode=all`)).json()) as SearchResponse;
        expect(again.hits.map((hit) => hit.id)).toEqual(body.hits.map((hit) => hit.id));
      }),
      { numRuns: 400 },
    );
  });
});
