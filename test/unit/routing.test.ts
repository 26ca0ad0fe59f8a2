// Routing without a server: lazy clients, so nothing connects. Which
// connections a client and the clients derived from it (db, master) use,
// where reads go, and that deriving costs no listener.
import { afterEach, describe, expect, it } from 'vitest';
import { Ledis, type Connection } from '../../src/index.js';
import { laneOf } from '../../src/routing/lanes.js';

const clients: Ledis<boolean>[] = [];
function lazy(options: ConstructorParameters<typeof Ledis>[0] = {}): Ledis {
  const c = new Ledis({ lazyConnect: true, ...options });
  clients.push(c);
  return c;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

const listeners = (conn: Connection): number =>
  (['connect', 'ready', 'close', 'reconnecting', 'end', 'error'] as const).reduce((n, e) => n + conn.listenerCount(e), 0);

describe('db routing', () => {
  it("db(n) of a client made from a master URL with a db path connects to db n, not to the URL's db", () => {
    const ledis = lazy({ master: 'ledis://127.0.0.1:6380/0' });
    const three = ledis.db(3);
    expect(three.connectionPool.connectionOptions.db).toBe(3);
    expect(three.connectionFor(false).options.db).toBe(3);
    expect(three.connectionFor(true).options.db).toBe(3);
  });

  it('db(n) of a client made from a URL keeps the rest of the resolved options (host, port, password)', () => {
    const ledis = Ledis.fromUrl('ledis://:pw@127.0.0.2:7001/2?connections=3', { lazyConnect: true });
    clients.push(ledis);
    const five = ledis.db(5);
    const o = five.connectionFor(false).options;
    expect([o.host, o.port, o.password, o.db]).toEqual(['127.0.0.2', 7001, 'pw', 5]);
    expect(five.connectionPool.sharedCount).toBe(3);
    expect(five.connectionPool.spread).toBe('adaptive');
    expect(ledis.db(2)).toBe(ledis);
  });

  it('master().db(n) on a topology client is on db n, master and replicas alike, and shares db(n)\'s connections', () => {
    const ledis = lazy({ master: 'ledis://127.0.0.1:6380', replicas: ['ledis://127.0.0.1:6381'], readFrom: 'replica' });
    const five = ledis.master().db(5);
    expect(five.connectionFor(false).options.db).toBe(5);
    expect(five.readFrom).toBe('master');
    expect(five.connectionFor(true).options.port).toBe(6380);
    expect(ledis.db(5).connectionFor(true).options).toMatchObject({ port: 6381, db: 5 });
    expect(ledis.db(5).connectionPool).toBe(five.connectionPool);
  });

  it('db(n) of a client on a given pool uses that pool\'s address', () => {
    const base = lazy({ host: '127.0.0.3', port: 7002 });
    const other = lazy({ connectionPool: base.connectionPool });
    expect(other.db(4).connectionFor(false).options).toMatchObject({ host: '127.0.0.3', port: 7002, db: 4 });
  });

  it('db(n) is cached; a db client quit is forgotten, so db(n) makes new connections', async () => {
    const ledis = lazy();
    const seven = ledis.db(7);
    expect(ledis.db(7)).toBe(seven);
    await seven.quit();
    expect(ledis.db(7)).not.toBe(seven);
  });

  it("db(0) of a db client is a view on the root's connections; quitting it leaves them open", async () => {
    const ledis = lazy();
    const zero = ledis.db(3).db(0);
    expect(zero.connectionPool).toBe(ledis.connectionPool);
    await zero.quit();
    expect(ledis.connectionPool.sharedList.length).toBe(1);
  });
});

describe('readFrom', () => {
  it('reads go to a replica when readFrom says so, writes to the master; master() reads from the master', () => {
    const ledis = lazy({ master: 'ledis://127.0.0.1:6380', replicas: ['ledis://127.0.0.1:6381'], readFrom: 'replica' });
    expect(ledis.connectionFor(true).options.port).toBe(6381);
    expect(ledis.connectionFor(false).options.port).toBe(6380);
    expect(ledis.master().connectionFor(true).options.port).toBe(6380);
    expect(ledis.master().master()).toBe(ledis.master());
  });

  it('a single-server client is its own master()', () => {
    const ledis = lazy();
    expect(ledis.master()).toBe(ledis);
  });
});

describe('no listener per derived client', () => {
  it('master() 10,000 times adds no listener to the topology or the connections, and no warning', () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const ledis = lazy({ master: 'ledis://127.0.0.1:6380', replicas: ['ledis://127.0.0.1:6381'], readFrom: 'replica' });
      ledis.on('error', () => {});
      const topology = ledis.topology!;
      const conn = ledis.connectionFor(false);
      const before = [topology.listenerCount('failover'), topology.listenerCount('masterDown'), listeners(conn)];
      for (let i = 0; i < 10_000; i++) {
        const m = ledis.master();
        m.on('error', () => {});
        m.removeAllListeners('error');
      }
      for (let i = 0; i < 1_000; i++) ledis.master().db(5);
      const after = [topology.listenerCount('failover'), topology.listenerCount('masterDown'), listeners(conn)];
      expect(after).toEqual(before);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});

describe('events follow a promotion', () => {
  it("after a failover the client's pool is the new master's and its connections' events reach the client", () => {
    const ledis = lazy({ master: 'ledis://127.0.0.1:6380', replicas: ['ledis://127.0.0.1:6381'] });
    const topology = ledis.topology!;
    const seen: string[] = [];
    ledis.on('ready', () => seen.push('ready'));
    ledis.on('failover', () => seen.push('failover'));
    expect(topology.switchTo('127.0.0.1:6381')).toBe(true);
    expect(ledis.connectionPool).toBe(topology.masterPool);
    expect(ledis.connectionFor(false).options.port).toBe(6381);
    ledis.connectionFor(false).emit('ready');
    expect(seen).toEqual(['failover', 'ready']);
  });
});

describe('lanes', () => {
  it('a key lands on the same lane as a string and as a Buffer, ASCII or not', () => {
    for (const key of ['k', 'user:1234', 'é-ключ', 'x'.repeat(200)]) {
      for (const n of [2, 3, 4, 7]) expect(laneOf(Buffer.from(key), n)).toBe(laneOf(key, n));
    }
    expect(laneOf(42, 4)).toBe(laneOf('42', 4));
  });

  it('keys spread over the lanes', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) seen.add(laneOf(`key:${i}`, 4));
    expect(seen.size).toBe(4);
  });
});

