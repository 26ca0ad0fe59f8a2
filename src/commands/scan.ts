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
import { describe, intIn, oneOf, toInt, unexpected } from './shape.js';
import type { CommandSpec, Key, Out, Str, TableFor } from './types.js';

export type ScanType = 'KV' | 'HASH' | 'LIST' | 'SET' | 'ZSET' | 'kv' | 'hash' | 'list' | 'set' | 'zset';
const TYPES = ['KV', 'HASH', 'LIST', 'SET', 'ZSET'] as const;

export interface ScanOptions {
  /** Start after this key/field/member; default: from the start. The cursor of the previous reply. */
  cursor?: Key;
  /**
   * Only items matching this pattern. LedisDB compiles it as a Go (RE2)
   * regular expression, unanchored: not a Redis glob. `'^user:'`, not `'user:*'`.
   * A CR or LF in it is sent as the regexp escape `\r` / `\n` (same meaning):
   * LedisDB echoes a pattern that fails to compile in its error reply
   * unescaped, and a raw CRLF there would break the reply stream.
   */
  match?: string;
  /** At most this many items per call (a positive integer); the server's default is 10. */
  count?: number;
  /** Iterate in descending order. */
  desc?: boolean;
}

/** ledis-py's scan options: `key` is its name for the cursor (the key to start after). */
export type LedisPyScanOptions = ScanOptions & { key?: Key };

/** `[cursor, items]`: pass `cursor` back for the next page; the X forms end with `''`, the Redis-style forms with `'0'`. */
export type ScanReply<S, T> = [cursor: S, items: T[]];

export interface ScanCommands<S extends Str, M> {
  /** A page of keys of one data type (XSCAN). */
  xscan(type: ScanType, options?: ScanOptions): Out<M, ScanReply<S, S>>;
  /**
   * ledis-py's `xscan(key, match, count)`, from LedisDB 0.5 where XSCAN listed
   * KV keys only: a page of KV keys (`XSCAN KV`). `key` is ledis-py's name
   * for the cursor.
   */
  xscan(options?: LedisPyScanOptions): Out<M, ScanReply<S, S>>;
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
  const out: unknown[] = [cursor === undefined ? start : cursorBytes(cursor)];
  if (match !== undefined && match !== '') {
    if (typeof match !== 'string') throw new DataError(`match must be a string (a regular expression), got ${describe(match)}`, command);
    out.push('MATCH', escapeLineBreaks(match));
  }
  // COUNT 0 or less makes the server page by 10 yet never return the end cursor.
  // LedisDB preallocates COUNT entries (ledis/scan.go): a huge COUNT takes the whole server down.
  if (count !== undefined) out.push('COUNT', intIn(command, 'count', count, 1, MAX_COUNT));
  if (desc === true) out.push('DESC');
  return out;
}

/** A raw CR or LF in a MATCH pattern, as Go regexp's `\r` / `\n` escapes (which RE2 reads with the same meaning). */
export function escapeLineBreaks(pattern: string): string {
  return pattern.indexOf('\r') < 0 && pattern.indexOf('\n') < 0 ? pattern : pattern.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/**
 * Cursors (the last key returned) that were not valid UTF-8, by the lossy
 * text string-mode callers were given: passing that text back as `cursor`
 * sends the original bytes, so paging by hand goes on from the right place.
 * Bounded (the most recent LOSSY_MAX); the iterators page with Buffers and
 * need none of it.
 */
const lossyCursors = new Map<string, Buffer>();
const LOSSY_MAX = 1024;

function cursorBytes(cursor: Key): Key {
  return typeof cursor === 'string' ? (lossyCursors.get(cursor) ?? cursor) : cursor;
}

function cursorText(c: Buffer): string {
  const s = c.toString();
  if (s.includes('\uFFFD') && !Buffer.from(s).equals(c)) {
    lossyCursors.delete(s);
    lossyCursors.set(s, c);
    if (lossyCursors.size > LOSSY_MAX) lossyCursors.delete(lossyCursors.keys().next().value as string);
  }
  return s;
}

/** `[cursor, items]` with items checked flat (bulk strings); decoded to text when `decode`. */
function pageOf(r: Reply, decode: boolean): [Str, Reply[]] {
  if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[1])) throw unexpected('a scan page [cursor, items]', r);
  const c = r[0];
  if (typeof c !== 'string' && !Buffer.isBuffer(c)) throw unexpected('a scan cursor', c);
  const items = r[1];
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (typeof v === 'string') continue;
    if (!Buffer.isBuffer(v)) throw unexpected('a scanned item', v);
    if (decode) items[i] = v.toString();
  }
  return [decode && Buffer.isBuffer(c) ? cursorText(c) : c, items];
}

