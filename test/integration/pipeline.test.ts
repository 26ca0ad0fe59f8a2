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

  it('keeps at most a few chunks of a 30,000-command pipeline in flight on its connection (its replies outlive no more)', async () => {
    const key = `${p}inflight-zset`;
    await ledis.ping();
    const conn = ledis.connectionPool.shared();
    const send = conn.send.bind(conn);
    let most = 0;
    conn.send = (cmd) => {
      send(cmd);
      if (conn.pending > most) most = conn.pending;
    };
    try {
      const pipe = ledis.pipeline();
      for (let i = 0; i < 30_000; i++) pipe.zadd(key, i, `m${i}`);
      const results = await pipe.exec();
      expect(results).toHaveLength(30_000);
      expect(results.every((r) => r === 1)).toBe(true);
    } finally {
      conn.send = send;
    }
    // 4 chunks of 2,048 waited for, plus the chunk being queued.
    expect(most).toBeLessThanOrEqual(5 * 2048);
    expect(most).toBeGreaterThan(2048);
    expect(await ledis.zcard(key)).toBe(30_000);
    await ledis.zclear(key);
  });

  it('encoded when added: Buffer values, an error reply and plain entries each get their own result by index across chunks', async () => {
    const pipe = ledis.pipeline();
    const n = 5000;
    for (let i = 0; i < n; i++) {
      if (i % 997 === 0) pipe.set(`${p}buf${i}`, Buffer.from([0, 1, 2, i & 0xff]));
      else if (i % 1499 === 0) pipe.sendCommand('INCR', `${p}k1`);
      else pipe.set(`${p}k${i}`, `v${i}`);
    }
    pipe.hmget(`${p}nohash`, 'a', 'b');
    const settled = await pipe.execSettled();
    expect(settled).toHaveLength(n + 1);
    for (let i = 0; i < n; i++) {
      const s = settled[i] as { ok: boolean; error?: Error };
      if (i % 997 !== 0 && i % 1499 === 0) {
        expect(s.ok).toBe(false);
        expect(s.error).toBeInstanceOf(ResponseError);
      } else expect(s).toEqual({ ok: true, value: true });
    }
    expect(settled[n]).toEqual({ ok: true, value: [null, null] });
    expect(await ledis.sendCommand('STRLEN', `${p}buf997`)).toBe(4);
    expect(await ledis.get(`${p}k4999`)).toBe('v4999');
  });

  it('refuses a second exec() with a clear error', async () => {
    const pipe = ledis.pipeline().echo('once');
    expect(await pipe.exec()).toEqual(['once']);
    await expect(pipe.exec()).rejects.toThrow(/already executed/);
    await expect(pipe.exec()).rejects.toBeInstanceOf(LedisError);
  });
});
