import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ResponseError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const raw = client({ decodeResponses: false });
const p = prefix('hash');
afterAll(() => Promise.all([ledis.quit(), raw.quit()]));

describe('hash commands against LedisDB', () => {
  it('hset answers 1 for a new field and 0 for an update; hget, hexists, hlen, hkeys, hvals read it back', async () => {
    const k = `${p}basic`;
    expect(await ledis.hset(k, 'a', 'x')).toBe(1);
    expect(await ledis.hset(k, 'a', 'y')).toBe(0);
    expect(await ledis.hset(k, 'b', 2)).toBe(1);
    expect(await ledis.hget(k, 'a')).toBe('y');
    expect(await ledis.hexists(k, 'a')).toBe(true);
    expect(await ledis.hexists(k, 'zz')).toBe(false);
    expect(await ledis.hlen(k)).toBe(2);
    expect((await ledis.hkeys(k)).sort()).toEqual(['a', 'b']);
    expect((await ledis.hvals(k)).sort()).toEqual(['2', 'y']);
    expect(await ledis.hgetall(k)).toEqual({ a: 'y', b: '2' });
  });

  it('a missing hash reads as null, {}, [] and 0', async () => {
    const k = `${p}missing`;
    expect(await ledis.hget(k, 'f')).toBeNull();
    expect(await ledis.hgetall(k)).toEqual({});
    expect(await ledis.hkeys(k)).toEqual([]);
    expect(await ledis.hvals(k)).toEqual([]);
    expect(await ledis.hlen(k)).toBe(0);
    expect(await ledis.hkeyexists(k)).toBe(false);
    expect(await ledis.hmget(k, ['a', 'b'])).toEqual([null, null]);
  });

  it('hmset sets an object or a Map; hmget answers in order with null for missing fields, keys as array or spread', async () => {
    const k = `${p}m`;
    expect(await ledis.hmset(k, { a: '1', b: 'two' })).toBe(true);
    expect(await ledis.hmset(k, new Map<string | Buffer, string | number>([['c', 3], [Buffer.from('d'), 'dee']]))).toBe(true);
    expect(await ledis.hmget(k, ['a', 'nope', 'd'])).toEqual(['1', null, 'dee']);
    expect(await ledis.hmget(k, 'c', 'b')).toEqual(['3', 'two']);
  });

  it('hmset refuses an empty mapping, and hmget/hdel an empty field list, with a DataError before sending', async () => {
    const k = `${p}empty`;
    const err = await ledis.hmset(k, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).command).toBe('HMSET');
    await expect(ledis.hmset(k, 'a' as never)).rejects.toThrow(/HMSET: expected a mapping/);
    await expect(ledis.hmget(k, [])).rejects.toBeInstanceOf(DataError);
    await expect(ledis.hdel(k)).rejects.toThrow(/HDEL: needs at least one field/);
    expect(() => ledis.pipeline().hmset(k, new Map())).toThrow(DataError);
    expect(await ledis.hkeyexists(k)).toBe(false);
  });

  it('hdel deletes fields given spread or as an array and counts only those that existed', async () => {
    const k = `${p}del`;
    await ledis.hmset(k, { a: 1, b: 2, c: 3, d: 4 });
    expect(await ledis.hdel(k, 'a', 'nope')).toBe(1);
    expect(await ledis.hdel(k, ['b', 'c'])).toBe(2);
    expect(await ledis.hkeys(k)).toEqual(['d']);
  });

  it('hincrby adds 1 by default, any integer amount otherwise, and refuses a fractional amount', async () => {
    const k = `${p}incr`;
    expect(await ledis.hincrby(k, 'n')).toBe(1);
    expect(await ledis.hincrby(k, 'n', 41)).toBe(42);
    expect(await ledis.hincrby(k, 'n', -50)).toBe(-8);
    expect(await ledis.hincrby(k, 'n', 2n ** 60n)).toBe(2n ** 60n - 8n);
    await expect(ledis.hincrby(k, 'n', 1.5)).rejects.toThrow(/HINCRBY: amount must be an integer/);
    await ledis.hset(k, 'text', 'abc');
    const err = await ledis.hincrby(k, 'text').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError).command).toBe('HINCRBY');
  });

  it('HSET foo and SET foo live side by side: hashes are a keyspace of their own', async () => {
    const k = `${p}foo`;
    expect(await ledis.hset(k, 'f', 'hash-value')).toBe(1);
    expect(await ledis.set(k, 'kv-value')).toBe(true);
    expect(await ledis.get(k)).toBe('kv-value');
    expect(await ledis.hget(k, 'f')).toBe('hash-value');
    expect(await ledis.exists(k)).toBe(true);
    expect(await ledis.hkeyexists(k)).toBe(true);
  });

  it('DEL leaves a hash alone and HCLEAR leaves the KV key alone', async () => {
    const k = `${p}clear`;
    await ledis.hmset(k, { a: 1, b: 2, c: 3 });
    await ledis.set(k, 'kv');
    expect(await ledis.delete(k)).toBe(1);
    expect(await ledis.get(k)).toBeNull();
    expect(await ledis.hlen(k)).toBe(3);

    await ledis.set(k, 'kv again');
    expect(await ledis.hclear(k)).toBe(3);
    expect(await ledis.hclear(k)).toBe(0);
    expect(await ledis.hgetall(k)).toEqual({});
    expect(await ledis.get(k)).toBe('kv again');
  });

  it('hmclear clears several hashes and answers the number of names given, existing or not (LedisDB)', async () => {
    await ledis.hset(`${p}mc1`, 'a', 1);
    await ledis.hset(`${p}mc2`, 'a', 1);
    expect(await ledis.hmclear(`${p}mc1`, [`${p}mc2`, `${p}mc-never`])).toBe(3);
    expect(await ledis.hkeyexists(`${p}mc1`)).toBe(false);
    expect(await ledis.hkeyexists(`${p}mc2`)).toBe(false);
    await expect(ledis.hmclear()).rejects.toBeInstanceOf(DataError);
  });

  it('hexpire, httl and hpersist act on the hash only; TTL of a missing hash is -1 (LedisDB)', async () => {
    const k = `${p}ttl`;
    expect(await ledis.httl(k)).toBe(-1);
    expect(await ledis.hexpire(k, 100)).toBe(false);
    await ledis.hset(k, 'f', 'v');
    await ledis.set(k, 'kv');
    expect(await ledis.httl(k)).toBe(-1);
    expect(await ledis.hexpire(k, 100)).toBe(true);
    const ttl = await ledis.httl(k);
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await ledis.ttl(k)).toBe(-1);
    expect(await ledis.hpersist(k)).toBe(true);
    expect(await ledis.hpersist(k)).toBe(false);
    expect(await ledis.httl(k)).toBe(-1);
  });

  it('hexpireat takes unix seconds or a Date', async () => {
    const k = `${p}at`;
    await ledis.hset(k, 'f', 'v');
    const inAMinute = new Date(Date.now() + 60_000);
    expect(await ledis.hexpireat(k, inAMinute)).toBe(true);
    expect(await ledis.httl(k)).toBeGreaterThan(55);
    expect(await ledis.hexpireat(k, Math.floor(Date.now() / 1000) + 600)).toBe(true);
    expect(await ledis.httl(k)).toBeGreaterThan(595);
    await expect(ledis.hexpireat(k, new Date(Number.NaN))).rejects.toThrow(/HEXPIREAT: when is an invalid Date/);
  });

  it('hexpire refuses fractional seconds before sending; LedisDB itself refuses 0 and negative times', async () => {
    const k = `${p}badttl`;
    await ledis.hset(k, 'f', 'v');
    await expect(ledis.hexpire(k, 1.5)).rejects.toThrow(/HEXPIRE: time must be a whole number of seconds/);
    await expect(ledis.hexpire(k, 0)).rejects.toThrow(/HEXPIRE: invalid expire value/);
    await expect(ledis.hexpire(k, -1)).rejects.toBeInstanceOf(ResponseError);
    expect(await ledis.hget(k, 'f')).toBe('v');
  });

  it('an expired hash disappears', async () => {
    const k = `${p}gone`;
    await ledis.hset(k, 'f', 'v');
    expect(await ledis.hexpire(k, 1)).toBe(true);
    const deadline = Date.now() + 5000;
    while ((await ledis.hkeyexists(k)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ledis.hkeyexists(k)).toBe(false);
    expect(await ledis.hget(k, 'f')).toBeNull();
  });

  it('hdump returns the serialized hash as a Buffer that RESTORE brings back; null for a missing hash', async () => {
    const k = `${p}dump`;
    await ledis.hmset(k, { a: 'é', b: '2' });
    const dump = await ledis.hdump(k);
    expect(Buffer.isBuffer(dump)).toBe(true);
    expect(await ledis.restore(`${p}restored`, 0, dump as Buffer)).toBe(true);
    expect(await ledis.hgetall(`${p}restored`)).toEqual({ a: 'é', b: '2' });
    expect(await ledis.hdump(`${p}no-dump`)).toBeNull();
  });

  it('with decodeResponses off, values come back as Buffers and hgetall keys as text', async () => {
    const k = `${p}raw`;
    await raw.hmset(k, { f: 'v', g: Buffer.from([0xff, 0x00]) });
    const all = await raw.hgetall(k);
    expect(Object.keys(all).sort()).toEqual(['f', 'g']);
    expect(all.g).toEqual(Buffer.from([0xff, 0x00]));
    expect(await raw.hget(k, 'f')).toEqual(Buffer.from('v'));
    expect(await raw.hmget(k, 'f', 'nope')).toEqual([Buffer.from('v'), null]);
  });

  it('pipelines hash commands with their reply shapes', async () => {
    const k = `${p}pipe`;
    const out = await ledis.pipeline().hmset(k, { a: 1 }).hset(k, 'b', 2).hgetall(k).hexists(k, 'a').hlen(k).hclear(k).exec();
    expect(out).toEqual([true, 1, { a: '1', b: '2' }, true, 2, 2]);
  });
});
