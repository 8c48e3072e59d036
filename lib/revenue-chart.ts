import { escapeXml } from './xml';
import { formatPrice } from './money';

/** One bar: a day's label as people read it ("Nov 3") and its revenue in cents. */
export interface ChartDay {
  label: string;
  cents: number;
}

// The drawing's own coordinate space; the SVG has a viewBox and no fixed size, so it scales to its container.
const WIDTH = 720;
const HEIGHT = 260;
const LEFT = 72;
const RIGHT = 12;
const TOP = 16;
const BOTTOM = 40;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
const TARGET_TICKS = 4;
/** Every x label sits this many days from the last, so today is always labelled. */
const X_LABEL_EVERY = 7;

const BAR_FILL = '#a52834';
const AXIS_STROKE = '#6b7280';
const GRID_STROKE = '#d1d5db';
const TEXT_FILL = '#4b5563';
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

/** Revenue cannot be negative, and a bad number must not put NaN into the drawing. */
function cleanCents(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/**
 * The y axis: a step of 1, 2 or 5 × 10^n whole dollars, and enough steps to reach the highest bar.
 * All-zero data gets a $1 scale, so nothing is ever divided by zero.
 */
export function yScale(maxCents: number): { step: number; top: number } {
  const rough = Math.max(cleanCents(maxCents) / TARGET_TICKS, 100);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const top = Math.max(1, Math.ceil(cleanCents(maxCents) / step)) * step;
  return { step, top };
}

/** Whole-dollar tick labels drop the cents: "$1,500" rather than "$1,500.00". */
function tickLabel(cents: number): string {
  return formatPrice(cents).replace(/\.00$/, '');
}

const n = (value: number) => Number(value.toFixed(2)).toString();

/**
 * A bar chart of revenue per day as an inline SVG, built only from escaped text and numbers we
 * computed: no script, no style attribute (CSP would block it), no external reference. Colours
 * are presentation attributes.
 */
export function renderRevenueChart(days: readonly ChartDay[], title = 'Revenue per day'): string {
  const values = days.map((d) => cleanCents(d.cents));
  const max = values.reduce((a, b) => Math.max(a, b), 0);
  const total = values.reduce((a, b) => a + b, 0);
  const { step, top } = yScale(max);
  const slot = days.length > 0 ? PLOT_WIDTH / days.length : PLOT_WIDTH;
  const barWidth = slot * 0.7;
  const baseline = TOP + PLOT_HEIGHT;
  const y = (cents: number) => baseline - (cents / top) * PLOT_HEIGHT;

  const first = days[0]?.label ?? '';
  const last = days[days.length - 1]?.label ?? '';
  const peakIndex = values.indexOf(max);
  const summary = days.length === 0
    ? `${title}: no days to show.`
    : max === 0
      ? `${title}, ${first} to ${last}: no revenue on any day.`
      : `${title}, ${first} to ${last}: ${formatPrice(total)} in total, highest ${formatPrice(max)} on ${days[peakIndex].label}.`;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(summary)}" class="revenue-chart-svg">`,
    `<title>${escapeXml(summary)}</title>`,
  ];

  for (let tick = 0; tick <= top; tick += step) {
    const ty = n(y(tick));
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${ty}" y2="${ty}" stroke="${tick === 0 ? AXIS_STROKE : GRID_STROKE}" stroke-width="1"/>`,
      `<text x="${LEFT - 8}" y="${ty}" dy="4" text-anchor="end" fill="${TEXT_FILL}" ${FONT}>${escapeXml(tickLabel(tick))}</text>`,
    );
  }

  days.forEach((day, i) => {
    const x = LEFT + i * slot + (slot - barWidth) / 2;
    const height = (values[i] / top) * PLOT_HEIGHT;
    // A <title> per bar is the hover tooltip; inside role="img" screen readers read only the summary.
    parts.push(
      `<rect class="bar" x="${n(x)}" y="${n(baseline - height)}" width="${n(barWidth)}" height="${n(height)}" fill="${BAR_FILL}">` +
        `<title>${escapeXml(`${day.label}: ${formatPrice(values[i])}`)}</title></rect>`,
    );
    if ((days.length - 1 - i) % X_LABEL_EVERY === 0) {
      parts.push(
        `<text x="${n(x + barWidth / 2)}" y="${baseline + 20}" text-anchor="middle" fill="${TEXT_FILL}" ${FONT}>${escapeXml(day.label)}</text>`,
      );
    }
  });

  parts.push(`<line x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${baseline}" stroke="${AXIS_STROKE}" stroke-width="1"/>`, '</svg>');
  return parts.join('');
}
