// ledis/node-redis against the real LedisDB: the lifecycle node-redis users
// and libraries rely on, and reply shapes compared with node-redis 5 itself
// (the `redis` package, talking to the same server) for every command both
// can send as is.
import { inspect } from 'node:util';
import { createClient as realCreateClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientClosedError, createClient, DataError, RESP_TYPES, type RedisClientType } from '../../src/compat/node-redis.js';
import { readClientOptions, retryFromReconnect } from '../../src/compat/node-redis-options.js';
import { prefix, serverAddress } from '../helpers.js';

const { host, port } = serverAddress();
const url = `redis://${host}:${port}`;
const p = prefix('node-redis');

let ours: RedisClientType;
// node-redis 5 itself; CLIENT SETINFO is off (LedisDB has no CLIENT).
const real = realCreateClient({ url, disableClientInfo: true });

beforeAll(async () => {
  ours = await createClient({ url }).connect();
  await real.connect();
});
afterAll(async () => {
  await ours.close();
  await real.close();
});

describe('ledis/node-redis replies as node-redis 5 does (same calls, same server)', () => {
  // Each case runs on both clients with its own keys; the replies must be deep-equal.
  const cases: [string, (c: any, k: string) => Promise<unknown>][] = [
    ['set and get', async (c, k) => [await c.set(k, 'v'), await c.get(k), await c.get(`${k}:none`)]],
    ['set with NX-free options and setNX, getSet', async (c, k) => [await c.setNX(k, 'a'), await c.setNX(k, 'b'), await c.getSet(k, 'c'), await c.get(k)]],
    ['mSet (object, tuples) and mGet', async (c, k) => [await c.mSet({ [`${k}a`]: '1', [`${k}b`]: '2' }), await c.mSet([[`${k}c`, '3']]), await c.mGet([`${k}a`, `${k}x`, `${k}c`])]],
    ['incr, incrBy, decr, decrBy', async (c, k) => [await c.incr(k), await c.incrBy(k, 10), await c.decr(k), await c.decrBy(k, 3)]],
    ['append, strLen, getRange, setRange', async (c, k) => [await c.append(k, 'hello'), await c.strLen(k), await c.getRange(k, 1, 3), await c.setRange(k, 0, 'J'), await c.get(k)]],
    ['setBit, getBit, bitCount', async (c, k) => [await c.setBit(k, 7, 1), await c.getBit(k, 7), await c.bitCount(k)]],
    ['expire, ttl, persist', async (c, k) => [await c.set(k, 'v'), await c.expire(k, 100), await c.ttl(k), await c.persist(k), await c.ttl(k)]],
    ['setEx and expireAt with a Date', async (c, k) => [await c.setEx(k, 50, 'v'), await c.expireAt(k, new Date(Date.now() + 500_000)), (await c.ttl(k)) > 400]],
    ['del of one key and of an array', async (c, k) => [await c.set(k, '1'), await c.del(k), await c.set(k, '1'), await c.del([k])]],
    ['exists of one key', async (c, k) => [await c.exists(k), await c.set(k, '1'), await c.exists(k)]],
    ['hSet field/value, hGet, hGetAll, hmGet', async (c, k) => [await c.hSet(k, 'a', '1'), await c.hSet(k, 'a', '2'), await c.hGet(k, 'a'), await c.hGetAll(k), await c.hmGet(k, ['a', 'zz'])]],
    ['hExists, hLen, hKeys, hVals, hIncrBy, hDel', async (c, k) => [await c.hSet(k, 'f', '5'), await c.hExists(k, 'f'), await c.hExists(k, 'g'), await c.hLen(k), await c.hKeys(k), await c.hVals(k), await c.hIncrBy(k, 'f', 2), await c.hDel(k, 'f')]],
    ['a missing hash: hGetAll {} and hGet null', async (c, k) => [await c.hGetAll(k), await c.hGet(k, 'x')]],
    ['lPush, rPush, lRange, lLen, lIndex, lPop, rPop', async (c, k) => [await c.rPush(k, ['a', 'b']), await c.lPush(k, 'z'), await c.lRange(k, 0, -1), await c.lLen(k), await c.lIndex(k, 1), await c.lPop(k), await c.rPop(k), await c.lPop(`${k}:none`)]],
    ['lSet, lTrim, rPopLPush', async (c, k) => [await c.rPush(k, ['a', 'b', 'c']), await c.lSet(k, 0, 'A'), await c.lTrim(k, 0, 1), await c.rPopLPush(k, `${k}:2`), await c.lRange(`${k}:2`, 0, -1)]],
    ['sAdd, sMembers, sIsMember, sCard, sRem', async (c, k) => [await c.sAdd(k, ['a', 'b', 'a']), (await c.sMembers(k)).sort(), await c.sIsMember(k, 'a'), await c.sIsMember(k, 'q'), await c.sCard(k), await c.sRem(k, 'a')]],
    ['sInter, sUnion, sDiff and their stores', async (c, k) => [await c.sAdd(`${k}1`, ['a', 'b']), await c.sAdd(`${k}2`, ['b', 'c']), await c.sInter([`${k}1`, `${k}2`]), (await c.sUnion([`${k}1`, `${k}2`])).sort(), await c.sDiff([`${k}1`, `${k}2`]), await c.sUnionStore(`${k}3`, [`${k}1`, `${k}2`])]],
    ['zAdd one and many, zScore, zCard, zRank, zIncrBy', async (c, k) => [await c.zAdd(k, { score: 1, value: 'a' }), await c.zAdd(k, [{ score: 2, value: 'b' }, { score: 3, value: 'c' }]), await c.zScore(k, 'b'), await c.zScore(k, 'q'), await c.zCard(k), await c.zRank(k, 'c'), await c.zRevRank(k, 'c'), await c.zIncrBy(k, 5, 'a')]],
    ['zRange, zRangeWithScores, zRangeByScore, zCount, zRem', async (c, k) => [await c.zAdd(k, [{ score: 1, value: 'a' }, { score: 2, value: 'b' }, { score: 3, value: 'c' }]), await c.zRange(k, 0, -1), await c.zRangeWithScores(k, 0, 1), await c.zRangeByScore(k, 2, '+inf'), await c.zRangeByScoreWithScores(k, '-inf', 2), await c.zCount(k, 1, 2), await c.zRem(k, ['a', 'q'])]],
    ['zRemRangeByRank and zRemRangeByScore', async (c, k) => [await c.zAdd(k, [{ score: 1, value: 'a' }, { score: 2, value: 'b' }, { score: 3, value: 'c' }]), await c.zRemRangeByRank(k, 0, 0), await c.zRemRangeByScore(k, 3, 3), await c.zRange(k, 0, -1)]],
    ['eval with keys and arguments, scriptLoad, evalSha, scriptExists', async (c, k) => {
      const src = "return {#KEYS, ARGV[1], ARGV[2]}";
      const sha = await c.scriptLoad(src);
      return [await c.eval(src, { keys: [k], arguments: ['x', 'y'] }), await c.evalSha(sha, { keys: k, arguments: ['1', '2'] }), await c.scriptExists([sha, '0000000000000000000000000000000000000000'])];
    }],
    ['sendCommand gives the raw reply', async (c, k) => [await c.sendCommand(['SET', k, 'v']), await c.sendCommand(['GET', k]), await c.sendCommand(['HSET', `${k}h`, 'f', 'v'])]],
    ['ping and echo', async (c) => [await c.ping(), await c.echo('hi')]],
  ];
  for (const [name, body] of cases) {
    it(name, async () => {
      const mine = await body(ours, `${p}${name.replace(/\W+/g, '_')}:ours:`);
      const theirs = await body(real, `${p}${name.replace(/\W+/g, '_')}:real:`);
      expect(mine).toEqual(theirs);
    });
  }

  it('zRangeByScoreWithScores with LIMIT works (node-redis 5 itself sends LIMIT before WITHSCORES, which LedisDB refuses)', async () => {
    const k = `${p}zlimit`;
    await ours.zAdd(k, [{ score: 1, value: 'a' }, { score: 2, value: 'b' }, { score: 3, value: 'c' }]);
    expect(await ours.zRangeByScoreWithScores(k, '-inf', 2, { LIMIT: { offset: 1, count: 5 } })).toEqual([{ value: 'b', score: 2 }]);
    expect(await ours.zRange(k, 3, 1, { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: 2 } })).toEqual(['c', 'b']);
    expect(await ours.zRange(k, 0, 1, { REV: true })).toEqual(['c', 'b']);
    expect(await ours.zRangeWithScores(k, 1, 2, { BY: 'SCORE' })).toEqual([{ value: 'a', score: 1 }, { value: 'b', score: 2 }]);
  });

  it("blPop and brPop give { key, element } (node-redis 5 itself passes on LedisDB's nested [key, [key, element]])", async () => {
    const k = `${p}bpop`;
    await ours.rPush(k, ['a', 'b']);
    expect(await ours.blPop(k, 1)).toEqual({ key: k, element: 'a' });
    expect(await ours.brPop([k], 1)).toEqual({ key: k, element: 'b' });
  });

  it('hGetAll is an object without a prototype, as node-redis 5 gives it', async () => {
    await ours.hSet(`${p}proto`, { __proto__: 'x', constructor: 'y' } as Record<string, string>);
    const h = await ours.hGetAll(`${p}proto`);
    expect(Object.getPrototypeOf(h)).toBeNull();
  });

  it('hSet takes an object, a Map and an array of pairs (one field at a time goes as is)', async () => {
    expect(await ours.hSet(`${p}h1`, 'f', 1)).toBe(1);
    expect(await ours.hGetAll(`${p}h1`)).toEqual({ f: '1' });
  });
});

