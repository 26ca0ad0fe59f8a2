// A reply key holding something other than one RESP reply (another writer, a
// hostile peer, a truncated value) is an UnexpectedReplyError, never a wrong value.
import { describe, expect, it } from 'vitest';
import { decodeStash } from '../../src/commands/script-stash.js';
import { ResponseError, UnexpectedReplyError } from '../../src/errors.js';

describe('decodeStash', () => {
  it('decodes one reply of each shape, an error one thrown as the command\'s ResponseError', () => {
    expect(decodeStash(Buffer.from(':-9223372036854775808\r\n'), true, 'EVAL')).toBe(-9223372036854775808n);
    expect(decodeStash(Buffer.from('*2\r\n$1\r\na\r\n-inner\r\n'), true, 'EVAL')).toEqual(['a', expect.any(ResponseError)]);
    expect(decodeStash(Buffer.from('$3\r\n\xff\x00\n\r\n', 'latin1'), false, 'EVAL')).toEqual(Buffer.from([0xff, 0, 0x0a]));
    expect(() => decodeStash(Buffer.from('-boom\r\n'), true, 'EVALSHA')).toThrow(ResponseError);
    expect(() => decodeStash(Buffer.from('-boom\r\n'), true, 'EVALSHA')).toThrow('EVALSHA: boom');
  });

  for (const [what, text] of [
    ['empty', ''],
    ['two replies', '+a\r\n+b\r\n'],
    ['a truncated bulk', '$5\r\nab'],
    ['a truncated array', '*3\r\n:1\r\n'],
    ['not RESP', 'hello world'],
    ['an array past the parser limit', '*999999999999\r\n'],
    ['a bare CR', '+a\rb\r\n'],
  ] as const) {
    it(`${what}: UnexpectedReplyError`, () => {
      expect(() => decodeStash(Buffer.from(text), true, 'EVAL')).toThrow(UnexpectedReplyError);
    });
  }
});

describe('lintScript with the shim (redisCalls) and strict', () => {
  const strict = { strict: true, redisCalls: true } as const;
  it("refuses what the face's strict SET refuses (PX, XX, NX with a TTL) or options it cannot read; SET NX, SET EX, GET, KEEPTTL pass", async () => {
    const { lintScript } = await import('../../src/commands/translate.js');
    expect(lintScript("return redis.call('set', KEYS[1], ARGV[1], 'NX')", strict)).toBeNull();
    expect(lintScript("return redis.call('SET', KEYS[1], ARGV[1], 'Ex', ARGV[2])", strict)).toBeNull();
    expect(lintScript("return redis.call('set', KEYS[1], ARGV[1], 'GET', 'KEEPTTL')", strict)).toBeNull();
    expect(lintScript("return redis.call('SET', KEYS[1], ARGV[1], 'nx', 'EX', ARGV[2])", strict)).toMatch(/SET with options/);
    expect(lintScript("return redis.call('set', KEYS[1], ARGV[1], 'XX')", strict)).toMatch(/SET with options/);
    expect(lintScript("return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])", strict)).toMatch(/SET with options/);
    expect(lintScript("return redis.call('set', KEYS[1], ARGV[1], ARGV[2], ARGV[3])", strict)).toMatch(/SET with options/);
    expect(lintScript("return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])", { redisCalls: true })).toBeNull();
  });
});

describe('lintScript reads all of a SET call whose arguments hold parentheses', () => {
  it("sees the options after tostring(x) (the call's text was cut at its first ')')", async () => {
    const { lintScript } = await import('../../src/commands/translate.js');
    const script = "return redis.call('set', KEYS[1], tostring(ARGV[1]), 'PX', 10)";
    expect(lintScript(script)).toMatch(/SET with options/);
    expect(lintScript(script, { strict: true, redisCalls: true })).toMatch(/SET with options/);
    expect(lintScript("return redis.call('set', KEYS[1], tostring(ARGV[1]))")).toBeNull();
    expect(lintScript("return redis.call('set', KEYS[1], ')') .. redis.call('get', 'a', 'b')")).toBeNull();
  });
});
