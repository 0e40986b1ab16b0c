/**
 * @module server/page/shell
 * The search page's HTML (SPEC §7), rendered with hono/jsx: the search form, the filter column,
 * and empty regions that `/assets/app.js` fills from the JSON API. It holds no user data, so
 * nothing on it needs escaping at render time; the script inserts all text as text.
 */
import type { FC } from 'hono/jsx';
import { SyntaxHelp } from './syntax-help.tsx';

/** The search form: query, result grouping, order and date range. */
const SearchForm: FC = () => (
  <form id="search" class="search" role="search" action="/" method="get">
    <div class="search-row">
      <label for="q" class="visually-hidden">
        Search the archive
      </label>
      <input id="q" name="q" type="search" maxlength={1000} autocomplete="off" spellcheck={false} placeholder='Search, e.g. gaza truce or "four-day truce"' />
      <button type="submit">Search</button>
    </div>
    <SyntaxHelp />
    <div class="options">
      <fieldset class="group">
        <legend>Show</legend>
        <label>
          <input type="radio" name="group" value="article" checked /> articles
        </label>
        <label>
          <input type="radio" name="group" value="paragraph" /> paragraphs
        </label>
      </fieldset>
      <label class="option">
        Order{' '}
        <select id="sort" name="sort">
          <option value="relevance">relevance</option>
          <option value="newest">newest first</option>
          <option value="oldest">oldest first</option>
        </select>
      </label>
      <label class="option">
        From <input id="from" name="from" type="date" />
      </label>
      <label class="option">
        To <input id="to" name="to" type="date" />
      </label>
    </div>
  </form>
);

/** The filter column: sources (checkboxes built from the `source` facet) and the month chart. */
const Filters: FC = () => (
  <aside id="filters" class="filters" hidden>
    <section class="panel">
      <h2>Sources</h2>
      <div id="sources" class="sources"></div>
    </section>
    <section class="panel">
      <h2>Matching paragraphs per month</h2>
      <div id="chart" class="chart"></div>
    </section>
  </aside>
);

/** What the page says before the first search. */
const Intro: FC = () => (
  <section id="intro" class="intro">
    <p id="intro-stats" class="intro-stats"></p>
    <p>
      Every article is searched paragraph by paragraph: find a quote, see where it appears, and read it in context. Try{' '}
      <a href="/?q=ceasefire">ceasefire</a>, <a href={`/?q=${encodeURIComponent('"good stage"')}`}>"good stage"</a> or{' '}
      <a href={`/?q=${encodeURIComponent('iran OR qatar')}`}>iran OR qatar</a>.
    </p>
  </section>
);

/** The whole page. */
const Page: FC = () => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>News archive search</title>
      <link rel="icon" href="data:," />
      <link rel="stylesheet" href="/assets/style.css" />
      <script type="module" src="/assets/app.js"></script>
    </head>
    <body>
      <header class="masthead">
        <a class="brand" href="/">
          News archive
        </a>
        <span class="tagline">full-text search, paragraph by paragraph</span>
      </header>
      <SearchForm />
      <main class="layout">
        <Filters />
        <section id="results" class="results" aria-live="polite">
          <Intro />
          <p id="status" class="status" role="status"></p>
          <div id="reading" class="reading" hidden></div>
          <ol id="hits" class="hits"></ol>
          <nav id="pager" class="pager" aria-label="Pages" hidden></nav>
        </section>
        <article id="reader" class="reader" hidden></article>
      </main>
      <footer class="colophon">
        Searches run on this server; nothing is loaded from elsewhere. API: <a href="/search?q=ceasefire">/search</a>,{' '}
        <a href="/stats">/stats</a>.
      </footer>
    </body>
  </html>
);

/**
 * Renders the page as an HTML document.
 *
 * @example
 * app.get('/', (c) => c.html(renderPage()));
 */
export function renderPage(): string {
  return `<!doctype html>${String(<Page />)}`;
}
