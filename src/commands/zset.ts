// Sorted-set commands. LedisDB scores are int64, not doubles: a fractional or
// non-numeric score is refused before sending, and scores come back as
// integers (bigint beyond Number's safe range). Zsets have their own keyspace
// (ZCLEAR, ZEXPIRE, ZTTL...).
import { ALL_ARGS, FIRST, numkeysAt } from './keys.js';
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { describe, expireAtSpec, expireSpec, flattenKeys, int, nonEmpty, oneOf, scoreBound, spread, toBool, toInt, toFlatList, integerReply, integerOrNullReply, bulkOrNullReply, bulkListReply } from './shape.js';
import type { Int, Key, Out, Str, TableFor, Value, When } from './types.js';

/** An int64 score: a safe integer, a bigint or an integer string. */
export type Score = number | bigint | string;
/** A score range bound: a score, `"(5"` for exclusive, `"-inf"` / `"+inf"`. */
export type ScoreBound = number | bigint | string;
/** A lex range bound: `"[a"` inclusive, `"(a"` exclusive, `"-"` / `"+"` for the ends. */
export type LexBound = string | Buffer;
export type ZaddMapping = Record<string, Score> | Map<Value, Score>;
export type Aggregate = 'SUM' | 'MIN' | 'MAX' | 'sum' | 'min' | 'max';

export interface ZRangeOptions {
  /** Ranks counted from the highest score (ZREVRANGE). */
  desc?: boolean;
  /** Return `[member, score]` pairs. */
  withscores?: boolean;
}
export interface ZRangeByScoreOptions {
  /** Offset of a slice of the range; needs `num`. */
  start?: number;
  /** Length of the slice; needs `start`. */
  num?: number;
  withscores?: boolean;
}
export interface ZStoreOptions {
  /** One integer weight per key, multiplying its scores. */
  weights?: readonly Score[];
  /** How scores of a member found in several keys combine (default SUM). */
  aggregate?: Aggregate;
}

/**
 * A range reply's type from its options: pairs when `withscores` is literally
 * true, members when it is false or absent, either when it is only `boolean`.
 */
export type Ranged<S, O> = 'withscores' extends keyof O
  ? O extends { withscores?: infer W }
    ? [W] extends [true]
      ? [S, Int][]
      : true extends W
        ? S[] | [S, Int][]
        : S[]
    : S[]
  : S[];

