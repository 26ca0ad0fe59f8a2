import { Connection } from './connection/connection.js';
import { redactPassword, type ConnectionOptions } from './connection/options.js';
import { ConnectionError } from './errors.js';
import { parseUrl } from './url.js';
import { checkPoolOptions } from './options-check.js';

/**
 * The item with the least `load` (the first of equals), or undefined when
 * every load is Infinity (none eligible): the one least-busy choice of the
 * driver, for a keyless command (pool, lanes) and for a replica (topology).
 */
export function leastBusy<T>(items: readonly T[], load: (item: T) => number): T | undefined {
  let best: T | undefined;
  let min = Infinity;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    const l = load(item);
    if (l < min) {
      min = l;
      best = item;
    }
  }
  return best;
}

/** A connection's load: its commands in flight. */
export const inFlight = (conn: Connection): number => conn.pending;

/**
 * How a pool's shared connections are used. `'adaptive'` (the default): one
 * connection is opened, and more (up to `connections`) only while every open
 * one stays deep in unanswered commands and throughput rises; they are closed
 * again when the load falls. `'fixed'`: all `connections` are opened at once
 * and every one is used. Either way a command goes to the connection its key
 * hashes to (src/routing/lanes.ts), so commands on one key keep their order.
 */
export type Spread = 'adaptive' | 'fixed';

/** The most shared connections a pool opens when `connections` is not given. */
export const DEFAULT_CONNECTIONS = 4;

export interface PoolOptions extends ConnectionOptions {
  /**
   * The most multiplexed connections shared by all callers (default 4; 1 to
   * 1024). With the default `spread: 'adaptive'` only one is open until the
   * load needs more; `connections: 1` is exactly one connection.
   */
  connections?: number;
  /** How the shared connections are used: `'adaptive'` (default) or `'fixed'` (see {@link Spread}). */
  spread?: Spread;
  /**
   * Bound on dedicated connections (checked out with getConnection, used by
   * blocking pops). ConnectionPool: unbounded by default; BlockingConnectionPool: 50.
   */
  maxConnections?: number | null;
}

/**
 * What ledis-py's pools do, rebuilt for multiplexing: a small fixed set of
 * shared connections that every caller multiplexes over, plus dedicated
 * connections checked out one caller at a time, for what would stall the
 * shared ones (BLPOP ...) or change per-connection state (SELECT).
 */
export abstract class BasePool {
  readonly connectionOptions: ConnectionOptions;
  readonly maxConnections: number;
  /** The most shared connections this pool opens (`connections`). */
  readonly sharedCount: number;
  /** How the shared connections are used (`spread`). */
  readonly spread: Spread;
  protected readonly sharedConnections: Connection[] = [];
  /** Called with each shared connection opened after construction (the router watches its events). */
  private readonly openedHooks: Array<(conn: Connection) => void> = [];
  /** Shared connections closed by the adaptive spread: their events are not the client's. */
  private readonly retiredShared = new WeakSet<Connection>();
  /** Released dedicated connections, reused last-in first-out. */
  protected readonly idle: Connection[] = [];
  protected readonly inUse = new Set<Connection>();
  /** Dedicated connections given up by their caller while the server still holds a command on them (a cancelled blocking pop): not counted against maxConnections; closed with the pool. */
  protected readonly lingering = new Set<Connection>();
  protected closed = false;

  constructor(options: PoolOptions = {}, defaultMax: number) {
    checkPoolOptions(options);
    const { connections, maxConnections, spread, ...connectionOptions } = options;
    this.connectionOptions = redactPassword(connectionOptions);
    const count = Math.max(1, Math.floor(connections ?? DEFAULT_CONNECTIONS));
    this.sharedCount = count;
    this.spread = spread ?? 'adaptive';
    this.maxConnections = maxConnections === null || maxConnections === undefined ? defaultMax : maxConnections;
    const open = this.spread === 'fixed' ? count : 1;
    for (let i = 0; i < open; i++) this.sharedConnections.push(this.makeConnection());
  }

