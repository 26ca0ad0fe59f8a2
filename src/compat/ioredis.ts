/**
 * `ledis/ioredis`: ioredis 5's surface over the ledis engine
 * (src/compat/engine.ts), so an application and the libraries it is built on
 * switch with one import: `import Redis from 'ledis/ioredis'`. Every command
 * goes through the translation table (src/commands/translate.ts): Redis
 * idioms LedisDB serves are rewritten, what it cannot serve is a DataError
 * before sending. See docs/redis-libraries.md.
 * @module ledis/ioredis
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import type { LedisOptions } from '../client.js';
import { clientOptions } from '../client-args.js';
import { scriptSha } from '../commands/script-stash.js';
import { knownCommands, lintScript, refusal, type TranslateOptions } from '../commands/translate.js';
import { redactPassword } from '../connection/options.js';
import { DataError, LedisError, ResponseError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { Engine, type BatchEntry } from './engine.js';
import type { IoredisCommands, IoredisPipelineCommands, RedisKey } from './ioredis-types.js';

export type { RedisKey, RedisValue, Callback, IoredisCommands, IoredisPipelineCommands } from './ioredis-types.js';

/** ioredis's connection states. */
export type RedisStatus = 'wait' | 'connecting' | 'connect' | 'ready' | 'reconnecting' | 'close' | 'end';

/**
 * ioredis's options that mean something on LedisDB, and ledis's own
 * (`LedisOptions`: connections, spread, coalesce, master/replicas, shards...).
 * The port defaults to LedisDB's 6380.
 */
export interface RedisOptions extends Omit<LedisOptions, 'retryStrategy' | 'decodeResponses' | 'encoding' | 'url'> {
  /** A unix socket path (ioredis's name; `unixSocketPath` in ledis). */
  path?: string;
  /** LedisDB has no users: only undefined or 'default' is accepted. */
  username?: string;
  /** ioredis's retry strategy: `times` (1, 2, ...) to a delay in ms, or null/undefined to stop. */
  retryStrategy?: (times: number) => number | void | null;
  /** ioredis's name for offlineQueue. */
  enableOfflineQueue?: boolean;
  /**
   * Refuse the translation table's approximations (millisecond TTLs,
   * conditional writes with a TTL) with a DataError instead of sending them.
   * See docs/redis-libraries.md.
   */
  strict?: boolean;
  /** Accepted and ignored: LedisDB has no CLIENT SETNAME. */
  connectionName?: string;
  /** Accepted and ignored (commands of one tick always go out together here). */
  enableAutoPipelining?: boolean;
  /** Accepted and ignored. */
  autoPipeliningIgnoredPrefixes?: string[];
  /** Accepted and ignored: a command waits offlineTimeout for a connection, commandTimeout for its reply. */
  maxRetriesPerRequest?: number | null;
  /** Accepted and ignored: ready means the handshake (AUTH, SELECT) answered. */
  enableReadyCheck?: boolean;
  /** Accepted and ignored. */
  autoResubscribe?: boolean;
  /** Accepted and ignored. */
  autoResendUnfulfilledCommands?: boolean;
  /** Accepted and ignored. */
  family?: number;
  /** Accepted and ignored (Nagle is always off). */
  noDelay?: boolean;
  /** Accepted and ignored. */
  maxLoadingRetryTime?: number;
  /** Accepted and ignored. */
  reconnectOnError?: unknown;
  /** Accepted and ignored (replicas are ledis's `replicas` + `readFrom`). */
  readOnly?: boolean;
}

const IGNORED = [
  'connectionName',
  'enableAutoPipelining',
  'autoPipeliningIgnoredPrefixes',
  'maxRetriesPerRequest',
  'enableReadyCheck',
  'autoResubscribe',
  'autoResendUnfulfilledCommands',
  'family',
  'noDelay',
  'maxLoadingRetryTime',
  'reconnectOnError',
  'readOnly',
] as const;

