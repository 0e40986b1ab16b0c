/**
 * @module assets/filters
 * The filter column on a phone: a sheet over the bottom of the screen, opened by a button (on a
 * wide screen it stands beside the results and the button is not displayed). And the source
 * filter: one checkbox per source in the `source` facet (how many matching
 * paragraphs each has), plus any selected source the facet no longer lists. The checkboxes
 * belong to the search form (`form="search"`), so they travel with it. With no source to list,
 * the panel holding them is hidden (by the caller) rather than saying so.
 */
import { h } from './dom.js';

/**
 * Fills `container` with the source checkboxes.
 *
 * @param {HTMLElement} container
 * @param {Record<string, number>} counts matching paragraphs per source, filters other than source applied
 * @param {string[]} selected the sources in the URL
 */
export function renderSources(container, counts, selected) {
  const chosen = new Set(selected.map((source) => source.toLowerCase()));
  const entries = Object.entries(counts);
  const listed = new Set(entries.map(([source]) => source.toLowerCase()));
  for (const source of selected) if (!listed.has(source.toLowerCase())) entries.push([source, 0]);
  entries.sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
  container.replaceChildren(
    ...entries.map(([source, count]) =>
      h(
        'label',
        { class: 'source-option' },
        h('input', { type: 'checkbox', name: 'source', value: source, form: 'search', checked: chosen.has(source.toLowerCase()) }),
        h('span', { class: 'source-name' }, source),
        h('span', { class: 'count', title: 'matching paragraphs' }, count.toLocaleString('en')),
      ),
    ),
  );
}

/**
 * Makes `sheet` open and close with `toggle` (its `aria-expanded` kept in step), and close with
 * `closer` or Escape, the focus going back to the toggle; opening puts the focus on the first
 * control inside.
 *
 * @param {HTMLElement} sheet
 * @param {HTMLButtonElement} toggle
 * @param {HTMLElement} closer
 * @returns {{ close: () => void }} closes the sheet (when the view changes)
 */
export function attachFilterSheet(sheet, toggle, closer) {
  const set = (/** @type {boolean} */ open) => {
    sheet.classList.toggle('is-open', open);
    toggle.setAttribute('aria-expanded', String(open));
  };
  const closeAndReturn = () => {
    set(false);
    toggle.focus();
  };
  toggle.addEventListener('click', () => {
    const open = !sheet.classList.contains('is-open');
    set(open);
    if (open) /** @type {HTMLElement | null} */ (sheet.querySelector('input, select'))?.focus();
  });
  closer.addEventListener('click', closeAndReturn);
  sheet.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && sheet.classList.contains('is-open')) closeAndReturn();
  });
  return { close: () => set(false) };
}
