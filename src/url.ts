import { DataError } from './errors.js';
import { clientOptionChecks, poolOptionChecks, suggestOption } from './options-check.js';
import type { ConnectionOptions } from './connection/options.js';

/** What a URL can set: connection options and the pools' own (connections, spread, maxConnections, timeout). */
export interface UrlOptions extends ConnectionOptions {
  connections?: number;
  spread?: 'adaptive' | 'fixed';
  maxConnections?: number | null;
  timeout?: number | null;
}

const NUMERIC = new Set([
  'port', 'db', 'connectTimeout', 'commandTimeout', 'socketTimeout', 'maxPending', 'offlineTimeout',
  'flushThreshold', 'keepAlive', 'connections', 'maxConnections', 'timeout',
]);
const BOOLEAN = new Set(['lazyConnect', 'offlineQueue', 'decodeResponses', 'tls', 'coalesce']);
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

/** Every scheme parseUrl accepts, as its errors list them. */
const SCHEMES = 'ledis://, redis://, ledis+tls:// and rediss:// (TLS): host:port/db; unix:///path.sock?db=N';

/** Option names a query string may carry: the client's, the pools', and ledis-py's snake_case aliases. */
const QUERY_NAMES = [...Object.keys(clientOptionChecks), ...Object.keys(poolOptionChecks)];

/**
 * The URL as it may appear in a message: whatever stands before the last `@`
 * (the user info, with the password) and any `password=` query value replaced
 * by "[redacted]". Conservative: a URL that merely has an `@` later loses
 * more than the password, never less.
 */
export function redactUrl(url: string): string {
  if (typeof url !== 'string') return String(typeof url);
  let s = url;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    const scheme = s.indexOf('://');
    const from = scheme >= 0 && scheme < at ? scheme + 3 : Math.max(0, s.indexOf(':') + 1);
    s = s.slice(0, from) + '[redacted]' + s.slice(at);
  }
  s = s.replace(/([?&;]password=)[^&#]*/gi, '$1[redacted]');
  return JSON.stringify(s.length > 200 ? s.slice(0, 200) + '...' : s);
}

function decodePart(url: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new DataError(`invalid URL ${redactUrl(url)}: the ${what} is not valid percent-encoding (write a % as %25)`);
  }
}

/**
 * Parses `ledis://[:password@]host[:port][/db][?option=value...]` or
 * `unix:///path/to.sock[?db=N&...]` into options. The db comes from the query
 * string first, then the path, then `options.db`, else 0; query-string
 * options win over `options`.
 */
export function parseUrl<T extends UrlOptions>(url: string, options: T = {} as T): T {
  if (typeof url !== 'string') throw new DataError(`the URL must be a string, got a ${url === null ? 'null' : typeof url}`);
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new DataError('fromUrl options must be an object');
  if ((options as { url?: unknown } | undefined)?.url !== undefined) throw new DataError('the url option cannot be combined with a URL argument: give one');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DataError(`invalid URL ${redactUrl(url)}: expected ${SCHEMES}`);
  }
  const out: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  const query: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [rawName, raw] of u.searchParams) {
    const name = Object.prototype.hasOwnProperty.call(ALIASES, rawName) ? (ALIASES[rawName] as string) : rawName;
    if (!QUERY_NAMES.includes(name) || name === 'connectionPool' || name === 'topology' || name === 'master' || name === 'replicas') {
      throw new DataError(`invalid URL ${redactUrl(url)}: unknown option ${JSON.stringify(rawName.slice(0, 40))}${suggestOption(name, QUERY_NAMES)}`);
    }
    if (NUMERIC.has(name)) {
      if (raw === '' && name === 'timeout') {
        query[name] = null;
        continue;
      }
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) throw new DataError(`invalid URL ${redactUrl(url)}: ${rawName} must be a number, got ${JSON.stringify(raw)}`);
      query[name] = n;
    } else if (BOOLEAN.has(name)) {
      if (!/^(true|false|1|0|yes|no)$/i.test(raw)) throw new DataError(`invalid URL ${redactUrl(url)}: ${rawName} must be true or false`);
      query[name] = /^(true|1|yes)$/i.test(raw);
    } else {
      query[name] = raw;
    }
  }
  if (u.protocol === 'ledis:' || u.protocol === 'redis:' || u.protocol === 'ledis+tls:' || u.protocol === 'rediss:') {
    if (!u.hostname) throw new DataError(`invalid URL ${redactUrl(url)}: no host`);
    out.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    out.port = u.port ? Number(u.port) : (options.port ?? 6380);
    delete out.unixSocketPath;
    if (u.password) out.password = decodePart(url, u.password, 'password');
    if (u.protocol === 'ledis+tls:' || u.protocol === 'rediss:') out.tls = out.tls ?? true;
    const path = u.pathname.replace(/^\/+/, '');
    if (path !== '') {
      if (!/^\d+$/.test(path)) throw new DataError(`invalid URL ${redactUrl(url)}: the path must be a db number, got ${JSON.stringify(path)}`);
      out.db = Number(path);
    }
  } else if (u.protocol === 'unix:') {
    const path = decodePart(url, u.pathname, 'socket path');
    if (!path) throw new DataError(`invalid URL ${redactUrl(url)}: no socket path`);
    out.unixSocketPath = path;
    if (u.password) out.password = decodePart(url, u.password, 'password');
  } else {
    throw new DataError(`invalid URL ${redactUrl(url)}: the scheme ${JSON.stringify(u.protocol.slice(0, 20))} is not one of ${SCHEMES}`);
  }
  Object.assign(out, query);
  if (out.db === undefined) out.db = 0;
  if (typeof out.db !== 'number' || !Number.isInteger(out.db) || out.db < 0) {
    throw new DataError(`invalid URL ${redactUrl(url)}: db must be a non-negative integer`);
  }
  return out as T;
}
