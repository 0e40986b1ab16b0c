/**
 * @module server/page/syntax-help
 * The short help on the query language (SPEC §4) shown under the search box.
 */
import type { FC } from 'hono/jsx';

/** One line of the help: an example query and what it finds. */
type SyntaxExample = { query: string; meaning: string };

/** The examples, in the order of SPEC §4. */
export const SYNTAX_EXAMPLES: readonly SyntaxExample[] = [
  { query: 'gaza truce', meaning: 'paragraphs with every word (in the paragraph or its title)' },
  { query: '"four-day truce"', meaning: 'the exact phrase' },
  { query: '"hamas haniyeh"~3', meaning: 'the words in order, at most 3 others between them' },
  { query: 'iran OR qatar', meaning: 'either word; group with ( … )' },
  { query: 'truce -israel', meaning: 'leave out paragraphs with a word or "phrase"' },
  { query: 'cease*', meaning: 'words starting with cease' },
  { query: 'haniya~', meaning: 'spelled about like it (haniya~2: two edits)' },
  { query: 'title:ceasefire', meaning: 'only in titles (text: only in paragraphs)' },
];

/**
 * The help, folded into a `<details>` so it costs one line until opened.
 *
 * @example
 * <SyntaxHelp />
 */
export const SyntaxHelp: FC = () => (
  <details class="syntax-help">
    <summary>Query syntax</summary>
    <table>
      <tbody>
        {SYNTAX_EXAMPLES.map(({ query, meaning }) => (
          <tr>
            <td>
              <code>{query}</code>
            </td>
            <td>{meaning}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <p>Words match other forms (talks finds talk), case and accents aside.</p>
  </details>
);
