// ledis/ioredis's command types: ioredis 5's signatures for every command
// LedisDB serves (as it is or through the translation table), with ioredis's
// reply shapes. Each entry is written once, for text (`S` = string) and for
// the `*Buffer` twin (`S` = Buffer); the client's methods return promises
// and take a node-style callback last, the pipeline's chain.

export type RedisKey = string | Buffer;
export type RedisValue = string | Buffer | number;
/** ioredis's node-style callback. */
export type Callback<T = unknown> = (err?: Error | null, result?: T) => void;

type Keys = [...keys: RedisKey[]] | [keys: RedisKey[]];
type Pairs = [...pairs: RedisValue[]] | [pairs: RedisValue[]];

/** `[arguments, reply]` of each command. */
interface Signatures<S> {
  // KV
  get: [[key: RedisKey], S | null];
  getset: [[key: RedisKey, value: RedisValue], S | null];
  setnx: [[key: RedisKey, value: RedisValue], number];
  setex: [[key: RedisKey, seconds: number | string, value: RedisValue], 'OK'];
  psetex: [[key: RedisKey, milliseconds: number | string, value: RedisValue], 'OK'];
  mget: [Keys, (S | null)[]];
  mset: [[object: object] | [map: Map<RedisKey, RedisValue>] | Pairs, 'OK'];
  incr: [[key: RedisKey], number];
  incrby: [[key: RedisKey, increment: number | string], number];
  decr: [[key: RedisKey], number];
  decrby: [[key: RedisKey, decrement: number | string], number];
  append: [[key: RedisKey, value: RedisValue], number];
  getrange: [[key: RedisKey, start: number | string, end: number | string], S];
  substr: [[key: RedisKey, start: number | string, end: number | string], S];
  setrange: [[key: RedisKey, offset: number | string, value: RedisValue], number];
  strlen: [[key: RedisKey], number];
  getbit: [[key: RedisKey, offset: number | string], number];
  setbit: [[key: RedisKey, offset: number | string, value: number | string], number];
  bitcount: [[key: RedisKey] | [key: RedisKey, start: number | string, end: number | string], number];
  bitpos: [[key: RedisKey, bit: number | string, ...range: (number | string)[]], number];
  bitop: [[operation: string, destkey: RedisKey, ...keys: RedisKey[]], number];
  dump: [[key: RedisKey], Buffer | null];
  restore: [[key: RedisKey, ttl: number | string, serializedValue: Buffer | string, ...options: string[]], 'OK'];
  // Keys (all five LedisDB types, as Redis's one keyspace)
  del: [Keys, number];
  unlink: [Keys, number];
  exists: [Keys, number];
  type: [[key: RedisKey], string];
  expire: [[key: RedisKey, seconds: number | string], number];
  pexpire: [[key: RedisKey, milliseconds: number | string], number];
  expireat: [[key: RedisKey, unixTimeSeconds: number | string], number];
  pexpireat: [[key: RedisKey, unixTimeMilliseconds: number | string], number];
  ttl: [[key: RedisKey], number];
  pttl: [[key: RedisKey], number];
  persist: [[key: RedisKey], number];
  scan: [[cursor: number | string, ...options: (string | number)[]], [cursor: S, elements: S[]]];
  // Hashes
  hget: [[key: RedisKey, field: RedisKey], S | null];
  hset: [[key: RedisKey, object: object] | [key: RedisKey, map: Map<RedisKey, RedisValue>] | [key: RedisKey, ...fieldValues: RedisValue[]], number];
  hmset: [[key: RedisKey, object: object] | [key: RedisKey, map: Map<RedisKey, RedisValue>] | [key: RedisKey, ...fieldValues: RedisValue[]], 'OK'];
  hmget: [[key: RedisKey, ...fields: RedisKey[]] | [key: RedisKey, fields: RedisKey[]], (S | null)[]];
  hgetall: [[key: RedisKey], Record<string, S>];
  hdel: [[key: RedisKey, ...fields: RedisKey[]] | [key: RedisKey, fields: RedisKey[]], number];
  hexists: [[key: RedisKey, field: RedisKey], number];
  hincrby: [[key: RedisKey, field: RedisKey, increment: number | string], number];
  hkeys: [[key: RedisKey], S[]];
  hvals: [[key: RedisKey], S[]];
  hlen: [[key: RedisKey], number];
  hscan: [[key: RedisKey, cursor: number | string, ...options: (string | number)[]], [cursor: S, elements: S[]]];
  // Lists
  lpush: [[key: RedisKey, ...elements: RedisValue[]] | [key: RedisKey, elements: RedisValue[]], number];
  rpush: [[key: RedisKey, ...elements: RedisValue[]] | [key: RedisKey, elements: RedisValue[]], number];
  lpop: [[key: RedisKey], S | null];
  rpop: [[key: RedisKey], S | null];
  llen: [[key: RedisKey], number];
  lindex: [[key: RedisKey, index: number | string], S | null];
  lrange: [[key: RedisKey, start: number | string, stop: number | string], S[]];
  lset: [[key: RedisKey, index: number | string, element: RedisValue], 'OK'];
  ltrim: [[key: RedisKey, start: number | string, stop: number | string], 'OK'];
  rpoplpush: [[source: RedisKey, destination: RedisKey], S | null];
  blpop: [[...keysAndTimeout: (RedisKey | number)[]], [key: S, element: S] | null];
  brpop: [[...keysAndTimeout: (RedisKey | number)[]], [key: S, element: S] | null];
  brpoplpush: [[source: RedisKey, destination: RedisKey, timeout: number | string], S | null];
  // Sets
  sadd: [[key: RedisKey, ...members: RedisValue[]] | [key: RedisKey, members: RedisValue[]], number];
  srem: [[key: RedisKey, ...members: RedisValue[]] | [key: RedisKey, members: RedisValue[]], number];
  smembers: [[key: RedisKey], S[]];
  sismember: [[key: RedisKey, member: RedisValue], number];
  scard: [[key: RedisKey], number];
  sinter: [Keys, S[]];
  sunion: [Keys, S[]];
  sdiff: [Keys, S[]];
  sinterstore: [[destination: RedisKey, ...keys: RedisKey[]], number];
  sunionstore: [[destination: RedisKey, ...keys: RedisKey[]], number];
  sdiffstore: [[destination: RedisKey, ...keys: RedisKey[]], number];
  sscan: [[key: RedisKey, cursor: number | string, ...options: (string | number)[]], [cursor: S, elements: S[]]];
  // Sorted sets (int64 scores on LedisDB)
  zadd: [[key: RedisKey, ...scoreMembers: RedisValue[]], number];
  zincrby: [[key: RedisKey, increment: number | string, member: RedisValue], S];
  zscore: [[key: RedisKey, member: RedisValue], S | null];
  zcard: [[key: RedisKey], number];
  zcount: [[key: RedisKey, min: number | string, max: number | string], number];
  zlexcount: [[key: RedisKey, min: string, max: string], number];
  zrank: [[key: RedisKey, member: RedisValue], number | null];
  zrevrank: [[key: RedisKey, member: RedisValue], number | null];
  zrem: [[key: RedisKey, ...members: RedisValue[]] | [key: RedisKey, members: RedisValue[]], number];
  zrange: [[key: RedisKey, start: number | string, stop: number | string, ...options: (string | number)[]], S[]];
  zrevrange: [[key: RedisKey, start: number | string, stop: number | string, ...options: string[]], S[]];
  zrangebyscore: [[key: RedisKey, min: number | string, max: number | string, ...options: (string | number)[]], S[]];
  zrevrangebyscore: [[key: RedisKey, max: number | string, min: number | string, ...options: (string | number)[]], S[]];
  zrangebylex: [[key: RedisKey, min: string, max: string, ...options: (string | number)[]], S[]];
  zremrangebyrank: [[key: RedisKey, start: number | string, stop: number | string], number];
  zremrangebyscore: [[key: RedisKey, min: number | string, max: number | string], number];
  zremrangebylex: [[key: RedisKey, min: string, max: string], number];
  zunionstore: [[destination: RedisKey, numkeys: number | string, ...rest: (RedisKey | number)[]], number];
  zinterstore: [[destination: RedisKey, numkeys: number | string, ...rest: (RedisKey | number)[]], number];
  zscan: [[key: RedisKey, cursor: number | string, ...options: (string | number)[]], [cursor: S, elements: S[]]];
  // Scripts
  eval: [[script: string | Buffer, numkeys: number | string, ...args: RedisValue[]], unknown];
  evalsha: [[sha1: string | Buffer, numkeys: number | string, ...args: RedisValue[]], unknown];
  script: [[subcommand: string, ...args: RedisValue[]], unknown];
  // Server
  ping: [[] | [message: RedisValue], S];
  echo: [[message: RedisValue], S];
  info: [[] | [section: string], S];
  time: [[], S[]];
  flushdb: [[], 'OK'];
  flushall: [[], 'OK'];
  config: [[subcommand: string, ...args: RedisValue[]], unknown];
  role: [[], unknown[]];
  slaveof: [[host: string, port: number | string] | [no: 'NO', one: 'ONE'], 'OK'];
  // LedisDB's own per-type commands (HCLEAR, LEXPIRE, ...) and iteration (XSCAN ...)
  hclear: [[key: RedisKey], number];
  hmclear: [Keys, number];
  hexpire: [[key: RedisKey, seconds: number | string], number];
  hexpireat: [[key: RedisKey, unixTimeSeconds: number | string], number];
  httl: [[key: RedisKey], number];
  hpersist: [[key: RedisKey], number];
  hkeyexists: [[key: RedisKey], number];
  lclear: [[key: RedisKey], number];
  lmclear: [Keys, number];
  lexpire: [[key: RedisKey, seconds: number | string], number];
  lexpireat: [[key: RedisKey, unixTimeSeconds: number | string], number];
  lttl: [[key: RedisKey], number];
  lpersist: [[key: RedisKey], number];
  lkeyexists: [[key: RedisKey], number];
  ltrim_front: [[key: RedisKey, count: number | string], number];
  ltrim_back: [[key: RedisKey, count: number | string], number];
  sclear: [[key: RedisKey], number];
  smclear: [Keys, number];
  sexpire: [[key: RedisKey, seconds: number | string], number];
  sexpireat: [[key: RedisKey, unixTimeSeconds: number | string], number];
  sttl: [[key: RedisKey], number];
  spersist: [[key: RedisKey], number];
  skeyexists: [[key: RedisKey], number];
  zclear: [[key: RedisKey], number];
  zmclear: [Keys, number];
  zexpire: [[key: RedisKey, seconds: number | string], number];
  zexpireat: [[key: RedisKey, unixTimeSeconds: number | string], number];
  zttl: [[key: RedisKey], number];
  zpersist: [[key: RedisKey], number];
  zkeyexists: [[key: RedisKey], number];
  xscan: [[type: string, cursor: RedisKey, ...options: (string | number)[]], [cursor: S, elements: S[]]];
  xhscan: [[key: RedisKey, cursor: RedisKey, ...options: (string | number)[]], [cursor: S, elements: S[]]];
  xsscan: [[key: RedisKey, cursor: RedisKey, ...options: (string | number)[]], [cursor: S, elements: S[]]];
  xzscan: [[key: RedisKey, cursor: RedisKey, ...options: (string | number)[]], [cursor: S, elements: S[]]];
  xlsort: [[key: RedisKey, ...options: (string | number)[]], S[]];
  xssort: [[key: RedisKey, ...options: (string | number)[]], S[]];
  xzsort: [[key: RedisKey, ...options: (string | number)[]], S[]];
}

