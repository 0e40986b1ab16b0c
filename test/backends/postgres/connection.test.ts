/**
 * PostgreSQL failures as our error codes.
 */
import { describe, expect, it } from 'vitest';
import { createError, isServiceError } from '../../../src/errors.ts';
import { translateError } from '../../../src/backends/postgres/connection.ts';

function codeOf(error: unknown): string | undefined {
  return isServiceError(error) ? error.code : undefined;
}

describe('translateError', () => {
  it('turns a full disk (SQLSTATE 53100) into insufficient_storage', () => {
    const error = translateError(Object.assign(new Error('could not extend file: No space left on device'), { code: '53100' }));
    expect(codeOf(error)).toBe('insufficient_storage');
  });

  it('turns a cancelled search and text PostgreSQL cannot store into bad_request', () => {
    expect(codeOf(translateError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })))).toBe('bad_request');
    expect(codeOf(translateError(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' })))).toBe('bad_request');
  });

  it('passes other failures and our own errors through unchanged', () => {
    const other = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    expect(translateError(other)).toBe(other);
    const ours = createError('not_found', 'article "x" is unknown');
    expect(translateError(ours)).toBe(ours);
  });
});
