// The translation table (src/commands/translate.ts) against the real LedisDB:
// each rewritten Redis command answers what Redis documents for it, and each
// refusal is a DataError before anything is sent.
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/compat/engine.js';
import { globToRegexp, LEDIS_COMMANDS, secondsFor, translate } from '../../src/commands/translate.js';
import { DataError } from '../../src/errors.js';
import { prefix, serverAddress } from '../helpers.js';

const engine = Engine.create({ ...serverAddress() });
const p = prefix('translate');
const run = (name: string, ...args: unknown[]) => engine.execute(name, args, false, {});
const runBuffers = (name: string, ...args: unknown[]) => engine.execute(name, args, true, {});
const strict = (name: string, ...args: unknown[]) => engine.execute(name, args, false, { strict: true });

afterAll(() => engine.quit());

describe('SET and its options', () => {
  it('SET k v answers OK and discards an earlier TTL, as Redis (LedisDB alone keeps it)', async () => {
    await run('SETEX', `${p}s1`, 100, 'a');
    expect(await run('TTL', `${p}s1`)).toBeGreaterThan(90);
    expect(await run('SET', `${p}s1`, 'b')).toBe('OK');
    expect(await run('TTL', `${p}s1`)).toBe(-1);
    expect(await run('GET', `${p}s1`)).toBe('b');
    // the LedisDB behaviour this corrects:
    await engine.send('SETEX', [`${p}s1b`, 100, 'a'], false);
    await engine.send('SET', [`${p}s1b`, 'b'], false);
    expect(await engine.send('TTL', [`${p}s1b`], false)).toBeGreaterThan(90);
  });

  it('SET EX is SETEX: value and TTL', async () => {
    expect(await run('SET', `${p}s2`, 'v', 'EX', 50)).toBe('OK');
    expect(await run('GET', `${p}s2`)).toBe('v');
    const ttl = (await run('TTL', `${p}s2`)) as number;
    expect(ttl).toBeGreaterThanOrEqual(49);
    expect(ttl).toBeLessThanOrEqual(50);
  });

  it('SET PX rounds up to whole seconds plus one (never shorter than asked); strict refuses it', async () => {
    expect(secondsFor(1)).toBe(2);
    expect(secondsFor(1000)).toBe(2);
    expect(secondsFor(1001)).toBe(3);
    expect(await run('SET', `${p}s3`, 'v', 'PX', 1500)).toBe('OK');
    const ttl = (await run('TTL', `${p}s3`)) as number;
    expect(ttl).toBeGreaterThanOrEqual(2);
    expect(ttl).toBeLessThanOrEqual(3);
    await expect(strict('SET', `${p}s3`, 'v', 'PX', 1500)).rejects.toThrow(/strict/);
  });

  it('SET NX is SETNX: OK when set, null when the key exists', async () => {
    expect(await run('SET', `${p}s4`, 'v', 'NX')).toBe('OK');
    expect(await run('SET', `${p}s4`, 'w', 'NX')).toBe(null);
    expect(await run('GET', `${p}s4`)).toBe('v');
  });

  it('SET NX EX sets value and TTL only when absent (a script: approximated, refused when strict)', async () => {
    expect(await run('SET', `${p}s5`, 'v', 'NX', 'EX', 30)).toBe('OK');
    expect(await run('SET', `${p}s5`, 'w', 'EX', 60, 'NX')).toBe(null);
    expect(await run('GET', `${p}s5`)).toBe('v');
    expect(await run('TTL', `${p}s5`)).toBeLessThanOrEqual(30);
    await expect(strict('SET', `${p}s5`, 'v', 'NX', 'EX', 30)).rejects.toBeInstanceOf(DataError);
  });

  it('SET XX sets only an existing key', async () => {
    expect(await run('SET', `${p}s6`, 'v', 'XX')).toBe(null);
    expect(await run('EXISTS', `${p}s6`)).toBe(0);
    await run('SET', `${p}s6`, 'a');
    expect(await run('SET', `${p}s6`, 'b', 'XX', 'EX', 40)).toBe('OK');
    expect(await run('GET', `${p}s6`)).toBe('b');
    expect(await run('TTL', `${p}s6`)).toBeGreaterThan(30);
  });

  it('SET GET is GETSET (the old value), KEEPTTL keeps the TTL', async () => {
    expect(await run('SET', `${p}s7`, 'a', 'GET')).toBe(null);
    expect(await run('SET', `${p}s7`, 'b', 'GET')).toBe('a');
    await run('SETEX', `${p}s7`, 100, 'c');
    expect(await run('SET', `${p}s7`, 'd', 'KEEPTTL')).toBe('OK');
    expect(await run('TTL', `${p}s7`)).toBeGreaterThan(90);
  });

  it('refuses what LedisDB cannot do, before sending, naming the command', async () => {
    await expect(run('SET', `${p}s8`, 'v', 'EXAT', 2e9)).rejects.toThrow(/^SET: LedisDB cannot set a value and an absolute expiry/);
    await expect(run('SET', `${p}s8`, 'v', 'NX', 'GET')).rejects.toBeInstanceOf(DataError);
    await expect(run('SET', `${p}s8`, 'v', 'EX', 0)).rejects.toThrow(/invalid expire time/);
    await expect(run('SET', `${p}s8`, 'v', 'BOGUS')).rejects.toThrow(/syntax error/);
    expect(await run('EXISTS', `${p}s8`)).toBe(0);
  });

  it('PSETEX rounds up; MSET and GETSET discard TTLs as Redis', async () => {
    expect(await run('PSETEX', `${p}s9`, 2500, 'v')).toBe('OK');
    expect(await run('TTL', `${p}s9`)).toBeGreaterThanOrEqual(3);
    expect(await run('MSET', `${p}s9`, 'a', `${p}s10`, 'b')).toBe('OK');
    expect(await run('TTL', `${p}s9`)).toBe(-1);
    await run('SETEX', `${p}s10`, 100, 'c');
    expect(await run('GETSET', `${p}s10`, 'd')).toBe('c');
    expect(await run('TTL', `${p}s10`)).toBe(-1);
  });
});

