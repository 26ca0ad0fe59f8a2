// The types of ledis/node-redis's command methods: node-redis 5's names,
// argument shapes and reply types (RESP2), for what LedisDB has. `S` is a
// blob string's type: string, or Buffer under withTypeMapping.
import type { RedisArgument, RedisVariadicArgument } from './node-redis-commands.js';

type P<T> = Promise<T>;
type Num = number | string;

/** node-redis 5's SetOptions (LedisDB: EX/PX/EXAT/PXAT/KEEPTTL and NX/XX as the translation table rewrites them). */
export interface SetOptions {
  expiration?: { type: 'EX' | 'PX' | 'EXAT' | 'PXAT'; value: number } | { type: 'KEEPTTL' } | 'KEEPTTL';
  EX?: number;
  PX?: number;
  EXAT?: number;
  PXAT?: number;
  KEEPTTL?: boolean;
  condition?: 'NX' | 'XX';
  NX?: boolean;
  XX?: boolean;
  GET?: boolean;
}

export interface ScanCommonOptions {
  /** A glob (`sess:*`), as Redis takes it. */
  MATCH?: string;
  /** Keys per page (a hint). */
  COUNT?: number;
}

export interface ScanOptions extends ScanCommonOptions {
  /** 'string', 'hash', 'list', 'set' or 'zset'. */
  TYPE?: RedisArgument;
}

export interface ScanIteratorOptions {
  /** Where to start (default '0', the beginning). */
  cursor?: RedisArgument;
}

/** `{ score, value }`: a zset member; LedisDB scores are int64 (a fractional one is a DataError). */
export interface ZMember {
  score: number;
  value: RedisArgument;
}

export interface ZRangeOptions {
  BY?: 'SCORE' | 'LEX';
  REV?: boolean;
  LIMIT?: { offset: number; count: number };
}

export interface EvalOptions {
  keys?: RedisVariadicArgument;
  arguments?: RedisVariadicArgument;
}

/** A hash or MSET's name/value pairs in every shape node-redis takes. */
export type HashTypes = Record<string, RedisArgument | number> | Map<RedisArgument | number, RedisArgument | number> | ReadonlyArray<[RedisArgument | number, RedisArgument | number]> | ReadonlyArray<RedisArgument | number>;

