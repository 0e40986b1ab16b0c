/**
 * @module bench/plain
 * The baseline: plain MiniSearch, default options but for the fields, over the same paragraphs
 * as the service. This is the one module besides `backends/embedded/engine.ts` that imports `minisearch`:
 * the benchmark's point is to compare the service with MiniSearch as a caller would use it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MiniSearch, { type Options, type Query, type SearchOptions } from 'minisearch';
import type { Article } from '../ingest/article.ts';
import { paragraphDocs } from '../backends/embedded/library.ts';
import type { ParagraphDoc } from '../backends/embedded/engine.ts';
import { PAGE_SIZE, type Contender } from './contender.ts';
import type { BenchQuery } from './queries.ts';

/** The baseline's options: both fields indexed and stored (a caller needs the text to show), defaults otherwise. */
export const PLAIN_OPTIONS: Options<ParagraphDoc> = { fields: ['title', 'text'], storeFields: ['title', 'text'] };

/** The snapshot file the baseline writes: `JSON.stringify` of the index. */
const SNAPSHOT_FILE = 'plain-minisearch.json';

/**
 * The closest plain MiniSearch call to a benchmark query. MiniSearch has no phrases: a phrase
 * becomes its words combined with AND (a superset of the phrase's matches, not verified).
 *
 * @example
 * plainQuery({ type: 'prefix', words: ['oil'] }) // { query: 'oil', options: { prefix: true } }
 */
export function plainQuery(query: BenchQuery): { query: Query; options: SearchOptions } {
  const [first = '', second = ''] = query.words;
  switch (query.type) {
    case 'term':
      return { query: first, options: {} };
    case 'two terms':
    case 'phrase':
      return { query: query.words.join(' '), options: { combineWith: 'AND' } };
    case 'prefix':
      return { query: first, options: { prefix: true } };
    case 'fuzzy':
      return { query: first, options: { fuzzy: 1 } };
    case 'exclusion':
      return { query: { combineWith: 'AND_NOT', queries: [first, second] }, options: {} };
  }
}

/** Creates the baseline side: an empty plain MiniSearch index. */
export function createPlainContender(): Contender {
  let index = new MiniSearch<ParagraphDoc>(PLAIN_OPTIONS);
  return {
    side: 'plain',
    index(articles: readonly Article[]): void {
      index = new MiniSearch<ParagraphDoc>(PLAIN_OPTIONS);
      index.addAll(articles.flatMap(paragraphDocs));
    },
    async save(dir: string): Promise<number> {
      const json = JSON.stringify(index);
      await writeFile(join(dir, SNAPSHOT_FILE), json);
      return Buffer.byteLength(json);
    },
    async load(dir: string): Promise<void> {
      MiniSearch.loadJSON<ParagraphDoc>(await readFile(join(dir, SNAPSHOT_FILE), 'utf8'), PLAIN_OPTIONS);
    },
    search(query: BenchQuery): number {
      const { query: plain, options } = plainQuery(query);
      const results = index.search(plain, options);
      // What a caller shows: the first page, with the stored fields.
      results.slice(0, PAGE_SIZE);
      return results.length;
    },
  };
}
