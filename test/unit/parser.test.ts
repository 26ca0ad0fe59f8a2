// The incremental RESP parser on its own: replies split at every byte
// boundary, many replies per chunk, malformed input, nesting, nulls and
// empties, integers beyond 2^53, Buffer mode and string mode.
import { describe, expect, it } from 'vitest';
import { Parser, ProtocolError, ResponseError, type Reply } from '../../src/index.js';
import { PARSER_LIMITS } from '../../src/protocol/parser.js';

/** Feeds `chunks` to a fresh parser; returns every reply handed out, in order. */
function parse(chunks: Array<Buffer | string>, returnBuffers = false): Reply[] {
  const out: Reply[] = [];
  const parser = new Parser((r) => out.push(r));
  parser.returnBuffers = returnBuffers;
  for (const c of chunks) parser.execute(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  return out;
}

/** Splits `wire` at `cuts` (sorted byte offsets). */
function splitAt(wire: Buffer, cuts: number[]): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (const c of cuts) {
    parts.push(wire.subarray(from, c));
    from = c;
  }
  parts.push(wire.subarray(from));
  return parts;
}

/** Copies, so no test depends on the parser keeping a view of a chunk it was given. */
function copies(parts: Buffer[]): Buffer[] {
  return parts.map((p) => Buffer.from(p));
}

const samples: Array<{ name: string; wire: string; value: Reply }> = [
  { name: 'simple string', wire: '+OK\r\n', value: 'OK' },
  { name: 'empty simple string', wire: '+\r\n', value: '' },
  { name: 'error', wire: '-invalid command param\r\n', value: new ResponseError('invalid command param') },
  { name: 'integer', wire: ':1234\r\n', value: 1234 },
  { name: 'negative integer', wire: ':-42\r\n', value: -42 },
  { name: 'zero', wire: ':0\r\n', value: 0 },
  { name: 'bulk string', wire: '$11\r\nhello world\r\n', value: 'hello world' },
  { name: 'bulk holding CRLF', wire: '$6\r\na\r\nb\r\n\r\n', value: 'a\r\nb\r\n' },
  { name: 'empty bulk', wire: '$0\r\n\r\n', value: '' },
  { name: 'null bulk', wire: '$-1\r\n', value: null },
  { name: 'empty array', wire: '*0\r\n', value: [] },
  { name: 'null array', wire: '*-1\r\n', value: null },
  { name: 'array of bulks', wire: '*3\r\n$1\r\na\r\n$2\r\nbb\r\n$3\r\nccc\r\n', value: ['a', 'bb', 'ccc'] },
  {
    name: 'nested mixed array',
    wire: '*4\r\n:1\r\n*2\r\n$-1\r\n*0\r\n-oops\r\n*1\r\n*1\r\n+deep\r\n',
    value: [1, [null, []], new ResponseError('oops'), [['deep']]],
  },
  { name: 'integer beyond 2^53', wire: ':9223372036854775807\r\n', value: 9223372036854775807n },
  { name: 'integer below -2^53', wire: ':-9223372036854775808\r\n', value: -9223372036854775808n },
];

