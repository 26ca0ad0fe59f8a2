import { EventEmitter } from 'node:events';
import { Command, type Transform } from './connection/command.js';
import type { Connection, ConnectionEvents } from './connection/connection.js';
import { commandTable, type Commands } from './commands/index.js';
import type { ClientMode, CommandSpec, ReplyFn, Str, StrOf } from './commands/types.js';
import { DataError } from './errors.js';
import { Pipeline, type CommandSource } from './pipeline.js';
import type { BasePool, PoolOptions } from './pool.js';
import type { Reply } from './protocol/parser.js';
import { Backend, ROUTED_EVENTS, Router, specForName, type BackendSource, type EventSink } from './router.js';
import type { NodeStats, ReadFrom, Topology, TopologyEvents } from './topology.js';
import { parseUrl } from './url.js';
import { bulk, type BulkItem, type BulkOptions, type BulkSummary } from './bulk/index.js';
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
  /** Share an existing topology (its connections stay the topology owner's to close). */
  topology?: Topology;
}

/** How a client came to be: made by the user (owns every connection of its family), a db view, or a view sharing its parent's. */
type Kind = 'root' | 'db' | 'view';

/**
 * The LedisDB client. Every command of the table is a method (`get`,
 * `hgetall`, `zrangebyscore`...). Commands from any number of callers share
 * the pool's multiplexed connection(s) and go out batched, one write per
 * tick; blocking pops take a dedicated connection. Which connection a command
 * takes is decided in src/router.ts.
 *
 * `new Ledis()` replies with strings; `new Ledis({ decodeResponses: false })`
 * is a `Ledis<false>` whose replies are Buffers.
 */
export class Ledis<D extends boolean = true> extends EventEmitter<LedisEvents> implements EventSink {
  readonly options: LedisOptions;
  /** Replies as strings (true) or Buffers (false). */
  readonly decodeResponses: boolean;
  private readonly router: Router;
  private readonly kind: Kind;
  private readonly parent: Ledis<D> | null;
  private callbacks: Map<string, ReplyFn | null> | null = null;
  private readonly dbClients = new Map<number, Ledis<D>>();
  private masterView: Ledis<D> | null = null;
  private commandSource: CommandSource | null = null;

