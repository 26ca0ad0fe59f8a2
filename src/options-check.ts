// The client's options, checked at construction (and fromUrl's query string
// through the same table): every value, and every name. An unknown name is a
// DataError with a suggestion, so an ioredis or node-redis user's option is
// never silently ignored.
import { badOption, connectionOptionChecks, describeOptionValue, MAX_TIMER_MS, type OptionCheck } from './connection/options.js';
import { DataError } from './errors.js';
import { distance } from './suggest.js';

/** The most shared connections a pool may open (`connections`): a guard against a typo like Infinity. */
export const MAX_SHARED_CONNECTIONS = 1024;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const target: OptionCheck = (v) => (typeof v === 'string' || isObject(v) ? null : 'a URL string or an options object');

/** Pool options (PoolOptions, BlockingPoolOptions) beside the connection options. */
export const poolOptionChecks: Readonly<Record<string, OptionCheck>> = {
  connections: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_SHARED_CONNECTIONS ? null : `an integer in [1, ${MAX_SHARED_CONNECTIONS}]`,
  spread: (v) => (v === 'adaptive' || v === 'fixed' ? null : '"adaptive" or "fixed"'),
  maxConnections: (v) => (v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1) ? null : 'an integer >= 1, or null for the default'),
  /** BlockingConnectionPool's wait for a free connection, in seconds. */
  timeout: (v) =>
    v === null || (typeof v === 'number' && v >= 0 && v * 1000 <= MAX_TIMER_MS) ? null : `a number of seconds in [0, ${MAX_TIMER_MS / 1000}], or null to wait forever`,
};

/**
 * Every option `new Ledis(options)` knows, with its check. To add an option,
 * add its entry here (or to connectionOptionChecks for a connection option):
 * the constructor, fromUrl and the "did you mean" suggestions follow.
 */
export const clientOptionChecks: Record<string, OptionCheck> = {
  ...connectionOptionChecks,
  connections: poolOptionChecks.connections as OptionCheck,
  spread: poolOptionChecks.spread as OptionCheck,
  maxConnections: poolOptionChecks.maxConnections as OptionCheck,
  decodeResponses: (v) => (typeof v === 'boolean' ? null : 'true or false'),
  encoding: (v) => (typeof v === 'string' && /^utf-?8$/i.test(v) ? null : '"utf-8" (the only encoding supported)'),
  connectionPool: (v) => (isObject(v) ? null : 'a ConnectionPool or BlockingConnectionPool'),
  master: target,
  replicas: (v) => (Array.isArray(v) && v.every((r) => target(r) === null) ? null : 'an array of URL strings or options objects'),
  readFrom: (v) => (v === 'master' || v === 'replica' || v === 'replicaPreferred' ? null : '"master", "replica" or "replicaPreferred"'),
  topology: (v) => (isObject(v) ? null : 'a Topology'),
  keyPrefix: (v) => (typeof v === 'string' ? null : 'a string prepended to every key'),
  scriptReplies: (v) => (v === 'via-key' || v === 'direct' ? null : '"via-key" or "direct"'),
  // Sharding (src/sharding/options.ts checks each shard in detail).
  shards: (v) => (Array.isArray(v) && v.length > 0 && v.every((r) => target(r) === null) ? null : 'a non-empty array of URLs, twemproxy server lines or shard objects'),
  hashTag: (v) => (v === null || (typeof v === 'string' && /^[\x20-\x7e]{2}$/.test(v)) ? null : 'two ASCII characters like "{}", or null'),
  proxy: (v) => (v === 'twemproxy' ? null : '"twemproxy"'),
  // Tracing and error stacks (src/tracing.ts).
  traceArgs: (v) => (typeof v === 'boolean' ? null : 'true or false'),
  showFriendlyErrorStack: (v) => (typeof v === 'boolean' ? null : 'true or false'),
};

const NODE_REDIS = "a node-redis option: createClient from 'ledis/node-redis' takes node-redis's options as they are";
const IOREDIS = "an ioredis option: Redis from 'ledis/ioredis' takes ioredis's options as they are";

/**
 * Options of other clients that mean something else here (or nothing yet):
 * the hint given instead of a guess. node-redis's and ioredis's own names
 * point at the compat entry that takes them unchanged, and at this client's
 * nearest option.
 */
