/**
 * @module backends/postgres/articles
 * Reading articles back from the store of record: the article row and its paragraphs in order.
 */
import type { Article } from '../../ingest/article.ts';
import type { Queryable } from './connection.ts';

/** What a page needs of an article found by its number: its id and date. */
export type ArticleKey = { articleId: string; date: string | null };

/**
 * The statement of {@link readArticleKeys}: an index-only scan of `articles_art`, which holds
 * the id and date beside the number (migration 13), so a page's hits and their ties, often a
 * hundred articles, read no article row.
 */
export const ARTICLE_KEYS_SQL = 'SELECT art, article_id, date FROM articles WHERE art = ANY($1::int[])';

/** The id and date of the articles numbered `arts` (those that exist), by number. */
export async function readArticleKeys(client: Queryable, arts: readonly number[]): Promise<Map<number, ArticleKey>> {
  const { rows } = await client.query(ARTICLE_KEYS_SQL, [arts]);
  return new Map((rows as Array<{ art: number; article_id: string; date: string | null }>).map((row) => [row.art, { articleId: row.article_id, date: row.date }]));
}

/** The articles `ids` (those that exist), by id. */
export async function readArticles(client: Queryable, ids: readonly string[]): Promise<Map<string, Article>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query(
    `SELECT a.article_id, a.title, a.source, a.date, a.url, a.caption, a.dateline, a.byline,
       ARRAY(SELECT p.body FROM paragraphs AS p WHERE p.article_id = a.article_id ORDER BY p.n) AS paragraphs
     FROM articles AS a WHERE a.article_id = ANY($1)`,
    [ids],
  );
  const articles = new Map<string, Article>();
  for (const row of rows as Array<Record<string, unknown>>) {
    const article: Article = {
      id: String(row.article_id),
      title: String(row.title),
      source: nullableText(row.source),
      date: nullableText(row.date),
      url: nullableText(row.url),
      caption: nullableText(row.caption),
      dateline: nullableText(row.dateline),
      byline: nullableText(row.byline),
      paragraphs: (row.paragraphs as unknown[]).map(String),
    };
    articles.set(article.id, article);
  }
  return articles;
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
