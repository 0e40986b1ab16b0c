/**
 * @module test/server/page-messages
 * The page's plain-language messages (`src/server/page/assets/messages.js`) against the API's
 * real refusals: every way the service refuses a search the page can send is put into words of
 * its own, never the API's wording, and the empty-result advice offers queries that parse.
 * The module is plain browser JavaScript without DOM use, so Node imports it as it is.
 */
import { describe, expect, it } from 'vitest';
import { overBudget, tooManyWords } from '../../src/search/ranking.ts';
import { appOf, readSeed } from '../helpers.ts';

type Failure = { code: string; message: string; status: number };
type Advice = { text: string; query?: string; action?: 'clear' };
type Messages = {
  searchError(failure: Failure): { text: string; retry: boolean };
  articleError(failure: Failure): { text: string; retry: boolean };
  emptyAdvice(q: string, filtered: boolean): Advice[];
};

/** Loaded by URL: the module is JavaScript for the browser, outside the type-checked sources. */
const messages = (await import(new URL('../../src/server/page/assets/messages.js', import.meta.url).href)) as Messages;

/** What the page says for anything it has no words of its own for. */
const FALLBACK = 'The search could not be read.';

/** The failure the API answers for `path`, as `api.js` hands it to the page. */
async function failureOf(path: string): Promise<Failure> {
  const response = await (await appOf([await readSeed()])).request(path);
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { ...body.error, status: response.status };
}

describe('searchError', () => {
  const refusals: Array<[string, string, RegExp]> = [
    ['only exclusions', `/search?q=${encodeURIComponent('-israel')}`, /^Add a word or phrase to look for\./],
    ['a query too long', `/search?q=${'a'.repeat(1001)}`, /^The search is too long: keep it under 1,000 characters\.$/],
    ['too many clauses', `/search?q=${encodeURIComponent(Array.from({ length: 65 }, (_, index) => `w${index}`).join(' '))}`, /^The search holds too many words and phrases \(at most 64\)\./],
    ['dates the wrong way round', '/search?q=truce&from=2023-12-01&to=2023-01-01', /^The dates are not valid\./],
    ['a malformed date', '/search?q=truce&from=yesterday', /^The dates are not valid\./],
  ];
  for (const [what, path, expected] of refusals) {
    it(`puts ${what} into plain words`, async () => {
      const failure = await failureOf(path);
      expect(failure.code).toBe('bad_request');
      const { text, retry } = messages.searchError(failure);
      expect(text).toMatch(expected);
      expect(text).not.toContain(failure.message);
      expect(retry).toBe(false);
    });
  }

  it('names the word that stands for too many others, and what to change', () => {
    const prefix = tooManyWords({ kind: 'term', term: 'co', mode: 'prefix', distance: 0, field: null });
    expect(messages.searchError({ code: prefix.code, message: prefix.message, status: 400 }).text).toBe('“co*” stands for too many words of the archive. Give more letters before the *.');
    const fuzzy = tooManyWords({ kind: 'term', term: 'ab', mode: 'fuzzy', distance: 2, field: null });
    expect(messages.searchError({ code: fuzzy.code, message: fuzzy.message, status: 400 }).text).toMatch(/^“ab~2” stands for too many words of the archive\. Allow fewer spelling differences/);
  });

  it('says a search took too long without the API\'s wording', () => {
    const slow = overBudget(3000);
    const { text } = messages.searchError({ code: slow.code, message: slow.message, status: 400 });
    expect(text).toMatch(/^This search took too long to run\./);
    expect(text).not.toContain('ms');
  });

  it('falls back to a plain sentence for a refusal it does not know', () => {
    expect(messages.searchError({ code: 'bad_request', message: 'limit must be an integer from 1 to 100, got "0"', status: 400 }).text).toMatch(new RegExp(`^${FALLBACK}`));
  });

  it('offers to try again when the server is busy, unreachable or at fault, and not otherwise', () => {
    const busy = messages.searchError({ code: 'unavailable', message: 'too many searches in flight', status: 503 });
    expect(busy).toEqual({ text: 'The archive is busy right now. Try again in a few seconds.', retry: true });
    expect(messages.searchError({ code: 'unreachable', message: 'TypeError: Failed to fetch', status: 0 }).retry).toBe(true);
    expect(messages.searchError({ code: 'internal', message: 'internal error', status: 500 }).text).toMatch(/^Something went wrong on the server\./);
    expect(messages.searchError({ code: 'rate_limited', message: 'rate limit exceeded', status: 429 }).text).toMatch(/^Too many searches in a short time\./);
  });
});

describe('articleError', () => {
  it('says an unknown article is not in the archive', async () => {
    const failure = await failureOf('/articles/no-such-article');
    expect(messages.articleError(failure)).toEqual({ text: 'This article is not in the archive. It may have been removed, or the link is incomplete.', retry: false });
  });
});

describe('emptyAdvice', () => {
  it('offers to drop the filters first when there are any', () => {
    expect(messages.emptyAdvice('zebra', true)[0]).toEqual({ text: 'Search the whole archive, without the filters.', action: 'clear' });
    expect(messages.emptyAdvice('zebra', false).some((advice) => advice.action === 'clear')).toBe(false);
  });

  it('suggests a fuzzy word, any of several words, or the words of a phrase loose', () => {
    const queries = (q: string) => messages.emptyAdvice(q, false).flatMap((advice) => (advice.query === undefined ? [] : [advice.query]));
    expect(queries('haniya')).toEqual(['haniya~']);
    expect(queries('qatar zebra')).toEqual(['qatar OR zebra']);
    expect(queries('"four-day zebra"')).toEqual(['four-day zebra']);
    expect(queries('"hamas haniyeh"~3')).toEqual(['hamas haniyeh']);
    // Operators are not rewritten: the reader wrote them on purpose.
    expect(queries('gaza w/5 zebra')).toEqual([]);
  });

  it('suggests only queries the API accepts', async () => {
    const app = await appOf([await readSeed()]);
    for (const q of ['haniya', 'qatar zebra', '"four-day zebra"', '"hamas haniyeh"~3', "we're done"]) {
      for (const advice of messages.emptyAdvice(q, true)) {
        if (advice.query === undefined) continue;
        const response = await app.request(`/search?q=${encodeURIComponent(advice.query)}`);
        expect(response.status, advice.query).toBe(200);
      }
    }
  });
});
