// node-redis 5's command methods for what LedisDB has: each entry gives the
// Redis command it sends (with node-redis's argument shapes: arrays of keys,
// `{ score, value }` members, option objects) and the reply shape node-redis
// 5 gives over RESP2 (numbers, 'OK', null, arrays, objects). Redis idioms
// LedisDB lacks (SET ... EX, multi-key EXISTS, UNLINK, SCAN MATCH ...) are sent
// as Redis commands and rewritten by the engine's translation table.
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';

/** A key, field, member or value as node-redis takes it. */
export type RedisArgument = string | Buffer;
/** One argument or an array of them (node-redis's RedisVariadicArgument). */
export type RedisVariadicArgument = RedisArgument | readonly RedisArgument[];

/** One command of the table: the Redis command, its argument shaping and its reply shape. */
export interface Entry {
  /** The Redis command sent (upper case). */
  readonly cmd: string;
  /** The command's arguments from the method's (none: the method's own, unchanged). Throws DataError on bad input. */
  readonly args?: (...a: any[]) => unknown[];
  /** The reply as node-redis gives it (none: the raw reply). */
  readonly reply?: (r: Reply, buffers: boolean) => unknown;
}

// ---- argument shaping ----

/** An argument or an array of them, as a new array (never spread: caller-sized). */
export function list(label: string, v: unknown): unknown[] {
  if (Array.isArray(v)) {
    if (v.length === 0) throw new DataError(`${label}: give at least one`);
    return v.slice();
  }
  if (v === undefined || v === null) throw new DataError(`${label}: missing`);
  return [v];
}

function concat(head: unknown[], tail: unknown[]): unknown[] {
  for (let i = 0; i < tail.length; i++) head.push(tail[i]);
  return head;
}

/** node-redis's field/value or key/value shapes: an object, a Map, `[k, v, k, v]` or `[[k, v], ...]`. */
export function pairs(label: string, v: unknown, value?: unknown, withValue = false): unknown[] {
  if (withValue) return [v, value];
  const out: unknown[] = [];
  if (v instanceof Map) {
    for (const [k, x] of v) out.push(k, x);
  } else if (Array.isArray(v)) {
    if (v.length > 0 && Array.isArray(v[0])) {
      for (const t of v) {
        if (!Array.isArray(t) || t.length !== 2) throw new DataError(`${label}: each tuple must be [name, value]`);
        out.push(t[0], t[1]);
      }
    } else {
      if (v.length % 2 !== 0) throw new DataError(`${label}: an array of names and values needs an even length, got ${v.length}`);
      concat(out, v);
    }
  } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
    for (const k of Object.keys(v)) out.push(k, (v as Record<string, unknown>)[k]);
  } else {
    throw new DataError(`${label}: expected an object, a Map or an array of names and values`);
  }
  if (out.length === 0) throw new DataError(`${label}: nothing to set`);
  return out;
}

/** A zset score: LedisDB keeps int64 scores, so a fractional one is refused before sending. */
function score(label: string, v: unknown): unknown {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) return v;
  throw new DataError(`${label}: LedisDB zset scores are integers (int64), got ${typeof v === 'number' ? v : JSON.stringify(typeof v === 'string' ? v.slice(0, 40) : typeof v)}`);
}

/** A range bound (score or lex): a number or a string such as '-inf', '(5', '[a'. */
function bound(v: unknown): unknown {
  if (v === Infinity) return '+inf';
  if (v === -Infinity) return '-inf';
  return v;
}

function noOptions(label: string, options: unknown, allowed: readonly string[] = []): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw new DataError(`${label}: options must be an object`);
  for (const k of Object.keys(options)) {
    if ((options as Record<string, unknown>)[k] !== undefined && !allowed.includes(k)) {
      throw new DataError(`${label}: option ${k} is not supported by LedisDB${allowed.length > 0 ? ` (supported: ${allowed.join(', ')})` : ''}`);
    }
  }
  return options as Record<string, unknown>;
}

