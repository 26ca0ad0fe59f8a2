import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ResponseError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const raw = client({ decodeResponses: false });
const p = prefix('zset');
afterAll(() => Promise.all([ledis.quit(), raw.quit()]));

/** A zset a1..a5 with scores 1..5. */
async function five(name: string): Promise<string> {
  const k = `${p}${name}`;
  await ledis.zadd(k, { a1: 1, a2: 2, a3: 3, a4: 4, a5: 5 });
  return k;
}

describe('zadd', () => {
  it('takes score, member pairs, a { member: score } object, a Map, or pairs followed by a mapping; answers how many were new', async () => {
    const k = `${p}add`;
    expect(await ledis.zadd(k, 1, 'a', 2, 'b')).toBe(2);
    expect(await ledis.zadd(k, { c: 3, a: 10 })).toBe(1);
    expect(await ledis.zadd(k, new Map<string | Buffer, number | bigint>([['d', 4], [Buffer.from('e'), 5n]]))).toBe(2);
    expect(await ledis.zadd(k, '6', 'f', { g: '7' })).toBe(2);
    expect(await ledis.zrange(k, 0, -1, { withscores: true })).toEqual([
      ['b', 2],
      ['c', 3],
      ['d', 4],
      ['e', 5],
      ['f', 6],
      ['g', 7],
      ['a', 10],
    ]);
  });

  it('refuses odd pairs, fractional, non-numeric and imprecise scores, and nothing at all, before sending', async () => {
    const k = `${p}bad`;
    await expect(ledis.zadd(k, 1, 'a', 2)).rejects.toThrow(/ZADD: needs score, member pairs/);
    await expect(ledis.zadd(k, 1.5, 'a')).rejects.toThrow(/ZADD: score must be an integer, got 1.5 \(LedisDB scores are int64\)/);
    await expect(ledis.zadd(k, { a: 0.1 })).rejects.toBeInstanceOf(DataError);
    await expect(ledis.zadd(k, 'high', 'a')).rejects.toThrow(/ZADD: score must be an integer, got "high"/);
    await expect(ledis.zadd(k, 2 ** 60, 'a')).rejects.toThrow(/beyond Number.MAX_SAFE_INTEGER: pass a bigint or a string/);
    await expect(ledis.zadd(k, {})).rejects.toThrow(/ZADD: needs at least one score and member/);
    await expect(ledis.zadd(k)).rejects.toBeInstanceOf(DataError);
    expect(() => ledis.pipeline().zadd(k, 1, 'a', 2)).toThrow(DataError);
    expect(await ledis.zcard(k)).toBe(0);
  });

  it('scores beyond Number.MAX_SAFE_INTEGER round-trip exactly as bigint', async () => {
    const k = `${p}big`;
    const big = 2n ** 60n + 1n;
    await ledis.zadd(k, big, 'm', -big, 'n');
    expect(await ledis.zscore(k, 'm')).toBe(big);
    expect(await ledis.zrange(k, 0, -1, { withscores: true })).toEqual([
      ['n', -big],
      ['m', big],
    ]);
    expect(await ledis.zincrby(k, 'm', -1n)).toBe(2n ** 60n);
  });

  it('a score at the int64 limit is refused by LedisDB as an overflow', async () => {
    await expect(ledis.zadd(`${p}limit`, 2n ** 63n - 1n, 'm')).rejects.toThrow(/ZADD: zset score overflow/);
  });
});

