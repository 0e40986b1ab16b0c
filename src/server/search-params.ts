/**
 * @module server/search-params
 * The query string of `GET /search`, validated with zod: every malformed or out-of-range value
 * is a 400 naming the parameter (SPEC §5).
 */
import { z } from 'zod';
import { createError } from '../errors.ts';
import type { FacetName } from '../backends/embedded/execute.ts';
import type { SearchParams } from '../service/search-service.ts';

/** Matches a calendar date `YYYY-MM-DD` (the form of `from` and `to`). */
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

const integer = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return fallback;
      const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max}, got "${value.slice(0, 40)}"` });
        return z.NEVER;
      }
      return parsed;
    });

const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return fallback;
      if (!(values as readonly string[]).includes(value)) {
        context.addIssue({ code: 'custom', message: `${name} must be one of ${values.join(', ')}, got "${value.slice(0, 40)}"` });
        return z.NEVER;
      }
      return value as T;
    });

const day = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return null;
      const parsed = new Date(`${value}T00:00:00Z`);
      if (!DAY_RE.test(value) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
        context.addIssue({ code: 'custom', message: `${name} must be a date YYYY-MM-DD, got "${value.slice(0, 40)}"` });
        return z.NEVER;
      }
      return value;
    });

const single = (name: string) =>
  z.union([z.string(), z.array(z.string())]).optional().transform((value, context) => {
    if (Array.isArray(value)) {
      context.addIssue({ code: 'custom', message: `${name} must be given once` });
      return z.NEVER;
    }
    return value;
  });

const FACETS: readonly FacetName[] = ['source', 'month', 'copies'];

/** The schema of `GET /search`'s query string. */
export const searchQuerySchema = z
  .object({
    q: single('q').pipe(
      z.string({ error: 'q is required' }).refine((value) => value.trim().length > 0, 'q must not be empty'),
    ),
    limit: single('limit').pipe(integer('limit', 1, 100, 10)),
    offset: single('offset').pipe(integer('offset', 0, 10_000, 0)),
    source: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]).map((s) => s.trim()).filter((s) => s !== '')),
    from: single('from').pipe(day('from')),
    to: single('to').pipe(day('to')),
    sort: single('sort').pipe(oneOf('sort', ['relevance', 'newest', 'oldest'] as const, 'relevance')),
    group: single('group').pipe(oneOf('group', ['paragraph', 'article'] as const, 'paragraph')),
    mode: single('mode').pipe(oneOf('mode', ['all', 'any'] as const, 'default' as 'all' | 'any' | 'default')),
    collapse: single('collapse').pipe(oneOf('collapse', ['none', 'copies'] as const, 'none')),
    fragments: single('fragments').pipe(integer('fragments', 1, 5, 1)),
    context: single('context').pipe(integer('context', 0, 3, 0)),
    facets: single('facets').transform((value, context) => {
      if (value === undefined || value === '') return [];
      const names = value.split(',').map((name) => name.trim());
      const unknown = names.filter((name) => !(FACETS as readonly string[]).includes(name));
      if (unknown.length > 0) {
        context.addIssue({ code: 'custom', message: `facets must be a comma-separated list of ${FACETS.join(', ')}, got "${unknown.join(',').slice(0, 40)}"` });
        return z.NEVER;
      }
      return [...new Set(names)] as FacetName[];
    }),
  })
  .refine((value) => value.from === null || value.to === null || value.from <= value.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

/** Splits validated query values into `q` and the search parameters. */
export function toSearchParams(value: z.infer<typeof searchQuerySchema>): { q: string; params: SearchParams } {
  return {
    q: value.q,
    params: {
      limit: value.limit,
      offset: value.offset,
      sources: value.source,
      from: value.from,
      to: value.to,
      sort: value.sort,
      group: value.group,
      fragments: value.fragments,
      context: value.context,
      facets: value.facets,
      mode: value.mode,
      collapse: value.collapse,
    },
  };
}

/** The schema of `GET /provenance`'s query string: the query, and a page of appearances. */
export const provenanceQuerySchema = z.object({
  q: single('q').pipe(z.string({ error: 'q is required' }).refine((value) => value.trim().length > 0, 'q must not be empty')),
  limit: single('limit').pipe(integer('limit', 1, 100, 50)),
  offset: single('offset').pipe(integer('offset', 0, 10_000, 0)),
});

/** A query string zod refused: a 400 naming the first parameter that is wrong. */
export function refuseInvalidQuery(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): void {
  if (result.success) return;
  const issue = result.error?.issues[0];
  const name = issue?.path[0] === undefined ? 'query' : String(issue.path[0]);
  const message = issue?.message ?? 'invalid query string';
  throw createError('bad_request', message.startsWith(name) ? message : `${name}: ${message}`);
}
