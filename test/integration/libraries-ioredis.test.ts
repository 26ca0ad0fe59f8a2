// Real libraries written for ioredis, unmodified, over ledis/ioredis against
// the real LedisDB: what works, and the clear error for what LedisDB cannot do.
import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { redisInsStore } from 'cache-manager-ioredis-yet';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
// @ts-ignore -- redlock 5's package.json "exports" hides its .d.ts from NodeNext resolution (TS7016); used untyped
import Redlock, { ExecutionError } from 'redlock';
import Redis from '../../src/compat/ioredis.js';
import { DataError } from '../../src/errors.js';
import { prefix, serverAddress } from '../helpers.js';

const { host, port } = serverAddress();
const redis = new Redis(port, host);
afterAll(() => redis.quit());

/**
 * rate-limiter-flexible's increment script for LedisDB (docs/redis-libraries.md):
 * LedisDB's Lua has no PTTL and its SET takes no options, so SETNX + EXPIRE,
 * and TTL in whole seconds, times 1000 for the library's milliseconds.
 */
export const LEDIS_INCR_TTL_SCRIPT = `local created = redis.call('setnx', KEYS[1], 0)
if created == 1 then redis.call('expire', KEYS[1], ARGV[2]) end
local consumed = redis.call('incrby', KEYS[1], ARGV[1])
local ttl = redis.call('ttl', KEYS[1])
if ttl == -1 then
  redis.call('expire', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {consumed, ttl * 1000}`;

describe('rate-limiter-flexible 11, RateLimiterRedis', () => {
  it("its default script (SET ... EX ... NX, PTTL) runs through the wrapper's shim: consume to the limit, then refused", async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: prefix('rl-default'), points: 3, duration: 10 });
    const first = await limiter.consume('user');
    expect(first.consumedPoints).toBe(1);
    expect(first.remainingPoints).toBe(2);
    expect(first.msBeforeNext).toBeGreaterThan(8000);
    expect(first.msBeforeNext).toBeLessThanOrEqual(10000);
    await limiter.consume('user');
    await limiter.consume('user');
    const over = await limiter.consume('user').catch((e: unknown) => e);
    expect(over).toBeInstanceOf(RateLimiterRes);
    expect((over as RateLimiterRes).consumedPoints).toBe(4);
  });

  it("its default script under strict: true is refused with a DataError naming what LedisDB can only approximate", async () => {
    const strict = new Redis(port, host, { strict: true });
    try {
      const limiter = new RateLimiterRedis({ storeClient: strict, keyPrefix: prefix('rl-strict'), points: 3, duration: 10 });
      const err = await limiter.consume('user').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/rlflxIncr.*cannot run on LedisDB.*SET with options, which LedisDB can only approximate/);
    } finally {
      await strict.quit();
    }
  });

  it('with customIncrTtlLuaScript: consume to the limit, penalty, reward and delete work', async () => {
    // Two limiters on one client: the second defineCommand('rlflxIncr') replaces the first (as on ioredis).
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: prefix('rl'), points: 3, duration: 10, customIncrTtlLuaScript: LEDIS_INCR_TTL_SCRIPT });
    const first = await limiter.consume('user');
    expect(first.consumedPoints).toBe(1);
    expect(first.remainingPoints).toBe(2);
    expect(first.msBeforeNext).toBeGreaterThan(8000);
    expect(first.msBeforeNext).toBeLessThanOrEqual(10000);
    await limiter.consume('user');
    const third = await limiter.consume('user');
    expect(third.remainingPoints).toBe(0);
    const over = await limiter.consume('user').catch((e: unknown) => e);
    expect(over).toBeInstanceOf(RateLimiterRes);
    expect((over as RateLimiterRes).remainingPoints).toBe(0);
    expect((over as RateLimiterRes).consumedPoints).toBe(4);

    const penalized = await limiter.penalty('other', 2);
    expect(penalized.consumedPoints).toBe(2);
    const rewarded = await limiter.reward('other', 1);
    expect(rewarded.consumedPoints).toBe(1);
    expect((await limiter.consume('other')).remainingPoints).toBe(1);

    expect(await limiter.delete('user')).toBe(true);
    expect(await limiter.delete('user')).toBe(false);
    expect((await limiter.consume('user')).consumedPoints).toBe(1);
  });

  it('get and block need MULTI: refused with a DataError naming it and the nearest way', async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: prefix('rl-multi'), points: 3, duration: 10, customIncrTtlLuaScript: LEDIS_INCR_TTL_SCRIPT });
    const got = await limiter.get('user').catch((e: unknown) => e);
    expect(got).toBeInstanceOf(DataError);
    expect((got as Error).message).toMatch(/^MULTI: LedisDB has no transactions/);
    const blocked = await limiter.block('user', 10).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(DataError);
  });
});

