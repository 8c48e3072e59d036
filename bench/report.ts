/**
 * The numbers a run produces and how they are judged and printed. Pure functions: the harness
 * collects, this module decides and formats (and is unit-tested).
 */

export type ScenarioName = 'home' | 'category' | 'book' | 'search' | 'books-last-page' | 'cart' | 'checkout' | 'admin-dashboard';

export interface Measurement {
  scenario: ScenarioName | 'yardstick';
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts, responses ≥ 400, broken request sequences and wrong answers. */
  errors: number;
  statusCounts: Record<string, number>;
  /** CPU time the server process spent per request (user + system): steadier than req/s on a busy machine. */
  cpuMsPerRequest?: number;
  /** The store's peak RSS (VmHWM) so far, read when this measurement ended: shows which scenario raised it. */
  peakRssMb?: number;
  /** Checkout only: orders confirmed by the redirect to the order page. */
  orders?: number;
  ordersPerSecond?: number;
  /** Why the errors were counted, for the log (first few only). */
  problems?: string[];
}

export interface Target {
  /** What the issue asks for, in words for the table. */
  label: string;
  met: boolean;
}

/** Connections at which the issue's targets are defined. */
export const TARGET_CONNECTIONS = 50;

const RATIO_TARGETS: Partial<Record<ScenarioName, number>> = {
  home: 0.5,
  category: 0.5,
  book: 0.5,
  search: 0.25,
  'books-last-page': 0.25,
  cart: 0.2,
};
const P99_TARGET_MS: Partial<Record<ScenarioName, number>> = { home: 50, category: 50, book: 50 };
export const ORDERS_PER_SECOND_TARGET = 100;
export const PEAK_RSS_TARGET_MB = 150;
export const READY_TARGET_MS = 2000;

export function ratio(value: number, yardstick: number): number {
  return yardstick > 0 ? value / yardstick : 0;
}

/** The issue's target for one scenario at one connection level, or null where it sets none. */
export function targetFor(m: Measurement, yardstickRps: number): Target | null {
  if (m.scenario === 'yardstick' || m.connections !== TARGET_CONNECTIONS) return null;
  if (m.scenario === 'checkout') {
    const rate = m.ordersPerSecond ?? 0;
    return { label: `≥ ${ORDERS_PER_SECOND_TARGET} orders/s`, met: rate >= ORDERS_PER_SECOND_TARGET };
  }
  const minRatio = RATIO_TARGETS[m.scenario];
  if (minRatio === undefined) return null;
  const maxP99 = P99_TARGET_MS[m.scenario];
  const ratioMet = ratio(m.requestsPerSecond, yardstickRps) >= minRatio;
  if (maxP99 === undefined) return { label: `≥ ${minRatio}×`, met: ratioMet };
  return { label: `≥ ${minRatio}×, p99 < ${maxP99} ms`, met: ratioMet && m.p99Ms < maxP99 };
}

export interface ProcessFacts {
  peakRssMb: number;
  firstStartMs: number;
  readyMs: number;
  /** RSS (VmRSS) just after the second start answered ready, and after the warm-up: what the peak grew from. */
  rssReadyMb?: number;
  rssWarmMb?: number;
  /** Where the peak was reached: 'start', 'warm-up' or '<scenario> at <n> connections'. */
  peakDuring?: string;
}

/**
 * Where a run's peak RSS was first reached, from the VmHWM read at ready, after the warm-up (absent
 * without one) and after each measurement, in that order.
 */
export function peakReachedDuring(peakRssMb: number, atReadyMb: number, afterWarmupMb: number | undefined, measurements: Measurement[]): string {
  if (atReadyMb >= peakRssMb) return 'start';
  if (afterWarmupMb !== undefined && afterWarmupMb >= peakRssMb) return 'warm-up';
  const first = measurements.find((m) => m.scenario !== 'yardstick' && (m.peakRssMb ?? 0) >= peakRssMb);
  return first ? `${first.scenario} at ${first.connections} connections` : 'the end of the run';
}

