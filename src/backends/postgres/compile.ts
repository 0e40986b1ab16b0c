/**
 * @module backends/postgres/compile
 * Translates planned units (query-plan.ts) into SQL over one paragraph row `p` (and its article
 * `a` when phrases or chains may be checked in the title):
 * - a `tsquery` for the GIN index: a superset of the matches (terms as their stems, phrases as
 *   their word pairs or, with slop, their words, chains as their operands, exclusions only where
 *   they are exact);
 * - laterals computing, once per candidate, the term frequencies the query needs (`t`), the
 *   aggregates of prefixes with many stems (`bN`, read from the row's side: its own stems), and
 *   the phrase and chain checks (`v`);
 * - per unit, the exact match (verify.ts's meaning), the score (MiniSearch's BM25+, see
 *   query-plan.ts) and whether the paragraph matched in its own text.
 */
import { BOTH_FIELDS, type Field, type Link, type NearNode, type PhraseNode, type QueryNode, type TermNode } from '../../search/query.ts';
import { allowedSlop } from '../../search/verify.ts';
import { TITLE_BOOST } from '../../search/ranking.ts';
import { anyLexeme, FALSE, pairLexeme, quoteLexeme, simplify, stemLexeme, termKey, tsqueryLiteral, wordLexeme, type LexemeFormula } from './lexemes.ts';
import { positional, type Leaf, type MsNode, type StemsOf, type Unit } from './query-plan.ts';
import { allOf, anyOf, sumOf, type Params } from './sql.ts';

/** What scoring needs from the corpus: the paragraph count, average field lengths, and document frequencies by stem lexeme. */
export type CorpusStats = {
  paragraphs: number;
  articles: number;
  avgTitle: number;
  avgText: number;
  /** Paragraphs holding each stem lexeme of the query. */
  df: ReadonlyMap<string, number>;
  /** Per stem key of the query: articles holding it in their title and in no paragraph's text. */
  titleOnly: ReadonlyMap<string, number>;
};

/** BM25's inverse document frequency of a stem lexeme, as MiniSearch computes it. */
export function inverseDocumentFrequency(stats: CorpusStats, lexeme: string): number {
  const df = stats.df.get(lexeme) ?? 0;
  return Math.log(1 + (stats.paragraphs - df + 0.5) / (df + 0.5));
}

/** The SQL of a search over `paragraphs AS p`. */
export type CompiledSearch = {
  /** The `tsquery` literal of the candidates; null when nothing can match. */
  tsquery: string | null;
  /** Joins and laterals after `FROM paragraphs AS p`. */
  joins: string;
  /** The condition of a hit, besides the tsquery. */
  hit: string;
  score: string;
  textMatched: string;
  /** Clauses held (relaxed matching), 0 otherwise. */
  clauses: string;
};

/** Leaves with more stems than this (a prefix, a wildcard) are scored from the row's side: its stems looked up in the leaf's. */
const MANY_STEMS = 12;

/** The columns holding each field's analysis: the paragraph's own, or its article's title. */
const FIELD_COLUMNS: Record<Field, { words: string; compounds: string; starts: string; spans: string; sentences: string }> = {
  text: { words: 'p.words', compounds: 'p.compounds', starts: 'p.compound_starts', spans: 'p.compound_spans', sentences: 'p.sentence_starts' },
  title: { words: 'a.title_words', compounds: 'a.title_compounds', starts: 'a.title_compound_starts', spans: 'a.title_compound_spans', sentences: 'a.title_sentence_starts' },
};

const LINK_UNITS: Record<Link['unit'], number> = { words: 0, sentence: 1, paragraph: 2 };

/**
 * Compiles `units`: one for a strict search, one per clause for relaxed matching (`relaxed`).
 * `wordsOf` gives the vocabulary words of a stem key (proximity operands match words, not stems).
 */
