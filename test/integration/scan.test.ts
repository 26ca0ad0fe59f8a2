import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const raw = client({ decodeResponses: false });
const p = prefix('scan');
// Keys of this file only: the server's keyspace is shared with every other test file.
const mine = '^' + p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
afterAll(() => Promise.all([ledis.quit(), raw.quit()]));

const kvKeys = Array.from({ length: 25 }, (_, i) => `${p}k${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  await ledis.mset(Object.fromEntries(kvKeys.map((k) => [k, 'v'])));
  await ledis.pipeline().hset(p + 'h1', 'f', '1').sadd(p + 's1', 'a').zadd(p + 'z1', 1, 'm').exec();
  await ledis.hmset(p + 'hash', Object.fromEntries(Array.from({ length: 23 }, (_, i) => [`f${String(i).padStart(2, '0')}`, `v${i}`])));
  await ledis.sadd(p + 'set', ...Array.from({ length: 23 }, (_, i) => `m${String(i).padStart(2, '0')}`));
  await ledis.zadd(p + 'zset', Object.fromEntries(Array.from({ length: 23 }, (_, i) => [`m${String(i).padStart(2, '0')}`, 100 - i])));
});

describe('XSCAN pages keys of one type with a key cursor', () => {
  it('pages with count, each cursor being the last key, and ends with the empty-string cursor', async () => {
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const [next, keys] = await ledis.xscan('KV', { cursor, match: mine, count: 10 });
      seen.push(...keys);
      if (next !== '') expect(next).toBe(keys[keys.length - 1]);
      cursor = next;
      pages++;
    } while (cursor !== '' && pages < 50);
    expect(seen).toEqual(kvKeys);
    expect(pages).toBe(3);
  });

  it('walks keys in descending order with desc', async () => {
    const [cursor, keys] = await ledis.xscan('kv', { match: mine, count: 5, desc: true });
    expect(keys).toEqual(kvKeys.slice(-5).reverse());
    expect(cursor).toBe(kvKeys[20]);
  });

  it('scans each type in its own keyspace', async () => {
    expect((await ledis.xscan('HASH', { match: mine }))[1]).toEqual([p + 'h1', p + 'hash']);
    expect((await ledis.xscan('SET', { match: mine }))[1]).toEqual([p + 's1', p + 'set']);
    expect((await ledis.xscan('ZSET', { match: mine }))[1]).toEqual([p + 'z1', p + 'zset']);
    expect((await ledis.xscan('LIST', { match: mine }))[1]).toEqual([]);
  });

  it('treats match as a regular expression, not a glob', async () => {
    const [, keys] = await ledis.xscan('KV', { match: `${mine}k(03|1[0-2])$`, count: 100 });
    expect(keys).toEqual([p + 'k03', p + 'k10', p + 'k11', p + 'k12']);
  });
});

describe('scans inside one key', () => {
  it('xhscan and hscan return [field, value] pairs; xhscan ends with "", hscan with "0"', async () => {
    const [c1, page] = await ledis.xhscan(p + 'hash', { count: 20 });
    expect(page).toHaveLength(20);
    expect(page[0]).toEqual(['f00', 'v0']);
    expect(c1).toBe('f19');
    const [c2, rest] = await ledis.xhscan(p + 'hash', { cursor: c1, count: 20 });
    expect(rest.map(([f]) => f)).toEqual(['f20', 'f21', 'f22']);
    expect(c2).toBe('');
    const [c3, all] = await ledis.hscan(p + 'hash', { count: 100 });
    expect(all).toHaveLength(23);
    expect(c3).toBe('0');
  });

  it('xsscan and sscan return members; desc reverses them', async () => {
    const [, members] = await ledis.xsscan(p + 'set', { count: 3, desc: true });
    expect(members).toEqual(['m22', 'm21', 'm20']);
    const [cursor, all] = await ledis.sscan(p + 'set', { match: '^m0', count: 50 });
    expect(all).toHaveLength(10);
    expect(cursor).toBe('0');
  });

  it('xzscan and zscan return [member, score] pairs with integer scores, in member order', async () => {
    const [, page] = await ledis.xzscan(p + 'zset', { count: 2 });
    expect(page).toEqual([
      ['m00', 100],
      ['m01', 99],
    ]);
    const [, all] = await ledis.zscan(p + 'zset', { count: 50 });
    expect(all).toHaveLength(23);
  });

  it('keeps binary cursors as Buffers when decodeResponses is off', async () => {
    const key = Buffer.from(p + 'bin');
    await raw.sadd(key, Buffer.from([0xff, 0x00]), Buffer.from([0xfe]));
    const [cursor, members] = await raw.xsscan(key, { count: 1 });
    expect(members).toEqual([Buffer.from([0xfe])]);
    expect(Buffer.isBuffer(cursor)).toBe(true);
    const [second, next] = await raw.xsscan(key, { cursor, count: 1 });
    expect(next).toEqual([Buffer.from([0xff, 0x00])]);
    expect(second).toEqual(Buffer.from([0xff, 0x00]));
    const [end, none] = await raw.xsscan(key, { cursor: second, count: 1 });
    expect(none).toEqual([]);
    expect(end).toEqual(Buffer.alloc(0));
  });
});

describe('async iterators follow the cursor to the end', () => {
  it('scanIterator yields every key of a type once, in order, across pages', async () => {
    const keys: string[] = [];
    for await (const key of ledis.scanIterator({ type: 'KV', match: mine, count: 7 })) keys.push(key);
    expect(keys).toEqual(kvKeys);
  });

  it('scanIterator stops early on break without fetching further pages', async () => {
    const keys: string[] = [];
    for await (const key of ledis.scanIterator({ type: 'KV', match: mine, count: 3, desc: true })) {
      keys.push(key);
      if (keys.length === 4) break;
    }
    expect(keys).toEqual(kvKeys.slice(-4).reverse());
  });

  it('hscanIterator, sscanIterator and zscanIterator yield every item of one key', async () => {
    const fields: [string, string][] = [];
    for await (const pair of ledis.hscanIterator(p + 'hash', { count: 4 })) fields.push(pair);
    expect(fields).toHaveLength(23);
    expect(Object.fromEntries(fields).f07).toBe('v7');
    const members: string[] = [];
    for await (const m of ledis.sscanIterator(p + 'set', { count: 5 })) members.push(m);
    expect(members).toEqual(Array.from({ length: 23 }, (_, i) => `m${String(i).padStart(2, '0')}`));
    const scored: [string, number][] = [];
    for await (const pair of ledis.zscanIterator(p + 'zset', { count: 6, match: '^m1' })) scored.push(pair);
    expect(scored).toEqual(Array.from({ length: 10 }, (_, i) => [`m1${i}`, 90 - i]));
  });

  it('an iterator over a missing key yields nothing', async () => {
    const got: unknown[] = [];
    for await (const m of ledis.sscanIterator(p + 'nothing')) got.push(m);
    expect(got).toEqual([]);
  });
});

describe('bad scan input is refused before sending', () => {
  it('with a DataError naming the command', async () => {
    await expect(ledis.xscan('STRING' as never)).rejects.toThrow(/XSCAN: type must be one of KV, HASH, LIST, SET, ZSET/);
    // COUNT 0 would make LedisDB never return the end cursor.
    await expect(ledis.xscan('KV', { count: 0 })).rejects.toThrow(/XSCAN: count must be an integer in \[1, 1000000\]/);
    await expect(ledis.hscan(p + 'hash', { count: 2.5 })).rejects.toMatchObject({ name: 'DataError', command: 'HSCAN' });
    await expect(ledis.xzscan(p + 'zset', { match: /m/ as never })).rejects.toThrow(/XZSCAN: match must be a string/);
    await expect(ledis.xsscan(p + 'set', { cursor: 5 as never })).rejects.toThrow(/XSSCAN: cursor must be a string or Buffer/);
    expect(() => ledis.scanIterator({ type: 'nope' as never })).toThrow(DataError);
    expect(() => ledis.hscanIterator(p + 'hash', { count: -1 })).toThrow(/XHSCAN: count/);
    expect(() => ledis.sscanIterator(p + 'set', { cursor: 'x' } as never)).toThrow(/keep the cursor themselves/);
  });
});