/** The line that tells the memory story: RSS at ready and after the warm-up, and the peak with where it was reached. */
export function memoryLine(p: ProcessFacts): string {
  const parts = [
    p.rssReadyMb !== undefined ? `${p.rssReadyMb.toFixed(1)} MB at ready` : null,
    p.rssWarmMb !== undefined ? `${p.rssWarmMb.toFixed(1)} MB after the warm-up` : null,
    `peak ${p.peakRssMb.toFixed(1)} MB${p.peakDuring ? ` (reached during ${p.peakDuring})` : ''}`,
  ];
  return `RSS: ${parts.filter(Boolean).join(', ')}`;
}

export function processTargets(p: ProcessFacts): Array<Target & { value: string }> {
  return [
    { label: `peak RSS < ${PEAK_RSS_TARGET_MB} MB`, value: `${p.peakRssMb.toFixed(1)} MB`, met: p.peakRssMb < PEAK_RSS_TARGET_MB },
    { label: `start to ready < ${READY_TARGET_MS} ms (database exists)`, value: `${Math.round(p.readyMs)} ms`, met: p.readyMs < READY_TARGET_MS },
  ];
}

export interface Row {
  scenario: string;
  connections: number;
  rps: string;
  ratio: string;
  p50: string;
  p99: string;
  cpu: string;
  peakRss: string;
  errors: string;
  extra: string;
  target: string;
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

export function rowFor(m: Measurement, yardstickRps: number): Row {
  const target = targetFor(m, yardstickRps);
  return {
    scenario: m.scenario,
    connections: m.connections,
    rps: fixed(m.requestsPerSecond, 0),
    ratio: m.scenario === 'yardstick' ? '1.00×' : `${fixed(ratio(m.requestsPerSecond, yardstickRps), 2)}×`,
    p50: fixed(m.p50Ms, 1),
    p99: fixed(m.p99Ms, 1),
    cpu: m.cpuMsPerRequest === undefined ? '' : fixed(m.cpuMsPerRequest, 2),
    peakRss: m.peakRssMb === undefined ? '' : fixed(m.peakRssMb, 0),
    errors: String(m.errors),
    extra: m.ordersPerSecond !== undefined ? `${fixed(m.ordersPerSecond, 0)} orders/s` : '',
    target: target ? `${target.met ? 'met' : 'MISSED'} (${target.label})` : '',
  };
}

const COLUMNS: Array<[keyof Row, string, 'left' | 'right']> = [
  ['scenario', 'scenario', 'left'],
  ['connections', 'conns', 'right'],
  ['rps', 'req/s', 'right'],
  ['ratio', 'vs hello', 'right'],
  ['p50', 'p50 ms', 'right'],
  ['p99', 'p99 ms', 'right'],
  ['cpu', 'CPU ms/req', 'right'],
  ['peakRss', 'peak MB', 'right'],
  ['errors', 'errors', 'right'],
  ['extra', '', 'left'],
  ['target', 'target at 50 conns', 'left'],
];

/** A Markdown table (readable as plain text too), columns padded to their widest cell. */
export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => COLUMNS.map(([key]) => String(r[key])));
  const widths = COLUMNS.map(([, title], i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const pad = (text: string, i: number) => (COLUMNS[i][2] === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = (values: string[]) => `| ${values.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (COLUMNS[i][2] === 'right' ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(COLUMNS.map(([, title]) => title)), rule, ...cells.map(line)].join('\n');
}

/** Peak resident memory (VmHWM) from /proc/<pid>/status, in MB. */
export function peakRssMbFrom(status: string): number | null {
  return statusMb(status, 'VmHWM');
}

/** Resident memory now (VmRSS) from /proc/<pid>/status, in MB. */
export function rssMbFrom(status: string): number | null {
  return statusMb(status, 'VmRSS');
}

function statusMb(status: string, field: 'VmHWM' | 'VmRSS'): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : null;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; `ticksPerSecond` is USER_HZ. */
export function cpuSecondsFrom(stat: string, ticksPerSecond = 100): number | null {
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / ticksPerSecond : null;
}