function limit(label: string, o: Record<string, unknown>, out: unknown[]): unknown[] {
  const l = o.LIMIT as { offset?: unknown; count?: unknown } | undefined;
  if (l !== undefined) {
    if (l === null || typeof l !== 'object') throw new DataError(`${label}: LIMIT must be { offset, count }`);
    out.push('LIMIT', l.offset, l.count);
  }
  return out;
}

/** node-redis 5's SetOptions as SET's Redis arguments (node-redis's own precedence: expiration, then EX, PX, EXAT, PXAT, KEEPTTL). */
function setArgs(key: unknown, value: unknown, options?: Record<string, unknown>): unknown[] {
  const out: unknown[] = [key, value];
  if (options === undefined || options === null) return out;
  if (typeof options !== 'object') throw new DataError('set: options must be an object');
  const o = noOptions('set', options, ['expiration', 'EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL', 'condition', 'NX', 'XX', 'GET']);
  const e = o.expiration as { type?: unknown; value?: unknown } | string | undefined;
  if (e !== undefined) {
    if (e === 'KEEPTTL' || (typeof e === 'object' && e !== null && e.type === 'KEEPTTL')) out.push('KEEPTTL');
    else if (typeof e === 'object' && e !== null && (e.type === 'EX' || e.type === 'PX' || e.type === 'EXAT' || e.type === 'PXAT')) out.push(e.type, e.value);
    else throw new DataError("set: expiration must be { type: 'EX' | 'PX' | 'EXAT' | 'PXAT', value } or 'KEEPTTL'");
  } else if (o.EX !== undefined) out.push('EX', o.EX);
  else if (o.PX !== undefined) out.push('PX', o.PX);
  else if (o.EXAT !== undefined) out.push('EXAT', o.EXAT);
  else if (o.PXAT !== undefined) out.push('PXAT', o.PXAT);
  else if (o.KEEPTTL === true) out.push('KEEPTTL');
  if (o.condition !== undefined) {
    if (o.condition !== 'NX' && o.condition !== 'XX') throw new DataError(`set: condition ${String(o.condition)} is not supported by LedisDB (NX or XX)`);
    out.push(o.condition);
  } else if (o.NX === true) out.push('NX');
  else if (o.XX === true) out.push('XX');
  if (o.GET === true) out.push('GET');
  return out;
}

function scanArgs(label: string, head: unknown[], cursor: unknown, options: unknown, type: boolean): unknown[] {
  const o = noOptions(label, options, type ? ['MATCH', 'COUNT', 'TYPE', 'cursor'] : ['MATCH', 'COUNT', 'cursor']);
  head.push(cursor === undefined ? '0' : cursor);
  if (o.MATCH !== undefined) head.push('MATCH', o.MATCH);
  if (o.COUNT !== undefined) head.push('COUNT', o.COUNT);
  if (o.TYPE !== undefined) head.push('TYPE', o.TYPE);
  return head;
}

function evalArgs(label: string, script: unknown, options: unknown): unknown[] {
  const o = noOptions(label, options, ['keys', 'arguments']);
  const keys = o.keys === undefined ? [] : Array.isArray(o.keys) ? o.keys : [o.keys];
  const args = o.arguments === undefined ? [] : Array.isArray(o.arguments) ? o.arguments : [o.arguments];
  return concat(concat([script, keys.length], keys), args);
}

