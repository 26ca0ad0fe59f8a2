import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { inspect } from 'node:util';
import { DataError } from '../errors.js';

/** Returns the delay in ms before reconnect attempt `attempt` (1-based), or null to give up. */
export type RetryStrategy = (attempt: number, error: Error | undefined) => number | null;

/**
 * @internal The key of the construction-time tuning a test passes with the
 * options (`{ [TUNING]: { spreadSettle: Infinity } }`): a symbol, so no user
 * option can collide with it, option checks never see it, and copies of the
 * options (db views, duplicate) carry it.
 */
export const TUNING: unique symbol = Symbol('ledis.tuning');

/** @internal Numbers a test may change for one client; each defaults to the shipped constant. */
export interface Tuning {
  /** The adaptive spread's SETTLE (src/routing/spread.ts). */
  spreadSettle?: number;
  /** COALESCE_FROM (src/connection/coalesce.ts): 0 coalesces from the first command in flight. */
  coalesceFrom?: number;
  /** Coalesce without asking the server what it is first (as `coalesce: true`), on scripted peers too. */
  coalesceAnyServer?: boolean;
}

export interface ConnectionOptions {
  /** @internal See TUNING. */
  [TUNING]?: Tuning;
  /** Default "localhost". */
  host?: string;
  /** Default 6380 (LedisDB's port). An integer in [1, 65535]; a decimal string (from an environment variable) is accepted. */
  port?: number | string;
  /** Connect to this unix socket instead of TCP. */
  unixSocketPath?: string;
  /** TLS options (or `true` for defaults); enables TLS. */
  tls?: TlsOptions | boolean;
  /** Sent with AUTH on every (re)connect, before any queued command. Never shown by util.inspect, JSON or messages. */
  password?: string | null;
  /** Selected on every (re)connect when not 0. */
  db?: number;
  /** ms to wait for the socket (and handshake) before failing the attempt. Default 10000. */
  connectTimeout?: number;
  /**
   * ms a command may wait for its reply, counted from when it was issued; 0
   * (default) for no limit. A late reply is read and dropped. Deadlines are
   * judged after the replies already in the socket have been read. The
   * connection is deemed stalled and recycled only when nothing arrives (or
   * the reply at the head of the queue makes no progress) for
   * max(commandTimeout, 100 ms) past the deadline.
   */
  commandTimeout?: number;
  /** ms of socket inactivity, while replies are outstanding, after which the connection is recycled. 0 = off. */
  socketTimeout?: number;
  /** Bound on commands queued (in flight plus waiting); past it new commands are refused. Default 100000. */
  maxPending?: number;
  /** ms a command issued while disconnected waits for a connection before it is rejected. Default 10000. */
  offlineTimeout?: number;
  /** Queue commands while disconnected (default true); false rejects them at once. */
  offlineQueue?: boolean;
  /** Do not connect until the first command (or `connect()`). */
  lazyConnect?: boolean;
  /** Reconnect delays; default: exponential back-off from 50 ms to 2 s with jitter, never giving up. */
  retryStrategy?: RetryStrategy;
  /** Pending output (in characters or bytes) past which a flush happens at once. Default 256 KiB. */
  flushThreshold?: number;
  /** TCP keep-alive initial delay in ms; 0 disables. Default 30000. */
  keepAlive?: number;
  /**
   * What to do with an integer reply beyond Number.MAX_SAFE_INTEGER: return a
   * bigint (default) or reject the command with a DataError.
   */
  bigIntegers?: 'bigint' | 'error';
  /**
   * Send consecutive GETs (SETs, single-key DELs, HGETs of one hash) issued
   * in one tick on one connection as one MGET (MSET, DEL, HMGET), and split
   * the reply back to each caller (default: on LedisDB, see below). Only once 16 commands are in flight on the connection
   * (below that they go one by one), and each MGET or MSET takes at most
   * half of what is in flight (2 to 512). LedisDB writes and flushes once per command, so this is
   * what one connection's throughput is made of; callers see the same values
   * and order, each its own error, but one MGET has one deadline and one
   * reply: a timeout, a cut or a bad reply fails every GET in it. Commands
   * queued while not connected go one by one. See src/connection/coalesce.ts
   * for what qualifies.
   *
   * Not given: only on LedisDB, where each group is exactly its commands one
   * by one (GET of a hash key is nil there, as inside MGET; on Redis it is a
   * WRONGTYPE error, which an MGET would turn into a nil). The connection
   * asks `INFO server` once, the first time a command would coalesce, and
   * coalesces from its reply on only if it carries `ledisdb_version`; until
   * then, and on any other server, commands go one by one. `true` coalesces
   * on any server (no INFO asked; DELs still wait for LedisDB's answer, since
   * Redis's DEL answers the keys it removed); `false` never.
   */
  coalesce?: boolean;
}

export interface ResolvedConnectionOptions extends Required<Omit<ConnectionOptions, 'unixSocketPath' | 'tls' | 'password' | 'port' | 'coalesce' | typeof TUNING>> {
  port: number;
  /** `coalesce` as given, or 'ledisdb' (not given): only once the server has said it is LedisDB. */
  coalesce: boolean | 'ledisdb';
  unixSocketPath: string | undefined;
  tls: TlsOptions | undefined;
  password: string | undefined;
}

export const defaultRetryStrategy: RetryStrategy = (attempt) => {
  const cap = Math.min(2000, 50 * 2 ** Math.min(attempt - 1, 10));
  // "Equal jitter": half fixed, half random, so a herd of clients spreads out.
  return Math.round(cap / 2 + Math.random() * (cap / 2));
};

/** The longest delay Node's timers honour (2^31 - 1 ms); a larger one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A check of one option's value: null when the value is allowed, else what
 * is allowed (for the DataError's message). `undefined` (the default) is
 * never passed to a check.
 */
