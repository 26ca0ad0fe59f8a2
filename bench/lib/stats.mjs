// Latency histogram and summary helpers shared by the benchmark worker and
// the report. The histogram is log-bucketed (about 2% wide) so a cell of
// millions of operations records latencies in fixed memory.

const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Smallest latency told apart: 1 µs (values are in ms). */
const FLOOR_MS = 0.001;
const BUCKETS = 1200; // 1 µs * 1.02^1200 is far beyond any cell's length

export class Histogram {
  constructor() {
    this.counts = new Float64Array(BUCKETS);
    this.total = 0;
  }

  /** @param {number} ms */
  record(ms) {
    let i = ms <= FLOOR_MS ? 0 : Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    this.total++;
  }

  /**
   * The latency (ms, bucket upper edge) below which `q` of the samples fall.
   * @param {number} q 0..1
   */
  quantile(q) {
    if (this.total === 0) return NaN;
    const want = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= want) return FLOOR_MS * GROWTH ** i;
    }
    return FLOOR_MS * GROWTH ** (BUCKETS - 1);
  }
}

/** @param {number[]} xs */
export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** @param {number[]} xs @returns {{ median: number, min: number, max: number, n: number }} */
export function summarize(xs) {
  const s = xs.filter((x) => Number.isFinite(x));
  return { median: median(s), min: s.length ? Math.min(...s) : NaN, max: s.length ? Math.max(...s) : NaN, n: s.length };
}

/** Compact number: 123456 -> "123k", 1234567 -> "1.23M". */
export function fmtCount(x) {
  if (!Number.isFinite(x)) return '–';
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e7 ? 1 : 2)}M`;
  if (x >= 1e4) return `${Math.round(x / 1e3)}k`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/** Fixed significant digits for small measurements (µs, ms, MB/s). */
export function fmtNum(x, digits = 3) {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  if (Math.abs(x) >= 10 ** digits) return Math.round(x).toString();
  return Number(x.toPrecision(digits)).toString();
}

/** "123k (118k–130k)" from a summary, with the given formatter. */
export function fmtRange(s, fmt = fmtCount) {
  if (!s || !Number.isFinite(s.median)) return '–';
  if (s.n < 2) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}
