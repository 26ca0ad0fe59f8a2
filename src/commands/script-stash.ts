// Script replies that do not fill LedisDB's Lua stack.
//
// The pinned LedisDB (server/cmd_script.go evalGenericCommand) runs every
// script in one gopher-lua state shared by all connections, calls it with
// `l.Call(0, lua.MultRet)`, reads the reply with `l.Get(-1)` and never pops
// what the script returned. Each returned value stays on that state's stack;
// after 5,118 of them (the stack has 5,120 slots) every EVAL/EVALSHA on the
// server fails with "index out of range", for every client, until a restart.
// A script that returns nothing leaves nothing (measured: 12,000 runs of a
// script without `return`, fine; `return 1` fails at run 5,119; `error()`
// fails at run 129, since a raised error leaves its call frames too).
//
// So a script is sent wrapped: the wrapper runs the caller's source as a
// function under `pcall`, encodes what it returned as RESP exactly as LedisDB
// would have written it (server/script.go luaValueToLedisValue, then
// client.go writeValue), stores that text under a one-off key with SETEX
// (60 s), and returns nothing. The caller's GET and DEL of that key follow on
// the same connection, in the same write. Where the key cannot be written
// (a server with a password: a script's own `ledis.call` is refused there),
// the wrapper returns the script's value as LedisDB would, and the EVAL's own
// reply is the answer (it then costs a stack slot, as the script always did).
import { createHash, randomBytes } from 'node:crypto';
import { asLedisError, ResponseError, UnexpectedReplyError } from '../errors.js';
import { Parser, type Reply } from '../protocol/parser.js';
import type { Plan, WireCommand } from './translate.js';

/**
 * The wrapper's first line: the one-off key is taken off ARGV (the caller's
 * script sees its own ARGV), then the caller's source starts on the same
 * line, so its line numbers (in error messages) are the ones it would have.
 * `function(...)` keeps a chunk's `...` legal (empty, as EVAL's is).
 *
 * The library functions the wrapper calls are the ones the first wrapped
 * script on the server found, kept in the global `__ledis_builtins`:
 * LedisDB's Lua globals are shared by every script and not protected, so a
 * script that assigns `type`, `string`, `table`... as a global (a missing
 * `local`) must not break its own reply, nor every wrapped script after it.
 *
 * The caller's `ledis` and `redis` are the same functions, watched for
 * SELECT: a script's SELECT moves the wrapper's SETEX to that database while
 * the GET reads the caller's, so a script that selected answers as the
 * password case does (its value is the EVAL's own reply; a stack slot).
 * They refuse EVAL, EVALSHA and SCRIPT (as Redis does from a script):
 * LedisDB's would wait on the script lock its caller holds, and every script
 * on the server would hang until a restart. (On a server whose
 * `__ledis_builtins` an older wrapper made, only the shim refuses them.)
 */
const HEAD =
  'local __ledis_b = __ledis_builtins if __ledis_b == nil then __ledis_b = {type = type, pairs = pairs, ipairs = ipairs, tostring = tostring, tonumber = tonumber, select = select, pcall = pcall, error = error, setmetatable = setmetatable, call = ledis.call, remove = table.remove, concat = table.concat, gsub = string.gsub, format = string.format, lower = string.lower, upper = string.upper, floor = math.floor, ceil = math.ceil} ' +
  'local b = __ledis_b local function watch(f, soft) return function(...) local c = ... if b.type(c) == "string" then local w = b.lower(c) if w == "select" then b.sel = true ' +
  'elseif w == "eval" or w == "evalsha" or w == "script" then local m = "ERR " .. b.upper(w) .. " is not allowed from scripts (on LedisDB it waits forever on the script lock: every script on the server would hang)" if soft then return {"err", m} end b.error(m) end end return f(...) end end ' +
  'local function api(m) return setmetatable({call = watch(m.call), pcall = watch(m.pcall, true)}, {__index = m, __newindex = m}) end ' +
  'b.ledis, b.redis = api(ledis), api(redis) __ledis_builtins = b end ' +
  '__ledis_b.sel = false local ledis, redis = __ledis_b.ledis, __ledis_b.redis local __ledis_key = __ledis_b.remove(ARGV) local __ledis_run = function(...) ';