describe('lifecycle as node-redis 5', () => {
  it('a command before connect() rejects with ClientClosedError; isOpen and isReady follow connect() and close()', async () => {
    const c = createClient({ url });
    expect(c.isOpen).toBe(false);
    expect(c.isReady).toBe(false);
    await expect(c.get('x')).rejects.toBeInstanceOf(ClientClosedError);
    const events: string[] = [];
    c.on('connect', () => events.push('connect'));
    c.on('ready', () => events.push('ready'));
    c.on('end', () => events.push('end'));
    expect(await c.connect()).toBe(c);
    expect(c.isOpen).toBe(true);
    expect(c.isReady).toBe(true);
    await c.close();
    expect(c.isOpen).toBe(false);
    expect(c.isReady).toBe(false);
    await expect(c.get('x')).rejects.toBeInstanceOf(ClientClosedError);
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['connect', 'ready', 'end']);
  });

  it('connect() on an open client returns the same client and adds no listener (as @keyv/redis calls it)', async () => {
    const c = createClient({ url });
    await c.connect();
    const before = c.listenerCount('ready') + c.listenerCount('end') + c.listenerCount('error');
    for (let i = 0; i < 50; i++) expect(await c.connect()).toBe(c);
    expect(c.listenerCount('ready') + c.listenerCount('end') + c.listenerCount('error')).toBe(before);
    await c.set(`${p}lc`, 'v');
    expect(await c.get(`${p}lc`)).toBe('v');
    c.destroy();
    expect(c.isOpen).toBe(false);
  });

  it('a closed client connects again on connect()', async () => {
    const c = createClient({ url });
    await c.connect();
    await c.quit();
    await c.connect();
    expect(await c.ping()).toBe('PONG');
    await c.disconnect();
  });

  it("a refused connection: 'error' and 'reconnecting' events, connect() rejects once the strategy gives up, then 'end' and closed", async () => {
    const events: string[] = [];
    const c = createClient({ socket: { host: '127.0.0.1', port: 1, reconnectStrategy: (retries) => (retries < 2 ? 10 : false) } });
    c.on('error', () => events.push('error'));
    c.on('reconnecting', () => events.push('reconnecting'));
    c.on('end', () => events.push('end'));
    await expect(c.connect()).rejects.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(events.filter((e) => e === 'reconnecting').length).toBeGreaterThanOrEqual(1);
    expect(events).toContain('error');
    expect(events.at(-1)).toBe('end');
    expect(c.isOpen).toBe(false);
  });

  it('connect() to a closed port with reconnectStrategy false rejects, and the client is closed', async () => {
    const c = createClient({ socket: { host: '127.0.0.1', port: 1, reconnectStrategy: false } });
    await expect(c.connect()).rejects.toThrow();
    expect(c.isOpen).toBe(false);
  });

  it('duplicate() makes an independent client with the same options', async () => {
    const d = ours.duplicate();
    expect(d.isOpen).toBe(false);
    await d.connect();
    await d.set(`${p}dup`, '1');
    expect(await ours.get(`${p}dup`)).toBe('1');
    await d.close();
    expect(ours.isReady).toBe(true);
  });

  it('select(db) moves this client to another db; the server checks the index', async () => {
    const c = await createClient({ url }).connect();
    await c.set(`${p}db`, 'zero');
    await c.select(3);
    expect(await c.get(`${p}db`)).toBeNull();
    await c.set(`${p}db`, 'three');
    expect(await ours.get(`${p}db`)).toBe('zero');
    await expect(c.select(99)).rejects.toThrow(/invalid db index/);
    await c.close();
    const d = await createClient({ url, database: 3 }).connect();
    expect(await d.get(`${p}db`)).toBe('three');
    await d.close();
  });

  it('util.inspect never shows the password; options show it redacted', () => {
    const c = createClient({ url: `redis://:s3cret@${host}:${port}`, password: 's3cret' });
    expect(JSON.stringify(c.options)).not.toContain('s3cret');
    expect(inspect(c)).not.toContain('s3cret');
  });
});

