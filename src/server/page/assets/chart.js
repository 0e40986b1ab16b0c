/**
 * @module assets/chart
 * The bar chart of matching paragraphs over time (the `month` facet), as one inline SVG whose
 * text scales with it: a count axis with round ticks, a time axis with dated ticks, and a
 * sentence for the matches it cannot place (undated articles). Months without matches between
 * the first and the last still get a slot, so the time axis is true (a span shorter than a year
 * is widened to one); over a long span the bars count years instead. Each bar links to the
 * search narrowed to its month or year; the bars inside the dates in force are marked.
 */
import { h, plural, svg } from './dom.js';
import { urlOf, withChanges } from './state.js';

/** A short span is widened to this many months, so a few bars still read as a timeline. */
const MIN_MONTH_BARS = 12;
/** Past this many months, one bar per year keeps bars wide enough to see and click. */
const MAX_MONTH_BARS = 60;
/** The drawing's size in SVG units; it scales to the column's width, text with it. */
const WIDTH = 320;
const HEIGHT = 160;
/** The plot area inside it, but for its left edge (which makes room for the counts): room below for dates. */
const PLOT = { right: WIDTH - 4, top: 8, bottom: HEIGHT - 42 };
/** Font size of tick labels, in SVG units (about 11 px in the 17rem column, 13 px on a phone). */
const FONT = 13;
/** At most this many labelled dates under the bars: more would overlap in a narrow column. */
const MAX_TIME_TICKS = 3;
/** About how wide a digit or letter of the tick labels is, in font sizes. */
const CHAR_WIDTH = 0.6;

/** Matches a facet key `YYYY-MM`. */
const MONTH_RE = /^(\d{4})-(\d{2})$/;

/**
 * @typedef {{ label: string, title: string, count: number, from: string, to: string }} Bar
 */

/**
 * Fills `container` with the chart and the sentence on undated matches.
 *
 * @param {HTMLElement} container
 * @param {{ months: Record<string, number>, total: number }} counts matching paragraphs per `YYYY-MM`, and in all (undated ones included), dates not applied
 * @param {import('./state.js').PageState} state
 */
