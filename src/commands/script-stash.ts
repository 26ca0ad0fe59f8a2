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
 */
const HEAD = 'local __ledis_key = table.remove(ARGV) local __ledis_real = ledis local __ledis_run = function(...) ';
/**
 * The same for a script written for Redis (the compat faces): `redis` and
 * `ledis` are locals of the wrapper, pointed at the shim (SHIM) before the
 * script runs.
 */
const HEAD_REDIS = 'local __ledis_key = table.remove(ARGV) local __ledis_real = ledis local redis, ledis = ledis, ledis local __ledis_run = function(...) ';

/** The rest: the encoder (mirrors luaValueToLedisValue and writeValue), the run, the SETEX. */
const TAIL = String.raw`
end
local function __ledis_line(c, s) return c .. string.gsub(tostring(s), '[\r\n]', ' ') .. '\r\n' end
local __ledis_enc
__ledis_enc = function(v)
  local t = type(v)
  if t == 'string' then return '$' .. #v .. '\r\n' .. v .. '\r\n' end
  if t == 'number' then
    if v ~= v or v >= 9223372036854775807 or v < -9223372036854775808 then return ':-9223372036854775808\r\n' end
    if v >= 0 then v = math.floor(v) else v = math.ceil(v) end
    return ':' .. string.format('%.0f', v) .. '\r\n'
  end
  if t == 'boolean' then if v then return ':1\r\n' end return '$-1\r\n' end
  if t ~= 'table' then return '$-1\r\n' end
  local flat, n = {}, 0
  for k, x in pairs(v) do
    if type(k) == 'string' then return __ledis_line('-', 'only array-tables are supported: ' .. string.format('%q', tostring(v))) end
    n = n + 1
    flat[n] = x
  end
  if n == 0 then return '$-1\r\n' end
  if n <= 2 and type(flat[1]) == 'string' then
    local w = string.lower(flat[1])
    if w == 'ok' then if n == 2 then return __ledis_line('+', flat[2]) end return '+ok\r\n' end
    if w == 'err' then if n == 2 then return __ledis_line('-', flat[2]) end return '-err\r\n' end
  end
  local parts = {}
  for i = 1, n do parts[i] = __ledis_enc(flat[i]) end
  return '*' .. n .. '\r\n' .. table.concat(parts)
end
`;

/**
 * Redis's forms of the commands a Redis script calls that LedisDB's Lua has
 * not (or answers otherwise), in LedisDB's commands; everything else goes to
 * LedisDB as it is. As the translation table does for the faces
 * (src/commands/translate.ts): a key is looked for in LedisDB's five
 * keyspaces (KV, hash, list, set, zset) by DEL/UNLINK, EXISTS (the count of
 * keys named that exist), EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT (a past expiry
 * deletes), TTL/PTTL (-2: no key), PERSIST and TYPE; SET clears the TTL
 * (LedisDB's keeps it: a PERSIST first), SET's NX/XX/EX/PX/KEEPTTL; PTTL,
 * PEXPIRE, PEXPIREAT and PSETEX in whole seconds (rounded up; PTTL is the
 * TTL times 1000). `pcall` answers an error as LedisDB's does
 * ({'err', message}).
 */