export interface ZsetCommands<S extends Str, M> {
  /**
   * Adds members with scores: `zadd(k, score1, member1, score2, member2...)`
   * or `zadd(k, { member: score })` (or a Map); pairs may be followed by a
   * mapping. The number of members that were new.
   */
  zadd(name: Key, mapping: ZaddMapping): Out<M, number>;
  zadd(name: Key, ...scoreMembers: (Score | Value | ZaddMapping)[]): Out<M, number>;
  zcard(name: Key): Out<M, number>;
  /** Deletes the zset; the number of members it had (0 if it didn't exist). */
  zclear(name: Key): Out<M, number>;
  /** Number of members with a score between `min` and `max`. */
  zcount(name: Key, min: ScoreBound, max: ScoreBound): Out<M, number>;
  /** Adds `amount` (default 1) to the score of `value`; the new score. */
  zincrby(name: Key, value: Value, amount?: Score): Out<M, Int>;
  /** Deletes several zsets. LedisDB answers the number of names given, existing or not. */
  zmclear(...names: (Key | readonly Key[])[]): Out<M, number>;
  /** Expires the zset in `time` whole seconds (> 0); false if it doesn't exist. */
  zexpire(name: Key, time: number): Out<M, boolean>;
  /** Expires the zset at unix time `when` (seconds) or a Date; false if it doesn't exist. */
  zexpireat(name: Key, when: When): Out<M, boolean>;
  /** Seconds to live; -1 when the zset has no expiry or doesn't exist. */
  zttl(name: Key): Out<M, number>;
  /** Removes the zset's expiry; true if it had one. */
  zpersist(name: Key): Out<M, boolean>;
  /** Members ranked `start` to `end` inclusive (negative from the end), lowest score first unless `desc`. */
  zrange<O extends ZRangeOptions = {}>(name: Key, start: number, end: number, options?: O): Out<M, Ranged<S, O>>;
  /** Members with a score between `min` and `max`, lowest first; `start` and `num` slice the range. */
  zrangebyscore<O extends ZRangeByScoreOptions = {}>(
    name: Key,
    min: ScoreBound,
    max: ScoreBound,
    options?: O,
  ): Out<M, Ranged<S, O>>;
  /** Members ranked `start` to `num` (an inclusive end rank, as ledis-py names it), highest score first. */
  zrevrange<O extends Pick<ZRangeOptions, 'withscores'> = {}>(
    name: Key,
    start: number,
    num: number,
    options?: O,
  ): Out<M, Ranged<S, O>>;
  /**
   * Members with a score between the bounds, highest first. The upper bound
   * comes first, as the server takes it: ledis-py names these `min, max` but
   * sends them in this order, so `zrevrangebyscore(k, 4, 2)` gives scores 4..2.
   */
  zrevrangebyscore<O extends ZRangeByScoreOptions = {}>(
    name: Key,
    max: ScoreBound,
    min: ScoreBound,
    options?: O,
  ): Out<M, Ranged<S, O>>;
  /** 0-based rank by ascending score, or null if `value` is not a member. */
  zrank(name: Key, value: Value): Out<M, number | null>;
  /** 0-based rank by descending score, or null if `value` is not a member. */
  zrevrank(name: Key, value: Value): Out<M, number | null>;
  /** The member's score, or null. */
  zscore(name: Key, value: Value): Out<M, Int | null>;
  /** Removes members (spread or as an array); the number removed. */
  zrem(name: Key, ...values: (Value | readonly Value[])[]): Out<M, number>;
  /** Removes members ranked `min` to `max` inclusive; the number removed. */
  zremrangebyrank(name: Key, min: number, max: number): Out<M, number>;
  /** Removes members with a score between `min` and `max`; the number removed. */
  zremrangebyscore(name: Key, min: ScoreBound, max: ScoreBound): Out<M, number>;
  /** True if the zset exists. */
  zkeyexists(name: Key): Out<M, boolean>;
  /** The serialized zset (binary, for RESTORE), or null. */
  zdump(name: Key): Out<M, Buffer | null>;
  /** Stores the union of the zsets in `dest`; its size. `keys` may be a `{ key: weight }` mapping. */
  zunionstore(dest: Key, keys: Key | readonly Key[] | Record<string, Score> | Map<Key, Score>, options?: ZStoreOptions): Out<M, number>;
  /** Stores the intersection of the zsets in `dest`; its size. `keys` may be a `{ key: weight }` mapping. */
  zinterstore(dest: Key, keys: Key | readonly Key[] | Record<string, Score> | Map<Key, Score>, options?: ZStoreOptions): Out<M, number>;
  /** Members between two lex bounds (for members of equal score); `start` and `num` slice the range. */
  zrangebylex(name: Key, min: LexBound, max: LexBound, options?: { start?: number; num?: number }): Out<M, S[]>;
  /** Removes members between two lex bounds; the number removed. */
  zremrangebylex(name: Key, min: LexBound, max: LexBound): Out<M, number>;
  /** Number of members between two lex bounds. */
  zlexcount(name: Key, min: LexBound, max: LexBound): Out<M, number>;
}

/** A score argument: an integer that survives the trip exactly (safe integer, bigint or integer string). */
function score(command: string, v: unknown): number | bigint | string {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    const hint = Number.isInteger(v) ? ' (beyond Number.MAX_SAFE_INTEGER: pass a bigint or a string)' : ' (LedisDB scores are int64)';
    throw new DataError(`score must be an integer, got ${v}${hint}`, command);
  }
  return int(command, 'score', v);
}

/** A rank or offset: a safe integer number. */
function rank(command: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new DataError(`${what} must be an integer, got ${describe(v)}`, command);
  return v;
}

function isMapping(v: unknown): v is Map<unknown, unknown> | Record<string, unknown> {
  return v instanceof Map || (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array));
}

function entries(v: Map<unknown, unknown> | Record<string, unknown>): [unknown, unknown][] {
  return v instanceof Map ? [...v] : Object.entries(v);
}

function options(command: string, o: unknown): Record<string, unknown> {
  if (o === undefined) return {};
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new DataError(`options must be an object, got ${describe(o)}`, command);
  return o as Record<string, unknown>;
}

function zaddArgs(name: Key, ...rest: unknown[]): unknown[] {
  const out: unknown[] = [name];
  const last = rest[rest.length - 1];
  const pairs = isMapping(last) ? rest.slice(0, -1) : rest;
  if (pairs.length % 2 !== 0) throw new DataError('needs score, member pairs: got an odd number of arguments', 'ZADD');
  for (let i = 0; i < pairs.length; i += 2) out.push(score('ZADD', pairs[i]), pairs[i + 1]);
  if (isMapping(last)) for (const [member, s] of entries(last)) out.push(score('ZADD', s), member);
  if (out.length === 1) throw new DataError('needs at least one score and member', 'ZADD');
  return out;
}