/** ZINTERSTORE / ZUNIONSTORE: keys as a key, an array of keys, or `[{ key, weight }]`; `{ AGGREGATE }`. */
function storeArgs(label: string, dest: unknown, keys: unknown, options: unknown): unknown[] {
  const o = noOptions(label, options, ['AGGREGATE', 'WEIGHTS']);
  const given = list(`${label} keys`, keys);
  const names: unknown[] = [];
  const weights: unknown[] = [];
  for (const k of given) {
    if (k !== null && typeof k === 'object' && !Buffer.isBuffer(k)) {
      const w = k as { key?: unknown; weight?: unknown };
      names.push(w.key);
      weights.push(score(`${label} weight`, w.weight));
    } else names.push(k);
  }
  const out = concat([dest, names.length], names);
  if (weights.length > 0) {
    if (weights.length !== names.length) throw new DataError(`${label}: give a weight for every key or none`);
    out.push('WEIGHTS');
    concat(out, weights);
  } else if (o.WEIGHTS !== undefined) {
    out.push('WEIGHTS');
    concat(out, list(`${label} WEIGHTS`, o.WEIGHTS).map((w) => score(`${label} weight`, w)));
  }
  if (o.AGGREGATE !== undefined) out.push('AGGREGATE', o.AGGREGATE);
  return out;
}

function zMembers(label: string, members: unknown): unknown[] {
  const out: unknown[] = [];
  const each = (m: unknown): void => {
    if (m === null || typeof m !== 'object' || Buffer.isBuffer(m)) throw new DataError(`${label}: members are { score, value }`);
    const { score: s, value } = m as { score?: unknown; value?: unknown };
    out.push(score(label, s), value);
  };
  if (Array.isArray(members)) {
    if (members.length === 0) throw new DataError(`${label}: give at least one member`);
    for (const m of members) each(m);
  } else each(members);
  return out;
}

/** zRange's node-redis 5 form, ZRANGE key min max [BYSCORE|BYLEX] [REV] [LIMIT o c] [WITHSCORES]: the translation table sends LedisDB's equivalent. */
function zRangeArgs(withScores: boolean) {
  return (key: unknown, min: unknown, max: unknown, options?: unknown): unknown[] => {
    const label = withScores ? 'zRangeWithScores' : 'zRange';
    const o = noOptions(label, options, ['BY', 'REV', 'LIMIT']);
    const out = [key, bound(min), bound(max)];
    if (o.BY !== undefined) {
      const by = typeof o.BY === 'string' ? o.BY.toUpperCase() : '';
      if (by !== 'SCORE' && by !== 'LEX') throw new DataError(`${label}: BY must be 'SCORE' or 'LEX'`);
      out.push(`BY${by}`);
    }
    if (o.REV === true) out.push('REV');
    limit(label, o, out);
    if (withScores) out.push('WITHSCORES');
    return out;
  };
}

// ---- reply shapes ----

export const text = (r: Reply): unknown => (Buffer.isBuffer(r) ? r.toString() : r);
const toNumber = (r: Reply): unknown => (r === null ? null : typeof r === 'number' ? r : Number(Buffer.isBuffer(r) ? r.toString() : r));

/** `[k, v, k, v]` as an object without a prototype (keys decoded: server data never reaches Object.prototype). */
export function tuples(r: Reply): unknown {
  const out = Object.create(null) as Record<string, Reply>;
  if (!Array.isArray(r)) return out;
  for (let i = 0; i + 1 < r.length; i += 2) out[String(r[i])] = r[i + 1] as Reply;
  return out;
}

/** `[member, score, ...]` as node-redis's `[{ value, score }]`. */
export function withScores(r: Reply): unknown {
  const out: { value: Reply; score: number }[] = [];
  if (!Array.isArray(r)) return out;
  for (let i = 0; i + 1 < r.length; i += 2) out.push({ value: r[i] as Reply, score: Number(String(r[i + 1])) });
  return out;
}

/** A scan cursor as node-redis gives it: a string, '0' when the scan is over (LedisDB ends with ''). */
export function cursorOf(c: Reply): string {
  const s = Buffer.isBuffer(c) ? c.toString('latin1') : String(c);
  return s === '' ? '0' : s;
}

function page(r: Reply): [string, Reply[]] {
  if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[1])) return ['0', []];
  return [cursorOf(r[0] as Reply), r[1]];
}