const SHIM = String.raw`
local __ledis_types = {
  {'string', 'exists', 'expire', 'expireat', 'ttl', 'persist', 'del'},
  {'hash', 'hkeyexists', 'hexpire', 'hexpireat', 'httl', 'hpersist', 'hclear'},
  {'list', 'lkeyexists', 'lexpire', 'lexpireat', 'lttl', 'lpersist', 'lclear'},
  {'set', 'skeyexists', 'sexpire', 'sexpireat', 'sttl', 'spersist', 'sclear'},
  {'zset', 'zkeyexists', 'zexpire', 'zexpireat', 'zttl', 'zpersist', 'zclear'},
}
local function __ledis_typeof(call, k)
  for _, t in ipairs(__ledis_types) do if call(t[2], k) == 1 then return t end end
  return nil
end
local function __ledis_clear(call, k)
  local t = __ledis_typeof(call, k)
  if t == nil then return 0 end
  for _, u in ipairs(__ledis_types) do call(u[7], k) end
  return 1
end
local function __ledis_num(v)
  local n = tonumber(v)
  if n == nil then error('value is not an integer or out of range') end
  return n
end
local function __ledis_expire(call, k, secs, at)
  local t = __ledis_typeof(call, k)
  if t == nil then return 0 end
  if not at and secs <= 0 then return __ledis_clear(call, k) end
  if not at then return call(t[3], k, secs) end
  -- A time already past: LedisDB refuses it (errExpireValue); Redis deletes the key.
  local r = __ledis_real.pcall(t[4], k, secs)
  if type(r) == 'table' then return __ledis_clear(call, k) end
  return r
end
local function __ledis_tr(name, ...)
  local call = __ledis_real.call
  local c = string.upper(tostring(name))
  local n = select('#', ...)
  local a = {...}
  if c == 'SET' and n >= 2 then
    local k, v = a[1], a[2]
    local nx, xx, keep, secs = false, false, false, nil
    local i = 3
    while i <= n do
      local o = string.upper(tostring(a[i]))
      if o == 'NX' and not xx then nx = true
      elseif o == 'XX' and not nx then xx = true
      elseif o == 'KEEPTTL' and secs == nil then keep = true
      elseif (o == 'EX' or o == 'PX') and i < n and secs == nil and not keep then
        i = i + 1
        local t = tonumber(a[i])
        if t == nil or t <= 0 then error('invalid expire time in set') end
        if o == 'EX' then secs = t else secs = math.ceil(t / 1000) end
      else error('syntax error in SET at ' .. o .. ': LedisDB scripts take NX | XX, EX s | PX ms | KEEPTTL') end
      i = i + 1
    end
    if nx then
      if call('setnx', k, v) == 0 then return false end
      if secs ~= nil then call('expire', k, secs) end
      return {'ok', 'OK'}
    end
    if xx and call('exists', k) == 0 then return false end
    if secs ~= nil then return call('setex', k, secs, v) end
    if not keep then call('persist', k) end
    return call('set', k, v)
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
  if c == 'PEXPIRE' and n == 2 then return __ledis_expire(call, a[1], math.ceil(__ledis_num(a[2]) / 1000), false) end
  if c == 'EXPIREAT' and n == 2 then return __ledis_expire(call, a[1], __ledis_num(a[2]), true) end
  if c == 'PEXPIREAT' and n == 2 then return __ledis_expire(call, a[1], math.ceil(__ledis_num(a[2]) / 1000), true) end
  if (c == 'TTL' or c == 'PTTL') and n == 1 then
    local t = __ledis_typeof(call, a[1])
    if t == nil then return -2 end
    local s = call(t[5], a[1])
    if c == 'PTTL' and s > 0 then return s * 1000 end
    return s
  end
  if c == 'PERSIST' and n == 1 then
    local t = __ledis_typeof(call, a[1])
    if t == nil then return 0 end
    return call(t[6], a[1])
  end
  if c == 'TYPE' and n == 1 then
    local t = __ledis_typeof(call, a[1])
    if t == nil then return {'ok', 'none'} end
    return {'ok', t[1]}
  end
  if c == 'PSETEX' and n == 3 then return call('setex', a[1], math.ceil(__ledis_num(a[2]) / 1000), a[3]) end
  return call(name, ...)
end
local __ledis_shim = {}
for k, v in pairs(__ledis_real) do __ledis_shim[k] = v end
__ledis_shim.call = __ledis_tr
__ledis_shim.pcall = function(...)
  local ok, r = pcall(__ledis_tr, ...)
  if ok then return r end
  return {'err', tostring(r)}
end
redis, ledis = __ledis_shim, __ledis_shim
`;

/** The run: the script under pcall, its reply encoded and stored, or (where it cannot be stored) returned. */
const RUN = String.raw`
local function __ledis_pack(...) return select('#', ...), {...} end
local __ledis_n, __ledis_r = __ledis_pack(pcall(__ledis_run))
local __ledis_out
if not __ledis_r[1] then __ledis_out = __ledis_line('-', 'panic: ' .. tostring(__ledis_r[2]))
elseif __ledis_n < 2 then __ledis_out = '$-1\r\n'
else __ledis_out = __ledis_enc(__ledis_r[__ledis_n]) end
if not pcall(__ledis_real.call, 'setex', __ledis_key, 60, __ledis_out) then
  if not __ledis_r[1] then error(__ledis_r[2], 0) end
  if __ledis_n >= 2 then return __ledis_r[__ledis_n] end
end
`;

/** The two wrappers: [head, tail] as text and as bytes; `redis` true: a script written for Redis (through SHIM). */
const WRAPPERS = {
  ledis: [HEAD, TAIL + RUN],
  redis: [HEAD_REDIS, TAIL + SHIM + RUN],
} as const;
const WRAPPER_BYTES = {
  ledis: [Buffer.from(WRAPPERS.ledis[0]), Buffer.from(WRAPPERS.ledis[1])],
  redis: [Buffer.from(WRAPPERS.redis[0]), Buffer.from(WRAPPERS.redis[1])],
} as const;

