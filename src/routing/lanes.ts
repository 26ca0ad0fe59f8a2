// The order-keeping spread over one pool's shared connections ("lanes"):
// key -> lane, barriers, held commands, dedicated and isolated commands.
// With several shared connections, commands with keys go to the lane of their
// first key, so commands on one key keep their order.
import type { Command } from '../connection/command.js';
import type { Reply } from '../protocol/parser.js';
import type { Connection } from '../connection/connection.js';
import { commandKeyIndexes, laneOf } from '../commands/keys.js';
import type { CommandSpec } from '../commands/types.js';
import { AbortError, TimeoutError, ConnectionError } from '../errors.js';
import { refusedAfterQuit } from '../connection/state.js';
import { queuedAtOnce } from '../pipeline.js';
import { inFlight, leastBusy, type BasePool } from '../pool.js';
import { TUNING } from '../connection/options.js';
import { debugSpread } from '../connection/diagnostics.js';
import { Spread, SPREAD_DEEP } from './spread.js';
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

/**
 * The connection of `key`'s lane among the first `n` of `conns` (`key`
 * undefined, a keyless command: the first): where commands on one key go,
 * so they keep their order. The client's lanes and bulk()'s fallback use it.
 */
export function laneConnection(conns: readonly Connection[], n: number, key: unknown): Connection {
  return (n === 1 || key === undefined ? conns[0] : conns[laneOf(key, n)]) as Connection;
}

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
 * every shared connection, always; with `'adaptive'` (the default) the
 * Spread of spread.ts decides, and changes it through `resize`, a barrier
 * over every lane (keys move between lanes), so per-key order holds across it.
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
  /** The adaptive spread's controller; null with `spread: 'fixed'` or one shared connection. */
  readonly spread: Spread | null;

  constructor(readonly pool: BasePool) {
    const adaptive = pool.spread === 'adaptive' && pool.sharedCount > 1;
    this.k = adaptive ? 1 : pool.sharedCount;
    this.spread = adaptive ? new Spread(this, pool.connectionOptions[TUNING]?.spreadSettle) : null;
  }

  /** The shared connection in use with the fewest commands in flight (not one still opening or being retired). */
  leastBusyInUse(): Connection {
    const n = this.active;
    const all = this.pool.sharedList;
    if (n === 1) return all[0] as Connection;
    if (n === 0 || n === all.length) return this.pool.shared();
    return leastBusy(all.slice(0, n), inFlight) as Connection;
  }

  /** A barrier runs: commands issued now are held until it ends. */
  get holding(): boolean {
    return this.held !== null;
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
        if (this.spread !== null && conn.wirePending >= SPREAD_DEEP) this.spread.deep();
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
    const n = this.admit(cmd);
    if (n < 0) (this.held as Array<() => void>).push(() => this.sendKeyed(cmd, key));
    if (n <= 0) return;
    const conn = laneConnection(this.pool.sharedList, n, key);
    conn.send(cmd);
    if (this.spread !== null && conn.wirePending >= SPREAD_DEEP) this.spread.deep();
  }

  /**
   * The lanes in use for `cmd` now; -1 while a barrier runs (the caller
   * holds it until the barrier ends); 0 when it was refused after quit() or
   * rejected for a disconnected pool.
   */
  private admit(cmd: Command): number {
    if (this.held !== null) return -1;
    if (this.refuseClosing(cmd)) return 0;
    const n = this.active;
    if (n === 0) cmd.reject(new ConnectionError('the connection pool was disconnected', { command: cmd.name }));
    return n;
  }

  /** Everything but the plain one-lane case. */
  private route(spec: CommandSpec, cmd: Command, p: Promise<unknown>): void {
    const n = this.admit(cmd);
    if (n < 0) (this.held as Array<() => void>).push(() => this.route(spec, cmd, p));
    if (n <= 0) return;
    const all = this.pool.sharedList;
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
      (lanes < 0 ? (leastBusy(conns, inFlight) as Connection) : (conns[lanes] as Connection)).send(cmd);
      return;
    }
    const target = conns[lanes[0] as number] as Connection;
    this.barrier(pick(conns, lanes.slice(1)), () => {
      target.send(cmd);
      return p.then(noop, noop);
    });
  }

  /** Moves to `k` lanes behind a barrier over every lane in use; a retired lane's connection is closed. */
  resize(k: number, why: string): void {
    const n = this.active;
    if (k < 1 || k === n || this.held !== null) return;
    const conns = this.pool.sharedList.slice(0, n);
    this.barrier(conns, () => {
      this.k = k;
      debugSpread((conns[0] as Connection).address, n, k, why);
      if (k < n) for (let i = n - 1; i >= k; i--) this.pool.retireShared(conns[i] as Connection);
      this.spread?.changed();
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
          reject(refusedAfterQuit('the client', 'the pipeline'));
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
          const conn = n === 1 || first < 0 ? (n === 1 ? (conns[0] as Connection) : (leastBusy(conns, inFlight) as Connection)) : (conns[first] as Connection);
          if (queuedAtOnce(conn, specs.length)) {
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
    cmd.reject(refusedAfterQuit('the client', cmd.name, cmd.name));
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
    let cancelled = false;
    try {
      conn.send(cmd);
      await p.then(noop, (err: unknown) => {
        // Aborted or timed out while the server holds it: the reply may still come, with an item popped.
        cancelled = cmd.written && (err instanceof AbortError || err instanceof TimeoutError);
      });
    } finally {
      if (cancelled) giveBack(cmd, conn, this.pool.detach(conn));
      else this.pool.release(conn);
    }
  }
}

/**
 * A blocking pop cancelled after it was written (withOptions signal or
 * timeout). LedisDB keeps its waiter whether or not the connection stays
 * (ledis/t_list.go lblockPop: the waiter ends only when a push to one of its
 * keys wakes it, and then pops, or at its own timeout), so the connection is
 * kept, off the pool's count, until the reply comes: an item it popped is
 * pushed back where it came from, at the same end (BLPOP took the head:
 * LPUSH; BRPOP the tail: RPUSH), on that connection, which is then closed.
 * BRPOPLPUSH has nothing to give back: on LedisDB d35789e it loses any item it
 * pops, cancelled or not (server/cmd_list.go reads the nested pair lblockPop
 * returns and answers ErrValue; test/integration/list.test.ts pins it).
 */
function giveBack(cmd: Command, conn: Connection, done: () => void): void {
  cmd.onLateReply = (value) => {
    cmd.onLateReply = null;
    // LedisDB answers [key, item], or [key, [key, item]] (lblockPop wraps popOrWait's pair): see commands/list.ts popPair.
    let pair = Array.isArray(value) && value.length === 2 ? value : null;
    if (pair !== null && Array.isArray(pair[1]) && pair[1].length === 2) pair = pair[1] as Reply[];
    const push = cmd.wire === 'BLPOP' ? 'LPUSH' : cmd.wire === 'BRPOP' ? 'RPUSH' : null;
    if (pair === null || push === null || pair[0] == null || pair[1] == null || Array.isArray(pair[1])) {
      done();
      return;
    }
    conn.sendCommand(push, pair[0], pair[1]).then(done, done);
  };
}

/** Resolves once everything written to `conn` before it is answered (a PING behind it); never rejects. */
async function fence(conn: Connection): Promise<void> {
  // A connection at maxPending would refuse the PING at once, and the barrier would not wait for
  // what is in flight there: wait for room first (checked and sent in one synchronous step).
  const limit = conn.options.maxPending;
  while (conn.status === 'ready' && conn.pending >= limit) await conn.waitForRoom(limit);
  return conn.sendCommand('PING').then(noop, noop);
}

function pick(conns: readonly Connection[], lanes: number | readonly number[]): Connection[] {
  if (typeof lanes === 'number') return lanes < 0 ? [] : [conns[lanes] as Connection];
  const out: Connection[] = [];
  for (const lane of lanes) out.push(conns[lane] as Connection);
  return out;
}

