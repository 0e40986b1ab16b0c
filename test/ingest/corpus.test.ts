import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readArticleBatch, readArticleFile, readCorpusFile } from '../../src/ingest/corpus.ts';
import { tempDir } from '../helpers.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('readArticleFile', () => {
  it('throws errors that name the file once, at the start', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    await writeFile(join(dir.path, 'bad.json'), '[{"title":"A","body":"x"},{"titel":"B","body":"y"}]');
    await writeFile(join(dir.path, 'broken.jsonl'), '{"title":"A","body":"x"}\n{"title":\n');
    await expect(readCorpusFile(dir.path, 'bad.json')).rejects.toThrow(/^bad\.json: item 2: title is required \(unknown field "titel" — did you mean "title"\?\)$/);
    await expect(readCorpusFile(dir.path, 'broken.jsonl')).rejects.toThrow(/^broken\.jsonl: line 2: not valid JSON: Unexpected end of JSON input$/);
    await expect(readCorpusFile(dir.path, 'missing.json')).rejects.toThrow(/^missing\.json: cannot be read \(ENOENT\)$/);
    await expect(readArticleFile(join(dir.path, 'notes.md'))).rejects.toThrow(new RegExp(`^${join(dir.path, 'notes.md')}: unsupported file type$`));
  });
});

describe('readArticleBatch', () => {
  it('returns the warnings of the unknown fields it ignored', async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    await writeFile(join(dir.path, 'tagged.jsonl'), '{"title":"A","body":"x","tags":["farm"]}\n');
    expect(await readArticleBatch(join(dir.path, 'tagged.jsonl'), 'tagged.jsonl')).toMatchObject({ articles: [{ title: 'A' }], warnings: ['line 1: unknown field "tags" (ignored)'] });
  });
});
