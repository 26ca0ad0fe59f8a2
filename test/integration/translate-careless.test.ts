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

describe('SET drops a TTL as Redis, with no moment where the new value can expire', () => {
  it('PERSIST goes first: between SET and PERSIST the old expiry could delete the new value', async () => {
    const { translate } = await import('../../src/commands/translate.js');
    const names = (name: string, ...args: unknown[]) => translate(name, args, {})?.commands.map((c) => c.name);
    expect(names('SET', 'k', 'v')).toEqual(['PERSIST', 'SET']);
    expect(names('SET', 'k', 'v', 'GET')).toEqual(['PERSIST', 'GETSET']);
    expect(names('GETSET', 'k', 'v')).toEqual(['PERSIST', 'GETSET']);
    expect(names('MSET', 'a', '1', 'b', '2', 'a', '3')).toEqual(['PERSIST', 'PERSIST', 'MSET']);
  });

  it('the answers are SET\'s, GETSET\'s and MSET\'s, and the TTL is gone', async () => {
    const k = `${p}ttl`;
    await run('SETEX', k, 100, 'old');
    expect(await run('SET', k, 'new', 'GET')).toBe('old');
    expect(await run('TTL', k)).toBe(-1);
    await run('SETEX', k, 100, 'a');
    expect(await run('GETSET', k, 'b')).toBe('a');
    expect(await run('TTL', k)).toBe(-1);
    await run('SETEX', k, 100, 'a');
    expect(await run('MSET', k, 'c', `${k}2`, 'd')).toBe('OK');
    expect(await run('TTL', k)).toBe(-1);
    expect(await run('MGET', k, `${k}2`)).toEqual(['c', 'd']);
    await run('SETEX', k, 100, 'a');
    expect(await run('SET', k, 'e')).toBe('OK');
    expect(await run('TTL', k)).toBe(-1);
    expect(await run('GET', k)).toBe('e');
  });
});

describe('careless SET options', () => {
  it.each([
    [['EX', '10.5'], /integer/],
    [['EX', 0], /positive/],
    [['EX', -5], /positive/],
    [['EX', Number.NaN], /integer/],
    [['EX', ''], /integer/],
    [['PX', 2 ** 60], /integer/],
    [['EX', 10, 'KEEPTTL'], /syntax error/],
    [['KEEPTTL', 'EX', 10], /syntax error/],
    [['EX', 10, 'PX', 5000], /syntax error/],
    [['NX', 'XX'], /syntax error/],
    [['EX'], /syntax error/],
    [['EXAT', Math.floor(Date.now() / 1000) - 10], /SETEX/],
  ])('SET k v %j is a DataError before sending, the key untouched', async (options, message) => {
    const k = `${p}opt`;
    await run('SET', k, 'before');
    const err = await run('SET', k, 'after', ...options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String((err as Error).message)).toMatch(message);
    expect(await run('GET', k)).toBe('before');
  });

  it('option words in any case and order: set k v ex 10 nx, then px 1 (never shorter than asked)', async () => {
    const k = `${p}case`;
    await run('DEL', k);
    expect(await run('SET', k, 'v', 'ex', '10', 'nx')).toBe('OK');
    expect(await run('SET', k, 'w', 'nx', 'ex', 10)).toBe(null);
    const ttl = (await run('TTL', k)) as number;
    expect(ttl).toBeGreaterThanOrEqual(9);
    expect(ttl).toBeLessThanOrEqual(10);
    expect(await run('SET', k, 'x', 'Px', 1)).toBe('OK');
    // 1 ms becomes 2 s: LedisDB counts from the start of the current second.
    expect(await run('TTL', k)).toBe(2);
  });
});

describe('rows of the table without a test before', () => {
  it('EXPIREAT / PEXPIREAT in the future: 1 for a key of any type, the TTL never shorter than asked', async () => {
    const k = `${p}at`;
    await run('HSET', k, 'f', 'v');
    const at = Math.floor(Date.now() / 1000) + 100;
    expect(await run('EXPIREAT', k, at)).toBe(1);
    expect(await run('TTL', k)).toBeGreaterThanOrEqual(98);
    const atMs = Date.now() + 50_500;
    expect(await run('PEXPIREAT', k, atMs)).toBe(1);
    // Whole seconds, rounded up: the key is due no earlier than atMs.
    expect(((await run('TTL', k)) as number) * 1000 + Date.now()).toBeGreaterThanOrEqual(atMs - 1000);
    expect(await run('EXPIREAT', `${p}missing`, at)).toBe(0);
  });

  it('EXPIREAT / PEXPIREAT in the past delete the key at once, as Redis (LedisDB refuses a past time)', async () => {
    const k = `${p}past`;
    await run('SET', k, 'v');
    expect(await run('EXPIREAT', k, 1)).toBe(1);
    expect(await run('EXISTS', k)).toBe(0);
    await run('SADD', k, 'm');
    expect(await run('PEXPIREAT', k, Date.now() - 10_000)).toBe(1);
    expect(await run('EXISTS', k)).toBe(0);
    expect(await run('PEXPIREAT', k, 1)).toBe(0);
  });

  it('SUBSTR is GETRANGE, "" for a missing key as Redis', async () => {
    await run('SET', `${p}sub`, 'Hello');
    expect(await run('SUBSTR', `${p}sub`, 1, 3)).toBe('ell');
    expect(await run('SUBSTR', `${p}nosub`, 0, 3)).toBe('');
  });
});
