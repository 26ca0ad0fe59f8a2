// Bit commands on KV strings, and ledis-py's legacy bitmap methods. LedisDB
// 0.6 dropped the separate bitmap type of 0.5: a bitmap is now a KV string,
// so BEXPIRE is EXPIRE on that key, BOPT is BITOP, and so on.
import { FIRST } from './keys.js';
import { DataError } from '../errors.js';
import { describe, expireAtSpec, expireSpec, flattenKeys, intIn, nonEmpty, oneOf, toBool, integerReply } from './shape.js';
import type { Key, Out, Str, TableFor, When } from './types.js';

/** A bit value: 0 / 1, or false / true. */
export type Bit = 0 | 1 | boolean;
export type BitOperation = 'AND' | 'OR' | 'XOR' | 'NOT' | 'and' | 'or' | 'xor' | 'not';

/**
 * SETBIT truncates the offset to 32 bits on the server (a negative offset
 * becomes a 512 MiB allocation), so offsets are checked here, as Redis does.
 */
const MAX_OFFSET = 2 ** 32 - 1;
const OPERATIONS = ['AND', 'OR', 'XOR', 'NOT'] as const;

export interface BitCommands<S extends Str, M> {
  /** Number of set bits, in the whole value or between the byte offsets `start` and `end` (negative from the end). */
  bitcount(name: Key, start?: number, end?: number): Out<M, number>;
  /**
   * Stores `operation` (AND, OR, XOR, NOT) of the source keys at `dest`; the length of the result.
   * LedisDB (d35789e) only computes with two or more source keys: with one
   * (and so always for NOT, which takes exactly one) it writes nothing and replies 0.
   */
  bitop(operation: BitOperation, dest: Key, ...keys: (Key | readonly Key[])[]): Out<M, number>;
  /** Offset of the first bit equal to `bit`, between the byte offsets `start` and `end`; -1 if none. */
  bitpos(name: Key, bit: Bit, start?: number, end?: number): Out<M, number>;
  /** The bit (0 or 1) at `offset`; 0 beyond the value or for a missing key. */
  getbit(name: Key, offset: number): Out<M, number>;
  /** Sets the bit at `offset` (0 to 2^32 - 1); the bit's previous value. */
  setbit(name: Key, offset: number, value: Bit): Out<M, number>;
  /** ledis-py's bopt, for 0.5's bitmap type: BITOP on today's server. */
  bopt(operation: BitOperation, dest: Key, ...keys: (Key | readonly Key[])[]): Out<M, number>;
  /** ledis-py's bexpire: EXPIRE on the bitmap's key. */
  bexpire(name: Key, time: number): Out<M, boolean>;
  /** ledis-py's bexpireat: EXPIREAT on the bitmap's key (unix seconds or a Date). */
  bexpireat(name: Key, when: When): Out<M, boolean>;
  /** ledis-py's bttl: TTL of the bitmap's key (-1 for none or missing). */
  bttl(name: Key): Out<M, number>;
  /** ledis-py's bpersist: PERSIST on the bitmap's key. */
  bpersist(name: Key): Out<M, boolean>;
}

function bitValue(command: string, v: unknown): 0 | 1 {
  if (v === 0 || v === false) return 0;
  if (v === 1 || v === true) return 1;
  throw new DataError(`bit value must be 0, 1 or a boolean, got ${describe(v)}`, command);
}

const offset = (command: string, v: unknown) => intIn(command, 'offset', v, 0, MAX_OFFSET);

/**
 * Optional byte range: start alone, or start and end; integers, negative
 * counting from the end. LedisDB (d35789e, ledis/t_kv.go BitCount/BitPos)
 * clamps the range to the value and then slices `value[start:end+1]`, which
 * panics, and closes the connection, when the clamped start lies past end + 1
 * (`bitcount('k', 100, 200)` on a 1-byte value, `bitcount('missing', 1)`).
 * A range that does so whatever the value (both non-negative, start > end + 1)
 * is refused here; Redis would answer 0 or -1 for it. The ones that depend on
 * the value's length go to a dedicated connection (`isolate`).
 */
function byteRange(command: string, start: unknown, end: unknown): number[] {
  if (start === undefined) {
    if (end !== undefined) throw new DataError('end given without start', command);
    return [];
  }
  const s = intIn(command, 'start', start, -Number.MAX_SAFE_INTEGER);
  if (end === undefined) return [s];
  const e = intIn(command, 'end', end, -Number.MAX_SAFE_INTEGER);
  if (s >= 0 && e >= 0 && s > e + 1) {
    throw new DataError(`start ${s} is past end ${e} + 1: an empty range, which makes LedisDB's handler crash and drop the connection`, command);
  }
  return [s, e];
}

