// Reply types of the hash, list, set and zset families, for string and Buffer
// clients and for pipelines. Checked by tsc (vitest typecheck), never run.
import { describe, expectTypeOf, it } from 'vitest';
import { Ledis, type Settled } from '../../src/index.js';

const ledis = new Ledis();
const raw = new Ledis({ decodeResponses: false });

describe('hash reply types', () => {
  it('are strings on a default client and Buffers with decodeResponses off', () => {
    expectTypeOf(ledis.hget('h', 'f')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(raw.hget('h', 'f')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(ledis.hgetall('h')).toEqualTypeOf<Promise<Record<string, string>>>();
    expectTypeOf(raw.hgetall('h')).toEqualTypeOf<Promise<Record<string, Buffer>>>();
    expectTypeOf(ledis.hmget('h', ['a', 'b'])).toEqualTypeOf<Promise<(string | null)[]>>();
    expectTypeOf(raw.hkeys('h')).toEqualTypeOf<Promise<Buffer[]>>();
    expectTypeOf(ledis.hmset('h', { a: 1 })).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.hset('h', 'f', 'v')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.hexists('h', 'f')).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.hexpire('h', 10)).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.hexpireat('h', new Date())).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.hpersist('h')).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.hkeyexists('h')).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.httl('h')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.hdump('h')).toEqualTypeOf<Promise<Buffer | null>>();
  });

  it('refuse arguments of the wrong kind', () => {
    // @ts-expect-error hmset takes a mapping, not field/value arguments
    ledis.hmset('h', 'f', 'v');
    // @ts-expect-error hexpireat takes unix seconds or a Date
    ledis.hexpireat('h', '2030-01-01');
  });
});

describe('list reply types', () => {
  it('follow decodeResponses, and blocking pops answer a pair or null', () => {
    expectTypeOf(ledis.lpop('l')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(raw.lrange('l', 0, -1)).toEqualTypeOf<Promise<Buffer[]>>();
    expectTypeOf(ledis.lpush('l', 'a', 'b')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.rpush('l', ['a', 'b'])).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.blpop(['a', 'b'], 1)).toEqualTypeOf<Promise<[string, string] | null>>();
    expectTypeOf(raw.brpop('a')).toEqualTypeOf<Promise<[Buffer, Buffer] | null>>();
    expectTypeOf(ledis.brpoplpush('a', 'b', 0.5)).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(ledis.lset('l', 0, 'v')).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.ltrimFront('l', 2)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.ldump('l')).toEqualTypeOf<Promise<Buffer | null>>();
  });
});

describe('set reply types', () => {
  it('are JS Sets of the reply string type', () => {
    expectTypeOf(ledis.smembers('s')).toEqualTypeOf<Promise<Set<string>>>();
    expectTypeOf(raw.smembers('s')).toEqualTypeOf<Promise<Set<Buffer>>>();
    expectTypeOf(ledis.sinter(['a', 'b'])).toEqualTypeOf<Promise<Set<string>>>();
    expectTypeOf(raw.sunion('a', 'b')).toEqualTypeOf<Promise<Set<Buffer>>>();
    expectTypeOf(ledis.sdiff('a', 'b')).toEqualTypeOf<Promise<Set<string>>>();
    expectTypeOf(ledis.sdiffstore('d', ['a', 'b'])).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.sismember('s', 'm')).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.sadd('s', 'a', 1, Buffer.from('b'))).toEqualTypeOf<Promise<number>>();
  });
});

describe('zset reply types', () => {
  it('zrange and friends answer members, or [member, score] pairs when withscores is true', () => {
    expectTypeOf(ledis.zrange('z', 0, -1)).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(ledis.zrange('z', 0, -1, { desc: true })).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(ledis.zrange('z', 0, -1, { withscores: true })).toEqualTypeOf<Promise<[string, number][]>>();
    expectTypeOf(ledis.zrange('z', 0, -1, { withscores: false })).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(raw.zrange('z', 0, -1, { desc: true, withscores: true })).toEqualTypeOf<Promise<[Buffer, number][]>>();
    expectTypeOf(ledis.zrangebyscore('z', '-inf', '+inf', { start: 0, num: 2, withscores: true })).toEqualTypeOf<
      Promise<[string, number][]>
    >();
    expectTypeOf(ledis.zrevrangebyscore('z', 4, 2)).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(raw.zrevrange('z', 0, 1, { withscores: true })).toEqualTypeOf<Promise<[Buffer, number][]>>();
  });

  it('a withscores known only as boolean gives either shape', () => {
    const withscores: boolean = Math.random() > 0.5;
    expectTypeOf(ledis.zrange('z', 0, -1, { withscores })).toEqualTypeOf<Promise<string[] | [string, number][]>>();
  });

  it('scores, ranks and counts are numbers, null where missing', () => {
    expectTypeOf(ledis.zscore('z', 'm')).toEqualTypeOf<Promise<number | null>>();
    expectTypeOf(ledis.zrank('z', 'm')).toEqualTypeOf<Promise<number | null>>();
    expectTypeOf(ledis.zincrby('z', 'm')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.zadd('z', 1, 'a', 2, 'b')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.zadd('z', { a: 1, b: 2n })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.zunionstore('d', { a: 1, b: 2 }, { aggregate: 'MAX' })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.zrangebylex('z', '-', '+')).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(ledis.zdump('z')).toEqualTypeOf<Promise<Buffer | null>>();
  });

  it('refuses an unknown aggregate and a non-numeric weight mapping', () => {
    // @ts-expect-error aggregate is SUM, MIN or MAX
    ledis.zunionstore('d', ['a'], { aggregate: 'avg' });
    // @ts-expect-error weights are scores
    ledis.zinterstore('d', { a: true }, {});
  });
});

describe('pipeline tuples', () => {
  it('type exec() by each command in order', () => {
    expectTypeOf(ledis.pipeline().get('a').incr('b').exec()).toEqualTypeOf<Promise<[string | null, number]>>();
    expectTypeOf(
      ledis.pipeline().hgetall('h').smembers('s').zrange('z', 0, -1, { withscores: true }).blpop('l', 1).exec(),
    ).toEqualTypeOf<Promise<[Record<string, string>, Set<string>, [string, number][], [string, string] | null]>>();
    expectTypeOf(raw.pipeline().hget('h', 'f').zrange('z', 0, 1).sismember('s', 'm').exec()).toEqualTypeOf<
      Promise<[Buffer | null, Buffer[], boolean]>
    >();
  });
});

describe('a pipeline built in a loop', () => {
  it('resolves to unknown[] that can be indexed, not to an empty tuple', () => {
    const ledis = new Ledis();
    const pipe = ledis.pipeline();
    for (const m of ['a', 'b']) pipe.zadd('z', 1, m);
    expectTypeOf(pipe.exec()).toEqualTypeOf<Promise<unknown[]>>();
    expectTypeOf(pipe.execSettled()).toEqualTypeOf<Promise<Settled<unknown>[]>>();
  });
});
