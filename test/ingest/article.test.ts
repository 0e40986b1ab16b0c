import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentHash, deriveId, normalizeDate, validateArticle } from '../../src/ingest/article.ts';

describe('normalizeDate', () => {
  it('keeps an ISO date and converts date-times and RFC 2822 to ISO', () => {
    expect(normalizeDate('2020-03-05')).toBe('2020-03-05');
    expect(normalizeDate('2020-03-05T10:00:00+01:00')).toBe('2020-03-05T09:00:00.000Z');
    expect(normalizeDate('Thu, 05 Mar 2020 10:00:00 GMT')).toBe('2020-03-05T10:00:00.000Z');
  });

  it('returns null for text that is no date', () => {
    expect(normalizeDate('yesterday')).toBeNull();
    expect(normalizeDate('2020-02-30')).toBeNull();
  });
});

describe('validateArticle', () => {
  it('splits a body on blank lines and derives a stable id', () => {
    const result = validateArticle({ title: ' Title ', body: 'One.\n\n\nTwo\nlines.' }, 0);
    expect(result.ok && result.article.paragraphs).toEqual(['One.', 'Two lines.']);
    expect(result.ok && result.article.title).toBe('Title');
    const again = validateArticle({ title: 'Title', body: 'One.\n\nTwo\nlines.' }, 0);
    expect(result.ok && again.ok && again.article.id === result.article.id).toBe(true);
  });

  it('derives the id from the URL when there is one', () => {
    const a = validateArticle({ title: 'A', paragraphs: ['x'], url: 'https://example.com/a' }, 0);
    const b = validateArticle({ title: 'B', paragraphs: ['y'], url: 'https://example.com/a' }, 0);
    expect(a.ok && b.ok && a.article.id === b.article.id).toBe(true);
    expect(deriveId({ url: 'https://example.com/a', title: '', paragraphs: [] })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('names each bad field', () => {
    const result = validateArticle({ id: 'bad id!', title: '', date: 'soon', url: 'ftp://x', paragraphs: ['  '] }, 3);
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.problems.map((problem) => problem.field);
    expect(fields).toEqual(expect.arrayContaining(['id', 'title', 'date', 'url', 'paragraphs']));
    expect(result.ok ? [] : result.problems.every((problem) => problem.item === 3)).toBe(true);
  });

  it('refuses an id that starts with a dot, which would name a hidden file or no URL at all', () => {
    for (const id of ['.hidden', '...', '.', '..', '.x.json']) {
      const result = validateArticle({ id, title: 'T', paragraphs: ['p'] }, 2);
      expect(result.ok, id).toBe(false);
      expect(result.ok ? [] : result.problems).toEqual([{ item: 2, field: 'id', message: expect.stringContaining('not start with a dot') }]);
    }
  });

  it('accepts dots, dashes and underscores anywhere else in an id', () => {
    for (const id of ['a.b', 'x.', 'a..b', '-lead', '_under', 'x'.repeat(128)]) {
      const result = validateArticle({ id, title: 'T', paragraphs: ['p'] }, 0);
      expect(result.ok && result.article.id, id).toBe(id);
    }
    expect(validateArticle({ id: 'x'.repeat(129), title: 'T', paragraphs: ['p'] }, 0).ok).toBe(false);
  });

  it('refuses a paragraph over 50,000 characters, naming the field, the paragraph and its length', () => {
    const long = 'word '.repeat(10_001); // 50,004 characters once trimmed
    const listed = validateArticle({ title: 'T', paragraphs: ['Short.', long, long] }, 4);
    expect(listed.ok ? [] : listed.problems).toEqual([
      { item: 4, field: 'paragraphs', message: 'has a paragraph of 50004 characters (number 2) (and 1 more); at most 50000 are accepted' },
    ]);
    const body = validateArticle({ title: 'T', body: `Short.\n\n${long}` }, 0);
    expect(body.ok ? [] : body.problems.map((problem) => problem.field)).toEqual(['body']);
    expect(validateArticle({ title: 'T', paragraphs: ['x'.repeat(50_000)] }, 0).ok).toBe(true);
  });

  it('refuses more than 10,000 paragraphs', () => {
    const many = validateArticle({ title: 'T', paragraphs: Array.from({ length: 10_001 }, (_, i) => `P${i}.`) }, 0);
    expect(many.ok ? [] : many.problems).toEqual([{ item: 0, field: 'paragraphs', message: 'holds 10001 paragraphs; at most 10000 are accepted' }]);
    expect(validateArticle({ title: 'T', paragraphs: Array.from({ length: 10_000 }, (_, i) => `P${i}.`) }, 0).ok).toBe(true);
  });

  it('names an unknown field that is a near miss of a missing required field, with the problem of that field', () => {
    expect(validateArticle({ titel: 'Harvest', body: 'Wheat.' }, 2)).toEqual({
      ok: false,
      problems: [{ item: 2, field: 'title', message: 'is required (unknown field "titel" — did you mean "title"?)' }],
    });
    expect(validateArticle({ title: 'Harvest', paragraph: ['Wheat.'] }, 1)).toEqual({
      ok: false,
      problems: [{ item: 1, field: 'paragraphs', message: 'must hold at least one non-blank paragraph (unknown field "paragraph" — did you mean "paragraphs"?)' }],
    });
    expect(validateArticle({ Title: 'Harvest', body: 'Wheat.' }, 1)).toMatchObject({ problems: [{ field: 'title', message: 'is required (unknown field "Title" — did you mean "title"?)' }] });
    expect(validateArticle({ title: 'Harvest', Body: 'Wheat.' }, 1)).toMatchObject({
      problems: [{ field: 'paragraphs', message: 'must hold at least one non-blank paragraph (unknown field "Body" — did you mean "body"?)' }],
    });
  });

  it('suggests nothing for a missing field that no unknown field is near, nor for a field that is present', () => {
    expect(validateArticle({ headline: 'Harvest', body: 'Wheat.' }, 1)).toEqual({ ok: false, problems: [{ item: 1, field: 'title', message: 'is required' }] });
    expect(validateArticle({ title: '', titel: 'Harvest', body: 'Wheat.' }, 1)).toEqual({ ok: false, problems: [{ item: 1, field: 'title', message: 'is required' }] });
  });

  it('accepts an article with unknown fields, returning them with the absent known field each is a near miss of', () => {
    const result = validateArticle({ title: 'Harvest', body: 'Wheat.', tags: ['farm'], sorce: 'Farm Wire', titel: 'Harvest' }, 1);
    expect(result.ok && result.article.title).toBe('Harvest');
    expect(result.ok && result.unknownFields).toEqual([
      { name: 'tags', suggestion: null },
      { name: 'sorce', suggestion: 'source' },
      { name: 'titel', suggestion: null },
    ]);
    expect(validateArticle({ id: 'a1', title: 'T', source: null, date: null, url: null, caption: null, dateline: null, paragraphs: ['p'] }, 1)).toMatchObject({ ok: true, unknownFields: [] });
  });

  it('refuses a title over 1,000 characters and a non-object', () => {
    expect(validateArticle({ title: 'x'.repeat(1001), paragraphs: ['p'] }, 0).ok).toBe(false);
    expect(validateArticle(['not', 'an', 'article'], 0).ok).toBe(false);
  });

  it('keeps a byline on one line, trimmed, and reads a blank or missing one as null', () => {
    const bylineOf = (input: object): unknown => {
      const result = validateArticle({ title: 'T', paragraphs: ['p'], ...input }, 0);
      return result.ok ? result.article.byline : result.problems;
    };
    expect(bylineOf({ byline: '  Anna de Vries\n and  Jan Smit ' })).toBe('Anna de Vries and Jan Smit');
    expect(bylineOf({ byline: '   ' })).toBeNull();
    expect(bylineOf({ byline: null })).toBeNull();
    expect(bylineOf({})).toBeNull();
  });

  it('refuses a byline over 500 characters or not a string, naming the field', () => {
    const long = validateArticle({ title: 'T', paragraphs: ['p'], byline: 'x'.repeat(501) }, 0);
    expect(long.ok ? [] : long.problems).toEqual([{ item: 0, field: 'byline', message: expect.stringContaining('500') }]);
    expect(validateArticle({ title: 'T', paragraphs: ['p'], byline: 'x'.repeat(500) }, 0).ok).toBe(true);
    const number = validateArticle({ title: 'T', paragraphs: ['p'], byline: 42 }, 0);
    expect(number.ok ? [] : number.problems.map((problem) => problem.field)).toEqual(['byline']);
  });
});

describe('contentHash', () => {
  it('changes when any field a reader sees changes', () => {
    const result = validateArticle({ title: 'T', paragraphs: ['p'] }, 0);
    if (!result.ok) throw new Error('fixture invalid');
    const base = contentHash(result.article);
    expect(contentHash({ ...result.article })).toBe(base);
    expect(contentHash({ ...result.article, paragraphs: ['q'] })).not.toBe(base);
    expect(contentHash({ ...result.article, source: 'Other' })).not.toBe(base);
    expect(contentHash({ ...result.article, byline: 'Anna de Vries' })).not.toBe(base);
  });

  it('gives an article without byline the hash it had before bylines existed, so re-posting it stays unchanged', () => {
    const result = validateArticle({ id: 'a1', title: 'T', source: 'S', date: '2024-03-14', paragraphs: ['p', 'q'] }, 0);
    if (!result.ok) throw new Error('fixture invalid');
    const { id, title, source, date, url, caption, dateline, paragraphs } = result.article;
    const before = createHash('sha256').update(JSON.stringify([id, title, source, date, url, caption, dateline, paragraphs])).digest('hex');
    expect(contentHash(result.article)).toBe(before);
  });
});
