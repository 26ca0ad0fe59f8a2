import { afterAll, describe, expect, it } from 'vitest';
import { BlockingConnectionPool, ConnectionError, ConnectionPool, Ledis } from '../../src/index.js';
import { client, prefix, serverAddress, until } from '../helpers.js';

const p = prefix('pool');
const opened: Array<{ disconnect(): void }> = [];
afterAll(() => opened.forEach((c) => c.disconnect()));

describe('ConnectionPool', () => {
  it('spreads commands over `connections` multiplexed connections by fewest in flight', async () => {
    const ledis = client({ connections: 3, spread: 'fixed' });
    opened.push(ledis);
    const conns = ledis.connectionPool.sharedList;
    expect(conns).toHaveLength(3);
    await ledis.connect();
    const before = conns.map((c) => c.writeCount);
    const values = await Promise.all(Array.from({ length: 3000 }, (_, i) => ledis.echo(`v${i}`)));
    expect(values[2999]).toBe('v2999');
    // Every connection carried part of the load.
    conns.forEach((c, i) => expect(c.writeCount).toBeGreaterThan(before[i] as number));
  });

  it('checks out dedicated connections, reuses released ones last-in first-out, and throws past maxConnections', async () => {
    const pool = new ConnectionPool({ ...serverAddress(), maxConnections: 2 });
    opened.push(pool);
    const a = pool.getConnection('GET');
    const b = pool.getConnection('GET');
    expect(a).not.toBe(b);
    expect(() => pool.getConnection('GET')).toThrow(ConnectionError);
    expect(() => pool.getConnection('GET')).toThrow(/too many connections/);
    expect(await a.sendCommand('ECHO', 'dedicated')).toBe('dedicated');
    pool.release(b);
    pool.release(a);
    expect(pool.getConnection()).toBe(a);
  });

  it('a dedicated connection can select another db; released, it goes back to the pool db', async () => {
    const pool = new ConnectionPool({ ...serverAddress(), maxConnections: 1 });
    opened.push(pool);
    const conn = pool.getConnection();
    await conn.sendCommand('SELECT', 5);
    await conn.sendCommand('SET', `${p}in5`, 'five');
    expect(conn.db).toBe(5);
    pool.release(conn);
    const again = pool.getConnection();
    expect(again).toBe(conn);
    expect(await again.sendCommand('GET', `${p}in5`)).toBeNull();
    await again.select(5);
    expect(await again.sendCommand('GET', `${p}in5`)).toBe('five');
  });

  it('packCommand and sendPackedCommand send pre-encoded commands', async () => {
    const pool = new ConnectionPool({ ...serverAddress() });
    opened.push(pool);
    const conn = pool.getConnection();
    const packed = conn.packCommand('echo', 'packed');
    expect(packed).toBe('*2\r\n$4\r\nECHO\r\n$6\r\npacked\r\n');
    expect(await conn.sendPackedCommand(packed)).toBe('packed');
    expect(await conn.sendPackedCommand(Buffer.from(packed as string))).toBe('packed');
  });

  it('makeConnection() makes a connection the pool does not track', async () => {
    const pool = new ConnectionPool({ ...serverAddress() });
    opened.push(pool);
    const c = pool.makeConnection();
    expect(await c.sendCommand('PING')).toBe('PONG');
    expect(pool.connections).not.toContain(c);
    c.disconnect();
  });

  it('disconnect() closes every connection and rejects what is outstanding', async () => {
    const ledis = client();
    await ledis.ping();
    const pending = Promise.allSettled(Array.from({ length: 50 }, () => ledis.echo('x')));
    ledis.connectionPool.disconnect();
    for (const r of await pending) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
    await expect(ledis.get(`${p}after`)).rejects.toBeInstanceOf(ConnectionError);
  });

  it('several clients can share one pool', async () => {
    const pool = new ConnectionPool({ ...serverAddress() });
    opened.push(pool);
    const a = new Ledis({ connectionPool: pool });
    const b = new Ledis({ connectionPool: pool });
    await a.set(`${p}shared`, 'one pool');
    expect(await b.get(`${p}shared`)).toBe('one pool');
  });
});