describe('dedicated checkout', () => {
  it('a blocking pop checks out a dedicated connection of the pool (the shared one stays free)', async () => {
    const ledis = lazy({ port: 1, retryStrategy: () => null, offlineTimeout: 50 });
    const pool = ledis.connectionPool;
    expect(pool.connections.length).toBe(1);
    const pop = ledis.blpop('k', 1).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    expect(pool.connections.length).toBe(2);
    expect(pool.sharedList[0]!.pending).toBe(0);
    expect(await pop).toBeInstanceOf(Error);
  });

  it('a raw blocking command (sendCommand) is routed like the method', async () => {
    const ledis = lazy({ port: 1, retryStrategy: () => null, offlineTimeout: 50 });
    const pop = ledis.sendCommand('BRPOP', 'k', 1).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    expect(ledis.connectionPool.connections.length).toBe(2);
    expect(ledis.connectionPool.sharedList[0]!.pending).toBe(0);
    await pop;
  });

  it('past maxConnections a dedicated checkout fails at once with ConnectionError, the caller alone', async () => {
    const ledis = lazy({ maxConnections: 1, port: 1, retryStrategy: () => null, offlineTimeout: 50 });
    const held = ledis.connectionPool.getConnection() as Connection;
    const err = await ledis.blpop('k', 1).catch((e: unknown) => e);
    expect((err as Error).name).toBe('ConnectionError');
    expect((err as Error).message).toMatch(/too many connections/);
    ledis.connectionPool.release(held);
  });
});
