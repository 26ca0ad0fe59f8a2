import { EventEmitter } from 'node:events';
import type { Command } from './connection/command.js';
import type { Connection } from './connection/connection.js';
import type { LedisEvents, LedisOptions } from './client-options.js';
import type { Commands } from './commands/index.js';
import { makeKeyPrefix } from './prefix.js';
import type { ClientMode, Str, StrOf } from './commands/types.js';
import { asLedisError, ConnectionError, DataError, ResponseError, UnexpectedReplyError } from './errors.js';
import { redactPassword } from './connection/options.js';
import { inspect } from 'node:util';
import { checkClientOptions } from './options-check.js';
import { Pipeline, runTogether, type CommandSource } from './pipeline.js';
import type { BasePool } from './pool.js';
import type { Reply } from './protocol/parser.js';
import { ROUTED_EVENTS, type EventSink } from './routing/backend.js';
import { ServerDeployment, type Deployment, type ServerOptions } from './routing/deployment.js';
import { routeOf, type Route } from './routing/route.js';
import type { NodeStats, ReadFrom, Topology } from './topology.js';
import { parseUrl } from './url.js';
import type { LedisStatus } from './lifecycle.js';
import { checkCallOptions, type CallOptions } from './views.js';
import { CommandMode } from './mode.js';
import { installCommandMethods } from './client-methods.js';
import { clientOptions } from './client-args.js';
import { bulk, type BulkItem, type BulkOptions, type BulkSummary } from './bulk/index.js';
import { bmsetbit, type Bit } from './commands/bit.js';
import { bcount, bdelete, type BcountSource } from './commands/compat.js';
import { hscanIterator, scanIterator, sscanIterator, zscanIterator, type IterateOptions, type Scanner } from './commands/iterators.js';
import type { ScanType } from './commands/scan.js';
import { scriptFunction, type ScriptCommandOptions, type ScriptFunction } from './commands/script.js';
import { SCRIPT_COMMANDS, ScriptReplies, type ScriptPlan } from './commands/script-stash.js';
import { commandName } from './commands/server.js';
import type { Key } from './commands/types.js';
import { redactShards } from './sharding/options.js';
import { ShardedDeployment } from './sharding/placement.js';

export type { LedisEvents, LedisOptions } from './client-options.js';

/** The link of a derived client (db view, master(), buffers ...) to the connections it shares. */
class Derived {
  constructor(
    readonly deployment: Deployment,
    readonly callOptions: CallOptions | null = null,
    /** For a db client: the client whose db(n) cache holds it. */
    readonly dbParent: Ledis<boolean> | null = null,
  ) {}
}

