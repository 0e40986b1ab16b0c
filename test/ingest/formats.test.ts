import { describe, expect, it } from 'vitest';
import { formatOfMediaType, formatOfPath, parseArticles, parseBatch, type Format } from '../../src/ingest/formats.ts';

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

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('nothing was thrown');
}

describe('parseArticles errors', () => {
  it('name the origin once, at the start, and nothing before the problem without one', () => {
    expect(messageOf(() => parseArticles('[{"title":"A","body":"x"},{"body":"y"}]', 'json', 'in/a.json'))).toBe('in/a.json: item 2: title is required');
    expect(messageOf(() => parseArticles('[{"title":"A","body":"x"},{"body":"y"}]', 'json'))).toBe('item 2: title is required');
    expect(messageOf(() => parseArticles('\n\n', 'text', 'blank.txt'))).toBe('blank.txt: no text: the first line must be the title');
    expect(messageOf(() => parseArticles('[]', 'json'))).toBe('no article found');
  });

  it('give the line and column of a JSON syntax error counted from 1, as an editor shows them', () => {
    expect(messageOf(() => parseArticles('{\n  "title": "A",\n  body: "x"\n}', 'json', 'a.json'))).toBe(
      "a.json: not valid JSON: Expected double-quoted property name (line 3, column 3)",
    );
    expect(messageOf(() => parseArticles('{x}', 'json'))).toBe("not valid JSON: Expected property name or '}' (column 2)");
    expect(messageOf(() => parseArticles('[1,\n2,\n]', 'json'))).toBe("not valid JSON: Unexpected token ']'");
    expect(messageOf(() => parseArticles('{"title":', 'json'))).toBe('not valid JSON: Unexpected end of JSON input');
  });

  it('name the line of a JSON Lines item, counting blank lines, for a syntax error and for an invalid article', () => {
    const lines = ['{"title":"A","body":"x"}', '', '{"title":"B","body":"y"', '{"titel":"C","body":"z"}'];
    expect(messageOf(() => parseArticles(lines.join('\n'), 'jsonl', 'dump.jsonl'))).toBe(
      "dump.jsonl: line 3: not valid JSON: Expected ',' or '}' after property value (column 24)",
    );
    expect(messageOf(() => parseArticles([lines[0], '', lines[3]].join('\r\n'), 'jsonl', 'dump.jsonl'))).toBe(
      'dump.jsonl: line 3: title is required (unknown field "titel" — did you mean "title"?)',
    );
  });
});

describe('parseBatch', () => {
  it('returns the warnings of unknown fields, naming lines in JSON Lines and items elsewhere', () => {
    const lines = '{"title":"A","body":"x","tags":["farm"]}\n\n{"title":"B","body":"y","tags":[],"dat":"2024-01-01"}\n';
    expect(parseBatch(lines, 'jsonl').warnings).toEqual(['lines 1 and 3: unknown field "tags" (ignored)', 'line 3: unknown field "dat" — did you mean "date"? (ignored)']);
    expect(parseBatch('{"title":"A","body":"x","tags":["farm"]}', 'json', 'a.json')).toMatchObject({ articles: [{ title: 'A' }], warnings: ['item 1: unknown field "tags" (ignored)'] });
    expect(parseBatch(SAMPLES.feed, 'feed').warnings).toEqual([]);
  });
});
