import { describe, expect, it } from 'vitest';
import { describeUnknownField, editDistance, nearestField, unknownFields } from '../../src/ingest/unknown-fields.ts';

const KNOWN = ['id', 'title', 'source', 'date', 'url', 'caption', 'dateline', 'paragraphs', 'body'];

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and a swap of neighbours as one edit each', () => {
    expect(editDistance('titel', 'title')).toBe(1);
    expect(editDistance('paragraph', 'paragraphs')).toBe(1);
    expect(editDistance('sorce', 'source')).toBe(1);
    expect(editDistance('dat', 'date')).toBe(1);
    expect(editDistance('paragrahps', 'paragraphs')).toBe(1);
    expect(editDistance('tags', 'date')).toBe(3);
    expect(editDistance('', 'url')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('nearestField', () => {
  it('finds the nearest field case aside, within 1 edit for names of up to 4 letters and 2 beyond', () => {
    expect(nearestField('Paragraph', KNOWN)).toBe('paragraphs');
    expect(nearestField('TITLE', KNOWN)).toBe('title');
    expect(nearestField('tilte', KNOWN)).toBe('title');
    expect(nearestField('uri', KNOWN)).toBe('url');
    expect(nearestField('bdy', KNOWN)).toBe('body');
    expect(nearestField('bo', KNOWN)).toBeNull(); // 2 edits from "body": too far for a 4-letter name
    expect(nearestField('tags', KNOWN)).toBeNull();
    expect(nearestField('author', KNOWN)).toBeNull();
    expect(nearestField('headline', KNOWN)).toBeNull();
  });
});

describe('unknownFields', () => {
  it('lists the fields outside the known ones in input order, suggesting only fields the input lacks', () => {
    expect(unknownFields({ titel: 'T', tags: [], title: 'T', sorce: 'S' }, KNOWN)).toEqual([
      { name: 'titel', suggestion: null },
      { name: 'tags', suggestion: null },
      { name: 'sorce', suggestion: 'source' },
    ]);
    expect(unknownFields(JSON.parse('{"__proto__": 1, "constructor": 2}') as object, KNOWN).map((field) => field.name)).toEqual(['__proto__', 'constructor']);
  });
});

describe('describeUnknownField', () => {
  it('quotes the name as JSON, cut at 60 characters, with the suggestion when there is one', () => {
    expect(describeUnknownField({ name: 'titel', suggestion: 'title' })).toBe('unknown field "titel" — did you mean "title"?');
    expect(describeUnknownField({ name: 'tags', suggestion: null })).toBe('unknown field "tags"');
    expect(describeUnknownField({ name: 'a"b\n', suggestion: null })).toBe('unknown field "a\\"b\\n"');
    expect(describeUnknownField({ name: 'x'.repeat(70), suggestion: null })).toBe(`unknown field "${'x'.repeat(60)}…"`);
  });
});