  /** True once disconnect() or quit() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Opens one more shared connection (the adaptive spread's growth), up to
   * `connections`; null when the pool is closed or full. It connects now,
   * whatever `lazyConnect` says: it is opened because the load needs it.
   */
  openShared(): Connection | null {
    if (this.closed || this.sharedConnections.length >= this.sharedCount) return null;
    const conn = this.makeConnection();
    this.sharedConnections.push(conn);
    if (conn.status === 'wait') conn.connect().catch(() => {});
    for (const hook of this.openedHooks) hook(conn);
    return conn;
  }

  /**
   * Closes the last shared connection (the adaptive spread's shrink) once
   * what it has in flight is answered; the first one is never retired.
   */
  retireShared(conn: Connection): void {
    const list = this.sharedConnections;
    const at = list.indexOf(conn);
    if (at <= 0) return;
    list.splice(at, 1);
    this.retiredShared.add(conn);
    conn.quit().catch(() => conn.disconnect());
  }

  /** True for a shared connection the adaptive spread closed. */
  isRetired(conn: Connection): boolean {
    return this.retiredShared.has(conn);
  }

  /** Calls `hook` with every shared connection opened from now on. */
  onSharedOpened(hook: (conn: Connection) => void): void {
    this.openedHooks.push(hook);
  }

  /** The shared connection with the fewest commands in flight (what a keyless command takes). */
  shared(): Connection {
    const list = this.sharedConnections;
    if (list.length === 1) return list[0] as Connection;
    if (list.length === 0) throw new ConnectionError('the connection pool was disconnected');
    return leastBusy(list, inFlight) as Connection;
  }

  /** The shared (multiplexed) connections. */
  get sharedList(): readonly Connection[] {
    return this.sharedConnections;
  }

  /** Every connection this pool opened (shared, idle and checked out). */
  get connections(): Connection[] {
    return [...this.sharedConnections, ...this.idle, ...this.inUse, ...this.lingering];
  }

  /**
   * Takes a checked-out connection off the pool's count (its slot is free
   * for the next caller) while it still waits for a reply nobody will use;
   * `done()` closes it once that reply came. Closed with the pool anyway.
   */
  detach(connection: Connection): () => void {
    if (this.inUse.delete(connection)) this.onFree();
    this.lingering.add(connection);
    return () => {
      this.lingering.delete(connection);
      connection.quit().catch(() => connection.disconnect());
    };
  }

  /** A new connection with the pool's options (not tracked by the pool). */
  makeConnection(): Connection {
    return new Connection(this.connectionOptions);
  }

  /**
   * A new pool of the same kind and settings, on db `db`: what `ledis.db(n)`
   * connects with. Built from this pool's resolved options (a URL's db is
   * already in them), so nothing of the caller's option bag can override it.
   */
  abstract forDb(db: number): BasePool;

  /** Checks out a dedicated connection. */
  abstract getConnection(commandName?: string, ...keys: unknown[]): Connection | Promise<Connection>;

  /** Returns a dedicated connection to the pool. */
  release(connection: Connection): void {
    if (!this.inUse.delete(connection)) return;
    if (this.closed || connection.status === 'end') {
      connection.disconnect();
      this.onFree();
      return;
    }
    // A dedicated connection may have been switched to another db; the next user gets the pool's.
    const db = connection.options.db;
    if (connection.db !== db) connection.select(db).catch(() => connection.disconnect());
    this.idle.push(connection);
    this.onFree();
  }

  protected onFree(): void {}

  protected checkout(): Connection | null {
    if (this.closed) throw new ConnectionError('the connection pool was disconnected');
    let conn = this.idle.pop();
    while (conn !== undefined && conn.status === 'end') conn = this.idle.pop();
    if (conn === undefined) {
      if (this.inUse.size >= this.maxConnections) return null;
      conn = this.makeConnection();
    }
    this.inUse.add(conn);
    return conn;
  }

  /** Closes every connection; whatever is outstanding is rejected with ConnectionError. */
  disconnect(): void {
    this.closed = true;
    for (const c of this.connections) c.disconnect();
    this.sharedConnections.length = 0;
    this.idle.length = 0;
    this.inUse.clear();
    this.lingering.clear();
  }

