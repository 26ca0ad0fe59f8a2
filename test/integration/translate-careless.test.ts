// The translation table against a careless caller, on the real LedisDB:
// option words in any case, odd TTLs, globs with every special character.
// Each rewrite is identical to Redis's documented answer, or a DataError
// before a byte is sent (the key is then untouched).
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/compat/engine.js';
import { DataError } from '../../src/errors.js';
import { prefix, serverAddress } from '../helpers.js';

const engine = Engine.create({ ...serverAddress() });
const p = prefix('careless');
const run = (name: string, ...args: unknown[]) => engine.execute(name, args, false, {});
const runBuffers = (name: string, ...args: unknown[]) => engine.execute(name, args, true, {});

afterAll(() => engine.quit());

/** Every key a full SCAN MATCH `glob` returns (strings). */
async function scanAll(glob: string | Buffer): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | Buffer = '0';
  for (let pages = 0; pages < 1000; pages++) {
    const [next, keys] = (await runBuffers('SCAN', cursor, 'MATCH', glob, 'COUNT', 100)) as [Buffer, Buffer[]];
    seen.push(...keys.map((k) => k.toString('latin1')));
    cursor = next;
    if (next.toString() === '0') break;
  }
  return seen.sort();
}

describe('globs with every special character match what Redis matches', () => {
  const q = `${p}g:`;
  const names = ['a[b', 'a]b', 'a\\b', 'a^b', 'a$b', 'a.b', 'a*b', 'a?b', 'axb', 'ab', 'añb', 'a-b', 'a(b', 'a|b', 'a{b', 'a+b'];
  const three = ['a[b', 'a]b', 'a\\b', 'a^b', 'a$b', 'a.b', 'a*b', 'a?b', 'axb', 'a-b', 'a(b', 'a|b', 'a{b', 'a+b', 'a\xffb'];
  const all = [...three, 'ab', 'a\xc3\xb1b'];
  // Expected as Redis's stringmatchlen (util.c) decides, byte by byte; keys read as latin1 (one char per byte).
  it.each([
    ['a?b', three],
    ['a??b', ['a\xc3\xb1b']],
    ['a\\[b', ['a[b']],
    ['a[[]b', ['a[b']],
    ['a[]]b', []],
    ['a[\\]]b', ['a]b']],
    ['a\\\\b', ['a\\b']],
    ['a^b', ['a^b']],
    ['a$b', ['a$b']],
    ['a.b', ['a.b']],
    ['a\\*b', ['a*b']],
    ['a\\?b', ['a?b']],
    ['a*b', all],
    ['a[^x]b', three.filter((k) => k !== 'axb')],
    ['a[!x]b', ['axb']],
    ['a[a-z]b', ['axb']],
    ['a[z-a]b', ['axb']],
    ['a[b', ['ab']],
    ['a(b', ['a(b']],
    ['a|b', ['a|b']],
    ['a{b', ['a{b']],
    ['a+b', ['a+b']],
    ['a[-]b', ['a-b']],
    ['a\\', []],
    ['*\xff*', ['a\xffb']],
  ])('SCAN MATCH %j', async (glob, expected) => {
    for (const n of all) await run('SET', Buffer.from(q + n, 'latin1'), '1');
    const got = (await scanAll(Buffer.from(q + glob, 'latin1'))).map((k) => k.slice(q.length));
    expect(got).toEqual([...expected].sort());
  });

  it('HSCAN / SSCAN / ZSCAN MATCH decide by bytes too (a pair kept by its name)', async () => {
    await run('HSET', `${q}h`, 'axb', '1', 'a\u00f1b', '2', 'a\u00f1\u00f1b', '3');
    expect(await run('HSCAN', `${q}h`, 0, 'MATCH', 'a?b')).toEqual(['0', ['axb', '1']]);
    expect(await run('HSCAN', `${q}h`, 0, 'MATCH', 'a??b')).toEqual(['0', ['a\u00f1b', '2']]);
    await run('SADD', `${q}s`, 'axb', 'a\u00f1b');
    expect(await run('SSCAN', `${q}s`, 0, 'MATCH', 'a?b')).toEqual(['0', ['axb']]);
    await run('ZADD', `${q}z`, 1, 'axb', 2, 'a\u00f1b');
    expect(await run('ZSCAN', `${q}z`, 0, 'MATCH', 'a??b')).toEqual(['0', ['a\u00f1b', '2']]);
  });
});