describe('replies split across chunks', () => {
  for (const s of samples) {
    it(`${s.name}: split in two at every byte boundary, it resolves once with the same value`, () => {
      const wire = Buffer.from(s.wire, 'latin1');
      for (let k = 0; k <= wire.length; k++) {
        expect(parse(copies(splitAt(wire, [k]))), `split at ${k}`).toEqual([s.value]);
      }
    });
  }

  it('every sample, split in three at every pair of boundaries, resolves to the same value', () => {
    for (const s of samples) {
      const wire = Buffer.from(s.wire, 'latin1');
      for (let i = 0; i <= wire.length; i++) {
        for (let j = i; j <= wire.length; j++) {
          expect(parse(copies(splitAt(wire, [i, j]))), `${s.name} split at ${i},${j}`).toEqual([s.value]);
        }
      }
    }
  });

  it('all samples back to back, fed one byte at a time, come out in order', () => {
    const wire = Buffer.from(samples.map((s) => s.wire).join(''), 'latin1');
    const oneByte = Array.from({ length: wire.length }, (_, i) => wire.subarray(i, i + 1));
    expect(parse(copies(oneByte))).toEqual(samples.map((s) => s.value));
  });

  it('a multi-byte UTF-8 character split between chunks decodes whole', () => {
    const text = 'prix: 12€ 🎉 ok';
    const wire = Buffer.concat([Buffer.from(`$${Buffer.byteLength(text)}\r\n`), Buffer.from(text), Buffer.from('\r\n')]);
    for (let k = 0; k <= wire.length; k++) expect(parse(copies(splitAt(wire, [k])))).toEqual([text]);
  });

  it('a 1 MiB bulk in 1,000-byte chunks resolves once with every byte in place', () => {
    const body = Buffer.alloc(1 << 20);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const wire = Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, Buffer.from('\r\n:5\r\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 1000) chunks.push(wire.subarray(i, i + 1000));
    const out = parse(chunks, true);
    expect(out).toHaveLength(2);
    expect(Buffer.compare(out[0] as Buffer, body)).toBe(0);
    expect(out[1]).toBe(5);
  });
});

describe('many replies per chunk', () => {
  it('10,000 replies in one chunk are handed out once each, in order', () => {
    const wire = Array.from({ length: 10000 }, (_, i) => (i % 2 ? `$${String(i).length}\r\n${i}\r\n` : `:${i}\r\n`)).join('');
    const out = parse([wire]);
    expect(out).toEqual(Array.from({ length: 10000 }, (_, i) => (i % 2 ? String(i) : i)));
  });

  it('chunks that each end inside a different reply still yield every reply in order', () => {
    const replies = Array.from({ length: 500 }, (_, i) => `*2\r\n$${String(i).length}\r\n${i}\r\n:${-i}\r\n`).join('');
    const wire = Buffer.from(replies);
    // Chunk sizes 1..97 cycling, so boundaries land on every kind of position.
    const cuts: number[] = [];
    for (let at = 0, n = 1; at < wire.length; n = (n % 97) + 1) cuts.push((at += n));
    const out = parse(splitAt(wire, cuts.filter((c) => c < wire.length)));
    expect(out).toEqual(Array.from({ length: 500 }, (_, i) => [String(i), i === 0 ? 0 : -i]));
  });
});

describe('nesting, nulls and empties', () => {
  it('an array nested as deep as the limit allows (128) comes back with the same shape', () => {
    const depth = PARSER_LIMITS.maxDepth;
    const wire = '*1\r\n'.repeat(depth) + ':7\r\n';
    let expected: Reply = 7;
    for (let i = 0; i < depth; i++) expected = [expected];
    expect(parse([wire])).toEqual([expected]);
  });

  it('null and empty bulks and arrays inside arrays keep their places', () => {
    const wire = '*6\r\n$-1\r\n$0\r\n\r\n*-1\r\n*0\r\n*2\r\n$-1\r\n*0\r\n$1\r\nx\r\n';
    expect(parse([wire])).toEqual([[null, '', null, [], [null, []], 'x']]);
    expect(parse([wire], true)).toEqual([[null, Buffer.alloc(0), null, [], [null, []], Buffer.from('x')]]);
  });

  it('error replies inside arrays are ResponseError values, not thrown', () => {
    const out = parse(['*2\r\n-first failed\r\n+OK\r\n']);
    expect(out[0]).toEqual([new ResponseError('first failed'), 'OK']);
    expect((out[0] as Reply[])[0]).toBeInstanceOf(ResponseError);
  });
});

describe('integers', () => {
  it('safe integers are numbers; beyond 2^53 they are exact bigints, never rounded', () => {
    const cases: Array<[string, number | bigint]> = [
      ['9007199254740991', 9007199254740991],
      ['-9007199254740991', -9007199254740991],
      ['9007199254740992', 9007199254740992n],
      ['-9007199254740992', -9007199254740992n],
      ['9007199254740993', 9007199254740993n],
      ['1000000000000000', 1000000000000000],
      ['12345678901234567', 12345678901234567n],
      ['18446744073709551615', 18446744073709551615n],
      ['00000000000000000042', 42],
    ];
    for (const [text, value] of cases) {
      const out = parse([`:${text}\r\n`]);
      expect(out, text).toEqual([value]);
      expect(typeof out[0], text).toBe(typeof value);
    }
  });
});

describe('Buffer mode and string mode', () => {
  it('bulk and simple strings are Buffers in Buffer mode, strings otherwise; integers, nulls and errors are the same', () => {
    const wire = '$3\r\nabc\r\n+OK\r\n:5\r\n$-1\r\n-bad\r\n';
    expect(parse([wire])).toEqual(['abc', 'OK', 5, null, new ResponseError('bad')]);
    expect(parse([wire], true)).toEqual([Buffer.from('abc'), Buffer.from('OK'), 5, null, new ResponseError('bad')]);
  });

  it('binary bytes survive in Buffer mode, split or whole', () => {
    const body = Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80, 0xc3]);
    const wire = Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, Buffer.from('\r\n')]);
    for (let k = 0; k <= wire.length; k++) {
      const out = parse(copies(splitAt(wire, [k])), true);
      expect(Buffer.compare(out[0] as Buffer, body), `split at ${k}`).toBe(0);
    }
  });

  it('the mode can change between replies of one chunk: each reply uses the mode set when it starts', () => {
    const out: Reply[] = [];
    const parser = new Parser((r) => {
      out.push(r);
      parser.returnBuffers = out.length % 2 === 1;
    });
    parser.execute(Buffer.from('$1\r\na\r\n$1\r\nb\r\n*2\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'));
    expect(out).toEqual(['a', Buffer.from('b'), ['c', 'd'], Buffer.from('e')]);
  });
});

