/**
 * @module backends/postgres/expand
 * Prefix, wildcard and fuzzy terms expanded through the vocabulary table, as the embedded engine
 * expands them through its vocabulary: a prefix or fuzzy term stands for its own stem and those
 * of the words it matches, a wildcard word for the stems of the words it matches only; over
 * {@link MAX_EXPANDED_WORDS} words is a `bad_request`. Fuzzy distances are counted in UTF-16
 * units as MiniSearch counts them: `levenshtein_less_equal` (which counts characters, never
 * more edits) narrows the vocabulary, then Node checks each word.
 */
import { MAX_EXPANDED_WORDS, tooManyWords } from '../../search/ranking.ts';
import type { AndNode, QueryNode, TermNode } from '../../search/query.ts';
import { boundedEditDistance } from '../../search/verify.ts';
import { stem } from '../../text/analyzer.ts';
import type { Queryable } from './connection.ts';
import { termKey } from './lexemes.ts';

/** Longest string `levenshtein_less_equal` accepts, in characters. */
const LEVENSHTEIN_MAX_CHARS = 255;

/** Matches the characters LIKE treats specially, to be escaped with a backslash. */
const LIKE_SPECIAL_RE = /[\\%_]/g;

/** The stem keys of every prefix, wildcard and fuzzy term of `root`, by node. */
export async function expandTerms(client: Queryable, root: AndNode): Promise<Map<TermNode, Set<string>>> {
  const expansions = new Map<TermNode, Set<string>>();
  const known = new Map<string, Set<string>>();
  const visit = async (node: QueryNode): Promise<void> => {
    switch (node.kind) {
      case 'term': {
        if (node.mode === 'exact') return;
        const key = `${node.mode}:${node.distance}:${node.term}`;
        let stems = known.get(key);
        if (stems === undefined) {
          stems = await expandTerm(client, node);
          known.set(key, stems);
        }
        expansions.set(node, stems);
        return;
      }
      case 'phrase':
        return;
      case 'near':
        for (const operand of node.operands) await visit(operand);
        return;
      case 'or':
        for (const child of node.should) await visit(child);
        return;
      case 'and':
        for (const child of [...node.must, ...node.not]) await visit(child);
        return;
    }
  };
  await visit(root);
  return expansions;
}

async function expandTerm(client: Queryable, node: TermNode): Promise<Set<string>> {
  switch (node.mode) {
    case 'prefix': {
      const rows = await wordsLike(client, `${escapeLike(termKey(node.term))}%`);
      if (rows.length > MAX_EXPANDED_WORDS) throw tooManyWords(node);
      return new Set([termKey(stem(node.term)), ...rows.map((row) => row.stem)]);
    }
    case 'wildcard': {
      const pattern = [...node.term].map((char) => (char === '?' ? '_' : char === '*' ? '%' : escapeLike(char))).join('');
      const rows = await wordsLike(client, pattern);
      if (rows.length > MAX_EXPANDED_WORDS) throw tooManyWords(node);
      return new Set(rows.map((row) => row.stem));
    }
    case 'fuzzy': {
      const stems = new Set([termKey(stem(node.term))]);
      const characters = [...node.term].length;
      const { rows } = await client.query(
        `SELECT word, stem FROM words
         WHERE length(word) BETWEEN $2 AND $3
           AND CASE WHEN $5 OR length(word) > ${LEVENSHTEIN_MAX_CHARS} THEN true ELSE levenshtein_less_equal(word, $1, $4) <= $4 END`,
        [node.term, characters - node.distance, characters + node.distance, node.distance, characters > LEVENSHTEIN_MAX_CHARS],
      );
      for (const row of rows as Array<{ word: string; stem: string }>) {
        if (boundedEditDistance(node.term, row.word, node.distance) <= node.distance) stems.add(row.stem);
      }
      return stems;
    }
    case 'exact':
      return new Set([termKey(stem(node.term))]);
  }
}

/** Vocabulary words matching a LIKE pattern, one more than the cap at most. */
async function wordsLike(client: Queryable, pattern: string): Promise<Array<{ word: string; stem: string }>> {
  const { rows } = await client.query('SELECT word, stem FROM words WHERE word LIKE $1 ORDER BY word LIMIT $2', [pattern, MAX_EXPANDED_WORDS + 1]);
  return rows as Array<{ word: string; stem: string }>;
}

function escapeLike(text: string): string {
  return text.replace(LIKE_SPECIAL_RE, '\\$&');
}
