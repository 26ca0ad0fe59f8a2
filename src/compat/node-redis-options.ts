// node-redis 5's createClient options, read into the options of the engine
// underneath (LedisOptions). Every name is checked: an option node-redis has
// and LedisDB cannot honour is a DataError that says why, never ignored.
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { LedisOptions } from '../client.js';
import type { RetryStrategy } from '../connection/options.js';
import type { RedisScriptConfig } from './node-redis-scripts.js';
import { DataError } from '../errors.js';
import { checkClientOptions, suggestOption } from '../options-check.js';
import { parseUrl, redactUrl } from '../url.js';

/** node-redis's reconnectStrategy: `false` (never), a fixed delay in ms, or `(retries, cause) => false | Error | number` (retries from 0). */
export type ReconnectStrategy = false | number | ((retries: number, cause: Error) => false | Error | number);

/**
 * node-redis 5's `socket` options that mean something on LedisDB. TLS options
 * (`ca`, `cert`, `key`, `servername`, `rejectUnauthorized` ...) sit beside
 * `tls: true`, as in node-redis.
 */
export interface RedisSocketOptions extends Omit<TlsOptions, 'host' | 'port' | 'path' | 'timeout' | 'socket'> {
  /** Default "localhost". */
  host?: string;
  /** Default 6380 (LedisDB's port; node-redis defaults to Redis's 6379). */
  port?: number;
  /** A unix socket path (with `tls` false or absent). */
  path?: string;
  /** `true` connects with TLS; the other options of this object are then TLS options. */
  tls?: boolean;
  /** ms for the socket and the handshake (AUTH, SELECT). Default 10000 (node-redis: 5000). */
  connectTimeout?: number;
  /** Reconnect delays; default exponential back-off from 50 ms to 2 s with jitter, never giving up. */
  reconnectStrategy?: ReconnectStrategy;
  /** TCP keep-alive (default true). */
  keepAlive?: boolean;
  /** ms before the first keep-alive probe (default 5000, as node-redis). */
  keepAliveInitialDelay?: number;
  /** TCP_NODELAY; only `true` (the default) is supported: the engine already writes once per tick. */
  noDelay?: boolean;
  /** ms of socket inactivity, while replies are outstanding, after which the connection is recycled. */
  socketTimeout?: number;
}

/**
 * The engine's own options that node-redis has no name for (keyPrefix,
 * connections, coalesce, commandTimeout, shards ...), and `strict`: refuse
 * what LedisDB can only approximate (millisecond TTLs, NX/XX with a TTL)
 * instead of sending the approximation (see docs/node-redis.md).
 */
export type LedisExtraOptions = Omit<LedisOptions, 'url' | 'host' | 'port' | 'unixSocketPath' | 'tls' | 'password' | 'db' | 'decodeResponses' | 'encoding'> & { strict?: boolean };

/** node-redis 5's RedisClientOptions, for what LedisDB has. */
export interface RedisClientOptions {
  /** `redis://[[username][:password]@][host][:port][/db-number]`; `rediss://` for TLS; `ledis://`, `ledis+tls://` and `unix://` too. */
  url?: string;
  socket?: RedisSocketOptions;
  /** LedisDB has no users: only absent or `'default'` (Redis's name for the no-user login). */
  username?: string;
  /** Sent with AUTH on every (re)connect. */
  password?: string;
  /** Lua scripts as methods of the client: `{ name: defineScript({ SCRIPT, NUMBER_OF_KEYS, parseCommand, transformReply }) }` (src/compat/node-redis-scripts.ts). */
  scripts?: Record<string, RedisScriptConfig>;
  /** Kept in `options`; not sent (LedisDB has no CLIENT SETNAME). */
  name?: string;
  /** The db (LedisDB has 16, 0 to 15). */
  database?: number;
  /** Bound on queued commands (the engine's maxPending); past it commands are refused. */
  commandsQueueMaxLength?: number;
  /** true: commands issued while disconnected are refused at once instead of waiting. */
  disableOfflineQueue?: boolean;
  /** Only 2: LedisDB speaks RESP2. */
  RESP?: 2;
  /** PING every this many ms while open (keeps idle connections through middleboxes). */
  pingInterval?: number;
  /** Accepted and not sent (LedisDB has no CLIENT SETINFO). */
  disableClientInfo?: boolean;
  /** Accepted and not sent (LedisDB has no CLIENT SETINFO). */
  clientInfoTag?: string;
  /** Default command options: only `typeMapping` (Buffers for blob strings). */
  commandOptions?: { typeMapping?: TypeMapping };
  /** ledis's own options: `{ keyPrefix, connections, coalesce, commandTimeout, shards ... }` (see README). */
  ledis?: LedisExtraOptions;
}

