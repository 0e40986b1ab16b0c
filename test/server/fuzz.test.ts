/**
 * Hostile input through `app.request()` (issue 8): random and adversarial queries, parameters,
 * paths and request bodies of every media type. Whatever comes in, the server never answers
 * 5xx; every refusal is the error envelope `{"error": {"code", "message"}}` with the status of
 * its code and no stack trace or file path; and a refused request changes nothing (the
 * corpus folder, `/stats` and a few searches are the same before and after).
 */
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorCode } from '../../src/errors.ts';
import { createApp } from '../../src/server/app.ts';
import { makeArticle, readSeed, writableApp } from '../helpers.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
/** Small enough that the fuzzer can cross it cheaply. */
const MAX_BODY_BYTES = 256 * 1024;

type Fixture = Awaited<ReturnType<typeof writableApp>> & { app: Hono; internalErrors: string[] };
let fixture: Fixture;

beforeEach(async () => {
  const articles = [
    await readSeed(),
    makeArticle({ id: 'farm-1', title: 'Wheat harvest begins', source: 'Farm News', date: '2023-07-02', paragraphs: ['The wheat harvest began early this year.', 'Prices of barley fell.'] }),
    makeArticle({ id: 'farm-2', title: 'Gaza farmers', source: 'Farm News', date: '2023-11-20', paragraphs: ['Farmers in Gaza lost the olive harvest.', 'A ceasefire would let them return.'] }),
    makeArticle({ id: 'wire-1', title: 'Talks in Doha', source: 'Test Wire', date: '2024-02-29T10:00:00.000Z', paragraphs: ["Qatar's mediators met U.S. envoys.", 'The four-day truce held.', 'Amir-Abdollahian spoke.'] }),
    makeArticle({ id: 'wire-2', title: 'Éditorial: café', source: 'Le Fil', paragraphs: ['Le café est fermé à Gaza.', 'Пресса и 中文 и العربية.'] }),
  ];
  const base = await writableApp({ articles, maxBodyBytes: MAX_BODY_BYTES });
  const internalErrors: string[] = [];
  // The same service, with the server's error log captured: a 5xx names its cause here.
  const app = createApp({ service: base.service, maxBodyBytes: MAX_BODY_BYTES, log: (message) => internalErrors.push(message) });
  fixture = { ...base, app, internalErrors };
});

afterEach(async () => {
  await fixture.cleanup();
});

// ---------------------------------------------------------------------------------------------
// Oracles

/** Matches what must never be in an error message: a stack frame or a file URL. */
const STACK_RE = /\n\s*at\s|\bat .*:\d+:\d+\)?$|file:\/\//m;

/** Checks one response: no 5xx; a non-2xx is exactly the error envelope, with nothing leaked. */
async function expectWellFormed(response: Response, request: string): Promise<unknown> {
  const text = await response.text();
  const context = `${request} → ${response.status} ${text.slice(0, 300)}\n${fixture.internalErrors.join('\n')}`;
  expect(response.status, context).toBeLessThan(500);
  if (response.status >= 200 && response.status < 300) {
    return response.headers.get('content-type')?.startsWith('application/json') === true && text !== '' ? JSON.parse(text) : text;
  }
  expect(response.headers.get('content-type'), context).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: ErrorCode; message: string; details?: unknown } };
  expect(Object.keys(body), context).toEqual(['error']);
  // `details` (the invalid items of a batch, as data) is the envelope's one optional member.
  expect(Object.keys(body.error).filter((key) => key !== 'details').sort(), context).toEqual(['code', 'message']);
  expect(Object.keys(ERROR_STATUS), context).toContain(body.error.code);
  expect(ERROR_STATUS[body.error.code], context).toBe(response.status);
  expect(typeof body.error.message, context).toBe('string');
  expect(body.error.message.length, context).toBeGreaterThan(0);
  for (const said of [body.error.message, JSON.stringify(body.error.details ?? null)]) {
    for (const path of [ROOT, fixture.corpusDir, fixture.indexDir, tmpdir(), 'node_modules']) expect(said, context).not.toContain(path);
    expect(said, context).not.toMatch(STACK_RE);
  }
  return body;
}

