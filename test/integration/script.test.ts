import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ResponseError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const p = prefix('script');
afterAll(() => ledis.quit());

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

describe('EVAL, EVALSHA and SCRIPT', () => {
  it('eval passes keys as KEYS and args as ARGV and returns strings, integers, null and nested arrays', async () => {
    const script = 'return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1, false, {KEYS[2]}}';
    expect(await ledis.eval(script, [p + 'a', p + 'b'], ['x', 41])).toEqual([p + 'a', 'x', 42, null, [p + 'b']]);
    expect(await ledis.eval('return 7')).toBe(7);
  });

  it('scripts call commands through ledis.call, in the client db', async () => {
    const n = await ledis.eval("ledis.call('set', KEYS[1], ARGV[1]); return ledis.call('incrby', KEYS[1], 5)", [p + 'n'], [10]);
    expect(n).toBe(15);
    expect(await ledis.get(p + 'n')).toBe('15');
  });

  it('scriptLoad returns the SHA1 of the source, scriptExists answers booleans, evalsha runs it', async () => {
    const script = `return '${p}loaded'`;
    const sha = await ledis.scriptLoad(script);
    expect(sha).toBe(sha1(script));
    expect(await ledis.scriptExists(sha, sha1('never loaded ' + p))).toEqual([true, false]);
    expect(await ledis.scriptExists([sha])).toEqual([true]);
    expect(await ledis.evalsha(sha)).toBe(`${p}loaded`);
  });

  it('evalsha of an unknown script rejects with the server NOSCRIPT error', async () => {
    const err = await ledis.evalsha(sha1('unknown ' + p)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError).serverMessage).toBe('NOSCRIPT no matching script, please use EVAL');
  });

  it('a script error and a Lua syntax error reject that command only', async () => {
    const results = await Promise.allSettled([ledis.eval("return ledis.call('nosuchcommand')"), ledis.eval('this is not lua'), ledis.echo('ok')]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { name: 'ResponseError', command: 'EVAL' } });
    expect((results[0] as PromiseRejectedResult).reason.message).toMatch(/command not found/);
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { name: 'ResponseError' } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'ok' });
  });

  it('refuses bad arguments with a DataError naming the command, before sending', async () => {
    await expect(ledis.eval('')).rejects.toThrow(/EVAL: script must be a non-empty string/);
    await expect(ledis.eval('return 1', p as never)).rejects.toThrow(/EVAL: keys must be an array/);
    await expect(ledis.evalsha('abc', [], 'x' as never)).rejects.toMatchObject({ name: 'DataError', command: 'EVALSHA' });
    await expect(ledis.scriptExists()).rejects.toThrow(/SCRIPT EXISTS: needs at least one sha1/);
    await expect(ledis.eval('return 1', [{}] as never)).rejects.toThrow(DataError);
  });
});

describe('defineCommand', () => {
  it('defines a method that runs the script by EVALSHA, loading it with EVAL the first time', async () => {
    const script = `return {'${p}', KEYS[1], ARGV[1]}`;
    const fn = ledis.defineCommand('tagged', { script, numberOfKeys: 1 });
    expect(await ledis.scriptExists(sha1(script))).toEqual([false]);
    expect(await fn(p + 'k', 'v')).toEqual([p, p + 'k', 'v']);
    expect(await ledis.scriptExists(sha1(script))).toEqual([true]);
    const method = (ledis as unknown as { tagged: typeof fn }).tagged;
    expect(await method(p + 'k2', 'w')).toEqual([p, p + 'k2', 'w']);
  });

  it('without numberOfKeys, the first argument gives the number of keys', async () => {
    const fn = ledis.defineCommand('counted', { script: `return {#KEYS, #ARGV, '${p}'}` });
    expect(await fn(2, 'a', 'b', 'c')).toEqual([2, 1, p]);
    expect(await fn(0)).toEqual([0, 0, p]);
    await expect(fn(3, 'a')).rejects.toThrow(/counted: the number of keys/);
  });

  it('runs again after SCRIPT FLUSH, by falling back to EVAL on NOSCRIPT', async () => {
    const script = `return ARGV[1] .. '${p}'`;
    const fn = ledis.defineCommand('afterFlush', { script, numberOfKeys: 0 });
    expect(await fn('a')).toBe('a' + p);
    expect(await ledis.scriptFlush()).toBe(true);
    expect(await ledis.scriptExists(sha1(script))).toEqual([false]);
    expect(await fn('b')).toBe('b' + p);
    expect(await ledis.scriptExists(sha1(script))).toEqual([true]);
  });

  it('refuses a name that is already a method, and bad options', () => {
    expect(() => ledis.defineCommand('get', { script: 'return 1' })).toThrow(/defineCommand: "get" is not a free method name/);
    expect(() => ledis.defineCommand('fresh', { script: '' })).toThrow(DataError);
    expect(() => ledis.defineCommand('fresh2', { script: 'return 1', numberOfKeys: -1 })).toThrow(/numberOfKeys/);
  });

  it('passes script errors through, without retrying them as NOSCRIPT', async () => {
    const fn = ledis.defineCommand('broken', { script: "return ledis.call('nosuchcommand')", numberOfKeys: 0 });
    await expect(fn()).rejects.toMatchObject({ name: 'ResponseError', command: 'EVAL' });
    await expect(fn()).rejects.toMatchObject({ name: 'ResponseError', command: 'EVALSHA' });
  });
});
