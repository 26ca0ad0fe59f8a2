// A view of a backend: where a client's reads go. Modelled on rueidis's mux:
// a shared pipe for ordinary commands, a dedicated connection for those that
// would stall or endanger it (blocking pops, commands whose server handler
// may crash), replica or master by readFrom.
import type { Command } from '../connection/command.js';
import type { Connection } from '../connection/connection.js';
import type { CommandSpec } from '../commands/types.js';
import type { BasePool } from '../pool.js';
import type { ReadFrom, Topology } from '../topology.js';
import type { Backend } from './backend.js';
import type { Lanes } from './lanes.js';
import type { Route } from './route.js';

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

  /** A bulk load's command, to the lane of its first key on the pool writes go to (see Lanes.sendKeyed). */
  sendKeyed(cmd: Command, key: unknown): void {
    let lanes: Lanes;
    try {
      lanes = this.backend.lanesFor(false, 'master');
    } catch (err) {
      cmd.reject(err as Error);
      return;
    }
    lanes.sendKeyed(cmd, key);
  }

  /** The shared connection a command would go to now (no key: the least busy). */
  connectionFor(readonly: boolean): Connection {
    return this.backend.lanesFor(readonly, this.readFrom).leastBusyInUse();
  }

  /** Checks out a dedicated connection of the master's pool; give it back with `release`. */
  async dedicated(commandName?: string): Promise<Connection> {
    return await this.backend.masterPool.getConnection(commandName);
  }

  release(conn: Connection): void {
    this.backend.masterPool.release(conn);
  }
}
