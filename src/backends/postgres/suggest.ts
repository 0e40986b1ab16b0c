/**
 * @module backends/postgres/suggest
 * Completions of `/suggest` from the vocabulary table: words starting with the prefix, most
 * frequent first (the paragraphs holding their stem, in the field holding it most, as the
 * embedded engine counts), then alphabetically.
 */
import type { Database } from './connection.ts';
import { termKey } from './lexemes.ts';

/** Most words looked at under a prefix (engine.ts does the same): one letter would rank them all. */
const MAX_COMPLETION_TERMS = 20_000;

/** Up to `limit` words starting with `prefix`, most frequent first. */
export async function suggestWords(db: Database, prefix: string, limit: number): Promise<string[]> {
  if (prefix.length === 0 || limit <= 0) return [];
  const pattern = `${termKey(prefix).replace(/[\\%_]/g, '\\$&')}%`;
  const rows = await db.query(
    `SELECT w.word FROM (SELECT word, stem FROM words WHERE word LIKE $1 ORDER BY word LIMIT $3) AS w
     JOIN stems AS s ON s.stem = w.stem
     WHERE greatest(s.title_df, s.text_df) > 0
     ORDER BY greatest(s.title_df, s.text_df) DESC, w.word
     LIMIT $2`,
    [pattern, limit, MAX_COMPLETION_TERMS],
  );
  return (rows as Array<{ word: string }>).map((row) => row.word);
}
