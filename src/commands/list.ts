// List commands. Lists have their own keyspace in LedisDB (LCLEAR, LEXPIRE,
// LTTL...). The blocking pops are marked `blocking`: the client runs each on a
// dedicated connection so they never stall the shared one.
import { ALL_ARGS, FIRST } from './keys.js';
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { describe, expireAtSpec, expireSpec, flattenKeys, int, intIn, nonEmpty, spread, toBool, unexpected, integerReply, bulkOrNullReply, bulkListReply } from './shape.js';
import type { Key, Out, Str, TableFor, Value, When } from './types.js';

export interface ListCommands<S extends Str, M> {
  /** Deletes the list; the number of items it had (0 if it didn't exist). */
  lclear(name: Key): Out<M, number>;
  /** The item at `index` (negative counts from the end), or null. */
  lindex(name: Key, index: number): Out<M, S | null>;
  llen(name: Key): Out<M, number>;
  /** Deletes several lists. LedisDB answers the number of names given, existing or not. */
  lmclear(...names: (Key | readonly Key[])[]): Out<M, number>;
  /** Removes and returns the first item, or null. */
  lpop(name: Key): Out<M, S | null>;
  /** Pushes values onto the head (spread or as an array); the new length. */
  lpush(name: Key, ...values: (Value | readonly Value[])[]): Out<M, number>;
  /** Items from `start` to `end` inclusive; negative indexes count from the end. */
  lrange(name: Key, start: number, end: number): Out<M, S[]>;
  /** Seconds to live; -1 when the list has no expiry or doesn't exist. */
  lttl(name: Key): Out<M, number>;
  /** Expires the list in `time` whole seconds (> 0); false if it doesn't exist. */
  lexpire(name: Key, time: number): Out<M, boolean>;
  /** Expires the list at unix time `when` (seconds) or a Date; false if it doesn't exist. */
  lexpireat(name: Key, when: When): Out<M, boolean>;
  /** Removes the list's expiry; true if it had one. */
  lpersist(name: Key): Out<M, boolean>;
  /** Removes and returns the last item, or null. */
  rpop(name: Key): Out<M, S | null>;
  /** Pushes values onto the tail (spread or as an array); the new length. */
  rpush(name: Key, ...values: (Value | readonly Value[])[]): Out<M, number>;
  /** True if the list exists. */
  lkeyexists(name: Key): Out<M, boolean>;
  /** The serialized list (binary, for RESTORE), or null. */
  ldump(name: Key): Out<M, Buffer | null>;
  /**
   * Sets the item at `index`. An index past the end is an error reply; on a
   * missing list LedisDB answers OK and stores nothing.
   */
  lset(name: Key, index: number, value: Value): Out<M, boolean>;
  /** Keeps only the items from `start` to `end` inclusive. */
  ltrim(name: Key, start: number, end: number): Out<M, boolean>;
  /** LTRIM_FRONT: removes the first `count` items; the number removed (LedisDB only). */
  ltrimFront(name: Key, count: number): Out<M, number>;
  /** LTRIM_BACK: removes the last `count` items; the number removed (LedisDB only). */
  ltrimBack(name: Key, count: number): Out<M, number>;
  /** Moves the last item of `src` to the head of `dst` and returns it; null if `src` is empty. */
  rpoplpush(src: Key, dst: Key): Out<M, S | null>;
  /**
   * Pops the first item of the first non-empty list of `keys`, waiting up to
   * `timeout` seconds (fractions allowed; 0, the default, waits forever).
   * `[key, item]`, or null on timeout. Runs on a dedicated connection.
   */
  blpop(keys: Key | readonly Key[], timeout?: number): Out<M, [S, S] | null>;
  /** Like blpop, from the tail. */
  brpop(keys: Key | readonly Key[], timeout?: number): Out<M, [S, S] | null>;
  /**
   * Blocking rpoplpush: the item moved, or null on timeout (seconds, 0 waits forever).
   *
   * LedisDB (d35789e) has a bug here: when an item is available it pops it,
   * fails to push it to `dst` and answers the error "value is not an integer
   * or out of range" — the item is lost. Only the timeout path works; use
   * brpop + lpush, or rpoplpush, on that server.
   */
  brpoplpush(src: Key, dst: Key, timeout?: number): Out<M, S | null>;
}

/** Blocking timeout in seconds: LedisDB parses a float; a negative one would block forever, so it is refused. */
function blockTimeout(command: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new DataError(`timeout must be a number of seconds >= 0 (0 waits forever), got ${describe(v)}`, command);
  }
  return v;
}