/** The rest: the encoder (mirrors luaValueToLedisValue and writeValue), the run, the SETEX. */
const TAIL = String.raw`
end
local type, pairs, tostring, select, pcall, error = __ledis_b.type, __ledis_b.pairs, __ledis_b.tostring, __ledis_b.select, __ledis_b.pcall, __ledis_b.error
local gsub, format, lower, floor, ceil, concat = __ledis_b.gsub, __ledis_b.format, __ledis_b.lower, __ledis_b.floor, __ledis_b.ceil, __ledis_b.concat
local function __ledis_line(c, s) return c .. gsub(tostring(s), '\r\n', ' ') .. '\r\n' end
local __ledis_enc
__ledis_enc = function(v)
  local t = type(v)
  if t == 'string' then return '$' .. #v .. '\r\n' .. v .. '\r\n' end
  if t == 'number' then
    if v ~= v or v >= 9223372036854775807 or v < -9223372036854775808 then return ':-9223372036854775808\r\n' end
    if v >= 0 then v = floor(v) else v = ceil(v) end
    if v == 0 then v = 0 end -- int64(-0.5) is 0, not -0
    return ':' .. format('%.0f', v) .. '\r\n'
  end
  if t == 'boolean' then if v then return ':1\r\n' end return '$-1\r\n' end
  if t ~= 'table' then return '$-1\r\n' end
  local flat, n = {}, 0
  for k, x in pairs(v) do
    if type(k) == 'string' then return __ledis_line('-', 'only array-tables are supported: ' .. format('%q', tostring(v))) end
    n = n + 1
    flat[n] = x
  end
  if n == 0 then return '$-1\r\n' end
  if n <= 2 and type(flat[1]) == 'string' then
    local w = lower(flat[1])
    if w == 'ok' then if n == 2 then return __ledis_line('+', flat[2]) end return '+ok\r\n' end
    if w == 'err' then if n == 2 then return __ledis_line('-', flat[2]) end return '-err\r\n' end
  end
  local parts = {}
  for i = 1, n do parts[i] = __ledis_enc(flat[i]) end
  return '*' .. n .. '\r\n' .. concat(parts)
end
`;

/**
 * Redis's forms of the commands a Redis script calls that LedisDB's Lua has
 * not (or answers otherwise), in LedisDB's commands; everything else goes to
 * LedisDB as it is. As the translation table does for the faces
 * (src/commands/translate.ts): a key is looked for in LedisDB's five
 * keyspaces (KV, hash, list, set, zset) by DEL/UNLINK, EXISTS (the count of
 * keys named that exist), EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT (a past expiry
 * deletes; otherwise every keyspace the name is in), TTL/PTTL (-2: no key),
 * PERSIST (every keyspace) and TYPE; SET clears the TTL
 * (LedisDB's keeps it: a PERSIST first), SET's NX/XX/GET/EX/PX/KEEPTTL; PTTL,
 * PEXPIRE, PEXPIREAT and PSETEX in whole seconds as the face's rules give
 * them (a TTL: ceil(ms / 1000) + 1, so a key never lives shorter than asked,
 * translate.ts secondsFor; an expiry time: rounded up; PTTL is the TTL times
 * 1000). `pcall` answers an error as LedisDB's does
 * ({'err', message}), which also reads as Redis's (`.err`; a status's
 * `.ok`). `error_reply` and `status_reply` keep their text
 * (LedisDB's drop it); `log`, `replicate_commands`, `set_repl` and
 * `setresp(2)` do nothing (LedisDB has none of them).
 */
