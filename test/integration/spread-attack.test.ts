// Attacks on the adaptive spread (src/routing/spread.ts, driving src/routing/lanes.ts): growth is forced
// white-box (it needs a deep load that a loaded machine cannot promise); the
// shrink is the real sampler's. Every load loop is bounded in count and time.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, Ledis } from '../../src/index.js';
import { client, prefix, serverAddress, until } from '../helpers.js';
import { startScriptedPeer } from '../unit/peer.js';
import { startLedisServer } from '../../tools/server.mjs';
import { COALESCE_EAGERLY } from '../support/coalesce.js';
import { recordWrites } from '../support/internals.js';
import { lanesOf as lanesOfPool, type Lanes } from '../../src/routing/lanes.js';

const p = prefix('spread-attack');
const opened: Ledis<boolean>[] = [];
function open(options: Parameters<typeof client>[0] = {}): Ledis {
  const c = client(options);
  opened.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(opened.map((c) => c.quit().catch(() => undefined)));
});

function lanesOf(ledis: Ledis): Lanes {
  return lanesOfPool(ledis.connectionPool);
}

/** Opens the second lane and starts using it, as a growth would; the sampler watches afterwards. */
async function growToTwo(ledis: Ledis): Promise<void> {
  await ledis.connect();
  const lanes = lanesOf(ledis);
  const conn = ledis.connectionPool.openShared();
  expect(conn).not.toBeNull();
  expect(await until(() => conn?.status === 'ready', 5000)).toBe(true);
  lanes.resize(2, 'test');
  expect(await until(() => lanes.active === 2, 5000)).toBe(true);
  lanes.spread?.deep();
}

describe('bulk() while the adaptive spread changes its lanes', () => {
  it('a light bulk load on two lanes loses no item to the spread shrinking back to one (it waits for the load)', async () => {
    const ledis = open({ connections: 2 });
    await growToTwo(ledis);
    const n = 300;
    async function* source(): AsyncGenerator<[string, string, string]> {
      // Bounded: 300 items, a 4 ms pause every 2 (at least 600 ms): longer than the 300 ms shrink judgement.
      for (let i = 0; i < n; i++) {
        if (i % 2 === 0) await new Promise((r) => setTimeout(r, 4));
        yield ['SET', `${p}bulk:${i}`, String(i)];
      }
    }
    const errors: string[] = [];
    const summary = await ledis.bulk(source(), { inFlight: 8, onError: (e) => errors.push(e.error.message) });
    expect(errors.slice(0, 3)).toEqual([]);
    expect(summary.failed).toBe(0);
    expect(summary.succeeded).toBe(n);
    expect(await ledis.get(`${p}bulk:${n - 1}`)).toBe(String(n - 1));
    // The load over, the shallow lanes are retired as before.
    expect(await until(() => ledis.connectionPool.sharedList.length === 1, 5000)).toBe(true);
  });

  it('spreads over the lanes the client uses, not over a connection opened but not yet in use', async () => {
    const ledis = open({ connections: 2 });
    await ledis.connect();
    const spare = ledis.connectionPool.openShared();
    expect(await until(() => spare?.status === 'ready', 5000)).toBe(true);
    expect(lanesOf(ledis).active).toBe(1);
    const items = Array.from({ length: 200 }, (_, i): [string, string, string] => ['SET', `${p}spare:${i}`, 'v']);
    const summary = await ledis.bulk(items);
    expect(summary.succeeded).toBe(200);
    // The client sends every key to its one lane; bulk must too, or a key's order between the two is lost.
    expect(spare?.commandCount).toBe(0);
  });
});

