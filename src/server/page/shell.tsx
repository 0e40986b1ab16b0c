/**
 * @module server/page/shell
 * The search page's HTML (SPEC §7), rendered with hono/jsx: a skip link, the search box (a
 * combobox whose completions come from `/suggest`), the results column, the filter column
 * (grouping of copies, order, sources, dates and the chart), the article reader and the provenance timeline — empty regions that
 * `/assets/app.js` fills from the JSON API. It holds no user data, so nothing on it needs
 * escaping at render time; the script inserts all text as text.
 *
 * The results come before the filters in the document, so a keyboard reaches the first result
 * in a few Tab presses and a phone shows results first; wide screens put the filters in a
 * column on the right, phones behind a "Filters" button.
 */
import type { FC } from 'hono/jsx';
import { SyntaxHelp } from './syntax-help.tsx';
import { Frame } from './frame.tsx';

/** The search form: the query box and its completions. Filters join it with `form="search"`. */
const SearchForm: FC = () => (
  <form id="search" class="search" role="search" action="/" method="get">
    <div class="search-row">
      <label for="q" class="visually-hidden">
        Search the archive
      </label>
      <div class="combobox">
        <input
          id="q"
          name="q"
          type="search"
          maxlength={1000}
          autocomplete="off"
          spellcheck={false}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded="false"
          aria-controls="suggestions"
          aria-describedby="q-hint"
          placeholder='Search, e.g. gaza truce or "four-day truce"'
        />
        <ul id="suggestions" class="suggestions" role="listbox" aria-label="Completions" hidden></ul>
      </div>
      <button type="submit">Search</button>
    </div>
    <p id="q-hint" class="visually-hidden">
      Press slash to come back here. Completions appear as you type: arrow keys to choose, Enter to search, Escape to close.
    </p>
    <SyntaxHelp />
  </form>
);

/** The results column: what was found, the filters in force, the hits, the pager, and the links to export or follow the search. */
const Results: FC = () => (
  <section id="results" class="results" tabindex={-1} aria-label="Results">
    <div class="results-bar">
      <p id="status" class="status" role="status"></p>
      <a id="trace-link" class="trace-link" href="/" hidden>
        Trace where this first appeared
      </a>
      <button id="filters-toggle" class="filters-toggle" type="button" aria-expanded="false" aria-controls="filters" hidden>
        Filters
      </button>
    </div>
    <div id="chips" class="chips" hidden></div>
    <div id="reading" class="reading" hidden></div>
    <div id="advice" class="advice" hidden></div>
    <ol id="hits" class="hits"></ol>
    <nav id="pager" class="pager" aria-label="Pages" hidden></nav>
    {/* After the hits, so that the keyboard reaches the first result first. */}
    <p id="export-links" class="export-links" hidden>
      Export{' '}
      <a data-format="csv" href="/" download>
        CSV
      </a>{' '}
      ·{' '}
      <a data-format="jsonl" href="/" download>
        JSON Lines
      </a>{' '}
      ·{' '}
      <a data-format="atom" href="/" type="application/atom+xml">
        Subscribe to this search
      </a>
    </p>
  </section>
);

/** The filter column: grouping and order, sources (from the `source` facet), dates and the chart. */
const Filters: FC = () => (
  <aside id="filters" class="filters" aria-label="Filters" hidden>
    <div class="filters-head">
      <h2>Filters</h2>
      <button id="filters-close" class="filters-close" type="button">
        Show results
      </button>
    </div>
    <section class="panel">
      <h3>Show</h3>
      <fieldset class="group">
        <legend class="visually-hidden">One result per</legend>
        <label>
          <input type="radio" name="group" value="article" form="search" checked /> articles
        </label>
        <label>
          <input type="radio" name="group" value="paragraph" form="search" /> paragraphs
        </label>
      </fieldset>
      <label class="copies-option">
        <input id="copies" type="checkbox" name="copies" value="all" form="search" aria-describedby="copies-hint" />
        <span>Show every copy of a wire story</span>
      </label>
      <p id="copies-hint" class="option-hint">
        Otherwise the copies other outlets ran are grouped under the earliest: one result per story.
      </p>
      <label class="option">
        Order{' '}
        <select id="sort" name="sort" form="search">
          <option value="relevance">relevance</option>
          <option value="newest">newest first</option>
          <option value="oldest">oldest first</option>
        </select>
      </label>
    </section>
    <section id="sources-panel" class="panel">
      <h3>Sources</h3>
      <div id="sources" class="sources"></div>
    </section>
    <section id="dates-panel" class="panel">
      <h3 id="chart-title">Matching paragraphs over time</h3>
      <div id="chart" class="chart"></div>
      <div class="dates">
        <label class="option">
          From <input id="from" name="from" type="date" form="search" />
        </label>
        <label class="option">
          To <input id="to" name="to" type="date" form="search" />
        </label>
      </div>
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
  <Frame title="News archive search" script="/assets/app.js" tagline="full-text search, paragraph by paragraph" link={{ href: '/subscriptions', label: 'Feeds' }}>
    <SearchForm />
    <main id="main" class="layout" tabindex={-1}>
      <Intro />
      <Results />
      <Filters />
      <article id="reader" class="reader" hidden></article>
      <section id="provenance" class="provenance" tabindex={-1} aria-label="Where the query first appeared" hidden></section>
    </main>
    <footer class="colophon">
      Searches run on this server; nothing is loaded from elsewhere. API: <a href="/search?q=ceasefire">/search</a>,{' '}
      <a href="/stats">/stats</a>.
    </footer>
  </Frame>
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
