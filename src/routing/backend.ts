// The connections of one db of one server (or master and replicas), shared by
// every view of that db, and the forwarding of their events to the clients
// that listen.
import type { Connection } from '../connection/connection.js';
import { ConnectionPool, type BasePool, type PoolOptions } from '../pool.js';
import { Topology, type ReadFrom } from '../topology.js';
import { lanesOf, type Lanes } from './lanes.js';

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
  private readonly watchedPools = new WeakSet<BasePool>();
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

  /** Closes this backend's connections if it opened them, and forgets it in the family. */
  quit(): Promise<void> {
    if (this.family.get(this.db) === this) this.family.delete(this.db);
    if (!this.owned) return Promise.resolve();
    // Commands a barrier holds (a resize of the adaptive spread, a multi-key command) were issued
    // before quit(): they go out first, and quit() waits for their replies like any other's.
    // (When none is held, the connections are told at once, so a command issued right after quit() is refused.)
    const pools = this.topology !== null ? this.topology.pools : [this.pool as BasePool];
    return new Promise<void>((resolve, reject) => {
      let left = pools.length;
      const close = (): void => {
        if (--left > 0) return;
        (this.topology !== null ? this.topology.quit() : (this.pool as BasePool).quit()).then(resolve, reject);
      };
      if (left === 0) {
        left = 1;
        close();
      }
      for (const pool of pools) lanesOf(pool).quitAfterHeld(close);
    });
  }

  disconnect(): void {
    if (this.family.get(this.db) === this) this.family.delete(this.db);
    if (!this.owned) return;
    if (this.topology !== null) this.topology.disconnect();
    else (this.pool as BasePool).disconnect();
  }

  private watch(pool: BasePool): void {
    for (const conn of pool.sharedList) this.watchConnection(pool, conn, false);
    if (this.watchedPools.has(pool)) return;
    this.watchedPools.add(pool);
    pool.onSharedOpened((conn) => this.watchConnection(pool, conn, true));
  }

  /**
   * Forwards a shared connection's events to the client. A connection the
   * adaptive spread opened later reports only its errors: its connect and
   * ready, and its close when it is retired, are the spread's business, not
   * the client's state (which its first connection gives).
   */
  private watchConnection(pool: BasePool, conn: Connection, added: boolean): void {
    if (this.watched.has(conn)) return;
    this.watched.add(conn);
    for (const event of CONNECTION_EVENTS) {
      if (added && event !== 'error') continue;
      conn.on(event, (...args: unknown[]) => {
        if (!pool.isRetired(conn)) this.emit(event, args);
      });
    }
  }

  private emit(event: string, args: unknown[]): void {
    for (const sink of this.sinks) sink.routedEvent(event, args);
  }
}
