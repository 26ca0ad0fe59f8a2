// Types of the views: ledis.buffers and ledis.withOptions(). Checked by tsc
// (vitest typecheck), never run.
import { describe, expectTypeOf, it } from 'vitest';
import { Ledis, type LedisOptions } from '../../src/index.js';

const ledis = new Ledis();

describe('ledis.buffers', () => {
  it('types replies as Buffers, in calls and pipelines', () => {
    expectTypeOf(ledis.buffers.get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(ledis.buffers.hgetall('h')).toEqualTypeOf<Promise<Record<string, Buffer>>>();
    expectTypeOf(ledis.buffers.smembers('s')).toEqualTypeOf<Promise<Set<Buffer>>>();
    expectTypeOf(ledis.buffers.pipeline().get('k').lrange('l', 0, -1).exec()).toEqualTypeOf<Promise<[Buffer | null, Buffer[]]>>();
    expectTypeOf(ledis.buffers).toEqualTypeOf<Ledis<false>>();
    const opts: LedisOptions = {};
    expectTypeOf(new Ledis(opts).buffers.get('k')).toEqualTypeOf<Promise<Buffer | null>>();
  });
});

describe('ledis.withOptions', () => {
  it('keeps the reply types of the client it comes from', () => {
    const controller = new AbortController();
    const view = ledis.withOptions({ signal: controller.signal, timeout: 100 });
    expectTypeOf(view.get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(new Ledis({ decodeResponses: false }).withOptions({ timeout: 5 }).get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(ledis.withOptions({ timeout: 5 }).buffers.get('k')).toEqualTypeOf<Promise<Buffer | null>>();
    // @ts-expect-error signal must be an AbortSignal
    ledis.withOptions({ signal: 'no' });
    // @ts-expect-error timeout is a number of ms
    ledis.withOptions({ timeout: '5' });
  });
});
