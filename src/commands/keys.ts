// Which arguments of a command are keys: read from the table's `keys` field.
import type { CommandSpec, KeyPositions } from './types.js';

/** One key in the first argument: GET, HSET, LPUSH ... */
export const FIRST: KeyPositions = [0, 0, 1];
/** Every argument is a key: MGET, DEL, HMCLEAR ... */
export const ALL_ARGS: KeyPositions = [0, -1, 1];

/**
 * The indexes (into `args`, the arguments as sent after the command name) of
 * the command's keys, in order; [] for a command that names no key. Indexes
 * past the end of `args` are left out.
 */
export function commandKeyIndexes(spec: Pick<CommandSpec, 'keys'>, args: readonly unknown[]): number[] {
  const keys = spec.keys;
  if (keys === undefined) return [];
  if (typeof keys === 'function') return keys(args).filter((i) => i >= 0 && i < args.length);
  const [first, last, step] = keys;
  const end = last < 0 ? args.length + last : Math.min(last, args.length - 1);
  const out: number[] = [];
  for (let i = first; i <= end; i += step) out.push(i);
  return out;
}

/** The index of the command's first key in `args`, or -1: the routing hot path, no array made for fixed positions. */
export function firstKeyIndex(spec: Pick<CommandSpec, 'keys'>, args: readonly unknown[]): number {
  const keys = spec.keys;
  if (keys === undefined) return -1;
  if (typeof keys === 'function') {
    const all = commandKeyIndexes(spec, args);
    return all.length === 0 ? -1 : all[0]!;
  }
  const first = keys[0];
  const end = keys[1] < 0 ? args.length + keys[1] : keys[1];
  return first <= end && first < args.length ? first : -1;
}

/** `[numkeys, key...]` starting at `at` (EVAL's, ZUNIONSTORE's): the keys' indexes, [] if numkeys is not a count. */
export function numkeysAt(at: number, args: readonly unknown[]): number[] {
  const n = Number(args[at]);
  if (!Number.isInteger(n) || n < 0) return [];
  const out: number[] = [];
  for (let i = 0; i < n && at + 1 + i < args.length; i++) out.push(at + 1 + i);
  return out;
}

/** Bytes of a key that decide its lane: enough to spread, bounded cost per command. */
const HASHED_BYTES = 64;

/**
 * The lane of a key: FNV-1a over its first bytes (UTF-8 for strings, so a key
 * given as a string and as a Buffer lands on the same lane), modulo `n`. Every
 * path that spreads commands over connections by key (the router, bulk())
 * uses this one function, so they agree on where a key goes.
 */
export function laneOf(key: unknown, n: number): number {
  let h = 0x811c9dc5;
  if (typeof key === 'string') {
    const len = Math.min(key.length, HASHED_BYTES);
    for (let i = 0; i < len; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) return laneOfBytes(Buffer.from(key), n);
      h = Math.imul(h ^ c, 0x01000193);
    }
    return (h >>> 0) % n;
  }
  if (Buffer.isBuffer(key)) return laneOfBytes(key, n);
  return laneOf(String(key), n);
}

function laneOfBytes(b: Buffer, n: number): number {
  let h = 0x811c9dc5;
  const len = Math.min(b.length, HASHED_BYTES);
  for (let i = 0; i < len; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return (h >>> 0) % n;
}