const REFUSED_OPTIONS: Readonly<Record<string, string>> = {
  sentinels: 'LedisDB has no Sentinel; give master and replicas (ledis options) instead',
  natMap: 'LedisDB has no cluster or Sentinel',
  stringNumbers: 'integers come back as numbers, and as bigint past Number.MAX_SAFE_INTEGER (bigIntegers option)',
  monitor: 'LedisDB has no MONITOR',
  Connector: 'custom connectors are not supported',
};

/** ioredis options to the engine's, checked (DataError naming the option). */
function engineOptions(options: RedisOptions & Record<string, unknown>): { engine: LedisOptions; translate: TranslateOptions } {
  const out: Record<string, unknown> = { ...options };
  for (const name of Object.keys(REFUSED_OPTIONS)) {
    if (out[name] !== undefined) throw new DataError(`option ${name}: ${REFUSED_OPTIONS[name]}`);
  }
  for (const name of IGNORED) delete out[name];
  if (out.path !== undefined) {
    out.unixSocketPath = out.path;
    delete out.path;
  }
  if (out.username !== undefined) {
    if (out.username !== 'default') throw new DataError('option username: LedisDB has no users: give password only');
    delete out.username;
  }
  if (out.enableOfflineQueue !== undefined) {
    out.offlineQueue = out.enableOfflineQueue;
    delete out.enableOfflineQueue;
  }
  const retry = out.retryStrategy;
  if (typeof retry === 'function') {
    out.retryStrategy = (attempt: number) => {
      const delay = (retry as (times: number) => unknown)(attempt);
      return typeof delay === 'number' && delay >= 0 ? delay : null;
    };
  }
  const strict = out.strict === true;
  if (out.strict !== undefined && typeof out.strict !== 'boolean') throw new DataError('option strict must be true or false');
  delete out.strict;
  return { engine: out as LedisOptions, translate: { strict } };
}

type Callback<T> = (err?: Error | null, result?: T) => void;

/** Settles `callback` node-style from `promise`, and returns the promise (ioredis's contract). */
function withCallback<T>(promise: Promise<T>, callback: Callback<T> | undefined): Promise<T> {
  // Only a function is a callback (rate-limiter-flexible calls exec(true), node-redis's flag).
  if (typeof callback === 'function') {
    promise.then(
      (v) => process.nextTick(callback, null, v),
      (e: Error) => process.nextTick(callback, e),
    );
  }
  return promise;
}

/** ioredis's argument shape: arrays flattened one level; objects and Maps as pairs for the commands that take them. */
function flatten(name: string, args: unknown[]): unknown[] {
  return flattenArgs(args, PAIRS.has(name));
}

function flattenArgs(args: unknown[], pairs: boolean): unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (Array.isArray(a) || (pairs && isPairs(a))) {
      if (out === null) out = args.slice(0, i);
      if (Array.isArray(a)) for (const x of a) out.push(x);
      else if (a instanceof Map) for (const [k, v] of a) out.push(k, v);
      else for (const k of Object.keys(a as object)) out.push(k, (a as Record<string, unknown>)[k]);
    } else if (out !== null) out.push(a);
  }
  return out ?? args;
}

const PAIRS = new Set(['HSET', 'HMSET', 'MSET', 'MSETNX']);
const isPairs = (a: unknown): boolean => a instanceof Map || (a !== null && typeof a === 'object' && !Buffer.isBuffer(a) && !ArrayBuffer.isView(a));

/** ioredis's reply shapes beside raw RESP: HGETALL as an object (no prototype: its keys are server data). */
function shape(name: string, reply: unknown): unknown {
  if (name === 'HGETALL' && Array.isArray(reply)) {
    const obj: Record<string, unknown> = Object.create(null);
    for (let i = 0; i + 1 < reply.length; i += 2) obj[String(reply[i])] = reply[i + 1];
    return obj;
  }
  return reply;
}

