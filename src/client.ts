import { EventEmitter } from 'node:events';
import { Command, type Transform } from './connection/command.js';
import type { Connection, ConnectionEvents } from './connection/connection.js';
import { commandTable, type Commands } from './commands/index.js';
import type { ClientMode, CommandSpec, ReplyFn, Str, StrOf } from './commands/types.js';
import { asLedisError, DataError } from './errors.js';
import { authenticate } from './auth.js';
import { redactPassword } from './connection/options.js';
import { inspect } from 'node:util';
import { checkClientOptions } from './options-check.js';
import { Pipeline, type CommandSource } from './pipeline.js';
import type { BasePool, PoolOptions } from './pool.js';
import type { Reply } from './protocol/parser.js';
import { Backend, ROUTED_EVENTS, Router, routeForName, routeOf, type BackendSource, type EventSink, type Route } from './router.js';
import type { NodeStats, ReadFrom, Topology, TopologyEvents } from './topology.js';
import { parseUrl } from './url.js';
import { observing, sendObserved } from './tracing.js';
import { bulk, type BulkItem, type BulkOptions, type BulkSummary } from './bulk/index.js';
import { bmsetbit, type Bit } from './commands/bit.js';
import { hscanIterator, scanIterator, sscanIterator, zscanIterator, type IterateOptions, type Scanner } from './commands/iterators.js';
import type { ScanType } from './commands/scan.js';
import { scriptFunction, type ScriptCommandOptions, type ScriptFunction } from './commands/script.js';
import { commandName } from './commands/server.js';
import type { Key } from './commands/types.js';
import { proxyRefusal } from './sharding/twemproxy.js';
import { redactShards, ShardRouter, type ShardingOptions } from './sharding/router.js';

export type LedisEvents = ConnectionEvents & TopologyEvents;

export interface LedisOptions extends PoolOptions, ShardingOptions {
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
  /**
   * The address is a proxy: 'twemproxy' (nutcracker). Commands it does not
   * forward (it closes the connection on them) are refused before sending
   * with a ResponseError naming the command; see README "Sharding".
   */
  proxy?: 'twemproxy';
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
  /** With `shards`: the shard router above the per-shard clients (see README "Sharding"); null otherwise. */
  private readonly shards: ShardRouter<Ledis<D>> | null = null;

