import { Connection } from './connection/connection.js';
import { redactPassword, type ConnectionOptions } from './connection/options.js';
import { ConnectionError } from './errors.js';
import { parseUrl } from './url.js';
import { checkPoolOptions } from './options-check.js';

export interface PoolOptions extends ConnectionOptions {
  /** Multiplexed connections shared by all callers (default 1); a client sends each command to the one its key hashes to (src/router.ts). */
  connections?: number;
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
  /** How many shared connections the pool was made with (`connections`). */
  readonly sharedCount: number;
  protected readonly sharedConnections: Connection[] = [];
  /** Released dedicated connections, reused last-in first-out. */
  protected readonly idle: Connection[] = [];
  protected readonly inUse = new Set<Connection>();
  protected closed = false;

  constructor(options: PoolOptions = {}, defaultMax: number) {
    checkPoolOptions(options);
    const { connections, maxConnections, ...connectionOptions } = options;
    this.connectionOptions = redactPassword(connectionOptions);
    const count = Math.max(1, Math.floor(connections ?? 1));
    this.sharedCount = count;
    this.maxConnections = maxConnections === null || maxConnections === undefined ? defaultMax : maxConnections;
    for (let i = 0; i < count; i++) this.sharedConnections.push(this.makeConnection());
  }

  /** The shared connection with the fewest commands in flight (what a keyless command takes). */
  shared(): Connection {
    const list = this.sharedConnections;
    if (list.length === 1) return list[0] as Connection;
    if (list.length === 0) throw new ConnectionError('the connection pool was disconnected');
    let best = list[0] as Connection;
    let min = best.pending;
    for (let i = 1; i < list.length; i++) {
      const c = list[i] as Connection;
      const p = c.pending;
      if (p < min) {
        min = p;
        best = c;
      }
    }
    return best;
  }

  /** The shared (multiplexed) connections. */
  get sharedList(): readonly Connection[] {
    return this.sharedConnections;
  }

  /** Every connection this pool opened (shared, idle and checked out). */
  get connections(): Connection[] {
    return [...this.sharedConnections, ...this.idle, ...this.inUse];
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
  }

  /** Waits for outstanding replies on every connection, then closes them. */
  async quit(): Promise<void> {
    this.closed = true;
    const all = this.connections;
    this.sharedConnections.length = 0;
    this.idle.length = 0;
    this.inUse.clear();
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
    return new ConnectionPool({ ...this.connectionOptions, connections: this.sharedCount, maxConnections: this.maxConnections, db });
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
      maxConnections: this.maxConnections,
      timeout: this.timeout,
      db,
    });
  }

  /** ledis-py's reinstantiate: a fresh pool with the same settings (after a fork). */
  reinstantiate(): BlockingConnectionPool {
    return new BlockingConnectionPool({ ...this.connectionOptions, maxConnections: this.maxConnections, timeout: this.timeout });
  }
}