/** How long a reply key lives if its DEL never arrives (a connection cut after the EVAL): seconds. */
export const STASH_TTL = 60;

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

/** Most SHA1s remembered (each a pair of 40-character strings); past it the table starts again. */
const MAX_SCRIPTS = 4096;

type Segment =
  | { kind: 'same'; at: number }
  | { kind: 'run'; at: number; command: string }
  | { kind: 'load'; at: number };

function wordOf(v: unknown): string {
  return typeof v === 'string' ? v.toUpperCase() : Buffer.isBuffer(v) ? v.toString('latin1').toUpperCase() : '';
}

function shaArg(v: unknown): string | null {
  const s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : null;
  return s === null ? null : s.toLowerCase();
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
}

/**
 * The wrapped script's SHA1 by the SHA1 of each source seen in this process,
 * prefixed 'l' (LedisDB's calls) or 'r' (through the Redis shim): a pure
 * function of the source, so one table serves every client.
 */
const wrappedSha = new Map<string, string>();
/** This process's part of every reply key (two processes never share one). */
const PROCESS_ID = randomBytes(6).toString('base64url');
let nextKey = 0;

/** Runs scripts of one client (or face) through reply keys. */
export class ScriptReplies {
  /** The SHA1 table's key prefix for this kind of wrapper. */
  private readonly kind: string;

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
      if ((c.name === 'EVAL' && isSource(args[0])) || (c.name === 'EVALSHA' && wrappedSha.has(this.kind + (shaArg(args[0]) ?? '')))) {
        const first = c.name === 'EVAL' ? this.wrapped(args[0] as string | Buffer).body : (wrappedSha.get(this.kind + (shaArg(args[0]) as string)) as string);
        const key = `ledis:script-reply:${PROCESS_ID}:${(nextKey = (nextKey + 1) % Number.MAX_SAFE_INTEGER)}`;
        const rest = args.slice(1);
        rest.push(this.keyPrefix + key);
        commands.push({ name: c.name, args: [first, ...rest], buffers: c.buffers }, { name: 'GET', args: [key], buffers: true }, { name: 'DEL', args: [key] });
        segments.push({ kind: 'run', at, command: c.name });
        changed = true;
      } else if (c.name === 'SCRIPT' && wordOf(args[0]) === 'LOAD' && args.length === 2 && isSource(args[1])) {
        // Both: the wrapped one for this client's EVALSHA, the source itself for a pipeline's or another client's (SCRIPT LOAD leaves the stack as it was).
        commands.push({ name: 'SCRIPT', args: [args[0], this.wrapped(args[1]).body], buffers: c.buffers }, c);
        segments.push({ kind: 'load', at });
        changed = true;
      } else if (c.name === 'SCRIPT' && wordOf(args[0]) === 'EXISTS') {
        const mapped = args.map((a, i) => (i === 0 ? a : (wrappedSha.get(this.kind + (shaArg(a) ?? '')) ?? a)));
        commands.push({ name: 'SCRIPT', args: mapped, buffers: c.buffers });
        segments.push({ kind: 'same', at });
        changed = true;
      } else {
        commands.push(c);
        segments.push({ kind: 'same', at });
      }
    }
    if (!changed) return null;
    const reply = plan.reply;
    return {
      commands,
      settle: (outcomes, strings) => {
        const original: Reply[] = new Array(segments.length);
        for (let i = 0; i < segments.length; i++) original[i] = collapse(segments[i] as Segment, outcomes, strings, !this.redis);
        if (reply === undefined) return original[0];
        try {
          return reply(original, strings);
        } catch (err) {
          throw asLedisError(err, UnexpectedReplyError);
        }
      },
    };
  }

  private wrapped(source: string | Buffer): { body: string | Buffer; sha: string } {
    const sha = scriptSha(source);
    const body = wrapScript(source, this.redis);
    if (!wrappedSha.has(this.kind + sha)) {
      if (wrappedSha.size >= MAX_SCRIPTS) wrappedSha.clear();
      wrappedSha.set(this.kind + sha, scriptSha(body));
    }
    return { body, sha };
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
  // SCRIPT LOAD: the wrapped script's SHA1, then the source's, which is the reply.
  if (typeof own.value !== 'string' && !Buffer.isBuffer(own.value)) throw new UnexpectedReplyError(`SCRIPT LOAD: expected a SHA1 (bulk string), got ${describeReply(own.value)}`);
  const source = outcomes[s.at + 1] as Outcome;
  if (!source.ok) throw source.error;
  return source.value as Reply;
}

function describeReply(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
