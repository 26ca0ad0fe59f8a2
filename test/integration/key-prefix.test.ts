// keyPrefix across every command family, checked against the real server
// through a second client without the prefix: the keys the server holds are
// the prefixed ones, and nothing else was touched.
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, Ledis } from '../../src/index.js';
import { escapeRegexp, makeKeyPrefix, prefixedPattern } from '../../src/prefix.js';
import { client, prefix } from '../helpers.js';

// A prefix with regexp metacharacters, so MATCH rewriting must escape it.
const ns = prefix('kp').replace(/:$/, '') + '.(x)+:';
const plain = client();
const app = client({ keyPrefix: ns });
const rawApp = client({ keyPrefix: ns, decodeResponses: false });
afterAll(() => Promise.all([plain.quit(), app.quit(), rawApp.quit()]));

describe('keyPrefix: every key argument of every family', () => {
  it('KV: set/get/mset/mget/del/exists/expire/incr/getset/append/dump+restore', async () => {
    expect(await app.set('a', '1')).toBe(true);
    expect(await plain.get(ns + 'a')).toBe('1');
    expect(await plain.get('a')).toBeNull();
    await app.mset({ b: '2', c: '3' });
    expect(await plain.mget(ns + 'b', ns + 'c')).toEqual(['2', '3']);
    expect(await app.mget('a', 'b', 'c')).toEqual(['1', '2', '3']);
    expect(await app.exists('a')).toBe(true);
    expect(await app.expire('a', 100)).toBe(true);
    expect(await plain.ttl(ns + 'a')).toBeGreaterThan(0);
    expect(await app.incr('n')).toBe(1);
    expect(await plain.get(ns + 'n')).toBe('1');
    expect(await app.getset('b', 'x')).toBe('2');
    const dumped = await app.dump('c');
    await app.restore('c2', 0, dumped as Buffer);
    expect(await plain.get(ns + 'c2')).toBe('3');
    expect(await app.del('b', 'c')).toBe(2);
    expect(await plain.exists(ns + 'b')).toBe(false);
    await app.set(Buffer.from('buf'), 'v');
    expect(await plain.get(ns + 'buf')).toBe('v');
  });

  it('hash: hset/hgetall/hmget/hincrby/hexpire/hmclear; fields are not keys', async () => {
    await app.hset('h', 'f', 'v');
    await app.hmset('h2', { g: 'w' });
    expect(await plain.hgetall(ns + 'h')).toEqual({ f: 'v' });
    expect(await plain.hget(ns + 'h', ns + 'f')).toBeNull();
    expect(await app.hmget('h', 'f')).toEqual(['v']);
    expect(await app.hincrby('h', 'n', 2)).toBe(2);
    expect(await app.hexpire('h', 100)).toBe(true);
    expect(await plain.httl(ns + 'h')).toBeGreaterThan(0);
    expect(await app.hmclear('h', 'h2')).toBe(2);
    expect(await plain.hkeyexists(ns + 'h2')).toBe(false);
  });

  it('list: rpush/lrange/rpoplpush/ltrim_front; blpop pops the prefixed key and names it as the server does', async () => {
    await app.rpush('l', 'a', 'b', 'c');
    expect(await plain.lrange(ns + 'l', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await app.rpoplpush('l', 'l2')).toBe('c');
    expect(await plain.lrange(ns + 'l2', 0, -1)).toEqual(['c']);
    expect(await app.ltrim_front('l', 1)).toBe(1);
    expect(await app.blpop(['empty', 'l'], 1)).toEqual([ns + 'l', 'b']);
  });

  it('set: sadd/sinterstore/sunion/smclear', async () => {
    await app.sadd('s1', 'a', 'b');
    await app.sadd('s2', 'b', 'c');
    expect(await app.sinterstore('s3', 's1', 's2')).toBe(1);
    expect(await plain.smembers(ns + 's3')).toEqual(new Set(['b']));
    expect(await app.sunion(['s1', 's2'])).toEqual(new Set(['a', 'b', 'c']));
    expect(await app.smclear('s1', 's2', 's3')).toBe(3);
  });

  it('zset: zadd/zrangebyscore/zunionstore (keys after numkeys) and zinterstore with weights', async () => {
    await app.zadd('z1', 1, 'a', 2, 'b');
    await app.zadd('z2', { b: 10 });
    expect(await plain.zrange(ns + 'z1', 0, -1)).toEqual(['a', 'b']);
    expect(await app.zunionstore('zu', ['z1', 'z2'])).toBe(2);
    expect(await plain.zscore(ns + 'zu', 'b')).toBe(12);
    expect(await app.zinterstore('zi', { z1: 2, z2: 1 })).toBe(1);
    expect(await plain.zscore(ns + 'zi', 'b')).toBe(14);
    expect(await app.zrangebyscore('zu', 0, 100, { withscores: true })).toEqual([
      ['a', 1],
      ['b', 12],
    ]);
  });

  it('bit: setbit/bitop (keys after the operation)/bmsetbit/bcount/bdelete/bget', async () => {
    await app.setbit('b1', 0, 1);
    await app.bmsetbit('b2', 1, 1, 9, 1);
    expect(await plain.getbit(ns + 'b2', 9)).toBe(1);
    expect(await app.bitop('OR', 'bor', 'b1', 'b2')).toBe(2);
    expect(await plain.bitcount(ns + 'bor')).toBe(3);
    expect(await app.bcount('b2', 0, 8)).toBe(1);
    expect(await app.bcount('b2', -8, -1)).toBe(1);
    expect(await rawApp.bget('b1')).toEqual(Buffer.from([0x80]));
    expect(await app.bdelete('b1')).toBe(1);
    expect(await plain.exists(ns + 'b1')).toBe(false);
  });

  it('sort: the sorted key, STORE, and BY / GET patterns get the prefix; GET # does not', async () => {
    await app.rpush('ids', '1', '2', '3');
    await app.mset({ w_1: '30', w_2: '10', w_3: '20', name_1: 'one', name_2: 'two', name_3: 'three' });
    expect(await app.xlsort('ids', { by: 'w_*' })).toEqual(['2', '3', '1']);
    expect(await app.xlsort('ids', { by: 'w_*', get: ['#', 'name_*'] })).toEqual(['2', 'two', '3', 'three', '1', 'one']);
    expect(await app.xlsort('ids', { by: 'w_*', store: 'sorted' })).toBe(3);
    expect(await plain.lrange(ns + 'sorted', 0, -1)).toEqual(['2', '3', '1']);
  });

  it('script: keys passed as keys are prefixed (KEYS[1]); a key named in the script body is not', async () => {
    expect(await app.eval("ledis.call('SET', KEYS[1], ARGV[1]); return KEYS[1]", ['sk'], ['v'])).toBe(ns + 'sk');
    expect(await plain.get(ns + 'sk')).toBe('v');
    const fn = app.defineCommand('kpSet', { script: "return ledis.call('GET', KEYS[1])", numberOfKeys: 1 });
    expect(await fn('sk')).toBe('v');
  });

  it('migrate: xdump / xrestore name the key after the type', async () => {
    await app.sadd('ms', 'm');
    const dump = await app.xdump('SET', 'ms');
    expect(await app.xrestore('SET', 'ms2', 0, dump as Buffer)).toBe(true);
    expect(await plain.smembers(ns + 'ms2')).toEqual(new Set(['m']));
  });

  it('pipeline and raw sendCommand prefix keys by the command table', async () => {
    expect(await app.pipeline().set('p1', 'x').get('p1').sendCommand('GET', 'p1').exec()).toEqual([true, 'x', 'x']);
    expect(await plain.get(ns + 'p1')).toBe('x');
    expect(await app.sendCommand('del', 'p1')).toBe(1);
    expect(await app.sendCommand('PING')).toBe('PONG');
  });

  it('db(n) and select(n) clients keep the prefix', async () => {
    const three = await app.select(3);
    await three.set('d', '3');
    expect(await plain.db(3).get(ns + 'd')).toBe('3');
    await three.del('d');
  });
});

describe('keyPrefix and scans', () => {
  it('xscan stays inside the prefix, MATCH applies after it, keys and cursor come back without it', async () => {
    const scan = client({ keyPrefix: prefix('kpscan') + 'a.c:' });
    const other = client({ keyPrefix: (scan.options.keyPrefix as string).replace('a.c:', 'abc:') });
    try {
      for (const k of ['user:1', 'user:2', 'item:1', 'user:3']) await scan.set(k, '1');
      await other.set('user:9', '1'); // 'a.c' as a regexp would match 'abc'
      const [cursor, keys] = await scan.xscan('KV', { count: 100 });
      expect(cursor).toBe('');
      expect(keys.sort()).toEqual(['item:1', 'user:1', 'user:2', 'user:3']);
      expect((await scan.xscan('KV', { match: '^user:' }))[1].sort()).toEqual(['user:1', 'user:2', 'user:3']);
      expect((await scan.xscan('KV', { match: ':1$' }))[1].sort()).toEqual(['item:1', 'user:1']);
      expect((await scan.xscan('KV', { match: '^item', desc: true }))[1]).toEqual(['item:1']);
      // Paging with the returned cursor, by hand and by the iterator.
      const first = await scan.xscan('KV', { count: 2 });
      expect(first[1]).toEqual(['item:1', 'user:1']);
      const second = await scan.xscan('KV', { cursor: first[0], count: 10 });
      expect(second[1]).toEqual(['user:2', 'user:3']);
      const all: string[] = [];
      for await (const k of scan.scanIterator({ type: 'KV', count: 1 })) all.push(k);
      expect(all).toEqual(['item:1', 'user:1', 'user:2', 'user:3']);
      await scan.rpush('list:1', 'x');
      expect(await scan.lxscan({ match: '^list' })).toEqual(['', ['list:1']]);
    } finally {
      await Promise.all([scan.quit(), other.quit()]);
    }
  });

  it('field scans prefix the key, not the fields or their MATCH', async () => {
    await app.hmset('fh', { f1: 'a', f2: 'b', g1: 'c' });
    expect(await app.xhscan('fh', { match: '^f' })).toEqual(['', [['f1', 'a'], ['f2', 'b']]]);
  });
});

describe('keyPrefix, unit', () => {
  it('escapes every Go regexp metacharacter and keeps the user pattern relative to the prefix', () => {
    expect(escapeRegexp('a.b*c+d?(e)[f]{g}|h^i$j\\k')).toBe('a\\.b\\*c\\+d\\?\\(e\\)\\[f\\]\\{g\\}\\|h\\^i\\$j\\\\k');
    const p = makeKeyPrefix('ns.')!;
    expect(prefixedPattern(p, '^user:')).toBe('^ns\\.(?:user:)');
    expect(prefixedPattern(p, 'a|b')).toBe('^ns\\.(?s:.*?)(?:a|b)');
    // Go's (?s:...) in JS terms, to check what the pattern accepts.
    const re = new RegExp((prefixedPattern(p, ':1$') as string).replace('(?s:.*?)', '[\\s\\S]*?'));
    expect(re.test('ns.user:1')).toBe(true);
    expect(re.test('ns.line\nuser:1')).toBe(true);
    expect(re.test('nsXuser:1')).toBe(false);
  });

  it('refuses a keyPrefix that is not a string before connecting', () => {
    expect(() => new Ledis({ keyPrefix: 5 as never, lazyConnect: true })).toThrow(DataError);
    expect(makeKeyPrefix('')).toBeNull();
  });
});
