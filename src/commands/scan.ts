// Key and member iteration: XSCAN (keys of one type), XHSCAN/XSSCAN/XZSCAN
// (inside one key), and the Redis-style HSCAN/SSCAN/ZSCAN.
//
// LedisDB's cursor is not an opaque number: it is the last key (or field,
// member) returned, and the next call starts just after it. The X forms end
// with an empty-string cursor; the Redis-style forms end with "0" (and read
// a cursor "0" as "from the start"), so a member literally named "0" is
// ambiguous there: the iterators use the X forms.
import { FIRST } from './keys.js';
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { describe, intIn, oneOf, toInt } from './shape.js';
import type { Key, Out, Str, TableFor } from './types.js';

export type ScanType = 'KV' | 'HASH' | 'LIST' | 'SET' | 'ZSET' | 'kv' | 'hash' | 'list' | 'set' | 'zset';
const TYPES = ['KV', 'HASH', 'LIST', 'SET', 'ZSET'] as const;

export interface ScanOptions {
  /** Start after this key/field/member; default: from the start. The cursor of the previous reply. */
  cursor?: Key;
  /**
   * Only items matching this pattern. LedisDB compiles it as a Go (RE2)
   * regular expression, unanchored: not a Redis glob. `'^user:'`, not `'user:*'`.
   */
  match?: string;
  /** At most this many items per call (a positive integer); the server's default is 10. */
  count?: number;
  /** Iterate in descending order. */
  desc?: boolean;
}

/** `[cursor, items]`: pass `cursor` back for the next page; the X forms end with `''`, the Redis-style forms with `'0'`. */
export type ScanReply<S, T> = [cursor: S, items: T[]];

export interface ScanCommands<S extends Str, M> {
  /** A page of keys of one data type (XSCAN). */
  xscan(type: ScanType, options?: ScanOptions): Out<M, ScanReply<S, S>>;
  /** A page of `[field, value]` pairs of a hash (XHSCAN). */
  xhscan(name: Key, options?: ScanOptions): Out<M, ScanReply<S, [S, S]>>;
  /** A page of members of a set (XSSCAN). */
  xsscan(name: Key, options?: ScanOptions): Out<M, ScanReply<S, S>>;
  /** A page of `[member, score]` pairs of a zset (XZSCAN). */
  xzscan(name: Key, options?: ScanOptions): Out<M, ScanReply<S, [S, number]>>;
  /** HSCAN: like xhscan, with Redis's cursor convention (starts and ends with "0"). */
  hscan(name: Key, options?: ScanOptions): Out<M, ScanReply<S, [S, S]>>;
  /** SSCAN: like xsscan, with Redis's cursor convention. */
  sscan(name: Key, options?: ScanOptions): Out<M, ScanReply<S, S>>;
  /** ZSCAN: like xzscan, with Redis's cursor convention. */
  zscan(name: Key, options?: ScanOptions): Out<M, ScanReply<S, [S, number]>>;
}

/** The arguments after the key (or type): cursor [MATCH m] [COUNT n] [ASC|DESC]. */
/**
 * The largest COUNT sent: LedisDB allocates room for COUNT entries before it
 * reads one, and COUNT 100000000000 killed the pinned server (measured).
 */
export const MAX_COUNT = 1_000_000;

export function scanArgs(command: string, options: ScanOptions | undefined, start: string): unknown[] {
  if (options === undefined) return [start];
  if (options === null || typeof options !== 'object') throw new DataError(`options must be an object, got ${describe(options)}`, command);
  const { cursor, match, count, desc } = options;
  if (cursor !== undefined && typeof cursor !== 'string' && !Buffer.isBuffer(cursor)) {
    throw new DataError(`cursor must be a string or Buffer, got ${describe(cursor)}`, command);
  }
  const out: unknown[] = [cursor ?? start];
  if (match !== undefined && match !== '') {
    if (typeof match !== 'string') throw new DataError(`match must be a string (a regular expression), got ${describe(match)}`, command);
    out.push('MATCH', match);
  }
  // COUNT 0 or less makes the server page by 10 yet never return the end cursor.
  // LedisDB preallocates COUNT entries (ledis/scan.go): a huge COUNT takes the whole server down.
  if (count !== undefined) out.push('COUNT', intIn(command, 'count', count, 1, MAX_COUNT));
  if (desc === true) out.push('DESC');
  return out;
}

function pageOf(r: Reply): [Reply, Reply[]] {
  if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[1])) throw new DataError('malformed scan reply');
  return [r[0] as Reply, r[1]];
}

function flatPage(r: Reply): unknown {
  return pageOf(r);
}

function pairPage(score: boolean) {
  return (r: Reply): unknown => {
    const [cursor, flat] = pageOf(r);
    const pairs: unknown[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], score ? toInt(flat[i + 1] as Reply) : flat[i + 1]]);
    return [cursor, pairs];
  };
}

const keyScan = (command: string, start: string) => (name: Key, options?: ScanOptions) => [name, ...scanArgs(command, options, start)];

export const scanCommands = {
  xscan: {
    command: 'XSCAN',
    allKeys: true,
    readonly: true,
    args: (type: ScanType, options?: ScanOptions) => [oneOf('XSCAN', 'type', type, TYPES), ...scanArgs('XSCAN', options, '')],
    reply: flatPage,
  },
  xhscan: { command: 'XHSCAN', keys: FIRST, readonly: true, args: keyScan('XHSCAN', ''), reply: pairPage(false) },
  xsscan: { command: 'XSSCAN', keys: FIRST, readonly: true, args: keyScan('XSSCAN', ''), reply: flatPage },
  xzscan: { command: 'XZSCAN', keys: FIRST, readonly: true, args: keyScan('XZSCAN', ''), reply: pairPage(true) },
  hscan: { command: 'HSCAN', keys: FIRST, readonly: true, args: keyScan('HSCAN', '0'), reply: pairPage(false) },
  sscan: { command: 'SSCAN', keys: FIRST, readonly: true, args: keyScan('SSCAN', '0'), reply: flatPage },
  zscan: { command: 'ZSCAN', keys: FIRST, readonly: true, args: keyScan('ZSCAN', '0'), reply: pairPage(true) },
} satisfies TableFor<ScanCommands<Str, unknown>>;
