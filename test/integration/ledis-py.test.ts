// ledis-py's own test cases (client/ledis-py/tests/ in the LedisDB repository,
// last at c30979e^: test_cmd_bit.py, test_cmd_script.py, test_others.py) for
// the methods its published docs skipped and the replies whose shape follows
// it, ported to this driver against today's server. Where LedisDB 0.6 answers
// differently from the 0.5 server those tests were written for, the
// expectation is today's and a comment says what 0.5 gave.
//
// Like ledis-py's tests these use keys a, b, c and flush after each case, so
// they run on a server of their own.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataError, Ledis, ResponseError } from '../../src/index.js';
// @ts-ignore -- plain ESM script
import { startLedisServer } from '../../tools/server.mjs';

type Server = { host: string; port: number; stop(): Promise<void> };
let server: Server;
let l: Ledis;

beforeAll(async () => {
  server = await startLedisServer({ quiet: true });
  l = new Ledis({ host: server.host, port: server.port });
});
afterEach(async () => {
  await l.flushall();
});
afterAll(async () => {
  await l?.quit();
  await server?.stop();
});

/** ledis-py's util.expire_at_seconds: a minute from now, in unix seconds. */
const expireAtSeconds = () => Math.floor(Date.now() / 1000) + 60;

describe('test_cmd_bit', () => {
  it('test_bget: bget is GET of the bitmap, as bytes (0.5 gave \\x7f: it numbered bits from the low end)', async () => {
    expect(await l.bmsetbit('a', 0, 1, 1, 1, 2, 1, 3, 1, 4, 1, 5, 1, 6, 1, 7, 0)).toBe(8);
    expect(await l.bget('a')).toEqual(Buffer.from([0xfe]));
    expect(await l.bget('missing')).toBeNull();
  });

  it('test_bdelete: 1 for a bitmap that existed, 0 for one that did not', async () => {
    await l.bsetbit('a', 0, 1);
    expect(await l.bdelete('a')).toBe(1);
    expect(await l.bdelete('non_exists_key')).toBe(0);
    expect(await l.bget('a')).toBeNull();
  });

  it('test_get_set_bit: bsetbit returns the previous bit, bgetbit reads it', async () => {
    expect(await l.bgetbit('a', 5)).toBe(0);
    expect(await l.bsetbit('a', 5, true)).toBe(0);
    expect(await l.bgetbit('a', 5)).toBe(1);
    expect(await l.bsetbit('a', 4, false)).toBe(0);
    expect(await l.bgetbit('a', 4)).toBe(0);
    expect(await l.bsetbit('a', 4, true)).toBe(0);
    expect(await l.bgetbit('a', 4)).toBe(1);
    expect(await l.bsetbit('a', 5, true)).toBe(1);
    expect(await l.bgetbit('a', 5)).toBe(1);
  });

  it('test_bmsetbit: the number of pairs set', async () => {
    expect(await l.bmsetbit('a', 0, 1, 2, 1, 3, 1)).toBe(3);
  });

  it('test_bcount: counts between BIT offsets, inclusive, as 0.5 did', async () => {
    await l.bsetbit('a', 5, 1);
    expect(await l.bcount('a')).toBe(1);
    await l.bsetbit('a', 6, 1);
    expect(await l.bcount('a')).toBe(2);
    await l.bsetbit('a', 5, 0);
    expect(await l.bcount('a')).toBe(1);
    await l.bmsetbit('a', 10, 1, 20, 1, 30, 1, 40, 1);
    expect(await l.bcount('a')).toBe(5);
    expect(await l.bcount('a', 0, 10)).toBe(2);
    expect(await l.bcount('a', 20, 30)).toBe(2);
    expect(await l.bcount('a', 10, 10)).toBe(1);
  });

  it('bcount beyond the port: reversed and negative offsets, past the end, a missing key, bad arguments', async () => {
    await l.bmsetbit('a', 10, 1, 20, 1, 30, 1, 40, 1); // 6 bytes: bit 47 is the last
    expect(await l.bcount('a', 30, 20)).toBe(2);
    expect(await l.bcount('a', -8, -1)).toBe(1); // bits 40..47
    expect(await l.bcount('a', 0, -1)).toBe(4);
    expect(await l.bcount('a', -1000, 25)).toBe(2);
    expect(await l.bcount('a', 41, 10_000)).toBe(0);
    expect(await l.bcount('a', 1_000, 2_000)).toBe(0);
    expect(await l.bcount('missing', 0, 100)).toBe(0);
    await expect(l.bcount('a', 0)).rejects.toThrow(DataError);
    await expect(l.bcount('a', 0.5, 3)).rejects.toThrow(/BCOUNT: start must be an integer/);
  });

  it('test_bopt: BITOP today; the reply is the result length in BYTES (0.5 gave bits: 101)', async () => {
    await l.bmsetbit('a1', 10, 1, 30, 1, 50, 1, 70, 1, 90, 1);
    await l.bmsetbit('a2', 20, 1, 40, 1, 60, 1, 80, 1, 100, 1);
    expect(await l.bopt('and', 'res1', 'a1', 'a2')).toBe(13);
    expect(await l.bcount('res1')).toBe(0);
    expect(await l.bopt('or', 'res2', 'a1', 'a2')).toBe(13);
    expect(await l.bcount('res2')).toBe(10);
    expect(await l.bopt('xor', 'res3', 'a1', 'a2')).toBe(13);
    expect(await l.bcount('res3')).toBe(10);
  });

  it('test_bopt_not_empty_string / not: LedisDB (d35789e) writes nothing for one source key (0.5 gave 91)', async () => {
    await l.bmsetbit('a1', 10, 1, 30, 1);
    expect(await l.bopt('not', 'r', 'a1')).toBe(0);
    expect(await l.bget('r')).toBeNull();
  });

  it('test_bexpire, test_bexpireat_unixtime, test_bexpireat_no_key, test_bttl_and_bpersist', async () => {
    expect(await l.bexpire('a', 100)).toBe(false);
    await l.bsetbit('a', 1, true);
    expect(await l.bexpire('a', 100)).toBe(true);
    const ttl = await l.bttl('a');
    expect(ttl > 0 && ttl <= 100).toBe(true);
    expect(await l.bpersist('a')).toBe(true);
    expect(await l.bttl('a')).toBe(-1);
    expect(await l.bexpireat('a', expireAtSeconds())).toBe(true);
    expect(await l.bttl('a')).toBeLessThanOrEqual(61);
    expect(await l.bexpireat('no_key', new Date(Date.now() + 60_000))).toBe(false);
  });
});

