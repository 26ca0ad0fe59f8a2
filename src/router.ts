// Which connection a command goes to, answered in one place. Modelled on
// rueidis's mux: a shared pipe for ordinary commands, a dedicated connection
// for those that would stall or endanger it (blocking pops, commands whose
// server handler may crash), replica or master by readFrom, and with several
// shared connections a spread by key, so commands on one key keep their order.
import type { Command } from './connection/command.js';
import type { Connection } from './connection/connection.js';
import { specByCommand } from './commands/index.js';
import { commandKeyIndexes, laneOf } from './commands/keys.js';
import type { CommandSpec, ReplyFn } from './commands/types.js';

export { laneOf };
import { ConnectionError } from './errors.js';
import { ConnectionPool, type BasePool, type PoolOptions } from './pool.js';
import { Topology, type ReadFrom } from './topology.js';

/** Receives a backend's events: a client that has listeners. */
export interface EventSink {
  routedEvent(event: string, args: unknown[]): void;
}

/** The connection events and topology events a client re-emits. */
export const ROUTED_EVENTS: ReadonlySet<string> = new Set([
  'connect',
  'ready',
  'close',
  'reconnecting',
  'end',
  'error',
  'failover',
  'masterDown',
  'masterUp',
]);

const CONNECTION_EVENTS = ['connect', 'ready', 'close', 'reconnecting', 'end', 'error'] as const;
const TOPOLOGY_EVENTS = ['failover', 'masterDown', 'masterUp'] as const;

/**
 * A table entry read once into one fixed shape: the per-command path reads
 * these fields (one hidden class) instead of the table's object literals (one
 * hidden class per shape of entry).
 */
export class Route {
  /** The command as sent. */
  readonly command: string;
  /** The command as errors name it (CommandSpec.name): INCR for `incr`, which sends INCRBY. */
  readonly name: string;
  readonly readonly: boolean;
  /** Blocking, or may crash its handler: never the plain shared path. */
  readonly special: boolean;
  readonly reply: ReplyFn | null;
  /** The transform for string-mode clients of a command that reads Buffers and decodes itself (CommandSpec.replyStrings). */
  readonly replyStrings: ReplyFn | null;
  readonly bufferReply: boolean;
  readonly stringReply: boolean;

  constructor(readonly spec: CommandSpec) {
    this.command = spec.command;
    this.name = spec.name ?? spec.command;
    this.readonly = spec.readonly === true;
    this.special = spec.blocking === true || spec.isolate !== undefined;
    this.reply = spec.reply ?? null;
    this.replyStrings = spec.replyStrings ?? null;
    this.bufferReply = spec.bufferReply === true;
    this.stringReply = spec.stringReply === true;
  }
}

const routes = new WeakMap<CommandSpec, Route>();

/** The Route of a table entry (made once per entry). */
export function routeOf(spec: CommandSpec): Route {
  let route = routes.get(spec);
  if (route === undefined) {
    route = new Route(spec);
    routes.set(spec, route);
  }
  return route;
}

/** The spec of a raw command (sendCommand, a pipeline's sendCommand): the table's entry for that name, if any. */
export function specForName(name: string): CommandSpec {
  return specByCommand.get(name) ?? { command: name };
}

/** The Route of a raw command by name: the table entry's, or a keyless one (not cached: names are the caller's). */
export function routeForName(name: string): Route {
  const spec = specByCommand.get(name);
  return spec === undefined ? new Route({ command: name }) : routeOf(spec);
}

/** Where a backend's connections come from. */
export type BackendSource =
  | { pool: BasePool; owned: boolean }
  | { topology: Topology; owned: boolean }
  | { master: string | PoolOptions; replicas?: Array<string | PoolOptions>; readFrom?: ReadFrom; base: PoolOptions }
  | { base: PoolOptions };

/**
 * The connections of one db of one server (or master and replicas): the pool
 * or topology, the order-keeping lanes over its shared connections, and the
 * event forwarding to the clients that listen. Every view of that db (the
 * client, `master()`, later derived views) shares one Backend.
 */
export class Backend {
  readonly topology: Topology | null;
  private readonly pool: BasePool | null;
  /** This backend opened its connections (and so closes them). */
  readonly owned: boolean;
  /** The backend the user's client was made with (a db view never closes it). */
  readonly isRoot: boolean;
  /** The backends of the other dbs, shared by every view made from the same client. */
  readonly family: Map<number, Backend>;
  private readonly sinks = new Set<EventSink>();
  private readonly watched = new WeakSet<Connection>();
  /** The lanes of a single-server backend (null with a topology, whose pool depends on the command). */
  readonly singleLanes: Lanes | null;