describe('one keyspace, as Redis has', () => {
  it('EXISTS of several keys counts those that exist in any type (a key named twice counts twice)', async () => {
    await run('SET', `${p}e1`, 'v');
    await run('HSET', `${p}e2`, 'f', 'v');
    await run('RPUSH', `${p}e3`, 'x');
    expect(await run('EXISTS', `${p}e1`, `${p}e2`, `${p}e3`, `${p}e4`, `${p}e1`)).toBe(4);
    expect(await run('EXISTS', `${p}e4`)).toBe(0);
  });

  it('DEL and UNLINK remove every type and answer how many keys existed', async () => {
    await run('SET', `${p}d1`, 'v');
    await run('SADD', `${p}d2`, 'm');
    await run('ZADD', `${p}d3`, 1, 'm');
    expect(await run('DEL', `${p}d1`, `${p}d2`, `${p}d9`, `${p}d1`)).toBe(2);
    expect(await run('UNLINK', `${p}d3`)).toBe(1);
    expect(await run('EXISTS', `${p}d1`, `${p}d2`, `${p}d3`)).toBe(0);
  });

  it('TYPE names the type, none for a missing key', async () => {
    await run('SET', `${p}t1`, 'v');
    await run('HSET', `${p}t2`, 'f', 'v');
    await run('RPUSH', `${p}t3`, 'v');
    await run('SADD', `${p}t4`, 'v');
    await run('ZADD', `${p}t5`, 1, 'v');
    const types = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => run('TYPE', `${p}t${i}`)));
    expect(types).toEqual(['string', 'hash', 'list', 'set', 'zset', 'none']);
  });

  it('EXPIRE / TTL / PERSIST work on a hash as on a string; TTL is -2 for a missing key', async () => {
    await run('HSET', `${p}x1`, 'f', 'v');
    expect(await run('TTL', `${p}x1`)).toBe(-1);
    expect(await run('EXPIRE', `${p}x1`, 100)).toBe(1);
    expect(await run('TTL', `${p}x1`)).toBeGreaterThan(90);
    expect(await run('PERSIST', `${p}x1`)).toBe(1);
    expect(await run('TTL', `${p}x1`)).toBe(-1);
    expect(await run('EXPIRE', `${p}missing`, 100)).toBe(0);
    expect(await run('TTL', `${p}missing`)).toBe(-2);
    expect(await run('PTTL', `${p}missing`)).toBe(-2);
  });

  it('PEXPIRE rounds up, PTTL answers milliseconds (whole seconds); both refused when strict', async () => {
    await run('SET', `${p}x2`, 'v');
    expect(await run('PEXPIRE', `${p}x2`, 1200)).toBe(1);
    const pttl = (await run('PTTL', `${p}x2`)) as number;
    expect(pttl % 1000).toBe(0);
    expect(pttl).toBeGreaterThanOrEqual(2000);
    await expect(strict('PEXPIRE', `${p}x2`, 1200)).rejects.toBeInstanceOf(DataError);
    await expect(strict('PTTL', `${p}x2`)).rejects.toBeInstanceOf(DataError);
  });

  it('EXPIRE with a non-positive time deletes the key, as Redis', async () => {
    await run('SET', `${p}x3`, 'v');
    expect(await run('EXPIRE', `${p}x3`, 0)).toBe(1);
    expect(await run('EXISTS', `${p}x3`)).toBe(0);
  });
});

