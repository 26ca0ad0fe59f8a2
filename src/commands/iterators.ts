// Async iterators over XSCAN / XHSCAN / XSSCAN / XZSCAN. Not table commands:
// each one is many commands, so they live on Ledis (client.ts) and call the
// table methods of the client they are given.
import { DataError, LedisError } from '../errors.js';
import type { ScanOptions, ScanReply, ScanType } from './scan.js';
import { scanArgs } from './scan.js';
import { describe, oneOf } from './shape.js';
import type { Key, Str } from './types.js';

/** What every iterator takes: a pattern, a page size and a direction (no cursor: it is kept for you). */
export type IterateOptions = Omit<ScanOptions, 'cursor'>;

/** The scan methods the iterators page with. */
export interface Scanner<S extends Str> {
  xscan(type: ScanType, options?: ScanOptions): Promise<ScanReply<S, S>>;
  xhscan(name: Key, options?: ScanOptions): Promise<ScanReply<S, [S, S]>>;
  xsscan(name: Key, options?: ScanOptions): Promise<ScanReply<S, S>>;
  xzscan(name: Key, options?: ScanOptions): Promise<ScanReply<S, [S, number]>>;
}

type Page<T> = (options: ScanOptions) => Promise<ScanReply<Str, T>>;

const isEnd = (cursor: Str): boolean => cursor.length === 0;
const same = (a: Str | undefined, b: Str): boolean =>
  a !== undefined && (typeof a === 'string' && typeof b === 'string' ? a === b : Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0);

/** Checks the options now, so a bad call throws where it is made rather than at the first `next()`. */
function checked(command: string, options: IterateOptions | undefined): IterateOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new DataError(`options must be an object, got ${describe(options)}`, command);
  if ('cursor' in options) throw new DataError('iterators keep the cursor themselves; use the scan method to page by hand', command);
  scanArgs(command, options, '');
  const { match, count, desc } = options;
  return { match, count, desc };
}

/**
 * Pages until the server's empty-string cursor. The cursor is the last item
 * returned and must move on every page; a server that sent the same cursor
 * twice would otherwise loop forever, so that is an error.
 */
async function* pages<T>(command: string, page: Page<T>, options: IterateOptions): AsyncGenerator<T, void, undefined> {
  let cursor: Str | undefined;
  for (;;) {
    const [next, items] = await page(cursor === undefined ? options : { ...options, cursor });
    yield* items;
    if (isEnd(next)) return;
    if (same(cursor, next)) throw new LedisError(`${command} returned the cursor it was given (${String(next)}); stopping`);
    cursor = next;
  }
}

/** Every key of one type, in key order (or reverse with `desc`). */
export function scanIterator<S extends Str>(client: Scanner<S>, options: IterateOptions & { type: ScanType }): AsyncGenerator<S, void, undefined> {
  if (options === null || typeof options !== 'object') throw new DataError(`options must be an object with a type, got ${describe(options)}`, 'XSCAN');
  const { type, ...rest } = options;
  const t = oneOf('XSCAN', 'type', type, ['KV', 'HASH', 'LIST', 'SET', 'ZSET'] as const);
  const o = checked('XSCAN', rest);
  return pages('XSCAN', (p) => client.xscan(t, p), o) as AsyncGenerator<S, void, undefined>;
}

/** Every `[field, value]` of the hash `name`. */
export function hscanIterator<S extends Str>(client: Scanner<S>, name: Key, options?: IterateOptions): AsyncGenerator<[S, S], void, undefined> {
  const o = checked('XHSCAN', options);
  return pages('XHSCAN', (p) => client.xhscan(name, p), o) as AsyncGenerator<[S, S], void, undefined>;
}

/** Every member of the set `name`. */
export function sscanIterator<S extends Str>(client: Scanner<S>, name: Key, options?: IterateOptions): AsyncGenerator<S, void, undefined> {
  const o = checked('XSSCAN', options);
  return pages('XSSCAN', (p) => client.xsscan(name, p), o) as AsyncGenerator<S, void, undefined>;
}

/** Every `[member, score]` of the zset `name`, in member order (LedisDB scans zsets by member, not score). */
export function zscanIterator<S extends Str>(
  client: Scanner<S>,
  name: Key,
  options?: IterateOptions,
): AsyncGenerator<[S, number], void, undefined> {
  const o = checked('XZSCAN', options);
  return pages('XZSCAN', (p) => client.xzscan(name, p), o) as AsyncGenerator<[S, number], void, undefined>;
}