describe('Buffers, multi, and what LedisDB lacks', () => {
  it('withTypeMapping({ BLOB_STRING: Buffer }) gives Buffers on the same connection; OK stays a string', async () => {
    const b = ours.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    expect(await b.set(`${p}buf`, Buffer.from([0xff, 0]))).toBe('OK');
    expect(await b.get(`${p}buf`)).toEqual(Buffer.from([0xff, 0]));
    expect(await ours.get(`${p}buf`)).toBeTypeOf('string');
    expect(b.isOpen).toBe(true);
    const hb = await b.hGetAll(`${p}none`);
    expect(hb).toEqual({});
    expect(() => ours.withTypeMapping({ [RESP_TYPES.DOUBLE]: String })).toThrow(DataError);
  });

  it('multi().exec() rejects with a DataError naming MULTI and the nearest ways; execAsPipeline() runs the batch', async () => {
    await expect(ours.multi().set(`${p}m`, '1').exec()).rejects.toThrow(/MULTI.*execAsPipeline.*eval/s);
    expect(await ours.get(`${p}m`)).toBeNull();
    const r = await ours.multi().set(`${p}m`, '1').incr(`${p}n`).get(`${p}m`).hGetAll(`${p}none`).execAsPipeline();
    expect(r).toEqual(['OK', 1, '1', {}]);
  });

  it('pub/sub, WATCH, KEYS, GETDEL reject before sending with a DataError naming the command and the nearest LedisDB way', async () => {
    const refused = async (p: Promise<unknown>, command: string): Promise<DataError> => {
      const err = (await p.then(
        () => null,
        (e: unknown) => e,
      )) as DataError;
      expect(err).toBeInstanceOf(DataError);
      expect(err.command).toBe(command);
      expect(err.message).toMatch(/LedisDB has no/);
      return err;
    };
    await refused(ours.publish('ch', 'm'), 'PUBLISH');
    await refused(ours.subscribe('ch', () => {}), 'SUBSCRIBE');
    await refused(ours.watch('k'), 'WATCH');
    expect((await refused(ours.keys('*'), 'KEYS')).message).toMatch(/SCAN/);
    await refused(ours.getDel(`${p}gd`), 'GETDEL');
    await refused(ours.hSetNX(`${p}h`, 'f', 'v'), 'HSETNX');
    expect(await ours.hLen(`${p}h`)).toBe(0);
  });

  it('type() answers the Redis type name across LedisDB\'s keyspaces', async () => {
    await ours.hSet(`${p}ty`, 'f', 'v');
    expect(await ours.type(`${p}ty`)).toBe('hash');
    expect(await ours.type(`${p}ty:none`)).toBe('none');
  });

  it('a fractional zset score is refused before sending (LedisDB scores are int64)', async () => {
    await expect(ours.zAdd(`${p}z`, { score: 1.5, value: 'a' })).rejects.toThrow(/integers/);
    expect(await ours.zCard(`${p}z`)).toBe(0);
  });
});

