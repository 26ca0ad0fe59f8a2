// ledis/node-redis's declarations type-check code written for node-redis 5
// (for what LedisDB has), and their reply types are node-redis 5's (RESP2).
// Checked by tsc (vitest typecheck), never run.
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, defineScript, RESP_TYPES, type CommandParser, type RedisClient, type RedisClientOptions, type RedisClientType, type SetOptions } from '../../src/compat/node-redis.js';

const client = createClient({ url: 'redis://localhost:6380' });
const buffers = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });

describe('node-redis 5 code type-checks', () => {
  it('createClient options, connect, events, lifecycle', async () => {
    const options: RedisClientOptions = {
      url: 'rediss://:pw@host:6380/2',
      socket: { host: 'h', port: 6380, tls: true, ca: 'pem', connectTimeout: 500, keepAlive: true, reconnectStrategy: (retries: number) => (retries > 5 ? false : retries * 100) },
      database: 2,
      password: 'pw',
      name: 'app',
      commandsQueueMaxLength: 1000,
      disableOfflineQueue: false,
      pingInterval: 10_000,
    };
    expectTypeOf(createClient(options)).toEqualTypeOf<RedisClientType>();
    expectTypeOf(createClient({ socket: { path: '/tmp/ledis.sock' } })).toEqualTypeOf<RedisClientType>();
    expectTypeOf(await client.connect()).toEqualTypeOf<typeof client>();
    expectTypeOf(client.isOpen).toEqualTypeOf<boolean>();
    expectTypeOf(client.isReady).toEqualTypeOf<boolean>();
    client.on('error', (err) => expectTypeOf(err).toEqualTypeOf<Error>());
    client.on('ready', () => {}).on('end', () => {}).on('connect', () => {}).on('reconnecting', () => {});
    expectTypeOf(client.close()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.quit()).toEqualTypeOf<Promise<string>>();
    expectTypeOf(client.destroy()).toEqualTypeOf<void>();
    expectTypeOf(client.duplicate()).toEqualTypeOf<RedisClientType>();
    // @ts-expect-error RESP3 is not available: LedisDB speaks RESP2
    createClient({ RESP: 3 });
  });

  it('strings and keys', () => {
    expectTypeOf(client.get('k')).toEqualTypeOf<Promise<string | null>>();
    const options: SetOptions = { expiration: { type: 'EX', value: 10 }, condition: 'NX' };
    expectTypeOf(client.set('k', 'v', options)).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(client.set('k', 1, { PX: 100, GET: true })).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(client.mGet(['a', 'b'])).toEqualTypeOf<Promise<(string | null)[]>>();
    expectTypeOf(client.incrBy('n', 2)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.exists(['a', 'b'])).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.del('a')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.expire('a', 10)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.pTTL('a')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.type('a')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(client.scan('0', { MATCH: 'a*', COUNT: 10, TYPE: 'string' })).toEqualTypeOf<Promise<{ cursor: string; keys: string[] }>>();
    // @ts-expect-error get() resolves to string | null
    const n: Promise<number> = client.get('k');
    void n;
  });

  it('hashes, lists, sets, zsets', () => {
    expectTypeOf(client.hSet('h', { a: 1, b: 'two' })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.hSet('h', 'f', 'v')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.hGetAll('h')).toEqualTypeOf<Promise<Record<string, string>>>();
    expectTypeOf(client.hmGet('h', ['a', 'b'])).toEqualTypeOf<Promise<(string | null)[]>>();
    expectTypeOf(client.lPush('l', ['a', 'b'])).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.blPop('l', 1)).toEqualTypeOf<Promise<{ key: string; element: string } | null>>();
    expectTypeOf(client.sMembers('s')).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(client.sIsMember('s', 'a')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.zAdd('z', [{ score: 1, value: 'a' }])).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.zAdd('z', { score: 1, value: 'a' })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.zRangeWithScores('z', 0, -1)).toEqualTypeOf<Promise<{ value: string; score: number }[]>>();
    expectTypeOf(client.zRange('z', '-inf', '+inf', { BY: 'SCORE', LIMIT: { offset: 0, count: 10 } })).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(client.zScore('z', 'a')).toEqualTypeOf<Promise<number | null>>();
  });

  it('iterators yield pages, as node-redis 5', async () => {
    for await (const keys of client.scanIterator({ MATCH: 'sess:*', COUNT: 100 })) expectTypeOf(keys).toEqualTypeOf<string[]>();
    for await (const entries of client.hScanIterator('h')) expectTypeOf(entries).toEqualTypeOf<{ field: string; value: string }[]>();
    for await (const members of client.zScanIterator('z')) expectTypeOf(members).toEqualTypeOf<{ value: string; score: number }[]>();
  });

  it('sendCommand, eval with { keys, arguments }, multi', () => {
    expectTypeOf(client.sendCommand(['PING'])).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(client.sendCommand<string>(['GET', 'k'])).toEqualTypeOf<Promise<string>>();
    expectTypeOf(client.eval('return 1', { keys: ['k'], arguments: ['a'] })).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(client.evalSha('abc', { keys: 'k' })).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(client.multi().set('k', 'v').incr('n').execAsPipeline()).toEqualTypeOf<Promise<unknown[]>>();
  });

  it('withTypeMapping gives Buffers', async () => {
    expectTypeOf(buffers.get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(buffers.hGetAll('h')).toEqualTypeOf<Promise<Record<string, Buffer>>>();
    for await (const keys of buffers.scanIterator()) expectTypeOf(keys).toEqualTypeOf<Buffer[]>();
    const typed: RedisClientType<{}, {}, {}, 2, { [RESP_TYPES.BLOB_STRING]: BufferConstructor }> = buffers;
    void typed;
    expectTypeOf(createClient({ commandOptions: { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } } }).get('k')).toEqualTypeOf<Promise<Buffer | null>>();
  });
});

describe("createClient's scripts (defineScript) type-check as node-redis 5's", () => {
  const scripted = createClient({
    scripts: {
      add: defineScript({
        SCRIPT: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
        NUMBER_OF_KEYS: 1,
        parseCommand(parser: CommandParser, key: string, by: number) {
          parser.pushKey(key);
          parser.push(String(by));
        },
        transformReply: (reply: number) => `total ${reply}`,
      }),
    },
  });
  it("a script's arguments and reply are parseCommand's and transformReply's; wrong ones do not compile", () => {
    expectTypeOf(scripted.add('k', 1)).toEqualTypeOf<Promise<string>>();
    // @ts-expect-error by is a number
    void scripted.add('k', '1');
    // @ts-expect-error by is missing
    void scripted.add('k');
    // @ts-expect-error no such script
    void scripted.sub('k', 1);
  });
  it('RedisClientType without scripts is the plain client; duplicate() keeps the scripts (as at run time)', () => {
    expectTypeOf<RedisClientType>().toEqualTypeOf<RedisClient>();
    expectTypeOf(scripted.duplicate().add('k', 1)).toEqualTypeOf<Promise<string>>();
    expectTypeOf(scripted.duplicate({ database: 1 }).add('k', 1)).toEqualTypeOf<Promise<string>>();
    const view = scripted.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    expectTypeOf(view.add('k', 1)).toEqualTypeOf<Promise<string>>();
    expectTypeOf(view.get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    const plain: RedisClient = scripted;
    void plain;
  });
});
