// The server is killed (SIGKILL) under load and a new one is started on the
// same port: the client must reconnect with back-off, fire its events, and
// serve both the commands issued during the outage and new ones.
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError, Ledis } from '../../src/index.js';
// @ts-ignore -- plain ESM script, typed through JSDoc
import { startLedisServer } from '../../tools/server.mjs';

interface RunningServer {
  host: string;
  port: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

async function start(port?: number): Promise<RunningServer> {
  const s = (await startLedisServer({ quiet: true, ...(port ? { port } : {}) })) as RunningServer;
  servers.push(s);
  return s;
}

describe('server killed and restarted on the same port', () => {
  it('in-flight commands reject with mayHaveRun, outage commands wait, the client reconnects with back-off and serves new commands', async () => {
    const first = await start();
    const ledis = new Ledis({ host: first.host, port: first.port });
    const events: string[] = [];
    const attempts: Array<{ attempt: number; delay: number }> = [];
    for (const e of ['connect', 'ready', 'close', 'end'] as const) ledis.on(e, () => events.push(e));
    ledis.on('reconnecting', (info) => {
      events.push('reconnecting');
      attempts.push({ attempt: info.attempt, delay: info.delay });
    });
    await ledis.connect();
    expect(await ledis.ping()).toBe(true);

    // 2,000 commands in flight when the server dies.
    const inFlight = Promise.allSettled(Array.from({ length: 2000 }, (_, i) => ledis.incr(`restart:inflight:${i}`)));
    await first.kill();
    const settled = await inFlight;
    for (const s of settled) {
      if (s.status === 'fulfilled') expect(s.value).toBe(1);
      else {
        expect(s.reason).toBeInstanceOf(ConnectionError);
        expect((s.reason as ConnectionError).mayHaveRun).toBe(true);
      }
    }
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);

    // Issued while the server is down: they wait (offlineTimeout, 10 s by default).
    const duringOutage = Array.from({ length: 100 }, (_, i) => ledis.echo(`outage-${i}`));
    await new Promise((r) => setTimeout(r, 700));
    const failedAttempts = attempts.length;
    expect(failedAttempts).toBeGreaterThanOrEqual(2);

    const ready = new Promise<void>((resolve) => ledis.once('ready', () => resolve()));
    const second = await start(first.port);
    expect(second.port).toBe(first.port);
    // Counted from when the server listens, not from before its start: how long a LedisDB takes to start is
    // not the client's, and on a loaded machine it can eat into this bound.
    const restartedAt = performance.now();
    await ready;
    // The next attempt comes within one back-off step (capped at 2 s), with room for a loaded machine.
    expect(performance.now() - restartedAt).toBeLessThan(4000);

    expect(await Promise.all(duringOutage)).toEqual(Array.from({ length: 100 }, (_, i) => `outage-${i}`));
    const after = await Promise.all(Array.from({ length: 1000 }, (_, i) => ledis.incr(`restart:after:${i}`)));
    expect(after.every((v) => v === 1)).toBe(true);

    // Back-off: attempts count up from 1, each delay within the default strategy's
    // equal-jitter band [cap/2, cap], cap = min(2000, 50 * 2^(attempt-1)).
    attempts.forEach((a, i) => {
      expect(a.attempt).toBe(i + 1);
      const cap = Math.min(2000, 50 * 2 ** (a.attempt - 1));
      expect(a.delay).toBeGreaterThanOrEqual(cap / 2);
      expect(a.delay).toBeLessThanOrEqual(cap);
    });
    expect(events[0]).toBe('connect');
    expect(events.slice(0, 3)).toEqual(['connect', 'ready', 'close']);
    expect(events.filter((e) => e === 'reconnecting').length).toBe(attempts.length);
    expect(events.at(-1)).toBe('ready');
    expect(events).not.toContain('end');
    ledis.disconnect();
  }, 30000);
});