/** `LIMIT start num` when both are given; refuses one without the other (as ledis-py does). */
function limit(command: string, o: Record<string, unknown>): unknown[] {
  const { start, num } = o;
  if (start === undefined && num === undefined) return [];
  if (start === undefined || num === undefined) throw new DataError('start and num must both be specified', command);
  return ['LIMIT', rank(command, 'start', start), rank(command, 'num', num)];
}

// Range replies carry scores only when WITHSCORES was sent, which the reply
// alone cannot tell (members may look like numbers): the transform reads it
// from the command's arguments, where it is always the fourth.
function scorePairs(list: Reply[]): [Reply, unknown][] {
  const out: [Reply, unknown][] = [];
  for (let i = 0; i + 1 < list.length; i += 2) out.push([list[i] as Reply, toInt(list[i + 1] as Reply)]);
  return out;
}

/** Args arrays of zrange calls sent as an ascending ZRANGE on behalf of `desc` (see zrangeArgs). */
const reversed = new WeakSet<readonly unknown[]>();

function rangeReply(r: Reply, args: readonly unknown[]): unknown {
  const list = toFlatList(r);
  const out = args[3] === 'WITHSCORES' ? scorePairs(list) : list;
  return reversed.has(args) ? out.reverse() : out;
}

/**
 * zrange with `desc` is ZREVRANGE in ledis-py. A table entry sends one
 * command, so it is sent as the equivalent ascending range instead: descending
 * ranks s..e are ascending ranks (-e-1)..(-s-1), for negative and positive
 * ranks alike, and the reply is reversed.
 */
function zrangeArgs(name: Key, start: number, end: number, opts?: ZRangeOptions): unknown[] {
  const o = options('ZRANGE', opts);
  const s = rank('ZRANGE', 'start', start);
  const e = rank('ZRANGE', 'end', end);
  const out: unknown[] = o.desc === true ? [name, -e - 1, -s - 1] : [name, s, e];
  if (o.withscores === true) out.push('WITHSCORES');
  if (o.desc === true) reversed.add(out);
  return out;
}

const byScore = (command: string) => (name: Key, a: unknown, b: unknown, opts?: ZRangeByScoreOptions) => {
  const o = options(command, opts);
  const out = [name, scoreBound(command, 'min', a), scoreBound(command, 'max', b)];
  if (o.withscores === true) out.push('WITHSCORES');
  return [...out, ...limit(command, o)];
};

function lexBound(command: string, what: string, v: unknown): LexBound {
  const text = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : null;
  if (text !== null && (text === '-' || text === '+' || text[0] === '[' || text[0] === '(')) return v as LexBound;
  throw new DataError(`${what} must be "-", "+", or start with "[" or "(", got ${describe(v)}`, command);
}

const lexRange = (command: string) => (name: Key, min: unknown, max: unknown) => [name, lexBound(command, 'min', min), lexBound(command, 'max', max)];

/** ZUNIONSTORE dest numkeys key...: the destination and the numkeys keys. */
const storeKeys = (args: readonly unknown[]): number[] => [0, ...numkeysAt(1, args)];

const store = (command: string) => (dest: Key, keys: unknown, opts?: ZStoreOptions) => {
  const o = options(command, opts);
  let names: unknown[];
  let weights: unknown[] | undefined = o.weights as unknown[] | undefined;
  if (isMapping(keys)) {
    if (weights !== undefined) throw new DataError('weights given twice: in the keys mapping and in options', command);
    const list = entries(keys);
    names = list.map(([k]) => k);
    weights = list.map(([, w]) => w);
  } else {
    names = flattenKeys(keys as Key | Key[], []);
  }
  nonEmpty(command, 'key', names);
  const out: unknown[] = [dest, names.length, ...names];
  if (weights !== undefined) {
    if (!Array.isArray(weights) || weights.length !== names.length) {
      throw new DataError(`needs one weight per key (${names.length}), got ${describe(weights)}`, command);
    }
    out.push('WEIGHTS');
    for (const w of weights) out.push(score(command, w));
  }
  if (o.aggregate !== undefined) out.push('AGGREGATE', oneOf(command, 'aggregate', o.aggregate, ['SUM', 'MIN', 'MAX'] as const));
  return out;
};

