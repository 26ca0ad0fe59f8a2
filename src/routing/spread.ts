// The adaptive spread: a feedback controller that decides how many of a
// pool's shared connections are in use as lanes (src/routing/lanes.ts). It
// samples the lanes while the load is deep, and grows, keeps or shrinks them
// through the small SpreadLanes interface; the lanes keep the order.
import type { Connection } from '../connection/connection.js';
import { debugSpread } from '../connection/diagnostics.js';
import type { BasePool } from '../pool.js';

// The numbers of the controller, each stated here once (the README and the
// docstrings name them). Measured on LedisDB (bench/NOTES.md, "adaptive spread").

/**
 * Commands in flight per open connection from which one more is considered:
 * a queue that deep never runs dry on LedisDB's one goroutine per connection
 * (bench/NOTES.md).
 */
export const SPREAD_DEEP = 256;
/** How often the adaptive spread samples its lanes (ms) while it watches them. */
const SAMPLE_MS = 20;
/** Samples per judgement window (5 x 20 ms = 100 ms): growth, probation and shrink are judged per window. */
const WINDOW_SAMPLES = 5;
/** Windows averaged on each side of a growth (300 ms); the window in which the lanes change counts on neither side. */
const RATE_WINDOWS = 3;
/**
 * A grown lane is kept only if the windows after it answered this much more
 * per second than those before: a lane kept wrongly stays until the load
 * falls, one dropped wrongly is tried again after the back-off.
 */
const GROWTH_GAIN = 1.05;
/** Windows in a row the load must stay shallow before lanes are retired (300 ms). */
const SHRINK_WINDOWS = 3;
/** After a growth that did not pay, or a lane that failed to connect, no growth past the lanes kept for this long (ms). */
const GROWTH_BACKOFF_MS = 10_000;
/** Each growth in a row that did not pay doubles the wait before the next try, up to this (ms). */
const MAX_BACKOFF_MS = 320_000;

/**
 * How far apart (as a ratio) the rates of the baseline windows may be for a
 * growth: a load still ramping up (a warming JIT, callers still arriving)
 * would make any growth look like a gain. Tests on a busy machine, where
 * rates jump, pass Infinity (the `spreadSettle` tuning option).
 */
export const SETTLE = 1.1;

/** What the spread drives: the lanes of one pool. */
export interface SpreadLanes {
  readonly pool: BasePool;
  /** Lanes in use now (the first `active` shared connections). */
  readonly active: number;
  /** A barrier runs: the spread changes nothing meanwhile. */
  readonly holding: boolean;
  /** Moves to `k` lanes behind a barrier over every lane; calls `changed()` once it has. */
  resize(k: number, why: string): void;
}

/**
 * The adaptive spread of one pool (`spread: 'adaptive'`, the default): one
 * lane until the lanes in use have each held at least SPREAD_DEEP commands in
 * flight for a whole window (WINDOW_SAMPLES samples every SAMPLE_MS), counted
 * as the server answers them (Connection.wirePending: a coalesced MGET is one,
 * however many GETs it carries; LedisDB's cost per connection is per command
 * it answers, and spreading a coalesced load never paid and cost the tail:
 * bench/NOTES.md, issue 27), for
 * RATE_WINDOWS windows whose rates agree within SETTLE; then one more
 * connection is opened and used, and kept only if the RATE_WINDOWS windows
 * after the change answer GROWTH_GAIN times as many commands per second as
 * those before (else it is closed again and no growth is tried for
 * GROWTH_BACKOFF_MS, doubled after each growth in a row that did not pay, up
 * to MAX_BACKOFF_MS). When the load would have fitted in one lane fewer at
 * half that depth for SHRINK_WINDOWS windows, the lanes it would not fill to
 * that depth are retired (all but one, for a light load). Below that depth
 * the adaptive spread is exactly one connection; it samples only while a lane
 * is deep or more than one is in use.
 */