/** What must not change on a refused request: the corpus files, the counts, a few searches. */
async function observe(app: Hono, corpusDir: string): Promise<string> {
  const names = (await readdir(corpusDir)).sort();
  const files = await Promise.all(names.map(async (name) => [name, await readFile(join(corpusDir, name), 'utf8')]));
  const { snapshot: _snapshot, ...stats } = (await (await app.request('/stats')).json()) as Record<string, unknown>;
  const searches = await Promise.all(
    ['harvest', '"four-day truce"', 'gaza OR cafe', 'title:wheat -barley'].map(async (q) => {
      const { tookMs: _tookMs, ...body } = (await (await app.request(`/search?limit=100&facets=source,month&q=${encodeURIComponent(q)}`)).json()) as Record<string, unknown>;
      return body;
    }),
  );
  return JSON.stringify({ files, stats, searches });
}

// ---------------------------------------------------------------------------------------------
// Encodings of hostile strings into a URL

/** Matches a lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** What a well-behaved client sends for a string with lone surrogates: U+FFFD in their place. */
const wellFormed = (value: string) => value.replace(LONE_SURROGATE_RE, '\ufffd');

const hex = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * Percent-encodes every code point as UTF-8, and a lone surrogate as the three bytes it would
 * take (which is not valid UTF-8): what a careless client sends.
 */
function percentEncodeLoosely(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const cp = text.codePointAt(i) as number;
    if (cp > 0xffff) i += 1;
    const bytes =
      cp < 0x80 ? [cp]
      : cp < 0x800 ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
      : cp < 0x10000 ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
      : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    out += bytes.map(hex).join('');
  }
  return out;
}

type Encoding = 'standard' | 'loose' | 'raw';
const encoding = fc.constantFrom<Encoding>('standard', 'loose', 'raw');

/** Encodes a value for a query string or a path segment, one of three ways. */
function encode(value: string, how: Encoding): string {
  if (how === 'standard') return encodeURIComponent(wellFormed(value));
  if (how === 'loose') return percentEncodeLoosely(value);
  // As typed: the URL parser escapes what it must; `#`, `&` and `=` keep their meaning.
  return value;
}

function queryString(pairs: ReadonlyArray<readonly [string, string]>, how: Encoding): string {
  return pairs.map(([name, value]) => `${encode(name, how)}=${encode(value, how)}`).join('&');
}

// ---------------------------------------------------------------------------------------------
// Hostile strings

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const oddCharacter = fc.constantFrom(
  '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00ad', '\u200b', '\u200d', '\u202e', '\u2066', '\ufeff', '\ufffd', '\uffff',
  '\u0301', '\u0308\u0308\u0308', 'e\u0301', 'ﬁ', '①', 'Ⅻ', '𝒳', '😀', '👩‍👩‍👧', '🏳️‍🌈', 'ن', 'שלום', '中文', 'カタカナ', 'ᄀ',
  '\n', '\r\n', '\t', '%', '%2', '%zz', '&', '=', '+', '#', '?', '/', '\\', '<', '>', "'", '`', '$', '{', '}', '[', ']',
);
const operator = fc.constantFrom(
  'OR', 'or', 'AND', 'NOT', '(', ')', '((', '))', '-', '--', '*', '**', '~', '~0', '~1', '~2', '~3', '~99', '~-1', '~1.5',
  '"', '""', '"~3', 'title:', 'text:', 'title:(', 'text:"', 'source:', ':', '-(', '-"', '"a b"~', 'a*', 'ab*', '*a', 'x~', 'title:-', '-title:',
);
const word = fc.constantFrom('ceasefire', 'gaza', 'haniyeh', 'wheat', 'harvest', 'talks', 'U.S.', "Qatar's", 'cease-fire', 'Amir-Abdollahian', 'a', 'the', 'café', 'Пресса', '中');
const junk = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: fc.oneof(oddCharacter, loneSurrogate, fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 })), maxLength: 12 }),
);
const token = fc.oneof({ weight: 3, arbitrary: operator }, { weight: 3, arbitrary: word }, { weight: 2, arbitrary: oddCharacter }, loneSurrogate, junk);
const separator = fc.constantFrom(' ', ' ', '', '\t', '  ');

