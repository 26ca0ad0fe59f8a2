import { EventEmitter } from 'node:events';
import { Command, type Transform } from './connection/command.js';
import type { Connection, ConnectionEvents } from './connection/connection.js';
import { commandTable, specByCommand, type Commands } from './commands/index.js';
import { minArgsOf, tooFewArguments } from './commands/arity.js';
import { makeKeyPrefix, prefixCommand, type KeyPrefix } from './prefix.js';
import type { ClientMode, CommandSpec, ReplyFn, Str, StrOf } from './commands/types.js';
import { asLedisError, ConnectionError, DataError, ResponseError } from './errors.js';
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
import { observing, sendObserved, type CommandRouter } from './tracing.js';
import { isReadonlyError } from './switchover.js';
import { firstAttempt, statusOf, type LedisStatus } from './lifecycle.js';
import { armCall, checkCallOptions, type CallOptions } from './views.js';
import { clientOptions } from './client-args.js';
import { bulk, type BulkItem, type BulkOptions, type BulkSummary } from './bulk/index.js';
import { bmsetbit, type Bit } from './commands/bit.js';
import { bcount, bdelete, type BcountSource } from './commands/compat.js';
import { hscanIterator, scanIterator, sscanIterator, zscanIterator, type IterateOptions, type Scanner } from './commands/iterators.js';
import type { ScanType } from './commands/scan.js';
import { scriptFunction, type ScriptCommandOptions, type ScriptFunction } from './commands/script.js';
import { commandName } from './commands/server.js';
import type { Key } from './commands/types.js';
import { proxyRefusal } from './sharding/twemproxy.js';
import { redactShards, ShardRouter, type ShardingOptions } from './sharding/router.js';

export type LedisEvents = ConnectionEvents & TopologyEvents;