export class Spread {
  /** The adaptive spread's sampler, while it watches (a deep lane, or more than one lane). */
  private timer: NodeJS.Timeout | null = null;
  private samples = 0;
  private deepSamples = 0;
  private shallowSamples = 0;
  private shallowWindows = 0;
  /** The most commands in flight seen over the shallow windows (how many lanes the load still needs). */
  private shallowPeak = 0;
  private windowAt = 0;
  private windowPeak = 0;
  /** Replies read on the open shared connections when the window began. */
  private windowCount = 0;
  /** Replies read per lane in use when the window began (a lane with commands in flight and none read since is stalled). */
  private windowLaneCounts: number[] = [];
  /** The mean rate (commands/s) of the windows before a growth, while the windows after it are judged. */
  private probation: number | null = null;
  /** Rates (commands/s) of the last windows since the lanes in use last changed, newest last. */
  private rates: number[] = [];
  /** The lanes just changed: the next window is skipped. */
  private settling = false;
  /** No growth past `ceiling` lanes before `ceilingUntil` (ms since the epoch). */
  private ceiling = Infinity;
  private ceilingUntil = 0;
  private backoffMs = GROWTH_BACKOFF_MS;
  /** A lane opened for growth, used once it is ready. */
  private opening: Connection | null = null;

  constructor(
    private readonly lanes: SpreadLanes,
    /** The baseline windows' rates agree when max <= min * settle (SETTLE as shipped). */
    private readonly settle: number = SETTLE,
  ) {}

  /** True while the sampler runs. */
  get watching(): boolean {
    return this.timer !== null;
  }

  /** A lane in use holds SPREAD_DEEP commands or more: start sampling, if not yet. */
  deep(): void {
    if (this.timer === null) this.watch();
  }

  /** The lanes in use changed (a resize went through): the judgement windows start after it. */
  changed(): void {
    this.resetWindow();
    this.rates = [];
    this.settling = true;
  }

