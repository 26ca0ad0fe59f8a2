// The order-keeping spread over one pool's shared connections ("lanes"):
// key -> lane, barriers, held commands, dedicated and isolated commands.
// With several shared connections, commands with keys go to the lane of their
// first key, so commands on one key keep their order.
import type { Command } from '../connection/command.js';
import type { Connection } from '../connection/connection.js';
import { commandKeyIndexes, laneOf } from '../commands/keys.js';
import type { CommandSpec } from '../commands/types.js';
import { debugSpread } from '../connection/diagnostics.js';
import { ConnectionError } from '../errors.js';
import { CHUNK as PIPELINE_CHUNK } from '../pipeline.js';
import type { BasePool } from '../pool.js';
import type { Route } from './route.js';

export { laneOf };

const lanesByPool = new WeakMap<BasePool, Lanes>();

export function lanesOf(pool: BasePool): Lanes {
  let lanes = lanesByPool.get(pool);
  if (lanes === undefined) {
    lanes = new Lanes(pool);
    lanesByPool.set(pool, lanes);
  }
  return lanes;
}

const noop = (): void => {};

/** Commands in flight per open connection from which the adaptive spread considers one more. */
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
 * The order-keeping spread over one pool's shared connections ("lanes").
 * A command with keys goes to the lane its first key hashes to, so commands
 * on one key are written to one connection, which LedisDB serves in order.
 * A command whose keys span lanes, or that touches keys it does not name
 * (FLUSHDB, XSCAN, a key-less script), or that runs on a dedicated connection
 * and must not crash the shared one, is a barrier: it waits for what was
 * issued before it on the lanes it touches, and holds what is issued after it
 * until it is answered. Keyless commands (PING, INFO) go to the least busy lane.
 *
 * How many lanes are in use (`k`) is the spread's: with `spread: 'fixed'`
 * every shared connection, always. With `'adaptive'` (the default) one,
 * until the open lanes have each held at least {@link SPREAD_DEEP} commands
 * in flight for a whole 100 ms window (commands the server answers one by
 * one: a coalesced MGET counts once, however many GETs it carries, since
 * LedisDB's cost on a connection is per command it answers, and a spread of
 * a coalesced load gave no gain and cost the tail: bench/NOTES.md, issue
 * 27), after three windows at that count (a
 * queue that deep never runs dry on LedisDB's one goroutine per connection,
 * bench/NOTES.md) whose rates agree within 10% (a settled load); then one
 * more connection is opened and used, and kept only if the three windows after
 * the change answer at least 5% more commands per second than those three
 * (else it is closed again and no growth is tried for 10 s, doubled after each
 * growth in a row that did not pay, up to 320 s). When the load would have
 * fitted in one lane fewer at half that depth for 300 ms, the lanes it would
 * not fill to that depth are retired (all but one, for a light load). Changing
 * `k` moves keys between lanes, so it is a barrier over every lane: commands
 * issued after the change wait until everything issued before it is
 * answered, and per-key order holds across it. Below that depth the adaptive
 * spread is exactly one connection.
 */
export class Lanes {
  /** Commands issued while a barrier runs, sent in order when it ends; null when none runs. */
  private held: Array<() => void> | null = null;
  /** Called once no barrier holds commands (quit() waits for it). */
  private unheldWaiters: Array<() => void> = [];
  /** quit() was called and the commands held before it went out: what a barrier still holds is refused. */
  private closing = false;
  /** Lanes in use: the first `k` shared connections. */
  private k: number;
  private readonly adaptive: boolean;
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

  constructor(readonly pool: BasePool) {
    this.adaptive = pool.spread === 'adaptive' && pool.sharedCount > 1;
    this.k = this.adaptive ? 1 : pool.sharedCount;
  }

  /** The shared connection in use with the fewest commands in flight (not one still opening or being retired). */
  leastBusyInUse(): Connection {
    const n = this.active;
    const all = this.pool.sharedList;
    if (n === 1) return all[0] as Connection;
    if (n === 0 || n === all.length) return this.pool.shared();
    return leastBusy(all.slice(0, n));
  }

