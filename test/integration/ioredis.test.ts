// ledis/ioredis: ioredis 5's surface over the engine, against the real LedisDB.
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import Redis, { Redis as NamedRedis } from '../../src/compat/ioredis.js';
import { DataError } from '../../src/errors.js';
import { prefix, serverAddress } from '../helpers.js';

const { host, port } = serverAddress();
const redis = new Redis(port, host);
const p = prefix('ioredis');
const closing: Redis[] = [redis];
const track = (r: Redis): Redis => {
  closing.push(r);
  return r;
};

afterAll(async () => {
  await Promise.all(closing.map((r) => (r.status === 'end' ? undefined : r.quit().catch(() => undefined))));
});

describe('constructor forms', () => {
  it('default and named export are the same class; port/host, url and options forms connect', async () => {
    expect(NamedRedis).toBe(Redis);
    const byUrl = track(new Redis(`redis://${host}:${port}/0`));
    const byOptions = track(new Redis({ host, port, lazyConnect: true }));
    const byPortOptions = track(new Redis(port, { host }));
    expect(byOptions.status).toBe('wait');
    expect(await byUrl.ping()).toBe('PONG');
    expect(await byOptions.ping()).toBe('PONG');
    expect(await byPortOptions.echo('hi')).toBe('hi');
  });

  it('maps ioredis option names and ignores those without meaning here; refuses Sentinel and unknown users', () => {
    const r = track(new Redis({ host, port, enableOfflineQueue: true, maxRetriesPerRequest: 3, enableReadyCheck: true, connectionName: 'x', retryStrategy: (times) => Math.min(times * 50, 500) }));
    expect(r.options.connectionName).toBe('x');
    expect(() => new Redis({ sentinels: [{ host: 'a', port: 1 }] } as never)).toThrow(DataError);
    expect(() => new Redis({ username: 'bob' })).toThrow(/no users/);
    const secret = new Redis({ host, port, password: 's3cret-pw', lazyConnect: true });
    expect(secret.options.password).toBe('s3cret-pw');
    expect(inspect(secret)).not.toMatch(/s3cret-pw/);
    expect(JSON.stringify(secret)).not.toMatch(/s3cret-pw/);
    expect(inspect(secret.options)).not.toMatch(/s3cret-pw/);
    secret.disconnect();
    expect(() => new Redis({ strict: 'yes' } as never)).toThrow(/strict/);
  });
});

describe('reply shapes', () => {
  it("'OK', integers as numbers, strings, null, arrays; HGETALL as an object", async () => {
    expect(await redis.set(`${p}a`, 'v')).toBe('OK');
    expect(await redis.get(`${p}a`)).toBe('v');
    expect(await redis.get(`${p}missing`)).toBe(null);
    expect(await redis.incr(`${p}n`)).toBe(1);
    expect(await redis.mget(`${p}a`, `${p}missing`)).toEqual(['v', null]);
    expect(await redis.mget([`${p}a`, `${p}missing`])).toEqual(['v', null]);
    expect(await redis.hset(`${p}h`, { f1: 'a', f2: 'b' })).toBe(2);
    expect(await redis.hset(`${p}h`, new Map([['f3', 'c']]))).toBe(1);
    const all = await redis.hgetall(`${p}h`);
    expect({ ...all }).toEqual({ f1: 'a', f2: 'b', f3: 'c' });
    expect(Object.getPrototypeOf(all)).toBe(null);
    expect(await redis.exists(`${p}a`, `${p}h`, `${p}missing`)).toBe(2);
    expect(await redis.del([`${p}a`, `${p}missing`])).toBe(1);
    expect(await redis.mset({ [`${p}m1`]: '1', [`${p}m2`]: '2' })).toBe('OK');
  });

  it('*Buffer methods answer Buffers', async () => {
    await redis.set(`${p}b`, Buffer.from([0xff, 0x00]));
    expect(await redis.getBuffer(`${p}b`)).toEqual(Buffer.from([0xff, 0x00]));
    expect(await redis.callBuffer('GET', `${p}b`)).toEqual(Buffer.from([0xff, 0x00]));
  });

  it('ioredis idioms are translated: SET EX / PX / NX, PTTL, UNLINK', async () => {
    expect(await redis.set(`${p}t`, 'v', 'EX', 100)).toBe('OK');
    expect(await redis.ttl(`${p}t`)).toBeGreaterThan(90);
    expect(await redis.set(`${p}t`, 'w', 'NX')).toBe(null);
    expect(await redis.set(`${p}t2`, 'v', 'PX', 5000, 'NX')).toBe('OK');
    expect(await redis.pttl(`${p}t2`)).toBeGreaterThanOrEqual(5000);
    expect(await redis.unlink(`${p}t`, `${p}t2`)).toBe(2);
  });
});

describe('call, callbacks and errors', () => {
  it('call() runs any command, with the translation', async () => {
    expect(await redis.call('set', `${p}c`, 'v', 'EX', 50)).toBe('OK');
    expect(await redis.call('TTL', `${p}c`)).toBeGreaterThan(40);
  });

  it('a node-style callback gets (null, value) or (err)', async () => {
    const value = await new Promise((resolve, reject) => redis.get(`${p}c`, (err, v) => (err ? reject(err) : resolve(v))));
    expect(value).toBe('v');
    const err = await new Promise((resolve) => redis.call('MULTI', (e: unknown) => resolve(e)));
    expect(err).toBeInstanceOf(DataError);
  });

  it('what LedisDB lacks rejects with a DataError naming it, nothing sent', async () => {
    await expect((redis as unknown as { publish(c: string, m: string): Promise<number> }).publish('chan', 'msg')).rejects.toThrow(/^PUBLISH: LedisDB has no pub\/sub/);
    await expect(redis.call('XADD', 's', '*', 'f', 'v')).rejects.toThrow(/no streams/);
  });
});

