/**
 * @module backends/postgres/sql
 * Building parameterized SQL: values go in a list and the text holds `$n` placeholders, so no
 * value (a word of a query, a source name) is ever spliced into SQL text.
 */

/** The values of a statement being built. */
export type Params = {
  readonly values: unknown[];
  /** Adds a value; returns its placeholder, with the cast when given (`$3::text[]`). */
  add(value: unknown, cast?: string): string;
};

/**
 * Starts the values of a statement.
 *
 * @example
 * const params = createParams();
 * `SELECT * FROM words WHERE word = ${params.add('gaza')}` // 'SELECT * FROM words WHERE word = $1'
 */
export function createParams(): Params {
  const values: unknown[] = [];
  return {
    values,
    add(value, cast) {
      values.push(value);
      return cast === undefined ? `$${values.length}` : `$${values.length}::${cast}`;
    },
  };
}

/** `parts` joined by ` OR `, `false` when there is none. */
export function anyOf(parts: readonly string[]): string {
  return parts.length === 0 ? 'false' : parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`;
}

/** `parts` joined by ` AND `, `true` when there is none. */
export function allOf(parts: readonly string[]): string {
  return parts.length === 0 ? 'true' : parts.length === 1 ? (parts[0] as string) : `(${parts.join(' AND ')})`;
}

/** `parts` added up, `0` when there is none. */
export function sumOf(parts: readonly string[]): string {
  return parts.length === 0 ? '0::float8' : parts.length === 1 ? (parts[0] as string) : `(${parts.join(' + ')})`;
}
