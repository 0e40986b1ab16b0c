/**
 * @module assets/feeds
 * The feeds view (`/subscriptions`): lists the subscribed feeds from `GET /feeds`, subscribes
 * with `POST /feeds` and unsubscribes with `DELETE /feeds/:id`. Every text from the API enters
 * the page as text (`dom.js`); failures are said in plain words.
 */
import { getJson, requestJson } from './api.js';
import { h, plural } from './dom.js';

/** Dates and times as "2 Dec 2026, 04:39", in the reader's time zone. */
const WHEN = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** @param {string | null | undefined} iso */
function when(iso) {
  const time = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(time) ? 'never' : WHEN.format(time);
}

/**
 * What the last successful check brought, in words.
 *
 * @param {{ created: number, updated: number, unchanged: number, skipped?: number, notModified?: boolean } | null} result
 */
function resultText(result) {
  if (result === null) return 'not checked yet';
  if (result.notModified) return 'nothing new (the feed had not changed)';
  const parts = [`${plural(result.created, 'new article')}`, `${result.updated} updated`, `${result.unchanged} unchanged`];
  if (result.skipped) parts.push(`${plural(result.skipped, 'item')} skipped`);
  return parts.join(', ');
}

/**
 * A failed write in plain words.
 *
 * @param {{ code: string, message: string, status: number }} failure
 * @param {string} action what was tried, e.g. "subscribe"
 */
function failureText(failure, action) {
  if (failure.code === 'unauthorized') return `Could not ${action}: this server needs a write token. Enter it under Options.`;
  if (failure.code === 'writes_disabled') return `Could not ${action}: this server does not accept changes.`;
  if (failure.code === 'unreachable') return `Could not ${action}: the server did not answer. Try again.`;
  return `Could not ${action}: ${failure.message}`;
}

const list = /** @type {HTMLUListElement} */ (document.getElementById('feeds'));
const empty = /** @type {HTMLElement} */ (document.getElementById('feeds-empty'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('add-feed'));
const urlInput = /** @type {HTMLInputElement} */ (document.getElementById('feed-url'));
const intervalInput = /** @type {HTMLInputElement} */ (document.getElementById('feed-interval'));
const tokenInput = /** @type {HTMLInputElement} */ (document.getElementById('feed-token'));
const status = /** @type {HTMLElement} */ (document.getElementById('feed-status'));
const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));

/**
 * Says `text` in the status line; `error` styles it as a failure.
 *
 * @param {string} text
 * @param {boolean} [error]
 */
function say(text, error = false) {
  status.textContent = text;
  status.classList.toggle('error', error);
}

/** Headers of a write: JSON, and the token when one was entered. */
function writeHeaders() {
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (tokenInput.value.trim() !== '') headers.Authorization = `Bearer ${tokenInput.value.trim()}`;
  return headers;
}

/**
 * Sends a write and reads its answer as `api.js` does.
 *
 * @param {string} path
 * @param {RequestInit} init
 */
async function write(path, init) {
  return requestJson(path, { ...init, headers: writeHeaders() });
}

/**
 * One feed of the list.
 *
 * @param {any} feed a subscription from `GET /feeds`
 */
function feedItem(feed) {
  const name = feed.title || feed.url;
  const link = /^https?:\/\//i.test(feed.url) ? h('a', { class: 'feed-url', href: feed.url, rel: 'noopener noreferrer' }, feed.url) : h('span', { class: 'feed-url' }, feed.url);
  const remove = h('button', { class: 'feed-remove', type: 'button', 'aria-label': `Remove ${name}` }, 'Remove');
  remove.addEventListener('click', () => void unsubscribe(feed.id, name, remove));
  const facts = `Checked every ${plural(feed.intervalMinutes, 'minute')} · last success: ${when(feed.lastSuccess)} · last result: ${resultText(feed.lastResult)}`;
  return h(
    'li',
    { class: 'feed', 'data-id': feed.id },
    h('div', {}, h('h3', { class: 'feed-title' }, name), link),
    remove,
    h('p', { class: 'feed-facts' }, facts),
    feed.lastError ? h('p', { class: 'feed-error' }, `Last error (${when(feed.lastError.at)}): ${feed.lastError.message}`) : null,
  );
}

/** Loads and shows the list. */
async function load() {
  /** @type {import('./api.js').ApiResult<{ feeds: any[] }>} */
  const answer = await getJson('/feeds');
  if (!answer.ok) {
    say(answer.code === 'unreachable' ? 'The server did not answer: the feeds could not be listed.' : `The feeds could not be listed: ${answer.message}`, true);
    return;
  }
  list.replaceChildren(...answer.value.feeds.map(feedItem));
  empty.hidden = answer.value.feeds.length > 0;
}

/**
 * @param {string} id
 * @param {string} name
 * @param {HTMLButtonElement} button
 */
async function unsubscribe(id, name, button) {
  button.disabled = true;
  const answer = await write(`/feeds/${encodeURIComponent(id)}`, { method: 'DELETE' });
  button.disabled = false;
  if (!answer.ok && answer.status !== 404) {
    say(failureText(answer, `remove ${name}`), true);
    return;
  }
  say(`Removed ${name}. The articles it brought stay in the archive.`);
  await load();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const url = urlInput.value.trim();
  if (url === '') return;
  /** @type {{ url: string, intervalMinutes?: number }} */
  const body = { url };
  if (intervalInput.value !== '') body.intervalMinutes = Number(intervalInput.value);
  submit.disabled = true;
  say(`Fetching ${url}…`);
  const answer = await write('/feeds', { method: 'POST', body: JSON.stringify(body) });
  submit.disabled = false;
  if (!answer.ok) {
    say(failureText(answer, 'subscribe'), true);
    return;
  }
  const feed = answer.value;
  const name = feed.title || feed.url;
  say(answer.status === 201 ? `Subscribed to ${name}: ${resultText(feed.lastResult)}.` : `Already subscribed to ${name}.`);
  urlInput.value = '';
  await load();
});

void load();
