/**
 * The PostgreSQL backend's `/stats` counts: those of a library holding the same articles, and the database's size.
 */
import { describe, expect, it } from 'vitest';
import { libraryCounts } from '../../../src/backends/embedded/library.ts';
import { libraryOf, makeArticle, readSeed } from '../../helpers.ts';
import { useFreshBackend } from './database.ts';

const fresh = useFreshBackend();

describe('stats', () => {
  it('counts articles, paragraphs, stems and sources as the embedded backend does', async () => {
    const articles = [await readSeed(), makeArticle({ id: 'b', source: null, paragraphs: ['One.', 'Two.'] }), makeArticle({ id: 'c', paragraphs: ['Three talks.'] })];
    await fresh.backend.putArticles(articles);
    const stats = await fresh.backend.stats();
    const { backend: about, ...counts } = stats;
    expect(counts).toEqual(libraryCounts(libraryOf(articles)));
    expect(about.name).toBe('postgres');
    expect(about.databaseBytes).toBeGreaterThan(0);
  });
});