  constructor(source: BackendSource, family?: Map<number, Backend>) {
    if ('pool' in source) {
      this.pool = source.pool;
      this.topology = null;
      this.owned = source.owned;
    } else if ('topology' in source) {
      this.pool = null;
      this.topology = source.topology;
      this.owned = source.owned;
    } else if ('master' in source) {
      this.pool = null;
      this.topology = new Topology({ master: source.master, replicas: source.replicas, readFrom: source.readFrom }, source.base);
      this.owned = true;
    } else {
      this.pool = new ConnectionPool(source.base);
      this.topology = null;
      this.owned = true;
    }
    this.singleLanes = this.pool === null ? null : lanesOf(this.pool);
    this.isRoot = family === undefined;
    this.family = family ?? new Map();
    this.family.set(this.db, this);
    if (this.topology !== null) {
      const topology = this.topology;
      for (const event of TOPOLOGY_EVENTS) {
        topology.on(event, (info: unknown) => {
          // Follow a promotion: the new master's connections are the ones a user listens to now.
          if (event === 'failover') this.watch(topology.masterPool);
          this.emit(event, [info]);
        });
      }
    }
    this.watch(this.masterPool);
  }

  /** The pool writes go to: the single server's, or the current master's. */
  get masterPool(): BasePool {
    return this.topology === null ? (this.pool as BasePool) : this.topology.masterPool;
  }

  /** The db these connections select. */
  get db(): number {
    return this.masterPool.connectionOptions.db ?? 0;
  }

  /** The lanes of the pool a command goes to (a replica's for reads when readFrom allows). */
  lanesFor(readonly: boolean, readFrom: ReadFrom): Lanes {
    if (this.singleLanes !== null) return this.singleLanes;
    return lanesOf((this.topology as Topology).poolFor(readonly, readFrom));
  }

  /** The backend of db `db` in this family: made on first use from the resolved options, then shared. */
  forDb(db: number): Backend {
    const known = this.family.get(db);
    if (known !== undefined) return known;
    const source: BackendSource =
      this.topology !== null ? { topology: this.topology.forDb(db), owned: true } : { pool: this.masterPool.forDb(db), owned: true };
    return new Backend(source, this.family);
  }

  /** Starts forwarding events to `sink` (once per sink, whatever the number of calls). */
  subscribe(sink: EventSink): void {
    this.sinks.add(sink);
  }

  unsubscribe(sink: EventSink): void {
    this.sinks.delete(sink);
  }

  /** Number of sinks (for tests of listener growth). */
  get sinkCount(): number {
    return this.sinks.size;
  }

  /** Closes this backend's connections if it opened them, and forgets it in the family. */
  quit(): Promise<void> {
    if (this.family.get(this.db) === this) this.family.delete(this.db);
    if (!this.owned) return Promise.resolve();
    return this.topology !== null ? this.topology.quit() : (this.pool as BasePool).quit();
  }

  disconnect(): void {
    if (this.family.get(this.db) === this) this.family.delete(this.db);
    if (!this.owned) return;
    if (this.topology !== null) this.topology.disconnect();
    else (this.pool as BasePool).disconnect();
  }

  private watch(pool: BasePool): void {
    for (const conn of pool.sharedList) {
      if (this.watched.has(conn)) continue;
      this.watched.add(conn);
      for (const event of CONNECTION_EVENTS) conn.on(event, (...args: unknown[]) => this.emit(event, args));
    }
  }

  private emit(event: string, args: unknown[]): void {
    for (const sink of this.sinks) sink.routedEvent(event, args);
  }
}

/**
 * A view of a backend: where this client's reads go (`readFrom`). Views are
 * cheap (two fields, no listener): `master()` and later derived clients are
 * a new view on the same backend.
 */
export class Router {
  private readonly single: Lanes | null;

  constructor(
    readonly backend: Backend,
    readonly readFrom: ReadFrom,
  ) {
    this.single = backend.singleLanes;
  }

  /** The same connections, reading from `readFrom`. */
  withReadFrom(readFrom: ReadFrom): Router {
    return readFrom === this.readFrom ? this : new Router(this.backend, readFrom);
  }

  /** The view of db `db`, sharing this view's family of connections. */
  forDb(db: number): Router {
    return new Router(this.backend.forDb(db), this.readFrom);
  }

  /** The pool writes go to. */
  get pool(): BasePool {
    return this.backend.masterPool;
  }

  get topology(): Topology | null {
    return this.backend.topology;
  }

