// Redis idioms on LedisDB: the one translation table both compat faces
// (ledis/ioredis, ledis/node-redis) send every command through.
//
// A Redis command is, in order:
// - rewritten into LedisDB commands whose combined effect and reply are
//   Redis's (a Plan: the commands, sent together on the lane of their key,
//   and how their replies make the Redis reply), where LedisDB's source says
//   they do and a test compares both against the real server
//   (test/integration/translate.test.ts);
// - approximated, where LedisDB can only come close (millisecond TTLs, a few
//   conditional writes): conservative (a key never lives shorter than asked,
//   see `seconds`), listed in docs/redis-libraries.md, and refused with a
//   DataError under `{ strict: true }`;
// - refused, where nothing fits: a DataError naming the command and LedisDB's
//   nearest way, thrown before a byte is sent (never the server's "invalid
//   command param" or "command not found");
// - or sent as it is (null): a command LedisDB has with Redis's meaning.
//
// Facts from LedisDB's source (github.com/ledisdb/ledisdb d35789e, the pinned
// server; paths relative to that module), each checked against the server:
// - One keyspace per type (ledis/const.go KVType, HashType ...): DEL, EXISTS,
//   EXPIRE, TTL, PERSIST touch KV keys only; HCLEAR/HKEYEXISTS/HEXPIRE/HTTL/
//   HPERSIST and their L, S, Z twins the others. Redis's have one keyspace,
//   so these are sent for all five types.
// - SET keeps a key's TTL (ledis/t_kv.go DB.Set only Puts the value; Redis's
//   SET discards it; only DEL and PERSIST remove a KV expiry), so SET, MSET and
//   GETSET are preceded by PERSIST, sent together: PERSIST first, because the
//   TTL checker (t_ttl.go) deletes a key whose old expiry falls due, and
//   between a SET and a later PERSIST it would delete the NEW value. No single
//   LedisDB command writes a value and drops the TTL (SETEX needs a TTL > 0,
//   DEL+SET shows a missing key between): the pair is the exact equivalent.
//   SET KEEPTTL is LedisDB's own SET.
// - SETEX writes the value and the expiry in one batch under the KV lock
//   (t_kv.go DB.SetEX): `SET k v EX s` is SETEX, exactly.
// - SETNX checks and writes under the same lock (t_kv.go DB.SetNX): `SET k v NX`
//   is SETNX, exactly. No command sets a value only-if-absent WITH a TTL, and a
//   Lua script is no transaction: server/cmd_script.go evalGenericCommand holds
//   only the script mutex (script.go `script.Lock`), which other scripts take
//   and plain commands never do; each ledis.call takes and drops its type's
//   batch lock (c.perform). So `SET k v NX EX s` is approximated by a script
//   (SETNX, then EXPIRE if it set): serialized with every other script, not
//   with plain commands from other connections.
// - Expiry: TTLs are whole seconds counted from the start of the current
//   second (t_kv.go DB.Expire: time.Now().Unix()+duration), removed by a
//   checker that runs every ttl_check_interval seconds (default 1;
//   ledis/ledis.go, t_ttl.go ttlChecker.check) and only once the clock's whole
//   second has reached the expiry. A key set to live s seconds is removed
//   after between s-1 and s+1 seconds.
// - TTL answers -1 for a missing key (t_ttl.go DB.ttl); Redis says -2.
// - DEL answers the number of keys named, existing or not (t_kv.go DB.Del).
// - STRLEN's handler crashes on a missing key (t_kv.go DB.StrLen): it is
//   read with GET.
// - GETRANGE answers nil for a missing key (Redis: "").
// - PING ignores its argument (server/cmd_server.go pingCommand): PING msg is ECHO msg.
// - XSCAN takes a Go regexp (ledis/scan.go buildMatchRegexp, unanchored) and a
//   cursor that is the last key returned (server/cmd_scan.go): a Redis glob
//   becomes an anchored regexp, and the cursor a token (`encodeCursor`).
// - Lua: gopher-lua with `redis`/`ledis` globals that run LedisDB's own
//   command handlers (server/script.go luaCallGenericCommand): a script calling
//   a Redis-only command (PTTL) or SET with options fails inside the server.
//   Scripts are read here first (`lintScript`) and refused before sending.
import { DataError, UnexpectedReplyError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';

export interface TranslateOptions {
  /** Refuse approximations (millisecond TTLs, conditional writes with a TTL) instead of sending them. */
  readonly strict?: boolean;
  /**
   * Scripts run wrapped, their `redis.call` through the shim of
   * src/commands/script-stash.ts (SET's options, PTTL, PEXPIRE, PEXPIREAT,
   * PSETEX, UNLINK, TYPE): the lint lets those through.
   */
  readonly redisCalls?: boolean;
}

/** One LedisDB command of a plan. `buffers`: its reply is wanted as Buffers whatever the client's mode. */
export interface WireCommand {
  readonly name: string;
  readonly args: unknown[];
  readonly buffers?: boolean;
}

/**
 * How a Redis command runs on LedisDB: `commands`, sent together, in order, on
 * the connection of their first key; `reply` turns their replies (one per
 * command, in order) into the Redis command's reply, `strings` saying whether
 * the caller reads text (true) or Buffers. Without `reply`: the only
 * command's reply as it is. If any command fails, the plan fails with that
 * command's error.
 */
export interface Plan {
  readonly commands: readonly WireCommand[];
  readonly reply?: (replies: readonly Reply[], strings: boolean) => unknown;
}

type Rule = (args: readonly unknown[], options: TranslateOptions, name: string) => Plan | null;

/**
 * The plan for the Redis command `name` (upper case) with `args`, or null to
 * send it as it is. Throws DataError where LedisDB has nothing that fits (or,
 * under `strict`, only an approximation).
 */
export function translate(name: string, args: readonly unknown[], options: TranslateOptions = {}): Plan | null {
  const rule = RULES.get(name);
  if (rule !== undefined) return rule(args, options, name);
  if (LEDIS_COMMANDS.has(name)) return null;
  throw refusal(name);
}

/**
 * Every Redis command name the table knows (upper case): LedisDB's own, the
 * rewritten ones and the refused ones with a nearest way. The faces make a
 * method of each.
 */
export function knownCommands(): string[] {
  return [...new Set([...LEDIS_COMMANDS, ...RULES.keys(), ...Object.keys(NEAREST)])];
}

/** True when `name` (upper case) is sent as it is, whatever its arguments (no rule, a LedisDB command). */
export function sentAsIs(name: string): boolean {
  return !RULES.has(name) && LEDIS_COMMANDS.has(name);
}

/**
 * Every command the pinned LedisDB registers (server/cmd_*.go `register`),
 * upper case, plus QUIT, which its connection loop answers itself.
 */
export const LEDIS_COMMANDS: ReadonlySet<string> = new Set(
  (
    'APPEND AUTH BITCOUNT BITOP BITPOS BLPOP BRPOP BRPOPLPUSH CONFIG DECR DECRBY DEL DUMP ECHO EVAL EVALSHA EXISTS EXPIRE ' +
    'EXPIREAT FLUSHALL FLUSHDB FULLSYNC GET GETBIT GETRANGE GETSET HCLEAR HDEL HDUMP HEXISTS HEXPIRE HEXPIREAT HGET HGETALL ' +
    'HINCRBY HKEYEXISTS HKEYS HLEN HMCLEAR HMGET HMSET HPERSIST HSCAN HSET HTTL HVALS INCR INCRBY INFO LCLEAR LDUMP LEXPIRE ' +
    'LEXPIREAT LINDEX LKEYEXISTS LLEN LMCLEAR LPERSIST LPOP LPUSH LRANGE LSET LTRIM LTRIM_BACK LTRIM_FRONT LTTL MGET MSET ' +
    'PERSIST PING REPLCONF RESTORE ROLE RPOP RPOPLPUSH RPUSH SADD SCARD SCLEAR SCRIPT SDIFF SDIFFSTORE SDUMP SELECT SET ' +
    'SETBIT SETEX SETNX SETRANGE SEXPIRE SEXPIREAT SINTER SINTERSTORE SISMEMBER SKEYEXISTS SLAVEOF SMCLEAR SMEMBERS ' +
    'SPERSIST SREM SSCAN STRLEN STTL SUNION SUNIONSTORE SYNC TIME TTL XDUMP XHSCAN XLSORT XMIGRATE XMIGRATEDB XRESTORE ' +
    'XSCAN XSSCAN XSSORT XZSCAN XZSORT ZADD ZCARD ZCLEAR ZCOUNT ZDUMP ZEXPIRE ZEXPIREAT ZINCRBY ZINTERSTORE ZKEYEXISTS ' +
    'ZLEXCOUNT ZMCLEAR ZPERSIST ZRANGE ZRANGEBYLEX ZRANGEBYSCORE ZRANK ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK ' +
    'ZREMRANGEBYSCORE ZREVRANGE ZREVRANGEBYSCORE ZREVRANK ZSCAN ZSCORE ZTTL ZUNIONSTORE QUIT'
  ).split(' '),
);

// ---------------------------------------------------------------- refusals

const NO_TRANSACTIONS =
  'LedisDB has no transactions (MULTI/EXEC/WATCH); nearest: a pipeline (one batch, in order, not atomic), or one Lua script (EVAL: serialized with other scripts only)';
const NO_PUBSUB = 'LedisDB has no pub/sub; nearest: a list as a queue (RPUSH, and BLPOP on a connection of its own)';
const NO_STREAMS = 'LedisDB has no streams; nearest: a list (RPUSH/LRANGE) or a zset keyed by time';

/** Redis commands LedisDB lacks, with LedisDB's nearest way; any other unknown name gets a generic refusal. */
const NEAREST: Readonly<Record<string, string>> = {
  MULTI: NO_TRANSACTIONS,
  EXEC: NO_TRANSACTIONS,
  DISCARD: NO_TRANSACTIONS,
  WATCH: NO_TRANSACTIONS,
  UNWATCH: NO_TRANSACTIONS,
  SUBSCRIBE: NO_PUBSUB,
  PSUBSCRIBE: NO_PUBSUB,
  SSUBSCRIBE: NO_PUBSUB,
  UNSUBSCRIBE: NO_PUBSUB,
  PUNSUBSCRIBE: NO_PUBSUB,
  PUBLISH: NO_PUBSUB,
  SPUBLISH: NO_PUBSUB,
  PUBSUB: NO_PUBSUB,
  XADD: NO_STREAMS,
  XREAD: NO_STREAMS,
  XREADGROUP: NO_STREAMS,
  XRANGE: NO_STREAMS,
  XREVRANGE: NO_STREAMS,
  XLEN: NO_STREAMS,
  XACK: NO_STREAMS,
  XGROUP: NO_STREAMS,
  XDEL: NO_STREAMS,
  XTRIM: NO_STREAMS,
  XINFO: NO_STREAMS,
  XCLAIM: NO_STREAMS,
  XAUTOCLAIM: NO_STREAMS,
  XPENDING: NO_STREAMS,
  KEYS: 'LedisDB has no KEYS; nearest: SCAN with MATCH (scanStream / scanIterator), sent as XSCAN',
  DBSIZE: 'LedisDB has no DBSIZE; nearest: count the keys of a SCAN (XSCAN per type)',
  RANDOMKEY: 'LedisDB has no RANDOMKEY; nearest: the first key of a SCAN',
  RENAME: 'LedisDB has no RENAME; nearest: DUMP then RESTORE under the new name, then DEL (not atomic)',
  RENAMENX: 'LedisDB has no RENAMENX; nearest: DUMP then RESTORE under the new name, then DEL (not atomic)',
  COPY: 'LedisDB has no COPY; nearest: DUMP then RESTORE under the new name',
  MOVE: 'LedisDB has no MOVE; nearest: XMIGRATEDB, or DUMP and RESTORE on a client of the other db',
  GETDEL: 'LedisDB has no atomic get-and-delete; nearest: GET then DEL (not atomic)',
  GETEX: 'LedisDB has no GETEX; nearest: GET then EXPIRE (not atomic)',
  MSETNX: 'LedisDB has no MSETNX; nearest: SETNX per key (not all-or-nothing)',
  INCRBYFLOAT: 'LedisDB counters are int64; nearest: INCRBY with an integer',
  HINCRBYFLOAT: 'LedisDB counters are int64; nearest: HINCRBY with an integer',
  HSETNX: 'LedisDB has no HSETNX; nearest: HEXISTS then HSET (not atomic), or a Lua script (serialized with other scripts only)',
  HSTRLEN: 'LedisDB has no HSTRLEN; nearest: the length of HGET',
  HRANDFIELD: 'LedisDB has no HRANDFIELD; nearest: HKEYS',
  SPOP: 'LedisDB has no SPOP; nearest: SMEMBERS then SREM (not atomic)',
  SRANDMEMBER: 'LedisDB has no SRANDMEMBER; nearest: SMEMBERS, or SSCAN',
  SMOVE: 'LedisDB has no SMOVE; nearest: SREM then SADD (not atomic)',
  SMISMEMBER: 'LedisDB has no SMISMEMBER; nearest: SISMEMBER per member (one pipeline)',
  SINTERCARD: 'LedisDB has no SINTERCARD; nearest: SINTER and its length',
  LREM: 'LedisDB has no LREM; nearest: LRANGE, then rewrite the list',
  LINSERT: 'LedisDB has no LINSERT; nearest: LRANGE, then rewrite the list',
  LPOS: 'LedisDB has no LPOS; nearest: LRANGE and a search',
  LMOVE: 'LedisDB has no LMOVE; nearest: RPOPLPUSH (right to left only)',
  BLMOVE: 'LedisDB has no BLMOVE; nearest: BRPOPLPUSH (right to left only)',
  LPUSHX: 'LedisDB has no LPUSHX; nearest: LLEN then LPUSH (not atomic)',
  RPUSHX: 'LedisDB has no RPUSHX; nearest: LLEN then RPUSH (not atomic)',
  ZPOPMIN: 'LedisDB has no ZPOPMIN; nearest: ZRANGE 0 0 then ZREM (not atomic)',
  ZPOPMAX: 'LedisDB has no ZPOPMAX; nearest: ZREVRANGE 0 0 then ZREM (not atomic)',
  BZPOPMIN: 'LedisDB has no BZPOPMIN; nearest: ZRANGE 0 0 then ZREM (not atomic), polled',
  BZPOPMAX: 'LedisDB has no BZPOPMAX; nearest: ZREVRANGE 0 0 then ZREM (not atomic), polled',
  ZMSCORE: 'LedisDB has no ZMSCORE; nearest: ZSCORE per member (one pipeline)',
  ZRANDMEMBER: 'LedisDB has no ZRANDMEMBER; nearest: ZRANGE',
  ZREVRANGEBYLEX: 'LedisDB has no ZREVRANGEBYLEX; nearest: ZRANGEBYLEX, reversed by the caller',
  PFADD: 'LedisDB has no HyperLogLog; nearest: a set (SADD/SCARD), exact and larger',
  PFCOUNT: 'LedisDB has no HyperLogLog; nearest: a set (SADD/SCARD), exact and larger',
  PFMERGE: 'LedisDB has no HyperLogLog; nearest: SUNIONSTORE',
  GEOADD: 'LedisDB has no geo commands; nearest: a zset with your own geohash scores',
  OBJECT: 'LedisDB has no OBJECT',
  MEMORY: 'LedisDB has no MEMORY',
  CLIENT: 'LedisDB has no CLIENT command: connection names (connectionName) and CLIENT SETNAME/ID/KILL are not available',
  HELLO: 'LedisDB speaks RESP2 only',
  FUNCTION: 'LedisDB has no functions; nearest: EVAL/EVALSHA',
  FCALL: 'LedisDB has no functions; nearest: EVAL/EVALSHA',
  WAIT: 'LedisDB has no WAIT; replication is asynchronous (ROLE shows the replicas)',
  SWAPDB: 'LedisDB has no SWAPDB',
  SORT: 'LedisDB sorts with XLSORT / XSSORT / XZSORT (one per type)',
  TOUCH: 'LedisDB has no TOUCH; nearest: EXISTS',
};

/** The DataError for a Redis command LedisDB cannot serve. */
export function refusal(name: string, why?: string): DataError {
  const nearest = why ?? NEAREST[name] ?? `LedisDB has no ${name} command (its commands: doc/commands.md in the LedisDB repository)`;
  return new DataError(nearest, name);
}

function approximation(name: string, options: TranslateOptions, what: string): void {
  if (options.strict === true) throw new DataError(`${what}: LedisDB can only approximate it, and the client is strict`, name);
}

// ---------------------------------------------------------------- argument helpers

function word(v: unknown): string {
  if (typeof v === 'string') return v.toUpperCase();
  if (Buffer.isBuffer(v) && v.length < 16) return v.toString('latin1').toUpperCase();
  return '';
}

/** An integer argument (a number, bigint or decimal string); DataError otherwise. */
function integer(name: string, label: string, v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : Buffer.isBuffer(v) && /^-?\d+$/.test(v.toString('latin1')) ? Number(v.toString('latin1')) : NaN;
  if (!Number.isSafeInteger(n)) throw new DataError(`${label} must be an integer, got ${describe(v)}`, name);
  return n;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (Buffer.isBuffer(v)) return `a Buffer of ${v.length} bytes`;
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
}

function positive(name: string, label: string, v: unknown): number {
  const n = integer(name, label, v);
  if (n <= 0) throw new DataError(`invalid expire time in '${name.toLowerCase()}' command: ${label} must be positive, got ${n}`, name);
  return n;
}

/**
 * Whole seconds for a TTL of `ms` milliseconds that never ends before `ms`:
 * rounded up, plus one for the second LedisDB's clock truncates (an expiry
 * of s seconds set at 10.9 s is due at 10 + s, see the header).
 */
export function secondsFor(ms: number): number {
  return Math.ceil(ms / 1000) + 1;
}

function arity(name: string, args: readonly unknown[], min: number, max = Infinity): void {
  if (args.length < min || args.length > max) throw new DataError(`wrong number of arguments for '${name.toLowerCase()}' command`, name);
}

const keyText = (k: unknown): string => (Buffer.isBuffer(k) ? k.toString('latin1') : String(k));

/** `keys` without repeats (by bytes), in first-seen order. */
function distinct(keys: readonly unknown[]): unknown[] {
  if (keys.length < 2) return keys.slice();
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const k of keys) {
    const id = Buffer.isBuffer(k) ? 'b' + k.toString('latin1') : 's' + Buffer.from(String(k)).toString('latin1');
    if (!seen.has(id)) {
      seen.add(id);
      out.push(k);
    }
  }
  return out;
}

