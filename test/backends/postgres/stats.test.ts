/**
 * The PostgreSQL backend's `/stats` counts: those of a library holding the same articles, and the database's size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchBackend } from '../../../src/backends/backend.ts';
import { libraryCounts } from '../../../src/backends/embedded/library.ts';
import { libraryOf, makeArticle, readSeed } from '../../helpers.ts';
import { freshBackend } from './database.ts';

let backend: SearchBackend;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ backend, cleanup } = await freshBackend());
});
afterAll(async () => {
  await cleanup?.();
});

describe('stats', () => {
  it('counts articles, paragraphs, stems and sources as the embedded backend does', async () => {
    const articles = [await readSeed(), makeArticle({ id: 'b', source: null, paragraphs: ['One.', 'Two.'] }), makeArticle({ id: 'c', paragraphs: ['Three talks.'] })];
    await backend.putArticles(articles);
    const stats = await backend.stats();
    const { backend: about, ...counts } = stats;
    expect(counts).toEqual(libraryCounts(libraryOf(articles)));
    expect(about.name).toBe('postgres');
    expect(about.databaseBytes).toBeGreaterThan(0);
  });
});
