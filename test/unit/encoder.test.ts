// The RESP encoder, and the one argument rule: validateArgs (pipelines, which
// encode later) and encodeCommand refuse exactly the same values, with the
// same DataError.
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/index.js';
import { encodeCommand, isArg, validateArgs } from '../../src/protocol/encoder.js';

const flat = (e: string | Array<string | Buffer>): Buffer =>
  typeof e === 'string' ? Buffer.from(e) : Buffer.concat(e.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

const ACCEPTED: [string, unknown][] = [
  ['a string', 'v'],
  ['an empty string', ''],
  ['a multi-byte string', 'ключ é 🎉'],
  ['a string with CR LF', 'a\r\nb'],
  ['an integer', 42],
  ['a negative fraction', -1.5],
  ['negative zero', -0],
  ['a huge finite number', 1e300],
  ['a bigint', 2n ** 70n],
  ['a Buffer', Buffer.from([0, 13, 10, 255])],
  ['an empty Buffer', Buffer.alloc(0)],
  ['a Uint8Array view', new Uint8Array([9, 8, 7, 6]).subarray(1, 3)],
];

const REFUSED: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['NaN', Number.NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['true', true],
  ['an object', { a: 1 }],
  ['an array', ['a']],
  ['a Date', new Date(0)],
  ['a Map', new Map()],
  ['a symbol', Symbol('s')],
  ['a function', () => 1],
  ['a Float32Array', new Float32Array(2)],
  ['a DataView', new DataView(new ArrayBuffer(2))],
  ['an ArrayBuffer', new ArrayBuffer(2)],
  ['a boxed string', Object('s')],
  ['a lone high surrogate', 'a\uD800'],
  ['a long string ending in a lone low surrogate', 'x'.repeat(40) + '\uDC00'],
];

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
}

describe('one argument rule', () => {
  it.each([...ACCEPTED, ...REFUSED])('%s: encodeCommand and validateArgs agree (and isArg says the same)', (_, value) => {
    const args = ['k', value];
    const encoded = outcome(() => encodeCommand('SET', args));
    const validated = outcome(() => validateArgs('SET', args));
    expect(validated).toBe(encoded);
    expect(isArg(value)).toBe(encoded === 'ok');
  });

  it('a refusal names the command and the argument position', () => {
    expect(() => encodeCommand('HSET', ['h', 'f', undefined])).toThrow(/HSET: argument 3 is undefined/);
    expect(() => validateArgs('HSET', ['h', 'f', undefined])).toThrow(/HSET: argument 3 is undefined/);
  });
});

describe('encoding', () => {
  it('writes a RESP array of bulk strings whose lengths are byte lengths', () => {
    expect(flat(encodeCommand('SET', ['k', 'é']))).toEqual(Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n'));
    expect(flat(encodeCommand('PING', []))).toEqual(Buffer.from('*1\r\n$4\r\nPING\r\n'));
  });

  it('numbers and bigints as their decimal text', () => {
    expect(flat(encodeCommand('INCRBY', ['n', -7, 12345678901234567890n]))).toEqual(
      Buffer.from('*4\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$2\r\n-7\r\n$20\r\n12345678901234567890\r\n'),
    );
  });

  it('passes Buffers through without copying, and a Uint8Array view by its own bytes', () => {
    const b = Buffer.from([1, 2, 3]);
    const e = encodeCommand('SET', ['k', b]);
    expect(Array.isArray(e)).toBe(true);
    expect((e as Array<string | Buffer>).includes(b)).toBe(true);
    const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    expect(flat(encodeCommand('SET', ['k', view]))).toEqual(Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\x08\x07\r\n', 'latin1'));
  });

  it('a string with CR LF inside is framed by its length, not broken', () => {
    expect(flat(encodeCommand('SET', ['k', 'a\r\nb']))).toEqual(Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n'));
  });
});
