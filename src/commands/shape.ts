// Argument checks and reply shapes shared by the command families.
import { FIRST } from './keys.js';
import { DataError, UnexpectedReplyError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import type { CommandSpec, Key, When } from './types.js';

/** The error for a reply of a shape the transform did not expect (the connection goes on). */
export function unexpected(expected: string, r: unknown): UnexpectedReplyError {
  return new UnexpectedReplyError(`expected ${expected}, got ${describe(r)}`);
}

/** A bulk, simple or integer reply (not an array, not null): what a single value may be. */
function isScalar(r: unknown): r is string | Buffer | number | bigint {
  return typeof r === 'string' || typeof r === 'number' || typeof r === 'bigint' || Buffer.isBuffer(r);
}

/** 1 / "OK" / "PONG" → true; 0 / null → false. An array is an UnexpectedReplyError. */
export function toBool(r: Reply): boolean {
  if (typeof r === 'number') return r !== 0;
  if (r === null) return false;
  if (typeof r === 'bigint') return r !== 0n;
  if (Array.isArray(r)) throw unexpected('a status or integer reply', r);
  return true;
}

/** A bulk or integer reply as an integer (bigint beyond the safe range); null stays null. */
export function toInt(r: Reply): number | null {
  if (r === null) return null;
  if (typeof r === 'number') return r;
  if (typeof r === 'bigint') return r as unknown as number;
  if (!isScalar(r)) throw unexpected('an integer reply', r);
  const s = typeof r === 'string' ? r : r.toString();
  const n = Number(s);
  if (!Number.isSafeInteger(n)) {
    if (/^-?\d+$/.test(s)) return BigInt(s) as unknown as number;
    if (Number.isNaN(n)) throw new UnexpectedReplyError(`expected an integer reply, got ${describe(s)}`);
  }
  return n;
}

/** An array reply (null, a missing key's nil array, as empty); anything else is an UnexpectedReplyError. */
export function toList(r: Reply, what = 'an array reply'): Reply[] {
  if (r === null) return [];
  if (!Array.isArray(r)) throw unexpected(what, r);
  return r;
}

/** An array of bulk strings or nulls (MGET, HKEYS, LRANGE...): nested arrays refused. */
export function toFlatList(r: Reply): Reply[] {
  const list = toList(r);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v !== null && !isScalar(v)) throw unexpected('an array of strings', v);
  }
  return list;
}

/**
 * Objects keyed by server data (HGETALL, CONFIG GET, INFO and its sections)
 * have a null prototype, so a field named `__proto__`, `constructor` or
 * `toString` is an ordinary own property and nothing is inherited: read them
 * with `obj[field]`, `Object.keys`, `Object.entries`, `for...in`; there is
 * no `obj.hasOwnProperty` (use `Object.hasOwn(obj, k)` or `k in obj`).
 */
export function keyedObject<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Array of [field, value, field, value...] → a null-prototype object keyed
 * by field (as UTF-8 text). An odd length, a nested array or an error in
 * place of a field or value is an UnexpectedReplyError.
 */
export function pairsToObject(r: Reply): Record<string, unknown> {
  const list = toList(r, 'an array of field/value pairs');
  if (list.length % 2 !== 0) throw unexpected('an even number of fields and values', `${list.length} elements`);
  const out = keyedObject<unknown>();
  for (let i = 0; i < list.length; i += 2) {
    const field = list[i];
    const value = list[i + 1];
    if (!isScalar(field)) throw unexpected('a field name', field);
    if (value !== null && !isScalar(value)) throw unexpected('a field value', value);
    out[typeof field === 'string' ? field : field.toString()] = value;
  }
  return out;
}

export function toSet(r: Reply): Set<unknown> {
  return new Set(toFlatList(r));
}

/** Keys given as an array, or as an array/key followed by more keys (ledis-py's `keys, *args`). */
export function flattenKeys(first: Key | readonly Key[], rest: readonly Key[]): Key[] {
  const head: Key[] = [];
  appendAll(head, Array.isArray(first) ? (first as Key[]) : [first as Key]);
  for (const k of rest) {
    if (Array.isArray(k)) appendAll(head, k as Key[]);
    else head.push(k);
  }
  return head;
}

/** Appends every element of `from` to `to`, one by one: `push(...from)` overflows the stack for a caller-sized array (~120k). */
export function appendAll<T>(to: T[], from: readonly T[]): T[] {
  for (let i = 0; i < from.length; i++) to.push(from[i] as T);
  return to;
}

/** Rest arguments given spread or as arrays (`lpush(k, 'a', 'b')` or `lpush(k, ['a', 'b'])`), one level flattened. */
export function spread(list: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) {
    if (Array.isArray(v)) appendAll(out, v as unknown[]);
    else out.push(v);
  }
  return out;
}

/** Refuses an empty key list. */
export function nonEmpty<T>(command: string, what: string, list: T[]): T[] {
  if (list.length === 0) throw new DataError(`needs at least one ${what}`, command);
  return list;
}

/** An int64 argument: a safe integer, a bigint or an integer string. */
export function int(command: string, what: string, v: unknown): number | bigint | string {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v;
    throw new DataError(`${what} must be an integer, got ${v}`, command);
  }
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return v;
  throw new DataError(`${what} must be an integer, got ${describe(v)}`, command);
}

/** A whole number in [min, max] (offsets, counts, db indexes): refused before sending otherwise. */
export function intIn(command: string, what: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new DataError(`${what} must be an integer ${range}, got ${describe(v)}`, command);
  }
  return v;
}

