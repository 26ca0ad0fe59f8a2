// A link that stops delivering without closing (Toxiproxy's timeout toxic
// drops every byte): commandTimeout must reject in bounded time and the
// stuck socket must be recycled; with no timeout at all, memory must stay
// bounded by maxPending however many commands the caller keeps issuing.
import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ConnectionError, Ledis, TimeoutError } from '../../src/index.js';
import { prefix } from '../helpers.js';
import { issueMixed, wrongReplies } from './mixed.js';
import { proxyFixture } from './fixture.js';

const { freshProxy, through } = proxyFixture('stall', { retryStrategy: () => 20 });

/** Resolves once `fn` succeeds, trying every 50 ms for at most `ms`. */
async function eventually<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const TIMEOUT = 300;

describe('a stalled link', () => {
  it('commandTimeout rejects within its bound with TimeoutError, the stuck socket is recycled, and later commands work', async () => {
    const proxy = await freshProxy();
    const ledis = through(proxy, { commandTimeout: TIMEOUT });
    const p = prefix('stall');
    expect(await wrongReplies(issueMixed(ledis, p, 500))).toEqual([]);
    let closes = 0;
    ledis.on('close', () => closes++);

    const stall = await proxy.addToxic({ type: 'timeout', attributes: { timeout: 0 } });
    // One caller alone, then 1,000 at once.
    const started = performance.now();
    await expect(ledis.get(`${p}s1`)).rejects.toBeInstanceOf(TimeoutError);
    const alone = performance.now() - started;
    const batchStart = performance.now();
    const batch = await Promise.allSettled(issueMixed(ledis, p, 1000, true).map((c) => c.promise));
    const batchTook = performance.now() - batchStart;
    for (const s of batch) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
    }
    expect(alone).toBeGreaterThanOrEqual(TIMEOUT - 5);
    expect(alone).toBeLessThan(TIMEOUT + 500);
    expect(batchTook).toBeLessThan(TIMEOUT + 500);
    // Recycled by the driver: nothing was read during the timeout (the toxic is still there).
    expect(closes).toBeGreaterThanOrEqual(1);

    // Removing the toxic closes the links it stalled; then the stream flows again.
    await stall.remove();
    await eventually(3000, () => ledis.ping());
    expect(await wrongReplies(issueMixed(ledis, prefix('stall-after'), 2000))).toEqual([]);
  }, 30000);

  it('a server that never answers and a caller that keeps issuing: pending stays at maxPending, the rest is refused, memory stays bounded', async () => {
    const proxy = await freshProxy();
    const maxPending = 10000;
    const ledis = through(proxy, { maxPending });
    await ledis.connect();
    const conn = ledis.connectionPool.shared();
    // Everything the client sends is dropped before the server: no reply ever comes.
    await proxy.addToxic({ type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });

    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const p = prefix('never');
    let issued = 0;
    let refused = 0;
    let otherErrors = 0;
    let maxSeen = 0;
    const inFlight: Promise<unknown>[] = [];
    // Bounded by count (60,000) and, generously, by time: a loaded machine issues more slowly, not fewer.
    const stopAt = performance.now() + 15000;
    // 1 KiB of distinct text per command: unbounded queueing would cost about 1 KiB x issued.
    while (issued < 60000 && performance.now() < stopAt) {
      for (let j = 0; j < 5000; j++, issued++) {
        const promise = ledis.set(`${p}${issued}`, randomBytes(512).toString('hex')).catch((err: unknown) => {
          if (err instanceof ConnectionError && /maxPending/.test(err.message)) refused++;
          else otherErrors++;
        });
        if (issued < maxPending) inFlight.push(promise);
      }
      maxSeen = Math.max(maxSeen, conn.pending);
      await new Promise((r) => setImmediate(r));
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    console.log(
      `never-answering server: issued ${issued}, refused ${refused}, pending ${conn.pending}, ` +
        `heap grew ${(grown / 1048576).toFixed(1)} MiB (unbounded would be ~${((issued * 1100) / 1048576).toFixed(0)} MiB)`,
    );
    expect(issued).toBeGreaterThanOrEqual(50000);
    expect(maxSeen).toBeLessThanOrEqual(maxPending);
    expect(refused).toBe(issued - maxPending);
    expect(otherErrors).toBe(0);
    expect(grown).toBeLessThan(48 * 1048576);

    // Nothing is left hanging: disconnect() settles every pending command.
    ledis.disconnect();
    await Promise.all(inFlight);
    expect(otherErrors).toBe(maxPending);
    expect(conn.pending).toBe(0);
  }, 30000);
});