describe('an added connection that the server closes for good', () => {
  it('is no longer used: the commands on its keys go to the lanes left, none fails for want of it', async () => {
    // A loopback relay in front of the real server, so the test can cut one connection.
    const relayed: net.Socket[] = [];
    const peer = await startScriptedPeer((sock) => {
      const up = net.connect(serverAddress());
      up.on('error', () => sock.destroy());
      sock.on('close', () => up.destroy());
      up.on('close', () => sock.destroy());
      sock.pipe(up);
      up.pipe(sock);
      relayed.push(sock);
    });
    const ledis = new Ledis({ host: '127.0.0.1', port: peer.port, connections: 2, retryStrategy: () => null });
    try {
      await growToTwo(ledis);
      const lane = ledis.connectionPool.sharedList[1];
      expect(relayed).toHaveLength(2);
      relayed[1]?.destroy();
      expect(await until(() => lane?.status === 'end', 5000)).toBe(true);
      const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => ledis.set(`${p}cut:${i}`, 'v')));
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.map((r) => String((r as PromiseRejectedResult).reason)).slice(0, 2)).toEqual([]);
      expect(ledis.status).toBe('ready');
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });
});

describe('quit() while the spread changes', () => {
  it('answers the commands issued before quit() that a resize barrier was holding, and refuses those issued after it', async () => {
    const ledis = open({ connections: 2 });
    await ledis.connect();
    const lanes = lanesOf(ledis);
    const conn = ledis.connectionPool.openShared();
    expect(await until(() => conn?.status === 'ready', 5000)).toBe(true);
    // Something in flight, so the barrier has to wait for it; then the resize, then commands it holds.
    const before = Array.from({ length: 50 }, (_, i) => ledis.set(`${p}q:${i}`, 'v'));
    lanes.resize(2, 'test');
    const held = Array.from({ length: 50 }, (_, i) => ledis.get(`${p}q:${i}`));
    const quitting = ledis.quit();
    const late = ledis.get(`${p}q:late`);
    await expect(late).rejects.toBeInstanceOf(ConnectionError);
    await expect(ledis.pipeline().get(`${p}q:late`).exec()).rejects.toBeInstanceOf(ConnectionError);
    const settled = await Promise.allSettled([...before, ...held]);
    await quitting;
    const failed = settled.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    expect(failed.slice(0, 2)).toEqual([]);
    expect(ledis.status).toBe('end');
  });

  it('quit() while an added connection is still connecting ends every connection', async () => {
    const ledis = open({ connections: 3 });
    await ledis.connect();
    const adding = ledis.connectionPool.openShared();
    expect(adding?.status).not.toBe('ready');
    await ledis.quit();
    expect(await until(() => adding?.status === 'end', 5000)).toBe(true);
    expect(ledis.connectionPool.sharedList).toHaveLength(0);
    expect(ledis.connectionPool.openShared()).toBeNull();
  });
});

describe('an added connection the server refuses', () => {
  it('is closed, the first keeps serving every key, and no growth is tried again at once', async () => {
    // Connection 0 is relayed to the real server; every later one is refused as a full server does.
    const peer = await startScriptedPeer((sock, index) => {
      if (index > 0) {
        sock.end('-ERR max number of clients reached\r\n');
        return;
      }
      const up = net.connect(serverAddress());
      up.on('error', () => sock.destroy());
      sock.on('close', () => up.destroy());
      up.on('close', () => sock.destroy());
      sock.pipe(up);
      up.pipe(sock);
    });
    const ledis = new Ledis({ host: '127.0.0.1', port: peer.port, connections: 2 });
    const errors: string[] = [];
    ledis.on('error', (e: Error) => errors.push(e.message));
    try {
      await ledis.connect();
      const lanes = lanesOf(ledis);
      lanes.spread?.watch();
      lanes.spread?.grow(1);
      expect(await until(() => ledis.connectionPool.sharedList.length === 1 && peer.connections >= 2, 5000)).toBe(true);
      const connectionsThen = peer.connections;
      const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => ledis.set(`${p}refused:${i}`, 'v')));
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(0);
      expect(lanes.active).toBe(1);
      // The refused connection is not retried behind the client's back.
      await new Promise((r) => setTimeout(r, 300));
      expect(peer.connections).toBe(connectionsThen);
      expect(ledis.status).toBe('ready');
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });
});