  /** How many shared connections are in use now. */
  get active(): number {
    return Math.min(this.k, this.pool.sharedList.length);
  }

  send(route: Route, cmd: Command, p: Promise<unknown>): void {
    if (this.held === null && !route.special && this.k === 1) {
      const conn = this.pool.sharedList[0];
      if (conn !== undefined) {
        conn.send(cmd);
        if (this.adaptive && this.timer === null && conn.wirePending >= SPREAD_DEEP) this.watch();
        return;
      }
    }
    this.route(route.spec, cmd, p);
  }

  /**
   * Sends a command already built for a bulk load (src/bulk): to the lane of
   * `key` (the command's first key; `undefined` for a keyless one, which goes
   * to the first lane), as the client's own commands on that key go, behind
   * any barrier, and counting toward the adaptive spread's depth.
   */
  sendKeyed(cmd: Command, key: unknown): void {
    if (this.held !== null) {
      this.held.push(() => this.sendKeyed(cmd, key));
      return;
    }
    if (this.refuseClosing(cmd)) return;
    const conns = this.pool.sharedList;
    const n = this.active;
    if (n === 0) {
      cmd.reject(new ConnectionError('the connection pool was disconnected', { command: cmd.name }));
      return;
    }
    const conn = (n === 1 || key === undefined ? conns[0] : conns[laneOf(key, n)]) as Connection;
    conn.send(cmd);
    if (this.adaptive && this.timer === null && conn.wirePending >= SPREAD_DEEP) this.watch();
  }

  /** Everything but the plain one-lane case. */
  private route(spec: CommandSpec, cmd: Command, p: Promise<unknown>): void {
    if (this.held !== null) {
      this.held.push(() => this.route(spec, cmd, p));
      return;
    }
    if (this.refuseClosing(cmd)) return;
    const all = this.pool.sharedList;
    const n = this.active;
    if (n === 0) {
      cmd.reject(new ConnectionError('the connection pool was disconnected', { command: cmd.name }));
      return;
    }
    const conns = n === all.length ? all : all.slice(0, n);
    if (spec.blocking === true) {
      this.blocking(spec, cmd, p, conns);
      return;
    }
    if (spec.isolate !== undefined && spec.isolate(cmd.args)) {
      const involved = n === 1 ? conns : pick(conns, this.lanes(spec, cmd.args, n, true));
      this.barrier(involved, () => this.onDedicated(spec, cmd, p));
      return;
    }
    if (n === 1) {
      (conns[0] as Connection).send(cmd);
      return;
    }
    const lanes = this.lanes(spec, cmd.args, n, false);
    if (typeof lanes === 'number') {
      (lanes < 0 ? leastBusy(conns) : (conns[lanes] as Connection)).send(cmd);
      return;
    }
    const target = conns[lanes[0] as number] as Connection;
    this.barrier(pick(conns, lanes.slice(1)), () => {
      target.send(cmd);
      return p.then(noop, noop);
    });
  }

  /** Starts sampling the lanes (the adaptive spread). */
  private watch(): void {
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
    const conns = this.pool.sharedList;
    const n = this.active;
    this.windowLaneCounts.length = n;
    for (let i = 0; i < n; i++) this.windowLaneCounts[i] = (conns[i] as Connection).replyCount;
  }

  /**
   * True when a lane in use had commands in flight and read no reply over the
   * whole window: a resize is a barrier over every lane, so it would hold every
   * caller until that lane answers. The spread changes nothing meanwhile.
   */
  private laneStalled(): boolean {
    const conns = this.pool.sharedList;
    const n = Math.min(this.active, this.windowLaneCounts.length);
    for (let i = 0; i < n; i++) {
      const c = conns[i] as Connection;
      if (c.pending > 0 && c.replyCount === this.windowLaneCounts[i]) return true;
    }
    return false;
  }

