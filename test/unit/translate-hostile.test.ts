// The translation table against a hostile server (a scripted loopback peer):
// a reply of the wrong shape for a rewritten idiom is a LedisError to that
// caller only, never a crash and never a silently wrong Redis-shaped answer.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from '../../src/compat/ioredis.js';
import { LedisError, ResponseError, UnexpectedReplyError } from '../../src/errors.js';
import { readCommands, startScriptedPeer, type ScriptedPeer } from './peer.js';

/** What the peer answers, by command name (upper case) and first argument; '+OK' otherwise. */
const replies = new Map<string, string>();
let peer: ScriptedPeer;
let redis: Redis;

beforeAll(async () => {
  peer = await startScriptedPeer((sock: net.Socket) => {
    readCommands(sock, (parts) => {
      const name = (parts[0] ?? '').toUpperCase();
      sock.write(replies.get(`${name} ${parts[1] ?? ''}`) ?? replies.get(name) ?? '+OK\r\n');
    });
  });
  redis = new Redis({ port: peer.port, host: '127.0.0.1', retryStrategy: () => null });
});
afterAll(async () => {
  redis.disconnect();
  await peer.close();
});

describe('a wrong-shaped reply to a rewritten idiom', () => {
  it.each([
    ['EXISTS fan-out with an error in one part', ['EXISTS', ':1\r\n'], ['HKEYEXISTS', '-ERR boom\r\n'], () => redis.exists('a', 'b')],
    ['EXISTS fan-out with nil in one part', ['EXISTS', ':1\r\n'], ['HKEYEXISTS', '$-1\r\n'], () => redis.exists('a')],
    ['EXISTS fan-out with a string in one part', ['EXISTS', ':1\r\n'], ['HKEYEXISTS', '+yes\r\n'], () => redis.exists('a')],
    ['SCAN whose XSCAN reply is not an array', ['XSCAN', ':5\r\n'], ['EXISTS', ':0\r\n'], () => redis.scan(0)],
    ['SCAN whose XSCAN reply has a number for keys', ['XSCAN', '*2\r\n$1\r\nk\r\n:3\r\n'], ['EXISTS', ':0\r\n'], () => redis.scan(0)],
    ['SCAN whose XSCAN reply is nil', ['XSCAN', '*-1\r\n'], ['EXISTS', ':0\r\n'], () => redis.scan(0)],
    ['TTL with nil', ['TTL', '$-1\r\n'], ['EXISTS', ':1\r\n'], () => redis.ttl('a')],
    ['TTL with a count past 2^53', ['TTL', ':1152921504606846976\r\n'], ['EXISTS', ':1\r\n'], () => redis.ttl('a')],
    ['EXISTS fan-out with 2 for a 0-or-1 answer', ['EXISTS', ':2\r\n'], ['X', ''], () => redis.exists('a')],
    ['SCAN whose cursor is an array', ['XSCAN', '*2\r\n*0\r\n*0\r\n'], ['X', ''], () => redis.scan(0)],
    ['HSCAN whose items hold an array', ['XHSCAN', '*2\r\n$0\r\n\r\n*1\r\n*0\r\n'], ['X', ''], () => redis.hscan('h', 0)],
    ['STRLEN whose GET answers an integer', ['GET', ':5\r\n'], ['X', ''], () => redis.strlen('a')],
    ['DEL fan-out with nil', ['DEL', '$-1\r\n'], ['HMCLEAR', ':0\r\n'], () => redis.del('a')],
    ['HSET with nil from HEXISTS', ['HEXISTS', '$-1\r\n'], ['HMSET', '+OK\r\n'], () => redis.hset('h', 'f', 'v', 'g', 'w')],
    ['SET k v NX with a string from SETNX', ['SETNX', '+OK\r\n'], ['X', ''], () => redis.set('a', 'v', 'NX')],
    ['TYPE with an error from one part', ['EXISTS', ':0\r\n'], ['HKEYEXISTS', '-ERR boom\r\n'], () => redis.type('a')],
    ['PTTL with a string', ['TTL', '+soon\r\n'], ['HTTL', ':-1\r\n'], () => redis.pttl('a')],
  ] as Array<[string, [string, string], [string, string], () => Promise<unknown>]>)('%s', async (_label, a, b, call) => {
    replies.clear();
    replies.set(a[0], a[1]);
    replies.set(b[0], b[1]);
    let result: unknown;
    let error: unknown;
    try {
      result = await call();
    } catch (err) {
      error = err;
    }
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(LedisError);
    // An error reply in one part is that part's ResponseError; anything else of the wrong shape names what came.
    if (!(error instanceof ResponseError)) expect(error).toBeInstanceOf(UnexpectedReplyError);
    replies.clear();
    // The connection is still usable by the next caller.
    expect(await redis.echo('next')).toBe('OK');
  });
});