describe('blocking pops', () => {
  it('BLPOP waiting on a client does not delay a concurrent GET on the same client', async () => {
    const ledis = client();
    opened.push(ledis);
    await ledis.set(`${p}quick`, 'fast');
    // A long pop timeout: a GET queued behind it would wait 5 s and the pop would answer first (null).
    const popping = ledis.blpop(`${p}empty-list`, 5);
    let popSettled = false;
    void popping.then(
      () => (popSettled = true),
      () => (popSettled = true),
    );
    // The BLPOP is on the wire, blocking its connection (a bound on the wait, not an expectation on time).
    expect(await until(() => ledis.connectionPool.connections.some((c) => c.blocked), 5000)).toBe(true);
    expect(await ledis.get(`${p}quick`)).toBe('fast');
    // Answered while the BLPOP still waits: not queued behind it. (This was a 50 ms bound on the GET,
    // which a loaded machine breaks without any delay caused by the BLPOP.)
    expect(popSettled).toBe(false);
    await ledis.rpush(`${p}empty-list`, 'item');
    expect(await popping).toEqual([`${p}empty-list`, 'item']);
  });
});

describe('blocking pops and timeouts', () => {
  it('commandTimeout counts only past a blocking pop\'s own timeout, so no pushed item is lost', async () => {
    const ledis = client({ commandTimeout: 300, socketTimeout: 300 });
    opened.push(ledis);
    const key = `${p}bl-timeout`;
    const started = performance.now();
    expect(await ledis.blpop(key, 1)).toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    // A pop waiting for ever is not cut by the client either; the pushed item reaches it.
    const waiting = ledis.blpop(key, 0);
    await new Promise((r) => setTimeout(r, 500));
    await ledis.rpush(key, 'kept');
    expect(await waiting).toEqual([key, 'kept']);
    expect(await ledis.llen(key)).toBe(0);
  });

  it('refuses a blocking pop in a pipeline at once, since it would stall the shared connection', () => {
    const ledis = client({ lazyConnect: true });
    opened.push(ledis);
    expect(() => ledis.pipeline().blpop(`${p}x`, 1)).toThrow(/BLPOP blocks its connection and cannot be pipelined/);
  });
});

describe('BlockingConnectionPool', () => {
  it('makes a third checkout wait when maxConnections is 2, then fail with a clear error at the timeout', async () => {
    const pool = new BlockingConnectionPool({ ...serverAddress(), maxConnections: 2, timeout: 0.3 });
    opened.push(pool);
    await pool.getConnection();
    await pool.getConnection();
    const started = performance.now();
    const err = await pool.getConnection().catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(String((err as Error).message)).toMatch(/no connection available.*0\.3 s/);
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(3000);
  });

  it('hands a released connection to a waiting caller, last-in first-out', async () => {
    const pool = new BlockingConnectionPool({ ...serverAddress(), maxConnections: 2, timeout: 5 });
    opened.push(pool);
    const a = await pool.getConnection();
    const b = await pool.getConnection();
    const waiting = pool.getConnection();
    setTimeout(() => pool.release(b), 50);
    expect(await waiting).toBe(b);
    pool.release(a);
    pool.release(b);
    expect(await pool.getConnection()).toBe(b);
  });

  it('with timeout null waits until a connection is released', async () => {
    const pool = new BlockingConnectionPool({ ...serverAddress(), maxConnections: 1, timeout: null });
    opened.push(pool);
    const a = await pool.getConnection();
    const waiting = pool.getConnection();
    setTimeout(() => pool.release(a), 100);
    expect(await waiting).toBe(a);
  });

  it('creates connections lazily, only as demand needs them', async () => {
    const pool = new BlockingConnectionPool({ ...serverAddress() });
    opened.push(pool);
    expect(pool.maxConnections).toBe(50);
    expect(pool.timeout).toBe(20);
    const before = pool.connections.length;
    const a = await pool.getConnection();
    pool.release(a);
    const again = await pool.getConnection();
    expect(again).toBe(a);
    expect(pool.connections.length).toBe(before + 1);
  });
});