/** node-redis's RESP type codes (RESP_TYPES); only BLOB_STRING → Buffer changes a reply here. */
export const RESP_TYPES = Object.freeze({
  NULL: 95,
  BOOLEAN: 35,
  NUMBER: 58,
  BIG_NUMBER: 40,
  DOUBLE: 44,
  SIMPLE_STRING: 43,
  BLOB_STRING: 36,
  VERBATIM_STRING: 61,
  SIMPLE_ERROR: 45,
  BLOB_ERROR: 33,
  ARRAY: 42,
  SET: 126,
  MAP: 37,
  PUSH: 62,
} as const);

/** node-redis's TypeMapping: a RESP type code to the JS type its replies take. */
export type TypeMapping = { [code: number]: unknown };

/** True when `mapping` asks for Buffers (BLOB_STRING → Buffer); a DataError for any mapping this face cannot give. */
export function buffersOf(mapping: unknown, what = 'withTypeMapping'): boolean {
  if (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping)) throw new DataError(`${what}: the type mapping must be an object`);
  let buffers = false;
  for (const [code, type] of Object.entries(mapping as Record<string, unknown>)) {
    if (type === undefined) continue;
    if (Number(code) === RESP_TYPES.BLOB_STRING && (type === Buffer || type === String)) buffers = type === Buffer;
    else if (Number(code) === RESP_TYPES.SIMPLE_STRING && type === String) continue;
    else {
      throw new DataError(
        `${what}: only { [RESP_TYPES.BLOB_STRING]: Buffer } is supported (replies as Buffers); type ${code} -> ${typeof type === 'function' ? type.name : typeof type} is not`,
      );
    }
  }
  return buffers;
}

const SOCKET_NAMES = ['host', 'port', 'path', 'tls', 'connectTimeout', 'reconnectStrategy', 'keepAlive', 'keepAliveInitialDelay', 'noDelay', 'socketTimeout'];
const CLIENT_NAMES = [
  'url', 'socket', 'username', 'password', 'name', 'database', 'commandsQueueMaxLength', 'disableOfflineQueue', 'RESP', 'pingInterval',
  'disableClientInfo', 'clientInfoTag', 'commandOptions', 'ledis', 'scripts',
];
/** node-redis options LedisDB cannot honour, with the reason (a DataError names it). */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  modules: 'LedisDB has no Redis modules',
  functions: 'LedisDB has no FUNCTION (use eval/evalSha)',
  credentialsProvider: 'LedisDB takes a password only: give password',
  clientSideCache: 'LedisDB has no client tracking (RESP3)',
  emitInvalidate: 'LedisDB has no client tracking (RESP3)',
  readonly: 'READONLY is for Redis Cluster replicas; for LedisDB replicas use the ledis option { master, replicas, readFrom }',
  legacyMode: 'node-redis 4 legacy mode is not supported',
  isolationPoolOptions: 'LedisDB has no MULTI/WATCH; commands share multiplexed connections',
  maintNotifications: 'Redis Enterprise maintenance notifications do not exist on LedisDB',
  maintEndpointType: 'Redis Enterprise maintenance notifications do not exist on LedisDB',
  maintRelaxedCommandTimeout: 'Redis Enterprise maintenance notifications do not exist on LedisDB',
  maintRelaxedSocketTimeout: 'Redis Enterprise maintenance notifications do not exist on LedisDB',
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function unknownName(name: string, known: readonly string[], where: string): DataError {
  const reason = Object.prototype.hasOwnProperty.call(UNSUPPORTED, name) ? ` (${UNSUPPORTED[name]})` : suggestOption(name, known);
  const shown = JSON.stringify(name.length > 40 ? name.slice(0, 40) + '...' : name);
  return new DataError(`createClient: ${where}${shown} is not supported${reason}`);
}

