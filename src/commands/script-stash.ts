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
import { createHash } from 'node:crypto';
import { ResponseError, UnexpectedReplyError } from '../errors.js';
import { Parser, type Reply } from '../protocol/parser.js';

/**
 * The wrapper's first line: the one-off key is taken off ARGV (the caller's
 * script sees its own ARGV), then the caller's source starts on the same
 * line, so its line numbers (in error messages) are the ones it would have.
 * `function(...)` keeps a chunk's `...` legal (empty, as EVAL's is).
 */
const HEAD = 'local __ledis_key = table.remove(ARGV) local __ledis_run = function(...) ';

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
local function __ledis_pack(...) return select('#', ...), {...} end
local __ledis_n, __ledis_r = __ledis_pack(pcall(__ledis_run))
local __ledis_out
if not __ledis_r[1] then __ledis_out = __ledis_line('-', 'panic: ' .. tostring(__ledis_r[2]))
elseif __ledis_n < 2 then __ledis_out = '$-1\r\n'
else __ledis_out = __ledis_enc(__ledis_r[__ledis_n]) end
if not pcall(ledis.call, 'setex', __ledis_key, 60, __ledis_out) then
  if not __ledis_r[1] then error(__ledis_r[2], 0) end
  if __ledis_n >= 2 then return __ledis_r[__ledis_n] end
end
`;

const HEAD_BYTES = Buffer.from(HEAD);
const TAIL_BYTES = Buffer.from(TAIL);

/** How long a reply key lives if its DEL never arrives (a connection cut after the EVAL): seconds. */
export const STASH_TTL = 60;

/** SHA1 (hex) of a script's bytes, as SCRIPT LOAD and EVALSHA name it. */
export function scriptSha(source: string | Buffer): string {
  return createHash('sha1').update(source).digest('hex');
}

/** The wrapped source of `source` (bytes kept as they are: a Buffer stays a Buffer). */
export function wrapScript(source: string | Buffer): string | Buffer {
  if (typeof source === 'string') return HEAD + source + TAIL;
  return Buffer.concat([HEAD_BYTES, source, TAIL_BYTES]);
}

/**
 * The script's reply from the text the wrapper stored (a Buffer: GET's
 * reply): exactly one RESP reply, strings or Buffers as `strings` says. A
 * top-level error reply is thrown as a ResponseError of `command` (as the
 * server's own would be); anything else malformed is an UnexpectedReplyError.
 */
export function decodeStash(stored: Buffer, strings: boolean, command: string): Reply {
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
    reply.setCommand(command);
    throw reply;
  }
  return reply;
}
