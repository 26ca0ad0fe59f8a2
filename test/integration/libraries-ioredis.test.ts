// Real libraries written for ioredis, unmodified, over ledis/ioredis against
// the real LedisDB: what works, and the clear error for what LedisDB cannot do.
import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
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
  it('its default script (SET ... EX ... NX, PTTL) is refused with a DataError naming what LedisDB Lua lacks', async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: prefix('rl-default'), points: 3, duration: 10 });
    const err = await limiter.consume('user').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/rlflxIncr.*cannot run on LedisDB.*SET with options/);
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
    const checked = new Queue(prefix('bull').replace(/:/g, '-'), { connection: redis.duplicate({ maxRetriesPerRequest: null }) as never });
    checked.on('error', () => undefined);
    await expect(checked.add('job', { a: 1 })).rejects.toThrow(/Redis version needs to be greater or equal than 5\.0\.0/);
    await checked.close().catch(() => undefined);
    const unchecked = new Queue(prefix('bull').replace(/:/g, '-'), { connection: redis.duplicate({ maxRetriesPerRequest: null }) as never, skipVersionCheck: true });
    unchecked.on('error', () => undefined);
    const err = await unchecked.add('job', { a: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^addStandardJob:[\d.]+: its script cannot run on LedisDB: the script calls LPOS/);
    await unchecked.close().catch(() => undefined);
  });
});
