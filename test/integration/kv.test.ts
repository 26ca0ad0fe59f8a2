// The KV family against the real server: every method, its reply shape, and
// the arguments refused before sending.
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ResponseError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const raw = client({ decodeResponses: false });
const p = prefix('kv');
afterAll(async () => {
  await Promise.all([ledis.quit(), raw.quit()]);
});

describe('strings', () => {
  it('set / get / getset / setnx', async () => {
    expect(await ledis.get(p + 'a')).toBeNull();
    expect(await ledis.set(p + 'a', 'one')).toBe(true);
    expect(await ledis.getset(p + 'a', 'two')).toBe('one');
    expect(await ledis.getset(p + 'new', 'first')).toBeNull();
    expect(await ledis.setnx(p + 'a', 'three')).toBe(false);
    expect(await ledis.setnx(p + 'b', 'three')).toBe(true);
    expect(await ledis.mget(p + 'a', p + 'b', p + 'missing')).toEqual(['two', 'three', null]);
  });

  it('setex sets a value with an expiry in seconds; a fractional time is refused', async () => {
    expect(await ledis.setex(p + 'ex', 100, 'v')).toBe(true);
    expect(await ledis.get(p + 'ex')).toBe('v');
    const ttl = await ledis.ttl(p + 'ex');
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    await expect(ledis.setex(p + 'ex', 1.5, 'v')).rejects.toThrow(DataError);
  });

  it('append, strlen, getrange and setrange count bytes', async () => {
    expect(await ledis.append(p + 's', 'hé')).toBe(3);
    expect(await ledis.append(p + 's', 'llo')).toBe(6);
    expect(await ledis.strlen(p + 's')).toBe(6);
    expect(await ledis.getrange(p + 's', 0, 0)).toBe('h');
    expect(await ledis.getrange(p + 's', -3, -1)).toBe('llo');
    expect(await ledis.setrange(p + 's', 3, 'LL')).toBe(6);
    expect(await ledis.get(p + 's')).toBe('héLLo');
    expect(await ledis.setrange(p + 'pad', 2, 'x')).toBe(3);
    expect(await raw.get(p + 'pad')).toEqual(Buffer.from([0, 0, 0x78]));
    await expect(ledis.setrange(p + 's', -1, 'x')).rejects.toThrow(DataError);
    await expect(ledis.getrange(p + 's', 0.5, 1)).rejects.toThrow(DataError);
  });

  it('strlen is the byte length of the value, 0 for a missing, expired or other-type key, whatever the reply mode', async () => {
    const bin = Buffer.from([0xff, 0xfe, 0x00, 0xc3]); // not UTF-8: a decoded string would have another length
    await raw.set(p + 'bin-len', bin);
    await ledis.set(p + 'empty', '');
    await ledis.set(p + 'emoji', '€😀');
    await ledis.hset(p + 'hash-only', 'f', 'v');
    await ledis.rpush(p + 'list-only', 'x');
    await ledis.setex(p + 'short', 1, 'gone soon');
    for (const c of [ledis, raw, ledis.buffers]) {
      expect(await c.strlen(p + 'bin-len')).toBe(4);
      expect(await c.strlen(p + 'empty')).toBe(0);
      expect(await c.strlen(p + 'emoji')).toBe(7);
      expect(await c.strlen(p + 'missing-len')).toBe(0);
      expect(await c.strlen(p + 'hash-only')).toBe(0);
      expect(await c.strlen(p + 'list-only')).toBe(0);
      expect(await c.strlen(Buffer.from(p + 'emoji'))).toBe(7);
      expect(await c.pipeline().strlen(p + 'bin-len').strlen(p + 'missing-len').get(p + 'empty').strlen(p + 'emoji').exec()).toEqual([4, 0, c === ledis ? '' : Buffer.alloc(0), 7]);
    }
    // No wrong-type error to keep: LedisDB's types have separate keyspaces (a string and a hash of one name coexist).
    await ledis.hset(p + 'both', 'f', 'v');
    await ledis.set(p + 'both', 'str');
    expect([await ledis.strlen(p + 'both'), await ledis.hget(p + 'both', 'f')]).toEqual([3, 'v']);
    await ledis.set(p + 'big-len', Buffer.alloc(300_000, 1));
    expect(await ledis.strlen(p + 'big-len')).toBe(300_000);
    // After the expiry (LedisDB's TTL checker runs every second here).
    await new Promise((r) => setTimeout(r, 2100));
    expect(await ledis.strlen(p + 'short')).toBe(0);
  });

  it('strlen with a keyPrefix, and response callbacks: a STRLEN callback gets the length; a GET callback is not STRLEN\'s', async () => {
    const app = client({ keyPrefix: p + 'app:' });
    await app.set('v', 'héllo');
    expect(await app.strlen('v')).toBe(6);
    expect(await app.strlen('nope')).toBe(0);
    expect(await ledis.strlen(p + 'app:v')).toBe(6);
    app.setResponseCallback('GET', (r) => `get:${String(r)}`);
    expect(await app.strlen('v')).toBe(6);
    app.setResponseCallback('STRLEN', (r) => `len:${String(r)}`);
    expect(await app.strlen('v')).toBe('len:6');
    expect(await app.strlen('nope')).toBe('len:0');
    app.setResponseCallback('STRLEN', null); // raw: what STRLEN itself answers, an integer
    expect(await app.strlen('v')).toBe(6);
    await app.quit();
  });

  it("strlen's errors are the server's, named STRLEN: an empty or over-long key", async () => {
    for (const key of ['', 'k'.repeat(1025)]) {
      const err = (await ledis.strlen(key).catch((e: unknown) => e)) as ResponseError;
      expect(err).toBeInstanceOf(ResponseError);
      expect(err.command).toBe('STRLEN');
      expect(err.message).toBe('STRLEN: invalid key size');
      // What the server's own STRLEN says about that key.
      await expect(ledis.sendCommand('STRLEN', key)).rejects.toMatchObject({ serverMessage: err.serverMessage });
    }
    await expect(ledis.strlen(undefined as never)).rejects.toMatchObject({ name: 'DataError', command: 'STRLEN' });
    await expect((ledis.strlen as () => Promise<number>)()).rejects.toThrow(/^STRLEN: strlen\(\) needs at least 1 argument/);
    expect(() => ledis.pipeline().strlen({} as never)).toThrow(/^STRLEN: /);
  });

  it('mset sets every pair of an object or a Map; an empty mapping is refused', async () => {
    expect(await ledis.mset({ [p + 'm1']: '1', [p + 'm2']: 2 })).toBe(true);
    expect(await ledis.mset(new Map([[p + 'm3', 'three']]))).toBe(true);
    expect(await ledis.mget([p + 'm1', p + 'm2', p + 'm3'])).toEqual(['1', '2', 'three']);
    await expect(ledis.mset({})).rejects.toThrow(DataError);
  });

  it('values are bytes: a Buffer round-trips on a Buffer client', async () => {
    const bytes = Buffer.from([0, 255, 13, 10, 1]);
    await raw.set(p + 'bin', bytes);
    expect(await raw.get(p + 'bin')).toEqual(bytes);
  });
});

