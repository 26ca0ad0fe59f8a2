// ledis/ioredis used carelessly, on the real LedisDB: a refused entry in a
// pipeline, keyPrefix with translated multi-key commands, bad defineCommand
// options, callbacks that throw, duplicate/quit/disconnect in odd orders.
import { afterAll, describe, expect, it } from 'vitest';
import Redis from '../../src/compat/ioredis.js';
import { DataError } from '../../src/errors.js';
import { prefix, serverAddress } from '../helpers.js';

const { host, port } = serverAddress() as { host: string; port: number };
const p = prefix('io-careless');
const redis = new Redis({ host, port });
afterAll(() => redis.quit());

describe('a careless caller', () => {
  it('a pipeline with refused entries in the middle: only they fail, every answer in order', async () => {
    const r = await redis.pipeline().set(`${p}a`, '1').call('MULTI').get(`${p}a`).set(`${p}c`, 'v', 'EXAT', 1).call('SUBSCRIBE', 'x').exists(`${p}a`, `${p}b`).exec();
    expect(r.map(([e]) => (e === null ? null : e.constructor))).toEqual([null, DataError, null, DataError, DataError, null]);
    expect(r.map(([, v]) => v)).toEqual(['OK', null, '1', null, null, 1]);
    expect(await redis.exists(`${p}c`)).toBe(0);
  });

  it('keyPrefix is applied exactly once by translated multi-key commands', async () => {
    const pre = new Redis({ host, port, keyPrefix: `${p}pre:` });
    await pre.set('x', '1');
    await pre.mset('y', '2', 'z', '3');
    expect(await pre.exists('x', 'y', 'nope')).toBe(2);
    expect(await redis.exists(`${p}pre:x`, `${p}pre:y`)).toBe(2);
    expect(await redis.exists(`${p}pre:${p}pre:x`)).toBe(0);
    expect(await pre.del('x', 'q')).toBe(1);
    expect(await pre.type('y')).toBe('string');
    expect(await pre.expire('y', 100)).toBe(1);
    expect(await redis.ttl(`${p}pre:y`)).toBeGreaterThan(90);
    await pre.quit();
  });

  it('defineCommand with bad options is a DataError naming what is wrong', () => {
    const define = redis.defineCommand.bind(redis) as (name: unknown, options: unknown) => void;
    expect(() => define('c1', {})).toThrow(/lua must be a string/);
    expect(() => define('c2', null)).toThrow(/lua must be a string/);
    expect(() => define('c3', { lua: 'return 1', numberOfKeys: -2 })).toThrow(/numberOfKeys must be a non-negative integer/);
    expect(() => define('c4', { lua: 'return 1', numberOfKeys: 1.5 })).toThrow(/numberOfKeys must be a non-negative integer/);
    expect(() => define('get', { lua: 'return 1', numberOfKeys: 0 })).toThrow(/is a method of Redis already/);
    expect(() => define('__proto__', { lua: 'return 1', numberOfKeys: 0 })).toThrow(DataError);
    expect(() => define('', { lua: 'return 1', numberOfKeys: 0 })).toThrow(/non-empty string/);
  });

  it('duplicate, then quit or disconnect the original: the copy goes on', async () => {
    const a = new Redis({ host, port });
    const b = a.duplicate();
    await a.set(`${p}d`, '1');
    await a.quit();
    expect(await b.get(`${p}d`)).toBe('1');
    const c = b.duplicate();
    b.disconnect();
    expect(await c.get(`${p}d`)).toBe('1');
    await c.quit();
    await expect(a.get(`${p}d`)).rejects.toThrow();
    expect(await a.quit()).toBe('OK');
  });
});
