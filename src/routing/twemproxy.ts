// What twemproxy (nutcracker 0.5.0, Debian's package) does with LedisDB's
// commands. It forwards only the Redis commands its parser knows; on any
// other it closes the client connection without a reply, which would fail
// every command in flight on that connection. A client made with
// `proxy: 'twemproxy'` refuses these commands before sending instead.
//
// The list was measured, not guessed: test/sharding/twemproxy.test.ts sends
// every command LedisDB registers through a real nutcracker (with 0 to 5
// arguments) and checks that exactly these are the ones it never answers.
import { ResponseError } from '../errors.js';

/** LedisDB commands nutcracker 0.5.0 does not forward (it closes the connection on them). */
export const TWEMPROXY_REFUSED: ReadonlySet<string> = new Set([
  // LedisDB's own per-type commands
  'HCLEAR', 'HMCLEAR', 'HEXPIRE', 'HEXPIREAT', 'HTTL', 'HPERSIST', 'HKEYEXISTS', 'HDUMP',
  'LCLEAR', 'LMCLEAR', 'LEXPIRE', 'LEXPIREAT', 'LTTL', 'LPERSIST', 'LKEYEXISTS', 'LDUMP', 'LTRIM_BACK', 'LTRIM_FRONT',
  'SCLEAR', 'SMCLEAR', 'SEXPIRE', 'SEXPIREAT', 'STTL', 'SPERSIST', 'SKEYEXISTS', 'SDUMP',
  'ZCLEAR', 'ZMCLEAR', 'ZEXPIRE', 'ZEXPIREAT', 'ZTTL', 'ZPERSIST', 'ZKEYEXISTS', 'ZDUMP',
  // LedisDB's scans, sorts, dump/restore and migration
  'XSCAN', 'XHSCAN', 'XSSCAN', 'XZSCAN', 'XLSORT', 'XSSORT', 'XZSORT', 'XDUMP', 'XRESTORE', 'XMIGRATE', 'XMIGRATEDB', 'XSELECT',
  // Redis commands twemproxy does not shard
  'BITOP', 'BLPOP', 'BRPOP', 'BRPOPLPUSH', 'ECHO', 'SELECT', 'SCRIPT', 'INFO', 'CONFIG', 'TIME', 'ROLE',
  'FLUSHALL', 'FLUSHDB', 'SHUTDOWN', 'SLAVEOF', 'SYNC', 'FULLSYNC', 'REPLCONF',
  // twemproxy closes the connection on QUIT by design (so quit() still works)
  'QUIT',
]);

/** The error a `proxy: 'twemproxy'` client gives for a command the proxy would not forward. */
export function twemproxyRefusal(command: string): ResponseError {
  return new ResponseError(
    'twemproxy does not forward this command (it would close the connection); send it to a LedisDB server directly',
    command,
  );
}

/** The refusal for `command` behind `proxy`, or null when it may be sent. */
export function proxyRefusal(proxy: 'twemproxy' | undefined, command: string): ResponseError | null {
  if (proxy !== 'twemproxy') return null;
  const name = command.toUpperCase();
  return TWEMPROXY_REFUSED.has(name) && name !== 'QUIT' ? twemproxyRefusal(name) : null;
}