/**
 * The LedisDB client. Every command of the table is a method (`get`,
 * `hgetall`, `zrangebyscore`...). Commands from any number of callers share
 * the pool's multiplexed connection(s) and go out batched, one write per
 * tick; blocking pops take a dedicated connection. Which connection a command
 * takes is decided by its Deployment (src/routing/deployment.ts; sharded:
 * src/sharding/placement.ts).
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
  /** The servers behind this client: one server or a topology, or shards. */
  private readonly deployment: Deployment;
  /** How this view makes its commands: reply mode, key prefix, response callbacks, per-call options. */
  private readonly mode: CommandMode;
  /** A db client: the client whose db(n) cache holds it; null otherwise. */
  private readonly dbParent: Ledis<boolean> | null;
  private buffersView: Ledis<false> | null = null;
  private readonly dbClients = new Map<number, Ledis<D>>();
  private readonly shardClients = new Map<number, Ledis<D>>();
  private masterView: Ledis<D> | null = null;
  /** quit() was called and has not finished. */
  private closingNow = false;
  /** quit() finished or disconnect() was called ('end' is emitted once). */
  private ended = false;
  private commandSource: CommandSource | null = null;
  /** Scripts through reply keys (src/commands/script-stash.ts); null: sent as they are (sharded, twemproxy, scriptReplies 'direct'). */
  private readonly scripts: ScriptReplies | null;

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
    const derived = b instanceof Derived ? b : undefined;
    const options = derived !== undefined ? (a as LedisOptions) : clientOptions<LedisOptions>(a, b, c);
    checkClientOptions(options);
    this.options = redactShards(redactPassword({ ...options }));
    this.decodeResponses = options.decodeResponses !== false;
    if (options.encoding !== undefined && !/^utf-?8$/i.test(options.encoding)) {
      throw new DataError(`unsupported encoding ${options.encoding}: only utf-8 is supported`);
    }
    this.mode = new CommandMode(this.decodeResponses, makeKeyPrefix(options.keyPrefix), derived?.callOptions ?? null);
    this.deployment = derived?.deployment ?? openDeployment(options);
    this.dbParent = derived?.dbParent ?? null;
    const direct = options.scriptReplies === 'direct' || options.proxy !== undefined || this.deployment.sharded;
    this.scripts = direct ? null : new ScriptReplies(options.keyPrefix ?? '');
    // Events reach a client once it listens: a derived client nobody listens to costs no listener anywhere.
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (typeof event === 'string' && ROUTED_EVENTS.has(event)) this.deployment.subscribe(this);
    });
  }

  /** @internal Re-emits an event of this client's connections or topology (src/routing/backend.ts calls it). */
  routedEvent(event: string, args: unknown[]): void {
    // 'end' is the client's own: once, when quit() or disconnect() is done or every connection has given up.
    if (event === 'end') {
      if (this.deployment.status() === 'end') this.emitEnd();
      return;
    }
    // An 'error' event with no listener would throw; callers get their own errors anyway.
    if (event === 'error' && this.listenerCount('error') === 0) return;
    (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
  }

  /** Where this client sends read-only commands (with `master`/`replicas`). */
  get readFrom(): ReadFrom {
    return this.deployment.readFrom;
  }

  /** The master and replicas, when configured; null for a single server. */
  get topology(): Topology | null {
    return this.deployment.topology;
  }

  /** The pool of the server (the current master, with a topology) this client writes to. */
  get connectionPool(): BasePool {
    return this.deployment.connectionPool;
  }

  /**
   * With a topology: a client sharing its connections that reads from the
   * master too, for reads that must see this client's own writes (replication
   * is asynchronous). The same object on every call; this client itself when
   * it already reads from the master.
   */
  master(): Ledis<D> {
    if (this.deployment.readsFromMaster) return this;
    this.masterView ??= derive<D>(this.options, new Derived(this.deployment.share('master')));
    return this.masterView;
  }

  /** Per-node routing counters (with a topology; one entry for a single server; every shard's, sharded). */
  nodeStats(): NodeStats[] {
    return this.deployment.nodeStats();
  }

  /** The shared connection a command would go to: the master's, or a replica's for reads when readFrom allows. */
  connectionFor(readonly: boolean): Connection {
    return this.deployment.connectionFor(readonly);
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
      const command = commandName(name);
      if (this.scripts !== null && SCRIPT_COMMANDS.has(command)) {
        const plan = this.scripts.rewrite({ commands: [{ name: command, args }] });
        if (plan !== null) return this.runScriptPlan(plan, this.decodeResponses) as Promise<Reply>;
      }
      return this.deployment.raw(command, args, this.mode);
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
    return this.deployment.authenticate(password);
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
    (this.mode.callbacks ??= new Map()).set(command.toUpperCase(), callback);
    for (const c of this.shardClients.values()) c.setResponseCallback(command, callback);
  }

  /** A batch builder: chain commands, then `exec()` sends them together. */
  pipeline(): Pipeline<StrOf<D>, []> {
    this.commandSource ??= this.deployment.pipelineSource(this.mode);
    return new Pipeline<StrOf<D>, []>(this.commandSource);
  }

  /** Streams commands from a (sync or async) iterable with a bounded number in flight; see `bulk` in src/bulk/index.ts. */
  bulk(source: Iterable<BulkItem> | AsyncIterable<BulkItem>, options?: BulkOptions): Promise<BulkSummary> {
    return bulk(this, source, options);
  }

  /** @internal A bulk load's command, to the shared connection of its first key (`undefined`: keyless). */
  sendBulkCommand(cmd: Command, key: unknown): void {
    this.deployment.sendKeyed(cmd, key);
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
    if (index === this.deployment.db) return this;
    let client = this.dbClients.get(index);
    if (client === undefined) {
      // Sharded: the same ring over each shard's db(index) (connections of their own, made from that
      // shard's resolved options, so a shard URL's db path does not win; closed with this client).
      client = derive<D>({ ...this.options, db: index }, new Derived(this.deployment.forDb(index), null, this));
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
    const source: BcountSource = { run: (spec, args) => this.deployment.run(routeOf(spec), args, this.mode) };
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

  /** What the iterators page with: table entries run on `deployment` (this client's, or one shard's), in this client's reply mode. */
  private scanner(deployment: Deployment = this.deployment): Scanner<StrOf<D>> {
    return { run: (spec, args) => deployment.run(routeOf(spec), args, this.mode), decodeResponses: this.decodeResponses };
  }

  /** Every key of one type (XSCAN pages, followed to the end): `for await (const key of ledis.scanIterator({ type: 'KV' }))`. */
  scanIterator(options: IterateOptions & { type: ScanType }): AsyncGenerator<StrOf<D>, void, undefined> {
    // Sharded: every shard's keys, one shard after another.
    // Made now: bad options throw here, not at the first next().
    const iterators = this.deployment.parts.map((part) => scanIterator(this.scanner(part), options));
    return iterators.length === 1 ? (iterators[0] as AsyncGenerator<StrOf<D>, void, undefined>) : fanOut(iterators);
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
    // Its first EVALSHA then names the wrapped script (src/commands/script-stash.ts).
    if (typeof options?.script === 'string') this.scripts?.know(options.script);
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
    return this.deployment.status();
  }

  /**
   * Connects the shared connection(s) now (with lazyConnect) and resolves
   * when ready. Rejects with a ConnectionError when the first attempt fails
   * (refused, connectTimeout, AUTH or SELECT refused), rather than waiting
   * through every retry: it settles within connectTimeout. The client keeps
   * retrying in the background as retryStrategy says.
   */
  connect(): Promise<void> {
    return this.deployment.connect();
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
    return new Ledis<boolean>({ ...base, db: this.deployment.db, readFrom: this.readFrom, ...overrides });
  }

  /**
   * The same client with Buffer replies, sharing its connections (no second
   * connection): `ledis.buffers.get(k)` is `Promise<Buffer | null>`,
   * `ledis.buffers.pipeline()` a pipeline of Buffer replies. Cached.
   */
  get buffers(): Ledis<false> {
    this.buffersView ??= derive<false>({ ...this.options, decodeResponses: false }, new Derived(this.deployment.share(), this.mode.callOptions));
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
    return derive<D>(this.options, new Derived(this.deployment.share(), checked));
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
    this.forget();
    // Everything is marked closing synchronously, so a command issued right after quit() is refused.
    return this.deployment.quit().then(() => this.emitEnd());
  }

  /** Closes the connections this client owns (as quit()) at once; outstanding commands reject with ConnectionError. */
  disconnect(): void {
    if (!this.ended) {
      this.ended = true;
      process.nextTick(() => this.emitEnd());
    }
    this.forget();
    this.deployment.disconnect();
  }

  /** A closed db client is dropped from its parent's cache, so db(n) opens new connections. */
  private forget(): void {
    const parent = this.dbParent;
    if (parent === null) return;
    const db = this.deployment.db;
    if (parent.dbClients.get(db) === this) parent.dbClients.delete(db);
  }

  /** Runs a command of the table (arguments shaped) through the deployment. */
  private run(route: Route, args: unknown[]): Promise<unknown> {
    if (route.script && this.scripts !== null) return this.runScript(route, args);
    return this.deployment.run(route, args, this.mode);
  }

  /** EVAL, EVALSHA (of a script seen), SCRIPT LOAD/EXISTS through reply keys, then the entry's reply shape. */
  private async runScript(route: Route, args: unknown[]): Promise<unknown> {
    const plan = (this.scripts as ScriptReplies).rewrite({ commands: [{ name: route.command, args }] });
    if (plan === null) return this.deployment.run(route, args, this.mode);
    let value = await this.runScriptPlan(plan, this.decodeResponses || route.stringReply);
    if (route.stringReply && Buffer.isBuffer(value)) value = value.toString();
    const transform = this.mode.transformOf(route);
    if (transform === null) return value;
    try {
      return transform(value as Reply, args);
    } catch (err) {
      throw asLedisError(err, UnexpectedReplyError);
    }
  }

  /** A rewritten script plan as one batch on one connection (a reply key is read right after its script ran). */
  private async runScriptPlan(plan: ScriptPlan, strings: boolean): Promise<unknown> {
    this.commandSource ??= this.deployment.pipelineSource(this.mode);
    const source = this.commandSource;
    return plan.run((commands) => runTogether(source, commands), strings);
  }

  /**
   * Sharded: the client of shard `index` (in `shards` order), for what names
   * no key (PING, INFO, XSCAN pages, FLUSHDB ...) or must run on one server.
   */
  shard(index: number): Ledis<D> {
    const parts = this.deployment.parts;
    if (!this.deployment.sharded) throw new DataError('this client is not sharded');
    const part = parts[index];
    if (part === undefined) throw new DataError(`no shard ${index}: there are ${parts.length}`);
    let client = this.shardClients.get(index);
    if (client === undefined) {
      client = derive<D>({ ...(part.options as LedisOptions), decodeResponses: this.decodeResponses }, new Derived(part, this.mode.callOptions));
      if (this.mode.callbacks !== null) client.mode.callbacks = new Map(this.mode.callbacks);
      this.shardClients.set(index, client);
    }
    return client;
  }

  /** Sharded: the index of the shard `key` lives on (twemproxy's ketama placement, hash tags included); 0 otherwise. */
  shardOf(key: Key): number {
    return this.deployment.shardOf(key);
  }

  /** Sharded: the number of shards; 1 otherwise. */
  get shardCount(): number {
    return this.deployment.parts.length;
  }
}

/** The deployment of a client's options (checked here): shards, or one server (or topology). A face over a Deployment opens its own with it. */
export function openDeployment(options: LedisOptions): Deployment {
  const open = (o: object): ServerDeployment => {
    checkClientOptions(o as LedisOptions);
    return ServerDeployment.open(o as ServerOptions);
  };
  return options.shards === undefined ? open(options) : ShardedDeployment.open(options, open);
}

/** A client over `derived.deployment` (the constructor form not offered to users). */
function derive<D extends boolean>(options: LedisOptions, derived: Derived): Ledis<D> {
  return new (Ledis as unknown as new (o: LedisOptions, d: Derived) => Ledis<D>)(options, derived);
}

/** The server's error reply to a handshake SELECT, found in the cause chain of a connection failure. */
function selectRefusal(err: unknown): ResponseError | null {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof ConnectionError; depth++) e = e.cause;
  return e instanceof ResponseError && e.command === 'SELECT' ? e : null;
}

/** Yields every item of each iterator, one after another. */
async function* fanOut<T>(iterators: readonly AsyncGenerator<T, void, undefined>[]): AsyncGenerator<T, void, undefined> {
  for (const it of iterators) yield* it;
}

// The typed command methods, merged into the class from the table's interfaces.
export interface Ledis<D extends boolean = true> extends Commands<StrOf<D>, ClientMode<StrOf<D>>> {}

installCommandMethods(Ledis.prototype);


export type { Str };
