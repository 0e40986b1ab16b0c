/**
 * @module assets/suggest
 * Completions for the search box, from `GET /suggest` (completions of the last word typed),
 * as an ARIA combobox: the input owns a listbox; ↓ and ↑ move through the options
 * (`aria-activedescendant`, so focus stays in the box), Enter takes the option and searches,
 * Escape closes the list, a click takes an option too. A newer keystroke aborts the request of
 * the one before, so a slow answer never shows completions of a word no longer there.
 */
import { getJson } from './api.js';
import { h } from './dom.js';

/** Waits this long after the last keystroke before asking: one request per pause, not per key. */
const DEBOUNCE_MS = 120;
/** Matches the word being typed at the end of the query (the word `/suggest` completes). */
const LAST_WORD_RE = /[\p{L}\p{N}\p{M}]+$/u;
/** Matches an operator word, which is not completed (`OR` is not the start of `organisation`). */
const OPERATOR_RE = /^(?:AND|OR|NOT)$/;

/**
 * The word to complete at the end of `input`, or `null`: none while the caret is elsewhere, nor
 * after an operator's `/` or `~` (`w/5`, `haniya~2`), nor for `AND`, `OR`, `NOT`.
 *
 * @param {HTMLInputElement} input
 * @returns {RegExpExecArray | null}
 */
function wordToComplete(input) {
  const word = LAST_WORD_RE.exec(input.value);
  if (word === null || input.selectionStart !== input.value.length) return null;
  const before = input.value[word.index - 1];
  return before === '/' || before === '~' || OPERATOR_RE.test(word[0]) ? null : word;
}

/**
 * Attaches completions to `input`, shown in `list`.
 *
 * @param {HTMLInputElement} input the search box (`role="combobox"`)
 * @param {HTMLElement} list the listbox it controls
 * @returns {{ close: () => void }} `close` hides the list and forgets a pending request
 */
export function attachCompletions(input, list) {
  /** @type {string[]} */
  let options = [];
  let active = -1;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let pending = new AbortController();

  function close() {
    clearTimeout(timer);
    pending.abort();
    options = [];
    active = -1;
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  /** @param {number} index */
  function highlight(index) {
    active = index;
    list.querySelectorAll('[role="option"]').forEach((option, at) => option.setAttribute('aria-selected', String(at === index)));
    if (index < 0) input.removeAttribute('aria-activedescendant');
    else {
      input.setAttribute('aria-activedescendant', `suggestion-${index}`);
      list.querySelector(`#suggestion-${index}`)?.scrollIntoView({ block: 'nearest' });
    }
  }

  /**
   * @param {string[]} suggestions
   * @param {string} word the word they complete, as typed
   */
  function show(suggestions, word) {
    const typed = word.toLowerCase();
    options = suggestions.filter((suggestion) => suggestion !== typed);
    active = -1;
    if (options.length === 0) return close();
    list.replaceChildren(
      ...options.map((suggestion, index) => {
        const rest = suggestion.startsWith(typed) ? suggestion.slice(typed.length) : null;
        return h(
          'li',
          { id: `suggestion-${index}`, role: 'option', class: 'suggestion', 'aria-selected': 'false' },
          rest === null ? suggestion : typed,
          rest === null ? null : h('b', {}, rest),
        );
      }),
    );
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    input.removeAttribute('aria-activedescendant');
  }

  /** Puts option `index` in place of the word being typed. */
  function accept(/** @type {number} */ index) {
    const suggestion = options[index];
    if (suggestion === undefined) return;
    const word = LAST_WORD_RE.exec(input.value);
    input.value = word === null ? input.value : `${input.value.slice(0, word.index)}${suggestion}`;
    close();
  }

  async function ask() {
    pending.abort();
    const request = new AbortController();
    pending = request;
    const word = wordToComplete(input)?.[0];
    if (word === undefined || document.activeElement !== input) return close();
    /** @type {import('./api.js').ApiResult<{ suggestions: string[] }>} */
    const result = await getJson(`/suggest?${new URLSearchParams({ q: input.value })}`, request.signal);
    // Completions are a convenience: a failure just shows none.
    if (request.signal.aborted || document.activeElement !== input) return;
    if (!result.ok) return close();
    show(result.value.suggestions, word);
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    pending.abort();
    if (wordToComplete(input) === null) return close();
    timer = setTimeout(() => void ask(), DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (event) => {
    const open = !list.hidden && options.length > 0;
    if (event.key === 'ArrowDown' && open) {
      event.preventDefault();
      highlight(active + 1 >= options.length ? 0 : active + 1);
    } else if (event.key === 'ArrowUp' && open) {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === 'Escape' && open) {
      // Closes the list only; the box keeps what was typed (a search box would clear itself).
      event.preventDefault();
      close();
    } else if (event.key === 'Enter' && open && active >= 0) {
      // Not prevented: the form submits with the completed query.
      accept(active);
    } else if (event.key === 'Tab') {
      close();
    }
  });

  input.addEventListener('blur', () => close());
  // Keeps the focus in the box while an option is clicked.
  list.addEventListener('mousedown', (event) => event.preventDefault());
  list.addEventListener('click', (event) => {
    const option = /** @type {Element} */ (event.target).closest('[role="option"]');
    if (option === null) return;
    accept(Number(option.id.replace('suggestion-', '')));
    input.form?.requestSubmit();
  });

  return { close };
}
