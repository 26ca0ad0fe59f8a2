// cache-manager 7 + keyv 5 + @keyv/redis 5, unmodified, over ledis/node-redis
// against the real LedisDB: set with a TTL, get, has, wrap, del, clear. What
// they call that LedisDB cannot do (MULTI, for keyv's *Many) surfaces as the
// DataError saying so. No adapter code: @keyv/redis is given the client
// `createClient` returns, unconnected, and connects it itself.
import KeyvRedis from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, DataError, type RedisClientType } from '../../src/compat/node-redis.js';
import { prefix, serverAddress } from '../helpers.js';

const { host, port } = serverAddress();
// A namespace of its own: keyv's clear() deletes every key of its namespace.
const namespace = prefix('keyv').replace(/:$/, '');
/** Where a keyv key lives: keyv prefixes `ns:`, then @keyv/redis `ns::`. */
const stored = (ns: string, key: string): string => `${ns}::${ns}:${key}`;

let client: RedisClientType;
let store: KeyvRedis<unknown>;
let keyv: Keyv;
let errors: unknown[];

beforeAll(() => {
  client = createClient({ url: `redis://${host}:${port}` });
  // @keyv/redis's constructor is typed for node-redis's own client class; at run time it takes ours as it is.
  store = new KeyvRedis(client as never);
  keyv = new Keyv({ store, namespace });
  errors = [];
  keyv.on('error', (err: unknown) => errors.push(err));
});

afterAll(async () => {
  await store.disconnect();
});

describe('keyv and @keyv/redis over ledis/node-redis', () => {
  it('@keyv/redis connects the client itself, once; calling connect() on every operation adds no listener', async () => {
    expect(client.isOpen).toBe(false);
    await keyv.set('first', 1);
    expect(client.isOpen).toBe(true);
    const listeners = client.listenerCount('error') + client.listenerCount('connect') + client.listenerCount('reconnecting');
    for (let i = 0; i < 20; i++) await keyv.get('first');
    expect(client.listenerCount('error') + client.listenerCount('connect') + client.listenerCount('reconnecting')).toBe(listeners);
  });

  it('set with a TTL stores the value with a server-side TTL of at least the time asked (whole seconds, rounded up)', async () => {
    await keyv.set('ttl', { a: 1 }, 5_000);
    expect(await keyv.get('ttl')).toEqual({ a: 1 });
    const ms = await client.pTTL(stored(namespace, 'ttl'));
    expect(ms).toBeGreaterThanOrEqual(5_000);
    expect(ms).toBeLessThanOrEqual(7_000);
  });

  it('has answers true for a key that exists and false for one that does not (EXISTS answers a number)', async () => {
    await keyv.set('here', 'v');
    expect(await keyv.has('here')).toBe(true);
    expect(await keyv.has('nowhere')).toBe(false);
  });

  it('delete answers true once and false after; get then answers undefined', async () => {
    await keyv.set('gone', 'v');
    expect(await keyv.delete('gone')).toBe(true);
    expect(await keyv.delete('gone')).toBe(false);
    expect(await keyv.get('gone')).toBeUndefined();
  });

  it("the *Many calls use MULTI, which LedisDB lacks: keyv reports the DataError on 'error'", async () => {
    errors.length = 0;
    await keyv.setMany([{ key: 'm1', value: 1 }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DataError);
    expect(String((errors[0] as Error).message)).toMatch(/no MULTI\/EXEC/);
    expect(await keyv.get('m1')).toBeUndefined();
    // getMany is MGET: it works.
    await keyv.set('m2', 2);
    expect(await keyv.getMany(['m2', 'm3'])).toEqual([2, undefined]);
  });
});

describe('cache-manager 7 over keyv + @keyv/redis + ledis/node-redis', () => {
  let cacheClient: RedisClientType;
  let cache: ReturnType<typeof createCache>;
  const ns = `${namespace}-cm`;

  beforeAll(() => {
    cacheClient = createClient({ url: `redis://${host}:${port}` });
    cache = createCache({ stores: [new Keyv({ store: new KeyvRedis(cacheClient as never), namespace: ns })] });
  });
  afterAll(() => cache.disconnect());

  it('set with a TTL, get, ttl', async () => {
    expect(await cache.set('user:1', { name: 'Ada' }, 60_000)).toEqual({ name: 'Ada' });
    expect(await cache.get('user:1')).toEqual({ name: 'Ada' });
    const expires = await cache.ttl('user:1');
    expect(expires).toBeGreaterThan(Date.now());
    expect(await cacheClient.ttl(stored(ns, 'user:1'))).toBeGreaterThanOrEqual(60);
  });

  it('wrap runs the function once and serves the cached value after', async () => {
    let calls = 0;
    const load = async (): Promise<string> => {
      calls++;
      return 'loaded';
    };
    expect(await cache.wrap('w', load, 60_000)).toBe('loaded');
    expect(await cache.wrap('w', load, 60_000)).toBe('loaded');
    expect(calls).toBe(1);
  });

  it('del removes a key', async () => {
    await cache.set('d', 1, 60_000);
    expect(await cache.del('d')).toBe(true);
    expect(await cache.get('d')).toBeUndefined();
  });

  it('a short TTL expires on the server', async () => {
    await cache.set('short', 'v', 1000);
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = (await cacheClient.exists(stored(ns, 'short'))) === 0;
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(true);
    expect(await cache.get('short')).toBeUndefined();
  });

  it('clear deletes every key of the namespace (SCAN MATCH ns::* TYPE string, then UNLINK) and nothing else', async () => {
    await cache.set('c1', 1, 60_000);
    await cache.set('c2', 2, 60_000);
    await cacheClient.set(`${ns}-other`, 'keep');
    expect(await cache.clear()).toBe(true);
    expect(await cache.get('c1')).toBeUndefined();
    expect(await cache.get('c2')).toBeUndefined();
    expect(await cacheClient.get(`${ns}-other`)).toBe('keep');
  });
});
