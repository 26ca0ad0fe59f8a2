// The argument forms `new Ledis(...)` accepts, as ioredis users write them,
// turned into one options object before anything else looks at them.
import { DataError } from './errors.js';
import { parseUrl, redactUrl } from './url.js';
import { describe } from './commands/shape.js';

/**
 * `()`, `(options)` (with a `url` option, as `(url, options)`), `(url, options?)`, `(path, options?)` for a unix
 * socket (ioredis's `'/tmp/ledis.sock?db=2'` query too), `(port, options?)`
 * and `(port, host, options?)`, the port a number or, as ioredis takes it, a
 * string of digits (`'6380'`). A URL's parts (and its query string) win over
 * `options`, as `Ledis.fromUrl` does.
 */
export function clientOptions<O extends object>(a: unknown, b: unknown, c: unknown): O {
  if (a === undefined || (a !== null && typeof a === 'object')) {
    if (b !== undefined) throw new DataError(`new Ledis(options) takes one argument, got a second: ${shown(b)}`);
    return withUrl<O>((a ?? {}) as Record<string, unknown>);
  }
  if (typeof a === 'string' && NUMERIC.test(a)) {
    // ioredis reads a string that is an integer as a port (its parseURL's isInt); a port is 1 to 65535.
    const port = /^[0-9]+$/.test(a) ? Number(a) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new DataError(`port must be an integer in [1, 65535], got ${JSON.stringify(a.length > 30 ? a.slice(0, 30) + '...' : a)}`);
    return portForm<O>(port, b, c);
  }
  if (typeof a === 'string') {
    if (c !== undefined) throw new DataError(`new Ledis(url, options) takes two arguments, got a third: ${shown(c)}`);
    const options = optionsArg(b, 'new Ledis(url, options)');
    // ioredis reads a bare path as a unix socket, and what follows a '?' as options (its parseURL).
    if (a.startsWith('/')) return socketPath<O>(a, options);
    return parseUrl(a, options as O & { db?: number });
  }
  if (typeof a === 'number') {
    if (!Number.isInteger(a) || a < 0 || a > 65535) throw new DataError(`port must be an integer in [0, 65535], got ${a}`);
    return portForm<O>(a, b, c);
  }
  throw new DataError(`new Ledis(): options must be an object (or a URL string, or a port and host), got ${describe(a)}`);
}

/** A string that reads as a number (a sign, a fraction, an exponent): a port, or a mistaken one, never a URL. */
const NUMERIC = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?$/i;

function portForm<O>(port: number, b: unknown, c: unknown): O {
  if (typeof b === 'string') return { ...optionsArg(c, 'new Ledis(port, host, options)'), port, host: b } as O;
  if (c !== undefined) throw new DataError(`new Ledis(port, host, options): host must be a string, got ${describe(b)}`);
  return { ...optionsArg(b, 'new Ledis(port, options)'), port } as O;
}

/**
 * `'/path/to.sock'` or `'/path/to.sock?db=2&commandTimeout=500'`: the path as
 * written (no percent-decoding), the query read as a `unix://` URL's is
 * (checked, and winning over `options`).
 */
function socketPath<O>(a: string, options: Record<string, unknown>): O {
  const q = a.indexOf('?');
  if (q < 0) return { ...options, unixSocketPath: a } as O;
  const path = a.slice(0, q);
  const url = 'unix://' + path.split('/').map(encodeURIComponent).join('/') + a.slice(q);
  return { ...parseUrl(url, options as O & { db?: number }), unixSocketPath: path } as O;
}

function optionsArg(v: unknown, form: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DataError(`${form}: options must be an object, got ${shown(v)}`);
  if ((v as { url?: unknown }).url !== undefined) throw new DataError(`${form}: the url option cannot be combined with a URL, path or port argument: give one`);
  return v as Record<string, unknown>;
}

/** Options of one server that a `url` may name; the others are refused beside it. */
const NOT_WITH_URL = ['shards', 'master', 'replicas', 'topology', 'connectionPool'] as const;

/**
 * `new Ledis({ url, ...options })`, node-redis's `createClient({ url })`:
 * the same as `new Ledis(url, options)` (the URL's parts win where both
 * speak; its query string too), checked the same way, with the password
 * redacted from every message. The URL itself is not kept in the options.
 */
function withUrl<O>(o: Record<string, unknown>): O {
  if (!Object.prototype.hasOwnProperty.call(o, 'url')) return o as O;
  const { url, ...rest } = o;
  if (url === undefined) return rest as O;
  if (typeof url !== 'string') throw new DataError(`url must be a URL string (ledis://[:password@]host[:port][/db] or unix:///path.sock?db=N), got ${describe(url)}`);
  for (const name of NOT_WITH_URL) {
    if (rest[name] !== undefined) throw new DataError(`url names one server, so it cannot be combined with ${name}: give the URL in ${name} instead`);
  }
  return parseUrl(url, rest as O & { db?: number });
}

/** A value for a message: a string as a URL is shown (password redacted), anything else by its type. */
function shown(v: unknown): string {
  return typeof v === 'string' ? redactUrl(v) : describe(v);
}