const SHIM = String.raw`
local __ledis_real = __ledis_b.ledis
-- Saved library functions (a server whose __ledis_builtins an older wrapper made lacks the later ones: the globals then).
local __ledis_upper, __ledis_tonumber, __ledis_ipairs = __ledis_b.upper or string.upper, __ledis_b.tonumber or tonumber, __ledis_b.ipairs or ipairs
local __ledis_setmetatable = __ledis_b.setmetatable or setmetatable
local __ledis_types = {
  {'string', 'exists', 'expire', 'expireat', 'ttl', 'persist', 'del'},
  {'hash', 'hkeyexists', 'hexpire', 'hexpireat', 'httl', 'hpersist', 'hclear'},
  {'list', 'lkeyexists', 'lexpire', 'lexpireat', 'lttl', 'lpersist', 'lclear'},
  {'set', 'skeyexists', 'sexpire', 'sexpireat', 'sttl', 'spersist', 'sclear'},
  {'zset', 'zkeyexists', 'zexpire', 'zexpireat', 'zttl', 'zpersist', 'zclear'},
}
local function __ledis_typeof(call, k)
  for _, t in __ledis_ipairs(__ledis_types) do if call(t[2], k) == 1 then return t end end
  return nil
end
local function __ledis_clear(call, k)
  local t = __ledis_typeof(call, k)
  if t == nil then return 0 end
  for _, u in __ledis_ipairs(__ledis_types) do call(u[7], k) end
  return 1
end
-- An integer as Redis reads one (tonumber would take '0x10', ' 10', '1e2'), as the face's rules do.
local function __ledis_num(v)
  local s = tostring(v)
  if gsub(s, '^-?%d+$', '') ~= '' then error('ERR value is not an integer or out of range') end
  return __ledis_tonumber(s)
end
-- Every keyspace the name is in (a string and a hash may share one): EXPIRE, EXPIREAT and PERSIST reach each, as the face's do.
local function __ledis_each(call, k, f)
  local r = 0
  for _, t in __ledis_ipairs(__ledis_types) do
    if call(t[2], k) == 1 then local x = f(t) if x > r then r = x end end
  end
  return r
end
local function __ledis_expire(call, k, secs, at)
  if __ledis_typeof(call, k) == nil then return 0 end
  if not at and secs <= 0 then return __ledis_clear(call, k) end
  if not at then return __ledis_each(call, k, function(t) return call(t[3], k, secs) end) end
  -- A time already past: LedisDB refuses it (errExpireValue); Redis deletes the key.
  local past = false
  local r = __ledis_each(call, k, function(t)
    local x = __ledis_real.pcall(t[4], k, secs)
    if type(x) == 'table' then past = true return 0 end
    return x
  end)
  if past then return __ledis_clear(call, k) end
  return r
end
-- A status or error table ({'ok', s} / {'err', m}, LedisDB's shape, which the reply encoder reads) also reads as Redis's: .ok / .err.
local __ledis_reply_mt = {__index = function(t, k) if (k == 'ok' or k == 'err') and t[1] == k then return t[2] end end}
local function __ledis_st(t)
  if type(t) == 'table' and (t[1] == 'ok' or t[1] == 'err') and t[3] == nil then __ledis_setmetatable(t, __ledis_reply_mt) end
  return t
end
local function __ledis_tr0(name, ...)
  local call = __ledis_real.call
  local c = __ledis_upper(tostring(name))
  if c == 'EVAL' or c == 'EVALSHA' or c == 'SCRIPT' then error('ERR ' .. c .. ' is not allowed from scripts (on LedisDB it waits forever on the script lock: every script on the server would hang)') end
  local n = select('#', ...)
  local a = {...}
  if c == 'SET' and n >= 2 then
    local k, v = a[1], a[2]
    local nx, xx, keep, get, secs = false, false, false, false, nil
    local i = 3
    while i <= n do
      local o = __ledis_upper(tostring(a[i]))
      if o == 'NX' and not xx then nx = true
      elseif o == 'XX' and not nx then xx = true
      elseif o == 'GET' then get = true
      elseif o == 'KEEPTTL' and secs == nil then keep = true
      elseif (o == 'EX' or o == 'PX') and i < n and secs == nil and not keep then
        i = i + 1
        local t = __ledis_num(a[i])
        if t <= 0 then error('ERR invalid expire time in set') end
        if o == 'EX' then secs = t else secs = ceil(t / 1000) + 1 end
      else error('ERR syntax error in SET at ' .. o .. ': LedisDB scripts take NX | XX, GET, EX s | PX ms | KEEPTTL') end
      i = i + 1
    end
    -- GET: the old value (nil: none) whether or not NX / XX let the SET happen.
    local old = false
    if get then old = call('get', k) end
    local function done(set) if get then return old end if set then return {'ok', 'OK'} end return false end
    if nx then
      if call('setnx', k, v) == 0 then return done(false) end
      if secs ~= nil then call('expire', k, secs) end
      return done(true)
    end
    if xx and call('exists', k) == 0 then return done(false) end
    if secs ~= nil then call('setex', k, secs, v) return done(true) end
    if not keep then call('persist', k) end
    call('set', k, v)
    return done(true)
  end
  if (c == 'DEL' or c == 'UNLINK') and n >= 1 then
    local count, seen = 0, {}
    for j = 1, n do
      local k = tostring(a[j])
      if not seen[k] then seen[k] = true count = count + __ledis_clear(call, a[j]) end
    end
    return count
  end
  if c == 'EXISTS' and n >= 1 then
    local count = 0
    for j = 1, n do if __ledis_typeof(call, a[j]) ~= nil then count = count + 1 end end
    return count
  end
  if c == 'EXPIRE' and n == 2 then return __ledis_expire(call, a[1], __ledis_num(a[2]), false) end
  if c == 'PEXPIRE' and n == 2 then
    local ms = __ledis_num(a[2])
    if ms > 0 then ms = ceil(ms / 1000) + 1 end
    return __ledis_expire(call, a[1], ms, false)
  end
  if c == 'EXPIREAT' and n == 2 then return __ledis_expire(call, a[1], __ledis_num(a[2]), true) end
  if c == 'PEXPIREAT' and n == 2 then return __ledis_expire(call, a[1], ceil(__ledis_num(a[2]) / 1000), true) end
  if (c == 'TTL' or c == 'PTTL') and n == 1 then
    local t = __ledis_typeof(call, a[1])
    if t == nil then return -2 end
    local s = call(t[5], a[1])
    if c == 'PTTL' and s > 0 then return s * 1000 end
    return s
  end
  if c == 'PERSIST' and n == 1 then return __ledis_each(call, a[1], function(t) return call(t[6], a[1]) end) end
  if c == 'TYPE' and n == 1 then
    local t = __ledis_typeof(call, a[1])
    if t == nil then return {'ok', 'none'} end
    return {'ok', t[1]}
  end
  if c == 'PSETEX' and n == 3 then return call('setex', a[1], ceil(__ledis_num(a[2]) / 1000) + 1, a[3]) end
  return call(name, ...)
end
local function __ledis_tr(...) return __ledis_st(__ledis_tr0(...)) end
local __ledis_shim = __ledis_setmetatable({}, {__index = __ledis_real})
__ledis_shim.call = __ledis_tr
__ledis_shim.pcall = function(...)
  local ok, r = pcall(__ledis_tr, ...)
  if ok then return r end
  return __ledis_st({'err', tostring(r)})
end
-- LedisDB's error_reply / status_reply drop their text ({'err'}: '-err'); Redis's carry it.
__ledis_shim.error_reply = function(m) return __ledis_st({'err', m}) end
__ledis_shim.status_reply = function(m) return __ledis_st({'ok', m}) end
-- Redis's helpers LedisDB lacks, for scripts that call them: logging and replication are no-ops here; RESP2 only.
__ledis_shim.LOG_DEBUG, __ledis_shim.LOG_VERBOSE, __ledis_shim.LOG_NOTICE, __ledis_shim.LOG_WARNING = 0, 1, 2, 3
__ledis_shim.REPL_NONE, __ledis_shim.REPL_AOF, __ledis_shim.REPL_SLAVE, __ledis_shim.REPL_REPLICA, __ledis_shim.REPL_ALL = 0, 1, 2, 2, 3
__ledis_shim.log = function() end
__ledis_shim.replicate_commands = function() return true end
__ledis_shim.set_repl = function() end
__ledis_shim.setresp = function(v) if __ledis_tonumber(v) ~= 2 then error('ERR LedisDB scripts speak RESP2 only') end end
redis, ledis = __ledis_shim, __ledis_shim
`;