/** Queries built from the query language's own pieces, put together wrongly. */
const adversarialQuery = fc.array(fc.tuple(token, separator), { maxLength: 70 }).map((pairs) => pairs.map(([piece, gap]) => piece + gap).join(''));
/** Queries at and past the limits: length, clause count, nesting depth, phrase length. */
const extremeQuery = fc.oneof(
  fc.tuple(fc.constantFrom(999, 1000, 1001, 10_000), fc.constantFrom('a', 'gaza ', '"', '(', ')', 'x OR ', '-', '*', '~', '𝒳', 'é', '\u0301', '\u0000')).map(([length, unit]) =>
    unit.repeat(Math.ceil(length / unit.length)).slice(0, length),
  ),
  fc.integer({ min: 1, max: 495 }).map((depth) => `${'('.repeat(depth)}gaza${')'.repeat(depth)}`),
  fc.integer({ min: 1, max: 995 }).map((count) => `${'-'.repeat(count)}gaza`),
  fc.integer({ min: 60, max: 70 }).map((count) => Array.from({ length: count }, (_, i) => `w${i}`).join(' ')),
  fc.integer({ min: 1, max: 160 }).map((count) => `"${Array.from({ length: count }, (_, i) => ['gaza', 'the', 'harvest', 'a'][i % 4]).join(' ')}"~${count % 4}`),
  fc.string({ unit: 'binary', minLength: 9_000, maxLength: 10_000 }),
);
const anyQuery = fc.oneof(
  { weight: 4, arbitrary: adversarialQuery },
  { weight: 2, arbitrary: junk },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: extremeQuery },
);

// ---------------------------------------------------------------------------------------------
// GET routes

/** One value of a /search parameter: valid ones, near misses, and junk. */
const integerLike = fc.oneof(
  fc.integer({ min: -5, max: 12_000 }).map(String),
  fc.constantFrom('', ' 5', '5 ', '1e2', '0x10', '010', '1.5', '1.0', 'NaN', 'Infinity', '-0', '+3', '٣', '99999999999999999999', '9007199254740993', '10000', '10001', '100', '101', '0', '3', '4'),
  junk,
);
const dateLike = fc.oneof(
  fc.date({ min: new Date('1000-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
  fc.constantFrom('2023-02-29', '2024-02-29', '2023-13-01', '2023-00-10', '0000-01-01', '9999-12-31', '2023-1-1', '2023-11-24T00:00:00Z', '+002023-01-01', 'yesterday', ''),
  junk,
);
const searchParameter: Record<string, fc.Arbitrary<string>> = {
  q: anyQuery,
  limit: integerLike,
  offset: integerLike,
  fragments: integerLike,
  context: integerLike,
  from: dateLike,
  to: dateLike,
  sort: fc.oneof(fc.constantFrom('relevance', 'newest', 'oldest', 'NEWEST', ''), junk),
  group: fc.oneof(fc.constantFrom('paragraph', 'article', 'Article', ''), junk),
  facets: fc.oneof(fc.constantFrom('source', 'month', 'source,month', 'month,source,month', '', ',', 'source,', ' source', 'year'), junk),
  source: fc.oneof(fc.constantFrom('Farm News', 'farm news', 'Test Wire', 'Radio Habana Cuba', 'Le Fil', ''), junk),
};
const strayName = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'q[]', 'Q', 'limit ', '', '&', 'source[0]');

/** A /search query string: each parameter absent, once or repeated, plus stray names. */
const searchQuery = fc
  .tuple(
    ...Object.entries(searchParameter).map(([name, value]) =>
      fc.oneof(
        { weight: name === 'q' ? 1 : 4, arbitrary: fc.constant([] as Array<[string, string]>) },
        { weight: 4, arbitrary: value.map((v) => [[name, v]] as Array<[string, string]>) },
        { weight: 1, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }).map((vs) => vs.map((v) => [name, v] as [string, string])) },
      ),
    ),
    fc.array(fc.tuple(strayName, junk), { maxLength: 2 }),
  )
  .map(([...parts]) => (parts as Array<Array<[string, string]>>).flat());

