// A master and a replica LedisDB (the same pinned server, replication flags only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, Ledis } from '../../src/index.js';
import { turnCounter } from '../helpers.js';
// @ts-ignore -- plain ESM script
import { startLedisServer } from '../../tools/server.mjs';

type Server = Awaited<ReturnType<typeof startLedisServer>>;

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let master: Server;
let replica: Server;
beforeAll(async () => {
  master = await startLedisServer({ replication: true, quiet: true });
  replica = await startLedisServer({ slaveof: master.address, quiet: true });
});
afterAll(async () => {
  await replica?.stop();
  await master?.stop();
});

describe('master and replica', () => {
  it('reads from the replica what was written on the master, and counts reads per node', async () => {
    const ledis = new Ledis({ master: master.url, replicas: [replica.url], readFrom: 'replica' });
    await ledis.set('rw:a', 'from-master');
    expect(await eventually(() => ledis.get('rw:a'), (v) => v === 'from-master')).toBe('from-master');
    const before = ledis.nodeStats();
    for (let i = 0; i < 20; i++) await ledis.get('rw:a');
    await ledis.hget('rw:h', 'f');
    await ledis.set('rw:b', 'write');
    const after = ledis.nodeStats();
    const delta = (i: number) => (after[i]?.commands ?? 0) - (before[i]?.commands ?? 0);
    expect(after.map((n) => n.role)).toEqual(['master', 'replica']);
    expect(delta(1)).toBe(21); // the 20 GETs and the HGET
    expect(delta(0)).toBe(1); // the SET
    // The replica really served them: it refuses writes, so a write sent there would fail.
    await expect(new Ledis({ host: replica.host, port: replica.port }).set('x', 'y')).rejects.toThrow(/readonly/);
    await ledis.quit();
  });

  it('master() reads from the master for read-your-writes', async () => {
    const ledis = new Ledis({ master: master.url, replicas: [replica.url], readFrom: 'replica' });
    await ledis.ping();
    const m = ledis.master();
    await m.set('rw:own', 'mine');
    expect(await m.get('rw:own')).toBe('mine');
    expect(ledis.nodeStats()[0]?.commands).toBeGreaterThanOrEqual(2);
    await ledis.quit();
  });

  it('sends a pipeline to a replica only when every command in it reads', async () => {
    const ledis = new Ledis({ master: master.url, replicas: [replica.url], readFrom: 'replicaPreferred' });
    await ledis.set('rw:p', '1');
    await eventually(() => ledis.get('rw:p'), (v) => v === '1');
    const before = ledis.nodeStats().map((n) => n.commands);
    await ledis.pipeline().get('rw:p').exists('rw:p').exec();
    await ledis.pipeline().get('rw:p').set('rw:q', '2').exec();
    const after = ledis.nodeStats().map((n) => n.commands);
    expect((after[1] ?? 0) - (before[1] ?? 0)).toBe(1);
    expect((after[0] ?? 0) - (before[0] ?? 0)).toBe(1);
    await ledis.quit();
  });
});

describe('failures', () => {
  it('moves reads to the master under replicaPreferred when the replica dies, and fails them under replica', async () => {
    const m2 = await startLedisServer({ replication: true, quiet: true });
    const r2 = await startLedisServer({ slaveof: m2.address, quiet: true });
    const preferred = new Ledis({ master: m2.url, replicas: [r2.url], readFrom: 'replicaPreferred' });
    const strict = new Ledis({ master: m2.url, replicas: [r2.url], readFrom: 'replica' });
    try {
      await preferred.set('f:a', 'v');
      await eventually(() => strict.get('f:a'), (v) => v === 'v');
      await r2.kill();
      await eventually(async () => preferred.nodeStats()[1]?.ready, (ready) => ready === false);
      const before = preferred.nodeStats()[0]?.commands ?? 0;
      expect(await preferred.get('f:a')).toBe('v');
      expect((preferred.nodeStats()[0]?.commands ?? 0) - before).toBe(1);
      await eventually(async () => strict.nodeStats()[1]?.ready, (ready) => ready === false);
      await expect(strict.get('f:a')).rejects.toThrow(/no healthy replica/);
    } finally {
      preferred.disconnect();
      strict.disconnect();
      await r2.stop();
      await m2.stop();
    }
  });

  it('after the master dies, writes fail fast; promoting the replica lets writes resume without a new client', async () => {
    const m3 = await startLedisServer({ replication: true, quiet: true });
    const r3 = await startLedisServer({ slaveof: m3.address, quiet: true });
    const ledis = new Ledis({ master: m3.url, replicas: [r3.url], readFrom: 'replicaPreferred' });
    const events: string[] = [];
    ledis.on('masterDown', () => events.push('masterDown'));
    ledis.on('failover', (e) => events.push(`failover:${e.to}`));
    try {
      await ledis.set('fo:a', 'before');
      await eventually(() => ledis.get('fo:a'), (v) => v === 'before');
      await m3.kill();
      await eventually(async () => events.includes('masterDown'), (v) => v);
      // Fast: refused by the client on the spot (this message), not after offlineTimeout or a connect attempt,
      // within a turn or two of the event loop. This was a 100 ms wall-clock bound, which load alone can break.
      const turns = turnCounter();
      const during = await ledis.set('fo:b', 'during').catch((e: unknown) => e);
      expect(turns.stop()).toBeLessThanOrEqual(2);
      expect(during).toBeInstanceOf(ConnectionError);
      expect((during as Error).message).toMatch(/is unavailable; writes fail fast/);
      const admin = new Ledis({ host: r3.host, port: r3.port });
      await admin.sendCommand('SLAVEOF', 'NO', 'ONE');
      admin.disconnect();
      await eventually(() => ledis.set('fo:c', 'after'), (ok) => ok === true);
      expect(events).toContain(`failover:${r3.address}`);
      expect(await ledis.get('fo:c')).toBe('after');
      expect(await ledis.get('fo:a')).toBe('before');
    } finally {
      ledis.disconnect();
      await r3.stop();
      await m3.stop();
    }
  });
});
