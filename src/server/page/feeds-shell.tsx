/**
 * @module server/page/feeds-shell
 * The feeds view (SPEC §11, §7): `GET /subscriptions`, a small page beside the search page that
 * lists the subscribed feeds (address, title, last success, last error, last result), adds one
 * and removes one. The list is filled by `/assets/feeds.js` from `GET /feeds`; the page itself
 * holds no user data, and the script inserts every text as text.
 */
import type { FC } from 'hono/jsx';
import { Frame } from './frame.tsx';

/** The form that subscribes to a feed (`POST /feeds`). */
const AddForm: FC = () => (
  <form id="add-feed" class="feed-form" action="/feeds" method="post">
    <label for="feed-url">Feed address (RSS or Atom)</label>
    <div class="feed-row">
      <input id="feed-url" name="url" type="url" required placeholder="https://example.com/feed.xml" autocomplete="off" spellcheck={false} />
      <button type="submit">Subscribe</button>
    </div>
    <details class="feed-options">
      <summary>Options</summary>
      <label class="option">
        Check every (minutes) <input id="feed-interval" name="intervalMinutes" type="number" min={1} max={10080} step={1} placeholder="15" />
      </label>
      <label class="option">
        Write token (when the server asks for one) <input id="feed-token" name="token" type="password" autocomplete="off" />
      </label>
    </details>
    <p id="feed-status" class="feed-status" role="status"></p>
  </form>
);

/** The whole page. */
const FeedsPage: FC = () => (
  <Frame title="Feeds · News archive" styles={['/assets/feeds.css']} script="/assets/feeds.js" tagline="feeds that keep coming in" link={{ href: '/', label: 'Search' }}>
    <main id="main" class="feeds-page" tabindex={-1}>
      <h1>Feeds</h1>
      <p class="muted">
        Each feed is checked now and then; its new articles are added to the archive and can be searched at once. Removing a feed keeps the articles it brought.
      </p>
      <AddForm />
      <h2 id="feeds-heading">Subscribed</h2>
      <p id="feeds-empty" class="muted" hidden>
        No feed yet: add one above.
      </p>
      <ul id="feeds" class="feeds" aria-labelledby="feeds-heading"></ul>
    </main>
  </Frame>
);

/**
 * Renders the feeds page as an HTML document.
 *
 * @example
 * routes.get('/subscriptions', (c) => c.html(renderFeedsPage()));
 */
export function renderFeedsPage(): string {
  return `<!doctype html>${String(<FeedsPage />)}`;
}