export function compileUnits(units: readonly Unit[], relaxed: boolean, stats: CorpusStats, stemsOf: StemsOf, wordsOf: (stem: string) => readonly string[], params: Params): CompiledSearch {
  const compiler = createCompiler(stats, wordsOf, params);
  const compiled = units.map((unit) => compiler.unit(unit));
  const formula = simplify({ kind: 'or', of: units.map((unit) => approximate(unit.root, stemsOf)) });
  // Every positive node looks up some lexeme, so the formula is never the constant true.
  const tsquery = formula.kind === 'const' ? null : tsqueryLiteral(formula);
  const joins = compiler.joins();
  if (!relaxed) {
    const only = compiled[0] as (typeof compiled)[number];
    return { tsquery, joins, hit: only.hit, score: only.score, textMatched: only.textMatched, clauses: '0' };
  }
  const hits = compiled.map((unit, i) => `${unit.hit} AS h${i}`);
  return {
    tsquery,
    joins: `${joins} CROSS JOIN LATERAL (SELECT ${hits.join(', ')} OFFSET 0) AS u`,
    hit: anyOf(compiled.map((_unit, i) => `u.h${i}`)),
    score: sumOf(compiled.map((unit, i) => `(CASE WHEN u.h${i} THEN ${unit.score} ELSE 0::float8 END)`)),
    textMatched: anyOf(compiled.map((unit, i) => `(u.h${i} AND ${unit.textMatched})`)),
    clauses: `(${compiled.map((_unit, i) => `u.h${i}::int`).join(' + ')})`,
  };
}

/** The candidate lookup of a node: a superset of its exact matches (see {@link CompiledSearch.tsquery}). */
function approximate(node: QueryNode, stemsOf: StemsOf): LexemeFormula {
  switch (node.kind) {
    case 'term': {
      const stems = stemsOf(node);
      const fields = node.field === null ? BOTH_FIELDS : [node.field];
      return stems.length === 0 ? FALSE : anyLexeme(fields.flatMap((field) => stems.map((stem) => stemLexeme(field, stem))));
    }
    case 'phrase': {
      const fields = node.field === null ? BOTH_FIELDS : [node.field];
      return { kind: 'or', of: fields.map((field) => ({ kind: 'and', of: phraseLexemes(node, field).map((lexeme) => ({ kind: 'lexeme', lexeme }) as LexemeFormula) })) };
    }
    case 'near':
      return { kind: 'and', of: node.operands.map((operand) => approximate(operand, stemsOf)) };
    case 'or':
      return { kind: 'or', of: node.should.map((child) => approximate(child, stemsOf)) };
    case 'and':
      return {
        kind: 'and',
        of: [
          ...node.must.map((child) => approximate(child, stemsOf)),
          // Excluding on a superset would drop true matches: only exclusions without phrase or chain are exact.
          ...node.not.filter((child) => !positional(child)).map((child): LexemeFormula => ({ kind: 'not', of: approximate(child, stemsOf) })),
        ],
      };
  }
}

/**
 * The lexemes a field must hold for `node` to match in it: a phrase without slop, each pair of
 * its words that follow each other (a paragraph holding `oil prices` holds `oil` and `prices`
 * side by side); with slop, or of one word, its words.
 */
function phraseLexemes(node: PhraseNode, field: Field): string[] {
  const keys = node.terms.map(termKey);
  if (keys.length < 2 || allowedSlop(node.slop) > 0) return keys.map((key) => wordLexeme(field, key));
  return keys.slice(1).map((key, i) => pairLexeme(field, keys[i] as string, key));
}

/**
 * The pair lexeme that holds exactly where `node` matches in `field`: a phrase of two words
 * without slop, neither holding a space (a pair of keys without spaces is spelled by no other
 * pair). Null for any other phrase, whose pairs only narrow its candidates.
 */
function exactPair(node: PhraseNode, field: Field): string | null {
  if (node.terms.length !== 2 || allowedSlop(node.slop) > 0 || node.terms.some((term) => termKey(term).includes(' '))) return null;
  return phraseLexemes(node, field)[0] as string;
}

type UnitSql = { hit: string; score: string; textMatched: string };