/**
 * LedisDB answers a blocking pop with `[key, [key, item]]` (its pop helper
 * already pairs key and item, and the command wraps the pair again); Redis
 * clients expect `[key, item]`, so the inner pair is unwrapped.
 */
function popPair(r: Reply): unknown {
  if (r === null) return null;
  if (!Array.isArray(r) || r.length !== 2) throw unexpected('[key, item] or null', r);
  const inner = r[1];
  const pair = Array.isArray(inner) ? inner : r;
  const [key, item] = pair;
  if (pair.length !== 2 || Array.isArray(key) || Array.isArray(item)) throw unexpected('[key, item]', inner);
  return [key, item];
}

const pushArgs = (command: string) => (name: Key, ...values: unknown[]) => [name, ...nonEmpty(command, 'value', spread(values))];
const bpopArgs = (command: string) => (keys: Key | readonly Key[], timeout: unknown = 0) => [
  ...nonEmpty(command, 'key', flattenKeys(keys, [])),
  blockTimeout(command, timeout),
];
const range = (command: string) => (name: Key, start: number, end: number) => [name, int(command, 'start', start), int(command, 'end', end)];

export const listCommands = {
  lclear: { command: 'LCLEAR', reply: integerReply, keys: FIRST },
  lindex: { command: 'LINDEX', reply: bulkOrNullReply, keys: FIRST, readonly: true, args: (name: Key, index: number) => [name, int('LINDEX', 'index', index)] },
  llen: { command: 'LLEN', reply: integerReply, keys: FIRST, readonly: true },
  lmclear: { command: 'LMCLEAR', reply: integerReply, keys: ALL_ARGS, args: (...names: unknown[]) => nonEmpty('LMCLEAR', 'name', spread(names)) },
  lpop: { command: 'LPOP', reply: bulkOrNullReply, keys: FIRST },
  lpush: { command: 'LPUSH', reply: integerReply, keys: FIRST, args: pushArgs('LPUSH') },
  lrange: { command: 'LRANGE', reply: bulkListReply, keys: FIRST, readonly: true, args: range('LRANGE') },
  lttl: { command: 'LTTL', reply: integerReply, keys: FIRST, readonly: true },
  lexpire: expireSpec('LEXPIRE'),
  lexpireat: expireAtSpec('LEXPIREAT'),
  lpersist: { command: 'LPERSIST', keys: FIRST, reply: toBool },
  rpop: { command: 'RPOP', reply: bulkOrNullReply, keys: FIRST },
  rpush: { command: 'RPUSH', reply: integerReply, keys: FIRST, args: pushArgs('RPUSH') },
  lkeyexists: { command: 'LKEYEXISTS', keys: FIRST, readonly: true, reply: toBool },
  ldump: { command: 'LDUMP', reply: bulkOrNullReply, keys: FIRST, readonly: true, bufferReply: true },
  lset: { command: 'LSET', keys: FIRST, args: (name: Key, index: number, value: Value) => [name, int('LSET', 'index', index), value], reply: toBool },
  ltrim: { command: 'LTRIM', keys: FIRST, args: range('LTRIM'), reply: toBool },
  ltrimFront: { command: 'LTRIM_FRONT', reply: integerReply, keys: FIRST, args: (name: Key, n: number) => [name, intIn('LTRIM_FRONT', 'count', n, 0, 2 ** 31 - 1)] },
  ltrimBack: { command: 'LTRIM_BACK', reply: integerReply, keys: FIRST, args: (name: Key, n: number) => [name, intIn('LTRIM_BACK', 'count', n, 0, 2 ** 31 - 1)] },
  rpoplpush: { command: 'RPOPLPUSH', reply: bulkOrNullReply, keys: [0, 1, 1] },
  blpop: { command: 'BLPOP', keys: [0, -2, 1], timeoutAt: -1, blocking: true, args: bpopArgs('BLPOP'), reply: popPair },
  brpop: { command: 'BRPOP', keys: [0, -2, 1], timeoutAt: -1, blocking: true, args: bpopArgs('BRPOP'), reply: popPair },
  brpoplpush: {
    command: 'BRPOPLPUSH',
    reply: bulkOrNullReply,
    keys: [0, 1, 1],
    timeoutAt: -1,
    blocking: true,
    args: (src: Key, dst: Key, timeout: unknown = 0) => [src, dst, blockTimeout('BRPOPLPUSH', timeout)],
  },
} satisfies TableFor<ListCommands<Str, unknown>>;
