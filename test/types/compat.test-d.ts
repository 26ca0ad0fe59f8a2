// Types of ledis-py's methods that its docs skipped, the replies shaped as
// ledis-py shapes them, and the LedisDB commands reachable by their own
// lowercase names. Checked by tsc (vitest typecheck), never run.
import { describe, expectTypeOf, it } from 'vitest';
import { Ledis, type InfoReply, type InfoSectionsReply } from '../../src/index.js';

const ledis = new Ledis();
const raw = new Ledis({ decodeResponses: false });

describe('ledis-py methods', () => {
  it('legacy bitmap methods: bget is bytes, the others numbers', () => {
    expectTypeOf(ledis.bget('b')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(ledis.bsetbit('b', 1, true)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.bgetbit('b', 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.bcount('b')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.bcount('b', 0, 10)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.bdelete('b')).toEqualTypeOf<Promise<number>>();
  });

  it('per-type scans and xscan without a type are pages of keys', () => {
    expectTypeOf(ledis.lxscan()).toEqualTypeOf<Promise<[cursor: string, items: string[]]>>();
    expectTypeOf(ledis.hxscan({ key: 'a', match: '^a' })).toEqualTypeOf<Promise<[cursor: string, items: string[]]>>();
    expectTypeOf(raw.zxscan({ count: 5 })).toEqualTypeOf<Promise<[cursor: Buffer, items: Buffer[]]>>();
    expectTypeOf(ledis.bxscan()).toEqualTypeOf<Promise<[cursor: string, items: string[]]>>();
    expectTypeOf(ledis.sxscan()).toEqualTypeOf<Promise<[cursor: string, items: string[]]>>();
    expectTypeOf(ledis.xscan({ key: 'a' })).toEqualTypeOf<Promise<[cursor: string, items: string[]]>>();
    expectTypeOf(ledis.xscan()).toEqualTypeOf<Promise<[cursor: string, items: string[]]>>();
  });

  it('lowercase script methods match the camelCase ones', () => {
    expectTypeOf(ledis.scriptload('return 1')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(ledis.scriptexists('a', ['b'])).toEqualTypeOf<Promise<boolean[]>>();
    expectTypeOf(ledis.scriptflush()).toEqualTypeOf<Promise<boolean>>();
  });

  it("flushdb / flushall are 'OK', info is flat, infoSections nested, select a client", () => {
    expectTypeOf(ledis.flushdb()).toEqualTypeOf<Promise<'OK'>>();
    expectTypeOf(raw.flushall()).toEqualTypeOf<Promise<'OK'>>();
    expectTypeOf(ledis.info()).toEqualTypeOf<Promise<InfoReply>>();
    expectTypeOf(ledis.info()).resolves.toEqualTypeOf<Record<string, string | number>>();
    expectTypeOf(ledis.infoSections('server')).toEqualTypeOf<Promise<InfoSectionsReply>>();
    expectTypeOf(ledis.select(1)).toEqualTypeOf<Promise<Ledis<true>>>();
    expectTypeOf(ledis.pipeline().flushdb().info().exec()).toEqualTypeOf<Promise<['OK', InfoReply]>>();
  });
});

describe('commands by their own lowercase name', () => {
  it('have the same types as the methods they stand beside', () => {
    expectTypeOf(ledis.del('a', 'b')).toEqualTypeOf<ReturnType<typeof ledis.delete>>();
    expectTypeOf(ledis.ltrim_front('l', 2)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.ltrim_back('l', 2)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.script('LOAD', 'return 1')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(ledis.script('exists', 'a', 'b')).toEqualTypeOf<Promise<boolean[]>>();
    expectTypeOf(ledis.script('FLUSH')).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.config('GET', 'databases')).toEqualTypeOf<Promise<Record<string, string>>>();
    expectTypeOf(ledis.config('rewrite')).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.pipeline().del('a').ltrim_front('l', 1).exec()).toEqualTypeOf<Promise<[number, number]>>();
    // @ts-expect-error SCRIPT KILL is not a LedisDB subcommand
    ledis.script('KILL');
  });
});
