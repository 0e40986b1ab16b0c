/**
 * @module bench/service
 * The service's side of the benchmark: a library built by `putArticles` (as a rebuild does),
 * saved and loaded with the snapshot module, and searched with the service's full search path
 * (parse, execute, verify phrases, rank, highlights and snippets).
 */
import { basename } from 'node:path';
import type { Article } from '../ingest/article.ts';
import { createLibrary, putArticles, type Library } from '../backends/embedded/library.ts';
import { loadSnapshot, saveSnapshot } from '../backends/embedded/snapshot.ts';
import { searchLibrary } from '../service/library-search.ts';
import { DEFAULT_SEARCH_PARAMS } from '../service/search-service.ts';
import type { Contender } from './contender.ts';
import { serviceSyntax, type BenchQuery } from './queries.ts';

/** The corpus fingerprint recorded in the benchmark's snapshot: any string, as long as save and load agree. */
const BENCH_FINGERPRINT = 'bench';

/** The service's side, and the library it built (served over HTTP afterwards). */
export type ServiceContender = Contender & {
  readonly library: Library;
  /** The copy clusters of two articles or more: how many, the articles in them, the largest. */
  copyClusters(): CopyClustersCount;
};

/** What {@link ServiceContender.copyClusters} counts. */
export type CopyClustersCount = { clusters: number; articles: number; largest: number };

/**
 * Creates the service's side over an empty library; articles are recorded as coming from `file`.
 * `detectsCopies: false` leaves copy detection out, to measure what it costs.
 */
export function createServiceContender(file: string, options: { detectsCopies?: boolean } = {}): ServiceContender {
  let library = createLibrary(undefined, options);
  return {
    side: 'service',
    get library() {
      return library;
    },
    index(articles: readonly Article[]): void {
      library = createLibrary(undefined, options);
      putArticles(library, articles.map((article) => ({ article, file: basename(file) })));
    },
    async save(dir: string): Promise<number> {
      const manifest = await saveSnapshot(dir, library, BENCH_FINGERPRINT);
      return manifest.bytes;
    },
    async load(dir: string): Promise<void> {
      const loaded = await loadSnapshot(dir, BENCH_FINGERPRINT);
      if (!loaded.ok) throw new Error(`the service's snapshot did not load: ${loaded.reason}`);
    },
    copyClusters(): CopyClustersCount {
      let clusters = 0;
      let articles = 0;
      let largest = 0;
      for (const cluster of library.copies.clusters()) {
        clusters += 1;
        articles += cluster.length;
        largest = Math.max(largest, cluster.length);
      }
      return { clusters, articles, largest };
    },
    search(query: BenchQuery): number {
      return searchLibrary(library, serviceSyntax(query), { ...DEFAULT_SEARCH_PARAMS }).total;
    },
  };
}
