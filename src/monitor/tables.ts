/**
 * @module monitor/tables
 * Export rows as text, a batch at a time, so an export is written as it is read (SPEC §11):
 * CSV per RFC 4180 (written by `csv-stringify`) for spreadsheets, JSON Lines for programs.
 *
 * The CSV starts with a UTF-8 byte order mark: Excel reads a CSV without one in the machine's
 * legacy code page (Windows-1252 in western Europe), so every accented or non-Latin character
 * comes out garbled; with it, Excel, LibreOffice and Numbers all read UTF-8 (LibreOffice and
 * Python's `utf-8-sig` drop the mark). Fields starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return get a leading `'` (`escape_formulas`), as OWASP advises: ingested feeds are untrusted,
 * and a spreadsheet would run such a title as a formula. JSON Lines keeps every text as it is.
 */
import { stringify } from 'csv-stringify/sync';
import { EXPORT_COLUMNS, type ExportRow } from '../service/exports.ts';

/** A format of export: its media type, file extension, and how a batch of rows is written. */
export type TableFormat = {
  mediaType: string;
  extension: string;
  /** What comes before the first row (a header line, a byte order mark). */
  head(): string;
  /** The rows, each ending its own line. */
  rows(rows: readonly ExportRow[]): string;
};

/** The `csv-stringify` options of every batch: RFC 4180 (comma, double quotes, CRLF), formulas defused. */
const CSV_OPTIONS = { record_delimiter: 'windows', escape_formulas: true, columns: [...EXPORT_COLUMNS] };

/**
 * CSV (RFC 4180): a header row, CRLF line ends, fields quoted when they hold a comma, a quote or
 * a line break, a byte order mark first (see the module's note).
 *
 * @example
 * CSV_FORMAT.head() + CSV_FORMAT.rows(rows)
 */
export const CSV_FORMAT: TableFormat = {
  mediaType: 'text/csv; charset=utf-8; header=present',
  extension: 'csv',
  head: () => stringify([[...EXPORT_COLUMNS]], { record_delimiter: 'windows', bom: true }),
  rows: (rows) => (rows.length === 0 ? '' : stringify([...rows], CSV_OPTIONS)),
};

/**
 * JSON Lines: one object per row with the keys of {@link ExportRow}, `null` for what is unknown.
 *
 * @example
 * JSONL_FORMAT.rows(rows).split('\n')[0] // '{"id":"abc:4","articleId":"abc",…}'
 */
export const JSONL_FORMAT: TableFormat = {
  mediaType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  head: () => '',
  rows: (rows) => rows.map((row) => `${JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((key) => [key, row[key]])))}\n`).join(''),
};