  constructor(
    options: LedisOptions & { decodeResponses?: D } = {},
    derived?: { router: Router; kind: Kind; parent: Ledis<D>; shards?: ShardRouter<Ledis<D>> },
  ) {
    super();
    checkClientOptions(options);
    this.options = redactPassword({ ...options });
    this.decodeResponses = options.decodeResponses !== false;
    if (options.encoding !== undefined && !/^utf-?8$/i.test(options.encoding)) {
      throw new DataError(`unsupported encoding ${options.encoding}: only utf-8 is supported`);
    }
    if (derived !== undefined) {
      this.router = derived.router;
      this.kind = derived.kind;
      this.parent = derived.parent;
      this.shards = derived.shards ?? null;
    } else if (options.shards !== undefined) {
      // One more routing decision above the per-shard clients: each shard is a whole client (src/sharding/router.ts).
      this.shards = new ShardRouter<Ledis<D>>(options, (o) => new Ledis<D>(o as LedisOptions & { decodeResponses?: D }));
      redactShards(this.options);
      this.router = (this.shards.clients[0] as Ledis<D>).router;
      this.kind = 'root';
      this.parent = null;
    } else {
      const { decodeResponses: _d, encoding: _e, connectionPool, master, replicas, readFrom, topology, proxy, shards: _s, hashTag: _h, traceArgs: _t, showFriendlyErrorStack: _f, ...poolOptions } =
        options;
      if (proxy !== undefined && proxy !== 'twemproxy') throw new DataError(`proxy must be 'twemproxy', got ${JSON.stringify(proxy)}`);
      if (proxy !== undefined && (poolOptions.db ?? 0) !== 0) {
        throw new DataError("twemproxy does not forward SELECT: use db 0 (twemproxy's redis_db option picks the server db)");
      }
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
      if (typeof event !== 'string' || !ROUTED_EVENTS.has(event)) return;
      if (this.shards === null) this.router.backend.subscribe(this);
      else for (const shard of this.shards.clients) shard.router.backend.subscribe(this);
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
    const fromMaster = this.shards === null ? this.router.readFrom === 'master' : this.shards.clients.every((c) => c.readFrom === 'master');
    if (fromMaster) return this;
    if (this.masterView === null) {
      this.masterView = new Ledis<D>(this.options as LedisOptions & { decodeResponses?: D }, {
        router: this.router.withReadFrom('master'),
        kind: 'view',
        parent: this,
        shards: this.shards?.map((c) => c.master()),
      });
    }
    return this.masterView;
  }

  /** Per-node routing counters (with a topology; one entry for a single server). */
  nodeStats(): NodeStats[] {
    if (this.shards !== null) return this.shards.stats();
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
    return this.sendRaw(name, args);
  }

  /** ledis-py's execute_command: the same as sendCommand. */
  executeCommand(name: string, ...args: unknown[]): Promise<Reply> {
    return this.sendRaw(name, args);
  }

  /** sendCommand with its arguments as an array (any length: never spread). Every failure is a rejected promise. */
  sendRaw(name: string, args: unknown[]): Promise<Reply> {
    try {
      const upper = commandName(name);
      const refused = proxyRefusal(this.options.proxy, upper);
      if (refused !== null) return Promise.reject(refused);
      if (this.shards !== null) return this.shards.sendCommand(upper, args);
      const route = routeForName(upper);
      const cmd = new Command(upper, args, null, !this.decodeResponses);
      return (observing(this.options) ? sendObserved(this.options, this.router, route, cmd) : this.router.send(route, cmd)) as Promise<Reply>;
    } catch (err) {
      return Promise.reject(asLedisError(err, DataError));
    }
  }

  /**
   * AUTH with a meaning safe on shared connections: the password is tried on
   * a connection of its own first; a wrong one rejects with the server's
   * ResponseError and changes nothing for anyone. An accepted one becomes
   * the password of every connection of this client (every db's, master and
   * replicas): sent on each shared connection now and on every later
   * (re)connect. Prefer the `password` option.
   */
  auth(password: string): Promise<boolean> {
    const pools: BasePool[] = [];
    for (const backend of this.router.backend.family.values()) {
      if (backend.topology !== null) for (const pool of backend.topology.pools) pools.push(pool);
      else pools.push(backend.masterPool);
    }
    return authenticate(pools, password);
  }

  /** util.inspect: the options with the password redacted, never the connections' internals. */
  [inspect.custom](_depth: number, opts: object): string {
    return `Ledis ${inspect(this.toJSON(), opts)}`;
  }

  /** JSON.stringify: the options with the password redacted. */
  toJSON(): { options: unknown; decodeResponses: boolean; readFrom: ReadFrom } {
    return { options: (this.options as { toJSON(): unknown }).toJSON(), decodeResponses: this.decodeResponses, readFrom: this.readFrom };
  }

  /**
   * Replaces the reply transform of a command (by its name as sent, e.g.
   * "GET"), as ledis-py's set_response_callback. `null` restores raw replies.
   */
  setResponseCallback(command: string, callback: ((reply: Reply) => unknown) | null): void {
    if (typeof command !== 'string' || command === '') throw new DataError('the command must be a non-empty string', 'setResponseCallback');
    if (callback !== null && typeof callback !== 'function') throw new DataError('the callback must be a function or null', 'setResponseCallback');
    if (this.callbacks === null) this.callbacks = new Map();
    this.callbacks.set(command.toUpperCase(), callback);
    if (this.shards !== null) for (const c of this.shards.clients) c.setResponseCallback(command, callback);
  }

  /** A batch builder: chain commands, then `exec()` sends them together. */
  pipeline(): Pipeline<StrOf<D>, []> {
    if (this.commandSource === null) {
      this.commandSource = {
        command: (spec, name, args) => (spec === null ? new Command(name, args, null, !this.decodeResponses) : this.makeCommand(routeOf(spec), args)),
        batch: (specs, argsList, write) => this.router.batch(specs, argsList, write),
        refuse: this.options.proxy === undefined ? undefined : (name) => proxyRefusal(this.options.proxy, name),
        exec: this.shards === null ? undefined : (entries) => (this.shards as ShardRouter<Ledis<D>>).execPipeline(entries),
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
    if (client === undefined && this.shards !== null) {
      // Sharded: the same shards, each on db `index` (connections of their own, closed with this client).
      client = new Ledis<D>({ ...this.options, db: index } as LedisOptions & { decodeResponses?: D });
      this.dbClients.set(index, client);
    }
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

  /** What the iterators page with: table entries run on this client, and its reply mode. */
  private scanner(): Scanner<StrOf<D>> {
    return { run: (spec, args) => this.run(routeOf(spec), args), decodeResponses: this.decodeResponses };
  }

  /** Every key of one type (XSCAN pages, followed to the end): `for await (const key of ledis.scanIterator({ type: 'KV' }))`. */
  scanIterator(options: IterateOptions & { type: ScanType }): AsyncGenerator<StrOf<D>, void, undefined> {
    // Sharded: every shard's keys, one shard after another.
    if (this.shards !== null) return fanOut(this.shards.clients, (c) => c.scanIterator(options));
    return scanIterator(this.scanner(), options);
  }

  /** Every `[field, value]` of the hash `name` (XHSCAN pages). */
  hscanIterator(name: Key, options?: IterateOptions): AsyncGenerator<[StrOf<D>, StrOf<D>], void, undefined> {
    return hscanIterator(this.scanner(), name, options);
  }

  /** Every member of the set `name` (XSSCAN pages). */
  sscanIterator(name: Key, options?: IterateOptions): AsyncGenerator<StrOf<D>, void, undefined> {
    return sscanIterator(this.scanner(), name, options);
  }

  /** Every `[member, score]` of the zset `name`, in member order (XZSCAN pages). */
  zscanIterator(name: Key, options?: IterateOptions): AsyncGenerator<[StrOf<D>, number], void, undefined> {
    return zscanIterator(this.scanner(), name, options);
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
    const fn = scriptFunction<StrOf<D>>((command, args) => this.sendRaw(command, args), name, options);
    Object.defineProperty(this, name, { value: fn, writable: true, configurable: true });
    return fn;
  }

  /** Connects the shared connection(s) now (with lazyConnect) and resolves when ready. */
  async connect(): Promise<void> {
    if (this.shards !== null) {
      await Promise.all(this.shards.clients.map((c) => c.connect()));
      return;
    }
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
    if (this.shards !== null) {
      if (this.kind !== 'view') for (const c of [...this.shards.clients, ...this.dbClients.values()]) closing.push(c.quit());
      return Promise.all(closing).then(() => undefined);
    }
    if (this.kind === 'root') {
      for (const backend of [...this.router.backend.family.values()]) closing.push(backend.quit());
    } else if (this.kind === 'db') {
      this.forget();
      if (!this.router.backend.isRoot) closing.push(this.router.backend.quit());
    }
    return Promise.all(closing).then(() => undefined);
  }

  /** Closes the connections this client owns (as quit()) at once; outstanding commands reject with ConnectionError. */
  disconnect(): void {
    if (this.shards !== null) {
      if (this.kind !== 'view') for (const c of [...this.shards.clients, ...this.dbClients.values()]) c.disconnect();
      return;
    }
    if (this.kind === 'root') {
      for (const backend of [...this.router.backend.family.values()]) backend.disconnect();
    } else if (this.kind === 'db') {
      this.forget();
      if (!this.router.backend.isRoot) this.router.backend.disconnect();
    }
  }

  /** A closed db client is dropped from its parent's cache, so db(n) opens new connections. */
  private forget(): void {
    if (this.parent === null) return;
    const db = this.router.backend.db;
    if (this.parent.dbClients.get(db) === this) this.parent.dbClients.delete(db);
  }

  /** Runs a command of the table: shape its arguments, send, shape its reply. */
  private run(route: Route, args: unknown[]): Promise<unknown> {
    if (this.options.proxy !== undefined) {
      const refused = proxyRefusal(this.options.proxy, route.command);
      if (refused !== null) return Promise.reject(refused);
    }
    if (this.shards !== null) return this.shards.run(route.spec, args);
    try {
      const cmd = this.makeCommand(route, args);
      return observing(this.options) ? sendObserved(this.options, this.router, route, cmd) : this.router.send(route, cmd);
    } catch (err) {
      return Promise.reject(asLedisError(err));
    }
  }

  /**
   * Sharded: the client of shard `index` (in `shards` order), for what names
   * no key (PING, INFO, XSCAN pages, FLUSHDB ...) or must run on one server.
   */
  shard(index: number): Ledis<D> {
    const client = this.shards?.clients[index];
    if (client === undefined) {
      throw new DataError(this.shards === null ? 'this client is not sharded' : `no shard ${index}: there are ${this.shards.clients.length}`);
    }
    return client;
  }

  /** Sharded: the index of the shard `key` lives on (twemproxy's ketama placement, hash tags included); 0 otherwise. */
  shardOf(key: Key): number {
    return this.shards === null ? 0 : this.shards.shardOf(key);
  }

  /** Sharded: the number of shards; 1 otherwise. */
  get shardCount(): number {
    return this.shards === null ? 1 : this.shards.clients.length;
  }

  /** A Command for a table entry, with this client's reply transform and reply mode. */
  private makeCommand(route: Route, args: unknown[]): Command {
    let transform = this.callbacks === null ? route.reply : this.callbackFor(route);
    // replyStrings: the reply is read as Buffers and decoded by the command itself (scan cursors stay bytes).
    const own = this.decodeResponses && route.replyStrings !== null && transform === route.reply;
    if (own) transform = route.replyStrings;
    const buffers = own || route.bufferReply || (!this.decodeResponses && !route.stringReply);
    return new Command(route.command, args, transform, buffers);
  }

  private callbackFor(route: Route): Transform | null {
    const map = this.callbacks as Map<string, ReplyFn | null>;
    return map.has(route.command) ? (map.get(route.command) ?? null) : route.reply;
  }
}

/** Yields every item of each client's iterator, one client after another. */
async function* fanOut<C, T>(clients: readonly C[], each: (c: C) => AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  for (const c of clients) yield* each(c);
}

// The typed command methods, merged into the class from the table's interfaces.
export interface Ledis<D extends boolean = true> extends Commands<StrOf<D>, ClientMode<StrOf<D>>> {}

/** The client as the command methods below see it: `run` is private to the class, not to this module. */
interface Runner {
  run(route: Route, args: unknown[]): Promise<unknown>;
}

const classAuth = Object.getOwnPropertyDescriptor(Ledis.prototype, 'auth')?.value as unknown;
for (const [method, spec] of Object.entries(commandTable)) {
  const shape = spec.args;
  const route = routeOf(spec);
  const fn =
    shape === undefined
      ? function (this: Runner, ...a: unknown[]): Promise<unknown> {
          return this.run(route, a);
        }
      : function (this: Runner, ...a: unknown[]): Promise<unknown> {
          let args: unknown[];
          try {
            args = shape(...a);
          } catch (err) {
            return Promise.reject(asLedisError(err, DataError));
          }
          return this.run(route, args);
        };
  Object.defineProperty(fn, 'name', { value: method });
  Object.defineProperty(Ledis.prototype, method, { value: fn, writable: true, configurable: true });
}
// AUTH is not sent as a table command on a shared connection: see Ledis#auth (auth.ts).
Object.defineProperty(Ledis.prototype, 'auth', { value: classAuth, writable: true, configurable: true });

export type { Str };
