/**
 * @module ingest/batch
 * A batch of untrusted articles validated together (SPEC §2): all valid, or one `bad_request`
 * naming every bad item and field. Items are counted from 1, as a reader counts; in JSON Lines
 * they are named by their line. Unknown fields of valid articles are ignored, and reported as
 * warnings, one per field name.
 */
import { createError } from '../errors.ts';
import { validateArticle, type Article, type ValidationProblem } from './article.ts';
import { describeUnknownField } from './unknown-fields.ts';

/**
 * Validated articles, and what the caller should be told about them (fields that were ignored).
 * `lines[i]`: the line article `i` was read from, in JSON Lines, for later messages about it.
 */
export type ParsedBatch = { articles: Article[]; warnings: string[]; lines?: readonly number[] };

/**
 * Where a batch comes from, for messages. `origin` names it (a file path) at the start of an
 * error's message; without it (a request body: there is only one) messages start with the item.
 * `lines[i]` is the line item `i` was read from (JSON Lines), named instead of its number.
 */
export type BatchOrigin = { origin?: string; lines?: readonly number[] };

/** Problems listed in one error message: enough to fix a file in one pass, short enough to read. */
const MAX_LISTED_PROBLEMS = 10;
/** Item numbers listed in one warning before "and N more". */
const MAX_LISTED_ITEMS = 5;
/** Distinct unknown fields warned of, one warning each; more are counted in a last warning. */
const MAX_FIELD_WARNINGS = 10;

/**
 * The start of a message about a batch from `origin`: `"wire.rss: "`, or nothing without one.
 *
 * @example
 * originPrefix('wire.rss') // 'wire.rss: '
 */
export function originPrefix(origin: string | undefined): string {
  return origin === undefined ? '' : `${origin}: `;
}

/**
 * Validates a batch. Throws one `bad_request` naming every bad item and field (the first
 * {@link MAX_LISTED_PROBLEMS}), with the problems as `details`; an empty batch is one too.
 *
 * @example
 * validateBatch([{ title: 'T', body: 'x' }, { titel: 'U', body: 'y' }], { origin: 'a.json' })
 * // throws 'a.json: item 2: title is required (unknown field "titel" — did you mean "title"?)'
 */
export function validateBatch(inputs: readonly unknown[], where: BatchOrigin = {}): ParsedBatch {
  const articles: Article[] = [];
  const problems: ValidationProblem[] = [];
  /** Items holding each unknown field (and its suggestion), in order of first appearance. */
  const unknown = new Map<string, { text: string; labels: string[] }>();
  inputs.forEach((input, index) => {
    const line = where.lines?.[index];
    const result = validateArticle(input, index + 1);
    if (!result.ok) {
      problems.push(...result.problems.map((problem) => (line === undefined ? problem : { ...problem, line })));
      return;
    }
    articles.push(result.article);
    for (const field of result.unknownFields) {
      const text = describeUnknownField(field);
      const entry = unknown.get(text) ?? { text, labels: [] };
      entry.labels.push(String(line ?? index + 1));
      unknown.set(text, entry);
    }
  });
  const prefix = originPrefix(where.origin);
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map(describeProblem).join('; ');
    const more = problems.length > MAX_LISTED_PROBLEMS ? ` (and ${problems.length - MAX_LISTED_PROBLEMS} more)` : '';
    throw createError('bad_request', `${prefix}${listed}${more}`, { problems });
  }
  if (articles.length === 0) throw createError('bad_request', `${prefix}no article found`);
  const noun = where.lines === undefined ? 'item' : 'line';
  const entries = [...unknown.values()];
  const warnings = entries.slice(0, MAX_FIELD_WARNINGS).map((entry) => `${listNumbers(noun, entry.labels)}: ${entry.text} (ignored)`);
  if (entries.length > MAX_FIELD_WARNINGS) warnings.push(`${entries.length - MAX_FIELD_WARNINGS} more unknown fields (ignored)`);
  return where.lines === undefined ? { articles, warnings } : { articles, warnings, lines: where.lines };
}

/**
 * One problem in words: `item 2: title is required`, `line 7: date must be …`; a problem with
 * the whole item (not an object) names no field.
 */
export function describeProblem(problem: ValidationProblem): string {
  const label = problem.line === undefined ? `item ${problem.item}` : `line ${problem.line}`;
  return problem.field === '(article)' ? `${label}: ${problem.message}` : `${label}: ${problem.field} ${problem.message}`;
}

/**
 * `item 3`, `items 1, 2 and 4`, `lines 1, 2, 3, 4, 5 and 12 more`.
 *
 * @example
 * listNumbers('item', ['1', '2', '4']) // 'items 1, 2 and 4'
 */
export function listNumbers(noun: string, numbers: readonly string[]): string {
  if (numbers.length === 1) return `${noun} ${numbers[0]}`;
  const shown = numbers.length > MAX_LISTED_ITEMS + 1 ? [...numbers.slice(0, MAX_LISTED_ITEMS), `${numbers.length - MAX_LISTED_ITEMS} more`] : numbers;
  return `${noun}s ${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}
