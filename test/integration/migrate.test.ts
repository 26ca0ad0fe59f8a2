import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledis } from '../../src/index.js';
// @ts-ignore -- plain ESM script
import { startLedisServer } from '../../tools/server.mjs';

// XMIGRATEDB moves the first keys of a whole db, so both ends are servers of this file's own.
type Server = { host: string; port: number; stop(): Promise<void> };
let source: Server;
let target: Server;
let from: Ledis;
let to: Ledis;

beforeAll(async () => {
  [source, target] = await Promise.all([startLedisServer({ quiet: true }), startLedisServer({ quiet: true })]);
  from = new Ledis({ host: source.host, port: source.port });
  to = new Ledis({ host: target.host, port: target.port });
});
afterAll(async () => {
  await Promise.all([from?.quit(), to?.quit()]);
  await Promise.all([source?.stop(), target?.stop()]);
});

describe('XDUMP and XRESTORE', () => {
  it('dump a key of any type by name and restore it under another name', async () => {
    await from.hmset('h', { a: '1', b: '2' });
    const dump = await from.xdump('HASH', 'h');
    expect(Buffer.isBuffer(dump)).toBe(true);
    expect(await from.xdump('hash', 'missing')).toBeNull();
    expect(await from.xrestore('HASH', 'h2', 0, dump as Buffer)).toBe(true);
    expect(await from.hgetall('h2')).toEqual({ a: '1', b: '2' });
  });

  it('restores with a TTL in milliseconds', async () => {
    await from.rpush('l', 'x', 'y');
    const dump = (await from.xdump('LIST', 'l')) as Buffer;
    expect(await from.xrestore('list', 'l2', 60_000, dump)).toBe(true);
    expect(await from.lrange('l2', 0, -1)).toEqual(['x', 'y']);
    const ttl = await from.lttl('l2');
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});

describe('XMIGRATE and XMIGRATEDB', () => {
  it('xmigrate moves one key to the target db and deletes it here; false when there is no such key', async () => {
    await from.zadd('z', 1, 'a', 2, 'b');
    expect(await from.xmigrate(target.host, target.port, 'ZSET', 'z', 3, 2000)).toBe(true);
    expect(await from.zcard('z')).toBe(0);
    expect(await to.db(3).zrange('z', 0, -1, { withscores: true })).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(await from.xmigrate(target.host, target.port, 'ZSET', 'z', 3, 2000)).toBe(false);
  });

  it("xmigrate with type ALL moves the name's key of every type", async () => {
    await from.set('both', 'kv');
    await from.sadd('both', 'member');
    expect(await from.xmigrate(target.host, target.port, 'ALL', 'both', 0, 2000)).toBe(true);
    expect(await to.get('both')).toBe('kv');
    expect(await to.smembers('both')).toEqual(new Set(['member']));
    expect(await from.exists('both')).toBe(false);
  });

  it('xmigratedb moves up to count keys of one type and returns how many moved', async () => {
    await from.mset({ k1: '1', k2: '2', k3: '3' });
    expect(await from.xmigratedb(target.host, target.port, 'KV', 2, 1, 2000)).toBe(2);
    expect(await to.db(1).mget('k1', 'k2', 'k3')).toEqual(['1', '2', null]);
    expect(await from.mget('k1', 'k2', 'k3')).toEqual([null, null, '3']);
  });

  it('a migration to this same server is a server error', async () => {
    await from.set('self', '1');
    await expect(from.xmigrate(source.host, source.port, 'KV', 'self', 0, 1000)).rejects.toThrow(/XMIGRATE: migrate in same server is not allowed/);
  });

  it('refuses bad arguments with a DataError naming the command, before sending', async () => {
    await expect(from.xmigrate('', 1, 'KV', 'k', 0, 10)).rejects.toThrow(/XMIGRATE: host must be a non-empty string/);
    await expect(from.xmigrate('h', 70000, 'KV', 'k', 0, 10)).rejects.toThrow(/XMIGRATE: port/);
    await expect(from.xmigratedb('h', 1, 'ALL' as never, 1, 0, 10)).rejects.toThrow(/XMIGRATEDB: type must be one of KV, HASH, LIST, SET, ZSET/);
    await expect(from.xmigratedb('h', 1, 'KV', 0, 0, 10)).rejects.toThrow(/XMIGRATEDB: count/);
    await expect(from.xdump('STRING' as never, 'k')).rejects.toMatchObject({ name: 'DataError', command: 'XDUMP' });
    await expect(from.xrestore('KV', 'k', -5, Buffer.alloc(1))).rejects.toThrow(/XRESTORE: ttl/);
  });
});
