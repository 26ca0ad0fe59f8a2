// A hostile server, byte by byte: over-long lines, headers that claim huge
// sizes, endless nesting. The parser must refuse early (a ProtocolError after
// a bounded number of bytes), keep memory tied to the bytes that arrived, and
// spend time linear in the input. Counts bytes and buffers, never milliseconds.
import { describe, expect, it } from 'vitest';
import { Parser, ProtocolError, type Reply } from '../../src/index.js';
import { PARSER_LIMITS } from '../../src/protocol/parser.js';

const CHUNK = 64 * 1024;

/**
 * Feeds `total` bytes (the `head`, then filler) in CHUNK-sized chunks until
 * the parser throws; returns how many bytes it had been given by then.
 */
function feedUntilRefused(head: string, filler: number, total: number, returnBuffers = false): { fed: number; error: unknown } {
  const parser = new Parser(() => {});
  parser.returnBuffers = returnBuffers;
  const body = Buffer.alloc(CHUNK, filler);
  let fed = 0;
  try {
    parser.execute(Buffer.from(head, 'latin1'));
    fed += head.length;
    while (fed < total) {
      parser.execute(body);
      fed += CHUNK;
    }
  } catch (error) {
    return { fed, error };
  }
  return { fed, error: null };
}

describe('hostile server bytes', () => {
  const EIGHTY_MIB = 80 * 1024 * 1024;

  for (const type of ['+', '-']) {
    it(`a "${type}" line of 80 MiB with no CR is refused once it passes the text-line limit, not at its end`, () => {
      const { fed, error } = feedUntilRefused(type, 0x61, EIGHTY_MIB);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toMatch(/longer than/);
      expect(fed).toBeLessThanOrEqual(PARSER_LIMITS.maxTextLine + CHUNK);
    });
  }

  for (const type of [':', '$', '*']) {
    it(`a "${type}" header of 80 MiB of digits with no CR is refused within its first chunk`, () => {
      const { fed, error } = feedUntilRefused(type, 0x31, EIGHTY_MIB);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(fed).toBeLessThanOrEqual(CHUNK);
    });
    it(`a "${type}" header split into 1-byte chunks is refused after a few dozen bytes`, () => {
      const parser = new Parser(() => {});
      let fed = 0;
      let error: unknown = null;
      try {
        parser.execute(Buffer.from(type));
        for (fed = 1; fed < 100_000; fed++) parser.execute(Buffer.from('1'));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProtocolError);
      expect(fed).toBeLessThanOrEqual(PARSER_LIMITS.maxHeaderLine + 2);
    });
  }

  it('a text line just under the limit, split into many chunks, parses to exactly its bytes', () => {
    const size = PARSER_LIMITS.maxTextLine - 8;
    const wire = Buffer.concat([Buffer.from('+'), Buffer.alloc(size, 0x62), Buffer.from('\r\n:7\r\n')]);
    const out: Reply[] = [];
    const parser = new Parser((r) => out.push(r));
    // 1 KiB chunks: a parser that joins the line again on every chunk copies ~512 MiB here.
    for (let i = 0; i < wire.length; i += 1024) parser.execute(wire.subarray(i, i + 1024));
    expect(out).toHaveLength(2);
    expect((out[0] as string).length).toBe(size);
    expect(out[1]).toBe(7);
  });

  it('an error line (which may echo a caller key or pattern) of 100 KiB split into 7-byte chunks parses', () => {
    const text = 'error parsing regexp: ' + 'x'.repeat(100 * 1024);
    const wire = Buffer.from(`-${text}\r\n`);
    const out: Reply[] = [];
    const parser = new Parser((r) => out.push(r));
    for (let i = 0; i < wire.length; i += 7) parser.execute(wire.subarray(i, i + 7));
    expect(out).toHaveLength(1);
    expect((out[0] as Error).message).toBe(text);
  });

  for (const buffers of [false, true]) {
    it(`"$536870912" followed by nothing allocates next to nothing (${buffers ? 'Buffer' : 'string'} mode), and memory follows the bytes that arrive`, () => {
      const parser = new Parser(() => {});
      parser.returnBuffers = buffers;
      const before = process.memoryUsage().arrayBuffers;
      parser.execute(Buffer.from('$536870912\r\n'));
      const afterHeader = process.memoryUsage().arrayBuffers;
      expect(afterHeader - before).toBeLessThan(4 * 1024 * 1024);
      const mib = Buffer.alloc(1024 * 1024, 0x63);
      for (let i = 0; i < 8; i++) parser.execute(mib);
      const afterBody = process.memoryUsage().arrayBuffers;
      // 8 MiB arrived: at most twice that is held (growth by doubling), never the 512 MiB claimed.
      expect(afterBody - before).toBeLessThan(24 * 1024 * 1024);
      expect(parser.inReply).toBe(true);
    });
  }

  it('a bulk string that grows across many chunks comes out whole and exact', () => {
    const value = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < value.length; i++) value[i] = (i * 31) & 0xff;
    const wire = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')]);
    const out: Reply[] = [];
    const parser = new Parser((r) => out.push(r));
    parser.returnBuffers = true;
    for (let i = 0; i < wire.length; i += 65_000) parser.execute(wire.subarray(i, i + 65_000));
    expect(out).toHaveLength(1);
    expect((out[0] as Buffer).equals(value)).toBe(true);
  });

  for (const header of ['*1\r\n', '*16\r\n']) {
    it(`an endless stream of ${JSON.stringify(header)} is refused at the nesting limit, within its first chunk`, () => {
      const parser = new Parser(() => {});
      const chunk = Buffer.from(header.repeat(Math.ceil(CHUNK / header.length)));
      let fed = 0;
      let error: unknown = null;
      try {
        // 16 MiB of it without the limit kept ~456 MB of heap.
        while (fed < 16 * 1024 * 1024) {
          parser.execute(chunk);
          fed += chunk.length;
        }
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toMatch(/nest/);
      expect(fed).toBe(0);
    });
  }

  it('nesting up to the limit parses (a Lua script may return nested tables)', () => {
    const depth = PARSER_LIMITS.maxDepth;
    const wire = '*1\r\n'.repeat(depth) + ':5\r\n';
    const out: Reply[] = [];
    const parser = new Parser((r) => out.push(r));
    parser.execute(Buffer.from(wire));
    let v = out[0];
    for (let i = 0; i < depth; i++) v = (v as Reply[])[0];
    expect(v).toBe(5);
    expect(() => new Parser(() => {}).execute(Buffer.from('*1\r\n'.repeat(depth + 1) + ':5\r\n'))).toThrow(ProtocolError);
  });

  it('wide arrays of small items keep a small heap cost per byte received', () => {
    const parser = new Parser(() => {});
    parser.execute(Buffer.from('*100000000\r\n'));
    const chunk = Buffer.from('*0\r\n'.repeat(CHUNK / 4));
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const total = 8 * 1024 * 1024;
    for (let fed = 0; fed < total; fed += chunk.length) parser.execute(chunk);
    const grew = process.memoryUsage().heapUsed - before;
    // 2M empty arrays: a few words each. The bound is loose on purpose (GC timing).
    expect(grew / total).toBeLessThan(16);
  });
});
