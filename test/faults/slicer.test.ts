// Links that are slow or chop the byte stream into pieces, but lose nothing:
// every caller must get exactly its own reply.
import { describe, expect, it } from 'vitest';
import { ConnectionError, Ledis, TimeoutError, type LedisOptions } from '../../src/index.js';
import { prefix } from '../helpers.js';
import { issueMixed, sameValue, wrongReplies } from './mixed.js';
import { proxyFixture } from './fixture.js';
import type { Stream, ToxicSpec } from './toxiproxy.js';

const proxies = proxyFixture('slicer');

/** A client through a fresh proxy carrying `toxics`. */
async function through(toxics: Array<ToxicSpec & { stream?: Stream }>, options: LedisOptions = {}): Promise<Ledis> {
  const proxy = await proxies.freshProxy();
  for (const t of toxics) await proxy.addToxic(t);
  return proxies.through(proxy, options);
}

describe('a link that re-chunks or slows the stream', () => {
  it('re-chunked to 1 byte each way: 5,000 mixed commands each resolve to their own reply', async () => {
    const oneByte = { type: 'slicer', attributes: { average_size: 1, size_variation: 0, delay: 0 } } as const;
    const ledis = await through([
      { ...oneByte, stream: 'upstream' },
      { ...oneByte, stream: 'downstream' },
    ]);
    expect(await wrongReplies(issueMixed(ledis, prefix('slice1'), 5000))).toEqual([]);
  }, 60000);

  it('pieces of random size (1-64 bytes) with delays: 5,000 mixed commands each resolve to their own reply', async () => {
    const ledis = await through([{ type: 'slicer', attributes: { average_size: 32, size_variation: 31, delay: 10 } }]);
    expect(await wrongReplies(issueMixed(ledis, prefix('slicerand'), 5000))).toEqual([]);
  }, 60000);

  it('latency with jitter and a 256 KB/s bandwidth cap: 5,000 mixed commands each resolve to their own reply', async () => {
    const ledis = await through([
      { type: 'latency', attributes: { latency: 40, jitter: 30 } },
      { type: 'bandwidth', stream: 'upstream', attributes: { rate: 256 } },
    ]);
    expect(await wrongReplies(issueMixed(ledis, prefix('slow'), 5000))).toEqual([]);
  }, 60000);

  it("latency around the command timeout: each command gets its own reply or a clear error, never another caller's reply", async () => {
    const ledis = await through([{ type: 'latency', attributes: { latency: 100, jitter: 100 } }], { commandTimeout: 150 });
    const outcomes = { ok: 0, timeout: 0, lost: 0 };
    // Waves, so that some commands are issued while late replies of earlier ones are still arriving.
    for (let wave = 0; wave < 20; wave++) {
      const issued = issueMixed(ledis, prefix(`lt${wave}`), 50, true);
      const settled = await Promise.allSettled(issued.map((c) => c.promise));
      settled.forEach((s, i) => {
        const what = issued[i]?.what;
        if (s.status === 'fulfilled') {
          // Each expected value is unique to its caller: another caller's reply never matches.
          expect(sameValue(s.value, issued[i]?.expected), `${what} got ${String(s.value)}`).toBe(true);
          outcomes.ok++;
        } else if (s.reason instanceof TimeoutError) {
          outcomes.timeout++;
        } else {
          // Written on a connection recycled as stalled before its reply came.
          expect(s.reason, `${what}: ${String(s.reason?.message)}`).toBeInstanceOf(ConnectionError);
          expect((s.reason as ConnectionError).mayHaveRun, `${what}: ${String(s.reason?.message)}`).toBe(true);
          outcomes.lost++;
        }
      });
    }
    console.log('latency around commandTimeout:', outcomes);
    expect(outcomes.ok + outcomes.timeout + outcomes.lost).toBe(1000);
    expect(outcomes.timeout).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
  }, 60000);
});