export function renderChart(container, { months, total }, state) {
  const bars = toBars(months);
  const dated = Object.values(months).reduce((sum, count) => sum + count, 0);
  const undated = Math.max(0, total - dated);
  const words = undatedText(undated, total, Boolean(state.from || state.to));
  if (bars.length === 0) {
    // Nothing matched at all: the empty result says so; the panel keeps only the date fields.
    container.replaceChildren(words === null ? '' : h('p', { class: 'chart-undated' }, words));
    return;
  }
  const unit = bars[0]?.label.length === 4 ? 'year' : 'month';
  const ticks = countTicks(Math.max(...bars.map((bar) => bar.count)));
  const top = ticks[ticks.length - 1] ?? 1;
  // Room for the rotated axis title, then for the longest count.
  const left = FONT * 1.8 + Math.max(...ticks.map((tick) => tick.toLocaleString('en').length)) * FONT * CHAR_WIDTH;
  const slot = (PLOT.right - left) / bars.length;
  const gap = Math.min(3, slot * 0.2);
  const y = (/** @type {number} */ count) => PLOT.bottom - (count / top) * (PLOT.bottom - PLOT.top);
  const first = bars[0]?.title ?? '';
  const last = bars[bars.length - 1]?.title ?? '';
  const drawing = svg('svg', {
    class: 'chart-svg',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'group',
    'aria-label': `Matching paragraphs per ${unit}, ${first} to ${last}. Each bar narrows the search to its ${unit}.`,
  });
  const axes = svg('g', { class: 'chart-axes', 'aria-hidden': 'true' });
  for (const tick of ticks) {
    axes.append(
      svg('line', { class: tick === 0 ? 'chart-baseline' : 'chart-grid', x1: left, x2: PLOT.right, y1: y(tick), y2: y(tick) }),
      svg('text', { class: 'chart-tick chart-count', x: left - 4, y: y(tick) + FONT * 0.35, 'text-anchor': 'end' }, tick.toLocaleString('en')),
    );
  }
  axes.append(svg('text', { class: 'chart-axis-title', transform: `translate(${FONT}, ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, 'paragraphs'));
  for (const index of timeTicks(bars.length)) {
    const bar = /** @type {Bar} */ (bars[index]);
    const x = left + (index + 0.5) * slot;
    const half = (bar.title.length * FONT * CHAR_WIDTH) / 2;
    const anchor = x - half < 0 ? 'start' : x + half > WIDTH ? 'end' : 'middle';
    const at = anchor === 'start' ? left + index * slot : anchor === 'end' ? left + (index + 1) * slot : x;
    axes.append(
      svg('line', { class: 'chart-tick-mark', x1: x, x2: x, y1: PLOT.bottom, y2: PLOT.bottom + 3 }),
      svg('text', { class: 'chart-tick chart-time', x: at, y: PLOT.bottom + 4 + FONT, 'text-anchor': anchor }, bar.title),
    );
  }
  axes.append(svg('text', { class: 'chart-axis-title', x: (left + PLOT.right) / 2, y: HEIGHT - 4, 'text-anchor': 'middle' }, `${unit} of publication`));
  drawing.append(axes);
  bars.forEach((bar, index) => {
    if (bar.count === 0) return;
    // Never thinner than 2 units: a single match must stay visible next to hundreds.
    const height = Math.max(2, PLOT.bottom - y(bar.count));
    const selected = inRange(bar, state.from, state.to);
    const rect = svg('rect', { class: selected ? 'bar is-selected' : 'bar', x: left + index * slot + gap / 2, y: PLOT.bottom - height, width: slot - gap, height });
    const label = `${bar.title}: ${plural(bar.count, 'paragraph')}`;
    const href = urlOf(withChanges(state, { from: bar.from, to: bar.to, page: 1 }));
    drawing.append(svg('a', { href, class: 'chart-bar', 'aria-label': `${label}. Show only ${bar.title}.` }, rect, svg('title', {}, label)));
  });
  container.replaceChildren(drawing, words === null ? '' : h('p', { class: 'chart-undated' }, words));
}

/**
 * What the chart leaves out, in words, or `null` when every match is dated.
 *
 * @param {number} undated matching paragraphs of articles without a date
 * @param {number} total matching paragraphs in all
 * @param {boolean} narrowed whether a date range is in force (which leaves undated articles out)
 * @returns {string | null}
 */
export function undatedText(undated, total, narrowed) {
  if (undated === 0) return null;
  const note = narrowed ? ' The date filter leaves them out of the results.' : '';
  const from = undated === 1 ? 'is from an undated article' : 'are from undated articles';
  if (undated === total) return `${undated === 1 ? 'The matching paragraph' : `All ${plural(undated, 'matching paragraph')}`} ${from}, so there is nothing to chart.${note}`;
  return `${plural(undated, 'matching paragraph')} ${from} and not in the chart.${note}`;
}

/**
 * Round counts for the count axis, from 0 to at least `max`: 0–1, 0–2, 0–5, 0–10, …, with
 * three to five ticks.
 *
 * @param {number} max
 * @returns {number[]}
 */
export function countTicks(max) {
  if (max <= 1) return [0, 1];
  if (max <= 4) return Array.from({ length: max + 1 }, (_, index) => index);
  const magnitude = 10 ** Math.floor(Math.log10(max / 4));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => Number.isInteger(candidate) && max / candidate <= 4) ?? magnitude * 10;
  const top = Math.ceil(max / step) * step;
  return Array.from({ length: top / step + 1 }, (_, index) => index * step);
}

/**
 * The bars that get a date under them: the first, the last, and evenly spaced ones between.
 *
 * @param {number} count
 * @returns {number[]}
 */
function timeTicks(count) {
  if (count <= MAX_TIME_TICKS) return Array.from({ length: count }, (_, index) => index);
  const every = Math.ceil((count - 1) / (MAX_TIME_TICKS - 1));
  const ticks = [];
  for (let index = 0; index < count - 1; index += every) ticks.push(index);
  // The last bar is labelled too, unless it would crowd the tick before it.
  if (count - 1 - (ticks[ticks.length - 1] ?? 0) >= every / 2) ticks.push(count - 1);
  return ticks;
}

/**
 * Whether the bar's span lies within the dates in force (none in force: no bar is).
 *
 * @param {Bar} bar
 * @param {string} from
 * @param {string} to
 */
function inRange(bar, from, to) {
  if (!from && !to) return false;
  return (!from || bar.from >= from) && (!to || bar.to <= to);
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
