// Redis idioms node-redis users write, on ledis/node-redis against the real
// LedisDB: each is rewritten by the translation table into LedisDB's exact
// equivalent (or its stated approximation) and answers as Redis would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, DataError, RESP_TYPES, type RedisClientType } from '../../src/compat/node-redis.js';
import { prefix, serverAddress } from '../helpers.js';

const { host, port } = serverAddress();
const url = `redis://${host}:${port}`;
const p = prefix('node-redis-idioms');
let c: RedisClientType;

beforeAll(async () => {
  c = await createClient({ url }).connect();
});
afterAll(() => c.close());

describe('set with node-redis 5 options', () => {
  it('{ EX }, { expiration: { type: "EX" } } and { PX } set a TTL of at least what was asked', async () => {
    expect(await c.set(`${p}ex`, 'v', { EX: 100 })).toBe('OK');
    expect(await c.ttl(`${p}ex`)).toBeGreaterThan(90);
    expect(await c.set(`${p}exp`, 'v', { expiration: { type: 'EX', value: 200 } })).toBe('OK');
    expect(await c.ttl(`${p}exp`)).toBeGreaterThan(190);
    expect(await c.set(`${p}px`, 'v', { PX: 1500 })).toBe('OK');
    const ms = await c.pTTL(`${p}px`);
    expect(ms).toBeGreaterThanOrEqual(1500);
  });

  it('{ NX } sets only a missing key and answers null otherwise; { XX } the reverse', async () => {
    expect(await c.set(`${p}nx`, '1', { NX: true })).toBe('OK');
    expect(await c.set(`${p}nx`, '2', { NX: true })).toBeNull();
    expect(await c.set(`${p}nx`, '3', { condition: 'XX' })).toBe('OK');
    expect(await c.set(`${p}xx:none`, '3', { XX: true })).toBeNull();
    expect(await c.get(`${p}nx`)).toBe('3');
  });

  it('{ GET } answers the old value; a plain set drops an earlier TTL, as Redis; { KEEPTTL } keeps it', async () => {
    await c.set(`${p}g`, 'old', { EX: 100 });
    expect(await c.set(`${p}g`, 'new', { GET: true })).toBe('old');
    expect(await c.ttl(`${p}g`)).toBe(-1);
    await c.set(`${p}k`, 'a', { EX: 100 });
    await c.set(`${p}k`, 'b', { KEEPTTL: true });
    expect(await c.ttl(`${p}k`)).toBeGreaterThan(90);
  });

  it('under ledis.strict, a millisecond TTL is refused instead of rounded', async () => {
    const strict = await createClient({ url, ledis: { strict: true } }).connect();
    await expect(strict.set(`${p}strict`, 'v', { PX: 1500 })).rejects.toBeInstanceOf(DataError);
    expect(await strict.exists(`${p}strict`)).toBe(0);
    expect(await strict.set(`${p}strict`, 'v', { EX: 2 })).toBe('OK');
    await strict.close();
  });
});

describe('keys across LedisDB keyspaces, as Redis counts them', () => {
  it('exists of several keys counts those that exist, whatever their type; del and unlink count what they deleted', async () => {
    await c.set(`${p}e1`, 'v');
    await c.hSet(`${p}e2`, 'f', 'v');
    expect(await c.exists([`${p}e1`, `${p}e2`, `${p}e3`])).toBe(2);
    expect(await c.del([`${p}e1`, `${p}e3`])).toBe(1);
    expect(await c.unlink(`${p}e2`)).toBe(1);
    expect(await c.exists([`${p}e1`, `${p}e2`])).toBe(0);
  });

  it('ttl answers -2 for a missing key and -1 for one without a TTL; expire works on a hash', async () => {
    expect(await c.ttl(`${p}none`)).toBe(-2);
    await c.hSet(`${p}th`, 'f', 'v');
    expect(await c.ttl(`${p}th`)).toBe(-1);
    expect(await c.expire(`${p}th`, 50)).toBe(1);
    expect(await c.ttl(`${p}th`)).toBeGreaterThan(40);
    expect(await c.pExpire(`${p}th`, 90_000)).toBe(1);
    expect(await c.pTTL(`${p}th`)).toBeGreaterThanOrEqual(90_000);
  });

  it('hSet of an object counts new fields, as Redis', async () => {
    expect(await c.hSet(`${p}ho`, { a: '1', b: '2' })).toBe(2);
    expect(await c.hSet(`${p}ho`, new Map([['b', '3'], ['c', '4']]))).toBe(1);
    expect(await c.hSet(`${p}ho`, [['d', '5']])).toBe(1);
    expect(await c.hGetAll(`${p}ho`)).toEqual({ a: '1', b: '3', c: '4', d: '5' });
  });
});