const one = (name: string, args: unknown[], reply?: Plan['reply']): Plan => (reply === undefined ? { commands: [{ name, args }] } : { commands: [{ name, args }], reply });
const last = (r: readonly Reply[]): Reply => r[r.length - 1] as Reply;

// A rewritten command's reply is read only once its shape is checked: a server
// (or a peer posing as one) answering nil, a string or an array where LedisDB
// answers an integer fails that caller with an UnexpectedReplyError, instead of
// a Redis-shaped answer computed from garbage (Number(null) === 0).
function shapeOf(x: unknown): string {
  if (x === null || x === undefined) return 'nil';
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (typeof x === 'string' || Buffer.isBuffer(x)) return 'a string';
  if (x instanceof Error) return 'an error';
  return `${typeof x} ${String(x)}`;
}

/** Reply `x` of a LedisDB command that answers an integer (EXISTS, TTL, DEL ...). */
function int(x: unknown, command?: string): number {
  if (typeof x === 'number' && Number.isSafeInteger(x)) return x;
  throw new UnexpectedReplyError(`expected an integer reply, got ${shapeOf(x)}`, command);
}

/** Reply `x` of a LedisDB command that answers 0 or 1 (EXISTS, HEXISTS, SETNX ...). */
function flag(x: unknown, command?: string): boolean {
  const n = int(x, command);
  if (n !== 0 && n !== 1) throw new UnexpectedReplyError(`expected 0 or 1, got ${n}`, command);
  return n === 1;
}