/** Buffers (at any depth) as UTF-8 text: a batch read as Buffers, for its entries that asked for text. */
function decode(reply: unknown): unknown {
  if (Buffer.isBuffer(reply)) return reply.toString();
  if (Array.isArray(reply)) return reply.map(decode);
  return reply;
}

interface ScriptDefinition {
  lua: string;
  numberOfKeys?: number | null;
  readOnly?: boolean;
}

/** A script made a command (defineCommand): its SHA1, and why it cannot run on LedisDB, if so. */
class Script {
  readonly sha: string;
  readonly problem: string | null;
  constructor(
    readonly name: string,
    readonly lua: string,
    readonly numberOfKeys: number | null,
    lint: TranslateOptions,
  ) {
    this.sha = scriptSha(lua);
    this.problem = lintScript(lua, lint);
  }

  /** The arguments after the SHA1 / script: numkeys, keys, args. */
  args(callArgs: unknown[]): unknown[] {
    if (this.numberOfKeys === null) return callArgs;
    return [this.numberOfKeys, ...callArgs];
  }

  refusal(): DataError {
    return new DataError(
      `its script cannot run on LedisDB: ${this.problem}. LedisDB's Lua runs LedisDB's commands; see docs/redis-libraries.md`,
      this.name,
    );
  }
}

const isNoScript = (e: unknown): boolean => e instanceof ResponseError && /NOSCRIPT/.test(e.message);

function toStatus(status: string): RedisStatus {
  return status === 'closing' ? 'close' : (status as RedisStatus);
}

let commandNames: string[] | null = null;

/** The client's internal command runner (not a name a library could mean). */
const RUN = Symbol('ledis.ioredis.run');

/**
 * ioredis 5's `Redis` over LedisDB. Commands return promises (and take a
 * node-style callback last, as ioredis's do), with ioredis's reply shapes:
 * 'OK', integers as numbers, strings (Buffers from the `*Buffer` methods),
 * arrays, null, HGETALL as an object.
 */
export class Redis extends EventEmitter {
  /** The options as given (password redacted in inspect/JSON). */
  readonly options: RedisOptions;
  readonly isCluster = false;
  private engine: Engine;
  private readonly translateOptions: TranslateOptions;
  private readonly scripts = new Map<string, Script>();
  private listening = false;

  constructor();
  constructor(port: number, host?: string, options?: RedisOptions);
  constructor(port: number, options?: RedisOptions);
  constructor(url: string, options?: RedisOptions);
  constructor(options: RedisOptions);
  constructor(a?: unknown, b?: unknown, c?: unknown) {
    super();
    const given = clientOptions<RedisOptions & Record<string, unknown>>(a, b, c);
    const { engine, translate } = engineOptions(given);
    this.translateOptions = translate;
    this.engine = Engine.create(engine);
    // As ioredis's: the options given (libraries read options.maxRetriesPerRequest, keyPrefix, password to open
    // more connections); the password stays usable and is hidden from JSON and util.inspect.
    this.options = redactPassword({ ...given }) as RedisOptions;
    this.forwardEvents();
  }

  /** ioredis's events, from the engine's: connect, ready, error, close, reconnecting (the delay in ms), end. */
  private forwardEvents(): void {
    this.on('newListener', (event: string | symbol) => {
      if (this.listening || typeof event !== 'string' || !['connect', 'ready', 'error', 'close', 'reconnecting', 'end'].includes(event)) return;
      this.listening = true;
      const events = this.engine.events as EventEmitter;
      events.on('connect', () => this.emit('connect'));
      events.on('ready', () => this.emit('ready'));
      events.on('error', (e: Error) => {
        if (this.listenerCount('error') > 0) this.emit('error', e);
      });
      events.on('close', () => this.emit('close'));
      events.on('reconnecting', (info: { delay?: number } | undefined) => this.emit('reconnecting', info?.delay ?? 0));
      events.on('end', () => this.emit('end'));
    });
  }