describe('zset reads', () => {
  it('zrange answers members, or [member, integer score] pairs withscores', async () => {
    const k = await five('range');
    expect(await ledis.zrange(k, 0, 1)).toEqual(['a1', 'a2']);
    expect(await ledis.zrange(k, -2, -1, { withscores: true })).toEqual([
      ['a4', 4],
      ['a5', 5],
    ]);
    expect(await ledis.zrange(k, 3, 1)).toEqual([]);
    expect(await ledis.zrange(`${p}range-missing`, 0, -1)).toEqual([]);
  });

  it('zrange with desc answers exactly what ZREVRANGE does, for every start and end in -7..7', async () => {
    const k = await five('desc');
    const ranks = [-7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7];
    const ours = ledis.pipeline();
    const theirs = ledis.pipeline();
    for (const s of ranks) {
      for (const e of ranks) {
        ours.zrange(k, s, e, { desc: true, withscores: true });
        theirs.sendCommand('ZREVRANGE', k, s, e, 'WITHSCORES');
      }
    }
    const [got, want] = await Promise.all([ours.exec(), theirs.exec()]);
    const pairs = (flat: unknown) => {
      const list = flat as string[];
      const out: [string, number][] = [];
      for (let i = 0; i < list.length; i += 2) out.push([list[i] as string, Number(list[i + 1])]);
      return out;
    };
    expect(got).toEqual((want as unknown[]).map(pairs));
    expect(await ledis.zrange(k, 0, 1, { desc: true })).toEqual(['a5', 'a4']);
  });

  it('zrevrange ranks from the highest score', async () => {
    const k = await five('rev');
    expect(await ledis.zrevrange(k, 0, 1)).toEqual(['a5', 'a4']);
    expect(await ledis.zrevrange(k, 0, 1, { withscores: true })).toEqual([
      ['a5', 5],
      ['a4', 4],
    ]);
  });

  it('zrangebyscore takes inclusive, "(" exclusive and infinite bounds, and slices with start and num', async () => {
    const k = await five('byscore');
    expect(await ledis.zrangebyscore(k, 2, 4)).toEqual(['a2', 'a3', 'a4']);
    expect(await ledis.zrangebyscore(k, '(2', '(4')).toEqual(['a3']);
    expect(await ledis.zrangebyscore(k, '-inf', '+inf', { start: 1, num: 2 })).toEqual(['a2', 'a3']);
    expect(await ledis.zrangebyscore(k, 2, '+inf', { start: 1, num: 2, withscores: true })).toEqual([
      ['a3', 3],
      ['a4', 4],
    ]);
  });

  it('zrevrangebyscore takes the upper bound first, as ledis-py sends it: (k, 4, 2) gives scores 4 to 2', async () => {
    const k = await five('revbyscore');
    expect(await ledis.zrevrangebyscore(k, 4, 2)).toEqual(['a4', 'a3', 'a2']);
    expect(await ledis.zrevrangebyscore(k, 4, 2, { start: 1, num: 2 })).toEqual(['a3', 'a2']);
    expect(await ledis.zrevrangebyscore(k, '+inf', '-inf', { withscores: true, start: 0, num: 1 })).toEqual([['a5', 5]]);
  });

  it('a slice needs both start and num, and bounds must be integers or LedisDB bound forms', async () => {
    const k = `${p}slice`;
    await expect(ledis.zrangebyscore(k, 0, 1, { start: 1 })).rejects.toThrow(/ZRANGEBYSCORE: start and num must both be specified/);
    await expect(ledis.zrevrangebyscore(k, 1, 0, { num: 1 })).rejects.toThrow(/ZREVRANGEBYSCORE: start and num/);
    await expect(ledis.zrangebyscore(k, 0.5, 1)).rejects.toThrow(/ZRANGEBYSCORE: min must be an integer/);
    await expect(ledis.zcount(k, 'low', 1)).rejects.toBeInstanceOf(DataError);
    await expect(ledis.zrange(k, 0, '1' as never)).rejects.toThrow(/ZRANGE: end must be an integer/);
    await expect(ledis.zrange(k, 0, 1, 'desc' as never)).rejects.toThrow(/ZRANGE: options must be an object/);
  });

  it('zrank, zrevrank and zscore answer integers, or null for a missing member', async () => {
    const k = await five('rank');
    expect(await ledis.zrank(k, 'a2')).toBe(1);
    expect(await ledis.zrevrank(k, 'a2')).toBe(3);
    expect(await ledis.zscore(k, 'a2')).toBe(2);
    expect(await ledis.zrank(k, 'nope')).toBeNull();
    expect(await ledis.zrevrank(k, 'nope')).toBeNull();
    expect(await ledis.zscore(k, 'nope')).toBeNull();
    expect(await ledis.zscore(`${p}rank-missing`, 'a')).toBeNull();
  });

  it('zincrby adds 1 by default, any integer otherwise, and creates the member', async () => {
    const k = `${p}incr`;
    expect(await ledis.zincrby(k, 'm')).toBe(1);
    expect(await ledis.zincrby(k, 'm', 41)).toBe(42);
    expect(await ledis.zincrby(k, 'm', -50)).toBe(-8);
    await expect(ledis.zincrby(k, 'm', 0.5)).rejects.toBeInstanceOf(DataError);
  });

  it('zcount, zcard and the removals count what they touch', async () => {
    const k = await five('count');
    expect(await ledis.zcount(k, 2, 4)).toBe(3);
    expect(await ledis.zcount(k, '(1', '+inf')).toBe(4);
    expect(await ledis.zcount(k, 5, 1)).toBe(0);
    expect(await ledis.zrem(k, 'a1', 'nope')).toBe(1);
    expect(await ledis.zrem(k, ['a2'])).toBe(1);
    expect(await ledis.zremrangebyrank(k, 0, 0)).toBe(1);
    expect(await ledis.zremrangebyscore(k, '-inf', 4)).toBe(1);
    expect(await ledis.zrange(k, 0, -1)).toEqual(['a5']);
    expect(await ledis.zcard(k)).toBe(1);
  });
});

