import { EventEmitter } from 'node:events';
import { Command, type Transform } from './connection/command.js';
import type { Connection, ConnectionEvents } from './connection/connection.js';
import { commandTable, type Commands } from './commands/index.js';
import type { ClientMode, CommandSpec, ReplyFn, Str, StrOf } from './commands/types.js';
import { DataError } from './errors.js';
import { Pipeline } from './pipeline.js';
import { BasePool, ConnectionPool, type PoolOptions } from './pool.js';
import type { Reply } from './protocol/parser.js';
import { Topology, type NodeStats, type ReadFrom, type TopologyEvents } from './topology.js';
import { parseUrl } from './url.js';
import { observing, sendObserved } from './tracing.js';
import { bmsetbit, type Bit } from './commands/bit.js';
import { hscanIterator, scanIterator, sscanIterator, zscanIterator, type IterateOptions, type Scanner } from './commands/iterators.js';
import type { ScanType } from './commands/scan.js';
import { scriptFunction, type ScriptCommandOptions, type ScriptFunction } from './commands/script.js';
import { refuseSharedState } from './commands/server.js';
import type { Key } from './commands/types.js';

export type LedisEvents = ConnectionEvents & TopologyEvents;

export interface LedisOptions extends PoolOptions {
  /** Replies as strings (default true) or, when false, as Buffers. The types follow. */
  decodeResponses?: boolean;
  /** Text encoding of replies; only utf-8 is supported (ledis-py's charset). */
  encoding?: 'utf-8' | 'utf8';
  /** Use this pool instead of making one from the options. */
  connectionPool?: BasePool;
  /**
   * Scaling out: the master (URL or options). With it, writes go to the
   * master and read-only commands go where `readFrom` says.
   */
  master?: string | PoolOptions;
  /** Replicas of `master` (URLs or options). */
  replicas?: Array<string | PoolOptions>;
  /** Where read-only commands go: 'master' (default), 'replica' or 'replicaPreferred'. */
  readFrom?: ReadFrom;
  /** Share an existing topology (used by `master()`). */
  topology?: Topology;
  /**
   * Put each command's arguments (as strings) into its `ledis:command` trace
   * context. Off by default: traces then carry only the name and argument
   * count. AUTH's arguments are never included. See README, Tracing.
   */
  traceArgs?: boolean;
  /**
   * Replace a failed command's error stack with the caller's (ioredis's
   * option of the same name): the line that called `ledis.get(...)` instead of
   * the socket's data handler. Off by default; costs one stack capture per command.
   */
  showFriendlyErrorStack?: boolean;
}

/**
 * The LedisDB client. Every command of the table is a method (`get`,
 * `hgetall`, `zrangebyscore`...). Commands from any number of callers share
 * the pool's multiplexed connection(s) and go out batched, one write per
 * tick; blocking pops take a dedicated connection.
 *
 * `new Ledis()` replies with strings; `new Ledis({ decodeResponses: false })`
 * is a `Ledis<false>` whose replies are Buffers.
 */
export class Ledis<D extends boolean = true> extends EventEmitter<LedisEvents> {
  readonly options: LedisOptions;
  /** Where this client sends read-only commands (with `master`/`replicas`). */
  readonly readFrom: ReadFrom;
  /** The master and replicas, when configured; null for a single server. */
  readonly topology: Topology | null;
  private readonly pool: BasePool;
  /** Replies as strings (true) or Buffers (false). */
  readonly decodeResponses: boolean;
  private callbacks: Map<string, ReplyFn | null> | null = null;
  private readonly dbClients = new Map<number, Ledis<D>>();
  private readonly ownsPool: boolean;

