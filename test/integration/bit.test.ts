import { afterAll, describe, expect, it } from 'vitest';
import { DataError, PipelineError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const p = prefix('bit');
afterAll(() => ledis.quit());

describe('bit commands on KV strings', () => {
  it('setbit returns the previous bit and getbit reads it back; bits beyond the value read 0', async () => {
    expect(await ledis.setbit(p + 'a', 7, 1)).toBe(0);
    expect(await ledis.setbit(p + 'a', 7, true)).toBe(1);
    expect(await ledis.getbit(p + 'a', 7)).toBe(1);
    expect(await ledis.getbit(p + 'a', 6)).toBe(0);
    expect(await ledis.getbit(p + 'a', 10_000)).toBe(0);
    expect(await ledis.get(p + 'a')).toBe('\x01');
  });

  it('bitcount counts set bits in the whole value or a byte range, negative ends counting from the end', async () => {
    await ledis.set(p + 'c', 'foobar');
    expect(await ledis.bitcount(p + 'c')).toBe(26);
    expect(await ledis.bitcount(p + 'c', 0, 0)).toBe(4);
    expect(await ledis.bitcount(p + 'c', 1, 1)).toBe(6);
    expect(await ledis.bitcount(p + 'c', -1)).toBe(4);
    expect(await ledis.bitcount(p + 'missing')).toBe(0);
  });

  it('bitpos finds the first 1 or 0 bit, within a byte range, and -1 when there is none', async () => {
    await ledis.set(p + 'pos', Buffer.from([0x00, 0xff, 0xf0]));
    expect(await ledis.bitpos(p + 'pos', 1)).toBe(8);
    expect(await ledis.bitpos(p + 'pos', 0)).toBe(0);
    expect(await ledis.bitpos(p + 'pos', 0, 1)).toBe(20);
    expect(await ledis.bitpos(p + 'pos', 1, 2, 2)).toBe(16);
    expect(await ledis.bitpos(p + 'missing', 1)).toBe(-1);
  });

  it('bitop AND / OR / XOR of two keys stores the result and returns its length', async () => {
    await ledis.set(p + 'x', Buffer.from([0b1100]));
    await ledis.set(p + 'y', Buffer.from([0b1010, 0xff]));
    expect(await ledis.bitop('AND', p + 'and', p + 'x', p + 'y')).toBe(2);
    expect(await ledis.bitop('or', p + 'or', [p + 'x', p + 'y'])).toBe(2);
    expect(await ledis.bitop('xor', p + 'xor', p + 'x', p + 'y')).toBe(2);
    const dec = client({ decodeResponses: false });
    try {
      expect(await dec.get(p + 'and')).toEqual(Buffer.from([0b1000, 0x00]));
      expect(await dec.get(p + 'or')).toEqual(Buffer.from([0b1110, 0xff]));
      expect(await dec.get(p + 'xor')).toEqual(Buffer.from([0b0110, 0xff]));
    } finally {
      await dec.quit();
    }
  });

  it('bitop with a single source key (so NOT too) writes nothing and replies 0 on this LedisDB', async () => {
    await ledis.set(p + 'one', 'A');
    expect(await ledis.bitop('NOT', p + 'not', p + 'one')).toBe(0);
    expect(await ledis.bitop('OR', p + 'copy', p + 'one')).toBe(0);
    expect(await ledis.get(p + 'not')).toBeNull();
    expect(await ledis.get(p + 'copy')).toBeNull();
  });

  it('refuses bad operations, offsets and bit values with a DataError naming the command, before sending', async () => {
    const conn = ledis.connectionPool.shared();
    await ledis.ping();
    const before = conn.writeCount;
    await expect(ledis.bitop('NAND' as never, p + 'd', p + 'x', p + 'y')).rejects.toThrow(/BITOP: operation must be one of AND, OR, XOR, NOT/);
    await expect(ledis.bopt('nope' as never, p + 'd', p + 'x')).rejects.toMatchObject({ name: 'DataError', command: 'BOPT' });
    await expect(ledis.bitop('NOT', p + 'd', p + 'x', p + 'y')).rejects.toThrow(/exactly one source key/);
    await expect(ledis.bitop('AND', p + 'd')).rejects.toThrow(DataError);
    await expect(ledis.setbit(p + 'd', -1, 1)).rejects.toThrow(/SETBIT: offset must be an integer in \[0, 4294967295\]/);
    await expect(ledis.setbit(p + 'd', 2 ** 32, 1)).rejects.toThrow(DataError);
    await expect(ledis.setbit(p + 'd', 1.5, 1)).rejects.toThrow(DataError);
    await expect(ledis.setbit(p + 'd', 1, 2 as never)).rejects.toThrow(/SETBIT: bit value must be 0, 1 or a boolean/);
    await expect(ledis.getbit(p + 'd', -3)).rejects.toThrow(/GETBIT/);
    await expect(ledis.bitcount(p + 'd', undefined, 3)).rejects.toThrow(/BITCOUNT: end given without start/);
    await expect(ledis.bitpos(p + 'd', 3 as never)).rejects.toThrow(/BITPOS/);
    expect(conn.writeCount).toBe(before);
  });
});

describe("ledis-py's legacy bitmap methods on today's server", () => {
  it('bmsetbit sets every pair in one socket write and resolves to the number of pairs', async () => {
    const key = p + 'bm';
    await ledis.ping();
    const conn = ledis.connectionPool.shared();
    const before = conn.writeCount;
    expect(await ledis.bmsetbit(key, 0, 1, 5, 1, 6, 1, 9, 0)).toBe(4);
    expect(conn.writeCount - before).toBe(1);
    // Today's SETBIT numbers bits from the most significant end: 0b10000110, then bit 9 cleared.
    expect(await ledis.pipeline().getbit(key, 0).getbit(key, 5).getbit(key, 6).getbit(key, 9).bitcount(key).strlen(key).exec()).toEqual([
      1, 1, 1, 0, 3, 2,
    ]);
    const raw = client({ decodeResponses: false });
    try {
      expect(await raw.get(key)).toEqual(Buffer.from([0x86, 0x00]));
    } finally {
      await raw.quit();
    }
  });

  it('bmsetbit refuses an odd offset/value list, an empty one, and bad pairs, naming BMSETBIT', async () => {
    await expect(ledis.bmsetbit(p + 'bm2', 0, 1, 5)).rejects.toThrow(/BMSETBIT: needs offset, value pairs, got 3 arguments/);
    await expect(ledis.bmsetbit(p + 'bm2')).rejects.toMatchObject({ name: 'DataError', command: 'BMSETBIT' });
    await expect(ledis.bmsetbit(p + 'bm2', -1, 1)).rejects.toThrow(/BMSETBIT: offset/);
    await expect(ledis.bmsetbit(p + 'bm2', 1, 7)).rejects.toThrow(/BMSETBIT: bit value/);
    expect(await ledis.exists(p + 'bm2')).toBe(false);
  });

  it('bopt is BITOP, and bexpire / bttl / bpersist / bexpireat act on the bitmap key', async () => {
    const key = p + 'bx';
    await ledis.bmsetbit(p + 'ba', 0, 1, 2, 1);
    await ledis.bmsetbit(p + 'bb', 1, 1);
    expect(await ledis.bopt('or', key, p + 'ba', p + 'bb')).toBe(1);
    expect(await ledis.bitcount(key)).toBe(3);
    expect(await ledis.bttl(key)).toBe(-1);
    expect(await ledis.bexpire(key, 100)).toBe(true);
    const ttl = await ledis.bttl(key);
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await ledis.bpersist(key)).toBe(true);
    expect(await ledis.bttl(key)).toBe(-1);
    expect(await ledis.bexpireat(key, new Date(Date.now() + 50_000))).toBe(true);
    expect(await ledis.ttl(key)).toBeGreaterThan(45);
    expect(await ledis.bexpire(p + 'nothing', 10)).toBe(false);
    await expect(ledis.bexpire(key, 1.5)).rejects.toThrow(/BEXPIRE/);
  });

  it('setbit and bopt chain in a pipeline with typed results', async () => {
    const [a, b, n] = await ledis.pipeline().setbit(p + 'pl', 3, 1).getbit(p + 'pl', 3).bopt('AND', p + 'pl2', p + 'pl', p + 'pl').exec();
    expect([a, b, n]).toEqual([0, 1, 1]);
  });

  it('bmsetbit reports a server failure of one pair as a PipelineError', async () => {
    // A key above LedisDB's 64 KiB key limit makes every SETBIT fail on the server.
    const huge = 'k'.repeat(70_000);
    await expect(ledis.bmsetbit(huge, 0, 1)).rejects.toThrow(PipelineError);
  });
});