function nonNegativeMs(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new DataError(`createClient: ${name} must be a number of ms >= 0, got ${typeof v === 'number' ? v : typeof v}`);
  return v;
}

/** node-redis's reconnectStrategy as the engine's retryStrategy (attempt counted from 1, null to give up). */
export function retryFromReconnect(strategy: ReconnectStrategy): RetryStrategy {
  if (strategy === false) return () => null;
  if (typeof strategy === 'number') {
    const ms = nonNegativeMs('socket.reconnectStrategy', strategy);
    return () => ms;
  }
  if (typeof strategy !== 'function') throw new DataError('createClient: socket.reconnectStrategy must be false, a number of ms or a function');
  return (attempt, error) => {
    const r = strategy(attempt - 1, error ?? new Error('connection lost'));
    if (typeof r === 'number' && Number.isFinite(r) && r >= 0) return r;
    return null;
  };
}

/** The checked createClient options, and what the face keeps for itself. */
export interface ReadOptions {
  ledis: LedisOptions;
  /** The translation table's options (strict). */
  translate: { strict: boolean };
  /** Replies as Buffers (commandOptions.typeMapping). */
  buffers: boolean;
  pingInterval: number;
}

/**
 * createClient's options as the engine's. The URL's parts win over `socket`
 * and `database` (as node-redis merges them). The engine connects lazily: on
 * `connect()`, as node-redis does.
 */