  /** 'wait' | 'connecting' | 'connect' | 'ready' | 'reconnecting' | 'close' | 'end', as ioredis. */
  get status(): RedisStatus {
    return toStatus(this.engine.status);
  }

  /** @internal Runs a Redis command by name (upper case) with its arguments (a symbol: libraries use names like runCommand). */
  [RUN](name: string, args: unknown[], buffers: boolean): Promise<unknown> {
    const p = this.engine.execute(name, args, buffers, this.translateOptions);
    return name === 'HGETALL' ? p.then((r) => shape(name, r)) : p;
  }

  /** Any command by name, with ioredis's argument flattening: `call('SET', 'k', 'v', 'EX', 10)`. */
  call(command: string, ...args: unknown[]): Promise<unknown> {
    return this.callWith(command, args, false);
  }

  /** `call` with Buffer replies. */
  callBuffer(command: string, ...args: unknown[]): Promise<unknown> {
    return this.callWith(command, args, true);
  }

  private callWith(command: string, args: unknown[], buffers: boolean): Promise<unknown> {
    const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as Callback<unknown>) : undefined;
    if (typeof command !== 'string' || command === '') return withCallback(Promise.reject(new DataError('call(command, ...args): command must be a non-empty string')), callback);
    const name = command.toUpperCase();
    return withCallback(this.dispatch(name, flatten(name, args), buffers), callback);
  }

  /** Face-level commands first (QUIT, SELECT, scripts defined here), then the engine. */
  private dispatch(name: string, args: unknown[], buffers: boolean): Promise<unknown> {
    switch (name) {
      case 'QUIT':
        return this.quit();
      case 'SELECT':
        return this.select(args[0] as number);
      case 'MULTI':
      case 'EXEC':
      case 'DISCARD':
        return Promise.reject(refusal(name));
      default:
        return this[RUN](name, args, buffers);
    }
  }

  /**
   * Makes a Lua script a command of this client (and of its pipelines):
   * `redis[name](...keys, ...args)` when `numberOfKeys` is given, else
   * `redis[name](numkeys, ...keys, ...args)`; `${name}Buffer` for Buffer
   * replies. Sends EVALSHA, and EVAL when the server does not have the script
   * yet. Defining a name again replaces the script (two rate limiters on one
   * client). A script that calls what LedisDB's Lua cannot run (PTTL, SET
   * with options) is refused when called, with a DataError naming it.
   */
  defineCommand(name: string, definition: ScriptDefinition): void {
    if (typeof name !== 'string' || name === '') throw new DataError('defineCommand(name, { lua, numberOfKeys }): name must be a non-empty string', 'defineCommand');
    if (definition === null || typeof definition !== 'object' || typeof definition.lua !== 'string') {
      throw new DataError('defineCommand(name, { lua, numberOfKeys }): lua must be a string', 'defineCommand');
    }
    const n = definition.numberOfKeys;
    if (n !== undefined && n !== null && !(Number.isInteger(n) && n >= 0)) {
      throw new DataError(`defineCommand: numberOfKeys must be a non-negative integer, got ${String(n)}`, 'defineCommand');
    }
    const own = Object.prototype.hasOwnProperty.call(this, name);
    if (!own && name in this) throw new DataError(`defineCommand: ${JSON.stringify(name)} is a method of Redis already`, 'defineCommand');
    const script = new Script(name, definition.lua, n ?? null, this.engine.scriptOptions(this.translateOptions));
    this.scripts.set(name, script);
    // Its first EVALSHA then names the wrapped script (src/commands/script-stash.ts), not a bare one another client may have loaded.
    this.engine.knowScript(definition.lua);
    const make = (buffers: boolean) =>
      function (this: Redis, ...args: unknown[]): Promise<unknown> {
        const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as Callback<unknown>) : undefined;
        return withCallback(this.runScript(script, flatten('EVALSHA', args), buffers), callback);
      };
    Object.defineProperty(this, name, { value: make(false), writable: true, configurable: true, enumerable: false });
    Object.defineProperty(this, `${name}Buffer`, { value: make(true), writable: true, configurable: true, enumerable: false });
  }

  private async runScript(script: Script, args: unknown[], buffers: boolean): Promise<unknown> {
    if (script.problem !== null) throw script.refusal();
    const rest = script.args(args);
    try {
      return await this.engine.execute('EVALSHA', [script.sha, ...rest], buffers, this.translateOptions);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return this.engine.execute('EVAL', [script.lua, ...rest], buffers, this.translateOptions);
    }
  }

  /** @internal The script defined under `name`, for pipelines. */
  scriptOf(name: string): Script | undefined {
    return this.scripts.get(name);
  }

  /** A batch: chain commands, then `exec()` resolves to `[err, value]` pairs in order. */
  pipeline(commands?: unknown[][]): Pipeline {
    const p = new Pipeline(this, false);
    if (commands !== undefined) p.addBatch(commands);
    return p;
  }

  /**
   * LedisDB has no transactions: the returned batch takes commands as
   * ioredis's does, and its exec() rejects with a DataError (nothing is
   * sent). A pipeline() is the nearest way (in order, not atomic).
   */
  multi(options?: { pipeline?: boolean } | unknown[][]): Pipeline {
    const p = new Pipeline(this, true);
    if (Array.isArray(options)) p.addBatch(options);
    return p;
  }

  /** Every key (a page per 'data' event, as arrays), with MATCH (a Redis glob), COUNT and TYPE. */
  scanStream(options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream(this, 'SCAN', undefined, options);
  }

  /** Every field and value of a hash, flat, a page per 'data' event. */
  hscanStream(key: RedisKey, options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream(this, 'HSCAN', key, options);
  }

  /** Every member of a set, a page per 'data' event. */
  sscanStream(key: RedisKey, options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream(this, 'SSCAN', key, options);
  }

  /** Every member and score of a zset, flat, a page per 'data' event. */
  zscanStream(key: RedisKey, options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream(this, 'ZSCAN', key, options);
  }

  /** Connects now (with lazyConnect); resolves when ready. */
  connect(callback?: Callback<void>): Promise<void> {
    return withCallback(this.engine.connect(), callback);
  }

  /** Waits for outstanding replies, then closes; 'OK'. */
  quit(callback?: Callback<'OK'>): Promise<'OK'> {
    return withCallback(
      this.engine.quit().then(() => 'OK' as const),
      callback,
    );
  }

  /** Closes at once: outstanding commands reject. (`reconnect` is not supported: make a new client or duplicate().) */
  disconnect(reconnect = false): void {
    if (reconnect) throw new DataError('disconnect(true) is not supported: call duplicate() for a new connection');
    this.engine.disconnect();
  }

  /** A new client with this one's options (and `override`), connections of its own. */
  duplicate(override: RedisOptions = {}): Redis {
    // The options as given (strict and the ioredis names included), on the db this client is on now.
    return new Redis({ ...this.options, db: this.engine.options.db ?? this.options.db, ...override } as RedisOptions);
  }

  /** ioredis's Cluster: LedisDB has no cluster. A DataError naming ledis's way: the `shards` option (client-side placement). */
  static get Cluster(): never {
    throw new DataError("LedisDB has no cluster mode: give new Redis({ shards: [...] }) (client-side placement, as twemproxy's ketama) instead of Redis.Cluster");
  }

  /**
   * Moves this client to db `index`, as ioredis's SELECT: later commands
   * run there. The shared connections are never switched: the db has
   * connections of its own (made on first use).
   */
  async select(index: number | string, callback?: Callback<'OK'>): Promise<'OK'> {
    const run = async (): Promise<'OK'> => {
      const db = typeof index === 'string' && /^\d+$/.test(index) ? Number(index) : index;
      if (typeof db !== 'number' || !Number.isInteger(db) || db < 0) throw new DataError(`SELECT: db index must be a non-negative integer, got ${String(index)}`, 'SELECT');
      const next = this.engine.db(db);
      await next.connect();
      this.engine = next;
      return 'OK';
    };
    return withCallback(run(), callback);
  }

  /** The commands this client has methods for (lower case), as ioredis's getBuiltinCommands. */
  getBuiltinCommands(): string[] {
    return (commandNames ??= knownCommands().map((n) => n.toLowerCase()));
  }

  /** `await using redis = new Redis()`: quit() at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.status !== 'end') await this.quit();
  }

  [inspect.custom](): string {
    return `Redis { status: ${this.status}, options: ${inspect(this.engine.options)} }`;
  }

  toJSON(): unknown {
    return { status: this.status, options: this.engine.options };
  }
}

export interface ScanStreamOptions {
  /** A Redis glob (`user:*`). */
  match?: string;
  /** Items per page (a hint, as Redis's). */
  count?: number;
  /** Keys of one type only: string, hash, list, set, zset (SCAN only). */
  type?: string;
  /** HSCAN: fields only. */
  noValues?: boolean;
}