export const zsetCommands = {
  zadd: { command: 'ZADD', reply: integerReply, keys: FIRST, args: zaddArgs },
  zcard: { command: 'ZCARD', reply: integerReply, keys: FIRST, readonly: true },
  zclear: { command: 'ZCLEAR', reply: integerReply, keys: FIRST },
  zcount: {
    command: 'ZCOUNT',
    reply: integerReply,
    keys: FIRST,
    readonly: true,
    args: (name: Key, min: unknown, max: unknown) => [name, scoreBound('ZCOUNT', 'min', min), scoreBound('ZCOUNT', 'max', max)],
  },
  zincrby: {
    command: 'ZINCRBY',
    keys: FIRST,
    args: (name: Key, value: Value, amount: unknown = 1) => [name, score('ZINCRBY', amount), value],
    reply: toInt,
  },
  zmclear: { command: 'ZMCLEAR', reply: integerReply, keys: ALL_ARGS, args: (...names: unknown[]) => nonEmpty('ZMCLEAR', 'name', spread(names)) },
  zexpire: expireSpec('ZEXPIRE'),
  zexpireat: expireAtSpec('ZEXPIREAT'),
  zttl: { command: 'ZTTL', reply: integerReply, keys: FIRST, readonly: true },
  zpersist: { command: 'ZPERSIST', keys: FIRST, reply: toBool },
  zrange: { command: 'ZRANGE', keys: FIRST, readonly: true, args: zrangeArgs, reply: rangeReply },
  zrangebyscore: { command: 'ZRANGEBYSCORE', keys: FIRST, readonly: true, args: byScore('ZRANGEBYSCORE'), reply: rangeReply },
  zrevrange: {
    command: 'ZREVRANGE',
    keys: FIRST,
    readonly: true,
    args: (name: Key, start: number, num: number, opts?: ZRangeOptions) => {
      const out: unknown[] = [name, rank('ZREVRANGE', 'start', start), rank('ZREVRANGE', 'num', num)];
      if (options('ZREVRANGE', opts).withscores === true) out.push('WITHSCORES');
      return out;
    },
    reply: rangeReply,
  },
  zrevrangebyscore: { command: 'ZREVRANGEBYSCORE', keys: FIRST, readonly: true, args: byScore('ZREVRANGEBYSCORE'), reply: rangeReply },
  zrank: { command: 'ZRANK', reply: integerOrNullReply, keys: FIRST, readonly: true },
  zrevrank: { command: 'ZREVRANK', reply: integerOrNullReply, keys: FIRST, readonly: true },
  zscore: { command: 'ZSCORE', keys: FIRST, readonly: true, reply: toInt },
  zrem: { command: 'ZREM', reply: integerReply, keys: FIRST, args: (name: Key, ...values: unknown[]) => [name, ...nonEmpty('ZREM', 'member', spread(values))] },
  zremrangebyrank: {
    command: 'ZREMRANGEBYRANK',
    reply: integerReply,
    keys: FIRST,
    args: (name: Key, min: number, max: number) => [name, rank('ZREMRANGEBYRANK', 'min', min), rank('ZREMRANGEBYRANK', 'max', max)],
  },
  zremrangebyscore: {
    command: 'ZREMRANGEBYSCORE',
    reply: integerReply,
    keys: FIRST,
    args: (name: Key, min: unknown, max: unknown) => [name, scoreBound('ZREMRANGEBYSCORE', 'min', min), scoreBound('ZREMRANGEBYSCORE', 'max', max)],
  },
  zkeyexists: { command: 'ZKEYEXISTS', keys: FIRST, readonly: true, reply: toBool },
  zdump: { command: 'ZDUMP', reply: bulkOrNullReply, keys: FIRST, readonly: true, bufferReply: true },
  zunionstore: { command: 'ZUNIONSTORE', reply: integerReply, keys: storeKeys, args: store('ZUNIONSTORE') },
  zinterstore: { command: 'ZINTERSTORE', reply: integerReply, keys: storeKeys, args: store('ZINTERSTORE') },
  zrangebylex: {
    command: 'ZRANGEBYLEX',
    reply: bulkListReply,
    keys: FIRST,
    readonly: true,
    args: (name: Key, min: unknown, max: unknown, opts?: { start?: number; num?: number }) => [
      ...lexRange('ZRANGEBYLEX')(name, min, max),
      ...limit('ZRANGEBYLEX', options('ZRANGEBYLEX', opts)),
    ],
  },
  zremrangebylex: { command: 'ZREMRANGEBYLEX', reply: integerReply, keys: FIRST, args: lexRange('ZREMRANGEBYLEX') },
  zlexcount: { command: 'ZLEXCOUNT', reply: integerReply, keys: FIRST, readonly: true, args: lexRange('ZLEXCOUNT') },
} satisfies TableFor<ZsetCommands<Str, unknown>>;
