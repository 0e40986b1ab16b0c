import { describe, expect, it } from 'vitest';
import { formatOfMediaType, formatOfPath, parseArticles, type Format } from '../../src/ingest/formats.ts';

/** One article, "Wheat" with the paragraph "Prices fell.", in every format the service reads. */
const SAMPLES: Record<Format, string> = {
  text: 'Wheat\n\nPrices fell.',
  json: '{"title":"Wheat","paragraphs":["Prices fell."]}',
  jsonl: '{"title":"Wheat","paragraphs":["Prices fell."]}\n',
  html: '<html><head><title>Wheat</title></head><body><article><h1>Wheat</h1><p>Prices fell.</p></article></body></html>',
  feed: '<rss><channel><title>Wire</title><item><title>Wheat</title><description>Prices fell.</description></item></channel></rss>',
};

describe('parseArticles', () => {
  it('reads a file that starts with a byte order mark as the same file without it, in every format', () => {
    for (const [format, content] of Object.entries(SAMPLES) as Array<[Format, string]>) {
      const plain = parseArticles(content, format, format);
      expect(plain.map((article) => [article.title, article.paragraphs])).toEqual([['Wheat', ['Prices fell.']]]);
      expect(parseArticles(`\uFEFF${content}`, format, format)).toEqual(plain);
    }
  });
});

describe('formatOfPath and formatOfMediaType', () => {
  it('know the supported extensions and media types, and nothing inherited from Object', () => {
    expect([formatOfPath('a/b.JSONL'), formatOfPath('feed.xml'), formatOfPath('notes.md'), formatOfPath('constructor')]).toEqual(['jsonl', 'feed', null, null]);
    expect([formatOfMediaType('text/html; charset=utf-8'), formatOfMediaType('__proto__'), formatOfMediaType('constructor'), formatOfMediaType(undefined)]).toEqual(['html', null, null, null]);
  });
});
