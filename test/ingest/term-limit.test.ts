import { describe, expect, it } from 'vitest';
import { MAX_DISTINCT_TERMS, checkDistinctTerms } from '../../src/ingest/term-limit.ts';
import { makeArticle, wordyArticle } from '../helpers.ts';

describe('checkDistinctTerms', () => {
  it('accepts an article at the limit, pausing between slices while it counts', async () => {
    let pauses = 0;
    await checkDistinctTerms([{ article: wordyArticle('a', MAX_DISTINCT_TERMS - 1), item: 1 }], async () => {
      pauses += 1;
    });
    expect(pauses).toBeGreaterThan(5);
  });

  it('refuses an article over the limit with a bad_request naming its item and field', async () => {
    const error = await checkDistinctTerms([
      { article: makeArticle({ id: 'fine', paragraphs: ['A few words.'] }), item: 1 },
      { article: wordyArticle('wordy', MAX_DISTINCT_TERMS + 1), item: 3 },
    ]).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'bad_request',
      message: `item 3: paragraphs hold more than ${MAX_DISTINCT_TERMS} distinct terms; at most ${MAX_DISTINCT_TERMS} are accepted`,
    });
  });
});