describe('test_others: the per-type scans', () => {
  type Scan = (options?: { key?: string; match?: string }) => Promise<[string, string[]]>;
  // ledis-py's check_keys: a whole page, a MATCH, and a start key.
  async function checkKeys(scan: Scan): Promise<void> {
    const [cursor, keys] = await scan();
    expect(cursor).toBe('');
    expect(new Set(keys)).toEqual(new Set(['a', 'b', 'c']));
    expect(new Set((await scan({ match: 'a' }))[1])).toEqual(new Set(['a']));
    expect(new Set((await scan({ key: 'a' }))[1])).toEqual(new Set(['b', 'c']));
  }

  it('test_xscan: xscan() without a type scans KV keys, as XSCAN did in 0.5', async () => {
    await l.mset({ a: 1, b: 2, c: 3 });
    await l.hset('h', 'f', 'v');
    await checkKeys((o) => l.xscan(o));
  });

  it('test_lxscan', async () => {
    for (const k of ['a', 'b', 'c']) await l.rpush(k, 1);
    await l.set('kv', 1);
    await checkKeys((o) => l.lxscan(o));
  });

  it('test_hxscan', async () => {
    for (const k of ['a', 'b', 'c']) await l.hset(k, 'hello', 'world');
    await checkKeys((o) => l.hxscan(o));
  });

  it('test_sxscan', async () => {
    await l.sadd('a', 1);
    await l.sadd('b', 2);
    await l.sadd('c', 3);
    await checkKeys((o) => l.sxscan(o));
  });

  it('test_zxscan', async () => {
    for (const k of ['a', 'b', 'c']) await l.zadd(k, 1, 'a');
    await checkKeys((o) => l.zxscan(o));
  });

  it('test_bxscan: bitmaps are KV strings now, so this is XSCAN KV', async () => {
    for (const k of ['a', 'b', 'c']) await l.bsetbit(k, 1, 1);
    await checkKeys((o) => l.bxscan(o));
  });

  it('the scans take cursor as well as key, but not both, and count', async () => {
    for (const k of ['a', 'b', 'c']) await l.rpush(k, 1);
    expect(await l.lxscan({ cursor: 'a', count: 1 })).toEqual(['b', ['b']]);
    await expect(l.lxscan({ key: 'a', cursor: 'b' })).rejects.toThrow(DataError);
  });
});

