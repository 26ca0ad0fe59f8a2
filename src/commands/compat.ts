// Two kinds of names beside the table's own:
//
// - ledis-py methods that its published docs skipped (client/ledis-py/ledis/client.py
//   in the LedisDB repository, last at commit c30979e^): the 0.5 bitmap family
//   (bget, bsetbit, bgetbit, bdelete, bxscan), the per-type scans (lxscan,
//   hxscan, sxscan, zxscan) and the lowercase script methods. LedisDB 0.6
//   dropped 0.5's bitmap type and its B* commands (a bitmap is a KV string
//   now) and folded LXSCAN, HXSCAN ... into `XSCAN type`, so each method sends
//   today's equivalent.
// - every LedisDB command by its own lowercase name, as ioredis and
//   node-redis users call them, where the table's method has another name:
//   del (delete), ltrim_front (ltrimFront), ltrim_back (ltrimBack), script
//   (scriptLoad, scriptExists, scriptFlush) and config (configGet, configRewrite).
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { type Bit, bitCommands } from './bit.js';
import { FIRST } from './keys.js';
import { kvCommands } from './kv.js';
import { listCommands } from './list.js';
import { cursorFromKey, flat, scanArgs, type LedisPyScanOptions, type ScanReply } from './scan.js';
import { scriptCommands } from './script.js';
import { serverCommands } from './server.js';
import { describe, intIn, pairsToObject, toBool, bulkOrNullReply } from './shape.js';
import type { CommandSpec, Key, Out, ReplyFn, Str, TableFor } from './types.js';

export interface CompatCommands<S extends Str, M> {
  /**
   * ledis-py's bget: the bitmap's bytes (GET; always a Buffer, as a bitmap is
   * binary), or null. 0.5 numbered bits from the least significant end of
   * each byte, today's SETBIT from the most significant: the same bits set
   * give other bytes (ledis-py's test expects `\x7f` for bits 0-6, today's
   * server gives `\xfe`).
   */
  bget(name: Key): Out<M, Buffer | null>;
  /** ledis-py's bsetbit: SETBIT; the bit's previous value. */
  bsetbit(name: Key, offset: number, value: Bit): Out<M, number>;
  /** ledis-py's bgetbit: GETBIT; 0 or 1. */
  bgetbit(name: Key, offset: number): Out<M, number>;
  /**
   * ledis-py's bxscan: a page of bitmap keys. Bitmaps are KV strings today,
   * so this is `XSCAN KV` and lists every KV key, bitmap or not.
   */
  bxscan(options?: LedisPyScanOptions): Out<M, ScanReply<S, S>>;
  /** ledis-py's lxscan: a page of list keys (`XSCAN LIST`). */
  lxscan(options?: LedisPyScanOptions): Out<M, ScanReply<S, S>>;
  /** ledis-py's hxscan: a page of hash keys (`XSCAN HASH`). */
  hxscan(options?: LedisPyScanOptions): Out<M, ScanReply<S, S>>;
  /** ledis-py's sxscan: a page of set keys (`XSCAN SET`). */
  sxscan(options?: LedisPyScanOptions): Out<M, ScanReply<S, S>>;
  /** ledis-py's zxscan: a page of zset keys (`XSCAN ZSET`). */
  zxscan(options?: LedisPyScanOptions): Out<M, ScanReply<S, S>>;
  /** ledis-py's scriptload: the same as scriptLoad (the script's SHA1, hex). */
  scriptload(script: string): Out<M, string>;
  /** ledis-py's scriptexists: the same as scriptExists (booleans, where ledis-py gave 1 / 0). */
  scriptexists(...sha1s: (string | readonly string[])[]): Out<M, boolean[]>;
  /** ledis-py's scriptflush: the same as scriptFlush (true, where ledis-py gave 'OK'). */
  scriptflush(): Out<M, boolean>;
  /** DEL by its own name: the same as `delete` (keys one by one or as an array; KV keys only; LedisDB answers the number of keys given). */
  del(...names: Key[]): Out<M, number>;
  del(names: readonly Key[]): Out<M, number>;
  /** LTRIM_FRONT by its own name: the same as ltrimFront. */
  ltrim_front(name: Key, count: number): Out<M, number>;
  /** LTRIM_BACK by its own name: the same as ltrimBack. */
  ltrim_back(name: Key, count: number): Out<M, number>;
  /** SCRIPT by its own name: `script('LOAD', src)` is scriptLoad, `script('EXISTS', ...)` scriptExists, `script('FLUSH')` scriptFlush. */
  script(subcommand: 'LOAD' | 'load', script: string): Out<M, string>;
  script(subcommand: 'EXISTS' | 'exists', ...sha1s: (string | readonly string[])[]): Out<M, boolean[]>;
  script(subcommand: 'FLUSH' | 'flush'): Out<M, boolean>;
  /** CONFIG by its own name: `config('GET', p)` is configGet, `config('REWRITE')` configRewrite. */
  config(subcommand: 'GET' | 'get', parameter: string): Out<M, Record<string, string>>;
  config(subcommand: 'REWRITE' | 'rewrite'): Out<M, boolean>;
}