const sum = (r: readonly Reply[]): number => r.reduce<number>((n, x) => n + int(x), 0);
const max = (r: readonly Reply[]): number => r.reduce<number>((n, x) => Math.max(n, int(x)), 0);

// ---------------------------------------------------------------- the five keyspaces

/** LedisDB's types, in the order a key is looked for; Redis's TYPE names. */
const TYPES = [
  { ledis: 'KV', redis: 'string', exists: 'EXISTS', expire: 'EXPIRE', expireat: 'EXPIREAT', ttl: 'TTL', persist: 'PERSIST', clear: 'DEL' },
  { ledis: 'HASH', redis: 'hash', exists: 'HKEYEXISTS', expire: 'HEXPIRE', expireat: 'HEXPIREAT', ttl: 'HTTL', persist: 'HPERSIST', clear: 'HMCLEAR' },
  { ledis: 'LIST', redis: 'list', exists: 'LKEYEXISTS', expire: 'LEXPIRE', expireat: 'LEXPIREAT', ttl: 'LTTL', persist: 'LPERSIST', clear: 'LMCLEAR' },
  { ledis: 'SET', redis: 'set', exists: 'SKEYEXISTS', expire: 'SEXPIRE', expireat: 'SEXPIREAT', ttl: 'STTL', persist: 'SPERSIST', clear: 'SMCLEAR' },
  { ledis: 'ZSET', redis: 'zset', exists: 'ZKEYEXISTS', expire: 'ZEXPIRE', expireat: 'ZEXPIREAT', ttl: 'ZTTL', persist: 'ZPERSIST', clear: 'ZMCLEAR' },
] as const;

