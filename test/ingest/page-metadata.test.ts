import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { joinNames, jsonLdArticle, metadataByline, metaValues } from '../../src/ingest/page-metadata.ts';

const documentOf = (head: string): Document => parseHTML(`<!DOCTYPE html><html><head>${head}</head><body></body></html>`).document;
const jsonLd = (value: unknown): string => `<script type="application/ld+json">${JSON.stringify(value)}</script>`;
const NO_JSON_LD = { datePublished: null, authors: [] };

describe('jsonLdArticle', () => {
  it('reads datePublished and author names from an article in a @graph, skipping broken blocks', () => {
    const document = documentOf(
      '<script type="application/ld+json">{ broken</script>' +
        jsonLd({ '@graph': [{ '@type': 'WebPage' }, { '@type': 'NewsArticle', datePublished: '2024-05-02T06:00:00Z', author: [{ '@type': 'Person', name: 'Maria Santos' }, { name: ' Kofi  Mensah ' }] }] }),
    );
    expect(jsonLdArticle(document)).toEqual({ datePublished: '2024-05-02T06:00:00Z', authors: ['Maria Santos', 'Kofi Mensah'] });
  });

  it('reads an author given as a string and skips one given as a link', () => {
    expect(jsonLdArticle(documentOf(jsonLd({ author: 'Ann Lee' }))).authors).toEqual(['Ann Lee']);
    expect(jsonLdArticle(documentOf(jsonLd({ author: 'https://news.example/staff/ann' }))).authors).toEqual([]);
  });
});

describe('metadataByline', () => {
  it('prefers JSON-LD authors, then the author meta, skipping links and the site crediting itself', () => {
    expect(metadataByline(new Map([['author', 'Desk']]), { datePublished: null, authors: ['Ann Lee', 'Jan Smit'] }, null)).toBe('Ann Lee and Jan Smit');
    const meta = metaValues(documentOf('<meta name="author" content="Lowlands Daily"><meta property="article:author" content="https://facebook.example/ann"><meta name="parsely-author" content="Ann Lee">'));
    expect(metadataByline(meta, NO_JSON_LD, 'Lowlands Daily')).toBe('Ann Lee');
    expect(metadataByline(new Map(), NO_JSON_LD, null)).toBeNull();
    expect(metadataByline(new Map([['author', 'Ann Lee']]), { datePublished: null, authors: ['Harbour Post'] }, 'Harbour Post')).toBe('Ann Lee');
  });
});

describe('joinNames', () => {
  it('writes one, two and more names as a byline does', () => {
    expect(joinNames(['A'])).toBe('A');
    expect(joinNames(['A', 'B'])).toBe('A and B');
    expect(joinNames(['A', 'B', 'C'])).toBe('A, B and C');
  });
});