/** ioredis's ScanStream: an object-mode Readable of pages (arrays). */
export class ScanStream extends Readable {
  private cursor = '0';
  private drained = false;

  constructor(
    private readonly redis: Redis,
    private readonly command: 'SCAN' | 'HSCAN' | 'SSCAN' | 'ZSCAN',
    private readonly key: RedisKey | undefined,
    private readonly opt: ScanStreamOptions,
  ) {
    super({ objectMode: true });
  }

  override _read(): void {
    if (this.drained) {
      this.push(null);
      return;
    }
    const args: unknown[] = this.key === undefined ? [this.cursor] : [this.key, this.cursor];
    if (this.opt.match) args.push('MATCH', this.opt.match);
    if (this.opt.type) args.push('TYPE', this.opt.type);
    if (this.opt.count) args.push('COUNT', String(this.opt.count));
    if (this.opt.noValues) args.push('NOVALUES');
    this.redis[RUN](this.command, args, false).then(
      (res) => {
        const [cursor, page] = res as [string, unknown[]];
        this.cursor = cursor;
        if (cursor === '0') this.drained = true;
        this.push(page);
      },
      (err: Error) => this.destroy(err),
    );
  }

  /** Stops after the page in flight. */
  close(): void {
    this.drained = true;
  }
}