type TypeCommand = 'exists' | 'expire' | 'expireat' | 'ttl' | 'persist';

/** One command per type on `key` (with `rest` after the key). */
function perType(command: TypeCommand, key: unknown, rest: unknown[] = []): WireCommand[] {
  return TYPES.map((t) => ({ name: t[command], args: [key, ...rest] }));
}

/** Keys that exist in any type: 5 existence checks per key, in order. */
function existsPlan(keys: readonly unknown[], then: WireCommand[] = []): { commands: WireCommand[]; count: (r: readonly Reply[]) => number } {
  const commands: WireCommand[] = [];
  for (const k of keys) commands.push(...perType('exists', k));
  commands.push(...then);
  return {
    commands,
    count: (r) => {
      let n = 0;
      for (let i = 0; i < keys.length; i++) {
        // Every part is read (its shape checked), not only up to the first 1.
        let found = false;
        for (let t = 0; t < TYPES.length; t++) {
          if (flag(r[i * TYPES.length + t], (TYPES[t] as (typeof TYPES)[number]).exists)) found = true;
        }
        if (found) n++;
      }
      return n;
    },
  };
}

/** TTL in seconds as Redis answers it: -2 missing, -1 no expiry. Replies: 5 TTLs then 5 existence checks. */
function redisTtl(r: readonly Reply[]): number {
  let ttl = -2;
  for (let t = TYPES.length - 1; t >= 0; t--) {
    const type = TYPES[t] as (typeof TYPES)[number];
    const remaining = int(r[t], type.ttl);
    if (flag(r[TYPES.length + t], type.exists)) ttl = remaining;
  }
  return ttl;
}

function ttlPlan(key: unknown, reply: (ttl: number) => number): Plan {
  return { commands: [...perType('ttl', key), ...perType('exists', key)], reply: (r) => reply(redisTtl(r)) };
}

// ---------------------------------------------------------------- SET

/** `SET k v NX EX s` and friends: SETNX, then the expiry if it set (see the header: serialized with scripts only). */
const SETNX_EXPIRE = "if ledis.call('setnx', KEYS[1], ARGV[1]) == 1 then ledis.call('expire', KEYS[1], ARGV[2]) return 1 end return 0";
/** `SET k v XX [EX s]`: SET (and the expiry, or PERSIST) if the key exists. */
const SET_XX = "if ledis.call('exists', KEYS[1]) == 1 then ledis.call('set', KEYS[1], ARGV[1]) if ARGV[2] == '0' then ledis.call('persist', KEYS[1]) else ledis.call('expire', KEYS[1], ARGV[2]) end return 1 end return 0";

const okIfSet = (r: readonly Reply[]): Reply => (flag(r[0]) ? 'OK' : null);

function setRule(args: readonly unknown[], options: TranslateOptions, name: string): Plan {
  arity(name, args, 2);
  const [key, value] = args;
  if (args.length === 2) return { commands: [{ name: 'PERSIST', args: [key] }, { name: 'SET', args: [key, value] }], reply: last };
  let nx = false;
  let xx = false;
  let get = false;
  let keepTtl = false;
  let ttl: { unit: 'EX' | 'PX' | 'EXAT' | 'PXAT'; n: number } | null = null;
  for (let i = 2; i < args.length; i++) {
    const w = word(args[i]);
    if (w === 'NX' && !xx) nx = true;
    else if (w === 'XX' && !nx) xx = true;
    else if (w === 'GET') get = true;
    else if (w === 'KEEPTTL' && ttl === null) keepTtl = true;
    else if ((w === 'EX' || w === 'PX' || w === 'EXAT' || w === 'PXAT') && ttl === null && !keepTtl && i + 1 < args.length) {
      ttl = { unit: w, n: positive(name, w, args[++i]) };
    } else throw new DataError(`syntax error in SET at ${describe(args[i])}: options are NX | XX, GET, EX s | PX ms | EXAT t | PXAT t | KEEPTTL`, name);
  }
  if (ttl !== null && (ttl.unit === 'EXAT' || ttl.unit === 'PXAT')) {
    throw refusal(name, `LedisDB cannot set a value and an absolute expiry together (SET ${ttl.unit}); nearest: SETEX with a duration`);
  }
  let seconds = 0;
  if (ttl !== null) {
    if (ttl.unit === 'PX') {
      approximation(name, options, 'PX (a TTL in milliseconds)');
      seconds = secondsFor(ttl.n);
    } else seconds = ttl.n;
  }
  if (get) {
    if (nx || xx || ttl !== null) throw refusal(name, 'LedisDB has no atomic SET ... GET with NX, XX or a TTL; nearest: GETSET (then EXPIRE, not atomic)');
    // GETSET keeps the TTL as SET does (t_kv.go DB.GetSet only Puts); Redis's discards it.
    if (keepTtl) return one('GETSET', [key, value]);
    return { commands: [{ name: 'PERSIST', args: [key] }, { name: 'GETSET', args: [key, value] }], reply: last };
  }
  if (nx) {
    if (ttl === null) return one('SETNX', [key, value], okIfSet);
    approximation(name, options, 'NX with a TTL (not atomic on LedisDB)');
    return one('EVAL', [SETNX_EXPIRE, 1, key, value, seconds], okIfSet);
  }
  if (xx) {
    if (keepTtl) throw refusal(name, 'LedisDB has no SET XX KEEPTTL; nearest: EXISTS then SET (not atomic)');
    approximation(name, options, 'XX (not atomic on LedisDB)');
    return one('EVAL', [SET_XX, 1, key, value, seconds], okIfSet);
  }
  if (ttl !== null) return one('SETEX', [key, seconds, value]);
  // KEEPTTL: LedisDB's SET keeps the TTL.
  return one('SET', [key, value]);
}

// ---------------------------------------------------------------- SCAN

/**
 * Whether `subject` matches the Redis glob `pattern`, byte by byte, as Redis's
 * stringmatchlen (util.c) does: `*` any bytes, `?` one byte, `[...]` one byte
 * of a class (`^` negates, `a-z` ranges either way round, `\\` escapes, an
 * unclosed class ends with the pattern), `\\x` the byte x. SCAN's MATCH is
 * decided here: LedisDB's XSCAN takes a Go regexp, which matches UTF-8 runes
 * (so `?` would match a 2-byte character), and only narrows the scan
 * (`prefixRegexp`). At worst pattern x subject steps (a `*` backtracks to
 * the last one only; Redis's recursion can take exponential time).
 */
