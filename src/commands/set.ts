// Set commands. Sets have their own keyspace in LedisDB (SCLEAR, SEXPIRE,
// STTL...). Members come back as a JS Set, as ledis-py returns a Python set.
import { ALL_ARGS, FIRST } from './keys.js';
import { expireAtSpec, expireSpec, flattenKeys, nonEmpty, spread, toBool, toSet, integerReply, bulkOrNullReply } from './shape.js';
import type { Key, Out, Str, TableFor, Value, When } from './types.js';

export interface SetCommands<S extends Str, M> {
  /** Adds members (spread or as an array); the number that were new. */
  sadd(name: Key, ...values: (Value | readonly Value[])[]): Out<M, number>;
  /** Number of members (0 for a missing set). */
  scard(name: Key): Out<M, number>;
  /** Deletes the set; the number of members it had (0 if it didn't exist). */
  sclear(name: Key): Out<M, number>;
  /** Members of the first set that are in none of the others. Keys as an array or spread. */
  sdiff(keys: Key | readonly Key[], ...args: Key[]): Out<M, Set<S>>;
  /** Stores sdiff's result in `dest`; its size. */
  sdiffstore(dest: Key, keys: Key | readonly Key[], ...args: Key[]): Out<M, number>;
  /** Members common to every set. */
  sinter(keys: Key | readonly Key[], ...args: Key[]): Out<M, Set<S>>;
  sinterstore(dest: Key, keys: Key | readonly Key[], ...args: Key[]): Out<M, number>;
  /** True if `value` is a member. */
  sismember(name: Key, value: Value): Out<M, boolean>;
  /** Deletes several sets. LedisDB answers the number of names given, existing or not. */
  smclear(...names: (Key | readonly Key[])[]): Out<M, number>;
  /** Every member (an empty Set for a missing set). */
  smembers(name: Key): Out<M, Set<S>>;
  /** Removes members (spread or as an array); the number removed. */
  srem(name: Key, ...values: (Value | readonly Value[])[]): Out<M, number>;
  /** Members of any of the sets. */
  sunion(keys: Key | readonly Key[], ...args: Key[]): Out<M, Set<S>>;
  sunionstore(dest: Key, keys: Key | readonly Key[], ...args: Key[]): Out<M, number>;
  /** Expires the set in `time` whole seconds (> 0); false if it doesn't exist. */
  sexpire(name: Key, time: number): Out<M, boolean>;
  /** Expires the set at unix time `when` (seconds) or a Date; false if it doesn't exist. */
  sexpireat(name: Key, when: When): Out<M, boolean>;
  /** Seconds to live; -1 when the set has no expiry or doesn't exist. */
  sttl(name: Key): Out<M, number>;
  /** Removes the set's expiry; true if it had one. */
  spersist(name: Key): Out<M, boolean>;
  /** True if the set exists. */
  skeyexists(name: Key): Out<M, boolean>;
  /** The serialized set (binary, for RESTORE), or null. */
  sdump(name: Key): Out<M, Buffer | null>;
}

const memberArgs = (command: string) => (name: Key, ...values: unknown[]) => [name, ...nonEmpty(command, 'member', spread(values))];
const keysArgs = (command: string) => (keys: Key | readonly Key[], ...rest: Key[]) => nonEmpty(command, 'key', flattenKeys(keys, rest));
const storeArgs = (command: string) => (dest: Key, keys: Key | readonly Key[], ...rest: Key[]) => [
  dest,
  ...nonEmpty(command, 'key', flattenKeys(keys, rest)),
];

export const setCommands = {
  sadd: { command: 'SADD', reply: integerReply, keys: FIRST, args: memberArgs('SADD') },
  scard: { command: 'SCARD', reply: integerReply, keys: FIRST, readonly: true },
  sclear: { command: 'SCLEAR', reply: integerReply, keys: FIRST },
  sdiff: { command: 'SDIFF', keys: ALL_ARGS, readonly: true, args: keysArgs('SDIFF'), reply: toSet },
  sdiffstore: { command: 'SDIFFSTORE', reply: integerReply, keys: ALL_ARGS, args: storeArgs('SDIFFSTORE') },
  sinter: { command: 'SINTER', keys: ALL_ARGS, readonly: true, args: keysArgs('SINTER'), reply: toSet },
  sinterstore: { command: 'SINTERSTORE', reply: integerReply, keys: ALL_ARGS, args: storeArgs('SINTERSTORE') },
  sismember: { command: 'SISMEMBER', keys: FIRST, readonly: true, reply: toBool },
  smclear: { command: 'SMCLEAR', reply: integerReply, keys: ALL_ARGS, args: (...names: unknown[]) => nonEmpty('SMCLEAR', 'name', spread(names)) },
  smembers: { command: 'SMEMBERS', keys: FIRST, readonly: true, reply: toSet },
  srem: { command: 'SREM', reply: integerReply, keys: FIRST, args: memberArgs('SREM') },
  sunion: { command: 'SUNION', keys: ALL_ARGS, readonly: true, args: keysArgs('SUNION'), reply: toSet },
  sunionstore: { command: 'SUNIONSTORE', reply: integerReply, keys: ALL_ARGS, args: storeArgs('SUNIONSTORE') },
  sexpire: expireSpec('SEXPIRE'),
  sexpireat: expireAtSpec('SEXPIREAT'),
  sttl: { command: 'STTL', reply: integerReply, keys: FIRST, readonly: true },
  spersist: { command: 'SPERSIST', keys: FIRST, reply: toBool },
  skeyexists: { command: 'SKEYEXISTS', keys: FIRST, readonly: true, reply: toBool },
  sdump: { command: 'SDUMP', reply: bulkOrNullReply, keys: FIRST, readonly: true, bufferReply: true },
} satisfies TableFor<SetCommands<Str, unknown>>;
