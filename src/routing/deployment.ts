// What a client face drives: the servers behind it, as one interface. Two
// implementations: ServerDeployment here (one server, or a master with
// replicas), and ShardedDeployment (src/sharding/placement.ts), which places
// keys over several ServerDeployments.
import { Command } from '../connection/command.js';
import type { Connection } from '../connection/connection.js';
import { redactPassword } from '../connection/options.js';
import type { CommandSpec } from '../commands/types.js';
import { asLedisError, DataError } from '../errors.js';
import { firstAttempt, statusOf, type LedisStatus } from '../lifecycle.js';
import type { CommandSource } from '../pipeline.js';
import type { BasePool, PoolOptions } from '../pool.js';
import type { Reply } from '../protocol/parser.js';
import { proxyRefusal } from './twemproxy.js';
import { isReadonlyError } from '../switchover.js';
import type { NodeStats, ReadFrom, Topology } from '../topology.js';
import { observing, sendObserved, type CommandRouter, type ObserveOptions } from '../tracing.js';
import { armCall, type CallOptions } from '../views.js';
import { authenticate } from '../auth.js';
import { Backend, type BackendSource, type EventSink } from './backend.js';
import { Router } from './router.js';
import { routeForName, routeOf, type Route } from './route.js';

export type { EventSink };

/**
 * How a face turns a table entry or a raw command into a `Command`: its reply
 * mode (strings or Buffers, its response callbacks), its key prefix, and the
 * per-call options (signal, timeout) armed on every command it sends. A face
 * keeps one per view (`Ledis`'s is `CommandMode` in src/client.ts).
 */
export interface CommandMaker {
  /** A Command for a table entry and its (shaped) arguments, with this face's reply transform. */
  command(route: Route, args: unknown[]): Command;
  /** A Command for a raw command (`name` upper case), raw reply. */
  raw(name: string, args: unknown[]): Command;
  /** Per-call options armed on every command before it is routed; null for none. */
  readonly callOptions: CallOptions | null;
}

/**
 * The servers a client talks to: one server or a master with replicas
 * (`ServerDeployment`), or several such placed by key (`ShardedDeployment`,
 * src/sharding/placement.ts). A face (`Ledis`; the `ledis/ioredis` and
 * `ledis/node-redis` faces) is a thin shell over one:
 *
 * - a command of the table: `deployment.run(routeOf(commandTable.get), args, maker)`,
 *   with `args` already shaped by the entry's `args` function; resolves with
 *   the reply after `maker`'s transform. Never throws: every failure is a
 *   rejected promise (DataError for bad arguments, refused routes).
 * - a raw command: `deployment.raw(commandName(name), args, maker)`: routed as
 *   the table's entry of that name says (a raw BLPOP takes a dedicated
 *   connection, a raw MGET spanning shards is split and merged).
 * - a batch: `new Pipeline(deployment.pipelineSource(maker))`, then the
 *   pipeline's `exec()`/`execSettled()`; the face caches the source per view.
 * - events: `deployment.subscribe(sink)`: the connections' `connect`,
 *   `ready`, `close`, `reconnecting`, `end`, `error` and the topology's
 *   `failover`, `masterDown`, `masterUp` reach `sink.routedEvent(event, args)`;
 *   subscribe only once the face has a listener (a view nobody listens to
 *   costs no listener anywhere). `end` arrives per connection: the face
 *   emits its own once `status()` is `'end'`.
 * - status: `status()` reads the connections (`wait`, `connecting`, `ready`,
 *   `reconnecting`, `end`); `closing` (quit() called, not done) is the face's.
 * - views: `share(readFrom)` (same connections, closing nothing: buffers,
 *   withOptions, `master()`), `forDb(db)` (connections of their own for db
 *   `db`, shared by every view of the same root, closed by quit()).
 * - duplicate with other options: a new face over a new deployment made from
 *   `{ ...face.options, db: deployment.db, readFrom: deployment.readFrom, ...overrides }`
 *   (`openDeployment` in src/client.ts); never share a deployment to duplicate.
 * - quit()/disconnect() close what this deployment owns: everything for a
 *   root (every db's connections), its own connections for a `forDb` one,
 *   nothing for a `share`d view.
 */