export interface NodeRedisCommands<S> {
  // strings
  /** GET: the value or null. */
  get(key: RedisArgument): P<S | null>;
  /** SET with node-redis 5's options: 'OK', null when NX/XX did not set, the old value with GET. */
  set(key: RedisArgument, value: RedisArgument | number, options?: SetOptions): P<'OK' | S | null>;
  setEx(key: RedisArgument, seconds: number, value: RedisArgument | number): P<'OK'>;
  /** PSETEX (translated: LedisDB keeps whole seconds; see docs/node-redis.md). */
  pSetEx(key: RedisArgument, ms: number, value: RedisArgument | number): P<'OK'>;
  setNX(key: RedisArgument, value: RedisArgument | number): P<number>;
  getSet(key: RedisArgument, value: RedisArgument | number): P<S | null>;
  mGet(keys: readonly RedisArgument[]): P<(S | null)[]>;
  mSet(pairs: HashTypes): P<'OK'>;
  append(key: RedisArgument, value: RedisArgument): P<number>;
  strLen(key: RedisArgument): P<number>;
  getRange(key: RedisArgument, start: number, end: number): P<S>;
  setRange(key: RedisArgument, offset: number, value: RedisArgument): P<number>;
  incr(key: RedisArgument): P<number>;
  incrBy(key: RedisArgument, increment: number): P<number>;
  decr(key: RedisArgument): P<number>;
  decrBy(key: RedisArgument, decrement: number): P<number>;
  getBit(key: RedisArgument, offset: number): P<number>;
  setBit(key: RedisArgument, offset: number, value: 0 | 1): P<number>;
  bitCount(key: RedisArgument, range?: { start: number; end: number }): P<number>;
  bitOp(operation: 'AND' | 'OR' | 'XOR' | 'NOT', destKey: RedisArgument, keys: RedisVariadicArgument): P<number>;
  bitPos(key: RedisArgument, bit: 0 | 1, start?: number, end?: number): P<number>;
  // keys
  /** DEL (KV keys: LedisDB's other types have their own keyspaces and clears). */
  del(keys: RedisVariadicArgument): P<number>;
  /** UNLINK, sent as DEL (LedisDB frees at once either way). */
  unlink(keys: RedisVariadicArgument): P<number>;
  /** EXISTS: how many of the keys exist (a key named twice counts twice). */
  exists(keys: RedisVariadicArgument): P<number>;
  expire(key: RedisArgument, seconds: number): P<number>;
  pExpire(key: RedisArgument, ms: number): P<number>;
  expireAt(key: RedisArgument, timestamp: number | Date): P<number>;
  pExpireAt(key: RedisArgument, msTimestamp: number | Date): P<number>;
  /** TTL in seconds; -1 without a TTL. (LedisDB also answers -1 for a missing key, where Redis says -2.) */
  ttl(key: RedisArgument): P<number>;
  pTTL(key: RedisArgument): P<number>;
  persist(key: RedisArgument): P<number>;
  dump(key: RedisArgument): P<S | null>;
  restore(key: RedisArgument, ttl: number, serializedValue: RedisArgument): P<'OK'>;
  /** A page of SCAN (LedisDB: XSCAN): `{ cursor, keys }`, cursor '0' when done. */
  scan(cursor: RedisArgument, options?: ScanOptions): P<{ cursor: string; keys: S[] }>;
  // hashes
  hSet(key: RedisArgument, field: RedisArgument | number, value: RedisArgument | number): P<number>;
  hSet(key: RedisArgument, value: HashTypes): P<number>;
  hGet(key: RedisArgument, field: RedisArgument): P<S | null>;
  /** Every field and value, as an object without a prototype. */
  hGetAll(key: RedisArgument): P<Record<string, S>>;
  hmGet(key: RedisArgument, fields: RedisVariadicArgument): P<(S | null)[]>;
  hDel(key: RedisArgument, fields: RedisVariadicArgument): P<number>;
  hExists(key: RedisArgument, field: RedisArgument): P<number>;
  hIncrBy(key: RedisArgument, field: RedisArgument, increment: number): P<number>;
  hKeys(key: RedisArgument): P<S[]>;
  hVals(key: RedisArgument): P<S[]>;
  hLen(key: RedisArgument): P<number>;
  hScan(key: RedisArgument, cursor: RedisArgument, options?: ScanCommonOptions): P<{ cursor: string; entries: { field: S; value: S }[] }>;
  // lists
  lPush(key: RedisArgument, elements: RedisVariadicArgument): P<number>;
  rPush(key: RedisArgument, elements: RedisVariadicArgument): P<number>;
  lPop(key: RedisArgument): P<S | null>;
  rPop(key: RedisArgument): P<S | null>;
  lRange(key: RedisArgument, start: number, stop: number): P<S[]>;
  lIndex(key: RedisArgument, index: number): P<S | null>;
  lLen(key: RedisArgument): P<number>;
  lSet(key: RedisArgument, index: number, element: RedisArgument): P<'OK'>;
  lTrim(key: RedisArgument, start: number, stop: number): P<'OK'>;
  rPopLPush(source: RedisArgument, destination: RedisArgument): P<S | null>;
  brPopLPush(source: RedisArgument, destination: RedisArgument, timeout: number): P<S | null>;
  blPop(keys: RedisVariadicArgument, timeout: number): P<{ key: S; element: S } | null>;
  brPop(keys: RedisVariadicArgument, timeout: number): P<{ key: S; element: S } | null>;
  // sets
  sAdd(key: RedisArgument, members: RedisVariadicArgument): P<number>;
  sRem(key: RedisArgument, members: RedisVariadicArgument): P<number>;
  sCard(key: RedisArgument): P<number>;
  /** The members, as an array (node-redis 5; `Ledis#smembers` gives a Set). */
  sMembers(key: RedisArgument): P<S[]>;
  sIsMember(key: RedisArgument, member: RedisArgument): P<number>;
  sDiff(keys: RedisVariadicArgument): P<S[]>;
  sInter(keys: RedisVariadicArgument): P<S[]>;
  sUnion(keys: RedisVariadicArgument): P<S[]>;
  sDiffStore(destination: RedisArgument, keys: RedisVariadicArgument): P<number>;
  sInterStore(destination: RedisArgument, keys: RedisVariadicArgument): P<number>;
  sUnionStore(destination: RedisArgument, keys: RedisVariadicArgument): P<number>;
  sScan(key: RedisArgument, cursor: RedisArgument, options?: ScanCommonOptions): P<{ cursor: string; members: S[] }>;
  // sorted sets (int64 scores)
  zAdd(key: RedisArgument, members: ZMember | readonly ZMember[]): P<number>;
  zCard(key: RedisArgument): P<number>;
  zCount(key: RedisArgument, min: Num, max: Num): P<number>;
  zIncrBy(key: RedisArgument, increment: number, member: RedisArgument): P<number>;
  zScore(key: RedisArgument, member: RedisArgument): P<number | null>;
  zRank(key: RedisArgument, member: RedisArgument): P<number | null>;
  zRevRank(key: RedisArgument, member: RedisArgument): P<number | null>;
  zRem(key: RedisArgument, members: RedisVariadicArgument): P<number>;
  zRange(key: RedisArgument, min: Num, max: Num, options?: ZRangeOptions): P<S[]>;
  zRangeWithScores(key: RedisArgument, min: Num, max: Num, options?: ZRangeOptions): P<{ value: S; score: number }[]>;
  zRangeByScore(key: RedisArgument, min: Num, max: Num, options?: { LIMIT?: { offset: number; count: number } }): P<S[]>;
  zRangeByScoreWithScores(key: RedisArgument, min: Num, max: Num, options?: { LIMIT?: { offset: number; count: number } }): P<{ value: S; score: number }[]>;
  zRangeByLex(key: RedisArgument, min: RedisArgument, max: RedisArgument, options?: { LIMIT?: { offset: number; count: number } }): P<S[]>;
  zLexCount(key: RedisArgument, min: RedisArgument, max: RedisArgument): P<number>;
  zRemRangeByRank(key: RedisArgument, start: number, stop: number): P<number>;
  zRemRangeByScore(key: RedisArgument, min: Num, max: Num): P<number>;
  zRemRangeByLex(key: RedisArgument, min: RedisArgument, max: RedisArgument): P<number>;
  zInterStore(destination: RedisArgument, keys: RedisVariadicArgument | readonly { key: RedisArgument; weight: number }[], options?: { AGGREGATE?: 'SUM' | 'MIN' | 'MAX' }): P<number>;
  zUnionStore(destination: RedisArgument, keys: RedisVariadicArgument | readonly { key: RedisArgument; weight: number }[], options?: { AGGREGATE?: 'SUM' | 'MIN' | 'MAX' }): P<number>;
  zScan(key: RedisArgument, cursor: RedisArgument, options?: ScanCommonOptions): P<{ cursor: string; members: { value: S; score: number }[] }>;
  // scripting (LedisDB's Lua: only LedisDB's commands inside a script)
  eval(script: RedisArgument, options?: EvalOptions): P<unknown>;
  evalSha(sha1: RedisArgument, options?: EvalOptions): P<unknown>;
  scriptLoad(script: RedisArgument): P<string>;
  scriptExists(sha1: RedisVariadicArgument): P<number[]>;
  scriptFlush(): P<'OK'>;
  // server
  ping(message?: RedisArgument): P<string>;
  echo(message: RedisArgument): P<S>;
  info(section?: string): P<string>;
  time(): P<[S, S]>;
  flushDb(): P<'OK'>;
  flushAll(): P<'OK'>;
  configGet(parameter: RedisArgument): P<Record<string, S>>;
  configRewrite(): P<'OK'>;
  role(): P<unknown[]>;
  /** TYPE: 'string', 'hash', 'list', 'set', 'zset' or 'none' (translated: the first of LedisDB's five keyspaces that has the key). */
  type(key: RedisArgument): P<string>;
  // What LedisDB lacks: each rejects with a DataError naming the command and LedisDB's nearest way, before sending.
  /** Rejects: LedisDB has no pub/sub. */
  publish(channel: RedisArgument, message: RedisArgument): P<never>;
  /** Rejects: LedisDB has no pub/sub. */
  subscribe(channels: string | string[], listener: (message: string, channel: string) => unknown): P<never>;
  /** Rejects: LedisDB has no pub/sub. */
  pSubscribe(patterns: string | string[], listener: (message: string, channel: string) => unknown): P<never>;
  /** Rejects: LedisDB has no pub/sub. */
  unsubscribe(channels?: string | string[]): P<never>;
  /** Rejects: LedisDB has no pub/sub. */
  pUnsubscribe(patterns?: string | string[]): P<never>;
  /** Rejects: LedisDB has no WATCH/MULTI. */
  watch(keys: RedisVariadicArgument): P<never>;
  /** Rejects: LedisDB has no WATCH/MULTI. */
  unwatch(): P<never>;
  /** Rejects: use scanIterator({ MATCH }). */
  keys(pattern: RedisArgument): P<never>;
  /** Rejects: LedisDB has no RENAME. */
  rename(key: RedisArgument, newKey: RedisArgument): P<never>;
  /** Rejects: LedisDB has no atomic get-and-delete. */
  getDel(key: RedisArgument): P<never>;
  /** Rejects: LedisDB has no HSETNX. */
  hSetNX(key: RedisArgument, field: RedisArgument, value: RedisArgument): P<never>;
  /** Rejects: LedisDB has no DBSIZE. */
  dbSize(): P<never>;
}

/** multi()'s builder: every command method queues and chains; execAsPipeline() sends them (not atomic); exec() rejects (no MULTI on LedisDB). */
export type RedisMultiCommand<S> = {
  [K in keyof NodeRedisCommands<S>]: (...args: Parameters<NodeRedisCommands<S>[K]>) => RedisMultiCommand<S>;
} & {
  addCommand(args: readonly RedisArgument[]): RedisMultiCommand<S>;
  /** Rejects with a DataError (LedisDB has no MULTI/EXEC); `exec(true)` is execAsPipeline(). */
  exec(execAsPipeline?: boolean): Promise<unknown[]>;
  execAsPipeline(): Promise<unknown[]>;
};