export function globMatch(pattern: Buffer, subject: Buffer): boolean {
  const tokens = globTokens(pattern);
  // Two pointers, backtracking only to the last `*`: O(pattern x subject) at worst, never exponential.
  let t = 0;
  let i = 0;
  let star = -1;
  let resume = 0;
  while (i < subject.length) {
    const token = tokens[t];
    if (token === STAR) {
      star = t++;
      resume = i;
    } else if (token !== undefined && token(subject[i] as number)) {
      t++;
      i++;
    } else if (star >= 0) {
      t = star + 1;
      i = ++resume;
    } else return false;
  }
  while (tokens[t] === STAR) t++;
  return t === tokens.length;
}

const STAR = 'star';
type GlobToken = typeof STAR | ((byte: number) => boolean);

/** A glob's tokens: `*`, or a test of one byte (`?`, a class, a literal), parsed as stringmatchlen reads them. */
function globTokens(p: Buffer): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let pi = 0; pi < p.length; pi++) {
    const c = p[pi] as number;
    if (c === 0x2a /* * */) {
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    } else if (c === 0x3f /* ? */) tokens.push(() => true);
    else if (c === 0x5b /* [ */) {
      pi++;
      const not = p[pi] === 0x5e; /* ^ */
      if (not) pi++;
      const ranges: number[] = [];
      for (;;) {
        if (pi >= p.length) {
          pi = p.length - 1; // an unclosed class ends with the pattern
          break;
        }
        const x = p[pi] as number;
        if (x === 0x5c /* \ */ && pi + 1 < p.length) {
          pi++;
          ranges.push(p[pi] as number, p[pi] as number);
        } else if (x === 0x5d /* ] */) break;
        else if (pi + 2 < p.length && p[pi + 1] === 0x2d /* - */) {
          const y = p[pi + 2] as number;
          ranges.push(Math.min(x, y), Math.max(x, y));
          pi += 2;
        } else ranges.push(x, x);
        pi++;
      }
      tokens.push((b) => {
        let match = false;
        for (let r = 0; r < ranges.length; r += 2) if (b >= (ranges[r] as number) && b <= (ranges[r + 1] as number)) match = true;
        return match !== not;
      });
    } else {
      const literal = c === 0x5c /* \ */ && pi + 1 < p.length ? (p[++pi] as number) : c;
      tokens.push((b) => b === literal);
    }
  }
  return tokens;
}

/**
 * The regexp sent as XSCAN's MATCH for a glob: its literal ASCII prefix,
 * anchored (every key the glob matches starts with it), or null when the
 * glob starts with a special character or a non-ASCII byte. The exact
 * match is `globMatch`, on each key of the page.
 */
export function prefixRegexp(pattern: Buffer): string | null {
  let out = '';
  for (const b of pattern) {
    if (b === 0x2a || b === 0x3f || b === 0x5b || b === 0x5c || b < 0x20 || b > 0x7e) break;
    out += literal(String.fromCharCode(b));
  }
  return out === '' ? null : `^${out}`;
}

/** The Go regexp (RE2) matching exactly the keys the Redis glob `pattern` matches (anchored, `.` matching newlines). */
export function globToRegexp(pattern: string): string {
  let out = '^(?s:';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '\\' && i + 1 < pattern.length) out += literal(pattern[++i] as string);
    else if (c === '[') {
      const end = classEnd(pattern, i);
      if (end < 0) {
        out += literal(c);
        continue;
      }
      let body = pattern.slice(i + 1, end);
      let negate = '';
      if (body.startsWith('^') || body.startsWith('!')) {
        negate = '^';
        body = body.slice(1);
      }
      let cls = '';
      for (let j = 0; j < body.length; j++) {
        let ch = body[j] as string;
        if (ch === '\\' && j + 1 < body.length) ch = body[++j] as string;
        if (body[j + 1] === '-' && j + 2 < body.length) {
          let hi = body[j + 2] as string;
          j += 2;
          if (hi === '\\' && j + 1 < body.length) hi = body[++j] as string;
          const [lo, up] = ch <= hi ? [ch, hi] : [hi, ch];
          cls += `${classChar(lo)}-${classChar(up)}`;
        } else cls += classChar(ch);
      }
      out += cls === '' ? (negate === '' ? '[^\\x{0}-\\x{10FFFF}]' : '.') : `[${negate}${cls}]`;
      i = end;
    } else out += literal(c);
  }
  return out + ')$';
}

function classEnd(pattern: string, open: number): number {
  for (let j = open + 1; j < pattern.length; j++) {
    if (pattern[j] === '\\') j++;
    else if (pattern[j] === ']' && j > open + 1) return j;
  }
  return -1;
}

/** A literal character in RE2 syntax (metacharacters escaped; CR/LF written as escapes, see scan.ts). */
function literal(c: string): string {
  if (c === '\r') return '\\r';
  if (c === '\n') return '\\n';
  return /[\\.+*?()|[\]{}^$]/.test(c) ? '\\' + c : c;
}

function classChar(c: string): string {
  if (c === '\r') return '\\r';
  if (c === '\n') return '\\n';
  return /[\\\]^[-]/.test(c) ? '\\' + c : c;
}

/** The largest COUNT sent (LedisDB allocates COUNT entries up front: see scan.ts MAX_COUNT). */
const MAX_COUNT = 1_000_000;

/**
 * A Redis cursor for a LedisDB one. Redis's is opaque and "0" at both ends;
 * LedisDB's is the last key returned (any bytes, "0" included). The token is
 * one letter (the type being scanned, or `c` inside a key) and the key in
 * base64url: never "0".
 */
export function encodeCursor(tag: string, key: Buffer): string {
  return tag + key.toString('base64url');
}

function decodeCursor(name: string, cursor: unknown, tags: string): { tag: string; key: Buffer } | null {
  const text = Buffer.isBuffer(cursor) ? cursor.toString('latin1') : typeof cursor === 'number' || typeof cursor === 'bigint' ? String(cursor) : cursor;
  if (text === '0') return null;
  if (typeof text !== 'string' || text.length === 0 || !tags.includes(text[0] as string) || !/^[A-Za-z0-9_-]*$/.test(text.slice(1))) {
    throw new DataError(`invalid cursor ${describe(cursor)}: pass "0" to start, then the cursor of the previous reply`, name);
  }
  return { tag: text[0] as string, key: Buffer.from(text.slice(1), 'base64url') };
}

interface ScanTail {
  /** The glob's bytes (Redis matches bytes), null for none or `*`. */
  match: Buffer | null;
  count: number | null;
  type: string | null;
  noValues: boolean;
}

function scanTail(name: string, args: readonly unknown[], from: number, allowType: boolean): ScanTail {
  const tail: ScanTail = { match: null, count: null, type: null, noValues: false };
  for (let i = from; i < args.length; i++) {
    const w = word(args[i]);
    if (w === 'MATCH' && i + 1 < args.length) {
      const m = args[++i];
      const glob = Buffer.isBuffer(m) ? m : Buffer.from(String(m));
      tail.match = glob.length === 1 && glob[0] === 0x2a ? null : glob;
    } else if (w === 'COUNT' && i + 1 < args.length) {
      const n = integer(name, 'COUNT', args[++i]);
      if (n < 1) throw new DataError(`COUNT must be positive, got ${n}`, name);
      tail.count = Math.min(n, MAX_COUNT);
    } else if (w === 'TYPE' && allowType && i + 1 < args.length) tail.type = keyText(args[++i]).toLowerCase();
    else if (w === 'NOVALUES' && name === 'HSCAN') tail.noValues = true;
    else throw new DataError(`syntax error in ${name} at ${describe(args[i])}: options are MATCH pattern, COUNT n${allowType ? ', TYPE t' : ''}`, name);
  }
  return tail;
}