describe('bullmq 6', () => {
  it('refuses LedisDB: its version check fails, and without it its Lua scripts are refused before sending', async () => {
    // bullmq does not close a connection it was given: these are closed here.
    const connections = [redis.duplicate({ maxRetriesPerRequest: null }), redis.duplicate({ maxRetriesPerRequest: null })];
    const checked = new Queue(prefix('bull').replace(/:/g, '-'), { connection: connections[0] as never });
    checked.on('error', () => undefined);
    await expect(checked.add('job', { a: 1 })).rejects.toThrow(/Redis version needs to be greater or equal than 5\.0\.0/);
    await checked.close().catch(() => undefined);
    const unchecked = new Queue(prefix('bull').replace(/:/g, '-'), { connection: connections[1] as never, skipVersionCheck: true });
    unchecked.on('error', () => undefined);
    const err = await unchecked.add('job', { a: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^addStandardJob:[\d.]+: its script cannot run on LedisDB: the script calls LPOS/);
    await unchecked.close().catch(() => undefined);
    await Promise.all(connections.map((c) => c.quit()));
  });
});

interface CacheStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): Promise<void>;
  mset(args: [string, unknown][], ttl?: number): Promise<void>;
  mget(...keys: string[]): Promise<unknown[]>;
  del(key: string): Promise<void>;
  mdel(...keys: string[]): Promise<void>;
  ttl(key: string): Promise<number>;
  keys(pattern?: string): Promise<string[]>;
  reset(): Promise<void>;
}

describe('cache-manager-ioredis-yet 2 (the ioredis store of cache-manager 5)', () => {
  it('get, set with a TTL in ms, mset, mget, del, mdel, ttl and reset work; mset with a TTL (MULTI) and keys (KEYS) are refused', async () => {
    // db 11, used by no other test file: reset() is FLUSHDB.
    const client = new Redis({ host, port, db: 11 });
    try {
      // Typed by hand: the package's types name cache-manager 5's Store, and cache-manager 7 is what is installed.
      const store = redisInsStore(client as never, { ttl: 5000 }) as unknown as CacheStore;
      await store.set('a', { n: 1 });
      expect(await store.get('a')).toEqual({ n: 1 });
      const ttl = await store.ttl('a');
      expect(ttl).toBeGreaterThanOrEqual(5000);
      expect(ttl).toBeLessThanOrEqual(7000);
      await store.set('b', 'forever', 0);
      expect(await store.ttl('b')).toBe(-1);
      expect(await store.get('missing')).toBe(undefined);
      await store.mset([['c', 1], ['d', [2]]], 0);
      expect(await store.mget('c', 'd', 'missing')).toEqual([1, [2], undefined]);
      await store.del('a');
      expect(await store.get('a')).toBe(undefined);
      await store.mdel('c', 'd');
      expect(await store.mget('c', 'd')).toEqual([undefined, undefined]);
      await expect(store.mset([['e', 1]], 1000)).rejects.toThrow(/^MULTI: LedisDB has no transactions/);
      await expect(store.keys('*')).rejects.toThrow(/^KEYS: LedisDB has no KEYS; nearest: SCAN/);
      await store.reset();
      expect(await store.get('b')).toBe(undefined);
    } finally {
      await client.quit();
    }
  });
});

describe('redlock 5 (the Redlock algorithm over ioredis clients)', () => {
  it('acquires, refuses a second holder, extends, releases; its scripts (SET … NX PX inside Lua) run through the shim, and its NOSCRIPT fallback works', async () => {
    const client = new Redis(port, host);
    try {
      const redlock = new Redlock([client as never], { retryCount: 0 });
      const resource = prefix('redlock:order');
      const lock = await redlock.acquire([resource], 5000);
      expect(await client.get(resource)).toBe(lock.value);
      expect(await client.ttl(resource)).toBeGreaterThanOrEqual(4);
      const second = await redlock.acquire([resource], 5000).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(ExecutionError);
      const extended = await lock.extend(20_000);
      expect(await client.ttl(resource)).toBeGreaterThan(15);
      await extended.release();
      expect(await client.exists(resource)).toBe(0);
      const again = await redlock.acquire([resource], 5000);
      await again.release();
    } finally {
      await client.quit();
    }
  });
});
