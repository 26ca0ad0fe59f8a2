// Argument checks and reply shapes shared by the command families.
import { FIRST } from './keys.js';
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import type { CommandSpec, Key, When } from './types.js';

/** 1 / "OK" / "PONG" → true; 0 / null → false. */
export function toBool(r: Reply): boolean {
  if (typeof r === 'number') return r !== 0;
  if (r === null) return false;
  if (typeof r === 'bigint') return r !== 0n;
  return true;
}

/** A bulk or integer reply as an integer (bigint beyond the safe range); null stays null. */
export function toInt(r: Reply): number | null {
  if (r === null) return null;
  if (typeof r === 'number') return r;
  if (typeof r === 'bigint') return r as unknown as number;
  const s = typeof r === 'string' ? r : r.toString();
  const n = Number(s);
  if (!Number.isSafeInteger(n)) {
    if (/^-?\d+$/.test(s)) return BigInt(s) as unknown as number;
    if (Number.isNaN(n)) throw new DataError(`expected an integer reply, got ${JSON.stringify(s)}`);
  }
  return n;
}

/** Array of [field, value, field, value...] → object keyed by field (as text). */
export function pairsToObject(r: Reply): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(r)) return out;
  for (let i = 0; i + 1 < r.length; i += 2) out[String(r[i])] = r[i + 1];
  return out;
}

export function toSet(r: Reply): Set<unknown> {
  return new Set(Array.isArray(r) ? r : []);
}

/** Keys given as an array, or as an array/key followed by more keys (ledis-py's `keys, *args`). */
export function flattenKeys(first: Key | readonly Key[], rest: readonly Key[]): Key[] {
  const head = Array.isArray(first) ? [...(first as Key[])] : [first as Key];
  for (const k of rest) {
    if (Array.isArray(k)) head.push(...(k as Key[]));
    else head.push(k);
  }
  return head;
}

/** Rest arguments given spread or as arrays (`lpush(k, 'a', 'b')` or `lpush(k, ['a', 'b'])`), one level flattened. */
export function spread(list: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) {
    if (Array.isArray(v)) out.push(...(v as unknown[]));
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