/** The run: the script under pcall, its reply encoded and stored, or (where it cannot be stored) returned. */
/** How long a reply key lives if its DEL never arrives (a connection cut after the EVAL): seconds. */
export const STASH_TTL = 60;

const RUN = String.raw`
local function __ledis_pack(...) return select('#', ...), {...} end
local __ledis_n, __ledis_r = __ledis_pack(pcall(__ledis_run))
local function __ledis_reply()
  if not __ledis_r[1] then return __ledis_line('-', 'panic: ' .. tostring(__ledis_r[2])) end
  if __ledis_n < 2 then return '$-1\r\n' end
  return __ledis_enc(__ledis_r[__ledis_n])
end
-- Under pcall: an error here (a table nested past the call stack) would leave its frames on LedisDB's stack.
-- Returning such a value instead would leave it on top of the stack, where every later wrapped EVAL's own reply reads it.
local __ledis_ok, __ledis_out = pcall(__ledis_reply)
if not __ledis_ok then __ledis_out = __ledis_line('-', "ERR the script's reply could not be encoded: " .. tostring(__ledis_out)) end
if __ledis_b.sel or not pcall(__ledis_b.call, 'setex', __ledis_key, ${STASH_TTL}, __ledis_out) then
  if not __ledis_r[1] then error(__ledis_r[2], 0) end
  if __ledis_n >= 2 then return __ledis_r[__ledis_n] end
end
`;

