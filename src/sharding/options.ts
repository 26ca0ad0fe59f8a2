// The options of a sharded client: the shard targets (URL, twemproxy line,
// object), each one's client options and ketama identity, and their redaction.
import { showAs } from '../connection/options.js';
import { DataError } from '../errors.js';
import type { PoolOptions } from '../pool.js';
import type { ReadFrom } from '../topology.js';
import { parseUrl } from '../url.js';

/**
 * One shard of `new Ledis({ shards: [...] })`:
 * - a URL, `ledis://host:port[/db]` (ketama name "host:port", weight 1);
 * - a twemproxy `servers:` line, `host:port:weight [name]`;
 * - an object: `{ url }` or `{ master, replicas, readFrom }` (a topology, as
 *   the client's own options), with an optional ketama `name` (default the
 *   server's "host:port") and `weight` (default 1).
 */
export type ShardTarget =
  | string
  | {
      url?: string;
      master?: string | PoolOptions;
      replicas?: Array<string | PoolOptions>;
      readFrom?: ReadFrom;
      /** twemproxy's server name: ketama hashes it instead of "host:port". */
      name?: string;
      /** twemproxy's weight: a positive integer share of the keys. */
      weight?: number;
    };

/**
 * The client options the router reads (a subset of LedisOptions, which
 * lives in client.ts above this file): the rest is passed to each shard.
 */
export interface ShardedClientOptions extends PoolOptions, ShardingOptions {
  readFrom?: ReadFrom;
  master?: unknown;
  replicas?: unknown;
  topology?: unknown;
  connectionPool?: unknown;
  proxy?: string;
}

/** Options of a sharded client. */
export interface ShardingOptions {
  /** The shards, in any order (placement depends on names and weights only, as in twemproxy). */
  shards?: ShardTarget[];
  /** twemproxy's `hash_tag`: two characters, default "{}"; null hashes whole keys. */
  hashTag?: string | null;
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const TWEMPROXY_LINE = /^(\S+):(\d+):(\d+)(?:\s+(\S+))?$/;

/** Per-shard client options and ketama identity. */
export function shardConfig(target: ShardTarget, base: ShardedClientOptions, i: number): { options: ShardedClientOptions; name: string; weight: number } {
  const what = `shards[${i}]`;
  if (typeof target === 'string') {
    if (URL_SCHEME.test(target)) {
      const options = parseUrl(target, { ...base });
      return { options, name: addressOf(options, what), weight: 1 };
    }
    const m = TWEMPROXY_LINE.exec(target.trim());
    if (m === null) {
      throw new DataError(`${what} must be a URL (ledis://host:port) or a twemproxy server line (host:port:weight [name]); got an unrecognized string`);
    }
    const options = { ...base, host: m[1] as string, port: Number(m[2]) };
    return { options, name: m[4] ?? `${m[1]}:${m[2]}`, weight: Number(m[3]) };
  }
  if (target === null || typeof target !== 'object') throw new DataError(`${what} must be a URL string or an object, got ${typeof target}`);
  const { url, master, replicas, readFrom, name, weight } = target;
  if (name !== undefined && (typeof name !== 'string' || name === '' || /\s/.test(name))) {
    throw new DataError(`${what}.name must be a non-empty string without spaces`);
  }
  let options: ShardedClientOptions;
  if (url !== undefined) {
    if (master !== undefined) throw new DataError(`${what} has both url and master: give one`);
    options = parseUrl(url, { ...base });
  } else if (master !== undefined) {
    options = { ...base, master, replicas, readFrom: readFrom ?? base.readFrom };
  } else {
    throw new DataError(`${what} needs a url or a master`);
  }
  const node = master === undefined ? options : typeof master === 'string' ? parseUrl(master, {}) : master;
  return { options, name: name ?? addressOf(node, what), weight: weight ?? 1 };
}

function addressOf(options: PoolOptions, what: string): string {
  if (options.unixSocketPath !== undefined) return options.unixSocketPath;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 6380;
  if (typeof host !== 'string' || !Number.isInteger(port)) throw new DataError(`${what} has no usable host and port`);
  return `${host}:${port}`;
}

/** A URL with its password (and user) replaced, for output. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const search = u.search.replace(/([?&;]password=)[^&#]*/gi, '$1[redacted]');
    if (u.password === '' && u.username === '') return search === u.search ? url : `${u.protocol}//${u.host}${u.pathname}${search}`;
    return `${u.protocol}//[redacted]@${u.host}${u.pathname}${search}`;
  } catch {
    return '[redacted]';
  }
}

function redactTarget(t: unknown): unknown {
  if (typeof t === 'string') return URL_SCHEME.test(t) ? redactUrl(t) : t;
  if (t === null || typeof t !== 'object') return t;
  const out: Record<string, unknown> = { ...(t as Record<string, unknown>) };
  if ('password' in out && out.password != null) out.password = '[redacted]';
  if (typeof out.url === 'string') out.url = redactUrl(out.url);
  if (out.master !== undefined) out.master = redactTarget(out.master);
  if (Array.isArray(out.replicas)) out.replicas = out.replicas.map(redactTarget);
  return out;
}

/**
 * Makes `options`' toJSON and util.inspect views (see redactPassword) show
 * the shards, the master and the replicas with every password and URL
 * credential redacted.
 */
export function redactShards<T extends { shards?: unknown; master?: unknown; replicas?: unknown }>(options: T): T {
  const base = (options as unknown as { toJSON?: () => Record<string, unknown> }).toJSON;
  const view = (): Record<string, unknown> => {
    const out = base !== undefined ? base.call(options) : { ...(options as Record<string, unknown>) };
    if (Array.isArray(options.shards)) out.shards = options.shards.map(redactTarget);
    if (options.master !== undefined) out.master = redactTarget(options.master);
    if (Array.isArray(options.replicas)) out.replicas = options.replicas.map(redactTarget);
    return out;
  };
  return showAs(options, view);
}

