// ledis/ioredis's types: code written for ioredis 5 type-checks, with
// ioredis's reply types, for the commands LedisDB serves; what LedisDB lacks
// is not typed. Checked by tsc (vitest typecheck), never run.
import { describe, expectTypeOf, it } from 'vitest';
import Redis, { Redis as Named, type Pipeline, type RedisOptions, type ScanStream } from '../../src/compat/ioredis.js';

const redis = new Redis();

describe('constructor forms (ioredis 5)', () => {
  it('port, host, options; url, options; options', () => {
    expectTypeOf(new Redis(6380)).toEqualTypeOf<Redis>();
    expectTypeOf(new Redis(6380, 'localhost', { db: 1, keyPrefix: 'app:' })).toEqualTypeOf<Redis>();
    expectTypeOf(new Redis('redis://:pw@localhost:6380/2', { lazyConnect: true })).toEqualTypeOf<Redis>();
    expectTypeOf(new Redis({ host: 'localhost', port: 6380, retryStrategy: (times) => Math.min(times * 50, 2000), maxRetriesPerRequest: null, strict: true })).toEqualTypeOf<Redis>();
    expectTypeOf(Named).toEqualTypeOf<typeof Redis>();
    const options: RedisOptions = { path: '/tmp/ledis.sock', enableOfflineQueue: false, connectionName: 'app' };
    void options;
  });
});

describe('reply types', () => {
  it('strings, numbers, OK, null, arrays; Buffers from *Buffer', () => {
    expectTypeOf(redis.get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(redis.getBuffer('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(redis.set('k', 'v')).toEqualTypeOf<Promise<'OK'>>();
    expectTypeOf(redis.set('k', 'v', 'EX', 10)).toEqualTypeOf<Promise<'OK'>>();
    expectTypeOf(redis.set('k', 'v', 'GET')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(redis.set('k', 'v', 'EX', 10, 'NX')).toEqualTypeOf<Promise<'OK' | string | null>>();
    expectTypeOf(redis.incr('k')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(redis.del('a', 'b')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(redis.del(['a', 'b'])).toEqualTypeOf<Promise<number>>();
    expectTypeOf(redis.exists('a', 'b')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(redis.mget('a', 'b')).toEqualTypeOf<Promise<(string | null)[]>>();
    expectTypeOf(redis.hgetall('h')).toEqualTypeOf<Promise<Record<string, string>>>();
    expectTypeOf(redis.hgetallBuffer('h')).toEqualTypeOf<Promise<Record<string, Buffer>>>();
    expectTypeOf(redis.hset('h', { a: 1, b: 'x' })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(redis.hset('h', 'f', 'v', 'g', 'w')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(redis.scan(0, 'MATCH', 'user:*', 'COUNT', 100)).toEqualTypeOf<Promise<[cursor: string, elements: string[]]>>();
    expectTypeOf(redis.pttl('k')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(redis.zrange('z', 0, -1, 'WITHSCORES')).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(redis.eval('return 1', 0)).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(redis.call('GET', 'k')).toEqualTypeOf<Promise<unknown>>();
  });

  it('takes a node-style callback last', () => {
    redis.get('k', (err, value) => {
      expectTypeOf(err).toEqualTypeOf<Error | null | undefined>();
      expectTypeOf(value).toEqualTypeOf<string | null | undefined>();
    });
    redis.del('a', 'b', (_err, n) => expectTypeOf(n).toEqualTypeOf<number | undefined>());
  });

  it('commands LedisDB lacks are not typed', () => {
    // @ts-expect-error LedisDB has no pub/sub
    void redis.publish;
    // @ts-expect-error LedisDB has no streams
    void redis.xadd;
  });
});

describe('pipelines, scripts, streams, lifecycle', () => {
  it('pipeline chains and exec() gives [err, value] pairs; multi() has the same shape', () => {
    expectTypeOf(redis.pipeline().get('k').set('k', 'v', 'EX', 5).incr('n')).toEqualTypeOf<Pipeline>();
    expectTypeOf(redis.pipeline().get('k').exec()).toEqualTypeOf<Promise<Array<[Error | null, unknown]>>>();
    expectTypeOf(redis.multi().get('k')).toEqualTypeOf<Pipeline>();
  });

  it('defineCommand, scanStream, status, duplicate, quit', () => {
    expectTypeOf(redis.defineCommand('x', { lua: 'return 1', numberOfKeys: 1 })).toEqualTypeOf<void>();
    expectTypeOf(redis.scanStream({ match: 'a:*', count: 100 })).toEqualTypeOf<ScanStream>();
    expectTypeOf(redis.status).toEqualTypeOf<'wait' | 'connecting' | 'connect' | 'ready' | 'reconnecting' | 'close' | 'end'>();
    expectTypeOf(redis.duplicate()).toEqualTypeOf<Redis>();
    expectTypeOf(redis.quit()).toEqualTypeOf<Promise<'OK'>>();
    expectTypeOf(redis.select(2)).toEqualTypeOf<Promise<'OK'>>();
  });
});