describe('zunionstore and zinterstore', () => {
  it('sum scores by default, take integer weights and an aggregate, and answer the size of dest', async () => {
    const a = `${p}ua`;
    const b = `${p}ub`;
    await ledis.zadd(a, { x: 1, y: 2 });
    await ledis.zadd(b, { y: 10, z: 20 });
    expect(await ledis.zunionstore(`${p}u1`, [a, b])).toBe(3);
    expect(await ledis.zrange(`${p}u1`, 0, -1, { withscores: true })).toEqual([
      ['x', 1],
      ['y', 12],
      ['z', 20],
    ]);
    expect(await ledis.zinterstore(`${p}i1`, [a, b], { weights: [2, 3], aggregate: 'max' })).toBe(1);
    expect(await ledis.zrange(`${p}i1`, 0, -1, { withscores: true })).toEqual([['y', 30]]);
    expect(await ledis.zunionstore(`${p}u2`, { [a]: 100, [b]: 1 }, { aggregate: 'MIN' })).toBe(3);
    expect(await ledis.zscore(`${p}u2`, 'y')).toBe(10);
    expect(await ledis.zscore(`${p}u2`, 'x')).toBe(100);
  });

  it('refuses mismatched or fractional weights, weights given twice, an unknown aggregate and no keys', async () => {
    const d = `${p}bad-dest`;
    await expect(ledis.zunionstore(d, ['a', 'b'], { weights: [1] })).rejects.toThrow(/ZUNIONSTORE: needs one weight per key \(2\)/);
    await expect(ledis.zinterstore(d, ['a'], { weights: [1.5] })).rejects.toThrow(/ZINTERSTORE: score must be an integer/);
    await expect(ledis.zunionstore(d, { a: 1 }, { weights: [1] })).rejects.toThrow(/weights given twice/);
    await expect(ledis.zunionstore(d, ['a'], { aggregate: 'avg' as never })).rejects.toThrow(/aggregate must be one of SUM, MIN, MAX/);
    await expect(ledis.zinterstore(d, [])).rejects.toThrow(/ZINTERSTORE: needs at least one key/);
  });
});

describe('lex ranges', () => {
  it('zrangebylex, zlexcount and zremrangebylex take "[", "(", "-" and "+" bounds', async () => {
    const k = `${p}lex`;
    await ledis.zadd(k, { a: 0, b: 0, c: 0, d: 0 });
    expect(await ledis.zrangebylex(k, '-', '+')).toEqual(['a', 'b', 'c', 'd']);
    expect(await ledis.zrangebylex(k, '[b', '(d')).toEqual(['b', 'c']);
    expect(await ledis.zrangebylex(k, '-', '+', { start: 1, num: 2 })).toEqual(['b', 'c']);
    expect(await ledis.zlexcount(k, '(a', '+')).toBe(3);
    expect(await ledis.zremrangebylex(k, '[a', '[b')).toBe(2);
    expect(await ledis.zrangebylex(k, Buffer.from('[c'), '+')).toEqual(['c', 'd']);
  });

  it('refuses a bound without "[" or "(" and a half-given slice before sending', async () => {
    await expect(ledis.zrangebylex(`${p}x`, 'b', '+')).rejects.toThrow(/ZRANGEBYLEX: min must be "-", "\+", or start with "\[" or "\("/);
    await expect(ledis.zlexcount(`${p}x`, '-', 3 as never)).rejects.toBeInstanceOf(DataError);
    await expect(ledis.zrangebylex(`${p}x`, '-', '+', { num: 2 })).rejects.toThrow(/start and num must both be specified/);
  });
});