const scanReply = (r: Reply): unknown => {
  const [cursor, keys] = page(r);
  return { cursor, keys };
};
const hScanReply = (r: Reply): unknown => {
  const [cursor, flat] = page(r);
  const entries: { field: Reply; value: Reply }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ field: flat[i] as Reply, value: flat[i + 1] as Reply });
  return { cursor, entries };
};
const sScanReply = (r: Reply): unknown => {
  const [cursor, members] = page(r);
  return { cursor, members };
};
const zScanReply = (r: Reply): unknown => {
  const [cursor, flat] = page(r);
  return { cursor, members: withScores(flat) };
};
/** LedisDB answers a blocking pop with `[key, [key, element]]` (see src/commands/list.ts); node-redis gives `{ key, element }`. */
const popReply = (r: Reply): unknown => {
  if (!Array.isArray(r) || r.length !== 2) return null;
  const pair = Array.isArray(r[1]) && r[1].length === 2 ? r[1] : r;
  return { key: pair[0], element: pair[1] };
};

// ---- the table ----

const k1 = (label: string) => (key: unknown, v: unknown): unknown[] => concat([key], list(label, v));

/** Every node-redis method of this face, by its node-redis name. */
export const NODE_REDIS_COMMANDS: Readonly<Record<string, Entry>> = {
  // strings (KV)
  get: { cmd: 'GET' },
  set: { cmd: 'SET', args: setArgs, reply: text },
  setEx: { cmd: 'SETEX', reply: text },
  pSetEx: { cmd: 'PSETEX', reply: text },
  setNX: { cmd: 'SETNX' },
  getSet: { cmd: 'GETSET' },
  mGet: { cmd: 'MGET', args: (keys: unknown) => list('mGet keys', keys) },
  mSet: { cmd: 'MSET', args: (v: unknown) => pairs('mSet', v), reply: text },
  append: { cmd: 'APPEND' },
  strLen: { cmd: 'STRLEN' },
  getRange: { cmd: 'GETRANGE' },
  setRange: { cmd: 'SETRANGE' },
  incr: { cmd: 'INCR' },
  incrBy: { cmd: 'INCRBY' },
  decr: { cmd: 'DECR' },
  decrBy: { cmd: 'DECRBY' },
  getBit: { cmd: 'GETBIT' },
  setBit: { cmd: 'SETBIT' },
  bitCount: {
    cmd: 'BITCOUNT',
    args: (key: unknown, range?: { start?: unknown; end?: unknown; mode?: unknown }) => {
      if (range === undefined) return [key];
      const o = noOptions('bitCount', range, ['start', 'end']);
      return [key, o.start, o.end];
    },
  },
  bitOp: { cmd: 'BITOP', args: (op: unknown, dest: unknown, keys: unknown) => concat([op, dest], list('bitOp keys', keys)) },
  bitPos: {
    cmd: 'BITPOS',
    args: (key: unknown, bit: unknown, start?: unknown, end?: unknown, mode?: unknown) => {
      if (mode !== undefined) throw new DataError('bitPos: LedisDB counts in bytes only (no BYTE/BIT mode)');
      const out = [key, bit];
      if (start !== undefined) out.push(start);
      if (end !== undefined) out.push(end);
      return out;
    },
  },
  // keys
  del: { cmd: 'DEL', args: (keys: unknown) => list('del keys', keys) },
  unlink: { cmd: 'UNLINK', args: (keys: unknown) => list('unlink keys', keys) },
  exists: { cmd: 'EXISTS', args: (keys: unknown) => list('exists keys', keys) },
  expire: {
    cmd: 'EXPIRE',
    args: (key: unknown, seconds: unknown, mode?: unknown) => {
      if (mode !== undefined) throw new DataError(`expire: mode ${String(mode)} (NX/XX/GT/LT) is not supported by LedisDB`);
      return [key, seconds];
    },
  },
  pExpire: {
    cmd: 'PEXPIRE',
    args: (key: unknown, ms: unknown, mode?: unknown) => {
      if (mode !== undefined) throw new DataError(`pExpire: mode ${String(mode)} (NX/XX/GT/LT) is not supported by LedisDB`);
      return [key, ms];
    },
  },
  expireAt: { cmd: 'EXPIREAT', args: (key: unknown, at: unknown) => [key, at instanceof Date ? Math.floor(at.getTime() / 1000) : at] },
  pExpireAt: { cmd: 'PEXPIREAT', args: (key: unknown, at: unknown) => [key, at instanceof Date ? at.getTime() : at] },
  ttl: { cmd: 'TTL' },
  pTTL: { cmd: 'PTTL' },
  persist: { cmd: 'PERSIST' },
  type: { cmd: 'TYPE' },
  dump: { cmd: 'DUMP' },
  restore: {
    cmd: 'RESTORE',
    args: (key: unknown, ttl: unknown, value: unknown, options?: unknown) => {
      noOptions('restore', options);
      return [key, ttl, value];
    },
    reply: text,
  },
  scan: { cmd: 'SCAN', args: (cursor: unknown, options?: unknown) => scanArgs('scan', [], cursor, options, true), reply: scanReply },
  // hashes
  hSet: {
    cmd: 'HSET',
    args: (...a: unknown[]) => concat([a[0]], pairs('hSet', a[1], a[2], a.length >= 3 && (typeof a[1] !== 'object' || Buffer.isBuffer(a[1])))),
  },
  hGet: { cmd: 'HGET' },
  hGetAll: { cmd: 'HGETALL', reply: tuples },
  hmGet: { cmd: 'HMGET', args: k1('hmGet fields') },
  hDel: { cmd: 'HDEL', args: k1('hDel fields') },
  hExists: { cmd: 'HEXISTS' },
  hIncrBy: { cmd: 'HINCRBY' },
  hKeys: { cmd: 'HKEYS' },
  hVals: { cmd: 'HVALS' },
  hLen: { cmd: 'HLEN' },
  hScan: { cmd: 'HSCAN', args: (key: unknown, cursor: unknown, options?: unknown) => scanArgs('hScan', [key], cursor, options, false), reply: hScanReply },
  // lists
  lPush: { cmd: 'LPUSH', args: k1('lPush elements') },
  rPush: { cmd: 'RPUSH', args: k1('rPush elements') },
  lPop: { cmd: 'LPOP' },
  rPop: { cmd: 'RPOP' },
  lRange: { cmd: 'LRANGE' },
  lIndex: { cmd: 'LINDEX' },
  lLen: { cmd: 'LLEN' },
  lSet: { cmd: 'LSET', reply: text },
  lTrim: { cmd: 'LTRIM', reply: text },
  rPopLPush: { cmd: 'RPOPLPUSH' },
  brPopLPush: { cmd: 'BRPOPLPUSH' },
  blPop: { cmd: 'BLPOP', args: (keys: unknown, timeout: unknown) => list('blPop keys', keys).concat([timeout]), reply: popReply },
  brPop: { cmd: 'BRPOP', args: (keys: unknown, timeout: unknown) => list('brPop keys', keys).concat([timeout]), reply: popReply },
  // sets
  sAdd: { cmd: 'SADD', args: k1('sAdd members') },
  sRem: { cmd: 'SREM', args: k1('sRem members') },
  sCard: { cmd: 'SCARD' },
  sMembers: { cmd: 'SMEMBERS' },
  sIsMember: { cmd: 'SISMEMBER' },
  sDiff: { cmd: 'SDIFF', args: (keys: unknown) => list('sDiff keys', keys) },
  sInter: { cmd: 'SINTER', args: (keys: unknown) => list('sInter keys', keys) },
  sUnion: { cmd: 'SUNION', args: (keys: unknown) => list('sUnion keys', keys) },
  sDiffStore: { cmd: 'SDIFFSTORE', args: k1('sDiffStore keys') },
  sInterStore: { cmd: 'SINTERSTORE', args: k1('sInterStore keys') },
  sUnionStore: { cmd: 'SUNIONSTORE', args: k1('sUnionStore keys') },
  sScan: { cmd: 'SSCAN', args: (key: unknown, cursor: unknown, options?: unknown) => scanArgs('sScan', [key], cursor, options, false), reply: sScanReply },
  // sorted sets (int64 scores)
  zAdd: {
    cmd: 'ZADD',
    args: (key: unknown, members: unknown, options?: unknown) => {
      noOptions('zAdd', options);
      return concat([key], zMembers('zAdd', members));
    },
  },
  zCard: { cmd: 'ZCARD' },
  zCount: { cmd: 'ZCOUNT', args: (key: unknown, min: unknown, max: unknown) => [key, bound(min), bound(max)] },
  zIncrBy: { cmd: 'ZINCRBY', args: (key: unknown, by: unknown, member: unknown) => [key, score('zIncrBy', by), member], reply: toNumber },
  zScore: { cmd: 'ZSCORE', reply: toNumber },
  zRank: { cmd: 'ZRANK' },
  zRevRank: { cmd: 'ZREVRANK' },
  zRem: { cmd: 'ZREM', args: k1('zRem members') },
  zRange: { cmd: 'ZRANGE', args: zRangeArgs(false) },
  zRangeWithScores: { cmd: 'ZRANGE', args: zRangeArgs(true), reply: withScores },
  zRangeByScore: {
    cmd: 'ZRANGEBYSCORE',
    args: (key: unknown, min: unknown, max: unknown, options?: unknown) => limit('zRangeByScore', noOptions('zRangeByScore', options, ['LIMIT']), [key, bound(min), bound(max)]),
  },
  zRangeByScoreWithScores: {
    cmd: 'ZRANGEBYSCORE',
    args: (key: unknown, min: unknown, max: unknown, options?: unknown) =>
      limit('zRangeByScoreWithScores', noOptions('zRangeByScoreWithScores', options, ['LIMIT']), [key, bound(min), bound(max), 'WITHSCORES']),
    reply: withScores,
  },
  zRangeByLex: {
    cmd: 'ZRANGEBYLEX',
    args: (key: unknown, min: unknown, max: unknown, options?: unknown) => limit('zRangeByLex', noOptions('zRangeByLex', options, ['LIMIT']), [key, min, max]),
  },
  zLexCount: { cmd: 'ZLEXCOUNT' },
  zRemRangeByRank: { cmd: 'ZREMRANGEBYRANK' },
  zRemRangeByScore: { cmd: 'ZREMRANGEBYSCORE', args: (key: unknown, min: unknown, max: unknown) => [key, bound(min), bound(max)] },
  zRemRangeByLex: { cmd: 'ZREMRANGEBYLEX' },
  zInterStore: { cmd: 'ZINTERSTORE', args: (dest: unknown, keys: unknown, options?: unknown) => storeArgs('zInterStore', dest, keys, options) },
  zUnionStore: { cmd: 'ZUNIONSTORE', args: (dest: unknown, keys: unknown, options?: unknown) => storeArgs('zUnionStore', dest, keys, options) },
  zScan: { cmd: 'ZSCAN', args: (key: unknown, cursor: unknown, options?: unknown) => scanArgs('zScan', [key], cursor, options, false), reply: zScanReply },
  // scripting
  eval: { cmd: 'EVAL', args: (script: unknown, options?: unknown) => evalArgs('eval', script, options) },
  evalSha: { cmd: 'EVALSHA', args: (sha: unknown, options?: unknown) => evalArgs('evalSha', sha, options) },
  scriptLoad: { cmd: 'SCRIPT', args: (script: unknown) => ['LOAD', script], reply: text },
  scriptExists: { cmd: 'SCRIPT', args: (shas: unknown) => concat(['EXISTS'], list('scriptExists', shas)) },
  scriptFlush: {
    cmd: 'SCRIPT',
    args: (mode?: unknown) => {
      if (mode !== undefined) throw new DataError('scriptFlush: LedisDB has no ASYNC/SYNC mode');
      return ['FLUSH'];
    },
    reply: text,
  },
  // server
  ping: { cmd: 'PING', args: (message?: unknown) => (message === undefined ? [] : [message]), reply: text },
  echo: { cmd: 'ECHO' },
  info: { cmd: 'INFO', args: (section?: unknown) => (section === undefined ? [] : [section]), reply: text },
  time: { cmd: 'TIME' },
  flushDb: {
    cmd: 'FLUSHDB',
    args: (mode?: unknown) => {
      if (mode !== undefined) throw new DataError('flushDb: LedisDB has no ASYNC/SYNC mode');
      return [];
    },
    reply: text,
  },
  flushAll: {
    cmd: 'FLUSHALL',
    args: (mode?: unknown) => {
      if (mode !== undefined) throw new DataError('flushAll: LedisDB has no ASYNC/SYNC mode');
      return [];
    },
    reply: text,
  },
  configGet: { cmd: 'CONFIG', args: (parameter: unknown) => ['GET', parameter], reply: tuples },
  configRewrite: { cmd: 'CONFIG', args: () => ['REWRITE'], reply: text },
  role: { cmd: 'ROLE' },
};