/** The two wrappers: [head, tail] as text and as bytes; `redis` true: a script written for Redis (through SHIM). */
const WRAPPERS = {
  ledis: [HEAD, TAIL + RUN],
  redis: [HEAD, TAIL + SHIM + RUN],
} as const;
const WRAPPER_BYTES = {
  ledis: [Buffer.from(WRAPPERS.ledis[0]), Buffer.from(WRAPPERS.ledis[1])],
  redis: [Buffer.from(WRAPPERS.redis[0]), Buffer.from(WRAPPERS.redis[1])],
} as const;


/** SHA1 (hex) of a script's bytes, as SCRIPT LOAD and EVALSHA name it. */
export function scriptSha(source: string | Buffer): string {
  return createHash('sha1').update(source).digest('hex');
}

/**
 * The wrapped source of `source` (bytes kept as they are: a Buffer stays a
 * Buffer). `redis`: the script was written for Redis; its `redis.call`
 * (and `ledis.call`) go through SHIM.
 */
export function wrapScript(source: string | Buffer, redis = false): string | Buffer {
  const kind = redis ? 'redis' : 'ledis';
  if (typeof source === 'string') return WRAPPERS[kind][0] + source + WRAPPERS[kind][1];
  return Buffer.concat([WRAPPER_BYTES[kind][0], source, WRAPPER_BYTES[kind][1]]);
}

/**
 * The script's reply from the text the wrapper stored (a Buffer: GET's
 * reply): exactly one RESP reply, strings or Buffers as `strings` says. A
 * top-level error reply is thrown as a ResponseError of `command` (as the
 * server's own would be); anything else malformed is an UnexpectedReplyError.
 */
export function decodeStash(stored: Buffer, strings: boolean, command: string, prefixed = true): Reply {
  const replies: Reply[] = [];
  const parser = new Parser((r) => replies.push(r));
  parser.returnBuffers = !strings;
  try {
    parser.execute(stored);
  } catch {
    throw new UnexpectedReplyError(`${command}: the script's stored reply is not RESP`);
  }
  if (replies.length !== 1 || parser.inReply) throw new UnexpectedReplyError(`${command}: the script's stored reply is not one RESP reply`);
  const reply = replies[0] as Reply;
  if (reply instanceof ResponseError) {
    reply.setCommand(command, prefixed);
    throw reply;
  }
  return reply;
}

// ---------------------------------------------------------------- plans
//
// A plan's EVAL becomes: EVAL <wrapped source> (the one-off key appended to
// ARGV), GET <key>, DEL <key>, written together on one connection; its reply
// is the stored one. SHA1s stay the caller's: SCRIPT LOAD loads the wrapped
// source and answers the SHA1 of the caller's source, EVALSHA and SCRIPT
// EXISTS of a SHA1 seen here name the wrapped script. An EVALSHA of a script
// this client has not seen goes as it is (the server may answer NOSCRIPT;
// defineCommand and rate-limit-redis then send EVAL, wrapped from then on).

