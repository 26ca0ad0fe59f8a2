// Reply types of the bit, scan, sort, script, server, replication and migrate
// families, of the iterators, select, bmsetbit and defineCommand, for string
// and Buffer clients and for pipelines. Checked by tsc (vitest typecheck), never run.
import { describe, expectTypeOf, it } from 'vitest';
import { Ledis, type RoleReply, type ScriptReply } from '../../src/index.js';

const ledis = new Ledis();
const raw = new Ledis({ decodeResponses: false });

describe('bit reply types', () => {
  it('are numbers, booleans for the legacy expiry methods, and bmsetbit counts pairs', () => {
    expectTypeOf(ledis.setbit('b', 1, true)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.bitop('AND', 'd', 'a', ['b', 'c'])).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.bexpire('b', 10)).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.bttl('b')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.bmsetbit('b', 0, 1, 5, true)).toEqualTypeOf<Promise<number>>();
  });

  it('refuse operations outside AND/OR/XOR/NOT', () => {
    // @ts-expect-error NAND is not an operation
    ledis.bopt('NAND', 'd', 'a');
  });
});

describe('scan reply types', () => {
  it('are [cursor, items] with pairs for hashes and zsets, Buffers with decodeResponses off', () => {
    expectTypeOf(ledis.xscan('KV')).toEqualTypeOf<Promise<[cursor: string, items: string[]]>>();
    expectTypeOf(raw.xscan('kv', { count: 5 })).toEqualTypeOf<Promise<[cursor: Buffer, items: Buffer[]]>>();
    expectTypeOf(ledis.hscan('h')).toEqualTypeOf<Promise<[cursor: string, items: [string, string][]]>>();
    expectTypeOf(raw.xzscan('z')).toEqualTypeOf<Promise<[cursor: Buffer, items: [Buffer, number][]]>>();
  });

  it('iterators yield keys, members and pairs', () => {
    expectTypeOf(ledis.scanIterator({ type: 'KV' })).toEqualTypeOf<AsyncGenerator<string, void, undefined>>();
    expectTypeOf(raw.sscanIterator('s')).toEqualTypeOf<AsyncGenerator<Buffer, void, undefined>>();
    expectTypeOf(ledis.zscanIterator('z')).toEqualTypeOf<AsyncGenerator<[string, number], void, undefined>>();
    // @ts-expect-error scanIterator needs a type
    ledis.scanIterator({ match: '^a' });
  });
});

describe('sort reply types', () => {
  it('depend on store and get', () => {
    expectTypeOf(ledis.xlsort('l')).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(ledis.xssort('s', { store: 'dest' })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ledis.xzsort('z', { get: ['w_*', '#'] })).toEqualTypeOf<Promise<(string | null)[]>>();
    expectTypeOf(raw.xlsort('l', { alpha: true })).toEqualTypeOf<Promise<Buffer[]>>();
  });
});

describe('script, server and replication reply types', () => {
  it('are shaped', () => {
    expectTypeOf(ledis.eval('return 1', ['k'], [1])).toEqualTypeOf<Promise<ScriptReply<string>>>();
    expectTypeOf(ledis.scriptExists('a', ['b'])).toEqualTypeOf<Promise<boolean[]>>();
    expectTypeOf(ledis.scriptLoad('return 1')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(ledis.time()).toEqualTypeOf<Promise<[seconds: number, microseconds: number]>>();
    expectTypeOf(ledis.role()).toEqualTypeOf<Promise<RoleReply>>();
    expectTypeOf(ledis.slaveof()).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(ledis.xdump('HASH', 'h')).toEqualTypeOf<Promise<Buffer | null>>();
    expectTypeOf(ledis.defineCommand('x', { script: 'return 1' })).returns.toEqualTypeOf<Promise<ScriptReply<string>>>();
  });

  it('select resolves to a client of the same reply type', () => {
    expectTypeOf(ledis.select(2)).toEqualTypeOf<Promise<Ledis<true>>>();
    expectTypeOf(raw.select(2)).toEqualTypeOf<Promise<Ledis<false>>>();
  });
});

describe('pipelines', () => {
  it('type each result of the new families in order', async () => {
    const results = await ledis.pipeline().setbit('b', 1, 1).xscan('KV').xlsort('l', { store: 'd' }).time().exec();
    expectTypeOf(results).toEqualTypeOf<[number, [cursor: string, items: string[]], number, [seconds: number, microseconds: number]]>();
  });
});