export interface Deployment {
  /** Runs a table command (arguments shaped) where it belongs. */
  run(route: Route, args: unknown[], maker: CommandMaker): Promise<unknown>;
  /** Runs a raw command (`name` upper case) as the table's entry of that name routes. */
  raw(name: string, args: unknown[], maker: CommandMaker): Promise<Reply>;
  /** What a `Pipeline` of this face sends through. */
  pipelineSource(maker: CommandMaker): CommandSource;
  /** A bulk load's command, already built, to the connection of `key` (its first key; undefined: keyless). */
  sendKeyed(cmd: Command, key: unknown): void;
  /** Connects now; settles after the first attempt of every shared connection (ConnectionError if one fails). */
  connect(): Promise<void>;
  /** Waits for outstanding replies, then closes what this deployment owns. */
  quit(): Promise<void>;
  /** Closes what this deployment owns at once; outstanding commands reject with ConnectionError. */
  disconnect(): void;
  /** The shared connections' status, read as one. */
  status(): LedisStatus;
  /** Forwards connection and topology events to `sink` (once per sink, whatever the number of calls). */
  subscribe(sink: EventSink): void;
  /** Stops forwarding events to `sink`. */
  unsubscribe(sink: EventSink): void;
  /** The same connections, closing nothing, reading from `readFrom` (default: this one's). */
  share(readFrom?: ReadFrom): Deployment;
  /** The deployment of db `db`: connections of its own, shared by the root's family, closed by its quit(). */
  forDb(db: number): Deployment;
  /** AUTH on every connection of this deployment's family (see `authenticate` in src/auth.ts). */
  authenticate(password: string): Promise<boolean>;
  /** Where read-only commands go. */
  readonly readFrom: ReadFrom;
  /** Every read goes to a master. */
  readonly readsFromMaster: boolean;
  /** The db the connections select. */
  readonly db: number;
  /** The topology (of the first shard, sharded); null for a single server. */
  readonly topology: Topology | null;
  /** The pool writes go to (of the first shard, sharded). */
  readonly connectionPool: BasePool;
  /** The shared connection a command would go to now. */
  connectionFor(readonly: boolean): Connection;
  /** Per-node routing counters. */
  nodeStats(): NodeStats[];
  /** The server deployments behind this one, in shard order (`[this]` for one server). */
  readonly parts: readonly ServerDeployment[];
  /** The index of the part `key` lives on (0 for one server). */
  shardOf(key: unknown): number;
  /** True for a sharded deployment. */
  readonly sharded: boolean;
}

/** The options a ServerDeployment reads (a subset of LedisOptions). */
export interface ServerOptions extends PoolOptions, ObserveOptions {
  connectionPool?: BasePool;
  master?: string | PoolOptions;
  replicas?: Array<string | PoolOptions>;
  readFrom?: ReadFrom;
  topology?: Topology;
  proxy?: 'twemproxy';
}

/** What a ServerDeployment closes on quit(): the whole family of dbs, its own backend, or nothing. */
type Owns = 'family' | 'backend' | 'none';

/** Client-level options that are not the pool's. */
const NOT_POOL = ['decodeResponses', 'encoding', 'connectionPool', 'master', 'replicas', 'readFrom', 'topology', 'proxy', 'shards', 'hashTag', 'keyPrefix', 'scriptReplies', 'traceArgs', 'showFriendlyErrorStack', 'url'];

/**
 * One server, or a master with replicas: commands go through a Router (the
 * view: readFrom over a Backend, src/routing/router.ts); with a topology, a
 * write refused as read-only after a switchover goes to the new master once.
 */
export class ServerDeployment implements Deployment {
  readonly sharded = false;
  readonly parts: readonly ServerDeployment[] = [this];
  private observer: ((callOptions: CallOptions | null) => CommandRouter<Route>) | null = null;

