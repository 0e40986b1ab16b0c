/**
 * @module ingest/term-limit
 * The limit on distinct index terms per article: each distinct term costs the index memory for
 * good (its posting list, its place in the vocabulary), so one article of random words would
 * weigh as much as an archive. Counted with the analyzer that indexes, a slice at a time so a
 * huge article never holds up searches while it is counted.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createError } from '../errors.ts';
import { indexTerms } from '../text/analyzer.ts';
import type { Article, ValidationProblem } from './article.ts';
import { describeProblem } from './batch.ts';

/**
 * Most distinct index terms one article may hold (title and paragraphs): ten times what the
 * longest of Reuters-21578's 19,043 articles holds (565), room for a long report in several
 * scripts, and a bound on what a single request can add to the index.
 */
export const MAX_DISTINCT_TERMS = 50_000;

/** Characters analyzed between two pauses: a few milliseconds of work. */
const COUNT_SLICE_CHARS = 32_000;

/**
 * Throws one `bad_request` naming every article (by its item number in the batch, counted from
 * 1) that holds more than {@link MAX_DISTINCT_TERMS} distinct index terms. Waits on `pause`
 * between slices.
 *
 * @example
 * await checkDistinctTerms([{ article, item: 1 }]) // throws 'item 1: paragraphs hold more than 50000 distinct terms; …' for 60,000 distinct words
 */
export async function checkDistinctTerms(
  articles: ReadonlyArray<{ article: Article; item: number }>,
  pause: () => Promise<unknown> = yieldToEventLoop,
): Promise<void> {
  const problems: ValidationProblem[] = [];
  let sincePause = 0;
  for (const { article, item } of articles) {
    const terms = new Set<string>(indexTerms(article.title));
    for (const text of article.paragraphs) {
      for (const term of indexTerms(text)) terms.add(term);
      if (terms.size > MAX_DISTINCT_TERMS) break;
      sincePause += text.length;
      if (sincePause >= COUNT_SLICE_CHARS) {
        sincePause = 0;
        await pause();
      }
    }
    if (terms.size > MAX_DISTINCT_TERMS) {
      problems.push({ item, field: 'paragraphs', message: `hold more than ${MAX_DISTINCT_TERMS} distinct terms; at most ${MAX_DISTINCT_TERMS} are accepted` });
    }
  }
  if (problems.length === 0) return;
  throw createError('bad_request', problems.map(describeProblem).join('; '), { problems });
}