  /** Waits for outstanding replies on every connection, then closes them. */
  async quit(): Promise<void> {
    this.closed = true;
    const all = this.connections;
    // A cancelled pop's connection would wait for its reply for ever (timeout 0): closed now.
    for (const c of this.lingering) c.disconnect();
    this.sharedConnections.length = 0;
    this.idle.length = 0;
    this.inUse.clear();
    this.lingering.clear();
    await Promise.all(all.map((c) => c.quit()));
  }
}

/** Dedicated checkouts past `maxConnections` throw ConnectionError at once. */
export class ConnectionPool extends BasePool {
  constructor(options: PoolOptions = {}) {
    super(options, 2 ** 31);
  }

  static fromUrl(url: string, options: PoolOptions & { db?: number } = {}): ConnectionPool {
    return new ConnectionPool(parseUrl(url, options));
  }

  forDb(db: number): ConnectionPool {
    return new ConnectionPool({ ...this.connectionOptions, connections: this.sharedCount, spread: this.spread, maxConnections: this.maxConnections, db });
  }

  getConnection(_commandName?: string, ..._keys: unknown[]): Connection {
    const conn = this.checkout();
    if (conn === null) {
      throw new ConnectionError(`too many connections: all ${this.maxConnections} dedicated connections are checked out`);
    }
    return conn;
  }
}

export interface BlockingPoolOptions extends PoolOptions {
  /** Seconds to wait for a free dedicated connection (default 20); null waits forever. */
  timeout?: number | null;
}

/**
 * Like ConnectionPool, but a checkout that finds every dedicated connection
 * in use waits (up to `timeout` seconds) for one to be released.
 */
export class BlockingConnectionPool extends BasePool {
  readonly timeout: number | null;
  private readonly waiters: Array<{ resolve: (c: Connection) => void; reject: (e: Error) => void; timer: NodeJS.Timeout | null }> = [];

  constructor(options: BlockingPoolOptions = {}) {
    checkPoolOptions(options);
    const { timeout, ...rest } = options;
    super(rest, 50);
    this.timeout = timeout === undefined ? 20 : timeout;
  }

  static fromUrl(url: string, options: BlockingPoolOptions & { db?: number } = {}): BlockingConnectionPool {
    return new BlockingConnectionPool(parseUrl(url, options));
  }

  getConnection(_commandName?: string, ..._keys: unknown[]): Promise<Connection> {
    let conn: Connection | null;
    try {
      conn = this.checkout();
    } catch (err) {
      return Promise.reject(err);
    }
    if (conn !== null) return Promise.resolve(conn);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, timer: null as NodeJS.Timeout | null };
      if (this.timeout !== null) {
        waiter.timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(
            new ConnectionError(
              `no connection available: all ${this.maxConnections} dedicated connections stayed checked out for ${this.timeout} s (timeout)`,
            ),
          );
        }, this.timeout * 1000);
      }
      this.waiters.push(waiter);
    });
  }

  protected override onFree(): void {
    while (this.waiters.length > 0) {
      let conn: Connection | null;
      try {
        conn = this.checkout();
      } catch (err) {
        for (const w of this.waiters.splice(0)) {
          if (w.timer) clearTimeout(w.timer);
          w.reject(err as Error);
        }
        return;
      }
      if (conn === null) return;
      const w = this.waiters.shift()!;
      if (w.timer) clearTimeout(w.timer);
      w.resolve(conn);
    }
  }

  override disconnect(): void {
    super.disconnect();
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(new ConnectionError('the connection pool was disconnected'));
    }
  }

  forDb(db: number): BlockingConnectionPool {
    return new BlockingConnectionPool({
      ...this.connectionOptions,
      connections: this.sharedCount,
      spread: this.spread,
      maxConnections: this.maxConnections,
      timeout: this.timeout,
      db,
    });
  }

  /** ledis-py's reinstantiate: a fresh pool with the same settings (after a fork). */
  reinstantiate(): BlockingConnectionPool {
    return this.forDb(this.connectionOptions.db ?? 0);
  }
}