describe('createClient options', () => {
  it('socket.{host, port}, database and password map to the engine; unknown names get a suggestion', () => {
    expect(() => createClient({ socket: { host, port, connectTimeout: 1000, keepAlive: true, reconnectStrategy: (n) => Math.min(n * 50, 500) }, database: 1 })).not.toThrow();
    expect(() => createClient({ sokcet: {} } as never)).toThrow(/did you mean socket/);
    expect(() => createClient({ socket: { hots: 'x' } } as never)).toThrow(/did you mean host/);
    expect(() => createClient({ username: 'alice', password: 'x' })).toThrow(/no users/);
    expect(() => createClient({ url: 'redis://alice:pw@localhost:6380' })).toThrow(/no users/);
    expect(() => createClient({ RESP: 3 } as never)).toThrow(/RESP2/);
    expect(() => createClient({ scripts: {} })).not.toThrow();
    expect(() => createClient({ scripts: 5 } as never)).toThrow(/scripts must be an object/);
    expect(() => createClient({ url: 'rediss://localhost:6380', socket: { tls: false } })).toThrow(/TLS/);
    expect(() => createClient({ url: 'http://localhost' })).toThrow(/redis:\/\//);
  });

  it("node-redis's options become the engine's: URL parts win, socket defaults are node-redis's, strategies are mapped", () => {
    const read = readClientOptions({
      url: 'redis://:pw@db.internal:7000/3',
      socket: { host: 'ignored', port: 1, connectTimeout: 1500, keepAlive: false },
      database: 1,
      commandsQueueMaxLength: 50,
      disableOfflineQueue: true,
      ledis: { keyPrefix: 'app:', strict: true },
    });
    expect(read.ledis).toMatchObject({ host: 'db.internal', port: 7000, db: 3, password: 'pw', connectTimeout: 1500, keepAlive: 0, maxPending: 50, offlineQueue: false, keyPrefix: 'app:', lazyConnect: true });
    expect(read.translate).toEqual({ strict: true });
    expect(readClientOptions({}).ledis).toMatchObject({ keepAlive: 5000, lazyConnect: true });
    expect(readClientOptions({ socket: { path: '/tmp/l.sock' } }).ledis).toMatchObject({ unixSocketPath: '/tmp/l.sock' });
    expect(readClientOptions({ socket: { tls: true, host: 'h', servername: 'h.example' } }).ledis.tls).toEqual({ servername: 'h.example' });
    expect(retryFromReconnect(false)(1, undefined)).toBeNull();
    expect(retryFromReconnect(250)(7, undefined)).toBe(250);
    const seen: number[] = [];
    const strategy = retryFromReconnect((retries) => (seen.push(retries), retries < 2 ? 100 : new Error('give up')));
    expect([strategy(1, undefined), strategy(2, undefined), strategy(3, undefined)]).toEqual([100, 100, null]);
    expect(seen).toEqual([0, 1, 2]);
  });
});