  /** Replies read so far on the open shared connections: commands answered. */
  private answered(): number {
    const conns = this.pool.sharedList;
    let sum = 0;
    for (let i = 0; i < conns.length; i++) sum += (conns[i] as Connection).replyCount;
    return sum;
  }

  /** One sample of the lanes in use; every WINDOW_SAMPLES, a judgement: grow, keep, shrink or stop watching. */
  private sample(): void {
    const conns = this.pool.sharedList;
    if (this.pool.isClosed || conns.length === 0) {
      this.unwatch();
      return;
    }
    if (this.held !== null) return;
    const n = this.active;
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
        this.resize(n - 1, `${Math.round(after)}/s after, ${Math.round(before)}/s before: no gain`);
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
      this.resize(k, `at most ${this.shallowPeak} in flight for ${SHRINK_WINDOWS} windows`);
      this.shallowWindows = 0;
      this.shallowPeak = 0;
      return;
    }
    const ceiling = Date.now() < this.ceilingUntil ? this.ceiling : Infinity;
    // Deep but nothing answered is a stalled server, not a busy one: more connections would not help.
    if (deep && rate > 0 && this.rates.length >= RATE_WINDOWS && settled(this.rates) && n < this.pool.sharedCount && n < ceiling && this.opening === null) {
      this.grow(mean(this.rates));
      return;
    }
    // One lane, not deep: stop sampling until a command finds it deep again.
    if (n === 1 && this.opening === null && !deep) this.unwatch();
  }

  /** Opens (or reuses) the next connection and starts using it once it is ready. */
  private grow(rate: number): void {
    const n = this.active;
    const conns = this.pool.sharedList;
    const next = conns.length > n ? (conns[n] as Connection) : this.pool.openShared();
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
      if (this.held !== null) return;
      this.opening = null;
      if (this.pool.sharedList[this.active] === conn) this.resize(this.active + 1, `${SPREAD_DEEP}+ in flight per connection, ${Math.round(this.probation ?? 0)}/s before`);
      else this.probation = null;
      return;
    }
    if (status === 'connecting' || status === 'connect' || status === 'wait') return;
    // It failed to connect: close it, and grow no more for a while.
    this.opening = null;
    this.probation = null;
    this.backOff(this.active);
    this.pool.retireShared(conn);
    debugSpread(conn.address, this.active + 1, this.active, `the added connection failed to connect (${status})`);
  }

  /** No growth past `lanes` for the current back-off, which doubles for the next failure (up to MAX_BACKOFF_MS). */
  private backOff(lanes: number): void {
    this.ceiling = lanes;
    this.ceilingUntil = Date.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  /** Moves to `k` lanes behind a barrier over every lane in use; a retired lane's connection is closed. */
  private resize(k: number, why: string): void {
    const n = this.active;
    if (k < 1 || k === n || this.held !== null) return;
    const conns = this.pool.sharedList.slice(0, n);
    this.barrier(conns, () => {
      this.k = k;
      debugSpread((conns[0] as Connection).address, n, k, why);
      if (k < n) for (let i = n - 1; i >= k; i--) this.pool.retireShared(conns[i] as Connection);
      // The judgement windows start after the change.
      this.resetWindow();
      this.rates = [];
      this.settling = true;
      return Promise.resolve();
    });
  }

  batch(specs: readonly CommandSpec[], argsList: readonly (readonly unknown[])[], write: (conn: Connection) => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const go = (): void => {
        if (this.held !== null) {
          this.held.push(go);
          return;
        }
        if (this.closing) {
          reject(new ConnectionError('the client is closing (quit() was called); the pipeline was not sent'));
          return;
        }
        const n = this.active;
        if (n === 0) {
          reject(new ConnectionError('the connection pool was disconnected'));
          return;
        }
        const conns = this.pool.sharedList.slice(0, n);
        let isolate = false;
        const set = new Set<number>();
        let first = -1;
        for (let i = 0; i < specs.length; i++) {
          const spec = specs[i] as CommandSpec;
          const args = argsList[i] as readonly unknown[];
          if (spec.isolate !== undefined && spec.isolate(args)) isolate = true;
          if (n > 1) {
            const l = this.lanes(spec, args, n, true);
            const list = typeof l === 'number' ? (l < 0 ? [] : [l]) : l;
            for (const lane of list) {
              if (first < 0) first = lane;
              set.add(lane);
            }
          }
        }
        if (isolate) {
          // A command of the batch may crash its handler: the whole batch runs where that costs no one else.
          this.barrier(n === 1 ? conns : pick(conns, [...set]), async () => {
            let conn: Connection;
            try {
              conn = await this.pool.getConnection('PIPELINE');
            } catch (err) {
              reject(err as Error);
              return;
            }
            try {
              await write(conn);
              resolve();
              await fence(conn);
            } catch (err) {
              reject(err as Error);
            } finally {
              this.pool.release(conn);
            }
          });
          return;
        }
        if (n === 1 || set.size <= 1) {
          const conn = n === 1 || first < 0 ? (n === 1 ? (conns[0] as Connection) : leastBusy(conns)) : (conns[first] as Connection);
          if (specs.length <= PIPELINE_CHUNK) {
            write(conn).then(resolve, reject);
            return;
          }
          // Written over several ticks (a chunk, then back-pressure): the commands issued after exec()
          // are held until its last chunk is queued, or they would overtake the rest on its keys.
          this.barrier([], () => write(conn).then(resolve, reject));
          return;
        }
        set.delete(first);
        const target = conns[first] as Connection;
        this.barrier(pick(conns, [...set]), async () => {
          try {
            await write(target);
            resolve();
          } catch (err) {
            reject(err as Error);
          }
          await fence(target);
        });
      };
      go();
    });
  }

  /**
   * The lanes of a command: a lane index, -1 for "any" (no key), or the list
   * of lanes (first key's first) when its keys span several or it touches
   * every key. `list` asks for the list form whenever there are keys.
   */
  private lanes(spec: CommandSpec, args: readonly unknown[], n: number, list: boolean): number | number[] {
    const all = spec.allKeys;
    if (all === true || (typeof all === 'function' && all(args))) {
      const every: number[] = [];
      for (let i = 0; i < n; i++) every.push(i);
      return every;
    }
    const keys = spec.keys;
    if (keys === undefined) return -1;
    if (typeof keys !== 'function' && keys[0] === keys[1]) {
      const at = keys[0];
      if (at >= args.length) return -1;
      const lane = laneOf(args[at], n);
      return list ? [lane] : lane;
    }
    const indexes = commandKeyIndexes(spec, args);
    if (indexes.length === 0) return -1;
    const first = laneOf(args[indexes[0] as number], n);
    let out: number[] | null = null;
    for (let i = 1; i < indexes.length; i++) {
      const lane = laneOf(args[indexes[i] as number], n);
      if (lane !== first && (out === null || !out.includes(lane))) (out ??= [first]).push(lane);
    }
    if (out !== null) return out;
    return list ? [first] : first;
  }

  /** Waits for what was issued before on `involved`, runs `run`, holding later commands until it settles. */
  private barrier(involved: readonly Connection[], run: () => Promise<unknown>): void {
    this.held = [];
    const waits: Promise<unknown>[] = [];
    for (const conn of involved) if (conn.pending > 0) waits.push(fence(conn));
    const start = waits.length === 0 ? Promise.resolve() : Promise.all(waits);
    start
      .then(run)
      .then(noop, noop)
      .then(() => this.release());
  }

  private release(): void {
    const queue = this.held;
    this.held = null;
    // Each re-enters send(): a new barrier among them holds the rest again, in order.
    if (queue !== null) for (const resume of queue) resume();
    if (this.held === null && this.unheldWaiters.length > 0) {
      const waiters = this.unheldWaiters;
      this.unheldWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * quit(): calls `done` (synchronously) once no barrier holds commands, so
   * the commands issued before quit() are on their connections first; those
   * issued after it, held too, are refused with a ConnectionError.
   */
  quitAfterHeld(done: () => void): void {
    if (this.held === null) {
      done();
      return;
    }
    this.held.push(() => {
      this.closing = true;
    });
    this.unheldWaiters.push(done);
  }

  /** The refusal of a command issued after quit() that a barrier held. */
  private refuseClosing(cmd: Command): boolean {
    if (!this.closing) return false;
    cmd.reject(new ConnectionError(`the client is closing (quit() was called); ${cmd.name} was not sent`, { command: cmd.name }));
    return true;
  }

  /**
   * A blocking pop: after what was issued before it on its keys' lanes, on a
   * dedicated connection. Later commands do not wait for it (it may block for
   * its whole timeout).
   */
  private blocking(spec: CommandSpec, cmd: Command, p: Promise<unknown>, conns: readonly Connection[]): void {
    const n = conns.length;
    const lanes = n === 1 ? (spec.keys === undefined ? [] : [0]) : this.lanes(spec, cmd.args, n, true);
    const involved = typeof lanes === 'number' ? [] : pick(conns, lanes).filter((c) => c.pending > 0);
    if (involved.length === 0) {
      void this.onDedicated(spec, cmd, p);
      return;
    }
    void Promise.all(involved.map(fence)).then(() => this.onDedicated(spec, cmd, p));
  }

  /** Runs a command on a dedicated connection of this pool, released once it settles. */
  private async onDedicated(spec: CommandSpec, cmd: Command, p: Promise<unknown>): Promise<void> {
    if (spec.timeoutAt !== undefined) {
      // The server may hold the reply for the command's own timeout (seconds, 0 = forever); commandTimeout counts past it.
      const at = spec.timeoutAt < 0 ? cmd.args.length + spec.timeoutAt : spec.timeoutAt;
      const seconds = Number(cmd.args[at]);
      cmd.blockMs = seconds > 0 ? seconds * 1000 : Infinity;
    }
    let conn: Connection;
    try {
      conn = await this.pool.getConnection(cmd.name);
    } catch (err) {
      cmd.reject(err as Error);
      return;
    }
    try {
      conn.send(cmd);
      await p.then(noop, noop);
    } finally {
      this.pool.release(conn);
    }
  }
}

/** Resolves once everything written to `conn` before it is answered (a PING behind it); never rejects. */
async function fence(conn: Connection): Promise<void> {
  // A connection at maxPending would refuse the PING at once, and the barrier would not wait for
  // what is in flight there: wait for room first (checked and sent in one synchronous step).
  const limit = conn.options.maxPending;
  while (conn.status === 'ready' && conn.pending >= limit) await conn.waitForRoom(limit);
  return conn.sendCommand('PING').then(noop, noop);
}

/**
 * Whether the rates of the baseline windows agree within 10%: a load still
 * ramping up (a warming JIT, callers still arriving) would make any growth
 * look like a gain.
 */
function settled(rates: readonly number[]): boolean {
  let min = Infinity;
  let max = 0;
  for (const r of rates) {
    if (r < min) min = r;
    if (r > max) max = r;
  }
  return max <= min * spreadTuning.settle;
}

/**
 * @internal How far apart (as a ratio) the baseline windows' rates may be:
 * 1.1 as shipped. Tests that need a growth on a busy 2-core machine, where
 * rates jump, set it to Infinity.
 */
export const spreadTuning = { settle: 1.1 };

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? 0 : sum / values.length;
}

function pick(conns: readonly Connection[], lanes: number | readonly number[]): Connection[] {
  if (typeof lanes === 'number') return lanes < 0 ? [] : [conns[lanes] as Connection];
  const out: Connection[] = [];
  for (const lane of lanes) out.push(conns[lane] as Connection);
  return out;
}

export function leastBusy(conns: readonly Connection[]): Connection {
  let best = conns[0] as Connection;
  let min = best.pending;
  for (let i = 1; i < conns.length; i++) {
    const c = conns[i] as Connection;
    if (c.pending < min) {
      min = c.pending;
      best = c;
    }
  }
  return best;
}