describe('auth() and the adaptive spread', () => {
  it('a connection added after auth(), or while auth() runs, is authenticated', async () => {
    const locked = (await startLedisServer({ quiet: true, password: 'sesame' })) as { host: string; port: number; stop(): Promise<void> };
    const ledis = new Ledis({ host: locked.host, port: locked.port, connections: 3 });
    try {
      await ledis.connect();
      // A lane starts opening in the same tick as auth(): its handshake races the AUTH.
      const during = ledis.connectionPool.openShared();
      expect(await ledis.auth('sesame')).toBe(true);
      const after = ledis.connectionPool.openShared();
      expect(await until(() => during?.status === 'ready' && after?.status === 'ready', 5000)).toBe(true);
      expect(await during?.sendCommand('SET', `${p}auth:during`, 'v')).toBe('OK');
      expect(await after?.sendCommand('SET', `${p}auth:after`, 'v')).toBe('OK');
    } finally {
      ledis.disconnect();
      await locked.stop();
    }
  });
});

describe('events of a grown client', () => {
  it("quit() with two lanes in use: one 'end', and the client's own 'close'", async () => {
    const ledis = open({ connections: 2 });
    const seen: string[] = [];
    ledis.on('ready', () => seen.push('ready'));
    ledis.on('close', () => seen.push('close'));
    ledis.on('end', () => seen.push('end'));
    await growToTwo(ledis);
    await ledis.set(`${p}ev`, 'v');
    await ledis.quit();
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.filter((e) => e === 'end')).toHaveLength(1);
    expect(seen.filter((e) => e === 'ready')).toHaveLength(1);
    expect(seen.filter((e) => e === 'close').length).toBeGreaterThanOrEqual(1);
    expect(ledis.status).toBe('end');
  });
});

describe('a pipeline longer than one chunk', () => {
  it('is applied before a command on its key issued after exec() (connections: 1, and the adaptive default)', async () => {
    for (const options of [{ connections: 1 }, {}]) {
      const ledis = open(options);
      await ledis.connect();
      const key = `${p}chunks:${JSON.stringify(options)}`;
      const n = 5000;
      const pipe = ledis.pipeline();
      for (let i = 0; i < n; i++) pipe.incr(key);
      const done = pipe.exec();
      const seen = await ledis.get(key);
      await done;
      expect(seen).toBe(String(n));
    }
  });
});

describe('a barrier on a lane at maxPending', () => {
  it('still waits for that lane: an MGET issued after INCRs that filled their lane sees them all', async () => {
    const { laneOf } = await import('../../src/routing/lanes.js');
    const ledis = open({ connections: 2, spread: 'fixed', maxPending: 10, ...COALESCE_EAGERLY });
    await ledis.connect();
    let wrong = 0;
    const errors: string[] = [];
    for (let r = 0; r < 20; r++) {
      let x = '';
      let y = '';
      for (let i = 0; x === '' || y === ''; i++) {
        const k = `${p}full:${r}:${i}`;
        if (laneOf(k, 2) === 0 && x === '') x = k;
        else if (laneOf(k, 2) === 1 && y === '') y = k;
      }
      const incrs = Array.from({ length: 10 }, () => ledis.incr(x).catch((e: Error) => errors.push(e.message)));
      const got = await ledis.mget(y, x);
      await Promise.all(incrs);
      if (got[1] !== '10') wrong++;
    }
    expect(errors.slice(0, 2)).toEqual([]);
    expect(wrong).toBe(0);
  });
});

