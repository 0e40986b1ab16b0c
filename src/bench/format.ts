/**
 * @module bench/format
 * How the reports print numbers: counts with thousands separators, milliseconds with the
 * precision that matters at their size, sizes in MB and GiB, `n/a` for what was not measured.
 */

/** Bytes in a megabyte as the reports count it (MiB, as `ps` and V8 do). */
export const MB = 1024 * 1024;
/** Bytes in a gibibyte. */
export const GIB = 1024 * MB;

/**
 * Bytes in MB with one decimal; `n/a` when not a number.
 *
 * @example
 * megabytes(3 * 1024 * 1024) // '3.0'
 */
export function megabytes(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / MB).toFixed(1) : 'n/a';
}

/**
 * A count, rounded, with thousands separators; `n/a` when it is not a number.
 *
 * @example
 * integer(107331.4) // '107,331'
 */
export function integer(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/**
 * Milliseconds with the precision that matters at their size.
 *
 * @example
 * formatMs(3.14159) // '3.14'
 * formatMs(4696.2)  // '4,696'
 */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value < 1) return value.toFixed(3);
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return integer(value);
}
