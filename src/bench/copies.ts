/**
 * @module bench/copies
 * Copy detection (SPEC §10) in the benchmark: what it costs (the service's ingest and heap with
 * and without it, each in a fresh worker, twice each in alternating order, the medians), the
 * clusters it finds in the corpus, and its quality on real articles republished with edits
 * (`copy-quality.ts`).
 */
import type { BenchCorpus } from './corpus.ts';
import { measureCopyQuality, type CopyQuality } from './copy-quality.ts';
import { median } from './measure.ts';
import type { WorkerSide } from './protocol.ts';
import type { Worker } from './run.ts';
import type { CopyClustersCount } from './service.ts';

/** What the phase measured. */
export type CopiesResult = {
  /** Ingest of the corpus (ms) and heap after it (bytes), with copy detection and without, each run. */
  withDetection: { ingestMs: number[]; heapBytes: number[] };
  withoutDetection: { ingestMs: number[]; heapBytes: number[] };
  clusters: CopyClustersCount;
  quality: CopyQuality;
  /** The articles edited into copies for the quality measure: at least this many paragraphs and words. */
  qualityArticles: { minParagraphs: number; minWords: number };
};

/** Runs of each kind of ingest. */
const RUNS = 2;
/** The articles the quality measure edits: wire stories of some length (a dropped paragraph is a fifth of a 100-word story). */
export const QUALITY_ARTICLES = { minParagraphs: 3, minWords: 250 };

/** Measures copy detection on the corpus ×`scale`. */
export async function measureCopies(options: { corpusPath: string; scale: number; base: BenchCorpus; startWorker: (side: WorkerSide) => Worker; log: (line: string) => void }): Promise<CopiesResult> {
  const { corpusPath, scale, log } = options;
  const withDetection = { ingestMs: [] as number[], heapBytes: [] as number[] };
  const withoutDetection = { ingestMs: [] as number[], heapBytes: [] as number[] };
  let clusters: CopyClustersCount = { clusters: 0, articles: 0, largest: 0 };
  for (let run = 0; run < RUNS; run += 1) {
    for (const detectsCopies of run % 2 === 0 ? [true, false] : [false, true]) {
      const worker = options.startWorker('service');
      try {
        const loaded = await worker.call({ kind: 'load', side: 'service', corpusPath, scale, detectsCopies });
        const into = detectsCopies ? withDetection : withoutDetection;
        into.ingestMs.push(loaded.ingestMs);
        into.heapBytes.push(loaded.heapBytes);
        if (detectsCopies) clusters = await worker.call({ kind: 'copyClusters' });
        log(`copies: ingest ${detectsCopies ? 'with' : 'without'} copy detection took ${Math.round(loaded.ingestMs)} ms`);
      } finally {
        worker.kill();
      }
    }
  }
  log('copies: measuring precision and recall on edited copies');
  const quality = measureCopyQuality(options.base.articles, { seed: 7, ...QUALITY_ARTICLES, editEvery: 10 });
  return { withDetection, withoutDetection, clusters, quality, qualityArticles: QUALITY_ARTICLES };
}

/** The medians of a result: ingest and heap with and without detection. */
export function copiesMedians(result: CopiesResult): { withMs: number; withoutMs: number; withHeap: number; withoutHeap: number } {
  return {
    withMs: median(result.withDetection.ingestMs),
    withoutMs: median(result.withoutDetection.ingestMs),
    withHeap: median(result.withDetection.heapBytes),
    withoutHeap: median(result.withoutDetection.heapBytes),
  };
}