  /** Starts sampling the lanes. */
  watch(): void {
    this.resetWindow();
    this.shallowWindows = 0;
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  private unwatch(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.probation = null;
  }

  private resetWindow(): void {
    this.windowPeak = 0;
    this.samples = 0;
    this.deepSamples = 0;
    this.shallowSamples = 0;
    this.windowAt = performance.now();
    this.windowCount = this.answered();
    const conns = this.lanes.pool.sharedList;
    const n = this.lanes.active;
    this.windowLaneCounts.length = n;
    for (let i = 0; i < n; i++) this.windowLaneCounts[i] = (conns[i] as Connection).replyCount;
  }

  /**
   * True when a lane in use had commands in flight and read no reply over the
   * whole window: a resize is a barrier over every lane, so it would hold every
   * caller until that lane answers. The spread changes nothing meanwhile.
   */
  private laneStalled(): boolean {
    const conns = this.lanes.pool.sharedList;
    const n = Math.min(this.lanes.active, this.windowLaneCounts.length);
    for (let i = 0; i < n; i++) {
      const c = conns[i] as Connection;
      if (c.pending > 0 && c.replyCount === this.windowLaneCounts[i]) return true;
    }
    return false;
  }

  /** Replies read so far on the open shared connections: commands answered. */
  private answered(): number {
    const conns = this.lanes.pool.sharedList;
    let sum = 0;
    for (let i = 0; i < conns.length; i++) sum += (conns[i] as Connection).replyCount;
    return sum;
  }

  /** One sample of the lanes in use; every WINDOW_SAMPLES, a judgement: grow, keep, shrink or stop watching. */
  private sample(): void {
    const conns = this.lanes.pool.sharedList;
    if (this.lanes.pool.isClosed || conns.length === 0) {
      this.unwatch();
      return;
    }
    if (this.lanes.holding) return;
    const n = this.lanes.active;
    let inFlight = 0;
    let ready = true;
    for (let i = 0; i < n; i++) {
      const c = conns[i] as Connection;
      inFlight += c.wirePending;
      if (c.status !== 'ready') ready = false;
    }
    if (ready && inFlight >= n * SPREAD_DEEP) this.deepSamples++;
    if (inFlight > this.windowPeak) this.windowPeak = inFlight;
    if (inFlight < ((n - 1) * SPREAD_DEEP) / 2) this.shallowSamples++;
    if (this.opening !== null) this.checkOpening();
    if (++this.samples < WINDOW_SAMPLES) return;
    const now = performance.now();
    const count = this.answered();
    const rate = ((count - this.windowCount) * 1000) / Math.max(1, now - this.windowAt);
    const deep = this.deepSamples === this.samples;
    const shallow = this.shallowSamples === this.samples;
    const peak = this.windowPeak;
    const stalled = this.laneStalled();
    this.resetWindow();
    if (this.settling) {
      // The window the lanes changed in (a barrier drained them): not a rate of either side.
      this.settling = false;
      return;
    }
    // The baseline for a growth is the last windows that were all deep (a load still ramping up is not one);
    // after a growth, every window counts.
    if (deep || this.probation !== null) this.rates.push(rate);
    else this.rates = [];
    if (this.rates.length > RATE_WINDOWS) this.rates.shift();
    if (stalled) {
      // No resize now (a growth on probation is judged later); one lane, not deep: stop sampling.
      this.shallowWindows = 0;
      this.shallowPeak = 0;
      if (n === 1 && this.opening === null && !deep) this.unwatch();
      return;
    }
    if (this.probation !== null && this.opening === null) {
      if (this.rates.length < RATE_WINDOWS) return;
      const before = this.probation;
      this.probation = null;
      const after = mean(this.rates);
      if (!(after > before * GROWTH_GAIN)) {
        // The last lane did not pay: back to one fewer, and no growth past that for a while.
        this.backOff(n - 1);
        this.lanes.resize(n - 1, `${Math.round(after)}/s after, ${Math.round(before)}/s before: no gain`);
        return;
      }
      this.backoffMs = GROWTH_BACKOFF_MS;
      // It paid; if the lanes stayed deep all along, the next one is judged from this window.
    }
    if (shallow && n > 1) {
      this.shallowWindows++;
      if (this.shallowPeak < peak) this.shallowPeak = peak;
    } else {
      this.shallowWindows = 0;
      this.shallowPeak = 0;
    }
    if (this.shallowWindows >= SHRINK_WINDOWS) {
      // Down to the lanes the load still fills to the growth depth (one, for a light load).
      const k = Math.max(1, Math.min(n - 1, Math.ceil(this.shallowPeak / SPREAD_DEEP)));
      this.lanes.resize(k, `at most ${this.shallowPeak} in flight for ${SHRINK_WINDOWS} windows`);
      this.shallowWindows = 0;
      this.shallowPeak = 0;
      return;
    }
    const ceiling = Date.now() < this.ceilingUntil ? this.ceiling : Infinity;
    // Deep but nothing answered is a stalled server, not a busy one: more connections would not help.
    if (deep && rate > 0 && this.rates.length >= RATE_WINDOWS && settled(this.rates, this.settle) && n < this.lanes.pool.sharedCount && n < ceiling && this.opening === null) {
      this.grow(mean(this.rates));
      return;
    }
    // One lane, not deep: stop sampling until a command finds it deep again.
    if (n === 1 && this.opening === null && !deep) this.unwatch();
  }

  /** Opens (or reuses) the next connection and starts using it once it is ready; `rate` (commands/s) is the baseline it is judged against. */
  grow(rate: number): void {
    const n = this.lanes.active;
    const conns = this.lanes.pool.sharedList;
    const next = conns.length > n ? (conns[n] as Connection) : this.lanes.pool.openShared();
    if (next === null) return;
    this.opening = next;
    this.probation = rate;
    this.checkOpening();
  }

  private checkOpening(): void {
    const conn = this.opening as Connection;
    const status = conn.status;
    if (status === 'ready') {
      // Another barrier is running: try again at the next sample.
      if (this.lanes.holding) return;
      this.opening = null;
      if (this.lanes.pool.sharedList[this.lanes.active] === conn) this.lanes.resize(this.lanes.active + 1, `${SPREAD_DEEP}+ in flight per connection, ${Math.round(this.probation ?? 0)}/s before`);
      else this.probation = null;
      return;
    }
    if (status === 'connecting' || status === 'connect' || status === 'wait') return;
    // It failed to connect: close it, and grow no more for a while.
    this.opening = null;
    this.probation = null;
    this.backOff(this.lanes.active);
    this.lanes.pool.retireShared(conn);
    debugSpread(conn.address, this.lanes.active + 1, this.lanes.active, `the added connection failed to connect (${status})`);
  }

  /** No growth past `lanes` for the current back-off, which doubles for the next failure (up to MAX_BACKOFF_MS). */
  private backOff(lanes: number): void {
    this.ceiling = lanes;
    this.ceilingUntil = Date.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/** Whether the baseline windows' rates agree within `settle` (max <= min * settle). */
function settled(rates: readonly number[], settle: number): boolean {
  let min = Infinity;
  let max = 0;
  for (const r of rates) {
    if (r < min) min = r;
    if (r > max) max = r;
  }
  return max <= min * settle;
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? 0 : sum / values.length;
}