describe('zset keyspace and expiry', () => {
  it('ZADD foo, SET foo and HSET foo live side by side; DEL leaves the zset and ZCLEAR leaves the others', async () => {
    const k = `${p}foo`;
    await ledis.zadd(k, 1, 'm1', 2, 'm2');
    await ledis.set(k, 'kv');
    await ledis.hset(k, 'f', 'h');
    expect(await ledis.delete(k)).toBe(1);
    expect(await ledis.zcard(k)).toBe(2);
    await ledis.set(k, 'kv');
    expect(await ledis.zclear(k)).toBe(2);
    expect(await ledis.zclear(k)).toBe(0);
    expect(await ledis.get(k)).toBe('kv');
    expect(await ledis.hget(k, 'f')).toBe('h');
  });

  it('zmclear clears several zsets and answers the number of names given (LedisDB)', async () => {
    await ledis.zadd(`${p}m1`, 1, 'a');
    await ledis.zadd(`${p}m2`, 1, 'a');
    expect(await ledis.zmclear([`${p}m1`, `${p}m2`, `${p}m3`])).toBe(3);
    expect(await ledis.zkeyexists(`${p}m1`)).toBe(false);
  });

  it('zexpire, zexpireat, zttl and zpersist act on the zset only; zttl of a missing zset is -1', async () => {
    const k = `${p}ttl`;
    expect(await ledis.zttl(k)).toBe(-1);
    expect(await ledis.zexpire(k, 10)).toBe(false);
    await ledis.zadd(k, 1, 'a');
    expect(await ledis.zexpire(k, 40)).toBe(true);
    expect(await ledis.zttl(k)).toBeGreaterThan(35);
    expect(await ledis.ttl(k)).toBe(-1);
    expect(await ledis.zexpireat(k, new Date(Date.now() + 120_000))).toBe(true);
    expect(await ledis.zttl(k)).toBeGreaterThan(115);
    expect(await ledis.zpersist(k)).toBe(true);
    expect(await ledis.zpersist(k)).toBe(false);
    expect(await ledis.zkeyexists(k)).toBe(true);
    await expect(ledis.zexpire(k, 0)).rejects.toBeInstanceOf(ResponseError);
  });

  it('zdump returns the serialized zset as a Buffer that RESTORE brings back', async () => {
    const k = await five('dump');
    const dump = await ledis.zdump(k);
    expect(Buffer.isBuffer(dump)).toBe(true);
    expect(await ledis.restore(`${p}restored`, 0, dump as Buffer)).toBe(true);
    expect(await ledis.zrange(`${p}restored`, 0, -1, { withscores: true })).toEqual(await ledis.zrange(k, 0, -1, { withscores: true }));
    expect(await ledis.zdump(`${p}no-dump`)).toBeNull();
  });
});

describe('zset replies in Buffer mode and in pipelines', () => {
  it('with decodeResponses off, members are Buffers and scores stay integers', async () => {
    const k = `${p}raw`;
    await raw.zadd(k, 7, Buffer.from([0xff]));
    expect(await raw.zrange(k, 0, -1, { withscores: true })).toEqual([[Buffer.from([0xff]), 7]]);
    expect(await raw.zscore(k, Buffer.from([0xff]))).toBe(7);
  });

  it('a pipeline shapes each range reply by its own options', async () => {
    const k = await five('pipe');
    const out = await ledis
      .pipeline()
      .zrange(k, 0, 1)
      .zrange(k, 0, 1, { withscores: true })
      .zrange(k, 0, 1, { desc: true })
      .zrangebyscore(k, 5, 5, { withscores: true })
      .zscore(k, 'a3')
      .exec();
    expect(out).toEqual([['a1', 'a2'], [['a1', 1], ['a2', 2]], ['a5', 'a4'], [['a5', 5]], 3]);
  });
});
