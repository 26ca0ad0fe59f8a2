/**
 * ledis/node-redis: node-redis 5's client surface over the same engine as
 * Ledis, reached only through src/compat/engine.ts (which sends every command
 * through the translation table, src/commands/translate.ts).
 * `import { createClient } from 'ledis/node-redis'` instead of 'redis': the
 * same option names, method names, reply shapes and lifecycle, for what
 * LedisDB has; a DataError naming the nearest LedisDB way for what it lacks.
 * See docs/node-redis.md.
 * @module ledis/node-redis
 */
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { ConnectionError, DataError, ResponseError, asLedisError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { Engine } from './engine.js';
import { NODE_REDIS_COMMANDS, REFUSED, type Entry, type RedisArgument } from './node-redis-commands.js';
import { buffersOf, readClientOptions, RESP_TYPES, type ReadOptions, type RedisClientOptions, type TypeMapping } from './node-redis-options.js';
import type { NodeRedisCommands, ScanIteratorOptions, ScanCommonOptions, ScanOptions, RedisMultiCommand } from './node-redis-types.js';
import { callArgs, readScripts, type ClientScript, type CommandParser, type RedisScriptConfig } from './node-redis-scripts.js';

export { RESP_TYPES };
export { defineScript } from './node-redis-scripts.js';
export type { CommandParser, RedisScriptConfig, SHA1 } from './node-redis-scripts.js';
export type { RedisClientOptions, RedisSocketOptions, ReconnectStrategy, LedisExtraOptions, TypeMapping } from './node-redis-options.js';
export type { RedisArgument, RedisVariadicArgument } from './node-redis-commands.js';
export type * from './node-redis-types.js';
export { ResponseError as ErrorReply, LedisError, ConnectionError, TimeoutError, ResponseError, DataError, AbortError } from '../errors.js';

/** A command on a client that is not open (before `connect()`, after `close()`/`destroy()`), as node-redis's ClientClosedError. */
export class ClientClosedError extends ConnectionError {
  override name = 'ClientClosedError';
  constructor() {
    super('The client is closed: call connect() first (ledis/node-redis connects on connect(), as node-redis)');
  }
}

/** Blob strings as `string`, or `Buffer` when the type mapping says `{ [RESP_TYPES.BLOB_STRING]: Buffer }`. */
export type BlobOf<TM> = TM extends { readonly 36: BufferConstructor } ? Buffer : string;

export interface RedisClientEvents {
  connect: [];
  ready: [];
  end: [];
  error: [Error];
  reconnecting: [info?: { attempt: number; delay: number; error: Error | undefined }];
}

const CORE = Symbol('core');
const BUF = Symbol('buffers');

/** What every view of one client shares: the engine, the lifecycle, the listeners. */
class Core extends EventEmitter {
  /** The engine this client owns (closed with it). */
  root: Engine;
  /** Where commands go: `root`, or its db view after select(). */
  engine: Engine;
  open = false;
  ready = false;
  connecting: Promise<void> | null = null;
  private pinger: NodeJS.Timeout | null = null;

  /** createClient's `scripts`, checked: each is a method of every view of this client. */
  readonly scripts: Map<string, ClientScript>;

  constructor(
    readonly read: ReadOptions,
    readonly given: RedisClientOptions,
  ) {
    super();
    // `then` would make the client a thenable (connect() resolves with it: never settles); multi()'s builder has the scripts too.
    this.scripts = readScripts(given.scripts, (name) => name in RedisClient.prototype || name === 'options' || name === 'then' || name in MultiCommand.prototype);
    this.root = this.engine = this.attach(Engine.create(read.ledis));
    // Each script's first EVALSHA then names its wrapped form (src/commands/script-stash.ts).
    for (const s of this.scripts.values()) this.root.knowScript(s.source);
  }

  /** Forwards the engine's lifecycle events as node-redis names them (subscribed once per engine, never per connect()). */
  private attach(engine: Engine): Engine {
    const events = engine.events;
    events.on('connect', () => this.emit('connect'));
    events.on('ready', () => {
      this.ready = true;
      this.emit('ready');
    });
    events.on('reconnecting', (info) => {
      this.ready = false;
      this.emit('reconnecting', info);
    });
    events.on('error', (err) => {
      // node-redis throws on an unheard 'error'; here callers get their own errors anyway.
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
    events.on('end', () => {
      if (engine !== this.root) return;
      this.ready = false;
      this.open = false;
      this.connecting = null;
      this.stopPing();
      this.emit('end');
    });
    return engine;
  }

  connect(): Promise<void> {
    if (this.connecting !== null) return this.connecting;
    if (this.root.status === 'end') this.root = this.engine = this.attach(Engine.create(this.read.ledis));
    this.open = true;
    const engine = this.root;
    const p = engine.connect().catch((err: unknown) => afterFirstAttempt(engine, err));
    this.connecting = p;
    p.then(
      () => this.startPing(),
      () => {
        // The strategy gave up: the client is closed, as node-redis leaves it.
        if (this.connecting === p) this.connecting = null;
      },
    );
    return p;
  }

  private startPing(): void {
    const ms = this.read.pingInterval;
    if (ms <= 0 || this.pinger !== null || !this.open) return;
    this.pinger = setInterval(() => {
      this.engine.send('PING', [], false).catch((err: unknown) => {
        if (this.listenerCount('error') > 0) this.emit('error', asLedisError(err));
      });
    }, ms);
    this.pinger.unref();
  }

  stopPing(): void {
    if (this.pinger !== null) clearInterval(this.pinger);
    this.pinger = null;
  }

  close(graceful: boolean): Promise<void> {
    this.open = false;
    this.ready = false;
    this.connecting = null;
    this.stopPing();
    if (!graceful) {
      this.root.disconnect();
      return Promise.resolve();
    }
    return this.root.quit();
  }
}

/**
 * node-redis's connect() settles when the client is ready, or rejects when the
 * reconnect strategy gives up; the engine's rejects after a failed first
 * attempt and keeps retrying, so wait for its 'ready' or 'end'.
 */
function afterFirstAttempt(engine: Engine, err: unknown): Promise<void> {
  if (engine.status === 'ready') return Promise.resolve();
  if (engine.status === 'end') return Promise.reject(asLedisError(err));
  return new Promise<void>((resolve, reject) => {
    const events = engine.events;
    const onReady = (): void => {
      events.off('end', onEnd);
      resolve();
    };
    const onEnd = (): void => {
      events.off('ready', onReady);
      reject(asLedisError(err));
    };
    events.once('ready', onReady);
    events.once('end', onEnd);
  });
}

/**
 * Asks the server whether db `index` exists, on a connection of its own that
 * is closed after: the handshake's SELECT refusal is the answer (as the
 * server words it); a db engine that could never connect is not left behind.
 */
async function probeDb(root: Engine, index: number): Promise<void> {
  const probe = root.duplicate({ db: index, lazyConnect: true, retryStrategy: () => null });
  try {
    await probe.connect();
  } catch (err) {
    let e: unknown = err;
    for (let depth = 0; depth < 4 && e instanceof ConnectionError; depth++) e = e.cause;
    throw e instanceof ResponseError && e.command === 'SELECT' ? e : err;
  } finally {
    probe.disconnect();
  }
}

/** Sends one table command for `client` and shapes its reply. Every failure is a rejected promise. */
function run(client: RedisClient<string | Buffer>, entry: Entry, a: unknown[]): Promise<unknown> {
  const core = client[CORE];
  if (!core.open) return Promise.reject(new ClientClosedError());
  let args = a;
  if (entry.args !== undefined) {
    try {
      args = entry.args(...a);
    } catch (err) {
      return Promise.reject(asLedisError(err, DataError));
    }
  }
  const buffers = client[BUF];
  const p = core.engine.execute(entry.cmd, args, buffers, core.read.translate);
  const shape = entry.reply;
  return shape === undefined ? p : p.then((r) => shape(r as Reply, buffers));
}

/**
 * A script of createClient's `scripts` as a method: EVALSHA, then EVAL when
 * the server answers NOSCRIPT (as node-redis's _executeScript), then the
 * script's transformReply. Every failure is a rejected promise.
 */
function scriptMethod(client: RedisClient<string | Buffer>, script: ClientScript): (...args: unknown[]) => Promise<unknown> {
  return (...a: unknown[]): Promise<unknown> => {
    const core = client[CORE];
    if (!core.open) return Promise.reject(new ClientClosedError());
    let call: { args: unknown[]; preserve: unknown };
    try {
      call = callArgs(script, a);
    } catch (err) {
      return Promise.reject(asLedisError(err, DataError));
    }
    const buffers = client[BUF];
    const send = (name: string, first: unknown): Promise<unknown> => core.engine.execute(name, [first, ...call.args], buffers, core.read.translate);
    const p = send('EVALSHA', script.sha).catch((err: unknown) => {
      if (!(err instanceof Error) || !/^NOSCRIPT/.test(err.message)) throw err;
      return send('EVAL', script.source);
    });
    const transform = script.transform;
    return transform === undefined ? p : p.then((r) => transform(r, call.preserve));
  };
}

/**
 * A node-redis 5 client for LedisDB, made by `createClient(options)`. Every
 * command method of the table (`get`, `set`, `hSet`, `zAdd` ...) is on it;
 * see docs/node-redis.md for what differs from node-redis.
 */
export class RedisClient<S extends string | Buffer = string> {
  /** @internal */
  readonly [CORE]: Core;
  /** @internal */
  readonly [BUF]: boolean;

  /** @internal Use createClient(). */
  constructor(core: Core, buffers: boolean) {
    this[CORE] = core;
    this[BUF] = buffers;
    for (const s of core.scripts.values()) Object.defineProperty(this, s.name, { value: scriptMethod(this as RedisClient<string | Buffer>, s), writable: true, configurable: true });
  }

  /** The options given to createClient (password and URL redacted). */
  get options(): RedisClientOptions {
    const given = this[CORE].given;
    const out: RedisClientOptions = { ...given };
    if (given.password !== undefined) out.password = '[redacted]';
    if (given.url !== undefined) out.url = '[redacted]';
    return out;
  }

  /** True from connect() until close()/destroy() (also while reconnecting), as node-redis. */
  get isOpen(): boolean {
    return this[CORE].open;
  }

  /** True while connected and ready for commands. */
  get isReady(): boolean {
    const core = this[CORE];
    return core.open && core.engine.status === 'ready';
  }

  /** False: LedisDB has no pub/sub. */
  get isPubSubActive(): boolean {
    return false;
  }

  /**
   * Opens the connection(s) and resolves with this client once ready; rejects
   * when the reconnect strategy gives up. Calling it again while open returns
   * the same promise (node-redis throws "Socket already opened"): libraries
   * that call connect() before every operation cost nothing and add no listener.
   */
  connect(): Promise<this> {
    return this[CORE].connect().then(() => this);
  }

  /** Waits for outstanding replies, then closes (node-redis 5's close). */
  close(): Promise<void> {
    return this[CORE].close(true);
  }

  /** node-redis's deprecated QUIT: close(), then 'OK'. */
  quit(): Promise<string> {
    return this[CORE].close(true).then(() => 'OK');
  }

  /** Closes at once; outstanding commands reject with a ConnectionError. */
  destroy(): void {
    void this[CORE].close(false);
  }

  /** node-redis's deprecated disconnect: destroy(). */
  disconnect(): Promise<void> {
    return this[CORE].close(false);
  }

  /** `await using client = await createClient().connect()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this[CORE].open ? this.close() : Promise.resolve();
  }

  /**
   * Any command as an array, `['SET', 'k', 'v']`: the raw reply (strings,
   * numbers, arrays, null). Redis idioms are translated as for the methods.
   */
  sendCommand<T = unknown>(args: readonly RedisArgument[], options?: { typeMapping?: TypeMapping }): Promise<T> {
    const core = this[CORE];
    if (!core.open) return Promise.reject(new ClientClosedError());
    if (!Array.isArray(args) || args.length === 0) return Promise.reject(new DataError('sendCommand: give the command and its arguments as an array', 'sendCommand'));
    const name = args[0];
    if (typeof name !== 'string' && !Buffer.isBuffer(name)) return Promise.reject(new DataError('sendCommand: the command name must be a string', 'sendCommand'));
    let buffers = this[BUF];
    try {
      if (options?.typeMapping !== undefined) buffers = buffersOf(options.typeMapping, 'sendCommand');
    } catch (err) {
      return Promise.reject(asLedisError(err));
    }
    return core.engine.execute(name.toString().toUpperCase(), args.slice(1), buffers, core.read.translate) as Promise<T>;
  }

  /** The same client (connections, lifecycle, listeners) with blob strings as Buffers: `{ [RESP_TYPES.BLOB_STRING]: Buffer }`. */
  withTypeMapping<TM extends TypeMapping>(typeMapping: TM): RedisClient<BlobOf<TM>> {
    return new RedisClient<BlobOf<TM>>(this[CORE], buffersOf(typeMapping));
  }

  /** The same client; only `typeMapping` is supported among node-redis's command options. */
  withCommandOptions<O extends { typeMapping?: TypeMapping }>(options: O): RedisClient<O extends { typeMapping: infer TM } ? BlobOf<TM> : S> {
    if (options === null || typeof options !== 'object') throw new DataError('withCommandOptions: options must be an object');
    for (const k of Object.keys(options)) if (k !== 'typeMapping') throw new DataError(`withCommandOptions: ${k} is not supported (only typeMapping)`);
    const buffers = options.typeMapping === undefined ? this[BUF] : buffersOf(options.typeMapping, 'withCommandOptions');
    return new RedisClient(this[CORE], buffers) as never;
  }

  /** A new client with these options (and `overrides`): its own connections; connect() it. The scripts stay (typed too) unless `overrides` replaces them. */
  duplicate(overrides?: Omit<Partial<RedisClientOptions>, 'scripts'>): this;
  duplicate(overrides: Partial<RedisClientOptions>): RedisClient<S>;
  duplicate(overrides?: Partial<RedisClientOptions>): RedisClient<S> {
    const given = { ...this[CORE].given, ...(overrides ?? {}) };
    return new RedisClient<S>(new Core(readClientOptions(given), given), this[BUF]);
  }

  /**
   * SELECT as node-redis means it (this client's later commands use db
   * `index`), done the engine's way: the db gets connections of its own,
   * checked by the server before this resolves; other clients are unchanged.
   */
  async select(index: number): Promise<void> {
    const core = this[CORE];
    if (!core.open) throw new ClientClosedError();
    const engine = core.root.db(index);
    if (engine !== core.root) await probeDb(core.root, index);
    core.engine = engine;
  }

  /**
   * A batch builder. LedisDB has no MULTI/EXEC: `exec()` rejects with a
   * DataError saying so; `execAsPipeline()` sends the batch together (one
   * write, not atomic) and resolves with the replies in order.
   */
  multi(): RedisMultiCommand<S> {
    return new MultiCommand(this) as unknown as RedisMultiCommand<S>;
  }

  /** Every key of the SCAN (LedisDB: XSCAN) pages, a page (an array of keys) at a time, as node-redis 5 yields them. */
  async *scanIterator(options?: ScanOptions & ScanIteratorOptions): AsyncGenerator<S[], void, undefined> {
    let cursor = options?.cursor ?? '0';
    do {
      const r = (await this.scan(cursor, options)) as { cursor: string; keys: S[] };
      cursor = r.cursor;
      yield r.keys;
    } while (cursor !== '0');
  }

  /** Every `{ field, value }` of the hash, a page at a time. */
  async *hScanIterator(key: RedisArgument, options?: ScanCommonOptions & ScanIteratorOptions): AsyncGenerator<{ field: S; value: S }[], void, undefined> {
    let cursor = options?.cursor ?? '0';
    do {
      const r = (await this.hScan(key, cursor, options)) as { cursor: string; entries: { field: S; value: S }[] };
      cursor = r.cursor;
      yield r.entries;
    } while (cursor !== '0');
  }

  /** Every value of the hash, a page at a time. */
  async *hScanValuesIterator(key: RedisArgument, options?: ScanCommonOptions & ScanIteratorOptions): AsyncGenerator<S[], void, undefined> {
    for await (const entries of this.hScanIterator(key, options)) yield entries.map((e) => e.value);
  }

  /** Every field of the hash, a page at a time (LedisDB has no HSCAN NOVALUES: the values are read and dropped). */
  async *hScanNoValuesIterator(key: RedisArgument, options?: ScanCommonOptions & ScanIteratorOptions): AsyncGenerator<S[], void, undefined> {
    for await (const entries of this.hScanIterator(key, options)) yield entries.map((e) => e.field);
  }

  /** Every member of the set, a page at a time. */
  async *sScanIterator(key: RedisArgument, options?: ScanCommonOptions & ScanIteratorOptions): AsyncGenerator<S[], void, undefined> {
    let cursor = options?.cursor ?? '0';
    do {
      const r = (await this.sScan(key, cursor, options)) as { cursor: string; members: S[] };
      cursor = r.cursor;
      yield r.members;
    } while (cursor !== '0');
  }

  /** Every `{ value, score }` of the zset, a page at a time. */
  async *zScanIterator(key: RedisArgument, options?: ScanCommonOptions & ScanIteratorOptions): AsyncGenerator<{ value: S; score: number }[], void, undefined> {
    let cursor = options?.cursor ?? '0';
    do {
      const r = (await this.zScan(key, cursor, options)) as { cursor: string; members: { value: S; score: number }[] };
      cursor = r.cursor;
      yield r.members;
    } while (cursor !== '0');
  }

  // EventEmitter, shared by every view of the client (withTypeMapping, withCommandOptions).
  on<E extends keyof RedisClientEvents>(event: E, listener: (...args: RedisClientEvents[E]) => void): this {
    this[CORE].on(event, listener as (...a: unknown[]) => void);
    return this;
  }
  addListener<E extends keyof RedisClientEvents>(event: E, listener: (...args: RedisClientEvents[E]) => void): this {
    return this.on(event, listener);
  }
  once<E extends keyof RedisClientEvents>(event: E, listener: (...args: RedisClientEvents[E]) => void): this {
    this[CORE].once(event, listener as (...a: unknown[]) => void);
    return this;
  }
  off<E extends keyof RedisClientEvents>(event: E, listener: (...args: RedisClientEvents[E]) => void): this {
    this[CORE].off(event, listener as (...a: unknown[]) => void);
    return this;
  }
  removeListener<E extends keyof RedisClientEvents>(event: E, listener: (...args: RedisClientEvents[E]) => void): this {
    return this.off(event, listener);
  }
  removeAllListeners(event?: keyof RedisClientEvents): this {
    if (event === undefined) this[CORE].removeAllListeners();
    else this[CORE].removeAllListeners(event);
    return this;
  }
  listenerCount(event: keyof RedisClientEvents): number {
    return this[CORE].listenerCount(event);
  }
  listeners(event: keyof RedisClientEvents): Function[] {
    return this[CORE].listeners(event);
  }
  emit<E extends keyof RedisClientEvents>(event: E, ...args: RedisClientEvents[E]): boolean {
    return this[CORE].emit(event, ...args);
  }

  /** util.inspect: state only, never the password. */
  [inspect.custom](): string {
    return `RedisClient (ledis/node-redis) { isOpen: ${this.isOpen}, isReady: ${this.isReady}, buffers: ${this[BUF]} }`;
  }
}

// The command methods, merged into the class from the table's interface.
export interface RedisClient<S extends string | Buffer = string> extends NodeRedisCommands<S> {}

for (const [method, entry] of Object.entries(NODE_REDIS_COMMANDS)) {
  const fn = function (this: RedisClient<string | Buffer>, ...a: unknown[]): Promise<unknown> {
    return run(this, entry, a);
  };
  Object.defineProperty(fn, 'name', { value: method });
  Object.defineProperty(RedisClient.prototype, method, { value: fn, writable: true, configurable: true });
}
for (const [method, command] of Object.entries(REFUSED)) {
  const entry: Entry = { cmd: command };
  const fn = function (this: RedisClient<string | Buffer>, ...a: unknown[]): Promise<unknown> {
    return run(this, entry, a);
  };
  Object.defineProperty(fn, 'name', { value: method });
  Object.defineProperty(RedisClient.prototype, method, { value: fn, writable: true, configurable: true });
}

/** The message of multi().exec(): LedisDB has no transactions, and the nearest ways. */
const NO_MULTI =
  'LedisDB has no MULTI/EXEC (no transactions): use multi().execAsPipeline() to send the commands together (one write, not atomic), or one Lua script (eval) to run them atomically';

/** multi()'s builder: the table's methods queue a command and return the builder. */
class MultiCommand {
  private readonly queued: { entry: Entry; args: unknown[] }[] = [];
  constructor(private readonly client: RedisClient<string | Buffer>) {
    // createClient's scripts: sent with EVAL (no NOSCRIPT round trip in the middle of a batch), then transformReply.
    for (const s of client[CORE].scripts.values()) Object.defineProperty(this, s.name, { value: this.scriptQueuer(s), writable: true, configurable: true });
  }

  private scriptQueuer(script: ClientScript): (...a: unknown[]) => this {
    return (...a: unknown[]): this => {
      let preserve: unknown;
      const transform = script.transform;
      const entry: Entry = {
        cmd: 'EVAL',
        args: () => {
          const call = callArgs(script, a);
          preserve = call.preserve;
          return [script.source, ...call.args];
        },
        ...(transform === undefined ? {} : { reply: (r: Reply) => transform(r, preserve) }),
      };
      this.queued.push({ entry, args: a });
      return this;
    };
  }

  /** A raw command, as sendCommand takes it. */
  addCommand(args: readonly RedisArgument[]): this {
    if (!Array.isArray(args) || args.length === 0) throw new DataError('addCommand: give the command and its arguments as an array');
    this.queued.push({ entry: { cmd: String(args[0]).toUpperCase() }, args: args.slice(1) });
    return this;
  }

  /** Refused: LedisDB has no MULTI/EXEC. `exec(true)` is execAsPipeline(), as in node-redis. */
  exec(execAsPipeline = false): Promise<unknown[]> {
    if (execAsPipeline) return this.execAsPipeline();
    return Promise.reject(new DataError(NO_MULTI, 'MULTI'));
  }

  /** The queued commands, written together in one batch (not atomic); the replies in order. Rejects with the first error, as node-redis. */
  async execAsPipeline(): Promise<unknown[]> {
    const queued = this.queued.splice(0, this.queued.length);
    const core = this.client[CORE];
    if (!core.open) throw new ClientClosedError();
    const buffers = this.client[BUF];
    const entries = queued.map((q) => {
      try {
        return { name: q.entry.cmd, args: q.entry.args === undefined ? q.args : q.entry.args(...q.args) };
      } catch (err) {
        throw asLedisError(err, DataError);
      }
    });
    const outcomes = await core.engine.batch(entries, buffers, core.read.translate);
    return outcomes.map((o, i) => {
      if (o.error !== null) throw o.error;
      const shape = (queued[i] as { entry: Entry }).entry.reply;
      return shape === undefined ? o.value : shape(o.value as Reply, buffers);
    });
  }
}
for (const [method, entry] of Object.entries(NODE_REDIS_COMMANDS)) {
  const fn = function (this: { queued: { entry: Entry; args: unknown[] }[] }, ...a: unknown[]): unknown {
    this.queued.push({ entry, args: a });
    return this;
  };
  Object.defineProperty(fn, 'name', { value: method });
  Object.defineProperty(MultiCommand.prototype, method, { value: fn, writable: true, configurable: true });
}

/**
 * node-redis 5's createClient for LedisDB: `createClient({ url:
 * 'redis://:pw@host:6380/0' })` or `{ socket: { host, port, path, tls },
 * database, password }`. Nothing connects until `connect()`. Options are
 * checked here: an unknown or unsupported one is a DataError.
 */
export function createClient<TM extends TypeMapping = {}, Sc extends RedisScripts = {}>(
  options?: RedisClientOptions & { commandOptions?: { typeMapping?: TM }; scripts?: Sc },
): RedisClientType<{}, {}, Sc, 2, TM> {
  const given: RedisClientOptions = options === undefined ? {} : { ...options };
  const read = readClientOptions(given);
  return new RedisClient<BlobOf<TM>>(new Core(read, given), read.buffers) as RedisClientType<{}, {}, Sc, 2, TM>;
}

/** createClient's `scripts`: name -> defineScript({ ... }). */
export type RedisScripts = Record<string, RedisScriptConfig>;

/** A script method's arguments: parseCommand's after the parser (node-redis 5), or transformArguments' (node-redis 4). */
type ScriptArgs<C> = C extends { parseCommand: (parser: CommandParser, ...args: infer A) => void }
  ? A
  : C extends { transformArguments: (...args: infer A) => unknown }
    ? A
    : unknown[];
/** A script method's reply: what transformReply returns (RESP2's when it is per version), else the raw reply. */
type ScriptResult<C> = C extends { transformReply: (...args: never[]) => infer R }
  ? R
  : C extends { transformReply: { 2: (...args: never[]) => infer R } }
    ? R
    : unknown;
/** The methods createClient's `scripts` add. */
export type ScriptMethods<Sc> = { [K in keyof Sc]: (...args: ScriptArgs<Sc[K]>) => Promise<Awaited<ScriptResult<Sc[K]>>> };

/** node-redis's client type, with its five parameters (modules, functions, scripts, RESP, type mapping); the scripts and the type mapping change it here. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export type RedisClientType<M = {}, F = {}, Sc = {}, RESP = 2, TM = {}> = [keyof Sc] extends [never]
  ? RedisClient<BlobOf<TM>>
  : string extends keyof Sc
    ? RedisClient<BlobOf<TM>>
    : ScriptViews<Sc> & RedisClient<BlobOf<TM>> & ScriptMethods<Sc>;

/** A scripted client's withTypeMapping view has the scripts too (first in the intersection: its signature is the one chosen). */
type ScriptViews<Sc> = {
  withTypeMapping<TM2 extends TypeMapping>(typeMapping: TM2): RedisClientType<{}, {}, Sc, 2, TM2>;
};

/** The reply a raw sendCommand resolves with. */
export type { Reply };
