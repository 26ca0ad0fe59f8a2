// The connection is cut while thousands of commands are in flight. Commands
// not yet written must go out after the reconnect and succeed; commands
// written but unanswered must reject with a ConnectionError that says they
// may have run; and the driver must never apply a write twice. Each command
// is an INCR of its own key, so afterwards every key must read 1 (ran once)
// or nothing (never ran), consistent with what its caller was told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, Ledis, type Connection, type Settled } from '../../src/index.js';
import { client, prefix, until } from '../helpers.js';
import { proxyFixture } from './fixture.js';

const N = 5000;
const WAVE = 100;

let direct: Ledis;
beforeAll(() => {
  direct = client();
});
afterAll(async () => {
  await direct.quit();
});
// 100 ms between attempts: time enough for a test to lift its fault before the client is back.
const { freshProxy, through } = proxyFixture('cut', { retryStrategy: () => 100 });

interface Outcome {
  issuedOffline: boolean;
  ok: boolean;
  value?: unknown;
  error?: unknown;
}

interface Run {
  outcomes: Outcome[];
  reconnects: number;
}

/**
 * Issues N INCRs of per-command keys in waves of WAVE, one wave per
 * macrotask, calling `cut` once after `cutAfter` waves (without waiting for it).
 * The waves go on while the cut is made, but wave cutAfter + 5 waits until
 * `cut` says its fault is in place (`inPlace()`), and the last wave until the
 * cut is over: on a loaded machine the remaining waves could otherwise all be
 * issued before a Toxiproxy call returns, and the cut would land after the
 * stream, not in it.
 */
async function incrUnderCut(ledis: Ledis, p: string, cutAfter: number, cut: ((inPlace: () => void) => Promise<void>) | null): Promise<Run> {
  const conn: Connection = ledis.connectionPool.shared();
  await ledis.connect();
  let reconnects = 0;
  ledis.on('reconnecting', () => reconnects++);
  const outcomes: Outcome[] = [];
  const pending: Promise<void>[] = [];
  let cutting: Promise<void> = Promise.resolve();
  let placed: Promise<void> = Promise.resolve();
  const waves = Math.ceil(N / WAVE);
  for (let wave = 0; wave < waves; wave++) {
    if (wave === cutAfter && cut !== null) {
      let mark!: () => void;
      placed = new Promise<void>((r) => (mark = r));
      cutting = cut(mark);
      // Awaited below; a failed cut fails the test there, not as an unhandled rejection meanwhile.
      cutting.catch(() => undefined);
    }
    if (cut !== null && wave === cutAfter + 5) await Promise.race([placed, cutting]);
    if (cut !== null && wave === waves - 1) await cutting;
    for (let j = 0; j < WAVE; j++) {
      const i = wave * WAVE + j;
      const o: Outcome = { issuedOffline: conn.status !== 'ready', ok: false };
      outcomes.push(o);
      pending.push(
        ledis.incr(`${p}${i}`).then(
          (value) => {
            o.ok = true;
            o.value = value;
          },
          (error: unknown) => {
            o.error = error;
          },
        ),
      );
    }
    // Let I/O happen between waves, so the cut lands mid-stream.
    await new Promise((r) => setTimeout(r, 1));
  }
  await cutting;
  // Nothing hangs: every caller hears back in bounded time.
  const all = Promise.all(pending);
  const bound = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30000).unref());
  expect(await Promise.race([all.then(() => 'done' as const), bound])).toBe('done');
  return { outcomes, reconnects };
}

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms).unref())]);
}

/**
 * Checks every key against what its caller was told; returns counts for the
 * report. With `oneCut`, a command issued while disconnected must have
 * succeeded (it went out on the new connection, which nothing cut again).
 */
async function checkOutcomes(p: string, run: Run, oneCut: boolean): Promise<Record<string, number>> {
  const counts = { ok: 0, mayHaveRunApplied: 0, mayHaveRunNotApplied: 0, offlineOk: 0, refused: 0 };
  for (let start = 0; start < N; start += 500) {
    const keys = Array.from({ length: Math.min(500, N - start) }, (_, j) => `${p}${start + j}`);
    const values = await direct.mget(keys);
    values.forEach((v, j) => {
      const i = start + j;
      const o = run.outcomes[i] as Outcome;
      const label = `INCR #${i} (${o.ok ? 'ok' : String((o.error as Error)?.message)}) reads ${v}`;
      // Never applied twice by the driver.
      expect(v === null || v === '1', label).toBe(true);
      if (o.ok) {
        expect(o.value, label).toBe(1);
        expect(v, label).toBe('1');
        counts.ok++;
        if (o.issuedOffline) counts.offlineOk++;
        return;
      }
      if (oneCut) expect(o.issuedOffline, label).toBe(false);
      expect(o.error, label).toBeInstanceOf(ConnectionError);
      const err = o.error as ConnectionError;
      if (err.mayHaveRun) {
        if (v === '1') counts.mayHaveRunApplied++;
        else counts.mayHaveRunNotApplied++;
      } else {
        // Nothing here is refused unwritten (offline commands wait for the reconnect), and such a command never ran.
        expect(v, label).toBeNull();
        counts.refused++;
      }
    });
  }
  expect(counts.refused).toBe(0);
  return counts;
}