describe('test_cmd_script: the lowercase script methods', () => {
  const simple = 'return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}';

  it('test_eval', async () => {
    expect(await l.eval(simple, ['key1', 'key2'], ['first', 'second'])).toEqual(['key1', 'key2', 'first', 'second']);
  });

  it('test_evalsha and test_scriptload: a 40-character SHA1', async () => {
    const sha1 = await l.scriptload(simple);
    expect(sha1).toHaveLength(40);
    expect(await l.evalsha(sha1, ['key1', 'key2'], ['first', 'second'])).toEqual(['key1', 'key2', 'first', 'second']);
  });

  it('test_scriptexists and test_scriptflush: booleans and true (ledis-py gave [1] / [0] and "OK")', async () => {
    const sha1 = await l.scriptload(simple);
    expect(await l.scriptexists(sha1)).toEqual([true]);
    expect(await l.scriptflush()).toBe(true);
    expect(await l.scriptexists(sha1)).toEqual([false]);
  });
});

describe('test_others: server information', () => {
  it('test_echo and test_ping', async () => {
    expect(await l.echo('foo bar')).toBe('foo bar');
    expect(await l.ping()).toBe(true);
  });

  it('test_select: a client on that db for 1 and 15; 16 is a ResponseError with the server text', async () => {
    expect(await l.select(1)).toBeInstanceOf(Ledis);
    expect(await l.select(15)).toBeInstanceOf(Ledis);
    const err = await l.select(16).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError).serverMessage).toBe('invalid db index 16, must in [0, 15]');
    expect((err as ResponseError).command).toBe('SELECT');
  });

  it('test_info: one flat mapping (the backend is `name` today, `db_name` in 0.5); a section on request', async () => {
    const info = await l.info();
    expect(Object.getPrototypeOf(info)).toBeNull();
    expect(info.name).toBe('memory');
    expect(info.role).toBe('master');
    expect(typeof info.resp_client_num).toBe('number');
    const server = await l.info('server');
    expect(['linux', 'darwin']).toContain(server.os);
    expect(server.role).toBeUndefined();
    const sections = await l.infoSections();
    expect(sections.replication?.role).toBe('master');
    expect(sections.server?.os).toBe(info.os);
  });

  it("test_flushdb: 'OK'", async () => {
    await l.set('a', 1);
    expect(await l.flushdb()).toBe('OK');
    expect(await l.get('a')).toBeNull();
  });

  it("test_flushall: 'OK', and every db is empty", async () => {
    const one = await l.select(1);
    await one.set('a', 1);
    expect(await one.get('a')).toBe('1');
    const ten = await l.select(10);
    await ten.set('a', 1);
    expect(await ten.get('a')).toBe('1');
    expect(await l.flushall()).toBe('OK');
    expect(await ten.get('a')).toBeNull();
    expect(await one.get('a')).toBeNull();
  });

  it("flushdb and flushall are 'OK' with decodeResponses off too", async () => {
    const raw = new Ledis({ host: server.host, port: server.port, decodeResponses: false });
    try {
      expect(await raw.flushdb()).toBe('OK');
      expect(await raw.pipeline().flushall().exec()).toEqual(['OK']);
    } finally {
      await raw.quit();
    }
  });
});
