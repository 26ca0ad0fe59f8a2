// The argument forms `new Ledis(...)` accepts, as ioredis users write them,
// turned into one options object before anything else looks at them.
import { DataError } from './errors.js';
import { parseUrl } from './url.js';
import { describe } from './commands/shape.js';

/**
 * `()`, `(options)`, `(url, options?)`, `(path, options?)` for a unix
 * socket, `(port, options?)` and `(port, host, options?)`. A URL's parts
 * (and its query string) win over `options`, as `Ledis.fromUrl` does.
 */
export function clientOptions<O extends object>(a: unknown, b: unknown, c: unknown): O {
  if (a === undefined || (a !== null && typeof a === 'object')) {
    if (b !== undefined) throw new DataError(`new Ledis(options) takes one argument, got a second: ${describe(b)}`);
    return (a ?? {}) as O;
  }
  if (typeof a === 'string') {
    if (c !== undefined) throw new DataError(`new Ledis(url, options) takes two arguments, got a third: ${describe(c)}`);
    const options = optionsArg(b, 'new Ledis(url, options)');
    // ioredis reads a bare path as a unix socket.
    if (a.startsWith('/')) return { ...options, unixSocketPath: a } as O;
    return parseUrl(a, options as O & { db?: number });
  }
  if (typeof a === 'number') {
    if (!Number.isInteger(a) || a < 0 || a > 65535) throw new DataError(`port must be an integer in [0, 65535], got ${a}`);
    if (typeof b === 'string') return { ...optionsArg(c, 'new Ledis(port, host, options)'), port: a, host: b } as O;
    if (c !== undefined) throw new DataError(`new Ledis(port, host, options): host must be a string, got ${describe(b)}`);
    return { ...optionsArg(b, 'new Ledis(port, options)'), port: a } as O;
  }
  throw new DataError(`new Ledis(): options must be an object (or a URL string, or a port and host), got ${describe(a)}`);
}

function optionsArg(v: unknown, form: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DataError(`${form}: options must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}
