import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFtsSession, ftsMatch } from '../../src/bench/sqlite.ts';
import { tempDir } from '../helpers.ts';

describe('ftsMatch', () => {
  it('quotes a word as an FTS5 string, so no word reads as an operator', () => {
    expect(ftsMatch('oil')).toBe('"oil"');
    expect(ftsMatch('NOT')).toBe('"NOT"');
    expect(ftsMatch('a"b')).toBe('"a""b"');
  });
});

describe('createFtsSession', () => {
  it('builds an FTS5 table of every paragraph, reopens it for a first query, and removes it', async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'tiny.jsonl');
      const lines = [
        { id: 'wire-1', title: 'Oil', source: 'Wire', paragraphs: ['Oil prices rose.', 'Dealers said so.'] },
        { id: 'wire-2', title: 'Wheat', source: 'Wire', paragraphs: ['Wheat fell.'] },
      ];
      await writeFile(path, lines.map((line) => JSON.stringify(line)).join('\n'));
      let collections = 0;
      const session = createFtsSession({ collect: () => collections++, progress: () => {} });
      const built = await session.build(path, 2);
      expect(built.paragraphs).toBe(6);
      expect(built.bytes).toBeGreaterThan(0);
      expect(built.sqliteVersion).toMatch(/^3\./);
      expect(collections).toBe(1);
      expect(session.reopen('prices')).toBeGreaterThanOrEqual(0);
      await session.close();
      expect(() => session.reopen('prices')).toThrow(/before it built/);
    } finally {
      await dir.cleanup();
    }
  });
});