describe('scan and the iterators', () => {
  const sp = `${p}scan:`;
  beforeAll(async () => {
    for (let i = 0; i < 25; i++) await c.set(`${sp}k${i}`, String(i));
    await c.hSet(`${sp}hash`, { a: '1', b: '2', c: '3' });
    await c.sAdd(`${sp}set`, ['x', 'y', 'z']);
    await c.zAdd(`${sp}zset`, [{ score: 1, value: 'one' }, { score: 2, value: 'two' }]);
  });

  it('scan pages with a glob until cursor "0"; scanIterator yields ARRAYS of keys, as node-redis 5', async () => {
    const pages: string[][] = [];
    for await (const keys of c.scanIterator({ MATCH: `${sp}k*`, COUNT: 7 })) {
      expect(Array.isArray(keys)).toBe(true);
      pages.push(keys);
    }
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flat().sort()).toEqual(Array.from({ length: 25 }, (_, i) => `${sp}k${i}`).sort());
    let cursor = '0';
    const seen: string[] = [];
    do {
      const r = await c.scan(cursor, { MATCH: `${sp}k1*`, COUNT: 100 });
      expect(typeof r.cursor).toBe('string');
      cursor = r.cursor;
      seen.push(...r.keys);
    } while (cursor !== '0');
    expect(seen.sort()).toEqual([`${sp}k1`, ...Array.from({ length: 10 }, (_, i) => `${sp}k1${i}`)].sort());
  });

  it('scan TYPE picks a keyspace, with Redis type names', async () => {
    const hashes: string[] = [];
    for await (const keys of c.scanIterator({ MATCH: `${sp}*`, TYPE: 'hash' })) hashes.push(...keys);
    expect(hashes).toEqual([`${sp}hash`]);
    const all: string[] = [];
    for await (const keys of c.scanIterator({ MATCH: `${sp}*` })) all.push(...keys);
    expect(all).toContain(`${sp}zset`);
    expect(all).toHaveLength(28);
  });

  it('hScanIterator, sScanIterator and zScanIterator yield pages of node-redis 5 shapes', async () => {
    const entries: { field: string; value: string }[] = [];
    for await (const page of c.hScanIterator(`${sp}hash`, { COUNT: 2 })) entries.push(...page);
    expect(entries.sort((a, b) => a.field.localeCompare(b.field))).toEqual([{ field: 'a', value: '1' }, { field: 'b', value: '2' }, { field: 'c', value: '3' }]);
    const fields: string[] = [];
    for await (const page of c.hScanNoValuesIterator(`${sp}hash`)) fields.push(...page);
    expect(fields.sort()).toEqual(['a', 'b', 'c']);
    const members: string[] = [];
    for await (const page of c.sScanIterator(`${sp}set`, { MATCH: '[xy]' })) members.push(...page);
    expect(members.sort()).toEqual(['x', 'y']);
    const scored: { value: string; score: number }[] = [];
    for await (const page of c.zScanIterator(`${sp}zset`)) scored.push(...page);
    expect(scored).toEqual([{ value: 'one', score: 1 }, { value: 'two', score: 2 }]);
  });

  it('scanIterator under withTypeMapping yields Buffers', async () => {
    const b = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    const keys: Buffer[] = [];
    for await (const page of b.scanIterator({ MATCH: `${sp}k2*` })) keys.push(...page);
    expect(keys.length).toBeGreaterThan(0);
    expect(Buffer.isBuffer(keys[0])).toBe(true);
  });
});

describe('eval', () => {
  it("a script calling a command LedisDB has no equivalent for is refused before sending, naming LedisDB's nearest way", async () => {
    await expect(c.eval("return redis.call('GETDEL', KEYS[1])", { keys: ['k'] })).rejects.toThrow(/GETDEL.*nearest: GET then DEL/);
  });

  it("a script calling PTTL runs through the wrapper's shim (the TTL in whole seconds, times 1000)", async () => {
    expect(await c.eval("return redis.call('PTTL', KEYS[1])", { keys: ['no-such-key-idioms'] })).toBe(-2);
  });
});
