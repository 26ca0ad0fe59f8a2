// Hash commands. Hashes live in their own keyspace in LedisDB: DEL, EXPIRE and
// TTL never touch them; HCLEAR, HEXPIRE, HTTL and friends do.
import { ALL_ARGS, FIRST } from './keys.js';
import { expireAtSpec, expireSpec, flattenKeys, int, mapping, nonEmpty, pairsToObject, spread, toBool, integerReply, bulkOrNullReply, bulkListReply } from './shape.js';
import type { Int, Key, Out, Str, TableFor, Value, When } from './types.js';

export interface HashCommands<S extends Str, M> {
  /** Deletes the hash `name`; the number of fields it had (0 if it didn't exist). */
  hclear(name: Key): Out<M, number>;
  /** Deletes fields from the hash; the number deleted. Fields spread or as an array. */
  hdel(name: Key, ...keys: (Key | readonly Key[])[]): Out<M, number>;
  /** True if the field exists in the hash. */
  hexists(name: Key, key: Key): Out<M, boolean>;
  /** The field's value, or null. */
  hget(name: Key, key: Key): Out<M, S | null>;
  /** Every field and value as a plain object (field names as text); `{}` for a missing hash. */
  hgetall(name: Key): Out<M, Record<string, S>>;
  /** Adds `amount` (default 1) to the field's integer value; the new value. */
  hincrby(name: Key, key: Key, amount?: number | bigint): Out<M, Int>;
  hkeys(name: Key): Out<M, S[]>;
  /** Number of fields (0 for a missing hash). */
  hlen(name: Key): Out<M, number>;
  /** Deletes several hashes. LedisDB answers the number of names given, existing or not. */
  hmclear(...names: (Key | readonly Key[])[]): Out<M, number>;
  /** Values of the fields, in order, null where missing. Fields as an array or spread. */
  hmget(name: Key, keys: Key | readonly Key[], ...args: Key[]): Out<M, (S | null)[]>;
  /** Sets every field of the mapping; an empty mapping is refused. */
  hmset(name: Key, mapping: Record<string, Value> | Map<Key, Value>): Out<M, boolean>;
  /** Sets one field; 1 if the field is new, 0 if it was updated. */
  hset(name: Key, key: Key, value: Value): Out<M, number>;
  hvals(name: Key): Out<M, S[]>;
  /** Expires the hash in `time` whole seconds (> 0); false if the hash doesn't exist. */
  hexpire(name: Key, time: number): Out<M, boolean>;
  /** Expires the hash at unix time `when` (seconds) or a Date; false if it doesn't exist. */
  hexpireat(name: Key, when: When): Out<M, boolean>;
  /** Seconds to live; -1 when the hash has no expiry or doesn't exist. */
  httl(name: Key): Out<M, number>;
  /** Removes the hash's expiry; true if it had one. */
  hpersist(name: Key): Out<M, boolean>;
  /** True if the hash exists. */
  hkeyexists(name: Key): Out<M, boolean>;
  /** The serialized hash (binary, for RESTORE), or null. */
  hdump(name: Key): Out<M, Buffer | null>;
}

export const hashCommands = {
  hclear: { command: 'HCLEAR', reply: integerReply, keys: FIRST },
  hdel: { command: 'HDEL', reply: integerReply, keys: FIRST, args: (name: Key, ...keys: unknown[]) => [name, ...nonEmpty('HDEL', 'field', spread(keys))] },
  hexists: { command: 'HEXISTS', keys: FIRST, readonly: true, reply: toBool },
  hget: { command: 'HGET', reply: bulkOrNullReply, keys: FIRST, readonly: true },
  hgetall: { command: 'HGETALL', keys: FIRST, readonly: true, reply: pairsToObject },
  hincrby: {
    command: 'HINCRBY',
    reply: integerReply,
    keys: FIRST,
    args: (name: Key, key: Key, amount: unknown = 1) => [name, key, int('HINCRBY', 'amount', amount)],
  },
  hkeys: { command: 'HKEYS', reply: bulkListReply, keys: FIRST, readonly: true },
  hlen: { command: 'HLEN', reply: integerReply, keys: FIRST, readonly: true },
  hmclear: { command: 'HMCLEAR', reply: integerReply, keys: ALL_ARGS, args: (...names: unknown[]) => nonEmpty('HMCLEAR', 'name', spread(names)) },
  hmget: {
    command: 'HMGET',
    reply: bulkListReply,
    keys: FIRST,
    readonly: true,
    args: (name: Key, keys: Key | readonly Key[], ...rest: Key[]) => [name, ...nonEmpty('HMGET', 'field', flattenKeys(keys, rest))],
  },
  hmset: { command: 'HMSET', keys: FIRST, args: (name: Key, m: unknown) => [name, ...mapping('HMSET', m)], reply: toBool },
  hset: { command: 'HSET', reply: integerReply, keys: FIRST },
  hvals: { command: 'HVALS', reply: bulkListReply, keys: FIRST, readonly: true },
  hexpire: expireSpec('HEXPIRE'),
  hexpireat: expireAtSpec('HEXPIREAT'),
  httl: { command: 'HTTL', reply: integerReply, keys: FIRST, readonly: true },
  hpersist: { command: 'HPERSIST', keys: FIRST, reply: toBool },
  hkeyexists: { command: 'HKEYEXISTS', keys: FIRST, readonly: true, reply: toBool },
  hdump: { command: 'HDUMP', reply: bulkOrNullReply, keys: FIRST, readonly: true, bufferReply: true },
} satisfies TableFor<HashCommands<Str, unknown>>;
