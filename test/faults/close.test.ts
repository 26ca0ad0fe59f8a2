// disconnect() and quit() while commands are in flight (held up by a slow
// link) or waiting for a connection (the link is down): every command must
// settle, none is left pending, and nothing hangs.
import { describe, expect, it } from 'vitest';
import { ConnectionError, Ledis, PipelineError } from '../../src/index.js';
import { prefix, turnCounter } from '../helpers.js';
import { proxyFixture } from './fixture.js';
import type { Proxy } from './toxiproxy.js';

const { freshProxy, through } = proxyFixture('close', { retryStrategy: () => 20 });

async function slowProxy(latency: number): Promise<Proxy> {
  const proxy = await freshProxy();
  if (latency > 0) await proxy.addToxic({ type: 'latency', attributes: { latency } });
  return proxy;
}

/** Settles all, failing the test if that takes longer than `ms`. */
async function settleWithin<T>(ms: number, promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`commands still pending after ${ms} ms`)), ms).unref());
  return Promise.race([Promise.allSettled(promises), timer]);
}

describe('closing with commands in flight', () => {
  it('disconnect(): every in-flight command rejects at once with ConnectionError (mayHaveRun), the pipeline too', async () => {
    const proxy = await slowProxy(300);
    const ledis = through(proxy);
    await ledis.connect();
    const conn = ledis.connectionPool.shared();
    const p = prefix('disc');
    const single = Array.from({ length: 1000 }, (_, i) => ledis.incr(`${p}${i}`));
    const pipeline = ledis.pipeline();
    for (let i = 0; i < 500; i++) pipeline.incr(`${p}pipe${i}`);
    const exec = pipeline.exec();
    await new Promise((r) => setTimeout(r, 50));
    // "At once" counted in event-loop turns, not ms: disconnect() closes the socket and its close rejects
    // everything within a turn or two. Waiting for anything (a timer, a retry, the replies 300 ms away) would
    // take thousands of turns, since the counter keeps each turn from blocking. This was a 200 ms wall-clock
    // bound, which a loaded machine breaks with no wait at all (35-93 ms here with both cores busy; 1 turn).
    const turns = turnCounter();
    ledis.disconnect();
    const settled = await settleWithin(1000, single);
    expect(turns.stop()).toBeLessThanOrEqual(2);
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      const err = (s as PromiseRejectedResult).reason as ConnectionError;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.mayHaveRun).toBe(true);
    }
    const pipeErr = await exec.catch((e: unknown) => e);
    expect(pipeErr).toBeInstanceOf(PipelineError);
    expect((pipeErr as PipelineError).errors.filter((e) => e instanceof ConnectionError)).toHaveLength(500);
    expect(conn.pending).toBe(0);
    await expect(ledis.ping()).rejects.toBeInstanceOf(ConnectionError);
  });

  it('disconnect() while the link is down: commands waiting for a connection reject at once, marked as not run', async () => {
    const proxy = await slowProxy(0);
    const ledis = through(proxy);
    await ledis.connect();
    const conn = ledis.connectionPool.shared();
    await proxy.setEnabled(false);
    await new Promise((r) => setTimeout(r, 100));
    const waiting = Array.from({ length: 200 }, (_, i) => ledis.echo(`w${i}`));
    ledis.disconnect();
    const settled = await settleWithin(1000, waiting);
    for (const s of settled) {
      const err = (s as PromiseRejectedResult).reason as ConnectionError;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.mayHaveRun).toBe(false);
    }
    expect(conn.pending).toBe(0);
    await proxy.setEnabled(true);
  });

  it('quit(): every in-flight command gets its own reply before the socket closes; later commands are refused', async () => {
    const proxy = await slowProxy(300);
    const ledis = through(proxy);
    await ledis.connect();
    const conn = ledis.connectionPool.shared();
    const p = prefix('quit');
    const single = Array.from({ length: 1000 }, (_, i) => ledis.incrby(`${p}${i}`, i + 1));
    const pipeline = ledis.pipeline();
    for (let i = 0; i < 500; i++) pipeline.echo(`pipe${i}`);
    const exec = pipeline.exec();
    await new Promise((r) => setTimeout(r, 50));
    const quitting = ledis.quit();
    await expect(ledis.ping()).rejects.toBeInstanceOf(ConnectionError);
    const settled = await settleWithin<unknown>(5000, [...single, exec, quitting]);
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(await Promise.all(single)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(await exec).toEqual(Array.from({ length: 500 }, (_, i) => `pipe${i}`));
    expect(conn.pending).toBe(0);
  });

  it('quit() while the link is down: commands waiting for a connection settle within offlineTimeout and quit() resolves', async () => {
    const proxy = await slowProxy(0);
    const ledis = through(proxy, { offlineTimeout: 500 });
    await ledis.connect();
    const conn = ledis.connectionPool.shared();
    await proxy.setEnabled(false);
    await new Promise((r) => setTimeout(r, 100));
    const waiting = Array.from({ length: 200 }, (_, i) => ledis.echo(`w${i}`));
    const quitting = ledis.quit();
    const settled = await settleWithin<unknown>(3000, [...waiting, quitting]);
    for (const s of settled.slice(0, 200)) {
      const err = (s as PromiseRejectedResult).reason as ConnectionError;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.mayHaveRun).toBe(false);
    }
    expect(settled[200]?.status).toBe('fulfilled');
    expect(conn.pending).toBe(0);
    await proxy.setEnabled(true);
  });
});