describe('counters', () => {
  it('incr / incrby / decr / decrby, with int64 beyond the safe range as bigint', async () => {
    expect(await ledis.incr(p + 'n')).toBe(1);
    expect(await ledis.incrby(p + 'n', 10)).toBe(11);
    expect(await ledis.decr(p + 'n')).toBe(10);
    expect(await ledis.decrby(p + 'n', 4)).toBe(6);
    expect(await ledis.decrby(p + 'n')).toBe(5);
    await ledis.set(p + 'big', '9007199254740992');
    expect(await ledis.incrby(p + 'big', 1n)).toBe(9007199254740993n);
    await expect(ledis.decrby(p + 'n', 1.5)).rejects.toThrow(DataError);
  });

  it('incr of a non-number is the server error for that command only', async () => {
    await ledis.set(p + 'word', 'bar');
    await expect(ledis.incr(p + 'word')).rejects.toMatchObject({ name: 'ResponseError', command: 'INCR' });
    expect(await ledis.get(p + 'word')).toBe('bar');
  });

  it('errors name the method the caller called: INCR/DECR for incr/decr (sent as INCRBY/DECRBY), in every path', async () => {
    await ledis.set(p + 'text', 'abc');
    const server = async (call: Promise<unknown>) => {
      const err = (await call.catch((e: unknown) => e)) as ResponseError;
      expect(err).toBeInstanceOf(ResponseError);
      return [err.command, err.message.split(':')[0]];
    };
    expect(await server(ledis.incr(p + 'text'))).toEqual(['INCR', 'INCR']);
    expect(await server(ledis.incr(p + 'text', 5))).toEqual(['INCR', 'INCR']);
    expect(await server(ledis.decr(p + 'text'))).toEqual(['DECR', 'DECR']);
    expect(await server(ledis.incrby(p + 'text', 2))).toEqual(['INCRBY', 'INCRBY']);
    expect(await server(ledis.decrby(p + 'text', 2))).toEqual(['DECRBY', 'DECRBY']);
    // Caller values refused before sending.
    await expect(ledis.incr(p + 'n', 1.5)).rejects.toMatchObject({ name: 'DataError', command: 'INCR', message: expect.stringMatching(/^INCR: amount must be an integer/) });
    await expect(ledis.decr(p + 'n', 'x' as never)).rejects.toMatchObject({ name: 'DataError', command: 'DECR', message: expect.stringMatching(/^DECR: /) });
    await expect(ledis.incrby(p + 'n', 1.5)).rejects.toMatchObject({ name: 'DataError', command: 'INCRBY' });
    // Pipelines: each slot's error names its method's command; the amount still travels (one INCRBY).
    const [a, b, c] = await ledis.pipeline().incr(p + 'text').decr(p + 'text').incr(p + 'pn', 7).execSettled();
    expect(a).toMatchObject({ ok: false, error: { name: 'ResponseError', command: 'INCR' } });
    expect(b).toMatchObject({ ok: false, error: { name: 'ResponseError', command: 'DECR' } });
    expect(c).toEqual({ ok: true, value: 7 });
    expect(() => ledis.pipeline().decr(p + 'n', 0.5)).toThrow(/^DECR: amount must be an integer/);
    // A reply beyond the safe range with bigIntegers: 'error' names INCR too.
    const strict = client({ bigIntegers: 'error' });
    await strict.set(p + 'edge', String(Number.MAX_SAFE_INTEGER));
    await expect(strict.incr(p + 'edge')).rejects.toMatchObject({ name: 'DataError', command: 'INCR' });
    await strict.quit();
  });

  it("response callbacks: INCR's reaches incr only; INCRBY's (ledis-py's name for what incr sends) reaches incrby, and incr without an INCR callback", async () => {
    const c = client();
    c.setResponseCallback('INCRBY', (r) => `by:${String(r)}`);
    expect(await c.incr(p + 'cb')).toBe('by:1');
    c.setResponseCallback('INCR', (r) => `incr:${String(r)}`);
    expect(await c.incr(p + 'cb')).toBe('incr:2');
    expect(await c.incrby(p + 'cb', 3)).toBe('by:5');
    expect(await c.decr(p + 'cb')).toBe(4);
    await c.quit();
  });
});