  constructor(options: LedisOptions & { decodeResponses?: D } = {}, derived?: { router: Router; kind: Kind; parent: Ledis<D> }) {
    super();
    this.options = options;
    this.decodeResponses = options.decodeResponses !== false;
    if (options.encoding !== undefined && !/^utf-?8$/i.test(options.encoding)) {
      throw new DataError(`unsupported encoding ${options.encoding}: only utf-8 is supported`);
    }
    if (derived !== undefined) {
      this.router = derived.router;
      this.kind = derived.kind;
      this.parent = derived.parent;
    } else {
      const { decodeResponses: _d, encoding: _e, connectionPool, master, replicas, readFrom, topology, ...poolOptions } = options;
      let source: BackendSource;
      if (topology !== undefined) source = { topology, owned: false };
      else if (master !== undefined) source = { master, replicas, readFrom, base: poolOptions };
      else if (connectionPool !== undefined) source = { pool: connectionPool, owned: false };
      else source = { base: poolOptions };
      this.router = new Router(new Backend(source), readFrom ?? topology?.readFrom ?? 'master');
      this.kind = 'root';
      this.parent = null;
    }
    // Events reach a client once it listens: a derived client nobody listens to costs no listener anywhere.
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (typeof event === 'string' && ROUTED_EVENTS.has(event)) this.router.backend.subscribe(this);
    });
  }

  /** @internal Re-emits an event of this client's connections or topology (src/router.ts calls it). */
  routedEvent(event: string, args: unknown[]): void {
    // An 'error' event with no listener would throw; callers get their own errors anyway.
    if (event === 'error' && this.listenerCount('error') === 0) return;
    (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
  }

  /** Where this client sends read-only commands (with `master`/`replicas`). */
  get readFrom(): ReadFrom {
    return this.router.readFrom;
  }

  /** The master and replicas, when configured; null for a single server. */
  get topology(): Topology | null {
    return this.router.topology;
  }

  /** The pool of the server (the current master, with a topology) this client writes to. */
  get connectionPool(): BasePool {
    return this.router.pool;
  }

  /**
   * With a topology: a client sharing its connections that reads from the
   * master too, for reads that must see this client's own writes (replication
   * is asynchronous). The same object on every call; this client itself when
   * it already reads from the master.
   */
  master(): Ledis<D> {
    if (this.router.readFrom === 'master') return this;
    if (this.masterView === null) {
      this.masterView = new Ledis<D>(this.options as LedisOptions & { decodeResponses?: D }, {
        router: this.router.withReadFrom('master'),
        kind: 'view',
        parent: this,
      });
    }
    return this.masterView;
  }

  /** Per-node routing counters (with a topology; one entry for a single server). */
  nodeStats(): NodeStats[] {
    const topology = this.router.topology;
    if (topology !== null) return topology.stats();
    const conns = this.router.pool.sharedList;
    const commands = conns.reduce((n, c) => n + c.commandCount, 0);
    return [{ address: conns[0]?.address ?? '?', role: 'master', commands, ready: conns.some((c) => c.status === 'ready') }];
  }

  /** The shared connection a command would go to: the master's, or a replica's for reads when readFrom allows. */
  connectionFor(readonly: boolean): Connection {
    return this.router.connectionFor(readonly);
  }

  /**
   * A client configured from a URL: `ledis://[:password@]host[:port][/db][?options]`
   * or `unix:///path.sock?db=N`.
   */
  static fromUrl<D extends boolean = true>(url: string, options: LedisOptions & { decodeResponses?: D; db?: number } = {}): Ledis<D> {
    return new Ledis<D>(parseUrl(url, options));
  }

  /**
   * Sends any command with its arguments; resolves with the raw reply. It is
   * routed as the table's entry of that name says (a raw BLPOP takes a
   * dedicated connection, a raw GET the lane of its key).
   */
  sendCommand(name: string, ...args: unknown[]): Promise<Reply> {
    const refused = refuseSharedState(name);
    if (refused !== null) return Promise.reject(refused);
    const upper = name.toUpperCase();
    return this.router.send(specForName(upper), new Command(upper, args, null, !this.decodeResponses)) as Promise<Reply>;
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
    if (this.commandSource === null) {
      this.commandSource = {
        command: (spec, name, args) => (spec === null ? new Command(name, args, null, !this.decodeResponses) : this.makeCommand(spec, args)),
        batch: (specs, argsList, write) => this.router.batch(specs, argsList, write),
      };
    }
    return new Pipeline<StrOf<D>, []>(this.commandSource);
  }

  /** Streams commands from a (sync or async) iterable with a bounded number in flight; see `bulk` in src/bulk/index.ts. */
  bulk(source: Iterable<BulkItem> | AsyncIterable<BulkItem>, options?: BulkOptions): Promise<BulkSummary> {
    return bulk(this, source, options);
  }

  /**
   * A client bound to db `index`, with connections of its own (made from
   * this client's resolved connection options), so selecting a db never
   * changes it under other callers. Cached per index, and shared by every
   * client derived from the same one (`ledis.master().db(3)` uses the
   * connections of `ledis.db(3)`).
   */
  db(index: number): Ledis<D> {
    if (!Number.isInteger(index) || index < 0) throw new DataError(`db index must be a non-negative integer, got ${index}`, 'SELECT');
    if (index === this.router.backend.db) return this;
    let client = this.dbClients.get(index);
    if (client === undefined) {
      client = new Ledis<D>({ ...this.options, db: index } as LedisOptions & { decodeResponses?: D }, {
        router: this.router.forDb(index),
        kind: 'db',
        parent: this,
      });
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
      if (client !== this) client.disconnect();
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

  /**
   * Waits for outstanding replies, then closes the connections this client
   * owns: all of them (every db's) for a client you made; a db client's own;
   * nothing for `master()`, which shares its parent's.
   */
  quit(): Promise<void> {
    // Everything is marked closing synchronously, so a command issued right after quit() is refused.
    const closing: Promise<void>[] = [];
    if (this.kind === 'root') {
      for (const backend of [...this.router.backend.family.values()]) closing.push(backend.quit());
    } else if (this.kind === 'db') {
      this.forget();
      closing.push(this.router.backend.quit());
    }
    return Promise.all(closing).then(() => undefined);
  }

  /** Closes the connections this client owns (as quit()) at once; outstanding commands reject with ConnectionError. */
  disconnect(): void {
    if (this.kind === 'root') {
      for (const backend of [...this.router.backend.family.values()]) backend.disconnect();
    } else if (this.kind === 'db') {
      this.forget();
      this.router.backend.disconnect();
    }
  }

  /** A closed db client is dropped from its parent's cache, so db(n) opens new connections. */
  private forget(): void {
    if (this.parent === null) return;
    const db = this.router.backend.db;
    if (this.parent.dbClients.get(db) === this) this.parent.dbClients.delete(db);
  }

  /** Runs a command of the table: shape its arguments, send, shape its reply. */
  private run(spec: CommandSpec, args: unknown[]): Promise<unknown> {
    return this.router.send(spec, this.makeCommand(spec, args));
  }

  /** A Command for a table entry, with this client's reply transform and reply mode. */
  private makeCommand(spec: CommandSpec, args: unknown[]): Command {
    const transform = this.callbacks === null ? (spec.reply ?? null) : this.callbackFor(spec);
    const buffers = spec.bufferReply === true || (!this.decodeResponses && spec.stringReply !== true);
    return new Command(spec.command, args, transform, buffers);
  }

  private callbackFor(spec: CommandSpec): Transform | null {
    const map = this.callbacks as Map<string, ReplyFn | null>;
    return map.has(spec.command) ? (map.get(spec.command) ?? null) : (spec.reply ?? null);
  }
}

// The typed command methods, merged into the class from the table's interfaces.
export interface Ledis<D extends boolean = true> extends Commands<StrOf<D>, ClientMode<StrOf<D>>> {}

/** The client as the command methods below see it: `run` is private to the class, not to this module. */
interface Runner {
  run(spec: CommandSpec, args: unknown[]): Promise<unknown>;
}

for (const [method, spec] of Object.entries(commandTable)) {
  const shape = spec.args;
  const fn =
    shape === undefined
      ? function (this: Runner, ...a: unknown[]): Promise<unknown> {
          return this.run(spec, a);
        }
      : function (this: Runner, ...a: unknown[]): Promise<unknown> {
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