/** An enumerated word (operation, type...), matched case-insensitively, sent upper case. */
export function oneOf<T extends string>(command: string, what: string, v: unknown, words: readonly T[]): T {
  if (typeof v === 'string') {
    const upper = v.toUpperCase();
    if ((words as readonly string[]).includes(upper)) return upper as T;
  }
  throw new DataError(`${what} must be one of ${words.join(', ')}, got ${describe(v)}`, command);
}

/** A zset score bound: an integer, or "-inf" / "+inf" / "(" exclusive forms as LedisDB accepts. */
export function scoreBound(command: string, what: string, v: unknown): number | bigint | string {
  if (typeof v === 'string' && /^(\(?-?\d+|[-+]inf|\(?[-+]inf)$/.test(v)) return v;
  return int(command, what, v);
}

/** Whole seconds, as expire-style commands take. */
export function seconds(command: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new DataError(`time must be a whole number of seconds, got ${describe(v)}`, command);
  }
  return v;
}

/** Unix seconds from a number or a Date, as expireat-style commands take. */
export function unixSeconds(command: string, when: When): number {
  if (when instanceof Date) {
    const t = when.getTime();
    if (Number.isNaN(t)) throw new DataError('when is an invalid Date', command);
    return Math.floor(t / 1000);
  }
  return seconds(command, when);
}

/** Object or Map of field → value, flattened; refuses an empty mapping. */
export function mapping(command: string, m: unknown): unknown[] {
  const out: unknown[] = [];
  if (m instanceof Map) {
    for (const [k, v] of m) out.push(k, v);
  } else if (m !== null && typeof m === 'object' && !Array.isArray(m) && !Buffer.isBuffer(m)) {
    for (const k of Object.keys(m)) out.push(k, (m as Record<string, unknown>)[k]);
  } else {
    throw new DataError(`expected a mapping (object or Map), got ${describe(m)}`, command);
  }
  if (out.length === 0) throw new DataError('the mapping is empty', command);
  return out;
}

export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'an array';
  return `a value of type ${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}`;
}

/**
 * The table entry of an expire-style command (`EXPIRE key seconds`, and each
 * type's HEXPIRE, LEXPIRE ...): whole seconds, boolean reply. `label` names
 * the method in errors where it differs from the command sent (bexpire).
 */
export function expireSpec(command: string, label = command): CommandSpec {
  return { command, keys: FIRST, args: (name: Key, time: number) => [name, seconds(label, time)], reply: toBool };
}

/** The table entry of an expireat-style command: unix seconds or a Date, boolean reply. */
export function expireAtSpec(command: string, label = command): CommandSpec {
  return { command, keys: FIRST, args: (name: Key, when: When) => [name, unixSeconds(label, when)], reply: toBool };
}

/** What a command is declared to return, for the table entries whose reply needs no reshaping: see `ReplyCheck`. */
export type ReplyKind = 'integer' | 'integerOrNull' | 'bulk' | 'bulkOrNull' | 'status' | 'bulkList' | 'integerOrBulkList';

/**
 * A reply transform that only checks the reply's shape against what the
 * command is declared to return and hands it on unchanged; any other shape is
 * an UnexpectedReplyError for that caller alone (the connection goes on).
 * `kind` names the declared shape (tests derive a wrong one from it). One
 * typeof / Buffer.isBuffer test per reply (per element for lists): cheap on the hot path.
 */
export type ReplyCheck = ((reply: Reply, args: readonly unknown[]) => Reply) & { readonly kind: ReplyKind };

export function check(kind: ReplyKind, fn: (reply: Reply, args: readonly unknown[]) => Reply): ReplyCheck {
  return Object.assign(fn, { kind });
}

/** An integer reply: a number, or a bigint beyond Number.MAX_SAFE_INTEGER. */
export const integerReply = check('integer', (r) => {
  if (typeof r === 'number' || typeof r === 'bigint') return r;
  throw unexpected('an integer reply', r);
});

/** An integer reply or nil (ZRANK of a missing member). */
export const integerOrNullReply = check('integerOrNull', (r) => {
  if (typeof r === 'number' || r === null || typeof r === 'bigint') return r;
  throw unexpected('an integer reply or nil', r);
});

/** A bulk (or simple) string: string, or Buffer in Buffer mode. */
export const bulkReply = check('bulk', (r) => {
  if (typeof r === 'string' || Buffer.isBuffer(r)) return r;
  throw unexpected('a bulk string reply', r);
});

/** A bulk string or nil (GET of a missing key). */
export const bulkOrNullReply = check('bulkOrNull', (r) => {
  if (typeof r === 'string' || r === null || Buffer.isBuffer(r)) return r;
  throw unexpected('a bulk string reply or nil', r);
});

/**
 * The byte length of a GET reply read as a Buffer (the entry sets
 * bufferReply), 0 for nil: STRLEN's answer, without LedisDB's STRLEN handler,
 * which crashes on a missing key. `kind` is what is read (a bulk string or nil).
 */
export const byteLengthReply = check('bulkOrNull', (r) => {
  if (r === null) return 0;
  if (Buffer.isBuffer(r)) return r.length;
  throw unexpected('a bulk string reply or nil', r);
});

/** A status reply ("OK"): always read as a string (the entry sets stringReply). */
export const statusReply = check('status', (r) => {
  if (typeof r === 'string') return r;
  throw unexpected('a status reply', r);
});

/** An array of bulk strings or nils (MGET, HKEYS, LRANGE...): nested arrays refused, handed on as it is (no copy). */
export const bulkListReply = check('bulkList', (r) => {
  if (!Array.isArray(r)) throw unexpected('an array reply', r);
  for (let i = 0; i < r.length; i++) {
    const v = r[i];
    if (v !== null && typeof v !== 'string' && !Buffer.isBuffer(v)) throw unexpected('an array of bulk strings', v);
  }
  return r;
});
