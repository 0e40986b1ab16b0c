import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyId, loadCorpus, paragraphTexts } from '../../src/bench/corpus.ts';
import { tempDir } from '../helpers.ts';

const LINES = [
  { id: 'wire-1', title: 'Oil', source: 'Wire', paragraphs: ['Oil rose.', 'Dealers said so.'] },
  { id: 'wire-2', title: 'Wheat', source: 'Wire', paragraphs: ['Wheat fell.'] },
];

async function withCorpus(test: (path: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    const path = join(dir.path, 'tiny.jsonl');
    await writeFile(path, LINES.map((line) => JSON.stringify(line)).join('\n'));
    await test(path);
  } finally {
    await dir.cleanup();
  }
}

describe('copyId', () => {
  it('keeps the id of the first copy and suffixes the others', () => {
    expect(copyId('wire-1', 0)).toBe('wire-1');
    expect(copyId('wire-1', 3)).toBe('wire-1~3');
  });
});

describe('loadCorpus', () => {
  it('reads a JSON Lines corpus with the project reader', async () => {
    await withCorpus(async (path) => {
      const corpus = await loadCorpus(path, 1);
      expect(corpus.file).toBe('tiny.jsonl');
      expect(corpus.articles.map((article) => article.id)).toEqual(['wire-1', 'wire-2']);
      expect(paragraphTexts(corpus.articles)).toEqual(['Oil rose.', 'Dealers said so.', 'Wheat fell.']);
    });
  });

  it('repeats the corpus under new ids, sharing no paragraph arrays between copies', async () => {
    await withCorpus(async (path) => {
      const { articles } = await loadCorpus(path, 3);
      expect(articles.map((article) => article.id)).toEqual(['wire-1', 'wire-2', 'wire-1~1', 'wire-2~1', 'wire-1~2', 'wire-2~2']);
      expect(paragraphTexts(articles)).toHaveLength(9);
      expect(articles[0]?.paragraphs).not.toBe(articles[2]?.paragraphs);
    });
  });

  it('refuses a file of an unsupported type', async () => {
    await expect(loadCorpus('corpus.csv', 1)).rejects.toThrow(/not a corpus file/);
  });
});