/**
 * True when the byte range at `args[at]`, `args[at + 1]` (as sent) may crash
 * LedisDB's handler for some value length: everything but no range, a start
 * of 0, a start alone at or below 0, and two negative bounds in order.
 */
export function rangeMayCrash(at: number): (args: readonly unknown[]) => boolean {
  return (args) => {
    if (args.length <= at) return false;
    const s = Number(args[at]);
    if (s === 0) return false;
    if (args.length === at + 1) return !(s <= 0);
    const e = Number(args[at + 1]);
    if (s < 0 && e < 0 && s <= e) return false;
    return true;
  };
}

const bitopArgs =
  (command: string) =>
  (operation: unknown, dest: Key, ...keys: (Key | readonly Key[])[]): unknown[] => {
    const op = oneOf(command, 'operation', operation, OPERATIONS);
    const sources = nonEmpty(command, 'source key', flattenKeys([], keys as Key[]));
    if (op === 'NOT' && sources.length !== 1) throw new DataError('NOT takes exactly one source key', command);
    return [op, dest, ...sources];
  };

export const bitCommands = {
  bitcount: {
    command: 'BITCOUNT',
    reply: integerReply,
    keys: FIRST,
    isolate: rangeMayCrash(1),
    readonly: true,
    args: (name: Key, start?: number, end?: number) => [name, ...byteRange('BITCOUNT', start, end)],
  },
  bitop: { command: 'BITOP', reply: integerReply, keys: [1, -1, 1], args: bitopArgs('BITOP') },
  bitpos: {
    command: 'BITPOS',
    reply: integerReply,
    keys: FIRST,
    isolate: rangeMayCrash(2),
    readonly: true,
    args: (name: Key, bit: Bit, start?: number, end?: number) => [name, bitValue('BITPOS', bit), ...byteRange('BITPOS', start, end)],
  },
  getbit: { command: 'GETBIT', reply: integerReply, keys: FIRST, readonly: true, args: (name: Key, off: number) => [name, offset('GETBIT', off)] },
  setbit: {
    command: 'SETBIT',
    reply: integerReply,
    keys: FIRST,
    args: (name: Key, off: number, value: Bit) => [name, offset('SETBIT', off), bitValue('SETBIT', value)],
  },
  bopt: { command: 'BITOP', reply: integerReply, keys: [1, -1, 1], args: bitopArgs('BOPT') },
  bexpire: expireSpec('EXPIRE', 'BEXPIRE'),
  bexpireat: expireAtSpec('EXPIREAT', 'BEXPIREAT'),
  bttl: { command: 'TTL', reply: integerReply, keys: FIRST, readonly: true },
  bpersist: { command: 'PERSIST', keys: FIRST, reply: toBool },
} satisfies TableFor<BitCommands<Str, unknown>>;

/** What bmsetbit needs from a pipeline: SETBIT, then one exec. */
export interface SetbitBatch {
  setbit(name: Key, offset: number, value: Bit): unknown;
  exec(): Promise<unknown>;
}

/** Checks bmsetbit's `offset1, value1, offset2, value2, ...` into pairs. */
export function bmsetbitPairs(args: readonly unknown[]): Array<[number, 0 | 1]> {
  if (args.length === 0) throw new DataError('needs at least one offset, value pair', 'BMSETBIT');
  if (args.length % 2 !== 0) throw new DataError(`needs offset, value pairs, got ${args.length} arguments`, 'BMSETBIT');
  const pairs: Array<[number, 0 | 1]> = [];
  for (let i = 0; i < args.length; i += 2) pairs.push([offset('BMSETBIT', args[i]), bitValue('BMSETBIT', args[i + 1])]);
  return pairs;
}

/**
 * ledis-py's bmsetbit on today's server: one SETBIT per pair, all written in
 * one batch on one connection, so the whole call costs one round trip.
 * Resolves to the number of pairs, as 0.5's BMSETBIT replied. Not atomic: a
 * reader may see some bits set before the others. (A Lua script would be
 * atomic, but LedisDB's scripts cannot call commands on a server with a
 * password.) Bit order is today's SETBIT's, most significant bit first:
 * 0.5's bitmap type numbered bits from the least significant end.
 */
export async function bmsetbit(batch: SetbitBatch, name: Key, args: readonly unknown[]): Promise<number> {
  const pairs = bmsetbitPairs(args);
  for (const [off, value] of pairs) batch.setbit(name, off, value);
  await batch.exec();
  return pairs.length;
}
