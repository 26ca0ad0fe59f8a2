// Async iterators over XSCAN / XHSCAN / XSSCAN / XZSCAN. Not table commands:
// each one is many commands, so they live on Ledis (client.ts) and call the
// table methods of the client they are given.
import { DataError, LedisError } from '../errors.js';
import type { ScanOptions, ScanType } from './scan.js';
import { bufferScans, scanArgs } from './scan.js';
import { describe, oneOf } from './shape.js';
import type { CommandSpec, Key, Str } from './types.js';

/** What every iterator takes: a pattern, a page size and a direction (no cursor: it is kept for you). */
export type IterateOptions = Omit<ScanOptions, 'cursor'>;

/** The client the iterators page with: its table runner and its reply mode. */
export interface Scanner<S extends Str> {
  run(spec: CommandSpec, args: unknown[]): Promise<unknown>;
  readonly decodeResponses: boolean;
  /** Only carries S for inference. */
  readonly __str?: S;
}

/** One page, read as Buffers whatever the client's mode: `[cursor bytes, items]`. */
type Page = (options: ScanOptions) => Promise<[Buffer, unknown[]]>;

/** A page of one X scan, its cursor kept as the exact bytes the server sent. */
function pager(client: Scanner<Str>, spec: CommandSpec, head: unknown[]): Page {
  const shape = spec.args as (...a: unknown[]) => unknown[];
  return (options) => client.run(spec, shape(...head, options)) as Promise<[Buffer, unknown[]]>;
}

/** An item as the caller sees it: text in string mode (a pair's score is already a number). */
function decodeItem(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString();
  if (Array.isArray(v)) return v.map(decodeItem);
  return v;
}

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
async function* pages<T>(command: string, page: Page, options: IterateOptions, decode: boolean): AsyncGenerator<T, void, undefined> {
  let cursor: Buffer | undefined;
  for (;;) {
    const [next, items] = await page(cursor === undefined ? options : { ...options, cursor });
    for (const item of items) yield (decode ? decodeItem(item) : item) as T;
    if (next.length === 0) return;
    if (cursor !== undefined && cursor.equals(next)) throw new LedisError(`${command} returned the cursor it was given; stopping`);
    cursor = next;
  }
}

/** Every key of one type, in key order (or reverse with `desc`). */
export function scanIterator<S extends Str>(client: Scanner<S>, options: IterateOptions & { type: ScanType }): AsyncGenerator<S, void, undefined> {
  if (options === null || typeof options !== 'object') throw new DataError(`options must be an object with a type, got ${describe(options)}`, 'XSCAN');
  const { type, ...rest } = options;
  const t = oneOf('XSCAN', 'type', type, ['KV', 'HASH', 'LIST', 'SET', 'ZSET'] as const);
  const o = checked('XSCAN', rest);
  return pages<S>('XSCAN', pager(client, bufferScans.xscan, [t]), o, client.decodeResponses);
}

/** Every `[field, value]` of the hash `name`. */
export function hscanIterator<S extends Str>(client: Scanner<S>, name: Key, options?: IterateOptions): AsyncGenerator<[S, S], void, undefined> {
  const o = checked('XHSCAN', options);
  return pages<[S, S]>('XHSCAN', pager(client, bufferScans.xhscan, [name]), o, client.decodeResponses);
}

/** Every member of the set `name`. */
export function sscanIterator<S extends Str>(client: Scanner<S>, name: Key, options?: IterateOptions): AsyncGenerator<S, void, undefined> {
  const o = checked('XSSCAN', options);
  return pages<S>('XSSCAN', pager(client, bufferScans.xsscan, [name]), o, client.decodeResponses);
}

/** Every `[member, score]` of the zset `name`, in member order (LedisDB scans zsets by member, not score). */
export function zscanIterator<S extends Str>(
  client: Scanner<S>,
  name: Key,
  options?: IterateOptions,
): AsyncGenerator<[S, number], void, undefined> {
  const o = checked('XZSCAN', options);
  return pages<[S, number]>('XZSCAN', pager(client, bufferScans.xzscan, [name]), o, client.decodeResponses);
}