/**
 * node-redis methods for Redis commands LedisDB does not have: each is sent
 * to the translation table, which refuses it with a DataError naming the
 * command and LedisDB's nearest way, before anything is sent (the message
 * is the table's, one place for both faces).
 */
export const REFUSED: Readonly<Record<string, string>> = {
  publish: 'PUBLISH',
  subscribe: 'SUBSCRIBE',
  pSubscribe: 'PSUBSCRIBE',
  sSubscribe: 'SSUBSCRIBE',
  unsubscribe: 'UNSUBSCRIBE',
  pUnsubscribe: 'PUNSUBSCRIBE',
  sUnsubscribe: 'SUNSUBSCRIBE',
  sPublish: 'SPUBLISH',
  watch: 'WATCH',
  unwatch: 'UNWATCH',
  xAdd: 'XADD',
  xRead: 'XREAD',
  xReadGroup: 'XREADGROUP',
  xRange: 'XRANGE',
  xLen: 'XLEN',
  keys: 'KEYS',
  dbSize: 'DBSIZE',
  randomKey: 'RANDOMKEY',
  rename: 'RENAME',
  renameNX: 'RENAMENX',
  copy: 'COPY',
  move: 'MOVE',
  getDel: 'GETDEL',
  getEx: 'GETEX',
  mSetNX: 'MSETNX',
  incrByFloat: 'INCRBYFLOAT',
  hIncrByFloat: 'HINCRBYFLOAT',
  hSetNX: 'HSETNX',
  hStrLen: 'HSTRLEN',
  hRandField: 'HRANDFIELD',
  sPop: 'SPOP',
  sRandMember: 'SRANDMEMBER',
  sMove: 'SMOVE',
  smIsMember: 'SMISMEMBER',
  sInterCard: 'SINTERCARD',
  lRem: 'LREM',
  lInsert: 'LINSERT',
  lPos: 'LPOS',
  lMove: 'LMOVE',
  blMove: 'BLMOVE',
  lPushX: 'LPUSHX',
  rPushX: 'RPUSHX',
  zPopMin: 'ZPOPMIN',
  zPopMax: 'ZPOPMAX',
  bzPopMin: 'BZPOPMIN',
  bzPopMax: 'BZPOPMAX',
  zmScore: 'ZMSCORE',
  zRandMember: 'ZRANDMEMBER',
  pfAdd: 'PFADD',
  pfCount: 'PFCOUNT',
  pfMerge: 'PFMERGE',
  geoAdd: 'GEOADD',
  touch: 'TOUCH',
  sort: 'SORT',
  wait: 'WAIT',
  swapDb: 'SWAPDB',
  fCall: 'FCALL',
  functionLoad: 'FUNCTION',
  clientSetName: 'CLIENT',
  clientGetName: 'CLIENT',
  clientId: 'CLIENT',
  monitor: 'MONITOR',
};
