/**
 * @module test/monitor/tables
 * The export writers on their own: any row survives a CSV parser (csv-parse, strict RFC 4180)
 * and JSON Lines, batch after batch, with formulas defused in CSV only.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_FORMAT, JSONL_FORMAT } from '../../src/monitor/tables.ts';
import { EXPORT_COLUMNS, type ExportRow } from '../../src/service/exports.ts';

/** Matches a field a spreadsheet would read as a formula (csv-stringify's `escape_formulas` list). */
const FORMULA_START_RE = /^[-=+@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
/** Text with the characters CSV and spreadsheets care about made likely. */
const trickyText = fc.oneof(text, fc.array(fc.constantFrom(',', '"', '\r', '\n', '\r\n', '=', '+', '-', '@', ' ', 'a', 'é', '\u0000', '\uFEFF', '\t'), { maxLength: 12 }).map((parts) => parts.join('')));
const nullable = (arbitrary: fc.Arbitrary<string>) => fc.option(arbitrary, { nil: null });

const row: fc.Arbitrary<ExportRow> = fc.record({
  id: trickyText,
  articleId: trickyText,
  paragraph: fc.integer({ min: 1, max: 10_000 }),
  title: trickyText,
  source: nullable(trickyText),
  date: nullable(trickyText),
  url: nullable(trickyText),
  language: nullable(trickyText),
  copyOf: nullable(trickyText),
  snippet: trickyText,
});

/** What a CSV field reads back as: empty for null, a leading `'` before a formula. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const written = String(value);
  return FORMULA_START_RE.test(written) && typeof value === 'string' ? `'${written}` : written;
}

describe('CSV_FORMAT', () => {
  it('writes rows that a strict RFC 4180 parser reads back, field for field, in batches', () => {
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 5 }), { maxLength: 4 }), (batches) => {
        const csv = CSV_FORMAT.head() + batches.map((batch) => CSV_FORMAT.rows(batch)).join('');
        expect(csv.startsWith('\uFEFF')).toBe(true);
        const records: string[][] = parse(csv, { bom: true, record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false });
        expect(records[0]).toEqual([...EXPORT_COLUMNS]);
        expect(records.slice(1)).toEqual(batches.flat().map((r) => EXPORT_COLUMNS.map((key) => csvField(r[key]))));
      }),
      { seed: 18, numRuns: 300 },
    );
  });

  it('ends every record with CRLF', () => {
    const csv = CSV_FORMAT.head() + CSV_FORMAT.rows([{ id: 'a:1', articleId: 'a', paragraph: 1, title: 'T', source: null, date: null, url: null, language: null, copyOf: null, snippet: 's' }]);
    expect(csv).toBe('\uFEFFid,articleId,paragraph,title,source,date,url,language,copyOf,snippet\r\na:1,a,1,T,,,,,,s\r\n');
  });
});

describe('JSONL_FORMAT', () => {
  it('writes one JSON object per line that reads back as the row, every text kept as it was', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), (rows) => {
        const lines = JSONL_FORMAT.rows(rows).split('\n');
        expect(lines.pop()).toBe('');
        expect(lines.map((line) => JSON.parse(line))).toEqual(rows);
      }),
      { seed: 18, numRuns: 300 },
    );
  });
});