/** The command names a plan must contain for `rewrite` to change it. */
export const SCRIPT_COMMANDS: ReadonlySet<string> = new Set(['EVAL', 'EVALSHA', 'SCRIPT']);

/** gopher-lua's compile error, as LedisDB's EVAL answers it ("<string> line:1(column:9) near 'x': ..." or "<string> at EOF: ..."). */
const COMPILE_ERROR = /^(?:[A-Z]+: )?<string> (?:line:\d+\(column:\d+\)|at EOF)/;

/** Most SHA1s remembered (each a pair of 40-character strings); past it the table starts again. */
const MAX_SCRIPTS = 4096;

type Segment =
  | { kind: 'same'; at: number }
  | { kind: 'run'; at: number; command: string; sha?: string; original: WireCommand }
  | { kind: 'load'; at: number }
  /** SCRIPT EXISTS: the wrapped SHA1s in place, then the caller's SHA1 of each known one (at `extra[i]`, or -1): either loaded counts. */
  | { kind: 'exists'; at: number; extra: number[] };

function wordOf(v: unknown): string {
  return typeof v === 'string' ? v.toUpperCase() : Buffer.isBuffer(v) ? v.toString('latin1').toUpperCase() : '';
}

function shaArg(v: unknown): string | null {
  const s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : null;
  return s === null ? null : s.toLowerCase();
}

/**
 * Whether LedisDB runs the script at all: numkeys an integer as
 * strconv.Atoi reads it, 0 to the number of arguments after it
 * (server/cmd_script.go parseEvalArgs). Otherwise it answers an error before
 * any Lua runs, and the command goes as it is: wrapped, the reply key
 * appended to ARGV would make a numkeys one too large pass, the wrapper's
 * table.remove on the empty ARGV would panic, and that panic's frames stay on
 * LedisDB's Lua stack (measured: ~130 such calls and every script on the
 * server fails with "stack overflow").
 */
function numkeysFits(args: readonly unknown[]): boolean {
  if (args.length < 2) return false;
  const v = args[1];
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : Buffer.isBuffer(v) ? v.toString('latin1') : null;
  if (s === null || !/^[+-]?\d+$/.test(s)) return false;
  const n = Number(s);
  return n >= 0 && n <= args.length - 2;
}

function isSource(v: unknown): v is string | Buffer {
  return typeof v === 'string' || Buffer.isBuffer(v);
}

/** A command's outcome in a batch, as Pipeline#execSettled gives it. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: Error };

/**
 * A rewritten plan: its commands go out as one batch, and `settle` takes
 * every command's outcome, failures included: a script's EVAL can fail on a
 * stack other clients' scripts left dirty (LedisDB reads the reply with
 * `l.Get(-1)`) while its stored reply is right. Throws what the caller gets.
 */
export interface ScriptPlan {
  readonly commands: readonly WireCommand[];
  settle(outcomes: readonly Outcome[], strings: boolean): unknown;
  /**
   * Sends `commands` with `exec` (one batch, one connection) and settles;
   * an EVALSHA whose wrapped script the server no longer has (SCRIPT FLUSH,
   * a restart) while it has the caller's (another client's SCRIPT LOAD) is
   * run again as EVAL of the wrapped source, which loads it again.
   */
  run(exec: (commands: readonly WireCommand[]) => Promise<readonly Outcome[]>, strings: boolean): Promise<unknown>;
}

/**
 * The wrapped script's SHA1 by the SHA1 of each source seen in this process,
 * prefixed 'l' (LedisDB's calls) or 'r' (through the Redis shim): a pure
 * function of the source, so one table serves every client.
 */
const wrappedSha = new Map<string, { sha: string; source: string | Buffer }>();
/** This process's part of every reply key (two processes never share one). */
const PROCESS_ID = randomBytes(6).toString('base64url');
let nextKey = 0;

/** Runs scripts of one client (or face) through reply keys. */
export class ScriptReplies {
  /** The SHA1 table's key prefix for this kind of wrapper. */
  private readonly kind: string;
  private readonly otherKind: string;

