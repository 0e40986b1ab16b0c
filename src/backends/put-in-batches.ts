/**
 * @module backends/put-in-batches
 * Many articles written through a backend's `putArticles`, a batch per call, with more than one
 * batch in flight: while the database writes one batch, Node analyzes the next. Used by
 * `npm run import` and the benchmark's import.
 */
import type { Article } from '../ingest/article.ts';
import type { ArticleResult, SearchBackend } from './backend.ts';

/** Articles per transaction of `npm run import`: big enough to amortize a commit, small enough to show progress. */
export const IMPORT_BATCH_ARTICLES = 500;
/**
 * Batches of an import written at once: while the database writes one, Node analyzes the next
 * (one at a time, each side waits for the other); they lock the shared statistics rows in turn,
 * at the end of their transactions. Reuters-21578 through `npm run import`: 33.9 s one at a
 * time, 26.3 s two at a time.
 */
export const IMPORT_IN_FLIGHT = 2;

/** Articles per batch, batches written at once, and what to do after each batch. */
export type BatchOptions = {
  batchSize: number;
  inFlight: number;
  /** Called as each batch is acknowledged, with its results. */
  onBatch?: (results: readonly ArticleResult[]) => void;
};

/**
 * Writes every article of `groups` (any grouping: a file's articles, a slice) through
 * `backend.putArticles` in batches of `batchSize`, at most `inFlight` at once. Resolves once
 * every batch is acknowledged; rejects with the first failure, after every batch sent settled
 * (a batch is one transaction: each is written whole or not at all).
 *
 * @example
 * await putInBatches(backend, [articles], { batchSize: 500, inFlight: 2 });
 */
export async function putInBatches(
  backend: Pick<SearchBackend, 'putArticles'>,
  groups: AsyncIterable<readonly Article[]> | Iterable<readonly Article[]>,
  { batchSize, inFlight, onBatch }: BatchOptions,
): Promise<void> {
  const sent: Array<Promise<void>> = [];
  const send = async (batch: Article[]): Promise<void> => {
    if (sent.length >= inFlight) await sent.shift();
    const written = backend.putArticles(batch).then((results) => onBatch?.(results));
    // Its failure is read when it is awaited; until then it must not count as unhandled.
    written.catch(() => undefined);
    sent.push(written);
  };
  try {
    let batch: Article[] = [];
    for await (const group of groups) {
      for (const article of group) {
        batch.push(article);
        if (batch.length < batchSize) continue;
        await send(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await send(batch);
  } catch (error) {
    await Promise.allSettled(sent);
    throw error;
  }
  const failed = (await Promise.allSettled(sent)).find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