  private constructor(
    /** The options this deployment was opened with (password redacted in their views). */
    readonly options: ServerOptions,
    readonly router: Router,
    private readonly owns: Owns,
    private readonly observe: ObserveOptions,
    private readonly proxy: 'twemproxy' | undefined,
  ) {}

  /** The deployment of `options` (checked by the caller): a pool, a topology, or one made from the connection options. */
  static open(options: ServerOptions): ServerDeployment {
    const { connectionPool, master, replicas, readFrom, topology, proxy } = options;
    const poolOptions: PoolOptions & Record<string, unknown> = { ...options };
    for (const key of NOT_POOL) delete poolOptions[key];
    if (proxy !== undefined && proxy !== 'twemproxy') throw new DataError(`proxy must be 'twemproxy', got ${JSON.stringify(proxy)}`);
    if (proxy !== undefined && (poolOptions.db ?? 0) !== 0) {
      throw new DataError("twemproxy does not forward SELECT: use db 0 (twemproxy's redis_db option picks the server db)");
    }
    // Behind twemproxy an MGET spanning servers fails whole when one server is down, where each GET
    // would fail alone: no coalescing unless asked for.
    if (proxy !== undefined && poolOptions.coalesce === undefined) poolOptions.coalesce = false;
    let source: BackendSource;
    if (topology !== undefined) source = { topology, owned: false };
    else if (master !== undefined) source = { master, replicas, readFrom, base: poolOptions };
    else if (connectionPool !== undefined) source = { pool: connectionPool, owned: false };
    else source = { base: poolOptions };
    const observe = { traceArgs: options.traceArgs, showFriendlyErrorStack: options.showFriendlyErrorStack };
    return new ServerDeployment(redactPassword({ ...options }), new Router(new Backend(source), readFrom ?? topology?.readFrom ?? 'master'), 'family', observe, proxy);
  }

  get readFrom(): ReadFrom {
    return this.router.readFrom;
  }

  get readsFromMaster(): boolean {
    return this.router.readFrom === 'master';
  }

  get db(): number {
    return this.router.backend.db;
  }

  get topology(): Topology | null {
    return this.router.topology;
  }

  get connectionPool(): BasePool {
    return this.router.pool;
  }

  share(readFrom: ReadFrom = this.router.readFrom): ServerDeployment {
    return new ServerDeployment(this.options, this.router.withReadFrom(readFrom), 'none', this.observe, this.proxy);
  }

  forDb(db: number): ServerDeployment {
    const router = this.router.forDb(db);
    return new ServerDeployment(this.options, router, router.backend.isRoot ? 'none' : 'backend', this.observe, this.proxy);
  }

  shardOf(): number {
    return 0;
  }

  run(route: Route, args: unknown[], maker: CommandMaker): Promise<unknown> {
    if (this.proxy !== undefined) {
      const refused = proxyRefusal(this.proxy, route.command);
      if (refused !== null) return Promise.reject(refused);
    }
    try {
      const cmd = maker.command(route, args);
      return observing(this.observe) ? sendObserved(this.observe, this.observed(maker.callOptions), route, cmd) : this.send(route, cmd, maker.callOptions);
    } catch (err) {
      return Promise.reject(asLedisError(err));
    }
  }

  raw(name: string, args: unknown[], maker: CommandMaker): Promise<Reply> {
    try {
      const refused = proxyRefusal(this.proxy, name);
      if (refused !== null) return Promise.reject(refused);
      const route = routeForName(name);
      const cmd = maker.raw(name, args);
      return (observing(this.observe) ? sendObserved(this.observe, this.observed(maker.callOptions), route, cmd) : this.send(route, cmd, maker.callOptions)) as Promise<Reply>;
    } catch (err) {
      return Promise.reject(asLedisError(err, DataError));
    }
  }

  pipelineSource(maker: CommandMaker): CommandSource {
    const proxy = this.proxy;
    return {
      command: (spec, name, args) => (spec === null ? maker.raw(name, args) : maker.command(routeOf(spec), args)),
      batch: (specs: readonly CommandSpec[], argsList, write) => this.router.batch(specs, argsList, write),
      refuse: proxy === undefined ? undefined : (name) => proxyRefusal(proxy, name),
    };
  }