/** A command method: the arguments, optionally a callback, a promise of the reply. */
type Method<A extends unknown[], R> = {
  (...args: A): Promise<R>;
  (...args: [...A, Callback<R>]): Promise<R>;
};

/** SET with ioredis's overloads: 'OK', or null when NX/XX did not set, or the old value with GET. */
interface SetMethod<S> {
  (key: RedisKey, value: RedisValue, callback?: Callback<'OK'>): Promise<'OK'>;
  (key: RedisKey, value: RedisValue, get: 'GET' | 'get', callback?: Callback<S | null>): Promise<S | null>;
  (key: RedisKey, value: RedisValue, unit: 'EX' | 'ex' | 'PX' | 'px' | 'EXAT' | 'exat' | 'PXAT' | 'pxat', time: number | string, callback?: Callback<'OK'>): Promise<'OK'>;
  (key: RedisKey, value: RedisValue, keepTtl: 'KEEPTTL' | 'keepttl', callback?: Callback<'OK'>): Promise<'OK'>;
  (key: RedisKey, value: RedisValue, ...options: Array<string | number | Callback<'OK' | S | null>>): Promise<'OK' | S | null>;
}

type Strings = Signatures<string>;
type Buffers = Signatures<Buffer>;

/** Every command method of ledis/ioredis's `Redis`, and its `*Buffer` twin. */
export type IoredisCommands = { [K in keyof Strings]: Method<Strings[K][0], Strings[K][1]> } & {
  [K in keyof Buffers as `${K}Buffer`]: Method<Buffers[K][0], Buffers[K][1]>;
} & {
  set: SetMethod<string>;
  setBuffer: SetMethod<Buffer>;
};

/** The same commands on a pipeline: each queues and returns the pipeline. */
export type IoredisPipelineCommands<P> = { [K in keyof Strings]: (...args: Strings[K][0]) => P } & {
  [K in keyof Buffers as `${K}Buffer`]: (...args: Buffers[K][0]) => P;
} & {
  set(key: RedisKey, value: RedisValue, ...options: Array<string | number>): P;
  setBuffer(key: RedisKey, value: RedisValue, ...options: Array<string | number>): P;
};