function tailArgs(tail: ScanTail): unknown[] {
  const out: unknown[] = [];
  const regexp = tail.match === null ? null : prefixRegexp(tail.match);
  if (regexp !== null) out.push('MATCH', regexp);
  if (tail.count !== null) out.push('COUNT', tail.count);
  return out;
}

const TAGS = 'khlsz';
const TAG_OF_TYPE: Readonly<Record<string, number>> = { k: 0, h: 1, l: 2, s: 3, z: 4 };
const TYPE_TAG = 'khlsz';

/** An XSCAN-family reply, `[cursor, [item, ...]]` (server/cmd_scan.go), checked: the cursor's bytes and the items (each bytes). */
function scanPage(reply: Reply | undefined, command: string): [Buffer, Buffer[]] {
  if (!Array.isArray(reply) || reply.length !== 2) throw new UnexpectedReplyError(`expected [cursor, items], got ${shapeOf(reply)}`, command);
  const [cursor, list] = reply;
  if (!Buffer.isBuffer(cursor)) throw new UnexpectedReplyError(`expected a cursor string, got ${shapeOf(cursor)}`, command);
  if (!Array.isArray(list) || !list.every((x) => Buffer.isBuffer(x))) throw new UnexpectedReplyError(`expected an array of strings, got ${shapeOf(list)}`, command);
  return [cursor, list as Buffer[]];
}

/** Items of a page as the caller reads them (Buffers were asked for, for the cursor's bytes). */
function items(list: Buffer[], strings: boolean): Reply[] {
  return strings ? list.map((x) => x.toString()) : list;
}

const asCursor = (c: string, strings: boolean): Reply => (strings ? c : Buffer.from(c));

function scanRule(args: readonly unknown[], _options: TranslateOptions, name: string): Plan {
  arity(name, args, 1);
  const tail = scanTail(name, args, 1, true);
  let only: number | null = null;
  if (tail.type !== null) {
    only = TYPES.findIndex((t) => t.redis === tail.type);
    if (only < 0) {
      throw refusal(name, `LedisDB has no keys of type ${JSON.stringify(tail.type)}; its types: string, hash, list, set, zset`);
    }
  }
  const at = decodeCursor(name, args[0], TAGS);
  // Which type this page scans, and the key to start after ('' for its start).
  let typeIndex = only ?? 0;
  let after: Buffer = Buffer.alloc(0);
  if (at !== null) {
    typeIndex = TAG_OF_TYPE[at.tag] ?? 0;
    if (only !== null && typeIndex !== only) throw new DataError(`this cursor belongs to a scan of another TYPE`, name);
    after = at.key;
  }
  const type = TYPES[typeIndex] as (typeof TYPES)[number];
  return {
    commands: [{ name: 'XSCAN', args: [type.ledis, after, ...tailArgs(tail)], buffers: true }],
    reply: (r, strings) => {
      const [next, list] = scanPage(r[0], 'XSCAN');
      let cursor: string;
      if (next.length > 0) cursor = encodeCursor(TYPE_TAG[typeIndex] as string, next);
      else if (only === null && typeIndex + 1 < TYPES.length) cursor = TYPE_TAG[typeIndex + 1] as string;
      else cursor = '0';
      return [asCursor(cursor, strings), items(tail.match === null ? list : list.filter((k) => globMatch(tail.match as Buffer, k)), strings)];
    },
  };
}

/** HSCAN / SSCAN / ZSCAN key cursor [MATCH p] [COUNT n], Redis's cursor convention, sent as XHSCAN / XSSCAN / XZSCAN. */
function memberScanRule(wire: string) {
  return (args: readonly unknown[], _options: TranslateOptions, name: string): Plan => {
    arity(name, args, 2);
    const tail = scanTail(name, args, 2, false);
    const at = decodeCursor(name, args[1], 'c');
    return {
      commands: [{ name: wire, args: [args[0], at === null ? Buffer.alloc(0) : at.key, ...tailArgs(tail)], buffers: true }],
      reply: (r, strings) => {
        const [next, all] = scanPage(r[0], wire);
        let page = all;
        if (tail.match !== null) {
          const glob = tail.match;
          // XHSCAN / XZSCAN pages are [name, value, ...]: a pair is kept by its name.
          page = wire === 'XSSCAN' ? all.filter((m) => globMatch(glob, m)) : all.filter((_, i, a) => globMatch(glob, a[i - (i % 2)] as Buffer));
        }
        let list = items(page, strings);
        if (tail.noValues) list = list.filter((_, i) => i % 2 === 0);
        return [asCursor(next.length > 0 ? encodeCursor('c', next) : '0', strings), list];
      },
    };
  };
}

// ---------------------------------------------------------------- Lua