export type OptionCheck = (value: unknown) => string | null;

const ms = (what: string): OptionCheck => (v) =>
  typeof v === 'number' && v >= 0 && v <= MAX_TIMER_MS ? null : `${what}: a number of ms in [0, ${MAX_TIMER_MS}]`;
const bool: OptionCheck = (v) => (typeof v === 'boolean' ? null : 'true or false');
const intAtLeast = (min: number): OptionCheck => (v) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? null : `an integer >= ${min}`;

/**
 * Every connection option and what it may be: the one place that knows.
 * (Option names a later feature adds go here, or in the client's table in
 * src/options-check.ts, and are then checked and suggested like the rest.)
 */
export const connectionOptionChecks: Readonly<Record<Exclude<keyof ConnectionOptions, typeof TUNING>, OptionCheck>> = {
  host: (v) => (typeof v === 'string' && v !== '' ? null : 'a non-empty string (a host name or IP address)'),
  port: (v) =>
    (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) || (typeof v === 'string' && /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535)
      ? null
      : 'an integer in [1, 65535]',
  unixSocketPath: (v) => (typeof v === 'string' && v !== '' ? null : 'a non-empty string (a socket path)'),
  tls: (v) => (typeof v === 'boolean' || (v !== null && typeof v === 'object' && !Array.isArray(v)) ? null : 'true, false or a tls.connect options object'),
  password: (v) => (typeof v === 'string' || v === null ? null : 'a string'),
  db: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? null : 'a non-negative integer (a db index)'),
  connectTimeout: ms('0 for no limit'),
  commandTimeout: ms('0 for no limit'),
  socketTimeout: ms('0 for off'),
  maxPending: intAtLeast(1),
  offlineTimeout: ms('0 to reject at once'),
  offlineQueue: bool,
  lazyConnect: bool,
  retryStrategy: (v) => (typeof v === 'function' ? null : 'a function (attempt, error) => ms or null'),
  flushThreshold: intAtLeast(0),
  keepAlive: ms('0 to disable'),
  bigIntegers: (v) => (v === 'bigint' || v === 'error' ? null : '"bigint" or "error"'),
  coalesce: bool,
};

/** How an option's value appears in a message: never the value of a secret, never a whole object. */
export function describeOptionValue(name: string, v: unknown): string {
  if (v === null) return 'null';
  if (/password|secret|token/i.test(name)) return `a ${typeof v}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  return 'an object';
}

/** Throws the DataError for option `name` whose value `v` failed its check (`allowed` says what is allowed). */
export function badOption(name: string, v: unknown, allowed: string): DataError {
  return new DataError(`invalid option ${name}: got ${describeOptionValue(name, v)}; expected ${allowed}`);
}

/**
 * Checks the value of every connection option present (unknown names are the
 * client's to judge): a DataError naming the option, the value (never a
 * password) and what is allowed.
 */
export function checkConnectionOptions(o: ConnectionOptions): void {
  if (o === null || typeof o !== 'object') throw new DataError(`options must be an object, got ${describeOptionValue('options', o)}`);
  for (const name of Object.keys(connectionOptionChecks) as Array<keyof typeof connectionOptionChecks>) {
    const v = o[name];
    if (v === undefined) continue;
    const allowed = connectionOptionChecks[name](v);
    if (allowed !== null) throw badOption(name, v, allowed);
  }
}

/**
 * Gives `options` (an object that may hold `password`) a `toJSON` and a
 * `util.inspect` form in which the password reads "[redacted]". Both are
 * non-enumerable, so a spread copy is a plain object again.
 */
export function redactPassword<T extends object>(options: T): T {
  const view = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(options)) out[k] = k === 'password' && (options as Record<string, unknown>)[k] != null ? '[redacted]' : (options as Record<string, unknown>)[k];
    return out;
  };
  return showAs(options, view);
}

/**
 * Makes `JSON.stringify` and `util.inspect` of `target` show `view()` instead
 * of its own fields (non-enumerable, so a spread copy is a plain object again).
 */
export function showAs<T extends object>(target: T, view: () => Record<string, unknown>): T {
  Object.defineProperty(target, 'toJSON', { value: view, enumerable: false, configurable: true, writable: true });
  Object.defineProperty(target, inspect.custom, {
    value: (_depth: number, opts: object, fmt: typeof inspect) => (fmt ?? inspect)(view(), opts),
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return target;
}

/** Checks every option (see checkConnectionOptions) and fills in the defaults. */
export function resolveConnectionOptions(o: ConnectionOptions): ResolvedConnectionOptions {
  checkConnectionOptions(o);
  return redactPassword({
    host: o.host ?? 'localhost',
    port: o.port === undefined ? 6380 : Number(o.port),
    unixSocketPath: o.unixSocketPath,
    tls: o.tls === true ? {} : o.tls === false ? undefined : o.tls,
    password: o.password === '' || o.password === null ? undefined : o.password,
    db: o.db ?? 0,
    connectTimeout: o.connectTimeout ?? 10000,
    commandTimeout: o.commandTimeout ?? 0,
    socketTimeout: o.socketTimeout ?? 0,
    maxPending: o.maxPending ?? 100000,
    offlineTimeout: o.offlineTimeout ?? 10000,
    offlineQueue: o.offlineQueue ?? true,
    lazyConnect: o.lazyConnect ?? false,
    retryStrategy: o.retryStrategy ?? defaultRetryStrategy,
    flushThreshold: o.flushThreshold ?? 256 * 1024,
    keepAlive: o.keepAlive ?? 30000,
    bigIntegers: o.bigIntegers ?? 'bigint',
    coalesce: o.coalesce ?? 'ledisdb',
  });
}
