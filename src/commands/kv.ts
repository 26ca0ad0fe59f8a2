// KV commands: strings, counters, expiry. LedisDB's DEL/EXISTS/EXPIRE/TTL touch KV keys only.
import { ALL_ARGS, FIRST } from './keys.js';
import { DataError } from '../errors.js';
import { expireAtSpec, expireSpec, flattenKeys, int, mapping, nonEmpty, seconds, toBool, integerReply, bulkOrNullReply, bulkListReply, byteLengthReply } from './shape.js';
import type { Int, Key, Out, Str, TableFor, Value, When } from './types.js';

export interface KvCommands<S extends Str, M> {
  /** The value at `name`, or null if the key doesn't exist. */
  get(name: Key): Out<M, S | null>;
  /** Sets `name` to `value`. */
  set(name: Key, value: Value): Out<M, boolean>;
  /** Sets `name` only if it does not exist; true if it was set. */
  setnx(name: Key, value: Value): Out<M, boolean>;
  /** Sets `name` to `value` with an expiry of `time` seconds. */
  setex(name: Key, time: number, value: Value): Out<M, boolean>;
  /** Sets `name` to `value` and returns the old value. */
  getset(name: Key, value: Value): Out<M, S | null>;
  /** Values of the keys, in order, null where missing. Keys as an array or spread. */
  mget(keys: Key | readonly Key[], ...args: Key[]): Out<M, (S | null)[]>;
  /** Sets every key/value of the mapping. */
  mset(mapping: Record<string, Value> | Map<Key, Value>): Out<M, boolean>;
  incr(name: Key, amount?: number | bigint): Out<M, Int>;
  incrby(name: Key, amount?: number | bigint): Out<M, Int>;
  decr(name: Key, amount?: number | bigint): Out<M, Int>;
  decrby(name: Key, amount?: number | bigint): Out<M, Int>;
  /**
   * Deletes KV keys (not hashes, lists, sets or zsets), given one by one or
   * as an array (`delete([a, b])`, as mget); LedisDB replies with the number
   * of keys named, deleted or not.
   */
  delete(...names: Key[]): Out<M, number>;
  delete(names: readonly Key[]): Out<M, number>;
  /** True if the KV key exists. */
  exists(name: Key): Out<M, boolean>;
  /** Expires `name` in `time` whole seconds; false if the key doesn't exist. */
  expire(name: Key, time: number): Out<M, boolean>;
  /** Expires `name` at unix time `when` (seconds) or a Date. */
  expireat(name: Key, when: When): Out<M, boolean>;
  /** Seconds to live; -1 when the key has no expiry or doesn't exist (LedisDB). */
  ttl(name: Key): Out<M, number>;
  /** Removes the expiry of `name`; true if there was one. */
  persist(name: Key): Out<M, boolean>;
  /** Appends to the value; the new length. */
  append(name: Key, value: Value): Out<M, number>;
  /**
   * The bytes of the value from `start` to `end` (inclusive; negative counts
   * from the end). null for a missing key (LedisDB answers nil, where Redis
   * says ""); "" for an empty range of an existing value.
   */
  getrange(name: Key, start: number, end: number): Out<M, S | null>;
  setrange(name: Key, offset: number, value: Value): Out<M, number>;
  /** The value's length in bytes; 0 for a missing key (or one only in another type's keyspace). Read with GET: see the table entry. */
  strlen(name: Key): Out<M, number>;
  /** The serialized value of the KV key (binary), or null. */
  dump(name: Key): Out<M, Buffer | null>;
  /** Restores a value produced by `dump` (any type) under `name`, with a TTL in ms (0 for none). */
  restore(name: Key, ttl: number, value: Buffer): Out<M, boolean>;
}

const numbers = (command: string) => (name: Key, amount: number | bigint = 1) => [name, int(command, 'amount', amount)];

