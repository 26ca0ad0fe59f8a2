// Views: clients derived from one client that share its connections.
// `ledis.buffers` replies with Buffers; `ledis.withOptions({ signal, timeout })`
// arms an AbortSignal and a per-call timeout on each command.
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError, Ledis, TimeoutError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const p = prefix('views');
const ledis = client();
afterAll(() => ledis.quit());

/** A script that keeps this connection's server goroutine busy for a while (a loop, no keys). */
const BUSY = 'local i = 0 while i < 3000000 do i = i + 1 end return 1';
const tick = () => new Promise((r) => setImmediate(r));

describe('ledis.buffers', () => {
  it('replies with Buffers over the same connections, in calls and pipelines', async () => {
    await ledis.set(p + 'b', 'héllo');
    const before = ledis.connectionPool.connections.length;
    expect(await ledis.buffers.get(p + 'b')).toEqual(Buffer.from('héllo'));
    expect(await ledis.buffers.get(p + 'missing')).toBeNull();
    expect(await ledis.buffers.pipeline().get(p + 'b').hgetall(p + 'nohash').exec()).toEqual([Buffer.from('héllo'), {}]);
    expect(await ledis.get(p + 'b')).toBe('héllo');
    expect(ledis.buffers).toBe(ledis.buffers);
    expect(ledis.buffers.connectionPool).toBe(ledis.connectionPool);
    expect(ledis.connectionPool.connections.length).toBe(before);
    await ledis.buffers.quit(); // a view closes nothing of its parent
    expect(await ledis.ping()).toBe(true);
  });

  it('keeps the keyPrefix and the db of the client it comes from', async () => {
    const app = client({ keyPrefix: p + 'ns:' });
    try {
      await app.set('k', 'v');
      expect(await app.buffers.get('k')).toEqual(Buffer.from('v'));
      const four = app.db(4);
      await four.set('k4', 'w');
      expect(await four.buffers.get('k4')).toEqual(Buffer.from('w'));
      expect(await app.buffers.get('k4')).toBeNull();
    } finally {
      await app.quit();
    }
  });
});

describe('withOptions({ signal })', () => {
  it('an already aborted signal rejects at once and sends nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const err = await ledis.withOptions({ signal: controller.signal }).set(p + 'pre', '1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(err).toMatchObject({ mayHaveRun: false, command: 'SET' });
    expect(((err as Error).cause as Error).message).toBe('stop');
    expect(await ledis.get(p + 'pre')).toBeNull();
  });

  it('a command not yet written (waiting for the connection) is taken off the queue: mayHaveRun false, never run', async () => {
    const lazy = client({ lazyConnect: true });
    try {
      const controller = new AbortController();
      const pending = lazy.withOptions({ signal: controller.signal }).set(p + 'unwritten', '1');
      const after = lazy.set(p + 'written', '1');
      controller.abort();
      const err = await pending.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AbortError);
      expect((err as AbortError).mayHaveRun).toBe(false);
      expect(await after).toBe(true);
      expect(await lazy.get(p + 'unwritten')).toBeNull();
    } finally {
      await lazy.quit();
    }
  });

  it('a written command rejects the caller (mayHaveRun true); its late reply is dropped and the stream stays in step', async () => {
    const own = client();
    try {
      await own.ping();
      await own.set(p + 'x', 'x-value');
      const busy = own.eval(BUSY);
      const controller = new AbortController();
      const aborted = own.withOptions({ signal: controller.signal }).get(p + 'x');
      const next = own.get(p + 'y');
      await tick(); // flushed: both are written behind the busy script
      controller.abort();
      const err = await aborted.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AbortError);
      expect((err as AbortError).mayHaveRun).toBe(true);
      expect(await busy).toBe(1);
      expect(await next).toBeNull();
      expect(await own.get(p + 'x')).toBe('x-value');
    } finally {
      await own.quit();
    }
  });

  it('refuses options that are not { signal?, timeout? } before sending', () => {
    expect(() => ledis.withOptions({ signal: 'x' as never })).toThrow(/signal must be an AbortSignal/);
    expect(() => ledis.withOptions({ timeout: -1 })).toThrow(/timeout must be a positive/);
    expect(() => ledis.withOptions({ timout: 5 } as never)).toThrow(/unknown option timout/);
  });
});

describe('withOptions({ timeout })', () => {
  it('a shorter per-call timeout rejects with TimeoutError; the late reply is dropped', async () => {
    const own = client();
    try {
      await own.ping();
      const busy = own.eval(BUSY);
      const err = await own.withOptions({ timeout: 1 }).get(p + 'slow').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(await busy).toBe(1);
      await own.set(p + 'z', 'z');
      expect(await own.get(p + 'z')).toBe('z');
    } finally {
      await own.quit();
    }
  });

  it('a longer per-call timeout overrides commandTimeout', async () => {
    const own = client({ commandTimeout: 1 });
    try {
      const patient = own.withOptions({ timeout: 20_000 });
      await patient.ping();
      expect(await patient.eval(BUSY)).toBe(1);
      expect(await patient.set(p + 'patient', '1')).toBe(true);
    } finally {
      await own.quit();
    }
  });
});