/** `XSCAN type` for ledis-py's per-type scans; `key` (ledis-py's name) or `cursor` is where to start. */
export function typeScan(label: string, type: string) {
  return (options?: LedisPyScanOptions): unknown[] => [type, ...scanArgs(label, cursorFromKey(label, options), '')];
}

function word<T extends string>(label: string, v: unknown, words: readonly T[]): T {
  const upper = typeof v === 'string' ? v.toUpperCase() : '';
  if ((words as readonly string[]).includes(upper)) return upper as T;
  throw new DataError(`subcommand must be one of ${words.join(', ')}, got ${describe(v)}`, label);
}

/** The args shaper of a table entry (entries without one send their arguments as they are). */
const argsOf = (spec: CommandSpec) => spec.args ?? ((...a: unknown[]) => a);

const scriptSpecs = { LOAD: scriptCommands.scriptLoad, EXISTS: scriptCommands.scriptExists, FLUSH: scriptCommands.scriptFlush };
const configSpecs = { GET: serverCommands.configGet, REWRITE: serverCommands.configRewrite };

export const compatCommands = {
  bget: { command: 'GET', reply: bulkOrNullReply, keys: FIRST, readonly: true, bufferReply: true },
  bsetbit: bitCommands.setbit,
  bgetbit: bitCommands.getbit,
  bxscan: { command: 'XSCAN', allKeys: true, readonly: true, args: typeScan('BXSCAN', 'KV'), ...flat },
  lxscan: { command: 'XSCAN', allKeys: true, readonly: true, args: typeScan('LXSCAN', 'LIST'), ...flat },
  hxscan: { command: 'XSCAN', allKeys: true, readonly: true, args: typeScan('HXSCAN', 'HASH'), ...flat },
  sxscan: { command: 'XSCAN', allKeys: true, readonly: true, args: typeScan('SXSCAN', 'SET'), ...flat },
  zxscan: { command: 'XSCAN', allKeys: true, readonly: true, args: typeScan('ZXSCAN', 'ZSET'), ...flat },
  scriptload: scriptCommands.scriptLoad,
  scriptexists: scriptCommands.scriptExists,
  scriptflush: scriptCommands.scriptFlush,
  del: kvCommands.delete,
  ltrim_front: listCommands.ltrimFront,
  ltrim_back: listCommands.ltrimBack,
  script: {
    command: 'SCRIPT',
    stringReply: true,
    args: (subcommand: unknown, ...rest: unknown[]) => argsOf(scriptSpecs[word('SCRIPT', subcommand, ['LOAD', 'EXISTS', 'FLUSH'] as const)])(...rest),
    // The subcommand's own entry shapes (and checks) the reply: the arguments as sent are the same.
    reply: (r: Reply, args: readonly unknown[]) => (scriptSpecs[args[0] as keyof typeof scriptSpecs].reply as ReplyFn)(r, args),
  },
  config: {
    command: 'CONFIG',
    stringReply: true,
    args: (subcommand: unknown, ...rest: unknown[]) => argsOf(configSpecs[word('CONFIG', subcommand, ['GET', 'REWRITE'] as const)])(...rest),
    reply: (r: Reply, args: readonly unknown[]) => (args[0] === 'GET' ? pairsToObject(r) : toBool(r)),
  },
} satisfies TableFor<CompatCommands<Str, unknown>>;