  sendKeyed(cmd: Command, key: unknown): void {
    this.router.sendKeyed(cmd, key);
  }

  connect(): Promise<void> {
    return Promise.all(this.router.pool.sharedList.map(firstAttempt)).then(() => undefined);
  }

  status(): LedisStatus {
    return statusOf(this.router.pool.sharedList);
  }

  subscribe(sink: EventSink): void {
    this.router.backend.subscribe(sink);
  }

  unsubscribe(sink: EventSink): void {
    this.router.backend.unsubscribe(sink);
  }

  connectionFor(readonly: boolean): Connection {
    return this.router.connectionFor(readonly);
  }

  nodeStats(): NodeStats[] {
    const topology = this.router.topology;
    if (topology !== null) return topology.stats();
    const conns = this.router.pool.sharedList;
    const commands = conns.reduce((n, c) => n + c.commandCount, 0);
    return [{ address: conns[0]?.address ?? '?', role: 'master', commands, ready: conns.some((c) => c.status === 'ready') }];
  }

  authenticate(password: string): Promise<boolean> {
    const pools: BasePool[] = [];
    for (const backend of this.router.backend.family.values()) {
      if (backend.topology !== null) for (const pool of backend.topology.pools) pools.push(pool);
      else pools.push(backend.masterPool);
    }
    return authenticate(pools, password);
  }

  quit(): Promise<void> {
    const backends = this.owned();
    // A blocking pop would hold its connection's quit for its whole timeout (forever for 0): its
    // connection is closed instead, and the pop rejects with a ConnectionError (see README "Lifecycle").
    for (const backend of backends) unblock(backend.masterPool);
    // Every backend is marked closing synchronously, so a command issued right after quit() is refused.
    return Promise.all(backends.map((b) => b.quit())).then(() => undefined);
  }

  disconnect(): void {
    for (const backend of this.owned()) backend.disconnect();
  }

  private owned(): Backend[] {
    if (this.owns === 'family') return [...this.router.backend.family.values()];
    return this.owns === 'backend' ? [this.router.backend] : [];
  }

  /** The routed send as src/tracing.ts sees it. */
  private observed(callOptions: CallOptions | null): CommandRouter<Route> {
    this.observer ??= (options) => ({ send: (route, cmd) => this.send(route, cmd, options), connectionFor: (readonly) => this.router.connectionFor(readonly) });
    return this.observer(callOptions);
  }

  /** Sends through the router; with a topology, a write refused as read-only goes to the new master (src/switchover.ts). */
  private send(route: Route, cmd: Command, callOptions: CallOptions | null): Promise<unknown> {
    if (callOptions !== null) {
      // The view's signal and timeout: armed on the command before the router sees it.
      const p = cmd.promise();
      armCall(cmd, p, callOptions);
      return this.router.send(route, cmd, p);
    }
    const topology = this.router.topology;
    if (topology === null || route.readonly) return this.router.send(route, cmd);
    const master = topology.masterPool;
    return this.router.send(route, cmd).catch((err: unknown) => this.afterRefusedWrite(err, route, cmd, master));
  }

  /**
   * A write the master refused as read-only (a switchover that left the
   * connections up): once the topology has found the new master, the write
   * is sent there, once. It did not run where it was refused.
   */
  private async afterRefusedWrite(err: unknown, route: Route, cmd: Command, master: BasePool): Promise<unknown> {
    const topology = this.router.topology;
    if (topology === null || !isReadonlyError(err)) throw err;
    if (topology.masterPool === master && !(await topology.rediscover())) throw err;
    const again = new Command(cmd.name, cmd.args, cmd.transform, cmd.returnBuffers, cmd.wire, cmd.coalesce);
    again.plainErrors = cmd.plainErrors;
    return this.router.send(route, again);
  }
}

/** Closes the dedicated connections of `pool` that wait in a blocking pop. */
function unblock(pool: BasePool): void {
  for (const conn of pool.connections) if (conn.blocked) conn.disconnect();
}
