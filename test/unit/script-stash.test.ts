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
