/**
 * @module backends/postgres/article-rows
 * An article as rows of the database, analyzed here in Node with our one analyzer: per field
 * (the title, each paragraph) the written words in order, the compounds with their spans, where
 * sentences start, and the term frequency of every stem; per paragraph the `tsvector` of its
 * lexemes (its title's included, so that one index lookup answers a query over both fields) and
 * the field lengths BM25 needs. MiniSearch's field length is the number of distinct stems of
 * the field, so it is here too.
 */
import { contentHash, type Article } from '../../ingest/article.ts';
import { analyze, stem, type Analysis } from '../../text/analyzer.ts';
import { sentenceNumbers } from '../../text/sentences.ts';
import type { Field } from '../../search/query.ts';
import { copyPrintOfWords, type CopyPrint } from '../../news/copies.ts';
import { pairLexemes, stemLexeme, termKey, tsvectorLiteral, wordLexeme } from './lexemes.ts';

/** One field analyzed for storage. Positions are 1-based token numbers. */
export type FieldRows = {
  /** The key of each token's term, in order. */
  words: string[];
  /** Each token's term as the analyzer folds it, in order (copy detection shingles these). */
  tokens: string[];
  /** The key of each compound's term, with the position of its first token and its number of tokens. */
  compounds: string[];
  compoundStarts: number[];
  compoundSpans: number[];
  /** The positions of the tokens that start a new sentence (after the first). */
  sentenceStarts: number[];
  /** Occurrences of each stem key (tokens and compounds). */
  stems: Map<string, number>;
  /** Distinct term keys (tokens and compounds), each with its stem key: the vocabulary of the field. */
  terms: Map<string, string>;
};

/** A paragraph row. */
export type ParagraphRow = {
  n: number;
  body: string;
  text: FieldRows;
  tsv: string;
  tf: Record<string, number>;
};

/** An article analyzed: its title's rows, its paragraphs' rows, and what it adds to the corpus statistics. */
export type ArticleRows = {
  article: Article;
  hash: string;
  title: FieldRows;
  paragraphs: ParagraphRow[];
  /** Paragraphs holding each stem lexeme (`s…` in their text, `t…` in their title): document frequencies. */
  documentFrequencies: Map<string, number>;
  /** The article's distinct term keys, each with its stem key. */
  vocabulary: Map<string, string>;
  /** The stem keys of its title that no paragraph's text holds (none when it has no paragraph): the word's hit is then its first paragraph. */
  titleOnly: string[];
  titleLength: number;
  textLength: number;
  /** What copy detection compares (SPEC §10). */
  copyPrint: CopyPrint;
};

/** Analyzes one field. */
export function fieldRows(source: string): FieldRows {
  const analysis: Analysis = analyze(source);
  const rows: FieldRows = { words: [], tokens: [], compounds: [], compoundStarts: [], compoundSpans: [], sentenceStarts: [], stems: new Map(), terms: new Map() };
  const record = (term: string): void => {
    const key = termKey(term);
    let stemKey = rows.terms.get(key);
    if (stemKey === undefined) {
      stemKey = termKey(stem(term));
      rows.terms.set(key, stemKey);
    }
    rows.stems.set(stemKey, (rows.stems.get(stemKey) ?? 0) + 1);
  };
  for (const token of analysis.tokens) {
    rows.words.push(termKey(token.term));
    rows.tokens.push(token.term);
    record(token.term);
  }
  for (const compound of analysis.compounds) {
    rows.compounds.push(termKey(compound.term));
    rows.compoundStarts.push(compound.position + 1);
    rows.compoundSpans.push(compound.span);
    record(compound.term);
  }
  const sentences = sentenceNumbers(source, analysis.tokens);
  for (let i = 1; i < sentences.length; i += 1) if (sentences[i] !== sentences[i - 1]) rows.sentenceStarts.push(i + 1);
  return rows;
}

/** The lexemes of one field: its stems, its written words (tokens; phrases never match compounds) and their pairs. */
function lexemesOf(field: Field, rows: FieldRows): string[] {
  return [...[...rows.stems.keys()].map((key) => stemLexeme(field, key)), ...rows.words.map((key) => wordLexeme(field, key)), ...pairLexemes(field, rows.words)];
}

/**
 * Analyzes an article into its rows.
 *
 * @example
 * articleRows(makeArticle({ id: 'a', paragraphs: ['Talks resumed.'] })).paragraphs[0]?.tf // { sresum: 1, stalk: 1, tarticl: 1, ta: 1 }
 */
export function articleRows(article: Article): ArticleRows {
  const title = fieldRows(article.title);
  const titleLexemes = lexemesOf('title', title);
  const titleTf: Record<string, number> = {};
  for (const [key, count] of title.stems) titleTf[stemLexeme('title', key)] = count;
  const documentFrequencies = new Map<string, number>();
  const vocabulary = new Map(title.terms);
  const paragraphs = article.paragraphs.map((body, index): ParagraphRow => {
    const text = fieldRows(body);
    const tf: Record<string, number> = { ...titleTf };
    for (const [key, count] of text.stems) tf[stemLexeme('text', key)] = count;
    for (const lexeme of Object.keys(tf)) documentFrequencies.set(lexeme, (documentFrequencies.get(lexeme) ?? 0) + 1);
    for (const [key, stemKey] of text.terms) vocabulary.set(key, stemKey);
    return { n: index + 1, body, text, tf, tsv: tsvectorLiteral([...titleLexemes, ...lexemesOf('text', text)]) };
  });
  return {
    article,
    hash: contentHash(article),
    title,
    paragraphs,
    documentFrequencies,
    vocabulary,
    titleOnly: paragraphs.length === 0 ? [] : [...title.stems.keys()].filter((key) => !paragraphs.some((paragraph) => paragraph.text.stems.has(key))),
    titleLength: title.stems.size,
    textLength: paragraphs.reduce((sum, paragraph) => sum + paragraph.text.stems.size, 0),
    copyPrint: copyPrintOfWords(paragraphs.map((paragraph) => paragraph.text.tokens)),
  };
}