describe('a connection cut while 5,000 commands are in flight', () => {
  it('reset by the peer (RST) mid-stream: unwritten commands succeed after reconnect, written-unanswered ones reject with mayHaveRun, none applied twice', async () => {
    const proxy = await freshProxy();
    const ledis = through(proxy);
    const p = prefix('cutrst');
    const run = await incrUnderCut(ledis, p, 20, async (inPlace) => {
      const closed = new Promise<void>((resolve) => ledis.once('close', () => resolve()));
      const rst = await proxy.addToxic({ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
      inPlace();
      // The reset happens on the next bytes the client sends; then let reconnects through.
      await within(5000, closed);
      await rst.remove();
    });
    const counts = await checkOutcomes(p, run, true);
    console.log('reset_peer cut:', counts, 'reconnects', run.reconnects);
    expect(run.reconnects).toBeGreaterThanOrEqual(1);
    expect(counts.mayHaveRunApplied + counts.mayHaveRunNotApplied + counts.ok).toBeGreaterThan(0);
    // Commands issued after the cut went out on the new connection.
    expect(run.outcomes.slice(-WAVE).every((o) => o.ok)).toBe(true);
  }, 60000);

  it('closed by the proxy after every 8,000 reply bytes: each cut rejects only written-unanswered commands, none applied twice', async () => {
    // A connection's 2,000 delivered replies can be lost to a write into the closed link before they are read
    // (see the pipeline test below): every run is checked in full, and up to 5 runs are made for one where at
    // least one connection's worth of replies reached their callers (ok was 2,000, the bare minimum, instead of
    // the usual 4,000 in 2 of 40 loaded runs here).
    let most = 0;
    for (let attempt = 1; attempt <= 5 && most < 2000; attempt++) {
      const proxy = await freshProxy();
      // Every connection through this proxy is closed after 2,000 ":1\r\n" replies.
      await proxy.addToxic({ type: 'limit_data', stream: 'downstream', attributes: { bytes: 8000 } });
      const ledis = through(proxy);
      const p = prefix('cutlimit');
      const run = await incrUnderCut(ledis, p, -1, null);
      const counts = await checkOutcomes(p, run, false);
      console.log(`limit_data downstream (attempt ${attempt}):`, counts, 'reconnects', run.reconnects);
      expect(run.reconnects).toBeGreaterThanOrEqual(1);
      most = Math.max(most, counts.ok);
      ledis.disconnect();
    }
    expect(most).toBeGreaterThanOrEqual(2000);
  }, 60000);

  it('cut on the way to the server after 100,000 bytes: commands the server never got reject with mayHaveRun and read as never run', async () => {
    const proxy = await freshProxy();
    await proxy.addToxic({ type: 'limit_data', stream: 'upstream', attributes: { bytes: 100000 } });
    const ledis = through(proxy);
    const p = prefix('cutup');
    const run = await incrUnderCut(ledis, p, -1, null);
    const counts = await checkOutcomes(p, run, false);
    console.log('limit_data upstream:', counts, 'reconnects', run.reconnects);
    expect(run.reconnects).toBeGreaterThanOrEqual(1);
    expect(counts.mayHaveRunNotApplied).toBeGreaterThan(0);
  }, 60000);

  it('proxy taken down and brought back: commands issued during the outage wait and succeed after reconnect', async () => {
    const proxy = await freshProxy();
    const ledis = through(proxy);
    const p = prefix('cutdown');
    const run = await incrUnderCut(ledis, p, 20, async (inPlace) => {
      await proxy.setEnabled(false);
      // Down as the client sees it (the proxy closes its links), so the waves issued next are issued offline.
      expect(await until(() => ledis.connectionPool.shared().status !== 'ready', 5000)).toBe(true);
      inPlace();
      await new Promise((r) => setTimeout(r, 100));
      await proxy.setEnabled(true);
    });
    const counts = await checkOutcomes(p, run, true);
    console.log('proxy down and up:', counts, 'reconnects', run.reconnects);
    expect(run.reconnects).toBeGreaterThanOrEqual(1);
    expect(counts.offlineOk).toBeGreaterThan(0);
  }, 60000);

  it('a 5,000-command pipeline cut mid-stream: each entry is its own reply or a ConnectionError (mayHaveRun), none applied twice', async () => {
    // The proxy closes the link after 8,000 reply bytes: 2,000 replies, which reach their callers when the
    // client reads them before it sees the close. Under load the client may first write the pipeline's next
    // chunk into the closed link; the write error then ends the socket before those bytes are read, and every
    // entry rejects with mayHaveRun (seen 1 run in ~30 of this file with both cores busy: ok 0, 2,048 applied,
    // 2,952 never received). That outcome is correct too, so every attempt is checked in full, and up to 5
    // attempts are made for one where the 2,000 replies were read first.
    let most = 0;
    for (let attempt = 1; attempt <= 5 && most < 2000; attempt++) {
      const proxy = await freshProxy();
      await proxy.addToxic({ type: 'limit_data', stream: 'downstream', attributes: { bytes: 8000 } });
      const ledis = through(proxy);
      await ledis.connect();
      const p = prefix('cutpipe');
      const pipeline = ledis.pipeline();
      for (let i = 0; i < N; i++) pipeline.incr(`${p}${i}`);
      // Built in a loop, so its static type is the empty tuple: one Settled<number> per INCR at run time.
      const results = (await pipeline.execSettled()) as unknown as Settled<number>[];
      const outcomes: Outcome[] = results.map((r) =>
        r.ok ? { issuedOffline: false, ok: true, value: r.value } : { issuedOffline: false, ok: false, error: r.error },
      );
      const counts = await checkOutcomes(p, { outcomes, reconnects: 0 }, false);
      console.log(`pipeline cut (attempt ${attempt}):`, counts);
      expect(counts.ok).toBeLessThan(N);
      most = Math.max(most, counts.ok);
      ledis.disconnect();
    }
    expect(most).toBeGreaterThanOrEqual(2000);
  }, 60000);
});