describe('hashes, strings, lists, zsets', () => {
  it('HSET of several pairs is HMSET and answers the number of new fields', async () => {
    expect(await run('HSET', `${p}h1`, 'a', '1', 'b', '2')).toBe(2);
    expect(await run('HSET', `${p}h1`, 'a', '3', 'c', '4', 'c', '5')).toBe(1);
    expect(await run('HGETALL', `${p}h1`)).toEqual(['a', '3', 'b', '2', 'c', '5']);
    expect(await run('HSET', `${p}h1`, 'd', '1')).toBe(1);
  });

  it('STRLEN counts bytes, 0 for a missing key (no server crash); GETRANGE of a missing key is ""', async () => {
    await run('SET', `${p}r1`, 'héllo');
    expect(await run('STRLEN', `${p}r1`)).toBe(6);
    expect(await run('STRLEN', `${p}r9`)).toBe(0);
    expect(await run('GETRANGE', `${p}r9`, 0, 3)).toBe('');
    expect(await runBuffers('GETRANGE', `${p}r9`, 0, 3)).toEqual(Buffer.alloc(0));
  });

  it('PING msg answers msg', async () => {
    expect(await run('PING')).toBe('PONG');
    expect(await run('PING', 'hi')).toBe('hi');
  });

  it('ZRANGE BYSCORE / REV / LIMIT are ZRANGEBYSCORE / ZREVRANGE', async () => {
    await run('ZADD', `${p}z1`, 1, 'a', 2, 'b', 3, 'c');
    expect(await run('ZRANGE', `${p}z1`, 0, -1, 'REV')).toEqual(['c', 'b', 'a']);
    expect(await run('ZRANGE', `${p}z1`, 2, '+inf', 'BYSCORE', 'WITHSCORES')).toEqual(['b', '2', 'c', '3']);
    expect(await run('ZRANGE', `${p}z1`, 3, 1, 'BYSCORE', 'REV', 'LIMIT', 0, 1)).toEqual(['c']);
  });

  it('refuses LPOP with a count and ZADD flags before sending', async () => {
    await expect(run('LPOP', `${p}l1`, 2)).rejects.toThrow(/^LPOP: LedisDB has no LPOP with a count/);
    await expect(run('ZADD', `${p}z1`, 'NX', 1, 'a')).rejects.toThrow(/^ZADD: LedisDB has no ZADD NX/);
  });
});