describe('GET /search under hostile input', () => {
  it('answers 200 or a clean 400 for any query and parameters, and changes nothing', async () => {
    const { app, corpusDir } = fixture;
    const before = await observe(app, corpusDir);
    await fc.assert(
      fc.asyncProperty(searchQuery, encoding, async (pairs, how) => {
        const url = `/search?${queryString(pairs, how)}`;
        const body = await expectWellFormed(await app.request(url), url);
        if (typeof body === 'object' && body !== null && !('error' in body)) {
          const { total, hits } = body as { total: unknown; hits: unknown };
          expect(Number.isInteger(total)).toBe(true);
          expect(Array.isArray(hits) && hits.length <= 100).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
    expect(await observe(app, corpusDir)).toBe(before);
  });

  it('never fails on a query made only of the query language’s own pieces', async () => {
    const { app } = fixture;
    await fc.assert(
      fc.asyncProperty(fc.oneof(adversarialQuery, extremeQuery), async (q) => {
        const url = `/search?q=${encodeURIComponent(wellFormed(q))}&group=article&fragments=5&context=3&facets=source,month`;
        const response = await app.request(url);
        await expectWellFormed(response, url);
        expect([200, 400]).toContain(response.status);
      }),
      { numRuns: 200 },
    );
  });
});

describe('GET /suggest under hostile input', () => {
  it('answers suggestions or a clean 400 for any q', async () => {
    const { app, corpusDir } = fixture;
    const before = await observe(app, corpusDir);
    await fc.assert(
      fc.asyncProperty(fc.array(anyQuery, { maxLength: 2 }), encoding, async (values, how) => {
        const url = `/suggest?${queryString(values.map((q) => ['q', q] as const), how)}`;
        const body = await expectWellFormed(await app.request(url), url);
        if (typeof body === 'object' && body !== null && 'suggestions' in body) {
          const { suggestions } = body as { suggestions: unknown[] };
          expect(suggestions.length).toBeLessThanOrEqual(10);
          for (const suggestion of suggestions) expect(typeof suggestion).toBe('string');
        }
      }),
      { numRuns: 200 },
    );
    expect(await observe(app, corpusDir)).toBe(before);
  });
});

/** Path segments a client should not send. */
const idSegment = fc.oneof(
  fc.tuple(junk, encoding).map(([value, how]) => encode(value, how)),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => [...bytes].map(hex).join('')),
  fc.constantFrom('..', '%2e%2e', '.', '%2F', '%2f..%2f..%2fetc%2fpasswd', '%00', '%', '%%', '%zz', '%C0%AF', '%ED%A0%80', 'a'.repeat(129), 'x'.repeat(10_000), 'farm-1%00', 'farm-1/..', 'FARM-1', '__proto__', 'constructor'),
);

describe('/articles/:id under hostile paths', () => {
  it('answers the article, 404 or a clean error for any id, and a refused delete changes nothing', async () => {
    const { app, corpusDir } = fixture;
    let baseline = await observe(app, corpusDir);
    await fc.assert(
      fc.asyncProperty(idSegment, fc.constantFrom('GET', 'DELETE'), async (segment, method) => {
        const url = `/articles/${segment}`;
        const response = await app.request(url, { method });
        await expectWellFormed(response, `${method} ${url}`);
        if (response.ok) baseline = await observe(app, corpusDir);
        else expect(await observe(app, corpusDir), `${method} ${url}`).toBe(baseline);
      }),
      { numRuns: 200 },
    );
  });

  it('answers a clean error for any other path and method', async () => {
    const { app } = fixture;
    await fc.assert(
      fc.asyncProperty(fc.array(idSegment, { minLength: 1, maxLength: 3 }), fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), async (segments, method) => {
        const url = `/${segments.join('/')}`;
        await expectWellFormed(await app.request(url, { method }), `${method} ${url}`);
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// POST /articles

const mediaType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('text/plain', 'text/plain; charset=utf-8', 'TEXT/PLAIN', 'application/json', 'application/json; charset=latin1', 'application/x-ndjson', 'application/jsonl', 'text/html', 'application/xhtml+xml', 'application/rss+xml', 'application/atom+xml', 'application/xml', 'text/xml') },
  { weight: 2, arbitrary: fc.constantFrom('image/png', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'text/csv', '', ';', 'application/json+evil', 'json', '*/*', 'text/plain;;;;', 'text/plain; charset="', '__proto__', 'constructor', 'toString') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).filter((value) => /^[\x20-\x7e]*$/.test(value)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const text = fc.string({ unit: fc.oneof({ weight: 8, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }, oddCharacter, loneSurrogate), maxLength: 60 });
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/** Article-shaped JSON values, some valid, most wrong in one field or another. */
const articleObject = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/).map((id) => `fuzz-${id}`), junk, fc.constant('a'.repeat(129)), fc.integer(), fc.constant(null)),
    title: fc.oneof({ weight: 4, arbitrary: text }, fc.constant('t'.repeat(1001)), fc.constant(''), fc.integer(), fc.constant(null), fc.array(text, { maxLength: 2 })),
    source: fc.oneof(text, fc.constant(null), fc.integer()),
    date: fc.oneof(dateLike, fc.constantFrom('Tue, 05 Jan 2021 10:00:00 GMT', '2021-01-05T10:00Z', 'Mon, 99 Foo 2021 99:99:99 GMT'), fc.integer()),
    url: fc.oneof(fc.webUrl(), fc.constantFrom('javascript:alert(1)', 'ftp://x', 'http://', 'https://a b', '//x', ''), junk),
    paragraphs: fc.oneof({ weight: 3, arbitrary: fc.array(text, { maxLength: 4 }) }, fc.array(fc.oneof(text, fc.integer(), fc.constant(null)), { maxLength: 3 }), text),
    body: fc.oneof(text, fc.array(text, { maxLength: 4 }).map((parts) => parts.join('\n\n')), fc.integer()),
    caption: fc.oneof(text, fc.constant(null)),
    dateline: text,
    byline: fc.oneof(text, fc.constant('b'.repeat(501)), fc.integer(), fc.constant(null)),
    extra: junk,
  },
  { requiredKeys: [] },
);
const jsonText = fc.oneof(
  { weight: 4, arbitrary: articleObject.map((article) => JSON.stringify(article)) },
  { weight: 2, arbitrary: fc.array(articleObject, { maxLength: 4 }).map((articles) => JSON.stringify(articles)) },
  { weight: 2, arbitrary: fc.array(articleObject, { maxLength: 4 }).map((articles) => articles.map((article) => JSON.stringify(article)).join('\n')) },
  fc.json({ maxDepth: 4 }),
  fc.integer({ min: 1, max: 50_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 1, max: 50_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.constantFrom('{"__proto__":{"title":"x"},"paragraphs":["p"]}', '{"title":"T","paragraphs":["p"],"constructor":{"prototype":{"x":1}}}', '[]', '{}', 'null', '""', '\ufeff{"title":"T","body":"B"}', '{"title":"T","body":"B"}\n{', '\n\n\n'),
);
const xmlText = fc.oneof(
  fc.tuple(text, fc.array(fc.tuple(text, text, maybe(fc.webUrl()), maybe(text)), { maxLength: 3 })).map(([title, items]) =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title>${items
      .map(([itemTitle, description, link, date]) => `<item><title>${itemTitle}</title><description>${description}</description>${link === undefined ? '' : `<link>${link}</link>`}${date === undefined ? '' : `<pubDate>${date}</pubDate>`}</item>`)
      .join('')}</channel></rss>`,
  ),
  fc.tuple(text, fc.array(fc.tuple(text, text, maybe(fc.webUrl())), { maxLength: 3 })).map(([title, entries]) =>
    `<feed xmlns="http://www.w3.org/2005/Atom"><title>${title}</title>${entries
      .map(([entryTitle, content, link]) => `<entry><title>${entryTitle}</title><content type="html">${content}</content>${link === undefined ? '' : `<link href="${link}"/>`}</entry>`)
      .join('')}</feed>`,
  ),
  fc.constantFrom(
    // Entity expansion ("billion laughs") and external entities must neither hang nor read files.
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]><rss><channel><item><title>&f;</title><description>&f;</description></item></channel></rss>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item><title>&x;</title><description>&x;</description></item></channel></rss>',
    '<rss><channel><item><title>T</title>', '<feed><entry></entry></feed>', '<rss version="2.0"><channel></channel></rss>', '<?xml?>', '<a><b></a></b>', '<![CDATA[',
    '<rss><channel><item><title><![CDATA[<b>bold</b>]]></title><description><![CDATA[<p>One.</p><p>Two.</p>]]></description></item></channel></rss>',
  ),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => `<rss><channel><item><title>T</title><description>${'<x>'.repeat(depth)}text${'</x>'.repeat(depth)}</description></item></channel></rss>`),
);
const htmlText = fc.oneof(
  fc.tuple(text, fc.array(text, { maxLength: 5 }), maybe(text)).map(([title, paragraphs, byline]) =>
    `<!doctype html><html><head><title>${title}</title>${byline === undefined ? '' : `<meta name="author" content="${byline}">`}</head><body><article><h1>${title}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`,
  ),
  fc.constantFrom('<html>', '<script>alert(1)</script>', '<!--', '<p>unclosed', '<html><body><p>Only a paragraph.</p></body></html>', '<title></title>', '<html><head><base href="javascript:x"></head><body><a href="x">a</a></body></html>'),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => `<html><head><title>Deep</title></head><body>${'<div>'.repeat(depth)}<p>Deep text here.</p>${'</div>'.repeat(depth)}</body></html>`),
);
const plainText = fc.oneof(
  fc.array(text, { maxLength: 6 }).map((lines) => lines.join('\n')),
  fc.array(text, { maxLength: 6 }).map((lines) => lines.join('\n\n')),
  fc.array(text, { maxLength: 6 }).map((lines) => lines.join('\r\n\r\n')),
  fc.tuple(text, fc.webUrl(), text).map(([title, url, source]) => `${title}\n\nBody text.\n\n${url}\n${source}`),
);
/** Bodies at the size limits: a huge single line, under and over MAX_BODY_BYTES. */
const hugeBody = fc.constantFrom(MAX_BODY_BYTES - 64, MAX_BODY_BYTES + 1, MAX_BODY_BYTES * 2).chain((size) =>
  fc.constantFrom(
    'x'.repeat(size),
    `Title\n\n${'word '.repeat(Math.floor((size - 8) / 5))}`,
    `{"title":"T","body":"${'y'.repeat(size - 26)}"}`,
    `${'€'.repeat(Math.floor(size / 3))}`,
  ),
);
const body: fc.Arbitrary<string | Uint8Array<ArrayBuffer>> = fc.oneof(
  { weight: 4, arbitrary: jsonText },
  { weight: 2, arbitrary: xmlText },
  { weight: 2, arbitrary: htmlText },
  { weight: 3, arbitrary: plainText },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
  { weight: 1, arbitrary: fc.constantFrom(new Uint8Array([0xff, 0xfe, 0x00, 0x41]), new Uint8Array([0xed, 0xa0, 0x80, 0x0a, 0x0a, 0x41]), new Uint8Array([0xc0, 0xaf]), new Uint8Array(0)) },
  { weight: 1, arbitrary: hugeBody },
);

describe('POST /articles under hostile bodies', () => {
  it('accepts or cleanly refuses any body of any media type, and a refused one writes nothing', async () => {
    const { app, corpusDir } = fixture;
    let baseline = await observe(app, corpusDir);
    await fc.assert(
      fc.asyncProperty(mediaType, body, async (type, content) => {
        const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
        const label = `POST /articles (${type ?? 'no Content-Type'}) ${typeof content === 'string' ? JSON.stringify(content.slice(0, 300)) : `bytes [${content.slice(0, 40).join(',')}]`} (${content.length})`;
        const response = await app.request('/articles', { method: 'POST', body: content, headers });
        const answer = await expectWellFormed(response, label);
        if (response.ok) {
          const { results, created, updated, unchanged } = answer as { results: unknown[]; created: number; updated: number; unchanged: number };
          expect(created + updated + unchanged, label).toBe(results.length);
          expect(response.status, label).toBe(created + updated > 0 ? 201 : 200);
          baseline = await observe(app, corpusDir);
        } else {
          expect(await observe(app, corpusDir), label).toBe(baseline);
        }
      }),
      { numRuns: 250 },
    );
    expect(fixture.internalErrors).toEqual([]);
  });
});