  /**
   * `keyPrefix`: the face's key prefix, which GET/DEL of a reply key get and
   * the script's own SETEX must use too. `redis`: scripts are written for
   * Redis (the compat faces): their calls go through the wrapper's shim.
   */
  constructor(
    private readonly keyPrefix: string,
    readonly redis = false,
  ) {
    this.kind = redis ? 'r' : 'l';
    this.otherKind = redis ? 'l' : 'r';
  }

  /** Remembers `source` (defineCommand knows it before the first EVALSHA): EVALSHA of its SHA1 then names the wrapped script. */
  know(source: string | Buffer): void {
    this.wrapped(source);
  }

  /**
   * `plan` with its EVAL, EVALSHA (of a known script), SCRIPT LOAD and
   * SCRIPT EXISTS rewritten; null when it has none. The plan's commands must
   * go out together on one connection (a Pipeline), in order.
   */
  rewrite(plan: Plan): ScriptPlan | null {
    const source = plan.commands;
    let changed = false;
    const commands: WireCommand[] = [];
    const segments: Segment[] = [];
    for (const c of source) {
      const at = commands.length;
      const args = c.args;
      // A SHA1 known only through the other wrapper (Ledis loaded it, a face runs it, or the reverse): EVAL of this wrapper's source.
      const other = c.name === 'EVALSHA' && !wrappedSha.has(this.kind + (shaArg(args[0]) ?? '')) ? wrappedSha.get(this.otherKind + (shaArg(args[0]) ?? '')) : undefined;
      if (((c.name === 'EVAL' && isSource(args[0])) || (c.name === 'EVALSHA' && (other !== undefined || wrappedSha.has(this.kind + (shaArg(args[0]) ?? ''))))) && numkeysFits(args)) {
        const sha = c.name === 'EVALSHA' && other === undefined ? (shaArg(args[0]) as string) : undefined;
        const first =
          other !== undefined ? this.wrapped(other.source).body : sha === undefined ? this.wrapped(args[0] as string | Buffer).body : (wrappedSha.get(this.kind + sha) as { sha: string }).sha;
        commands.push(...this.runCommands(other !== undefined ? 'EVAL' : c.name, first, args.slice(1), c.buffers));
        segments.push({ kind: 'run', at, command: c.name, sha, original: c });
        changed = true;
      } else if (c.name === 'SCRIPT' && wordOf(args[0]) === 'LOAD' && args.length === 2 && isSource(args[1])) {
        // Both: the wrapped one for this client's EVALSHA, the source itself for a pipeline's or another client's (SCRIPT LOAD leaves the stack as it was).
        commands.push({ name: 'SCRIPT', args: [args[0], this.wrapped(args[1]).body], buffers: c.buffers }, c);
        segments.push({ kind: 'load', at });
        changed = true;
      } else if (c.name === 'SCRIPT' && wordOf(args[0]) === 'EXISTS') {
        const mapped = args.slice();
        const extra: number[] = [];
        for (let i = 1; i < args.length; i++) {
          const known = wrappedSha.get(this.kind + (shaArg(args[i]) ?? ''));
          if (known === undefined) extra.push(-1);
          else {
            mapped[i] = known.sha;
            extra.push(mapped.length);
            mapped.push(args[i]);
          }
        }
        commands.push({ name: 'SCRIPT', args: mapped, buffers: c.buffers });
        segments.push({ kind: 'exists', at, extra });
        changed = true;
      } else {
        commands.push(c);
        segments.push({ kind: 'same', at });
      }
    }
    if (!changed) return null;
    const reply = plan.reply;
    const lone = segments.length === 1 ? (segments[0] as Segment) : null;
    const plan2: ScriptPlan = {
      commands,
      run: async (exec, strings) => {
        const outcomes = await exec(commands);
        const failed = outcomes[0] as Outcome;
        if (lone?.kind === 'run' && lone.sha === undefined && !failed.ok && COMPILE_ERROR.test(failed.error.message)) {
          // The wrapped source does not compile: the source sent as it is gets LedisDB's own error text (its line and column).
          // A source that does not compile costs no stack slot (LoadString fails before anything is pushed).
          const [own] = await exec([lone.original]);
          if (own === undefined || !own.ok) throw own?.error ?? failed.error;
          return shaped(reply, [own.value as Reply], strings);
        }
        if (lone?.kind === 'run' && lone.sha !== undefined) {
          const own = outcomes[0] as Outcome;
          const stored = outcomes[1] as Outcome;
          const known = wrappedSha.get(this.kind + lone.sha);
          if (!own.ok && /NOSCRIPT/.test(own.error.message) && !(stored.ok && Buffer.isBuffer(stored.value)) && known !== undefined) {
            const [exists] = await exec([{ name: 'SCRIPT', args: ['EXISTS', lone.sha] }]);
            if (exists?.ok && Array.isArray(exists.value) && exists.value[0] === 1) {
              const evalArgs = (commands[0] as WireCommand).args.slice(1, -1);
              return plan2.settle(await exec(this.runCommands('EVAL', wrapScript(known.source, this.redis), evalArgs, commands[0]?.buffers)), strings);
            }
          }
        }
        return plan2.settle(outcomes, strings);
      },
      settle: (outcomes, strings) => {
        const original: Reply[] = new Array(segments.length);
        for (let i = 0; i < segments.length; i++) original[i] = collapse(segments[i] as Segment, outcomes, strings, !this.redis);
        return shaped(reply, original, strings);
      },
    };
    return plan2;
  }