describe('SCAN with Redis cursors and globs', () => {
  it('a glob becomes an anchored Go regexp', () => {
    expect(globToRegexp('user:*')).toBe('^(?s:user:.*)$');
    expect(globToRegexp('a?c')).toBe('^(?s:a.c)$');
    expect(globToRegexp('h[ae]llo')).toBe('^(?s:h[ae]llo)$');
    expect(globToRegexp('h[^e]llo')).toBe('^(?s:h[^e]llo)$');
    expect(globToRegexp('a.b\\*')).toBe('^(?s:a\\.b\\*)$');
  });

  it('SCAN 0 MATCH glob pages every type to cursor "0"; TYPE keeps to one', async () => {
    const q = prefix('scan');
    await run('MSET', `${q}a1`, 1, `${q}a2`, 2, `${q}b1`, 3, `${q}0`, 4);
    await run('HSET', `${q}a3`, 'f', 'v');
    const seen: string[] = [];
    let cursor = '0';
    let pages = 0;
    do {
      const [next, keys] = (await run('SCAN', cursor, 'MATCH', `${q}a*`, 'COUNT', 1)) as [string, string[]];
      seen.push(...keys);
      cursor = next;
      pages++;
    } while (cursor !== '0' && pages < 100);
    expect(seen.sort()).toEqual([`${q}a1`, `${q}a2`, `${q}a3`]);
    const strings: string[] = [];
    cursor = '0';
    do {
      const [next, keys] = (await run('SCAN', cursor, 'MATCH', `${q}*`, 'TYPE', 'string')) as [string, string[]];
      strings.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    // A key named "...0" is a key like any other: the cursor is never ambiguous.
    expect(strings.sort()).toEqual([`${q}0`, `${q}a1`, `${q}a2`, `${q}b1`]);
  });

  it('HSCAN / SSCAN / ZSCAN page with Redis cursors, a member named "0" included', async () => {
    const q = prefix('mscan');
    await run('SADD', `${q}s`, '0', 'a', 'b');
    const members: string[] = [];
    let cursor = '0';
    do {
      const [next, page] = (await run('SSCAN', `${q}s`, cursor, 'COUNT', 1)) as [string, string[]];
      members.push(...page);
      cursor = next;
    } while (cursor !== '0');
    expect(members.sort()).toEqual(['0', 'a', 'b']);
    await run('HSET', `${q}h`, 'f1', 'v1', 'f2', 'v2');
    expect(await run('HSCAN', `${q}h`, 0, 'MATCH', 'f*')).toEqual(['0', ['f1', 'v1', 'f2', 'v2']]);
    await run('ZADD', `${q}z`, 5, 'm');
    expect(await run('ZSCAN', `${q}z`, 0)).toEqual(['0', ['m', '5']]);
  });

  it('a cursor that is not one of ours is a DataError', async () => {
    await expect(run('SCAN', 'garbage!')).rejects.toThrow(/invalid cursor/);
    await expect(run('SCAN', 0, 'TYPE', 'stream')).rejects.toThrow(/^SCAN: LedisDB has no keys of type/);
  });
});

describe('what nothing fits', () => {
  it.each([
    ['MULTI', [], /no transactions/],
    ['EXEC', [], /no transactions/],
    ['WATCH', ['k'], /no transactions/],
    ['PUBLISH', ['c', 'm'], /no pub\/sub/],
    ['SUBSCRIBE', ['c'], /no pub\/sub/],
    ['XADD', ['s', '*', 'f', 'v'], /no streams/],
    ['GETDEL', ['k'], /GET then DEL/],
    ['HSETNX', ['h', 'f', 'v'], /HEXISTS then HSET/],
    ['KEYS', ['*'], /SCAN/],
    ['NOSUCHCOMMAND', [], /LedisDB has no NOSUCHCOMMAND/],
  ])('%s is a DataError naming it and LedisDB\'s nearest way', async (name, args, why) => {
    const err = await run(name, ...args).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(new RegExp(`^${name}: LedisDB`));
    expect((err as DataError).message).toMatch(why);
  });

  it('a Lua script calling PTTL or SET with options is refused before sending when scripts are sent as they are', () => {
    const script = "local n = redis.call('set', KEYS[1], 0, 'EX', ARGV[1], 'NX') return redis.call('pttl', KEYS[1])";
    expect(() => translate('EVAL', [script, 1, `${p}lua`, 5])).toThrow(/EVAL refused before sending: the script calls SET with options/);
    expect(() => translate('EVAL', ["return redis.call('pttl', KEYS[1])", 1, `${p}lua`])).toThrow(/PTTL, which LedisDB's Lua cannot run/);
    // Wrapped (the faces' default), through the shim; strict still refuses the approximations.
    expect(translate('EVAL', [script, 1, `${p}lua`, 5], { redisCalls: true })).toBe(null);
    expect(() => translate('EVAL', [script, 1, `${p}lua`, 5], { redisCalls: true, strict: true })).toThrow(/SET with options, which LedisDB can only approximate/);
  });

  it('a Lua script calling GETDEL is refused before sending; one calling PTTL runs through the shim', async () => {
    await expect(run('EVAL', "return redis.call('getdel', KEYS[1])", 1, `${p}lua`)).rejects.toThrow(/GETDEL, which LedisDB's Lua cannot run/);
    expect(await run('EVAL', "local n = redis.call('set', KEYS[1], 0, 'EX', ARGV[1], 'NX') return redis.call('pttl', KEYS[1])", 1, `${p}lua-shim`, 5)).toBe(5000);
    expect(await run('EVAL', "return redis.call('incrby', KEYS[1], ARGV[1])", 1, `${p}lua`, 3)).toBe(3);
    await expect(run('SCRIPT', 'LOAD', "return redis.call('getdel', KEYS[1])")).rejects.toThrow(/^SCRIPT: SCRIPT LOAD refused before sending: the script calls GETDEL/);
    expect(await run('SCRIPT', 'LOAD', 'return 1')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('commands LedisDB has go as they are', () => {
    expect(translate('GET', ['k'])).toBe(null);
    expect(translate('HGETALL', ['k'])).toBe(null);
    expect(translate('HSET', ['k', 'f', 'v'])).toBe(null);
  });
});

describe('a batch of Redis commands', () => {
  it('translates each, keeps their order, and gives each its own outcome', async () => {
    const out = await engine.batch(
      [
        { name: 'SET', args: [`${p}b1`, 'v', 'EX', 100] },
        { name: 'MULTI', args: [] },
        { name: 'EXISTS', args: [`${p}b1`, `${p}b2`] },
        { name: 'INCR', args: [`${p}b1`] },
        { name: 'TTL', args: [`${p}b1`] },
      ],
      false,
      {},
    );
    expect(out[0]).toEqual({ error: null, value: 'OK' });
    expect(out[1]?.error).toBeInstanceOf(DataError);
    expect(out[2]).toEqual({ error: null, value: 1 });
    expect(out[3]?.error?.message).toMatch(/ParseInt|invalid syntax/);
    expect(out[4]?.value).toBeGreaterThan(90);
  });
});

describe('the table knows the server', () => {
  it('every command in LEDIS_COMMANDS is one the server registers (never "command not found")', async () => {
    // Sent without arguments (each answers an arity error, or a harmless reply), except those that would
    // act on the whole server or the connection with none.
    const unsafe = new Set(['FLUSHALL', 'FLUSHDB', 'FULLSYNC', 'SYNC', 'QUIT', 'AUTH', 'SELECT', 'SLAVEOF', 'REPLCONF']);
    const answers = await Promise.all(
      [...LEDIS_COMMANDS].filter((n) => !unsafe.has(n)).map((n) => engine.send(n, [], false).then(() => `${n}: ok`, (e: Error) => `${n}: ${e.message}`)),
    );
    expect(answers.filter((a) => /command not found/.test(a))).toEqual([]);
    expect(answers.length).toBe(LEDIS_COMMANDS.size - unsafe.size);
  });
});
