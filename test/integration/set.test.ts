import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const raw = client({ decodeResponses: false });
const p = prefix('set');
afterAll(() => Promise.all([ledis.quit(), raw.quit()]));

describe('set commands against LedisDB', () => {
  it('sadd counts only new members; smembers answers a JS Set; scard, sismember and srem agree', async () => {
    const k = `${p}basic`;
    expect(await ledis.sadd(k, 'a', 'b')).toBe(2);
    expect(await ledis.sadd(k, ['b', 'c', 1])).toBe(2);
    const members = await ledis.smembers(k);
    expect(members).toBeInstanceOf(Set);
    expect(members).toEqual(new Set(['a', 'b', 'c', '1']));
    expect(await ledis.scard(k)).toBe(4);
    expect(await ledis.sismember(k, 'a')).toBe(true);
    expect(await ledis.sismember(k, 'zz')).toBe(false);
    expect(await ledis.srem(k, 'a', 'zz')).toBe(1);
    expect(await ledis.srem(k, ['b', 'c'])).toBe(2);
    expect(await ledis.smembers(k)).toEqual(new Set(['1']));
  });

  it('a missing set reads as an empty Set and 0', async () => {
    const k = `${p}missing`;
    expect(await ledis.smembers(k)).toEqual(new Set());
    expect(await ledis.scard(k)).toBe(0);
    expect(await ledis.sismember(k, 'a')).toBe(false);
    expect(await ledis.skeyexists(k)).toBe(false);
  });

  it('sdiff, sinter and sunion answer Sets, with keys as an array or spread', async () => {
    const a = `${p}a`;
    const b = `${p}b`;
    const c = `${p}c`;
    await ledis.sadd(a, 'x', 'y', 'z');
    await ledis.sadd(b, 'y', 'z', 'w');
    await ledis.sadd(c, 'z');
    expect(await ledis.sdiff([a, b])).toEqual(new Set(['x']));
    expect(await ledis.sdiff(a, c)).toEqual(new Set(['x', 'y']));
    expect(await ledis.sinter([a, b], c)).toEqual(new Set(['z']));
    expect(await ledis.sunion(a, b, c)).toEqual(new Set(['x', 'y', 'z', 'w']));
  });

  it('an empty sdiff or sinter result (LedisDB answers a null array) is an empty Set', async () => {
    const a = `${p}e1`;
    await ledis.sadd(a, 'x');
    expect(await ledis.sdiff(a, a)).toEqual(new Set());
    expect(await ledis.sinter(a, `${p}e-missing`)).toEqual(new Set());
  });

  it('sdiffstore, sinterstore and sunionstore write dest and answer its size', async () => {
    const a = `${p}sa`;
    const b = `${p}sb`;
    await ledis.sadd(a, 1, 2, 3);
    await ledis.sadd(b, 3, 4);
    expect(await ledis.sdiffstore(`${p}d1`, [a, b])).toBe(2);
    expect(await ledis.smembers(`${p}d1`)).toEqual(new Set(['1', '2']));
    expect(await ledis.sinterstore(`${p}d2`, a, b)).toBe(1);
    expect(await ledis.smembers(`${p}d2`)).toEqual(new Set(['3']));
    expect(await ledis.sunionstore(`${p}d3`, [a], b)).toBe(4);
    expect(await ledis.scard(`${p}d3`)).toBe(4);
  });

  it('refuses empty member and key lists with a DataError naming the command', async () => {
    await expect(ledis.sadd(`${p}x`)).rejects.toThrow(/SADD: needs at least one member/);
    await expect(ledis.srem(`${p}x`, [])).rejects.toBeInstanceOf(DataError);
    await expect(ledis.sinter([])).rejects.toThrow(/SINTER: needs at least one key/);
    await expect(ledis.sunionstore(`${p}x`, [])).rejects.toThrow(/SUNIONSTORE: needs at least one key/);
    await expect(ledis.smclear()).rejects.toBeInstanceOf(DataError);
    await expect(ledis.sadd(`${p}x`, { a: 1 } as never)).rejects.toThrow(/SADD: argument 2/);
  });

  it('SADD foo, SET foo and HSET foo live side by side; DEL leaves the set and SCLEAR leaves the others', async () => {
    const k = `${p}foo`;
    await ledis.sadd(k, 'm1', 'm2');
    await ledis.set(k, 'kv');
    await ledis.hset(k, 'f', 'h');
    expect(await ledis.delete(k)).toBe(1);
    expect(await ledis.scard(k)).toBe(2);
    await ledis.set(k, 'kv');
    expect(await ledis.sclear(k)).toBe(2);
    expect(await ledis.sclear(k)).toBe(0);
    expect(await ledis.get(k)).toBe('kv');
    expect(await ledis.hget(k, 'f')).toBe('h');
  });

  it('smclear clears several sets and answers the number of names given (LedisDB)', async () => {
    await ledis.sadd(`${p}m1`, 'a');
    await ledis.sadd(`${p}m2`, 'a');
    expect(await ledis.smclear(`${p}m1`, `${p}m2`, `${p}m3`)).toBe(3);
    expect(await ledis.skeyexists(`${p}m1`)).toBe(false);
  });

  it('sexpire, sexpireat, sttl and spersist act on the set only; sttl of a missing set is -1', async () => {
    const k = `${p}ttl`;
    expect(await ledis.sttl(k)).toBe(-1);
    expect(await ledis.sexpire(k, 10)).toBe(false);
    await ledis.sadd(k, 'a');
    expect(await ledis.sexpire(k, 30)).toBe(true);
    expect(await ledis.sttl(k)).toBeGreaterThan(25);
    expect(await ledis.ttl(k)).toBe(-1);
    expect(await ledis.sexpireat(k, Math.floor(Date.now() / 1000) + 300)).toBe(true);
    expect(await ledis.sttl(k)).toBeGreaterThan(295);
    expect(await ledis.spersist(k)).toBe(true);
    expect(await ledis.spersist(k)).toBe(false);
    expect(await ledis.skeyexists(k)).toBe(true);
  });

  it('sdump returns the serialized set as a Buffer that RESTORE brings back', async () => {
    const k = `${p}dump`;
    await ledis.sadd(k, 'a', 'b');
    const dump = await ledis.sdump(k);
    expect(Buffer.isBuffer(dump)).toBe(true);
    expect(await ledis.restore(`${p}restored`, 0, dump as Buffer)).toBe(true);
    expect(await ledis.smembers(`${p}restored`)).toEqual(new Set(['a', 'b']));
    expect(await ledis.sdump(`${p}no-dump`)).toBeNull();
  });

  it('with decodeResponses off, members come back as Buffers in the Set', async () => {
    const k = `${p}raw`;
    await raw.sadd(k, Buffer.from([0xc0, 0x01]));
    const members = await raw.smembers(k);
    expect([...members]).toEqual([Buffer.from([0xc0, 0x01])]);
  });
});
