import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ResponseError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const p = prefix('basics');
afterAll(() => ledis.quit());

describe('a client talking to a real LedisDB', () => {
  it('answers PING with true', async () => {
    expect(await ledis.ping()).toBe(true);
  });

  it('round-trips SET and GET, and GET of a missing key is null', async () => {
    expect(await ledis.set(p + 'a', 'héllo wörld')).toBe(true);
    expect(await ledis.get(p + 'a')).toBe('héllo wörld');
    expect(await ledis.get(p + 'missing')).toBeNull();
  });

  it('rejects only the command that got an error reply, with the server text and command name', async () => {
    await ledis.set(p + 'n', 'bar');
    const results = await Promise.allSettled([ledis.get(p + 'n'), ledis.incr(p + 'n'), ledis.echo('after')]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'bar' });
    expect(results[1].status).toBe('rejected');
    const err = (results[1] as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(ResponseError);
    expect(err.command).toBe('INCR');
    expect(err.serverMessage).toContain('invalid syntax');
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'after' });
  });

  it('sends any command with sendCommand and returns the raw reply', async () => {
    expect(await ledis.sendCommand('ECHO', 'raw')).toBe('raw');
    await expect(ledis.sendCommand('NOSUCHCOMMAND')).rejects.toThrow(/command not found/);
  });

  it('never rounds an int64 beyond Number.MAX_SAFE_INTEGER: a bigint by default, a DataError when configured', async () => {
    const key = p + 'big';
    expect(await ledis.incrby(key, 9007199254740993n)).toBe(9007199254740993n);
    expect(await ledis.incr(key)).toBe(9007199254740994n);
    expect(await ledis.incrby(p + 'small', 41)).toBe(41);
    const strict = client({ bigIntegers: 'error' });
    const err = await strict.incr(key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String((err as Error).message)).toMatch(/9007199254740995 is beyond Number.MAX_SAFE_INTEGER/);
    expect(await strict.incr(p + 'small')).toBe(42);
    await strict.quit();
  });

  it('nodeStats() counts the commands sent to a single server', async () => {
    const c = client();
    await c.ping();
    const before = c.nodeStats()[0]?.commands ?? 0;
    await Promise.all([c.echo('a'), c.echo('b'), c.echo('c')]);
    expect(c.nodeStats()).toEqual([expect.objectContaining({ role: 'master', ready: true, commands: before + 3 })]);
    await c.quit();
  });
});
