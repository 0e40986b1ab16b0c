import { describe, expect, it } from 'vitest';
import { listNumbers, validateBatch } from '../../src/ingest/batch.ts';
import { isServiceError, type ServiceError } from '../../src/errors.ts';

function thrownBy(run: () => unknown): ServiceError {
  try {
    run();
  } catch (error) {
    if (isServiceError(error)) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('validateBatch', () => {
  it('throws one bad_request naming every bad item, counted from 1, after the origin', () => {
    const error = thrownBy(() => validateBatch([{ title: 'ok', paragraphs: ['p'] }, { paragraphs: ['p'] }, { title: 't' }], { origin: 'input/wire.json' }));
    expect(error.code).toBe('bad_request');
    expect(error.message).toBe('input/wire.json: item 2: title is required; item 3: paragraphs must hold at least one non-blank paragraph');
    expect(error.details).toEqual({
      problems: [
        { item: 2, field: 'title', message: 'is required' },
        { item: 3, field: 'paragraphs', message: 'must hold at least one non-blank paragraph' },
      ],
    });
  });

  it('starts with the item when there is no origin, and names the line of each item when given lines', () => {
    expect(thrownBy(() => validateBatch([{ titel: 'T', body: 'x' }])).message).toBe('item 1: title is required (unknown field "titel" — did you mean "title"?)');
    const error = thrownBy(() => validateBatch([{ title: 'ok', body: 'x' }, 'text', { title: 'T', body: 'x', date: 'soon' }], { origin: 'dump.jsonl', lines: [1, 3, 4] }));
    expect(error.message).toBe('dump.jsonl: line 3: must be a JSON object; line 4: date must be ISO 8601 or RFC 2822, got "soon"');
    expect(error.details).toEqual({
      problems: [
        { item: 2, line: 3, field: '(article)', message: 'must be a JSON object' },
        { item: 3, line: 4, field: 'date', message: 'must be ISO 8601 or RFC 2822, got "soon"' },
      ],
    });
  });

  it('lists the first 10 problems and counts the others', () => {
    const error = thrownBy(() => validateBatch(Array.from({ length: 12 }, () => ({ body: 'x' })), { origin: 'a.json' }));
    expect(error.message).toBe(`a.json: ${Array.from({ length: 10 }, (_, i) => `item ${i + 1}: title is required`).join('; ')} (and 2 more)`);
  });

  it('refuses a batch without articles', () => {
    expect(thrownBy(() => validateBatch([], { origin: 'empty.json' })).message).toBe('empty.json: no article found');
    expect(thrownBy(() => validateBatch([])).message).toBe('no article found');
  });

  it('accepts unknown fields, warning once per field with the items that hold it', () => {
    const batch = validateBatch([
      { title: 'A', body: 'x', tags: ['farm'] },
      { title: 'B', body: 'y', tags: [], sorce: 'Wire' },
      { title: 'C', body: 'z' },
      { title: 'D', body: 'w', tags: [] },
    ]);
    expect(batch.articles.map((article) => article.title)).toEqual(['A', 'B', 'C', 'D']);
    expect(batch.warnings).toEqual(['items 1, 2 and 4: unknown field "tags" (ignored)', 'item 2: unknown field "sorce" — did you mean "source"? (ignored)']);
    expect(validateBatch([{ title: 'A', body: 'x', tags: [] }], { lines: [7] }).warnings).toEqual(['line 7: unknown field "tags" (ignored)']);
    expect(validateBatch([{ title: 'A', body: 'x' }]).warnings).toEqual([]);
  });

  it('warns of at most 10 distinct unknown fields and counts the others', () => {
    const input: Record<string, unknown> = { title: 'A', body: 'x' };
    for (let n = 1; n <= 13; n++) input[`extra${n}`] = n;
    const { warnings } = validateBatch([input]);
    expect(warnings).toHaveLength(11);
    expect(warnings[0]).toBe('item 1: unknown field "extra1" (ignored)');
    expect(warnings[10]).toBe('3 more unknown fields (ignored)');
  });
});

describe('listNumbers', () => {
  it('names one, a few, or the first five and a count', () => {
    expect(listNumbers('item', ['3'])).toBe('item 3');
    expect(listNumbers('item', ['1', '2'])).toBe('items 1 and 2');
    expect(listNumbers('line', ['1', '2', '3', '4', '5', '6'])).toBe('lines 1, 2, 3, 4, 5 and 6');
    expect(listNumbers('line', ['1', '2', '3', '4', '5', '6', '7'])).toBe('lines 1, 2, 3, 4, 5 and 2 more');
  });
});