describe('defineCommand', () => {
  it('runs with numberOfKeys, EVALSHA then EVAL, and a name defined again replaces the script', async () => {
    await redis.script('FLUSH');
    redis.defineCommand('ledisIncrTwice', { numberOfKeys: 1, lua: "return redis.call('incrby', KEYS[1], ARGV[1] * 2)" });
    const r = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(await r.ledisIncrTwice?.(`${p}s`, 2)).toBe(4);
    expect(await r.ledisIncrTwice?.(`${p}s`, 1)).toBe(6);
    redis.defineCommand('ledisIncrTwice', { numberOfKeys: 1, lua: "return redis.call('incrby', KEYS[1], ARGV[1] * 3)" });
    expect(await r.ledisIncrTwice?.(`${p}s`, 1)).toBe(9);
    redis.defineCommand('ledisEcho', { lua: 'return ARGV[1]' });
    expect(await r.ledisEcho?.(0, 'x')).toBe('x');
    const batch = redis.pipeline() as unknown as Record<string, (...a: unknown[]) => unknown> & { exec(): Promise<unknown[]> };
    batch.ledisIncrTwice?.(`${p}s`, 1);
    expect(await batch.exec()).toEqual([[null, 12]]);
  });

  it('a script calling what LedisDB Lua cannot run is refused when called', async () => {
    redis.defineCommand('ledisBad', { numberOfKeys: 1, lua: "return redis.call('getdel', KEYS[1])" });
    const r = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await expect(r.ledisBad?.(`${p}x`)).rejects.toThrow(/ledisBad.*GETDEL, which LedisDB's Lua cannot run/);
    expect(() => redis.defineCommand('get', { lua: 'return 1' })).toThrow(/method of Redis already/);
  });
});

describe('pipeline and multi', () => {
  it('exec() gives [err, value] pairs in order; a failing command fails alone', async () => {
    const out = await redis.pipeline().set(`${p}p`, 'x').incr(`${p}p`).get(`${p}p`).exists(`${p}p`, `${p}nope`).getBuffer(`${p}p`).exec();
    expect(out[0]).toEqual([null, 'OK']);
    expect(out[1]?.[0]).toBeInstanceOf(Error);
    expect(out[2]).toEqual([null, 'x']);
    expect(out[3]).toEqual([null, 1]);
    expect(out[4]).toEqual([null, Buffer.from('x')]);
    expect(await redis.pipeline([['set', `${p}q`, '1'], ['incr', `${p}q`]]).exec()).toEqual([[null, 'OK'], [null, 2]]);
  });

  it('multi() takes commands and its exec() rejects with a DataError: nothing is sent', async () => {
    const err = await redis.multi().set(`${p}m`, '1').exec().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^MULTI: LedisDB has no transactions.*pipeline/);
    expect(await redis.exists(`${p}m`)).toBe(0);
  });
});

describe('scanStream', () => {
  it('streams every matching key, a page per data event', async () => {
    const q = prefix('ioscan');
    await redis.mset({ [`${q}1`]: 'a', [`${q}2`]: 'b', [`${q}3`]: 'c' });
    await redis.hset(`${q}h`, 'f', 'v');
    const keys: string[] = [];
    for await (const page of redis.scanStream({ match: `${q}*`, count: 2 })) keys.push(...(page as string[]));
    expect(keys.sort()).toEqual([`${q}1`, `${q}2`, `${q}3`, `${q}h`]);
    const fields: string[] = [];
    for await (const page of redis.hscanStream(`${q}h`)) fields.push(...(page as string[]));
    expect(fields).toEqual(['f', 'v']);
  });
});

describe('lifecycle', () => {
  it("status and ioredis's events: connect, ready, close, end; quit answers 'OK'", async () => {
    const r = new Redis({ host, port, lazyConnect: true });
    const events: string[] = [];
    for (const e of ['connect', 'ready', 'close', 'end']) r.on(e, () => events.push(e));
    expect(r.status).toBe('wait');
    await r.connect();
    expect(r.status).toBe('ready');
    expect(await r.quit()).toBe('OK');
    expect(r.status).toBe('end');
    expect(events).toContain('ready');
    expect(events).toContain('end');
  });

  it('duplicate() is a new client with the same options; select() moves the client to another db', async () => {
    const d = track(redis.duplicate());
    await d.set(`${p}dup`, '1');
    expect(await redis.get(`${p}dup`)).toBe('1');
    const other = track(redis.duplicate());
    expect(await other.select(3)).toBe('OK');
    expect(await other.get(`${p}dup`)).toBe(null);
    await other.set(`${p}dup`, 'db3');
    expect(await redis.get(`${p}dup`)).toBe('1');
  });

  it('keyPrefix prefixes keys, translated commands included', async () => {
    const q = prefix('kp');
    const r = track(new Redis({ host, port, keyPrefix: q }));
    await r.set('k', 'v', 'EX', 100);
    expect(await redis.get(`${q}k`)).toBe('v');
    expect(await r.exists('k')).toBe(1);
    expect(await r.ttl('k')).toBeGreaterThan(90);
  });

  it('strict refuses approximations, and duplicate() keeps it', async () => {
    const r = track(new Redis({ host, port, strict: true }));
    await expect(r.set(`${p}st`, 'v', 'PX', 100)).rejects.toThrow(/strict/);
    await expect(r.pexpire(`${p}st`, 100)).rejects.toThrow(/strict/);
    const d = track(r.duplicate());
    await expect(d.set(`${p}st`, 'v', 'PX', 100)).rejects.toThrow(/strict/);
    expect(() => (Redis as unknown as { Cluster: unknown }).Cluster).toThrow(/no cluster mode.*shards/);
  });
});
