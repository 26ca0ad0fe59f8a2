// Coalescing policy: which commands join which group, LedisDB's bounds on
// what may join, and how the group's reply splits back to each caller. The
// connection's gatherer (src/connection/coalesce.ts) applies it and knows no
// command by name. LedisDB answers every command with a write(2) and a flush
// of its own (server/client.go, perform), most of what one connection costs
// it per command (bench/NOTES.md); one MGET of n keys costs one.
//
// A policy is one declarative entry per command sent (its `wire`): add a pair
// by adding an entry to COALESCING; a Command made for that wire carries it.
import { DataError, UnexpectedReplyError } from '../errors.js';
import type { CoalescePolicy, Command, SplitContext } from '../connection/command.js';
import type { Reply } from '../protocol/parser.js';

/** LedisDB's key size bounds (ledis/const.go MaxKeySize, checkKeySize: 1 to 1024 bytes). */
const MAX_KEY_BYTES = 1024;
/** LedisDB's value size bound (ledis/const.go MaxValueSize: 1 GiB). */
const MAX_VALUE_BYTES = 1024 * 1024 * 1024;

/**
 * Consecutive GETs, sent as one MGET. Only a key the server cannot refuse
 * (1 to 1024 bytes, a string or a Buffer) joins; anything else is sent as it
 * is, so its own error reaches only its own caller.
 */
const GET_INTO_MGET: CoalescePolicy = {
  into: 'MGET',
  accepts: (args) => args.length === 1 && keyFits(args[0]),
  split: (value, members, context) => splitValues('MGET', value, members, context),
};

/**
 * Consecutive SETs (key, value), sent as one MSET: a key as for GET, a value
 * of at most 1 GiB given as a string, a Buffer or a number. LedisDB's MSET
 * applies its pairs in one batch and SET in a batch of one (ledis/t_kv.go),
 * neither touching a TTL: the same effect as the SETs one after the other.
 */
const SET_INTO_MSET: CoalescePolicy = {
  into: 'MSET',
  accepts: (args) => args.length === 2 && keyFits(args[0]) && valueFits(args[1]),
  split(value: Reply, members: readonly Command[]): void {
    // LedisDB's MSET answers OK or an error (server/cmd_kv.go msetCommand); anything else is not
    // passed on as each SET's reply (an integer would read as a SET's false, one array would reach every caller).
    if (value === 'OK') {
      for (const m of members) m.reply(value);
    } else if (Buffer.isBuffer(value) && value.length === 2 && value[0] === 0x4f && value[1] === 0x4b) {
      // A Buffer of its own for each caller.
      for (const m of members) m.reply(Buffer.from(value));
    } else {
      for (const m of members) m.reject(new UnexpectedReplyError(`MSET of ${members.length} pairs (for ${m.name}) answered with ${describe(value)}, not OK`, m.name));
    }
  },
};

/**
 * Consecutive DELs of one key each, sent as one DEL of all their keys.
 * LedisDB's Del (ledis/t_kv.go) deletes its keys in one batch commit and
 * answers `int64(len(keys))`, whether they existed or not, so one key's DEL
 * is always 1 and each caller's reply is known. Redis answers the keys it
 * removed, so this holds only on LedisDB (`ledisdbOnly`).
 */
const DEL_INTO_DEL: CoalescePolicy = {
  into: 'DEL',
  ledisdbOnly: true,
  accepts: (args) => args.length === 1 && keyFits(args[0]),
  split(value: Reply, members: readonly Command[]): void {
    if (value === members.length) {
      for (const m of members) m.reply(1);
      return;
    }
    for (const m of members) m.reject(new UnexpectedReplyError(`DEL of ${members.length} keys (for ${m.name}) answered with ${describe(value)}, not ${members.length}`, m.name));
  },
};

/**
 * Consecutive HGETs of one hash key, sent as one HMGET. HGET and HMGET both
 * check the key and each field against LedisDB's bounds (ledis/t_hash.go
 * checkHashKFSize: key 1 to 1024 bytes, field 1 to 1024) and read each
 * field's value or nil; only HGETs whose key and field cannot be refused join,
 * and only those of the same key share a group.
 */
const HGET_INTO_HMGET: CoalescePolicy = {
  into: 'HMGET',
  accepts: (args) => args.length === 2 && keyFits(args[0]) && keyFits(args[1]),
  sameGroup: (first, next) => sameKey(first[0], next[0]),
  args(members: readonly Command[]): unknown[] {
    const out: unknown[] = [(members[0] as Command).args[0]];
    for (const m of members) out.push(m.args[1]);
    return out;
  },
  split: (value, members, context) => splitValues('HMGET', value, members, context),
};

/** The coalescing policy of each command sent (by its wire name). */
const COALESCING: ReadonlyMap<string, CoalescePolicy> = new Map([
  ['GET', GET_INTO_MGET],
  ['SET', SET_INTO_MSET],
  ['DEL', DEL_INTO_DEL],
  ['HGET', HGET_INTO_HMGET],
]);

/** Each member's value from an array reply of one value per member (MGET, HMGET), in order. */
function splitValues(into: string, value: Reply, members: readonly Command[], context: SplitContext): void {
  if (!Array.isArray(value) || value.length !== members.length) {
    const got = describe(value);
    for (const m of members) m.reject(new UnexpectedReplyError(`${into} of ${members.length} ${into === 'HMGET' ? 'fields' : 'keys'} (for ${m.name}) answered with ${got}`, m.name));
    return;
  }
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as Command;
    const v = value[i] as Reply;
    // bigIntegers: 'error': a value past Number.MAX_SAFE_INTEGER rejects, as the command's own reply would.
    if (typeof v === 'bigint' && context.bigIntErrors) m.reject(new DataError(`integer reply ${v} is beyond Number.MAX_SAFE_INTEGER`, m.name));
    else m.reply(v);
  }
}

/** Whether two key arguments are the same key (a string and a Buffer of the same UTF-8 bytes are). */
function sameKey(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  const x = typeof a === 'string' ? Buffer.from(a) : (a as Buffer);
  const y = typeof b === 'string' ? Buffer.from(b) : (b as Buffer);
  return x.equals(y);
}

/** The coalescing policy of the command `wire` (upper case), or null: what a Command for it carries. */
export function coalescePolicy(wire: string): CoalescePolicy | null {
  return COALESCING.get(wire) ?? null;
}

function keyFits(key: unknown): boolean {
  if (typeof key === 'string') {
    const n = key.length;
    // At most 3 UTF-8 bytes per UTF-16 unit: up to 341 units always fits.
    return n > 0 && (n <= 341 || Buffer.byteLength(key) <= MAX_KEY_BYTES);
  }
  return Buffer.isBuffer(key) && key.length > 0 && key.length <= MAX_KEY_BYTES;
}

function valueFits(value: unknown): boolean {
  if (typeof value === 'string') return value.length <= MAX_VALUE_BYTES / 3 || Buffer.byteLength(value) <= MAX_VALUE_BYTES;
  if (Buffer.isBuffer(value)) return value.length <= MAX_VALUE_BYTES;
  return typeof value === 'number';
}

/** A reply's kind for a message (never its content: it may be anyone's data). */
function describe(value: Reply): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'nil';
  if (Buffer.isBuffer(value)) return 'a bulk or status of ' + value.length + ' bytes';
  return typeof value === 'string' ? 'a bulk or status of ' + Buffer.byteLength(value) + ' bytes' : typeof value;
}
