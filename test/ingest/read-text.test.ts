import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readTextArticle } from '../../src/ingest/read-text.ts';
import { readSeed, SEED_PATH } from '../helpers.ts';

describe('readTextArticle', () => {
  it('parses the seed into title, caption, eight paragraphs, url and source', async () => {
    const fields = readTextArticle(await readFile(SEED_PATH, 'utf8'));
    expect(fields?.title).toBe('Iranian foreign minister and Hamas chief meet ahead of Gaza ceasefire');
    expect(fields?.caption).toBe("Iran's Foreign Minister Hossein Amir-Abdollahian (L) holds talks with Hamas politburo chief");
    expect(fields?.paragraphs).toHaveLength(8);
    expect(fields?.paragraphs[0]?.startsWith('Doha, November 24 (RHC)--')).toBe(true);
    expect(fields?.paragraphs[7]?.endsWith('through political means.')).toBe(true);
    expect(fields?.url).toBe(
      'https://www.radiohc.cu/index.php/en/noticias/internacionales/340336-iranian-foreign-minister-and-hamaschief-meet-ahead-of-gaza-ceasefire',
    );
    expect(fields?.source).toBe('Radio Habana Cuba');
    expect(fields?.dateline).toBe('Doha, November 24 (RHC)');
  });

  it('gives the seed an id derived from its URL, the same on every read', async () => {
    const first = await readSeed();
    const second = await readSeed();
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
    expect(second.id).toBe(first.id);
  });

  it('joins wrapped lines of one paragraph and reads no caption when the second block is a sentence', () => {
    const fields = readTextArticle('Title here\n\nFirst line\nwrapped here.\n\nSecond paragraph.');
    expect(fields?.caption).toBeNull();
    expect(fields?.paragraphs).toEqual(['First line wrapped here.', 'Second paragraph.']);
    expect(fields?.url).toBeNull();
    expect(fields?.source).toBeNull();
  });

  it('keeps a short last line as a paragraph when no URL precedes it', () => {
    const fields = readTextArticle('Title\n\nBody text.\n\nSigned off');
    expect(fields?.source).toBeNull();
    expect(fields?.paragraphs).toEqual(['Body text.', 'Signed off']);
  });

  it('returns null for blank text', () => {
    expect(readTextArticle(' \n\n \n')).toBeNull();
  });
});