describe('keys and expiry', () => {
  it('exists; delete replies with the number of keys named, deleted or not (LedisDB ledis/t_kv.go Del)', async () => {
    await ledis.set(p + 'd1', '1');
    await ledis.set(p + 'd2', '2');
    expect(await ledis.exists(p + 'd1')).toBe(true);
    expect(await ledis.delete(p + 'd1', p + 'd2', p + 'nope')).toBe(3);
    expect(await ledis.mget(p + 'd1', p + 'd2')).toEqual([null, null]);
    expect(await ledis.exists(p + 'd1')).toBe(false);
  });

  it('delete and del take the keys as an array too, as mget does; an empty array is a DataError', async () => {
    await ledis.mset({ [p + 'a1']: '1', [p + 'a2']: '2', [p + 'a3']: '3' });
    expect(await ledis.delete([p + 'a1', p + 'a2'])).toBe(2);
    expect(await ledis.del([p + 'a3'])).toBe(1);
    expect(await ledis.mget([p + 'a1', p + 'a2', p + 'a3'])).toEqual([null, null, null]);
    await expect(ledis.del([])).rejects.toThrow(DataError);
    const [n] = (await ledis.pipeline().del([p + 'a1', p + 'a2']).exec()) as [number];
    expect(n).toBe(2);
  });

  it('expire / expireat (number or Date) / ttl / persist', async () => {
    await ledis.set(p + 'e', 'v');
    expect(await ledis.ttl(p + 'e')).toBe(-1);
    expect(await ledis.expire(p + 'e', 100)).toBe(true);
    expect(await ledis.ttl(p + 'e')).toBeGreaterThan(90);
    const at = new Date(Date.now() + 200_000);
    expect(await ledis.expireat(p + 'e', at)).toBe(true);
    expect(await ledis.ttl(p + 'e')).toBeGreaterThan(190);
    expect(await ledis.expireat(p + 'e', Math.floor(Date.now() / 1000) + 300)).toBe(true);
    expect(await ledis.ttl(p + 'e')).toBeGreaterThan(290);
    expect(await ledis.persist(p + 'e')).toBe(true);
    expect(await ledis.persist(p + 'e')).toBe(false);
    expect(await ledis.ttl(p + 'e')).toBe(-1);
    expect(await ledis.expire(p + 'missing', 10)).toBe(false);
    expect(await ledis.expireat(p + 'missing', new Date(Date.now() + 60_000))).toBe(false);
    // A time already past is the server's error, not a silent delete.
    await expect(ledis.expireat(p + 'e', 1)).rejects.toThrow(/invalid expire value/);
    await expect(ledis.expireat(p + 'e', new Date(Number.NaN))).rejects.toThrow(DataError);
  });

  it('dump returns the serialized value as a Buffer even on a string client; restore brings it back', async () => {
    await ledis.set(p + 'src', 'payload');
    const dumped = await ledis.dump(p + 'src');
    expect(Buffer.isBuffer(dumped)).toBe(true);
    expect(await ledis.dump(p + 'missing')).toBeNull();
    expect(await ledis.restore(p + 'copy', 0, dumped as Buffer)).toBe(true);
    expect(await ledis.get(p + 'copy')).toBe('payload');
  });
});