export function readClientOptions(options: RedisClientOptions | undefined): ReadOptions {
  if (options === undefined) options = {};
  if (!isObject(options)) throw new DataError('createClient: the options must be an object');
  for (const name of Object.keys(options)) if (!CLIENT_NAMES.includes(name)) throw unknownName(name, CLIENT_NAMES, '');
  // node-redis's socket defaults: TCP keep-alive on, first probe after 5 s (the engine's own default is 30 s).
  const out: Record<string, unknown> = { keepAlive: 5000 };
  const socket = options.socket;
  if (socket !== undefined) {
    if (!isObject(socket)) throw new DataError('createClient: socket must be an object');
    const tls = socket.tls;
    if (tls !== undefined && typeof tls !== 'boolean') throw new DataError('createClient: socket.tls must be true or false (TLS options sit beside it)');
    const tlsOptions: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(socket)) {
      if (v === undefined) continue;
      if (SOCKET_NAMES.includes(name)) continue;
      // With tls: true the other names are node:tls options, as node-redis passes them to tls.connect.
      if (tls === true) tlsOptions[name] = v;
      else throw unknownName(name, SOCKET_NAMES, 'socket.');
    }
    if (socket.host !== undefined) out.host = socket.host;
    if (socket.port !== undefined) out.port = socket.port;
    if (socket.path !== undefined) {
      if (tls === true) throw new DataError('createClient: socket.path (a unix socket) cannot be combined with tls: true');
      out.unixSocketPath = socket.path;
    }
    if (tls === true) out.tls = Object.keys(tlsOptions).length > 0 ? tlsOptions : true;
    if (socket.connectTimeout !== undefined) out.connectTimeout = socket.connectTimeout;
    if (socket.reconnectStrategy !== undefined) out.retryStrategy = retryFromReconnect(socket.reconnectStrategy as ReconnectStrategy);
    if (socket.keepAlive === false) out.keepAlive = 0;
    else out.keepAlive = socket.keepAliveInitialDelay === undefined ? 5000 : nonNegativeMs('socket.keepAliveInitialDelay', socket.keepAliveInitialDelay);
    if (socket.keepAlive !== undefined && typeof socket.keepAlive !== 'boolean') throw new DataError('createClient: socket.keepAlive must be true or false');
    if (socket.noDelay !== undefined && socket.noDelay !== true) throw new DataError('createClient: socket.noDelay must be true (the engine writes once per tick; Nagle would only add delay)');
    if (socket.socketTimeout !== undefined) out.socketTimeout = socket.socketTimeout;
  }
  if (options.username !== undefined && options.username !== 'default') {
    throw new DataError('createClient: LedisDB has no users (AUTH takes a password only): leave username out, or give "default"');
  }
  if (options.password !== undefined) out.password = options.password;
  if (options.database !== undefined) out.db = options.database;
  if (options.commandsQueueMaxLength !== undefined) out.maxPending = options.commandsQueueMaxLength;
  if (options.disableOfflineQueue !== undefined) {
    if (typeof options.disableOfflineQueue !== 'boolean') throw new DataError('createClient: disableOfflineQueue must be true or false');
    out.offlineQueue = !options.disableOfflineQueue;
  }
  if (options.RESP !== undefined && options.RESP !== 2) throw new DataError('createClient: RESP must be 2 (LedisDB speaks RESP2 only)');
  if (options.name !== undefined && typeof options.name !== 'string') throw new DataError('createClient: name must be a string');
  if (options.clientInfoTag !== undefined && typeof options.clientInfoTag !== 'string') throw new DataError('createClient: clientInfoTag must be a string');
  const pingInterval = options.pingInterval === undefined ? 0 : nonNegativeMs('pingInterval', options.pingInterval);
  let buffers = false;
  let strict = false;
  if (options.commandOptions !== undefined) {
    if (!isObject(options.commandOptions)) throw new DataError('createClient: commandOptions must be an object');
    for (const name of Object.keys(options.commandOptions)) {
      if (name !== 'typeMapping') throw new DataError(`createClient: commandOptions.${name} is not supported (only typeMapping)`);
    }
    if (options.commandOptions.typeMapping !== undefined) buffers = buffersOf(options.commandOptions.typeMapping, 'commandOptions.typeMapping');
  }
  if (options.ledis !== undefined) {
    if (!isObject(options.ledis)) throw new DataError('createClient: ledis must be an object of ledis options');
    for (const name of ['url', 'host', 'port', 'unixSocketPath', 'tls', 'password', 'db', 'decodeResponses', 'encoding']) {
      if (name in options.ledis) throw new DataError(`createClient: give ${name} as node-redis does (url, socket, password, database), not in ledis`);
    }
    const { strict: s, ...rest } = options.ledis;
    if (s !== undefined && typeof s !== 'boolean') throw new DataError('createClient: ledis.strict must be true or false');
    strict = s === true;
    Object.assign(out, rest);
  }
  if (options.url !== undefined) {
    if (typeof options.url !== 'string') throw new DataError('createClient: url must be a string');
    let username = '';
    try {
      username = decodeURIComponent(new URL(options.url).username);
    } catch {
      // parseUrl reports a malformed URL with the schemes it accepts.
    }
    if (username !== '' && username !== 'default') throw new DataError(`createClient: LedisDB has no users: the URL ${redactUrl(options.url)} names one (give :password@ only)`);
    const scheme = options.url.slice(0, options.url.indexOf(':') + 1).toLowerCase();
    const urlTls = scheme === 'rediss:' || scheme === 'ledis+tls:';
    const socketTls = isObject(options.socket) ? options.socket.tls : undefined;
    if (socketTls !== undefined && (scheme === 'redis:' || scheme === 'ledis:' || urlTls) && socketTls !== urlTls) {
      throw new DataError(`createClient: socket.tls is ${String(socketTls)} but the URL ${redactUrl(options.url)} asks for ${urlTls ? 'TLS' : 'no TLS'}`);
    }
    Object.assign(out, parseUrl(options.url, { ...out }));
  }
  out.lazyConnect = true;
  checkClientOptions(out);
  return { ledis: out as LedisOptions, translate: { strict }, buffers, pingInterval };
}