  /** A script run through a reply key: the script (`first`: wrapped source or its SHA1) with the key appended to ARGV, GET, DEL. */
  private runCommands(name: string, first: unknown, rest: unknown[], buffers: boolean | undefined): WireCommand[] {
    const key = `ledis:script-reply:${PROCESS_ID}:${(nextKey = (nextKey + 1) % Number.MAX_SAFE_INTEGER)}`;
    return [
      { name, args: [first, ...rest, this.keyPrefix + key], buffers },
      { name: 'GET', args: [key], buffers: true },
      { name: 'DEL', args: [key] },
    ];
  }

  private wrapped(source: string | Buffer): { body: string | Buffer; sha: string } {
    const sha = scriptSha(source);
    const body = wrapScript(source, this.redis);
    if (!wrappedSha.has(this.kind + sha)) {
      if (wrappedSha.size >= MAX_SCRIPTS) wrappedSha.clear();
      wrappedSha.set(this.kind + sha, { sha: scriptSha(body), source });
    }
    return { body, sha };
  }
}

/** The plan's reply from its commands' (the first when it has no combiner); a combiner's throw is the caller's LedisError. */
function shaped(reply: Plan['reply'], replies: Reply[], strings: boolean): unknown {
  if (reply === undefined) return replies[0];
  try {
    return reply(replies, strings);
  } catch (err) {
    throw asLedisError(err, UnexpectedReplyError);
  }
}

/** A rewritten command's reply as the caller's command would have had it; throws its failure. */
function collapse(s: Segment, outcomes: readonly Outcome[], strings: boolean, prefixed: boolean): Reply {
  const own = outcomes[s.at] as Outcome;
  if (s.kind === 'run') {
    const stored = outcomes[s.at + 1] as Outcome;
    if (stored.ok && Buffer.isBuffer(stored.value)) return decodeStash(stored.value, strings, s.command, prefixed);
    // Not stored (the server refused the wrapper's SETEX): the script returned its value as LedisDB does.
    if (!own.ok) throw own.error;
    if (!stored.ok) throw stored.error;
    return own.value as Reply;
  }
  if (!own.ok) throw own.error;
  if (s.kind === 'same') return own.value as Reply;
  if (s.kind === 'exists') {
    if (!Array.isArray(own.value)) return own.value as Reply;
    const all = own.value as Reply[];
    return s.extra.map((j, i) => (j >= 0 && all[j - 1] === 1 ? 1 : (all[i] as Reply)));
  }
  // SCRIPT LOAD: the wrapped script's SHA1, then the source's, which is the reply.
  if (typeof own.value !== 'string' && !Buffer.isBuffer(own.value)) throw new UnexpectedReplyError(`SCRIPT LOAD: expected a SHA1 (bulk string), got ${describeReply(own.value)}`);
  const source = outcomes[s.at + 1] as Outcome;
  if (!source.ok) throw source.error;
  return source.value as Reply;
}

function describeReply(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
