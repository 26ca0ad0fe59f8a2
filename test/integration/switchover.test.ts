// A planned master change that leaves every connection up: the replica is
// promoted (SLAVEOF NO ONE) and the old master made its replica (SLAVEOF).
// Writes the old master refuses as read-only are re-sent to the new master
// after the topology re-probes roles, with no dropped connection and no
// write applied twice.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledis, ResponseError } from '../../src/index.js';
// @ts-ignore -- plain ESM script
import { startLedisServer } from '../../tools/server.mjs';

type Server = Awaited<ReturnType<typeof startLedisServer>>;

/** A free loopback port at or below 32767: LedisDB parses replication ports as int16. */
async function lowPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 32768 after 50 tries');
}

/** Polls `check` every 50 ms for at most 10 s (count-bounded, not a timing assertion). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met after 200 polls');
}

let a: Server;
let b: Server;
beforeAll(async () => {
  a = await startLedisServer({ replication: true, quiet: true, port: await lowPort() });
  b = await startLedisServer({ replication: true, quiet: true, port: await lowPort(), slaveof: `${a.host}:${a.port}` });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('switchover without a dropped connection', () => {
  it("writes refused as read-only go to the promoted replica, once each; 'failover' is emitted; no connection closed", async () => {
    const ledis = new Ledis({ master: a.url, replicas: [b.url] });
    const adminA = new Ledis({ host: a.host, port: a.port });
    const adminB = new Ledis({ host: b.host, port: b.port });
    const events: Array<{ from: string; to: string }> = [];
    let closes = 0;
    ledis.on('failover', (e) => events.push(e));
    ledis.on('close', () => closes++);
    try {
      expect(await ledis.incr('sw:n')).toBe(1);
      await until(async () => (await adminB.get('sw:n')) === '1');

      // The planned change: promote B, make A its replica.
      expect(await adminB.slaveof()).toBe(true);
      expect(await adminA.slaveof(b.host, b.port)).toBe(true);
      await until(async () => (await adminA.role()).role === 'slave');
      const refused = await adminA.set('sw:direct', '1').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ResponseError);
      expect((refused as ResponseError).serverMessage).toBe('write not support in readonly mode');

      // Concurrent writes through the client: all refused by A, all re-sent to B, each applied once.
      const results = await Promise.all(Array.from({ length: 20 }, () => ledis.incr('sw:n')));
      expect(results.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      expect(await adminB.get('sw:n')).toBe('21');
      expect(events).toEqual([{ from: a.address, to: b.address }]);
      expect(ledis.nodeStats().map((n) => [n.address, n.role])).toEqual([
        [b.address, 'master'],
        [a.address, 'replica'],
      ]);
      expect(await ledis.set('sw:after', 'x')).toBe(true);
      expect(await adminB.get('sw:after')).toBe('x');
      expect(closes).toBe(0);
    } finally {
      await Promise.all([ledis.quit(), adminA.quit(), adminB.quit()]);
    }
  });

  it('a read-only error with no other master to find still rejects with the server error', async () => {
    const ro = await startLedisServer({ quiet: true, readonly: true });
    const ledis = new Ledis({ master: ro.url });
    try {
      const err = await ledis.set('k', 'v').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResponseError);
      expect((err as ResponseError).serverMessage).toBe('write not support in readonly mode');
    } finally {
      await ledis.quit();
      await ro.stop();
    }
  });
});