describe('malformed input', () => {
  const bad: Array<[string, string]> = [
    ['unknown type byte', '!oops\r\n'],
    ['CR without LF', '+OK\rX'],
    ['bulk not terminated by CRLF', '$3\r\nabcde\r\n'],
    ['bulk length -2', '$-2\r\n'],
    ['array length -5', '*-5\r\n'],
    ['non-digit bulk length', '$1x\r\na\r\n'],
    ['empty bulk length', '$\r\n\r\n'],
    ['non-digit integer', ':12a\r\n'],
    ['empty integer', ':\r\n'],
    ['lone minus integer', ':-\r\n'],
    ['integer of 21 digits', ':123456789012345678901\r\n'],
    ['length of 11 digits', '$12345678901\r\n'],
    ['bulk larger than the limit', '$999999999\r\n'],
    ['array larger than the limit', '*999999999\r\n'],
  ];
  for (const [name, wire] of bad) {
    it(`${name}: ProtocolError, whole or split at any byte`, () => {
      const bytes = Buffer.from(wire, 'latin1');
      for (let k = 0; k <= bytes.length; k++) {
        expect(() => parse(copies(splitAt(bytes, [k]))), `split at ${k}`).toThrow(ProtocolError);
      }
    });
  }

  it('after a ProtocolError the parser refuses all input until reset(), then parses cleanly', () => {
    const out: Reply[] = [];
    const parser = new Parser((r) => out.push(r));
    expect(() => parser.execute(Buffer.from(':1\r\n!bad\r\n'))).toThrow(ProtocolError);
    expect(out).toEqual([1]);
    expect(() => parser.execute(Buffer.from(':2\r\n'))).toThrow(ProtocolError);
    expect(out).toEqual([1]);
    parser.reset();
    parser.execute(Buffer.from(':3\r\n'));
    expect(out).toEqual([1, 3]);
  });

  it('reset() in the middle of a reply forgets it', () => {
    const out: Reply[] = [];
    const parser = new Parser((r) => out.push(r));
    parser.execute(Buffer.from('*2\r\n$5\r\nhel'));
    expect(parser.inReply).toBe(true);
    parser.reset();
    expect(parser.inReply).toBe(false);
    parser.execute(Buffer.from('+fresh\r\n'));
    expect(out).toEqual(['fresh']);
  });
});

describe('hostile headers', () => {
  it('an array header claiming 30 million elements costs memory only as elements arrive (a few such headers used to abort the process)', () => {
    const out: Reply[] = [];
    const parser = new Parser((r) => out.push(r));
    const before = process.memoryUsage().heapUsed;
    // 22 bytes of input; preallocating 30M slots per header took about 230 MiB each.
    parser.execute(Buffer.from('*30000000\r\n*30000000\r\n'));
    const grown = process.memoryUsage().heapUsed - before;
    expect(parser.inReply).toBe(true);
    expect(grown).toBeLessThan(16 * 1048576);
    // Many such headers in one chunk, nested: refused at the nesting limit, memory stays small.
    parser.reset();
    const many = Buffer.from('*30000000\r\n'.repeat(100000));
    const before2 = process.memoryUsage().heapUsed;
    expect(() => parser.execute(many)).toThrow(/nested deeper/);
    expect(process.memoryUsage().heapUsed - before2).toBeLessThan(16 * 1048576);
    // The claimed count still rules: the array ends only when every element came.
    parser.reset();
    parser.execute(Buffer.from('*3\r\n:1\r\n:2\r\n'));
    expect(out).toEqual([]);
    parser.execute(Buffer.from(':3\r\n'));
    expect(out).toEqual([[1, 2, 3]]);
  });
});

describe('large bulk strings split across chunks', () => {
  // Past 16 KiB a split bulk wanted as a string is decoded as its chunks arrive.
  const text = 'é€😀a'.repeat(6000); // 60,000 bytes, multi-byte characters cut by most chunk sizes
  const wire = Buffer.from(`$${Buffer.byteLength(text)}\r\n${text}\r\n:7\r\n$${Buffer.byteLength(text)}\r\n${text}\r\n`);

  for (const size of [1, 3, 1000, 4096, 16385, 65536]) {
    it(`decodes whole, in string and Buffer mode, fed in ${size}-byte chunks`, () => {
      for (const buffers of [false, true]) {
        const out: Reply[] = [];
        const parser = new Parser((r) => out.push(r));
        parser.returnBuffers = buffers;
        for (let i = 0; i < wire.length; i += size) parser.execute(wire.subarray(i, Math.min(wire.length, i + size)));
        const expected = buffers ? Buffer.from(text) : text;
        expect(out).toEqual([expected, 7, expected]);
      }
    });
  }
});

describe('short bulk strings', () => {
  it('decodes short ASCII and short multi-byte values alike, whole and split', () => {
    const values = ['', 'a', 'hello', '12345678', '123456789', 'é', 'aé', '€uro', '😀', 'abcdefé'];
    const wire = Buffer.from(values.map((v) => `$${Buffer.byteLength(v)}\r\n${v}\r\n`).join(''));
    for (const size of [1, 2, 5, wire.length]) {
      const out: Reply[] = [];
      const parser = new Parser((r) => out.push(r));
      for (let i = 0; i < wire.length; i += size) parser.execute(wire.subarray(i, Math.min(wire.length, i + size)));
      expect(out).toEqual(values);
    }
  });
});