/** Set bits of `byte` between bit `from` and bit `to` inclusive (0 = most significant). */
function maskedBits(byte: number, from: number, to: number): number {
  let n = 0;
  for (let bit = from; bit <= to; bit++) if ((byte & (0x80 >> bit)) !== 0) n++;
  return n;
}

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + (POPCOUNT[i >> 1] as number);

/**
 * Set bits of `bytes` (bytes `firstByte...` of the value) between the bit
 * offsets `start` and `end` inclusive (absolute, start <= end).
 */
export function countBitsBetween(bytes: Buffer, firstByte: number, start: number, end: number): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const at = firstByte + i;
    const byte = bytes[i] as number;
    const from = at === Math.floor(start / 8) ? start % 8 : 0;
    const to = at === Math.floor(end / 8) ? end % 8 : 7;
    n += from === 0 && to === 7 ? (POPCOUNT[byte] as number) : maskedBits(byte, from, to);
  }
  return n;
}

/** What bdelete needs from a pipeline. */
export interface DeleteBatch {
  exists(name: Key): unknown;
  delete(name: Key): unknown;
  exec(): Promise<unknown[]>;
}

/** ledis-py's bdelete: EXISTS then DEL in one batch; 1 if the key existed, else 0. */
export async function bdelete(batch: DeleteBatch, name: Key): Promise<number> {
  if (typeof name !== 'string' && !Buffer.isBuffer(name)) throw new DataError(`name must be a string or Buffer, got ${describe(name)}`, 'BDELETE');
  batch.exists(name);
  batch.delete(name);
  const [existed] = await batch.exec();
  return existed === true ? 1 : 0;
}

/** What bcount needs from a client: runs a table entry with shaped arguments. */
export interface BcountSource {
  run(spec: CommandSpec, args: unknown[]): Promise<unknown>;
}

const MAX_BIT = 2 ** 35 - 1;
const BITCOUNT: CommandSpec = { command: 'BITCOUNT', keys: FIRST, readonly: true };
// Not STRLEN, whose handler crashes on a missing key (see kv.ts strlen): the value itself, as bytes.
const GET: CommandSpec = { command: 'GET', keys: FIRST, readonly: true, bufferReply: true };
const GETRANGE: CommandSpec = { command: 'GETRANGE', keys: FIRST, readonly: true, bufferReply: true };

/**
 * ledis-py's bcount with 0.5's meaning: the set bits between the BIT offsets
 * `start` and `end` inclusive (negative counts from the end; reversed ones
 * are swapped), or in the whole bitmap. Today's BITCOUNT takes BYTE offsets,
 * so with a range this reads the covering bytes (GETRANGE; with a negative
 * offset, which needs the value's length, the whole value with GET: one
 * round trip either way) and counts them here. Bits are numbered as SETBIT does, most significant first. A negative
 * offset reaching before the value's start counts from 0 (0.5 refused it).
 */
export async function bcount(source: BcountSource, name: Key, start?: number, end?: number): Promise<number> {
  if ((start === undefined) !== (end === undefined)) throw new DataError('both start and end must be given, or neither', 'BCOUNT');
  if (typeof name !== 'string' && !Buffer.isBuffer(name)) throw new DataError(`name must be a string or Buffer, got ${describe(name)}`, 'BCOUNT');
  if (start === undefined || end === undefined) return (await source.run(BITCOUNT, [name])) as number;
  let a = intIn('BCOUNT', 'start', start, -MAX_BIT, MAX_BIT);
  let b = intIn('BCOUNT', 'end', end, -MAX_BIT, MAX_BIT);
  if (a < 0 || b < 0) {
    const value = (await source.run(GET, [name])) as Buffer | null;
    if (value === null) return 0;
    const bits = value.length * 8;
    if (a < 0) a = Math.max(0, bits + a);
    if (b < 0) b = Math.max(0, bits + b);
    if (a > b) [a, b] = [b, a];
    const from = Math.floor(a / 8);
    return countBitsBetween(value.subarray(from, Math.floor(b / 8) + 1), from, a, b);
  }
  if (a > b) [a, b] = [b, a];
  const first = Math.floor(a / 8);
  const bytes = (await source.run(GETRANGE, [name, first, Math.floor(b / 8)])) as Buffer | null;
  return bytes === null ? 0 : countBitsBetween(bytes, first, a, b);
}