describe('one lane that stops answering', () => {
  it('does not freeze the other lane: the spread starts no resize barrier over a lane whose replies stalled', async () => {
    const { laneOf } = await import('../../src/routing/lanes.js');
    const relayed: Array<{ sock: net.Socket; up: net.Socket }> = [];
    const peer = await startScriptedPeer((sock) => {
      const up = net.connect(serverAddress());
      up.on('error', () => sock.destroy());
      sock.on('close', () => up.destroy());
      up.on('close', () => sock.destroy());
      sock.pipe(up);
      up.pipe(sock);
      relayed.push({ sock, up });
    });
    const ledis = new Ledis({ host: '127.0.0.1', port: peer.port, connections: 2 });
    try {
      await growToTwo(ledis);
      // Lane 1's replies stop reaching the client (the server's side of the relay is no longer read).
      const stalled = relayed[1] as { sock: net.Socket; up: net.Socket };
      stalled.up.unpipe(stalled.sock);
      stalled.up.pause();
      const keyOn = (lane: number, tag: string): string => {
        for (let i = 0; ; i++) if (laneOf(`${p}${tag}${i}`, 2) === lane) return `${p}${tag}${i}`;
      };
      const stuck = ledis.set(keyOn(1, 'stuck'), 'v').catch(() => undefined);
      const k0 = keyOn(0, 'free');
      // Light load on lane 0 for longer than the shrink judgement (300 ms): bounded to 40 rounds.
      let answered = 0;
      for (let r = 0; r < 40; r++) {
        const ok = await Promise.race([ledis.set(k0, String(r)).then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 2000))]);
        if (!ok) break;
        answered++;
        await new Promise((res) => setTimeout(res, 15));
      }
      expect(answered).toBe(40);
      ledis.disconnect();
      await stuck;
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });
});

describe('quit() and coalescing', () => {
  it('answers the GETs and SETs issued in the same tick before quit() (they were gathering into one MGET/MSET)', async () => {
    const c = open({ connections: 1 });
    await c.connect();
    const sets = Array.from({ length: 50 }, (_, i) => c.set(`${p}co:${i}`, String(i)));
    const gets = Array.from({ length: 50 }, (_, i) => c.get(`${p}co:${i}`));
    const quitting = c.quit();
    const settled = await Promise.allSettled([...sets, ...gets]);
    await quitting;
    const failed = settled.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    expect(failed.slice(0, 2)).toEqual([]);
    expect(settled.slice(50).map((r) => (r as PromiseFulfilledResult<unknown>).value)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });
});

describe('a barrier on a lane at maxPending with coalesced SETs', () => {
  // maxPending 10 is below the shipped threshold (COALESCE_FROM in flight): without COALESCE_EAGERLY no SET would be coalesced.
  it('waits for that lane: an MGET issued after SETs gathered into one MSET that filled their lane sees the last', async () => {
    const { laneOf } = await import('../../src/routing/lanes.js');
    const ledis = open({ connections: 2, spread: 'fixed', maxPending: 10, ...COALESCE_EAGERLY });
    await ledis.connect();
    // What lane 0 writes (the SETs' lane): the case needs them gathered into an MSET.
    const wires: string[] = [];
    recordWrites(ledis.connectionPool.sharedList[0]!, wires);
    let mset = 0;
    let wrong = 0;
    for (let r = 0; r < 20; r++) {
      let x = '';
      let y = '';
      for (let i = 0; x === '' || y === ''; i++) {
        const k = `${p}cofull:${r}:${i}`;
        if (laneOf(k, 2) === 0 && x === '') x = k;
        else if (laneOf(k, 2) === 1 && y === '') y = k;
      }
      const sets = Array.from({ length: 10 }, (_, i) => ledis.set(x, String(i)));
      const got = await ledis.mget(y, x);
      mset += wires.filter((w) => w === 'MSET').length;
      wires.length = 0;
      await Promise.all(sets);
      if (got[1] !== '9') wrong++;
    }
    expect(wrong).toBe(0);
    expect(mset).toBeGreaterThan(0);
  });
});

describe('disconnect() and coalescing', () => {
  it('rejects the GETs still gathering into one MGET in the same tick (none left unsettled)', async () => {
    const c = open({ connections: 1 });
    await c.connect();
    const gets = Array.from({ length: 20 }, (_, i) => c.get(`${p}dc:${i}`));
    c.disconnect();
    const bounded = await Promise.race([Promise.allSettled(gets), new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
    expect(bounded).not.toBeNull();
    for (const r of bounded ?? []) expect(r.status).toBe('rejected');
  });
});
