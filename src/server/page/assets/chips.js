/**
 * @module assets/chips
 * The filters in force, above the results: one removable chip per source and one for the date
 * range (however it was set: the date fields or a click on the chart), and "Clear all". Each
 * chip is a link to the same search without it, so removing one is a navigation like any other
 * and back undoes it.
 */
import { formatDate, h } from './dom.js';
import { urlOf, withChanges } from './state.js';

/** Matches a day `YYYY-MM-DD`, capturing year, month and day. */
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Fills `container` with the chips of `state`; hides it when no filter is in force.
 *
 * @param {HTMLElement} container
 * @param {import('./state.js').PageState} state
 */
export function renderChips(container, state) {
  const chips = state.sources.map((source) =>
    chip('Source', source, withChanges(state, { sources: state.sources.filter((other) => other !== source), page: 1 }), `Remove the source filter ${source}`),
  );
  const dates = describeDates(state.from, state.to);
  if (dates !== null) chips.push(chip('Dates', dates, withChanges(state, { from: '', to: '', page: 1 }), `Remove the date filter ${dates}`));
  container.hidden = chips.length === 0;
  if (chips.length === 0) return container.replaceChildren();
  container.replaceChildren(
    h('span', { class: 'chips-label' }, 'Filters:'),
    ...chips,
    h('a', { class: 'chips-clear', href: urlOf(withChanges(state, { sources: [], from: '', to: '', page: 1 })) }, 'Clear all'),
  );
}

/**
 * @param {string} kind
 * @param {string} value
 * @param {import('./state.js').PageState} without the state with this filter removed
 * @param {string} label what the link does, for screen readers
 */
function chip(kind, value, without, label) {
  return h(
    'a',
    { class: 'chip', href: urlOf(without), 'aria-label': label, title: label },
    h('span', { class: 'chip-kind' }, `${kind}: `),
    h('span', { class: 'chip-value' }, value),
    h('span', { class: 'chip-remove', 'aria-hidden': 'true' }, '×'),
  );
}

/**
 * A date range in words: "Mar 2023" for a whole month, "2023" for a whole year, "from 1 Mar
 * 2023", "until 31 Mar 2023", "1 Mar 2023 – 15 Apr 2023"; `null` when there is none.
 *
 * @param {string} from first day `YYYY-MM-DD`, or ''
 * @param {string} to last day `YYYY-MM-DD`, or ''
 * @returns {string | null}
 */
export function describeDates(from, to) {
  if (!from && !to) return null;
  const first = formatDate(from) ?? from;
  const last = formatDate(to) ?? to;
  if (!from) return `until ${last}`;
  if (!to) return `from ${first}`;
  if (from === to) return first;
  const start = DAY_RE.exec(from);
  const end = DAY_RE.exec(to);
  if (start && end && start[1] === end[1] && start[3] === '01') {
    const lastDay = new Date(Date.UTC(Number(end[1]), Number(end[2]), 0)).getUTCDate();
    if (start[2] === '01' && end[2] === '12' && Number(end[3]) === 31) return start[1] ?? from;
    if (start[2] === end[2] && Number(end[3]) === lastDay) {
      return new Date(Date.UTC(Number(start[1]), Number(start[2]) - 1, 1)).toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
    }
  }
  return `${first} – ${last}`;
}