/** The state of one statement's compilation: its columns and laterals, shared by its units. */
function createCompiler(stats: CorpusStats, wordsOf: (stem: string) => readonly string[], params: Params) {
  const tfColumns = new Map<string, string>();
  const tfSelect: string[] = [];
  const idfParams = new Map<string, string>();
  const bigAliases = new Map<string, string>();
  const bigLaterals: string[] = [];
  const checks = new Map<QueryNode, Map<Field, string>>();
  const checkSelect: string[] = [];
  const averages = new Map<Field, string>();
  /** The average length of a field, as a parameter added when first used (an unused parameter has no type). */
  const avg = (field: Field): string => {
    let placeholder = averages.get(field);
    if (placeholder === undefined) {
      placeholder = params.add(field === 'title' ? stats.avgTitle : stats.avgText, 'float8');
      averages.set(field, placeholder);
    }
    return placeholder;
  };

  const idfOf = (lexeme: string): number => inverseDocumentFrequency(stats, lexeme);
  const idf = (lexeme: string): string => {
    let placeholder = idfParams.get(lexeme);
    if (placeholder === undefined) {
      placeholder = params.add(idfOf(lexeme), 'float8');
      idfParams.set(lexeme, placeholder);
    }
    return placeholder;
  };
  /** The term frequency of a stem in a field, NULL when absent. */
  const tf = (field: Field, stem: string): string => {
    const lexeme = stemLexeme(field, stem);
    let column = tfColumns.get(lexeme);
    if (column === undefined) {
      const name = `c${tfColumns.size}`;
      tfSelect.push(`(p.tf -> ${params.add(lexeme, 'text')})::int AS ${name}`);
      column = `t.${name}`;
      tfColumns.set(lexeme, column);
    }
    return column;
  };
  const length = (field: Field): string => (field === 'title' ? 'p.title_length' : 'p.text_length');
  const bm25 = (field: Field, stem: string): string => {
    const score = `ns_bm25(${tf(field, stem)}, ${idf(stemLexeme(field, stem))}, ${length(field)}, ${avg(field)})`;
    return field === 'title' ? `${TITLE_BOOST} * ${score}` : score;
  };
  /** The lateral aggregating the row's stems among `stems` in `fields`: score, distinct stems, and whether any is in the title, the text. */
  const big = (fields: readonly Field[], stems: readonly string[]): string => {
    const key = `${fields.join(',')}|${stems.join('\u0000')}`;
    let alias = bigAliases.get(key);
    if (alias === undefined) {
      alias = `b${bigAliases.size}`;
      const weights: Record<string, number> = {};
      for (const field of fields) for (const stem of stems) weights[stemLexeme(field, stem)] = idfOf(stemLexeme(field, stem));
      const map = params.add(JSON.stringify(weights), 'jsonb');
      bigLaterals.push(
        `CROSS JOIN LATERAL (SELECT coalesce(sum(CASE WHEN left(e.key, 1) = 't'
           THEN ${TITLE_BOOST} * ns_bm25(e.value::int, (${map} ->> e.key)::float8, p.title_length, ${avg('title')})
           ELSE ns_bm25(e.value::int, (${map} ->> e.key)::float8, p.text_length, ${avg('text')}) END), 0::float8) AS score,
         count(DISTINCT substr(e.key, 2))::int AS stems,
         coalesce(bool_or(left(e.key, 1) = 't'), false) AS title,
         coalesce(bool_or(left(e.key, 1) = 's'), false) AS text
         FROM jsonb_each_text(p.tf) AS e WHERE ${map} ? e.key) AS ${alias}`,
      );
      bigAliases.set(key, alias);
    }
    return alias;
  };
  /** Whether a check reads the article's title columns (`a`, joined only then). */
  let titleColumnsRead = false;
  const columnsOf = (field: Field): (typeof FIELD_COLUMNS)[Field] => {
    if (field === 'title') titleColumnsRead = true;
    return FIELD_COLUMNS[field];
  };
  /** Checks being compiled: a check inside another is written inline (a lateral cannot read its own columns). */
  let nested = 0;
  const check = (node: QueryNode, field: Field, sql: () => string): string => {
    if (nested > 0) return sql();
    let byField = checks.get(node);
    if (byField === undefined) {
      byField = new Map();
      checks.set(node, byField);
    }
    let column = byField.get(field);
    if (column === undefined) {
      nested += 1;
      const expression = sql();
      nested -= 1;
      const name = `x${checkSelect.length}`;
      checkSelect.push(`${expression} AS ${name}`);
      column = `v.${name}`;
      byField.set(field, column);
    }
    return column;
  };

  return {
    joins(): string {
      const parts: string[] = [];
      if (titleColumnsRead) parts.push('JOIN articles AS a ON a.article_id = p.article_id');
      if (tfSelect.length > 0) parts.push(`CROSS JOIN LATERAL (SELECT ${tfSelect.join(', ')} OFFSET 0) AS t`);
      parts.push(...bigLaterals);
      if (checkSelect.length > 0) parts.push(`CROSS JOIN LATERAL (SELECT ${checkSelect.join(', ')} OFFSET 0) AS v`);
      return parts.join('\n');
    },

    unit(unit: Unit): UnitSql {
      const positive = new Set(unit.positive);
      const uses = new Map<string, number>();
      for (const leaf of unit.positive) for (const stem of leaf.stems) uses.set(stem, (uses.get(stem) ?? 0) + 1);
      /** The stems of a leaf read from the row's side: all of a large excluded leaf's, a large positive leaf's own. */
      const rowSide = new Map<Leaf, string[]>();
      for (const leaf of unit.leaves) {
        if (leaf.stems.length <= MANY_STEMS) continue;
        const own = positive.has(leaf) ? leaf.stems.filter((stem) => uses.get(stem) === 1) : leaf.stems;
        if (own.length > 0) rowSide.set(leaf, own);
      }
      const explicit = (leaf: Leaf): string[] => {
        const own = rowSide.get(leaf);
        return own === undefined ? leaf.stems : leaf.stems.filter((stem) => !own.includes(stem));
      };
      const bigOf = (leaf: Leaf): string | undefined => {
        const own = rowSide.get(leaf);
        return own === undefined ? undefined : big(leaf.fields, own);
      };
      const presentIn = (leaf: Leaf, field: Field): string => {
        if (!leaf.fields.includes(field)) return 'false';
        const parts = explicit(leaf).map((stem) => `${tf(field, stem)} IS NOT NULL`);
        const alias = bigOf(leaf);
        if (alias !== undefined) parts.push(`${alias}.${field}`);
        return anyOf(parts);
      };
      const present = (leaf: Leaf): string => anyOf(leaf.fields.map((field) => presentIn(leaf, field)));
      const stemPresent = (stem: string, fields: readonly Field[]): string => anyOf(fields.map((field) => `${tf(field, stem)} IS NOT NULL`));
      const leafScore = (leaf: Leaf): string => {
        const parts = explicit(leaf).flatMap((stem) => leaf.fields.map((field) => bm25(field, stem)));
        const alias = bigOf(leaf);
        if (alias !== undefined) parts.push(`${alias}.score`);
        return sumOf(parts);
      };
      const msPresent = (node: MsNode): string => {
        switch (node.kind) {
          case 'leaf':
            return present(node.leaf);
          case 'and':
            return allOf([...node.must.map(msPresent), ...node.not.map((child) => `NOT ${msPresent(child)}`)]);
          case 'or':
            return anyOf(node.should.map(msPresent));
        }
      };
      const msScore = (node: MsNode): string => {
        switch (node.kind) {
          case 'leaf':
            return leafScore(node.leaf);
          case 'and':
            return `(CASE WHEN ${msPresent(node)} THEN ${sumOf(node.must.map(msScore))} ELSE 0::float8 END)`;
          case 'or':
            return sumOf(node.should.map(msScore));
        }
      };
      const guard = (leaf: Leaf): string => allOf((unit.guards.get(leaf) ?? []).map(msPresent));

      // The distinct stems matched by the leaves that count: MiniSearch multiplies the score by their number.
      const stemLeaves = new Map<string, Leaf[]>();
      for (const leaf of unit.positive) {
        for (const stem of explicit(leaf)) {
          const list = stemLeaves.get(stem) ?? [];
          list.push(leaf);
          stemLeaves.set(stem, list);
        }
      }
      const counted = (stem: string, leaf: Leaf): string => allOf([guard(leaf), stemPresent(stem, leaf.fields)]);
      const terms = [...stemLeaves].map(([stem, leaves]) => `(CASE WHEN ${anyOf(leaves.map((leaf) => counted(stem, leaf)))} THEN 1 ELSE 0 END)`);
      for (const leaf of unit.positive) {
        const alias = bigOf(leaf);
        if (alias !== undefined) terms.push(`(CASE WHEN ${guard(leaf)} THEN ${alias}.stems ELSE 0 END)`);
      }
      const score = `(${sumOf(unit.ms.must.map(msScore))} * (${terms.length === 0 ? '1' : terms.join(' + ')})::float8)`;

      // Exact evaluation (verify.ts).
      const fieldOk = (restriction: Field | null, field: Field): boolean => restriction === null || restriction === field;
      const leafOf = (node: TermNode): Leaf => unit.leafOf.get(node) as Leaf;
      const phraseIn = (node: PhraseNode, field: Field): string => {
        if (!fieldOk(node.field, field)) return 'false';
        // Two words side by side: the field holds the phrase exactly when it holds their pair, a test of the row's tsvector.
        const pair = exactPair(node, field);
        if (pair !== null) return check(node, field, () => `(p.tsv @@ ${params.add(quoteLexeme(pair), 'tsquery')})`);
        return check(node, field, () => `ns_phrase_in(${columnsOf(field).words}, ${params.add(node.terms.map(termKey), 'text[]')}, ${allowedSlop(node.slop)})`);
      };
      const leafIn = (node: QueryNode, field: Field): string => {
        if (node.kind === 'term') return fieldOk(node.field, field) ? presentIn(leafOf(node), field) : 'false';
        if (node.kind === 'phrase') return phraseIn(node, field);
        if (node.kind === 'near') return check(node, field, () => `${chain(node, field)} IS NOT NULL`);
        throw new Error(`leafIn: ${node.kind} is no leaf`);
      };
      const evaluate = (node: QueryNode, leaf: (node: QueryNode) => string): string => {
        switch (node.kind) {
          case 'and':
            return allOf([...node.must.map((child) => evaluate(child, leaf)), ...node.not.map((child) => `NOT ${evaluate(child, leaf)}`)]);
          case 'or':
            return anyOf(node.should.map((child) => evaluate(child, leaf)));
          default:
            return leaf(node);
        }
      };
      const occurrences = (node: QueryNode, field: Field): string => {
        const columns = columnsOf(field);
        switch (node.kind) {
          case 'term': {
            if (!fieldOk(node.field, field)) return `'{}'::int8[]`;
            const words = [...new Set(leafOf(node).stems.flatMap((stem) => wordsOf(stem)))];
            return `ns_term_occurrences(${columns.words}, ${columns.compounds}, ${columns.starts}, ${columns.spans}, ${params.add(words, 'text[]')})`;
          }
          case 'phrase':
            if (!fieldOk(node.field, field)) return `'{}'::int8[]`;
            return `ns_phrase_occurrences(${columns.words}, ${params.add(node.terms.map(termKey), 'text[]')}, ${allowedSlop(node.slop)})`;
          case 'near':
            return `coalesce(${chain(node, field)}, '{}'::int8[])`;
          case 'or':
            return `(${node.should.map((child) => occurrences(child, field)).join(' || ')})`;
          case 'and':
            return `(CASE WHEN ${evaluate(node, (leaf) => leafIn(leaf, field))} THEN (${node.must.map((child) => occurrences(child, field)).join(' || ')}) ELSE '{}'::int8[] END)`;
        }
      };
      const chain = (node: NearNode, field: Field): string => {
        const tagged = node.operands.map((operand, index) => `ns_tag(${occurrences(operand, field)}, ${index})`).join(' || ');
        const links = node.links.flatMap((link) => [LINK_UNITS[link.unit], link.unit === 'words' ? link.distance : 0, link.unit === 'words' && link.ordered ? 1 : 0]);
        return `ns_chain(${tagged}, ${params.add(links, 'int[]')}, ${columnsOf(field).sentences})`;
      };
      const matches = (node: QueryNode): string => {
        if (node.kind === 'term') return present(leafOf(node));
        if (node.kind === 'phrase') return anyOf((node.field === null ? BOTH_FIELDS : [node.field]).map((field) => phraseIn(node, field)));
        if (node.kind === 'near') return anyOf(BOTH_FIELDS.map((field) => leafIn(node, field)));
        throw new Error(`matches: ${node.kind} is no leaf`);
      };
      const hit = evaluate(unit.root, matches);

      let textMatched: string;
      if (unit.textRule === 'verified') {
        textMatched = inText(unit.root, (leaf) => leafIn(leaf, 'text'));
      } else {
        textMatched = anyOf(unit.positive.map((leaf) => presentIn(leaf, 'text')));
      }
      return { hit, score, textMatched };
    },
  };
}

/** verify.ts, matchesInText: some positive clause matches in the text. */
function inText(node: QueryNode, leafInText: (node: QueryNode) => string): string {
  switch (node.kind) {
    case 'and':
      return anyOf(node.must.map((child) => inText(child, leafInText)));
    case 'or':
      return anyOf(node.should.map((child) => inText(child, leafInText)));
    default:
      return leafInText(node);
  }
}
