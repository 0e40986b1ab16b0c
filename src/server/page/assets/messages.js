/**
 * @module assets/messages
 * What the page says when something goes wrong or nothing is found, in words a reporter on
 * deadline understands. The API's own messages are written for programmers (`q must hold at
 * least one term…`); they are matched here by code and shape and never shown as they are.
 */

/**
 * @typedef {object} Failure an API failure, as `api.js` returns it
 * @property {string} code the API's error code (`bad_request`, …), `unreachable` or `http`
 * @property {string} message the API's message (for matching only)
 * @property {number} status the HTTP status (0 when the server could not be reached)
 */

/**
 * @typedef {object} PlainError
 * @property {string} text what happened and what to do, in plain words
 * @property {boolean} retry whether trying again may help (busy, unreachable, a server fault)
 */

/** Matches the API's refusal of a query with no word or phrase to find. */
const NOTHING_TO_FIND_RE = /^q must hold at least one term/;
/** Matches the refusal of a query over the length limit. */
const TOO_LONG_RE = /^q must be at most (\d+) characters/;
/** Matches the refusal of a query with too many clauses. */
const TOO_MANY_CLAUSES_RE = /^q must hold at most (\d+) terms/;
/** Matches a prefix, wildcard or fuzzy word that stands for too many words; captures the word as typed. */
const TOO_MANY_WORDS_RE = /^q: the (prefix|wildcard word|fuzzy term) "([^"]*)" matches over/;
/** Matches a query that ran out of time. */
const TOO_SLOW_RE = /^q took longer than/;
/** Matches a malformed or reversed date range. */
const DATES_RE = /^(?:from|to)\b/;

/** Plain words for each way a word of the query can stand for too many others. */
const TOO_MANY_WORDS = {
  prefix: (/** @type {string} */ word) => `“${word}” stands for too many words of the archive. Give more letters before the *.`,
  'wildcard word': (/** @type {string} */ word) => `“${word}” stands for too many words of the archive. Give more letters besides the * and ?.`,
  'fuzzy term': (/** @type {string} */ word) => `“${word}” stands for too many words of the archive. Allow fewer spelling differences (~1 instead of ~2), or leave out the ~.`,
};

/**
 * The plain-language message for a failed search.
 *
 * @param {Failure} failure
 * @returns {PlainError}
 */
export function searchError(failure) {
  if (failure.code === 'bad_request') return { text: badSearch(failure.message), retry: false };
  return commonError(failure);
}

/**
 * The plain-language message for an article that could not be opened.
 *
 * @param {Failure} failure
 * @returns {PlainError}
 */
export function articleError(failure) {
  if (failure.code === 'not_found') return { text: 'This article is not in the archive. It may have been removed, or the link is incomplete.', retry: false };
  return commonError(failure);
}

/** @param {string} message */
function badSearch(message) {
  if (NOTHING_TO_FIND_RE.test(message)) {
    return 'Add a word or phrase to look for. A search made only of exclusions (like -israel or NOT israel) finds nothing: write what the paragraphs should hold, then what to leave out, e.g. truce -israel.';
  }
  const long = TOO_LONG_RE.exec(message);
  if (long) return `The search is too long: keep it under ${Number(long[1]).toLocaleString('en')} characters.`;
  const many = TOO_MANY_CLAUSES_RE.exec(message);
  if (many) return `The search holds too many words and phrases (at most ${many[1]}). Leave some out.`;
  const words = TOO_MANY_WORDS_RE.exec(message);
  if (words) return TOO_MANY_WORDS[/** @type {keyof typeof TOO_MANY_WORDS} */ (words[1])](words[2] ?? '');
  if (TOO_SLOW_RE.test(message)) {
    return 'This search took too long to run. Narrow it: fewer very common words inside quotes, more letters before a *, fewer ~.';
  }
  if (DATES_RE.test(message)) return 'The dates are not valid. Pick a “From” day on or before the “To” day, or clear the dates.';
  return 'The search could not be read. Check the query (see “Query syntax” under the search box) and the filters.';
}

/**
 * Failures that read the same for every request.
 *
 * @param {Failure} failure
 * @returns {PlainError}
 */
function commonError({ code, status }) {
  if (code === 'unreachable') return { text: 'The archive could not be reached. Check your connection (or that the server is running) and try again.', retry: true };
  if (code === 'rate_limited' || status === 429) return { text: 'Too many searches in a short time. Wait a minute, then try again.', retry: true };
  if (code === 'unavailable' || status === 503) return { text: 'The archive is busy right now. Try again in a few seconds.', retry: true };
  if (code === 'not_found' || status === 404) return { text: 'The archive did not find what the page asked for. Start a new search.', retry: false };
  if (status >= 500) return { text: 'Something went wrong on the server. Try again; if it keeps happening, tell whoever runs the archive.', retry: true };
  return { text: `The archive could not answer (error ${status}). Try again.`, retry: true };
}

/** Matches a query of plain words only: letters, digits, apostrophes and hyphens, spaces between. */
const PLAIN_WORDS_RE = /^[\p{L}\p{N}'’-]+(?:\s+[\p{L}\p{N}'’-]+)*$/u;
/** Matches an operator word, which a plain-words suggestion must not hold. */
const OPERATOR_RE = /^(?:AND|OR|NOT)$/;

/**
 * @typedef {object} Advice one thing to try when nothing matched
 * @property {string} text what it does
 * @property {string} [query] a query to run instead (shown as a link)
 * @property {'clear'} [action] a button that removes every filter
 */

/**
 * What to try when a search found nothing, most likely to help first.
 *
 * @param {string} q the query as typed
 * @param {boolean} filtered whether sources or dates narrow the search
 * @returns {Advice[]}
 */
export function emptyAdvice(q, filtered) {
  /** @type {Advice[]} */
  const advice = [];
  const typed = q.trim();
  if (filtered) advice.push({ text: 'Search the whole archive, without the filters.', action: 'clear' });
  if (typed.includes('"')) {
    const loose = typed.replace(/"(?:~\d+)?/g, ' ').replace(/\s+/g, ' ').trim();
    if (loose !== '') advice.push({ text: 'Look for the words anywhere in the paragraph, not as an exact phrase:', query: loose });
  } else if (PLAIN_WORDS_RE.test(typed)) {
    const words = typed.split(/\s+/).filter((word) => !OPERATOR_RE.test(word));
    if (words.length === 1) advice.push({ text: 'Allow a spelling difference (names are often written several ways):', query: `${words[0]}~` });
    else if (words.length > 1) advice.push({ text: 'Find paragraphs with any of the words:', query: words.join(' OR ') });
  }
  advice.push({ text: 'Check the spelling, use fewer words, or open “Query syntax” under the search box for exact phrases, alternatives and wildcards.' });
  return advice;
}