/** ledis-py calls the cursor `key`; either name works, not both. */
export function cursorFromKey(label: string, options: LedisPyScanOptions | undefined): ScanOptions | undefined {
  if (options === undefined || options === null || typeof options !== 'object' || !('key' in options)) return options;
  const { key, ...rest } = options;
  if (key === undefined) return rest;
  if (rest.cursor !== undefined) throw new DataError('give the cursor as key or as cursor, not both', label);
  return { ...rest, cursor: key };
}

const flatPage = (decode: boolean) => (r: Reply): unknown => pageOf(r, decode);

function pairPage(score: boolean, decode: boolean) {
  return (r: Reply): unknown => {
    const [cursor, flat] = pageOf(r, decode);
    if (flat.length % 2 !== 0) throw unexpected('an even number of scanned items', `${flat.length} items`);
    const pairs: unknown[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], score ? toInt(flat[i + 1] as Reply) : flat[i + 1]]);
    return [cursor, pairs];
  };
}

const keyScan = (command: string, start: string) => (name: Key, options?: ScanOptions) => [name, ...scanArgs(command, options, start)];

// Every scan reads its reply as Buffers: in string mode (replyStrings) items
// are decoded here, and a cursor that is not valid UTF-8 keeps its bytes (above).
export const flat = { reply: flatPage(false), replyStrings: flatPage(true) };
const pairs = { reply: pairPage(false, false), replyStrings: pairPage(false, true) };
const scored = { reply: pairPage(true, false), replyStrings: pairPage(true, true) };

export const scanCommands = {
  xscan: {
    command: 'XSCAN',
    allKeys: true,
    readonly: true,
    args: (type?: ScanType | LedisPyScanOptions, options?: ScanOptions) =>
      type === undefined || (typeof type === 'object' && type !== null && !Buffer.isBuffer(type))
        ? ['KV', ...scanArgs('XSCAN', cursorFromKey('XSCAN', type), '')]
        : [oneOf('XSCAN', 'type', type, TYPES), ...scanArgs('XSCAN', options, '')],
    ...flat,
  },
  xhscan: { command: 'XHSCAN', keys: FIRST, readonly: true, args: keyScan('XHSCAN', ''), ...pairs },
  xsscan: { command: 'XSSCAN', keys: FIRST, readonly: true, args: keyScan('XSSCAN', ''), ...flat },
  xzscan: { command: 'XZSCAN', keys: FIRST, readonly: true, args: keyScan('XZSCAN', ''), ...scored },
  hscan: { command: 'HSCAN', keys: FIRST, readonly: true, args: keyScan('HSCAN', '0'), ...pairs },
  sscan: { command: 'SSCAN', keys: FIRST, readonly: true, args: keyScan('SSCAN', '0'), ...flat },
  zscan: { command: 'ZSCAN', keys: FIRST, readonly: true, args: keyScan('ZSCAN', '0'), ...scored },
} satisfies TableFor<ScanCommands<Str, unknown>>;

/** The X scans as the iterators send them: Buffer replies in every mode, so the cursor is the exact bytes. */
export const bufferScans: Readonly<Record<'xscan' | 'xhscan' | 'xsscan' | 'xzscan', CommandSpec>> = {
  xscan: { ...scanCommands.xscan, replyStrings: undefined, bufferReply: true },
  xhscan: { ...scanCommands.xhscan, replyStrings: undefined, bufferReply: true },
  xsscan: { ...scanCommands.xsscan, replyStrings: undefined, bufferReply: true },
  xzscan: { ...scanCommands.xzscan, replyStrings: undefined, bufferReply: true },
};
