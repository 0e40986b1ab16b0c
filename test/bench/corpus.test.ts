import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArticleFile } from '../../src/ingest/corpus.ts';
import { copyId, corpusCopies, fileCopyId, loadCorpus, paragraphTexts, writeCorpusCopies } from '../../src/bench/corpus.ts';
import { makeArticle } from '../helpers.ts';
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

describe('corpusCopies', () => {
  it('gives the articles of loadCorpus ×scale, in its order, a copy at a time', async () => {
    await withCorpus(async (path) => {
      const base = (await loadCorpus(path, 1)).articles;
      const copies = [...corpusCopies(base, 3)];
      expect(copies).toHaveLength(3);
      expect(copies.flat()).toEqual((await loadCorpus(path, 3)).articles);
    });
  });
});

describe('fileCopyId', () => {
  it('keeps the id of the first copy and gives the others a suffix valid in an article id', () => {
    expect(fileCopyId('wire-1', 0)).toBe('wire-1');
    expect(fileCopyId('wire-1', 3)).toBe('wire-1.copy3');
  });
});

describe('writeCorpusCopies', () => {
  it('writes the articles ×scale as JSON Lines the project reader reads back whole', async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'copies.jsonl');
      const articles = [makeArticle({ id: 'wire-1', paragraphs: ['Oil rose.', 'Dealers said so.'] }), makeArticle({ id: 'wire-2', paragraphs: ['Wheat fell.'] })];
      expect(await writeCorpusCopies(path, articles, 2)).toEqual({ articles: 4, paragraphs: 6 });
      const read = await readArticleFile(path);
      expect(read.map((article) => article.id)).toEqual(['wire-1', 'wire-2', 'wire-1.copy1', 'wire-2.copy1']);
      expect(read[2]).toEqual({ ...articles[0], id: 'wire-1.copy1' });
    } finally {
      await dir.cleanup();
    }
  });

  it('refuses a copy whose id another article already has', async () => {
    const dir = await tempDir();
    try {
      const articles = [makeArticle({ id: 'wire-1', paragraphs: ['Oil rose.'] }), makeArticle({ id: 'wire-1.copy1', paragraphs: ['Wheat fell.'] })];
      await expect(writeCorpusCopies(join(dir.path, 'copies.jsonl'), articles, 2)).rejects.toThrow(/"wire-1.copy1": that id is taken/);
    } finally {
      await dir.cleanup();
    }
  });
});
