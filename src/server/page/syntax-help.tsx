/**
 * @module server/page/syntax-help
 * The short help on the query language (SPEC §4) shown under the search box.
 */
import type { FC } from 'hono/jsx';

/** One line of the help: an example query and what it finds. */
type SyntaxExample = { query: string; meaning: string };

/** The examples, in the order of SPEC §4; each finds something in the shipped seed article (a test checks). */
export const SYNTAX_EXAMPLES: readonly SyntaxExample[] = [
  { query: 'gaza truce', meaning: 'paragraphs with every word (in the paragraph or its title); also gaza AND truce, +gaza +truce' },
  { query: '"four-day truce"', meaning: 'the exact phrase' },
  { query: '"war"', meaning: 'one quoted word: that exact form (not wars)' },
  { query: '"hamas haniyeh"~3', meaning: 'the words in order, at most 3 others between them' },
  { query: 'iran OR qatar', meaning: 'either word (also ||); group with ( … )' },
  { query: 'truce NOT israel', meaning: 'leave out paragraphs with a word, "phrase" or group (also -israel, !israel)' },
  { query: 'hamas w/5 haniyeh', meaning: 'within 5 words of each other, either order' },
  { query: 'truce pre/3 war', meaning: 'truce first, war at most 3 words after it' },
  { query: 'israel w/s support', meaning: 'in the same sentence' },
  { query: 'cease*', meaning: 'words starting with cease' },
  { query: 'pal*ian', meaning: 'wildcards inside a word: * any letters, ? one letter' },
  { query: 'haniya~', meaning: 'spelled about like it (haniya~1: one edit at most)' },
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
    <p>
      Words match other forms (talks finds talk), case and accents aside. Operators are upper case: and, or, not are words. When no
      paragraph holds three or more words together, those holding most of them are shown.
    </p>
  </details>
);
