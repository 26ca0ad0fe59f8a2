// The constructor forms ioredis users write, and the reply types each gives.
// Checked by tsc (vitest typecheck), never run.
import { describe, expectTypeOf, it } from 'vitest';
import { Ledis, type LedisOptions } from '../../src/index.js';

describe('constructor forms', () => {
  it('URL, URL and options, port, port and host and options: string replies by default', () => {
    expectTypeOf(new Ledis('ledis://127.0.0.1:6380/2').get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(new Ledis('ledis://127.0.0.1:6380', { commandTimeout: 100 }).get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(new Ledis(6380).get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(new Ledis(6380, '127.0.0.1', { lazyConnect: true }).get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(new Ledis('/tmp/ledis.sock').get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(new Ledis('6380', '127.0.0.1', { lazyConnect: true }).get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(new Ledis('6380', 'h', { decodeResponses: false }).get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(new Ledis({ url: 'ledis://h:1/2' }).get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(new Ledis({ url: 'ledis://h:1/2', decodeResponses: false }).get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(new Ledis({ url: 'ledis://h:1' }).strlen('k')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(new Ledis({ url: 'ledis://h:1', decodeResponses: false }).strlen('k')).toEqualTypeOf<Promise<number>>();
  });

  it('decodeResponses: false in any form gives Buffer replies', () => {
    expectTypeOf(new Ledis({ decodeResponses: false }).get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(new Ledis('ledis://h:1', { decodeResponses: false }).get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(new Ledis(6380, 'h', { decodeResponses: false }).get('k')).toEqualTypeOf<Promise<Buffer | null>>();
  });

  it('a LedisOptions variable does not type replies as string | Buffer', () => {
    const opts: LedisOptions = { host: '127.0.0.1', port: 6380 };
    const ledis = new Ledis(opts);
    expectTypeOf(ledis.get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(ledis.smembers('s')).toEqualTypeOf<Promise<Set<string>>>();
    expectTypeOf(ledis.pipeline().get('k').exec()).toEqualTypeOf<Promise<[string | null]>>();
    expectTypeOf(new Ledis('ledis://h:1', opts).hgetall('h')).toEqualTypeOf<Promise<Record<string, string>>>();
    const raw: LedisOptions & { decodeResponses: false } = { decodeResponses: false };
    expectTypeOf(new Ledis(raw).get('k')).toEqualTypeOf<Promise<Buffer | null>>();
  });

  it('refuses forms ioredis does not have', () => {
    // @ts-expect-error a host needs a port before it
    new Ledis('ledis://h:1', 'h');
    // @ts-expect-error options come last
    new Ledis({}, {});
    // @ts-expect-error url is a string
    new Ledis({ url: new URL('ledis://h:1') });
  });
});

describe('lifecycle types', () => {
  it('status, duplicate and await using', async () => {
    const ledis = new Ledis();
    expectTypeOf(ledis.status).toEqualTypeOf<'wait' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'end'>();
    expectTypeOf(ledis.duplicate().get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(ledis.duplicate({ decodeResponses: false }).get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(ledis.duplicate({ db: 2 }).get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(new Ledis({ decodeResponses: false }).duplicate().get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(ledis.connect()).toEqualTypeOf<Promise<void>>();
    await using scoped = new Ledis({ lazyConnect: true });
    expectTypeOf(scoped.ping()).toEqualTypeOf<Promise<boolean>>();
  });
});
