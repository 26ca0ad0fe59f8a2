import { DataError } from './errors.js';
import type { ConnectionOptions } from './connection/options.js';

/** What a URL can set: connection options and the pools' own (connections, maxConnections, timeout). */
export interface UrlOptions extends ConnectionOptions {
  connections?: number;
  maxConnections?: number | null;
  timeout?: number | null;
}

const NUMERIC = new Set([
  'port', 'db', 'connectTimeout', 'commandTimeout', 'socketTimeout', 'maxPending', 'offlineTimeout',
  'flushThreshold', 'keepAlive', 'connections', 'maxConnections', 'timeout',
]);
const BOOLEAN = new Set(['lazyConnect', 'offlineQueue', 'decodeResponses', 'tls']);
/** ledis-py's snake_case query names, accepted beside the camelCase ones. */
const ALIASES: Record<string, string> = {
  socket_timeout: 'socketTimeout',
  connect_timeout: 'connectTimeout',
  command_timeout: 'commandTimeout',
  max_connections: 'maxConnections',
  decode_responses: 'decodeResponses',
  unix_socket_path: 'unixSocketPath',
  max_pending: 'maxPending',
};

/**
 * Parses `ledis://[:password@]host[:port][/db][?option=value...]` or
 * `unix:///path/to.sock[?db=N&...]` into options. The db comes from the query
 * string first, then the path, then `options.db`, else 0; query-string
 * options win over `options`.
 */
export function parseUrl<T extends UrlOptions>(url: string, options: T = {} as T): T {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DataError(`invalid URL ${JSON.stringify(url)}: expected ledis://host:port/db or unix:///path.sock?db=N`);
  }
  const out: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  const query: Record<string, unknown> = {};
  for (const [rawName, raw] of u.searchParams) {
    const name = ALIASES[rawName] ?? rawName;
    if (NUMERIC.has(name)) {
      if (raw === '' && name === 'timeout') {
        query[name] = null;
        continue;
      }
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) throw new DataError(`invalid URL ${JSON.stringify(url)}: ${rawName} must be a number, got ${JSON.stringify(raw)}`);
      query[name] = n;
    } else if (BOOLEAN.has(name)) {
      if (!/^(true|false|1|0|yes|no)$/i.test(raw)) throw new DataError(`invalid URL ${JSON.stringify(url)}: ${rawName} must be true or false`);
      query[name] = /^(true|1|yes)$/i.test(raw);
    } else {
      query[name] = raw;
    }
  }
  if (u.protocol === 'ledis:' || u.protocol === 'redis:' || u.protocol === 'ledis+tls:' || u.protocol === 'rediss:') {
    if (!u.hostname) throw new DataError(`invalid URL ${JSON.stringify(url)}: no host`);
    out.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    out.port = u.port ? Number(u.port) : (options.port ?? 6380);
    delete out.unixSocketPath;
    if (u.password) out.password = decodeURIComponent(u.password);
    if (u.protocol === 'ledis+tls:' || u.protocol === 'rediss:') out.tls = out.tls ?? true;
    const path = u.pathname.replace(/^\/+/, '');
    if (path !== '') {
      if (!/^\d+$/.test(path)) throw new DataError(`invalid URL ${JSON.stringify(url)}: the path must be a db number, got ${JSON.stringify(path)}`);
      out.db = Number(path);
    }
  } else if (u.protocol === 'unix:') {
    const path = decodeURIComponent(u.pathname);
    if (!path) throw new DataError(`invalid URL ${JSON.stringify(url)}: no socket path`);
    out.unixSocketPath = path;
    if (u.password) out.password = decodeURIComponent(u.password);
  } else {
    throw new DataError(`invalid URL ${JSON.stringify(url)}: scheme must be ledis:// or unix://`);
  }
  Object.assign(out, query);
  if (out.db === undefined) out.db = 0;
  if (typeof out.db !== 'number' || !Number.isInteger(out.db) || out.db < 0) {
    throw new DataError(`invalid URL ${JSON.stringify(url)}: db must be a non-negative integer`);
  }
  return out as T;
}