  /**
   * Sends a command where it belongs and returns its promise: a dedicated
   * connection if it blocks or may crash its handler, else the shared
   * connection of its key (master or replica by readFrom).
   * `p` is the command's promise when the caller made it already (to arm
   * per-call options).
   */
  send(route: Route, cmd: Command, p: Promise<unknown> = cmd.promise()): Promise<unknown> {
    if (this.single !== null) {
      this.single.send(route, cmd, p);
      return p;
    }
    let lanes: Lanes;
    try {
      lanes = this.backend.lanesFor(route.readonly, this.readFrom);
    } catch (err) {
      cmd.reject(err as Error);
      return p;
    }
    lanes.send(route, cmd, p);
    return p;
  }

  /**
   * A batch (a pipeline): `write` sends every command on the one connection
   * it is given, in order; resolves when `write` has. The connection is the
   * shared one of the batch's keys, a replica's only if every command reads,
   * or a dedicated one if a command may crash its handler.
   */
  batch(specs: readonly CommandSpec[], argsList: readonly (readonly unknown[])[], write: (conn: Connection) => Promise<void>): Promise<void> {
    let lanes: Lanes;
    try {
      lanes = this.backend.lanesFor(
        specs.every((s) => s.readonly === true),
        this.readFrom,
      );
    } catch (err) {
      return Promise.reject(err);
    }
    return lanes.batch(specs, argsList, write);
  }

  /** The shared connection a command would go to now (no key: the least busy). */
  connectionFor(readonly: boolean): Connection {
    return this.backend.lanesFor(readonly, this.readFrom).pool.shared();
  }

  /** Checks out a dedicated connection of the master's pool; give it back with `release`. */
  async dedicated(commandName?: string): Promise<Connection> {
    return await this.backend.masterPool.getConnection(commandName);
  }

  release(conn: Connection): void {
    this.backend.masterPool.release(conn);
  }
}

const lanesByPool = new WeakMap<BasePool, Lanes>();

function lanesOf(pool: BasePool): Lanes {
  let lanes = lanesByPool.get(pool);
  if (lanes === undefined) {
    lanes = new Lanes(pool);
    lanesByPool.set(pool, lanes);
  }
  return lanes;
}

const noop = (): void => {};

/**
 * The order-keeping spread over one pool's shared connections ("lanes").
 * A command with keys goes to the lane its first key hashes to, so commands
 * on one key are written to one connection, which LedisDB serves in order.
 * A command whose keys span lanes, or that touches keys it does not name
 * (FLUSHDB, XSCAN, a key-less script), or that runs on a dedicated connection
 * and must not crash the shared one, is a barrier: it waits for what was
 * issued before it on the lanes it touches, and holds what is issued after it
 * until it is answered. Keyless commands (PING, INFO) go to the least busy lane.
 */
export class Lanes {
  /** Commands issued while a barrier runs, sent in order when it ends; null when none runs. */
  private held: Array<() => void> | null = null;

  constructor(readonly pool: BasePool) {}

  send(route: Route, cmd: Command, p: Promise<unknown>): void {
    const conns = this.pool.sharedList;
    if (this.held === null && !route.special && conns.length === 1) {
      (conns[0] as Connection).send(cmd);
      return;
    }
    this.route(route.spec, cmd, p);
  }

  /** Everything but the plain one-connection case. */
  private route(spec: CommandSpec, cmd: Command, p: Promise<unknown>): void {
    if (this.held !== null) {
      this.held.push(() => this.route(spec, cmd, p));
      return;
    }
    const conns = this.pool.sharedList;
    const n = conns.length;
    if (n === 0) {
      cmd.reject(new ConnectionError('the connection pool was disconnected', { command: cmd.name }));
      return;
    }
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

  batch(specs: readonly CommandSpec[], argsList: readonly (readonly unknown[])[], write: (conn: Connection) => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const go = (): void => {
        if (this.held !== null) {
          this.held.push(go);
          return;
        }
        const conns = this.pool.sharedList;
        const n = conns.length;
        if (n === 0) {
          reject(new ConnectionError('the connection pool was disconnected'));
          return;
        }
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
          write(conn).then(resolve, reject);
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
function fence(conn: Connection): Promise<void> {
  return conn.sendCommand('PING').then(noop, noop);
}

function pick(conns: readonly Connection[], lanes: number | readonly number[]): Connection[] {
  if (typeof lanes === 'number') return lanes < 0 ? [] : [conns[lanes] as Connection];
  const out: Connection[] = [];
  for (const lane of lanes) out.push(conns[lane] as Connection);
  return out;
}

function leastBusy(conns: readonly Connection[]): Connection {
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