const CALL = /\b(?:redis|ledis)\s*\.\s*p?call\s*\(\s*(['"])([A-Za-z_]+)\1\s*(,[^)]*)?\)/g;
const lintCache = new Map<string, string | null>();
/** Calls the wrapper's shim turns into LedisDB's commands (src/commands/script-stash.ts SHIM); true: only approximately (whole seconds, or not atomic). */
const SHIMMED: ReadonlyMap<string, boolean> = new Map([
  ['PTTL', true],
  ['PEXPIRE', true],
  ['PEXPIREAT', true],
  ['PSETEX', true],
  ['UNLINK', false],
  ['TYPE', false],
]);

/**
 * Why a Lua script cannot run on LedisDB, or null: a `redis.call('NAME', ...)`
 * with a literal command LedisDB lacks, or SET with options (LedisDB's SET
 * takes a key and a value). With `redisCalls` (the script runs through the
 * wrapper's shim) the shimmed calls pass, unless `strict` and only
 * approximated. Calls whose command is computed are not seen.
 */
export function lintScript(script: string, options: TranslateOptions = {}): string | null {
  const shim = options.redisCalls === true;
  const strict = options.strict === true;
  const cacheKey = `${shim ? 's' : '-'}${strict ? '!' : '-'}${script}`;
  const cached = lintCache.get(cacheKey);
  if (cached !== undefined) return cached;
  let problem: string | null = null;
  for (const m of script.matchAll(CALL)) {
    const command = (m[2] as string).toUpperCase();
    if (command === 'EVAL' || command === 'EVALSHA' || command === 'SCRIPT') {
      // LedisDB's would wait on the script lock the calling script holds: every script on the server hangs until a restart.
      problem = `the script calls ${command}, which a script must not call (Redis refuses it; LedisDB would hang every script on the server)`;
      break;
    }
    const shimmed = shim ? SHIMMED.get(command) : undefined;
    if (shimmed === true && strict) {
      problem = `the script calls ${command}, which LedisDB can only approximate (${LUA_NEAREST[command] ?? 'whole seconds'}), and the client is strict`;
      break;
    }
    if (shimmed === undefined && !LEDIS_COMMANDS.has(command)) {
      problem = `the script calls ${command}, which LedisDB's Lua cannot run (${NEAREST[command] ?? LUA_NEAREST[command] ?? `LedisDB has no ${command}`})`;
      break;
    }
    const rest = command === 'SET' ? callRest(script, (m.index as number) + m[0].indexOf(`${m[1]}${m[2]}${m[1]}`) + (m[2] as string).length + 2) : '';
    if (command === 'SET' && topLevelCommas(rest) > 2 && (!shim || (strict && shimmedSetApproximates(rest)))) {
      problem = shim
        ? 'the script calls SET with options, which LedisDB can only approximate (PX in whole seconds; NX or XX with a TTL not atomic), and the client is strict'
        : "the script calls SET with options (EX/PX/NX/XX), which LedisDB's Lua cannot run (its SET takes a key and a value; nearest: SETEX, SETNX then EXPIRE)";
      break;
    }
  }
  if (lintCache.size >= 256) lintCache.clear();
  lintCache.set(cacheKey, problem);
  return problem;
}

const LUA_NEAREST: Readonly<Record<string, string>> = {
  PTTL: 'nearest: TTL, whole seconds',
  PEXPIRE: 'nearest: EXPIRE, whole seconds',
  PSETEX: 'nearest: SETEX, whole seconds',
  PEXPIREAT: 'nearest: EXPIREAT, whole seconds',
  UNLINK: 'nearest: DEL',
  SCAN: 'nearest: XSCAN type cursor',
};

/**
 * Whether a shimmed SET's options (the call's text after the command name)
 * are what the face's SET counts as an approximation (setRule): PX (whole
 * seconds), XX, or NX with a TTL (two commands, and a LedisDB script is
 * serialized with other scripts only), or an option word that is not a
 * literal (it may be one of those). SET NX, SET EX, KEEPTTL, GET are not.
 */
function shimmedSetApproximates(text: string): boolean {
  const parts = topLevelParts(text).slice(3).map((p) => p.trim());
  let nx = false;
  let ttl = false;
  for (let i = 0; i < parts.length; i++) {
    const lit = /^(['"])([A-Za-z]+)\1$/.exec(parts[i] as string);
    if (lit === null) return true;
    const w = (lit[2] as string).toUpperCase();
    if (w === 'PX' || w === 'XX') return true;
    if (w === 'NX') nx = true;
    if (w === 'EX') {
      ttl = true;
      i++;
    }
  }
  return nx && ttl;
}

/**
 * A call's text from `from` (just after its command name) to its closing
 * parenthesis, brackets and quotes skipped: CALL's own `[^)]*` stops at the
 * first ')', as in `tostring(x)`, and missed the options after it.
 */
function callRest(script: string, from: number): string {
  let depth = 0;
  let quote = '';
  for (let i = from; i < script.length; i++) {
    const c = script[i] as string;
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return script.slice(from, i);
      depth--;
    }
  }
  return script.slice(from);
}

/** `text` split at its top-level commas (not inside quotes or brackets). */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function topLevelCommas(text: string): number {
  let depth = 0;
  let n = 0;
  let quote = '';
  for (const c of text) {
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) n++;
  }
  return n;
}

function evalRule(args: readonly unknown[], options: TranslateOptions, name: string): Plan | null {
  arity(name, args, 2);
  const script = args[0];
  const problem = typeof script === 'string' ? lintScript(script, options) : Buffer.isBuffer(script) ? lintScript(script.toString(), options) : null;
  if (problem !== null) throw new DataError(`EVAL refused before sending: ${problem}`, name);
  return null;
}

// ---------------------------------------------------------------- ZRANGE (Redis 6.2 forms)

function zrangeRule(args: readonly unknown[], _options: TranslateOptions, name: string): Plan | null {
  arity(name, args, 3);
  if (args.length === 3) return null;
  let by: 'SCORE' | 'LEX' | null = null;
  let rev = false;
  let withScores = false;
  let limit: unknown[] = [];
  for (let i = 3; i < args.length; i++) {
    const w = word(args[i]);
    if (w === 'BYSCORE') by = 'SCORE';
    else if (w === 'BYLEX') by = 'LEX';
    else if (w === 'REV') rev = true;
    else if (w === 'WITHSCORES') withScores = true;
    else if (w === 'LIMIT' && i + 2 < args.length) limit = ['LIMIT', integer(name, 'offset', args[++i]), integer(name, 'count', args[++i])];
    else throw new DataError(`syntax error in ZRANGE at ${describe(args[i])}`, name);
  }
  const [key, start, stop] = args;
  const scores = withScores ? ['WITHSCORES'] : [];
  if (by === null) {
    if (limit.length > 0) throw new DataError('ZRANGE: LIMIT needs BYSCORE or BYLEX', name);
    if (!rev && !withScores) return null;
    return one(rev ? 'ZREVRANGE' : 'ZRANGE', [key, start, stop, ...scores]);
  }
  if (by === 'SCORE') return one(rev ? 'ZREVRANGEBYSCORE' : 'ZRANGEBYSCORE', [key, start, stop, ...scores, ...limit]);
  if (rev) throw refusal(name, 'LedisDB has no reverse lexicographic range (ZRANGE BYLEX REV); nearest: ZRANGEBYLEX, reversed by the caller');
  if (withScores) throw new DataError('ZRANGE: WITHSCORES is not allowed with BYLEX', name);
  return one('ZRANGEBYLEX', [key, start, stop, ...limit]);
}

// ---------------------------------------------------------------- the table

const typeCommand = (command: TypeCommand, combine: (r: readonly Reply[]) => number) => (args: readonly unknown[], _o: TranslateOptions, name: string): Plan => {
  arity(name, args, 1, 1);
  return { commands: perType(command, args[0]), reply: combine };
};

function expireRule(unit: 'EX' | 'PX' | 'EXAT' | 'PXAT') {
  return (args: readonly unknown[], options: TranslateOptions, name: string): Plan => {
    if (args.length > 2) {
      throw refusal(name, `LedisDB has no ${name} ${keyText(args[2]).toUpperCase()}; nearest: TTL, then ${unit === 'EX' || unit === 'PX' ? 'EXPIRE' : 'EXPIREAT'} (not atomic)`);
    }
    arity(name, args, 2, 2);
    const n = integer(name, 'time', args[1]);
    let command: TypeCommand = 'expire';
    let value = n;
    if (unit === 'PX') {
      approximation(name, options, 'a TTL in milliseconds');
      value = n <= 0 ? n : secondsFor(n);
    } else if (unit === 'EXAT') command = 'expireat';
    else if (unit === 'PXAT') {
      approximation(name, options, 'an expiry time in milliseconds');
      command = 'expireat';
      value = Math.ceil(n / 1000);
    }
    if (value <= 0 || (command === 'expireat' && value * 1000 <= Date.now())) {
      // Redis deletes the key at once; LedisDB refuses a past expiry (t_kv.go errExpireValue): DEL it in every type.
      const { commands, count } = existsPlan([args[0]], TYPES.map((t) => ({ name: t.clear, args: [args[0]] })));
      return { commands, reply: (r) => count(r) };
    }
    return { commands: perType(command, args[0], [value]), reply: max };
  };
}

function delRule(args: readonly unknown[], _options: TranslateOptions, name: string): Plan {
  arity(name, args, 1);
  const keys = distinct(args);
  const { commands, count } = existsPlan(keys, TYPES.map((t) => ({ name: t.clear, args: keys })));
  return { commands, reply: (r) => count(r) };
}

function existsRule(args: readonly unknown[], _options: TranslateOptions, name: string): Plan {
  arity(name, args, 1);
  // Redis counts a key named twice twice.
  const { commands, count } = existsPlan(args);
  return { commands, reply: (r) => count(r) };
}

function typeRule(args: readonly unknown[], _options: TranslateOptions, name: string): Plan {
  arity(name, args, 1, 1);
  return {
    commands: perType('exists', args[0]),
    reply: (r) => {
      const found = TYPES.map((t, i) => flag(r[i], t.exists));
      const i = found.indexOf(true);
      return i < 0 ? 'none' : (TYPES[i] as (typeof TYPES)[number]).redis;
    },
  };
}

function hsetRule(args: readonly unknown[], _options: TranslateOptions, name: string): Plan | null {
  if (args.length < 3 || args.length % 2 === 0) throw new DataError(`wrong number of arguments for 'hset' command: a key, then field value pairs`, name);
  if (args.length === 3) return null;
  const key = args[0];
  const fields = distinct(args.filter((_, i) => i % 2 === 1));
  return {
    commands: [...fields.map((f) => ({ name: 'HEXISTS', args: [key, f] })), { name: 'HMSET', args: args.slice() }],
    reply: (r) => {
      let n = 0;
      for (let i = 0; i < fields.length; i++) if (!flag(r[i], 'HEXISTS')) n++;
      return n;
    },
  };
}

const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['SET', setRule],
  ['MSET', (args, _o, name) => {
    if (args.length === 0 || args.length % 2 !== 0) throw new DataError(`wrong number of arguments for 'mset' command`, name);
    const keys = distinct(args.filter((_, i) => i % 2 === 0));
    return { commands: [...keys.map((k) => ({ name: 'PERSIST', args: [k] })), { name: 'MSET', args: args.slice() }], reply: last };
  }],
  ['GETSET', (args, _o, name) => {
    arity(name, args, 2, 2);
    return { commands: [{ name: 'PERSIST', args: [args[0]] }, { name: 'GETSET', args: args.slice() }], reply: last };
  }],
  ['SETEX', (args, _o, name) => {
    arity(name, args, 3, 3);
    return one('SETEX', [args[0], positive(name, 'seconds', args[1]), args[2]]);
  }],
  ['PSETEX', (args, options, name) => {
    arity(name, args, 3, 3);
    approximation(name, options, 'a TTL in milliseconds');
    return one('SETEX', [args[0], secondsFor(positive(name, 'milliseconds', args[1])), args[2]]);
  }],
  ['EXISTS', existsRule],
  ['DEL', delRule],
  ['UNLINK', delRule],
  ['TYPE', typeRule],
  ['EXPIRE', expireRule('EX')],
  ['PEXPIRE', expireRule('PX')],
  ['EXPIREAT', expireRule('EXAT')],
  ['PEXPIREAT', expireRule('PXAT')],
  ['TTL', (args, _o, name) => {
    arity(name, args, 1, 1);
    return ttlPlan(args[0], (t) => t);
  }],
  ['PTTL', (args, options, name) => {
    arity(name, args, 1, 1);
    approximation(name, options, 'a TTL in milliseconds');
    return ttlPlan(args[0], (t) => (t < 0 ? t : t * 1000));
  }],
  ['PERSIST', typeCommand('persist', max)],
  ['STRLEN', (args, _o, name) => {
    arity(name, args, 1, 1);
    return { commands: [{ name: 'GET', args: [args[0]], buffers: true }], reply: (r) => {
      const value = r[0];
      if (value === null) return 0;
      if (Buffer.isBuffer(value)) return value.length;
      throw new UnexpectedReplyError(`expected a string or nil, got ${shapeOf(value)}`, 'GET');
    } };
  }],
  ['GETRANGE', (args, _o, name) => {
    arity(name, args, 3, 3);
    return one('GETRANGE', args.slice(), (r, strings) => r[0] ?? (strings ? '' : Buffer.alloc(0)));
  }],
  ['SUBSTR', (args, _o, name) => {
    arity(name, args, 3, 3);
    return one('GETRANGE', args.slice(), (r, strings) => r[0] ?? (strings ? '' : Buffer.alloc(0)));
  }],
  ['PING', (args, _o, name) => {
    arity(name, args, 0, 1);
    return args.length === 0 ? null : one('ECHO', [args[0]]);
  }],
  ['HSET', hsetRule],
  ['LPOP', (args, _o, name) => {
    if (args.length > 1) throw refusal(name, 'LedisDB has no LPOP with a count; nearest: LRANGE 0 n-1 then LTRIM_FRONT n (not atomic)');
    return null;
  }],
  ['RPOP', (args, _o, name) => {
    if (args.length > 1) throw refusal(name, 'LedisDB has no RPOP with a count; nearest: LRANGE -n -1 then LTRIM_BACK n (not atomic)');
    return null;
  }],
  ['ZADD', (args, _o, name) => {
    arity(name, args, 3);
    const w = word(args[1]);
    if (w === 'NX' || w === 'XX' || w === 'GT' || w === 'LT' || w === 'CH' || w === 'INCR') {
      throw refusal(name, `LedisDB has no ZADD ${w}; nearest: ZSCORE then ZADD (not atomic), or ZINCRBY for INCR`);
    }
    return null;
  }],
  ['ZRANGE', zrangeRule],
  ['SCAN', scanRule],
  ['HSCAN', memberScanRule('XHSCAN')],
  ['SSCAN', memberScanRule('XSSCAN')],
  ['ZSCAN', memberScanRule('XZSCAN')],
  ['EVAL', evalRule],
  ['EVAL_RO', (args, o, name) => {
    evalRule(args, o, name);
    return one('EVAL', args.slice());
  }],
  ['EVALSHA_RO', (args, _o, name) => {
    arity(name, args, 2);
    return one('EVALSHA', args.slice());
  }],
  // SCRIPT LOAD is linted as EVAL is: a script LedisDB's Lua cannot run is refused when it is loaded, not
  // at EVALSHA (where the server answers "panic: command not found"; rate-limit-redis loads, then EVALSHAs).
  ['SCRIPT', (args, o, name) => {
    if (word(args[0]) !== 'LOAD' || args.length !== 2) return null;
    const script = args[1];
    const problem = typeof script === 'string' ? lintScript(script, o) : Buffer.isBuffer(script) ? lintScript(script.toString(), o) : null;
    if (problem !== null) throw new DataError(`SCRIPT LOAD refused before sending: ${problem}`, name);
    return null;
  }],
]);