  constructor(options: LedisOptions & { decodeResponses?: D } = {}) {
    super();
    this.options = options;
    this.decodeResponses = options.decodeResponses !== false;
    if (options.encoding !== undefined && !/^utf-?8$/i.test(options.encoding)) {
      throw new DataError(`unsupported encoding ${options.encoding}: only utf-8 is supported`);
    }
    const { decodeResponses: _d, encoding: _e, connectionPool, master, replicas, readFrom, topology, traceArgs: _t, showFriendlyErrorStack: _s, ...poolOptions } = options;
    this.readFrom = readFrom ?? topology?.readFrom ?? 'master';
    if (topology !== undefined || master !== undefined) {
      this.topology = topology ?? new Topology({ master: master as string | PoolOptions, replicas, readFrom }, poolOptions);
      this.pool = this.topology.masterPool;
      this.ownsPool = topology === undefined;
      const forward = (event: string) => (info: unknown) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, info);
      this.topology.on('failover', forward('failover'));
      this.topology.on('masterDown', forward('masterDown'));
      this.topology.on('masterUp', forward('masterUp'));
    } else if (connectionPool) {
      this.topology = null;
      this.pool = connectionPool;
      this.ownsPool = false;
    } else {
      this.topology = null;
      this.pool = new ConnectionPool(poolOptions);
      this.ownsPool = true;
    }
    for (const conn of this.pool.sharedList) this.forwardEvents(conn);
  }

  /** The pool of the server (the master, with a topology) this client writes to. */
  get connectionPool(): BasePool {
    return this.topology === null ? this.pool : this.topology.masterPool;
  }

  /**
   * With a topology: a client sharing it that reads from the master too, for
   * reads that must see this client's own writes (replication is asynchronous).
   */
  master(): Ledis<D> {
    if (this.topology === null) return this;
    return new Ledis<D>({ ...this.options, topology: this.topology, readFrom: 'master' } as LedisOptions & { decodeResponses?: D });
  }

  /** Per-node routing counters (with a topology; one entry for a single server). */
  nodeStats(): NodeStats[] {
    if (this.topology !== null) return this.topology.stats();
    const conns = this.pool.sharedList;
    const commands = conns.reduce((n, c) => n + c.commandCount, 0);
    return [{ address: conns[0]?.address ?? '?', role: 'master', commands, ready: conns.some((c) => c.status === 'ready') }];
  }

  /** The connection a command goes to: the master's, or a replica's for reads when readFrom allows. */
  connectionFor(readonly: boolean): Connection {
    return this.topology === null ? this.pool.shared() : this.topology.connectionFor(readonly, this.readFrom);
  }

  /**
   * A client configured from a URL: `ledis://[:password@]host[:port][/db][?options]`
   * or `unix:///path.sock?db=N`.
   */
  static fromUrl<D extends boolean = true>(url: string, options: LedisOptions & { decodeResponses?: D; db?: number } = {}): Ledis<D> {
    return new Ledis<D>(parseUrl(url, options));
  }

  /** Sends any command with its arguments; resolves with the raw reply. */
  sendCommand(name: string, ...args: unknown[]): Promise<Reply> {
    const refused = refuseSharedState(name);
    if (refused !== null) return Promise.reject(refused);
    return this.send(new Command(name.toUpperCase(), args, null, !this.decodeResponses)) as Promise<Reply>;
  }

  /** ledis-py's execute_command: the same as sendCommand. */
  executeCommand(name: string, ...args: unknown[]): Promise<Reply> {
    return this.sendCommand(name, ...args);
  }

  /**
   * Replaces the reply transform of a command (by its name as sent, e.g.
   * "GET"), as ledis-py's set_response_callback. `null` restores raw replies.
   */
  setResponseCallback(command: string, callback: ((reply: Reply) => unknown) | null): void {
    if (this.callbacks === null) this.callbacks = new Map();
    this.callbacks.set(command.toUpperCase(), callback);
  }

  /** A batch builder: chain commands, then `exec()` sends them together. */
  pipeline(): Pipeline<StrOf<D>, []> {
    return new Pipeline<StrOf<D>, []>(this as unknown as Ledis<boolean>);
  }

  /**
   * A client bound to db `index`, with connections of its own, so selecting a
   * db never changes it under other callers. Cached per index.
   */
  db(index: number): Ledis<D> {
    if (!Number.isInteger(index) || index < 0) throw new DataError(`db index must be a non-negative integer, got ${index}`, 'SELECT');
    const current = this.connectionPool.connectionOptions.db ?? 0;
    if (index === current) return this;
    let client = this.dbClients.get(index);
    if (client === undefined) {
      // A client made on a given pool has no address in its own options: take the pool's.
      const base = this.options.connectionPool !== undefined ? { ...this.connectionPool.connectionOptions, ...this.options } : this.options;
      client = new Ledis<D>({ ...base, connectionPool: undefined, db: index } as LedisOptions & { decodeResponses?: D });
      this.dbClients.set(index, client);
    }
    return client;
  }

  /**
   * Resolves with the client bound to db `index` (the same one `db(index)`
   * returns) once the server has accepted SELECT on that client's own
   * connection; rejects if it refused the index. This client stays on its
   * db: SELECT is never sent on a connection other callers share.
   */
  async select(index: number): Promise<Ledis<D>> {
    const client = this.db(index);
    try {
      await client.connect();
    } catch (err) {
      if (client !== this) {
        this.dbClients.delete(index);
        client.disconnect();
      }
      throw err;
    }
    return client;
  }

  /**
   * ledis-py's bmsetbit: sets each `offset, value` pair of the bitmap `name`
   * (SETBITs written together, one round trip, not atomic); resolves to the
   * number of pairs. In a pipeline, chain `setbit` instead.
   */
  bmsetbit(name: Key, ...args: Array<number | Bit>): Promise<number> {
    return bmsetbit(this.pipeline(), name, args);
  }

  /** Every key of one type (XSCAN pages, followed to the end): `for await (const key of ledis.scanIterator({ type: 'KV' }))`. */
  scanIterator(options: IterateOptions & { type: ScanType }): AsyncGenerator<StrOf<D>, void, undefined> {
    return scanIterator(this as unknown as Scanner<StrOf<D>>, options);
  }

  /** Every `[field, value]` of the hash `name` (XHSCAN pages). */
  hscanIterator(name: Key, options?: IterateOptions): AsyncGenerator<[StrOf<D>, StrOf<D>], void, undefined> {
    return hscanIterator(this as unknown as Scanner<StrOf<D>>, name, options);
  }

  /** Every member of the set `name` (XSSCAN pages). */
  sscanIterator(name: Key, options?: IterateOptions): AsyncGenerator<StrOf<D>, void, undefined> {
    return sscanIterator(this as unknown as Scanner<StrOf<D>>, name, options);
  }

  /** Every `[member, score]` of the zset `name`, in member order (XZSCAN pages). */
  zscanIterator(name: Key, options?: IterateOptions): AsyncGenerator<[StrOf<D>, number], void, undefined> {
    return zscanIterator(this as unknown as Scanner<StrOf<D>>, name, options);
  }

  /**
   * Makes a Lua script a method of this client, `ledis[name](...args)`, and
   * returns it. Calls send EVALSHA, and EVAL when the server doesn't have the
   * script yet. With `numberOfKeys`, that many leading arguments are KEYS;
   * without it, the first argument of each call gives the number of keys.
   */
  defineCommand(name: string, options: ScriptCommandOptions): ScriptFunction<StrOf<D>> {
    if (typeof name !== 'string' || name === '' || name in this) {
      throw new DataError(`${JSON.stringify(name)} is not a free method name on this client`, 'defineCommand');
    }
    const fn = scriptFunction<StrOf<D>>((command, args) => this.sendCommand(command, ...args), name, options);
    Object.defineProperty(this, name, { value: fn, writable: true, configurable: true });
    return fn;
  }

  /** Connects the shared connection(s) now (with lazyConnect) and resolves when ready. */
  async connect(): Promise<void> {
    await Promise.all(this.connectionPool.sharedList.map((c) => c.connect()));
  }

  /** Waits for outstanding replies, then closes every connection of this client. */
  quit(): Promise<void> {
    // Everything is marked closing synchronously, so a command issued right after quit() is refused.
    const closing = [...this.dbClients.values()].map((c) => c.quit());
    if (this.ownsPool) closing.push(this.topology !== null ? this.topology.quit() : this.pool.quit());
    return Promise.all(closing).then(() => undefined);
  }

  /** Closes every connection at once; outstanding commands reject with ConnectionError. */
  disconnect(): void {
    for (const c of this.dbClients.values()) c.disconnect();
    if (this.ownsPool) {
      if (this.topology !== null) this.topology.disconnect();
      else this.pool.disconnect();
    }
  }

  /** Runs a command of the table: shape its arguments, send, shape its reply. */
  run(spec: CommandSpec, args: unknown[]): Promise<unknown> {
    const cmd = this.makeCommand(spec, args);
    return spec.blocking === true ? this.sendDedicated(cmd) : this.send(cmd, spec.readonly === true);
  }

  /** A Command for a table entry, with this client's reply transform and reply mode (used by Pipeline). */
  makeCommand(spec: CommandSpec, args: unknown[]): Command {
    const transform = this.callbacks === null ? (spec.reply ?? null) : this.callbackFor(spec);
    const buffers = spec.bufferReply === true || (!this.decodeResponses && spec.stringReply !== true);
    return new Command(spec.command, args, transform, buffers);
  }

  private callbackFor(spec: CommandSpec): Transform | null {
    const map = this.callbacks as Map<string, ReplyFn | null>;
    return map.has(spec.command) ? (map.get(spec.command) ?? null) : (spec.reply ?? null);
  }

  private send(cmd: Command, readonly = false): Promise<unknown> {
    let conn: Connection;
    try {
      conn = this.topology === null ? this.pool.shared() : this.topology.connectionFor(readonly, this.readFrom);
    } catch (err) {
      return Promise.reject(err);
    }
    if (observing(this.options)) return sendObserved(this.options, cmd, conn);
    const p = cmd.promise();
    conn.send(cmd);
    return p;
  }

  /** Runs a command on a dedicated connection (blocking pops), released afterwards. */
  private async sendDedicated(cmd: Command): Promise<unknown> {
    // Blocking pops take their timeout (seconds, 0 = forever) last; commandTimeout only counts past it.
    const seconds = Number(cmd.args[cmd.args.length - 1]);
    cmd.blockMs = seconds > 0 ? seconds * 1000 : Infinity;
    const conn = await this.connectionPool.getConnection(cmd.name);
    try {
      if (observing(this.options)) return await sendObserved(this.options, cmd, conn);
      const p = cmd.promise();
      conn.send(cmd);
      return await p;
    } finally {
      this.connectionPool.release(conn);
    }
  }

  private forwarded = new WeakSet<Connection>();
  private forwardEvents(conn: Connection): void {
    if (this.forwarded.has(conn)) return;
    this.forwarded.add(conn);
    for (const event of ['connect', 'ready', 'close', 'reconnecting', 'end'] as const) {
      conn.on(event, (...a: unknown[]) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...a));
    }
    conn.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
  }
}

// The typed command methods, merged into the class from the table's interfaces.
export interface Ledis<D extends boolean = true> extends Commands<StrOf<D>, ClientMode<StrOf<D>>> {}

for (const [method, spec] of Object.entries(commandTable)) {
  const shape = spec.args;
  const fn =
    shape === undefined
      ? function (this: Ledis<boolean>, ...a: unknown[]): Promise<unknown> {
          return this.run(spec, a);
        }
      : function (this: Ledis<boolean>, ...a: unknown[]): Promise<unknown> {
          let args: unknown[];
          try {
            args = shape(...a);
          } catch (err) {
            return Promise.reject(err);
          }
          return this.run(spec, args);
        };
  Object.defineProperty(fn, 'name', { value: method });
  Object.defineProperty(Ledis.prototype, method, { value: fn, writable: true, configurable: true });
}

export type { Str };
