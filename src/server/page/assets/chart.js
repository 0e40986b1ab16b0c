/**
 * @module assets/chart
 * The bar chart of matching paragraphs per month (the `month` facet), as inline SVG. Months
 * without matches between the first and the last still get a slot, so the time axis is true
 * (a span shorter than a year is widened to one); over a long span the bars count years
 * instead. Each bar links to the search limited to its month or year.
 */
import { h, plural, svg } from './dom.js';
import { urlOf, withChanges } from './state.js';

/** A short span is widened to this many months, so a few bars still read as a timeline. */
const MIN_MONTH_BARS = 12;
/** Past this many months, one bar per year keeps bars wide enough to see and click. */
const MAX_MONTH_BARS = 60;
/** The drawing's size in SVG units; it is stretched to the column's width by CSS. */
const WIDTH = 300;
const HEIGHT = 80;

/** Matches a facet key `YYYY-MM`. */
const MONTH_RE = /^(\d{4})-(\d{2})$/;

/**
 * @typedef {{ label: string, title: string, count: number, from: string, to: string }} Bar
 */

/**
 * Fills `container` with the chart.
 *
 * @param {HTMLElement} container
 * @param {Record<string, number>} months matching paragraphs per `YYYY-MM`
 * @param {import('./state.js').PageState} state
 */
export function renderChart(container, months, state) {
  const bars = toBars(months);
  if (bars.length === 0) {
    container.replaceChildren(h('p', { class: 'muted' }, 'No dated matches.'));
    return;
  }
  const max = Math.max(...bars.map((bar) => bar.count));
  const slot = WIDTH / bars.length;
  const gap = Math.min(2, slot * 0.2);
  const drawing = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `Matching paragraphs per ${bars[0]?.label.length === 4 ? 'year' : 'month'}` });
  bars.forEach((bar, index) => {
    if (bar.count === 0) return;
    // Never thinner than 2 units: a single match must stay visible next to hundreds.
    const height = Math.max(2, (bar.count / max) * HEIGHT);
    const rect = svg('rect', { class: 'bar', x: index * slot + gap / 2, y: HEIGHT - height, width: slot - gap, height });
    const title = svg('title', {}, `${bar.title}: ${plural(bar.count, 'paragraph')}`);
    drawing.append(svg('a', { href: urlOf(withChanges(state, { from: bar.from, to: bar.to, page: 1 })) }, rect, title));
  });
  const first = bars[0];
  const last = bars[bars.length - 1];
  container.replaceChildren(
    h('p', { class: 'chart-max' }, `peak ${plural(max, 'paragraph')}`),
    drawing,
    h('div', { class: 'chart-axis' }, h('span', {}, first?.title ?? ''), bars.length > 1 ? h('span', {}, last?.title ?? '') : null),
  );
}

/**
 * The bars in time order, empty months between filled in.
 *
 * @param {Record<string, number>} months
 * @returns {Bar[]}
 */
export function toBars(months) {
  /** @type {Array<[number, number]>} year and month index (0–11) of each key */
  const keys = [];
  for (const key of Object.keys(months)) {
    const match = MONTH_RE.exec(key);
    if (match) keys.push([Number(match[1]), Number(match[2]) - 1]);
  }
  if (keys.length === 0) return [];
  const serial = keys.map(([year, month]) => year * 12 + month);
  let start = Math.min(...serial);
  let end = Math.max(...serial);
  if (end - start + 1 > MAX_MONTH_BARS) return yearBars(months, Math.floor(start / 12), Math.floor(end / 12));
  const padding = Math.max(0, MIN_MONTH_BARS - (end - start + 1));
  start -= Math.floor(padding / 2);
  end += Math.ceil(padding / 2);
  /** @type {Bar[]} */
  const bars = [];
  for (let at = start; at <= end; at += 1) {
    const year = Math.floor(at / 12);
    const month = at % 12;
    const key = `${year}-${String(month + 1).padStart(2, '0')}`;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const title = new Date(Date.UTC(year, month, 1)).toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
    bars.push({ label: key, title, count: months[key] ?? 0, from: `${key}-01`, to: `${key}-${lastDay}` });
  }
  return bars;
}

/**
 * @param {Record<string, number>} months
 * @param {number} first
 * @param {number} last
 * @returns {Bar[]}
 */
function yearBars(months, first, last) {
  const counts = new Map();
  for (const [key, count] of Object.entries(months)) counts.set(key.slice(0, 4), (counts.get(key.slice(0, 4)) ?? 0) + count);
  /** @type {Bar[]} */
  const bars = [];
  for (let year = first; year <= last; year += 1) {
    const label = String(year);
    bars.push({ label, title: label, count: counts.get(label) ?? 0, from: `${label}-01-01`, to: `${label}-12-31` });
  }
  return bars;
}