/**
 * A batch of commands (`redis.pipeline()`): chain them, then `exec()`
 * resolves to one `[err, value]` pair per command, in order (a command's
 * failure is its pair's `err`; exec itself rejects only for a `multi()`).
 * Sent together on one connection, each command translated as on the client.
 */
export class Pipeline {
  private readonly entries: Array<BatchEntry & { buffers: boolean; script?: Script | undefined }> = [];
  private executed = false;

  constructor(
    private readonly redis: Redis,
    private readonly transaction: boolean,
  ) {
    // The client's defined scripts, as methods of this batch.
    for (const name of (redis as unknown as { scripts: Map<string, Script> }).scripts.keys()) {
      const script = redis.scriptOf(name) as Script;
      const make = (buffers: boolean) => (...args: unknown[]) => this.addScript(script, flatten('EVAL', args), buffers);
      Object.defineProperty(this, name, { value: make(false), writable: true, configurable: true });
      Object.defineProperty(this, `${name}Buffer`, { value: make(true), writable: true, configurable: true });
    }
  }

  /** Number of commands queued. */
  get length(): number {
    return this.entries.length;
  }

  /** @internal Queues a command by name (upper case). */
  add(name: string, args: unknown[], buffers: boolean): this {
    if (this.executed) throw new LedisError('this pipeline was already executed; make a new one with redis.pipeline()');
    this.entries.push({ name, args: flatten(name, args), buffers });
    return this;
  }

  private addScript(script: Script, args: unknown[], buffers: boolean): this {
    // In a batch a script is sent with EVAL: no NOSCRIPT round trip in the middle of it.
    this.entries.push({ name: 'EVAL', args: [script.lua, ...script.args(args)], buffers, script });
    return this;
  }