export const kvCommands = {
  get: { command: 'GET', reply: bulkOrNullReply, keys: FIRST, readonly: true },
  set: { command: 'SET', keys: FIRST, reply: toBool },
  setnx: { command: 'SETNX', keys: FIRST, reply: toBool },
  setex: { command: 'SETEX', keys: FIRST, args: (name: Key, time: number, value: Value) => [name, seconds('SETEX', time), value], reply: toBool },
  getset: { command: 'GETSET', reply: bulkOrNullReply, keys: FIRST },
  mget: {
    command: 'MGET',
    reply: bulkListReply,
    keys: ALL_ARGS,
    readonly: true,
    args: (keys: Key | readonly Key[], ...rest: Key[]) => nonEmpty('MGET', 'key', flattenKeys(keys, rest)),
  },
  mset: { command: 'MSET', keys: [0, -1, 2], args: (m: unknown) => mapping('MSET', m), reply: toBool },
  // incr/decr take an amount (ledis-py's), so they send INCRBY/DECRBY: one command whatever the amount, no round trip
  // more; their errors still name the command the caller called (`name`).
  incr: { command: 'INCRBY', name: 'INCR', reply: integerReply, keys: FIRST, args: numbers('INCR') },
  incrby: { command: 'INCRBY', reply: integerReply, keys: FIRST, args: numbers('INCRBY') },
  decr: { command: 'DECRBY', name: 'DECR', reply: integerReply, keys: FIRST, args: numbers('DECR') },
  decrby: { command: 'DECRBY', reply: integerReply, keys: FIRST, args: numbers('DECRBY') },
  delete: { command: 'DEL', reply: integerReply, keys: ALL_ARGS, args: (...names: (Key | readonly Key[])[]) => nonEmpty('DEL', 'key', flattenKeys([], names as Key[])) },
  exists: { command: 'EXISTS', keys: FIRST, readonly: true, reply: toBool },
  expire: expireSpec('EXPIRE'),
  expireat: expireAtSpec('EXPIREAT'),
  ttl: { command: 'TTL', reply: integerReply, keys: FIRST, readonly: true },
  persist: { command: 'PERSIST', keys: FIRST, reply: toBool },
  append: { command: 'APPEND', reply: integerReply, keys: FIRST },
  getrange: {
    command: 'GETRANGE',
    reply: bulkOrNullReply,
    keys: FIRST,
    readonly: true,
    args: (name: Key, start: number, end: number) => [name, int('GETRANGE', 'start', start), int('GETRANGE', 'end', end)],
  },
  setrange: {
    command: 'SETRANGE',
    reply: integerReply,
    keys: FIRST,
    args: (name: Key, offset: number, value: Value) => {
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
        throw new DataError(`offset must be a non-negative integer, got ${offset}`, 'SETRANGE');
      }
      return [name, offset, value];
    },
  },
  /**
   * STRLEN's answer, read with GET: LedisDB (d35789e, ledis/t_kv.go DB.StrLen
   * calls Size() on the nil slice GetSlice returns) answers STRLEN on a key
   * missing from the KV keyspace (never set, deleted, expired, or only a
   * hash/list/set/zset key) with a nil pointer dereference that closes the
   * connection. GET cannot crash, is as atomic, and answers nil there (0) or
   * the value, read as a Buffer so its length is in bytes; its errors are
   * STRLEN's (the same checkKeySize), named STRLEN. The cost: the value's
   * bytes travel. A raw `sendCommand('STRLEN')` is sent as given, isolated
   * (see specByCommand).
   */
  strlen: { command: 'GET', name: 'STRLEN', reply: byteLengthReply, emulatedReply: byteLengthReply, bufferReply: true, keys: FIRST, readonly: true },
  dump: { command: 'DUMP', reply: bulkOrNullReply, keys: FIRST, readonly: true, bufferReply: true },
  restore: { command: 'RESTORE', keys: FIRST, reply: toBool },
} satisfies TableFor<KvCommands<Str, unknown>>;