const FOREIGN: Readonly<Record<string, string>> = {
  // node-redis (createClient)
  socket: `${NODE_REDIS}; here: host, port, unixSocketPath, tls, connectTimeout, keepAlive`,
  database: `${NODE_REDIS}; here: did you mean db?`,
  reconnectStrategy: `${NODE_REDIS}; here: did you mean retryStrategy?`,
  commandsQueueMaxLength: `${NODE_REDIS}; here: did you mean maxPending?`,
  disableOfflineQueue: `${NODE_REDIS}; here: offlineQueue: false`,
  pingInterval: `${NODE_REDIS}; here: keepAlive (TCP keep-alive, ms)`,
  RESP: `${NODE_REDIS}; LedisDB speaks RESP2 only`,
  commandOptions: `${NODE_REDIS}; here: decodeResponses: false, or ledis.buffers, for Buffers`,
  disableClientInfo: `${NODE_REDIS}; LedisDB has no CLIENT SETINFO`,
  path: `${NODE_REDIS} (socket.path); here: did you mean unixSocketPath?`,
  // ioredis (new Redis)
  maxRetriesPerRequest: `${IOREDIS}; here: commands wait offlineTimeout ms for a connection and commandTimeout ms for a reply instead`,
  enableOfflineQueue: `${IOREDIS}; here: did you mean offlineQueue?`,
  enableAutoPipelining: `${IOREDIS}; here: commands of one tick always go out together`,
  enableReadyCheck: `${IOREDIS}; here: commands wait for the handshake (AUTH, SELECT) anyway`,
  connectionName: `${IOREDIS}; LedisDB has no CLIENT SETNAME`,
  family: `${IOREDIS}; here: give host as an IPv4 or IPv6 address`,
  sentinels: `${IOREDIS}; LedisDB has no Sentinel: here master, replicas and readFrom`,
  stringNumbers: `${IOREDIS}; here: bigIntegers ('bigint' or 'error')`,
  readOnly: `${IOREDIS}; here: readFrom: 'replica'`,
  reconnectOnError: `${IOREDIS}; here: retryStrategy (reconnects on connection errors only)`,
  autoResubscribe: `${IOREDIS}; LedisDB has no pub/sub`,
  // either
  url: 'give the URL itself: ConnectionPool.fromUrl(url, options), new Ledis({ url }), master: url',
  username: 'LedisDB has no users: give password only',
  name: `${NODE_REDIS} / ${IOREDIS}; LedisDB has no CLIENT SETNAME`,
  // ledis-py
  socket_timeout: 'did you mean socketTimeout?',
  unix_socket_path: 'did you mean unixSocketPath?',
  decode_responses: 'did you mean decodeResponses?',
  connection_pool: 'did you mean connectionPool?',
};

/** "did you mean X?" for an unknown option name, or the hint for another client's option; '' if nothing is close. */
export function suggestOption(name: string, known: readonly string[]): string {
  const foreign = Object.prototype.hasOwnProperty.call(FOREIGN, name) ? FOREIGN[name] : undefined;
  if (foreign !== undefined) return ` (${foreign})`;
  const lower = name.toLowerCase().replace(/[_-]/g, '');
  let best = '';
  let bestD = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : distance(lower, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean ${best}?)` : '';
}

/** Checks names and values of an options object against a table; a DataError for the first bad one. */
export function checkOptions(options: unknown, checks: Readonly<Record<string, OptionCheck>>, what = 'options'): void {
  if (options === undefined) return;
  if (!isObject(options)) throw new DataError(`${what} must be an object, got ${describeOptionValue(what, options)}`);
  const known = Object.keys(checks);
  for (const name of Object.keys(options)) {
    const check = Object.prototype.hasOwnProperty.call(checks, name) ? checks[name] : undefined;
    if (check === undefined) {
      throw new DataError(`unknown option ${JSON.stringify(name.length > 40 ? name.slice(0, 40) + '...' : name)}${suggestOption(name, known)}`);
    }
    const v = options[name];
    if (v === undefined) continue;
    const allowed = check(v);
    if (allowed !== null) throw badOption(name, v, allowed);
  }
}

/** The options of `new Ledis(options)`, and of each `master` / `replicas` entry given as an object. */
export function checkClientOptions(options: unknown): void {
  checkOptions(options, clientOptionChecks);
  if (options === undefined) return;
  const o = options as Record<string, unknown>;
  const nodeChecks = { ...connectionOptionChecks, ...poolOptionChecks };
  if (isObject(o.master)) checkOptions(o.master, nodeChecks, 'master');
  if (Array.isArray(o.replicas)) for (const r of o.replicas) if (isObject(r)) checkOptions(r, nodeChecks, 'replicas[]');
}

/** The options of a ConnectionPool / BlockingConnectionPool. */
export function checkPoolOptions(options: unknown): void {
  checkOptions(options, { ...connectionOptionChecks, ...poolOptionChecks });
}