  /** `[['set', 'k', 'v'], ['get', 'k']]`: each as if chained. */
  addBatch(commands: unknown[][]): this {
    for (const c of commands) {
      if (!Array.isArray(c) || typeof c[0] !== 'string') throw new DataError('addBatch: each command is [name, ...args]');
      this.add(c[0].toUpperCase(), c.slice(1), false);
    }
    return this;
  }

  /** Any command by name. */
  call(command: string, ...args: unknown[]): this {
    return this.add(String(command).toUpperCase(), args, false);
  }

  callBuffer(command: string, ...args: unknown[]): this {
    return this.add(String(command).toUpperCase(), args, true);
  }

  /** Sends the batch; one `[err, value]` per command. */
  exec(callback?: Callback<Array<[Error | null, unknown]>>): Promise<Array<[Error | null, unknown]>> {
    return withCallback(this.run(), callback);
  }

  private async run(): Promise<Array<[Error | null, unknown]>> {
    if (this.executed) throw new LedisError('this pipeline was already executed; make a new one with redis.pipeline()');
    this.executed = true;
    if (this.transaction) throw refusal('MULTI');
    const engine = (this.redis as unknown as { engine: Engine }).engine;
    const options = (this.redis as unknown as { translateOptions: TranslateOptions }).translateOptions;
    const anyBuffers = this.entries.some((e) => e.buffers);
    const outcomes = await engine.batch(
      this.entries.map((e) => (e.script?.problem != null ? { name: 'REFUSED_SCRIPT', args: [] } : e)),
      anyBuffers,
      options,
    );
    return outcomes.map((o, i) => {
      const entry = this.entries[i] as (typeof this.entries)[number];
      if (entry.script?.problem != null) return [entry.script.refusal(), null];
      if (o.error !== null) return [o.error, null];
      const value = anyBuffers && !entry.buffers ? decode(o.value) : o.value;
      return [null, shape(entry.name, value)];
    });
  }
}

/** Commands the face answers itself (see Redis#dispatch). */
const FACE_LEVEL = new Set(['QUIT', 'SELECT', 'MULTI', 'EXEC', 'DISCARD']);

interface Internals {
  dispatch(name: string, args: unknown[], buffers: boolean): Promise<unknown>;
  [RUN](name: string, args: unknown[], buffers: boolean): Promise<unknown>;
}

// ioredis's command methods, one per command the table knows, and its `*Buffer` twin.
for (const upper of knownCommands()) {
  const lower = upper.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(Redis.prototype, lower)) continue;
  for (const buffers of [false, true]) {
    const method = buffers ? `${lower}Buffer` : lower;
    const pairs = PAIRS.has(upper);
    const faceLevel = FACE_LEVEL.has(upper);
    const fn = function (this: Redis, ...args: unknown[]): Promise<unknown> {
      const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as Callback<unknown>) : undefined;
      const flat = flattenArgs(args, pairs);
      const self = this as unknown as Internals;
      const p = faceLevel ? self.dispatch(upper, flat, buffers) : self[RUN](upper, flat, buffers);
      return callback === undefined ? p : withCallback(p, callback);
    };
    Object.defineProperty(fn, 'name', { value: method });
    Object.defineProperty(Redis.prototype, method, { value: fn, writable: true, configurable: true });
    const chain = function (this: Pipeline, ...args: unknown[]): Pipeline {
      return this.add(upper, args, buffers);
    };
    Object.defineProperty(chain, 'name', { value: method });
    if (!Object.prototype.hasOwnProperty.call(Pipeline.prototype, method)) {
      Object.defineProperty(Pipeline.prototype, method, { value: chain, writable: true, configurable: true });
    }
  }
}

export interface Redis extends IoredisCommands {}
export interface Pipeline extends IoredisPipelineCommands<Pipeline> {}

export { DataError, LedisError, ResponseError };
export default Redis;
