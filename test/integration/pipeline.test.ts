import { afterAll, describe, expect, it } from 'vitest';
import { DataError, LedisError, PipelineError, ResponseError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const p = prefix('pipe');
afterAll(() => ledis.quit());

describe('Pipeline', () => {
  it('resolves to every result in order', async () => {
    const results = await ledis
      .pipeline()
      .set(`${p}a`, '1')
      .get(`${p}a`)
      .incr(`${p}a`, 4)
      .get(`${p}missing`)
      .exists(`${p}a`)
      .exec();
    expect(results).toEqual([true, '1', 5, null, true]);
  });

  it('an empty pipeline resolves to an empty array', async () => {
    expect(await ledis.pipeline().exec()).toEqual([]);
  });

  it('goes out in a handful of writes for 1,000 commands', async () => {
    await ledis.ping();
    const conn = ledis.connectionPool.shared();
    const before = conn.writeCount;
    const pipe = ledis.pipeline();
    for (let i = 0; i < 1000; i++) pipe.set(`${p}w${i}`, i);
    const results = await pipe.exec();
    expect(results).toHaveLength(1000);
    expect(conn.writeCount - before).toBeLessThanOrEqual(3);
  });

  it('reports a failing command by index with every other result present', async () => {
    await ledis.set(`${p}text`, 'abc');
    const err = await ledis
      .pipeline()
      .set(`${p}x`, 'ok')
      .incr(`${p}text`)
      .get(`${p}x`)
      .sendCommand('NOSUCHCOMMAND')
      .echo('last')
      .exec()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    const pe = err as PipelineError;
    expect(pe.results[0]).toBe(true);
    expect(pe.results[2]).toBe('ok');
    expect(pe.results[4]).toBe('last');
    expect(pe.errors[1]).toBeInstanceOf(ResponseError);
    expect((pe.errors[1] as ResponseError).command).toBe('INCR');
    expect(pe.errors[3]).toBeInstanceOf(ResponseError);
    expect(pe.errors[0]).toBeUndefined();
    expect(pe.message).toMatch(/2 of 5 pipelined commands failed \(indexes 1, 3\)/);
  });

  it('execSettled resolves to per-command outcomes instead of rejecting', async () => {
    await ledis.set(`${p}text2`, 'abc');
    const settled = await ledis.pipeline().echo('a').incr(`${p}text2`).execSettled();
    expect(settled[0]).toEqual({ ok: true, value: 'a' });
    expect(settled[1].ok).toBe(false);
    if (!settled[1].ok) expect(settled[1].error).toBeInstanceOf(ResponseError);
  });

  it('throws at once on bad arguments, not at exec()', () => {
    const pipe = ledis.pipeline();
    expect(() => pipe.set(`${p}u`, undefined as unknown as string)).toThrow(DataError);
    expect(() => pipe.set(`${p}u`, { a: 1 } as unknown as string)).toThrow(/argument 2 is a value of type Object/);
    expect(() => pipe.expire(`${p}u`, 1.5)).toThrow(DataError);
    expect(pipe.length).toBe(0);
  });

  it('lands a 100,000-command zadd pipeline completely while memory stays bounded', async () => {
    const key = `${p}big-zset`;
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    const pipe = ledis.pipeline();
    for (let i = 0; i < 100_000; i++) pipe.zadd(key, i, `member-${i}`);
    const results = await pipe.exec();
    clearInterval(sampler);
    expect(results).toHaveLength(100_000);
    expect(results.every((r) => r === 1)).toBe(true);
    expect(await ledis.zcard(key)).toBe(100_000);
    expect(await ledis.zscore(key, 'member-99999')).toBe(99_999);
    // Generous: the builder and results hold 100k entries; encoded output is written in chunks.
    expect(peakRss - before.rss).toBeLessThan(400 * 1024 * 1024);
    await ledis.zclear(key);
  });

  it('refuses a second exec() with a clear error', async () => {
    const pipe = ledis.pipeline().echo('once');
    expect(await pipe.exec()).toEqual(['once']);
    await expect(pipe.exec()).rejects.toThrow(/already executed/);
    await expect(pipe.exec()).rejects.toBeInstanceOf(LedisError);
  });
});