export interface LedisOptions extends PoolOptions, ShardingOptions {
  /**
   * The server as a URL, node-redis's `createClient({ url })`:
   * `new Ledis({ url: 'ledis://:pw@host:6380/2', commandTimeout: 500 })` is
   * `new Ledis('ledis://:pw@host:6380/2', { commandTimeout: 500 })`: the
   * URL's parts (and query string) win where both speak. Checked as that
   * form is (DataError, password redacted); not kept in `ledis.options`.
   * Only in `new Ledis(options)`: with a URL, path or port argument, or with
   * `shards`, `master`, `replicas`, `topology` or `connectionPool`, a DataError.
   */
  url?: string;
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
   * Prepended to every key argument of every command (ioredis's keyPrefix):
   * `keyPrefix: 'app:'` makes `get('k')` read `app:k`. Scans stay inside the
   * prefix and return keys without it; see README "keyPrefix" for what is not prefixed.
   */
  keyPrefix?: string;
  /**
   * The address is a proxy: 'twemproxy' (nutcracker). Commands it does not
   * forward (it closes the connection on them) are refused before sending
   * with a ResponseError naming the command; see README "Sharding". Also
   * turns `coalesce` off unless it is given (an MGET spanning servers fails
   * whole when one of them is down).
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

/** The link of a derived client (db view, master(), buffers ...) to the connections it shares. */
class Derived<D extends boolean> {
  constructor(
    readonly router: Router,
    readonly kind: Kind,
    readonly parent: Ledis<D>,
    readonly callOptions: CallOptions | null = null,
    readonly shards: ShardRouter<Ledis<D>> | undefined = undefined,
  ) {}
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
 * is a `Ledis<false>` whose replies are Buffers. Options typed only as
 * `LedisOptions` (decodeResponses: boolean) give a client typed for strings,
 * the default: type them `LedisOptions & { decodeResponses: false }` for
 * Buffers.
 */
export class Ledis<D extends boolean = true> extends EventEmitter<LedisEvents> implements EventSink {
  readonly options: LedisOptions;
  /** Replies as strings (true) or Buffers (false). */
  readonly decodeResponses: boolean;
  private readonly router: Router;
  private readonly kind: Kind;
  private readonly parent: Ledis<D> | null;
  private callbacks: Map<string, ReplyFn | null> | null = null;
  /** The keyPrefix option, checked; null for none. */
  private readonly keyPrefix: KeyPrefix | null;
  /** withOptions' signal and timeout, for every command of this view; null for a plain client. */
  private readonly callOptions: CallOptions | null;
  private buffersView: Ledis<false> | null = null;
  private readonly dbClients = new Map<number, Ledis<D>>();
  private masterView: Ledis<D> | null = null;
  /** quit() was called and has not finished. */
  private closingNow = false;
  /** quit() finished or disconnect() was called ('end' is emitted once). */
  private ended = false;
  private commandSource: CommandSource | null = null;
  /** With `shards`: the shard router above the per-shard clients (see README "Sharding"); null otherwise. */
  private readonly shards: ShardRouter<Ledis<D>> | null = null;

  /**
   * `new Ledis('ledis://host:port/db')`, a unix socket path (`'/tmp/ledis.sock'`,
   * `'/tmp/ledis.sock?db=2'`) or a port as a string of digits (`'6380'`, as
   * ioredis); the URL's parts win over `options`. DataError for a bad one.
   */
  constructor(url: string, options?: LedisOptions & { decodeResponses?: D });
  /** `new Ledis(6380)`: a port on localhost (or on `options.host`). */
  constructor(port: number, options?: LedisOptions & { decodeResponses?: D });
  /** `new Ledis(6380, 'db.internal', options)`, as ioredis takes it; the port may be a string of digits (`'6380'`). */
  constructor(port: number | `${number}`, host: string, options?: LedisOptions & { decodeResponses?: D });
  /** `new Ledis()` or `new Ledis(options)`: localhost:6380 unless the options say otherwise. (Last, so `ConstructorParameters<typeof Ledis>` is this form.) */
  constructor(options?: LedisOptions & { decodeResponses?: D });
  constructor(a?: unknown, b?: unknown, c?: unknown) {
    super();
    const derived = b instanceof Derived ? (b as Derived<D>) : undefined;
    const options = derived !== undefined ? (a as LedisOptions) : clientOptions<LedisOptions>(a, b, c);
    checkClientOptions(options);
    this.options = redactShards(redactPassword({ ...options }));
    this.decodeResponses = options.decodeResponses !== false;
    if (options.encoding !== undefined && !/^utf-?8$/i.test(options.encoding)) {
      throw new DataError(`unsupported encoding ${options.encoding}: only utf-8 is supported`);
    }
    this.keyPrefix = makeKeyPrefix(options.keyPrefix);
    this.callOptions = derived?.callOptions ?? null;
    if (derived !== undefined) {
      this.router = derived.router;
      this.kind = derived.kind;
      this.parent = derived.parent;
      this.shards = derived.shards ?? null;
    } else if (options.shards !== undefined) {
      // One more routing decision above the per-shard clients: each shard is a whole client (src/sharding/router.ts).
      this.shards = new ShardRouter<Ledis<D>>(options, (o) => new Ledis<D>(o as LedisOptions & { decodeResponses?: D }));
      this.router = (this.shards.clients[0] as Ledis<D>).router;
      this.kind = 'root';
      this.parent = null;
    } else {
      const { decodeResponses: _d, encoding: _e, connectionPool, master, replicas, readFrom, topology, proxy, shards: _s, hashTag: _h, keyPrefix: _k, traceArgs: _t, showFriendlyErrorStack: _f, ...poolOptions } =
        options;
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
    // 'end' is the client's own: once, when quit() or disconnect() is done or every connection has given up.
    if (event === 'end') {
      if (statusOf(this.connectionPool.sharedList) === 'end') this.emitEnd();
      return;
    }
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
      this.masterView = derive<D>(
        this.options,
        new Derived<D>(this.router.withReadFrom('master'), 'view', this, null, this.shards?.map((c) => c.master())),
      );
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
      const cmd = this.makeRawCommand(upper, args);
      return (observing(this.options) ? sendObserved(this.options, this.observed(), route, cmd) : this.sendRouted(route, cmd)) as Promise<Reply>;
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
   * Replaces the reply transform of a command (by its name, e.g. "GET"), as
   * ledis-py's set_response_callback. `null` restores raw replies. A method
   * that sends another command than its own (`incr` sends INCRBY) takes the
   * callback of its own name first (INCR), else of the one it sends.
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
        command: (spec, name, args) => (spec === null ? this.makeRawCommand(name, args) : this.makeCommand(routeOf(spec), args)),
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

  /** @internal A bulk load's command, to the shared connection of its first key (`undefined`: keyless). */
  sendBulkCommand(cmd: Command, key: unknown): void {
    this.router.sendKeyed(cmd, key);
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
      // Sharded: the same ring over each shard client's db(index) (connections of their own, made from
      // that shard's resolved options, so a shard URL's db path does not win; closed with this client).
      const onDb = this.shards.map((c) => c.db(index));
      client = derive<D>({ ...this.options, db: index }, new Derived<D>((onDb.clients[0] as Ledis<D>).router, 'db', this, null, onDb));
      this.dbClients.set(index, client);
    }
    if (client === undefined) {
      client = derive<D>({ ...this.options, db: index }, new Derived<D>(this.router.forDb(index), 'db', this));
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
      // The handshake's SELECT got an error reply: that reply is the answer (ledis-py raises it), not a connection failure.
      throw selectRefusal(err) ?? err;
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

  /**
   * ledis-py's bcount, with 0.5's meaning: set bits of the bitmap `name`
   * between the BIT offsets `start` and `end` inclusive (both or neither;
   * negative from the end), counted from the covering bytes (GETRANGE).
   * Today's `bitcount` takes byte offsets instead.
   */
  bcount(name: Key, start?: number, end?: number): Promise<number> {
    const source: BcountSource = { run: (spec, args) => this.run(routeOf(spec), args) };
    return bcount(source, name, start, end);
  }

  /**
   * ledis-py's bdelete, with 0.5's reply: 1 if the bitmap existed, else 0
   * (today's DEL answers the number of keys given, existing or not). Sends
   * EXISTS and DEL together, one round trip, not atomic.
   */
  bdelete(name: Key): Promise<number> {
    return bdelete(this.pipeline(), name);
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

  /**
   * Where the client is: `'wait'` (lazyConnect, nothing sent yet),
   * `'connecting'`, `'ready'`, `'reconnecting'` (lost, retrying; commands
   * wait up to offlineTimeout), `'closing'` (quit() waiting for replies),
   * `'end'` (after quit() or disconnect(), or when retryStrategy gave up).
   */
  get status(): LedisStatus {
    if (this.ended) return 'end';
    if (this.closingNow) return 'closing';
    return statusOf(this.connectionPool.sharedList);
  }

  /**
   * Connects the shared connection(s) now (with lazyConnect) and resolves
   * when ready. Rejects with a ConnectionError when the first attempt fails
   * (refused, connectTimeout, AUTH or SELECT refused), rather than waiting
   * through every retry: it settles within connectTimeout. The client keeps
   * retrying in the background as retryStrategy says.
   */
  async connect(): Promise<void> {
    if (this.shards !== null) {
      await Promise.all(this.shards.clients.map((c) => c.connect()));
      return;
    }
    await Promise.all(this.connectionPool.sharedList.map(firstAttempt));
  }

  /**
   * A new, independent client with this one's options (and `overrides`): its
   * own connections, as ioredis's duplicate(). Made from the resolved
   * connection options when this client was given a pool.
   */
  duplicate(): Ledis<D>;
  duplicate<O extends LedisOptions>(overrides: O): Ledis<O extends { decodeResponses: false } ? false : O extends { decodeResponses: true } ? true : D>;
  duplicate(overrides: LedisOptions = {}): Ledis<boolean> {
    if (overrides === null || typeof overrides !== 'object') throw new DataError('duplicate(overrides): overrides must be an object', 'duplicate');
    const { connectionPool, ...own } = this.options;
    const base: LedisOptions =
      connectionPool !== undefined && own.topology === undefined ? { ...this.connectionPool.connectionOptions, ...own } : own;
    return new Ledis<boolean>({ ...base, db: this.router.backend.db, readFrom: this.readFrom, ...overrides });
  }

  /**
   * The same client with Buffer replies, sharing its connections (no second
   * connection): `ledis.buffers.get(k)` is `Promise<Buffer | null>`,
   * `ledis.buffers.pipeline()` a pipeline of Buffer replies. Cached.
   */
  get buffers(): Ledis<false> {
    if (this.buffersView === null) {
      this.buffersView = derive<false>(
        { ...this.options, decodeResponses: false },
        new Derived<false>(this.router, 'view', this as unknown as Ledis<false>, this.callOptions, this.shards?.map((c) => c.buffers as unknown as Ledis<D>) as unknown as ShardRouter<Ledis<false>> | undefined),
      );
    }
    return this.buffersView;
  }

  /**
   * A view sharing this client's connections whose commands take per-call
   * options: `signal` (an AbortSignal: a command not yet written is taken off
   * the queue and rejects with AbortError, `mayHaveRun: false`; one already
   * written rejects with AbortError, `mayHaveRun: true`, and its reply is
   * dropped) and `timeout` (ms, instead of commandTimeout). For calls on the
   * view; its pipelines ignore them.
   */
  withOptions(options: CallOptions): Ledis<D> {
    const checked = checkCallOptions(options);
    return derive<D>(this.options, new Derived<D>(this.router, 'view', this, checked, this.shards?.map((c) => c.withOptions(checked))));
  }

  /** `await using ledis = new Ledis()`: quit() when the scope ends. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.quit();
  }

  private emitEnd(): void {
    this.ended = true;
    this.closingNow = false;
    if (this.endEmitted) return;
    this.endEmitted = true;
    (this.emit as (e: string) => boolean)('end');
  }

  private endEmitted = false;

  /**
   * Waits for outstanding replies, then closes the connections this client
   * owns: all of them (every db's) for a client you made; a db client's own;
   * nothing for `master()`, which shares its parent's.
   */
  quit(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.closingNow = true;
    // A blocking pop would hold its connection's quit for its whole timeout (forever for 0): its
    // connection is closed instead, and the pop rejects with a ConnectionError (see README "Lifecycle").
    for (const backend of this.ownedBackends()) unblock(backend.masterPool);
    // Everything is marked closing synchronously, so a command issued right after quit() is refused.
    const closing: Promise<void>[] = [];
    if (this.shards !== null) {
      if (this.kind === 'db') this.forget();
      if (this.kind !== 'view') for (const c of [...this.shards.clients, ...this.dbClients.values()]) closing.push(c.quit());
      return Promise.all(closing).then(() => this.emitEnd());
    }
    if (this.kind === 'root') {
      for (const backend of [...this.router.backend.family.values()]) closing.push(backend.quit());
    } else if (this.kind === 'db') {
      this.forget();
      if (!this.router.backend.isRoot) closing.push(this.router.backend.quit());
    }
    return Promise.all(closing).then(() => this.emitEnd());
  }

  private ownedBackends(): Backend[] {
    if (this.kind === 'root') return [...this.router.backend.family.values()];
    return this.kind === 'db' && !this.router.backend.isRoot ? [this.router.backend] : [];
  }

  /** Closes the connections this client owns (as quit()) at once; outstanding commands reject with ConnectionError. */
  disconnect(): void {
    if (!this.ended) {
      this.ended = true;
      process.nextTick(() => this.emitEnd());
    }
    if (this.shards !== null) {
      if (this.kind === 'db') this.forget();
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
      return observing(this.options) ? sendObserved(this.options, this.observed(), route, cmd) : this.sendRouted(route, cmd);
    } catch (err) {
      return Promise.reject(asLedisError(err));
    }
  }

  private observer: CommandRouter<Route> | null = null;
  /** sendRouted as src/tracing.ts sees it (made on the first traced or friendly-stack command). */
  private observed(): CommandRouter<Route> {
    return (this.observer ??= { send: (route, cmd) => this.sendRouted(route, cmd), connectionFor: (readonly) => this.router.connectionFor(readonly) });
  }

  /** Sends through the router; with a topology, a write refused as read-only goes to the new master (src/switchover.ts). */
  private sendRouted(route: Route, cmd: Command): Promise<unknown> {
    if (this.callOptions !== null) {
      // The view's signal and timeout: armed on the command before the router sees it.
      const p = cmd.promise();
      armCall(cmd, p, this.callOptions);
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
    return this.router.send(route, new Command(cmd.name, cmd.args, cmd.transform, cmd.returnBuffers, cmd.wire));
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
    if (this.keyPrefix !== null) {
      const prefixed = prefixCommand(this.keyPrefix, route.spec, args, transform);
      return new Command(route.name, prefixed.args, prefixed.reply, buffers, route.command);
    }
    return new Command(route.name, args, transform, buffers, route.command);
  }

  /** A Command for a raw `sendCommand(name, ...args)` (name upper case): raw reply; keys prefixed as the table says for that command. */
  private makeRawCommand(name: string, args: unknown[]): Command {
    const spec = this.keyPrefix === null ? undefined : specByCommand.get(name);
    if (spec !== undefined) {
      const prefixed = prefixCommand(this.keyPrefix as KeyPrefix, spec, args, null);
      return new Command(name, prefixed.args, prefixed.reply, !this.decodeResponses);
    }
    return new Command(name, args, null, !this.decodeResponses);
  }

  /** The caller's response callback for the command the method stands for (INCR for `incr`), else for the one it sends (INCRBY, as ledis-py's incr). */
  private callbackFor(route: Route): Transform | null {
    const map = this.callbacks as Map<string, ReplyFn | null>;
    const emulated = route.spec.emulatedReply;
    if (emulated !== undefined) {
      // strlen reads GET: a STRLEN callback gets STRLEN's integer; a GET callback is not STRLEN's.
      if (!map.has(route.name)) return route.reply;
      const callback = map.get(route.name) ?? null;
      return callback === null ? emulated : (reply, args) => callback(emulated(reply, args) as Reply, args);
    }
    if (map.has(route.name)) return map.get(route.name) ?? null;
    return map.has(route.command) ? (map.get(route.command) ?? null) : route.reply;
  }
}

/** Closes the dedicated connections of `pool` that wait in a blocking pop. */
function unblock(pool: BasePool): void {
  for (const conn of pool.connections) if (conn.blocked) conn.disconnect();
}

/** A client sharing `derived.router`'s connections (the constructor form not offered to users). */
function derive<D extends boolean>(options: LedisOptions, derived: Derived<D>): Ledis<D> {
  return new (Ledis as unknown as new (o: LedisOptions, d: Derived<D>) => Ledis<D>)(options, derived);
}

/** The server's error reply to a handshake SELECT, found in the cause chain of a connection failure. */
function selectRefusal(err: unknown): ResponseError | null {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof ConnectionError; depth++) e = e.cause;
  return e instanceof ResponseError && e.command === 'SELECT' ? e : null;
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
  const minArgs = minArgsOf(spec);
  const fn =
    shape === undefined
      ? function (this: Runner, ...a: unknown[]): Promise<unknown> {
          if (a.length < minArgs) return Promise.reject(tooFewArguments(method, spec, a.length));
          return this.run(route, a);
        }
      : function (this: Runner, ...a: unknown[]): Promise<unknown> {
          let args: unknown[];
          try {
            args = shape(...a);
          } catch (err) {
            return Promise.reject(asLedisError(err, DataError));
          }
          if (args.length < minArgs) return Promise.reject(tooFewArguments(method, spec, args.length));
          return this.run(route, args);
        };
  Object.defineProperty(fn, 'name', { value: method });
  Object.defineProperty(Ledis.prototype, method, { value: fn, writable: true, configurable: true });
}
// AUTH is not sent as a table command on a shared connection: see Ledis#auth (auth.ts).
Object.defineProperty(Ledis.prototype, 'auth', { value: classAuth, writable: true, configurable: true });

export type { Str };
