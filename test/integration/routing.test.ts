// Routing against the real server: derived clients land in the db they say,
// commands on one key keep issue order over several connections, and a
// command whose server handler crashes costs only its own caller.
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError, DataError, Ledis } from '../../src/index.js';
import { client, prefix, serverAddress } from '../helpers.js';

const p = prefix('routing');
const { host, port } = serverAddress();
const url = `ledis://${host}:${port}/0`;
const opened: Ledis<boolean>[] = [];
function open(options: ConstructorParameters<typeof Ledis>[0]): Ledis {
  const c = new Ledis(options);
  opened.push(c);
  return c;
}
const plain = client();
const db3 = client({ db: 3 });
const db5 = client({ db: 5 });
afterAll(async () => {
  await Promise.all([...opened.map((c) => c.quit()), plain.quit(), db3.quit(), db5.quit()]);
});

describe('derived clients write where they say', () => {
  it("new Ledis({ master: 'ledis://…/0' }).db(3) writes to db 3, not db 0", async () => {
    const three = open({ master: url }).db(3);
    await three.set(p + 'm3', 'in-3');
    expect(await db3.get(p + 'm3')).toBe('in-3');
    expect(await plain.get(p + 'm3')).toBeNull();
  });

  it('master().db(5) of a topology client writes to db 5', async () => {
    const five = open({ master: url, replicas: [], readFrom: 'replicaPreferred' }).master().db(5);
    await five.set(p + 'm5', 'in-5');
    expect(await db5.get(p + 'm5')).toBe('in-5');
    expect(await plain.get(p + 'm5')).toBeNull();
  });

  it('select(n) on a URL client resolves to a client on db n', async () => {
    const three = await open({ ...Ledis.fromUrl(url).options }).select(3);
    await three.set(p + 's3', 'sel');
    expect(await db3.get(p + 's3')).toBe('sel');
    expect(await plain.get(p + 's3')).toBeNull();
  });
});

describe('several connections keep issue order per key', () => {
  const rounds = 300;

  it('ten SETs then a GET on one key, issued in one tick, over 4 connections: the GET sees the last SET, every round', async () => {
    const spread = open({ host, port, connections: 4, spread: 'fixed' });
    let stale = 0;
    let wrongFinal = 0;
    for (let r = 0; r < rounds; r++) {
      const key = `${p}order:${r}`;
      const sets = [];
      for (let v = 0; v < 10; v++) sets.push(spread.set(key, String(v)));
      const got = spread.get(key);
      await Promise.all(sets);
      if ((await got) !== '9') stale++;
      if ((await plain.get(key)) !== '9') wrongFinal++;
    }
    expect({ stale, wrongFinal }).toEqual({ stale: 0, wrongFinal: 0 });
  });

  it('multi-key commands keep order with single-key ones on each of their keys', async () => {
    const spread = open({ host, port, connections: 4, spread: 'fixed' });
    let wrong = 0;
    for (let r = 0; r < 100; r++) {
      const keys = [0, 1, 2, 3, 4, 5].map((i) => `${p}multi:${r}:${i}`);
      for (const k of keys) void spread.set(k, 'a');
      void spread.mset(Object.fromEntries(keys.map((k) => [k, 'b'])));
      const mid = spread.mget(keys);
      for (const k of keys) void spread.set(k, 'c');
      const after = spread.mget(keys);
      const deleted = spread.delete(...keys);
      const gone = spread.get(keys[3] as string);
      const [m, a, d, g] = await Promise.all([mid, after, deleted, gone]);
      if (m.some((v) => v !== 'b') || a.some((v) => v !== 'c') || d !== 6 || g !== null) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('a pipeline is ordered with the commands issued around it on its keys', async () => {
    const spread = open({ host, port, connections: 4, spread: 'fixed' });
    let wrong = 0;
    for (let r = 0; r < 100; r++) {
      const a = `${p}pipe:${r}:a`;
      const b = `${p}pipe:${r}:b`;
      void spread.set(a, '1');
      void spread.set(b, '1');
      const piped = spread.pipeline().incr(a).incr(b).exec();
      const after = spread.mget(a, b);
      const [res, got] = await Promise.all([piped, after]);
      if (res[0] !== 2 || res[1] !== 2 || got[0] !== '2' || got[1] !== '2') wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('FLUSHDB (no key, every key) is ordered with the commands around it', async () => {
    const spread = open({ host, port, connections: 4, spread: 'fixed', db: 14 });
    let wrong = 0;
    for (let r = 0; r < 50; r++) {
      const keys = [0, 1, 2, 3].map((i) => `${p}flush:${r}:${i}`);
      for (const k of keys) void spread.set(k, 'x');
      const flushed = spread.flushdb();
      const got = spread.mget(keys);
      for (const k of keys) void spread.set(k, 'y');
      const last = spread.mget(keys);
      const [, g, l] = await Promise.all([flushed, got, last]);
      if (g.some((v) => v !== null) || l.some((v) => v !== 'y')) wrong++;
    }
    expect(wrong).toBe(0);
  });
});

describe('a command whose handler crashes costs only its caller', () => {
  it("bitcount('k', 100, 200) on a 1-byte value: the GET and PING issued with it on the shared connection succeed", async () => {
    const c = open({ host, port });
    await c.set(p + 'bits', 'a');
    const [get, bad, ping, bad2, get2] = await Promise.allSettled([
      c.get(p + 'bits'),
      c.bitcount(p + 'bits', 100, 200),
      c.ping(),
      c.bitpos(p + 'bits', 1, 2, 2),
      c.sendCommand('GET', p + 'bits'),
    ]);
    expect(get).toEqual({ status: 'fulfilled', value: 'a' });
    expect(ping).toEqual({ status: 'fulfilled', value: true });
    expect(get2).toEqual({ status: 'fulfilled', value: 'a' });
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
    expect(bad2.status).toBe('rejected');
    // The same command with a range that fits the value is answered as usual.
    expect(await c.bitcount(p + 'bits', 0, 0)).toBe(3);
    expect(await c.bitcount(p + 'bits', -1)).toBe(3);
    expect(await c.bitpos(p + 'bits', 1, 0)).toBe(1);
  });

  it('an isolated command runs after the commands issued before it on its key (SET then BITCOUNT in one tick)', async () => {
    const c = open({ host, port });
    let wrong = 0;
    for (let r = 0; r < 50; r++) {
      const key = `${p}fence:${r}`;
      void c.set(key, 'aaaa');
      // Start 1 would crash the handler on a missing key; after the SET the value has 4 bytes.
      const bits = await c.bitcount(key, 1, 2).catch(() => -1);
      if (bits !== 6) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('a blocking pop waits on a dedicated connection while the shared one goes on, and frees it afterwards', async () => {
    const c = open({ host, port });
    const list = `${p}blist`;
    const popped = c.blpop(list, 5);
    for (let i = 0; i < 20; i++) expect(await c.ping()).toBe(true);
    await c.rpush(list, 'x');
    expect(await popped).toEqual([list, 'x']);
    const before = c.connectionPool.connections.length;
    for (let i = 0; i < 5; i++) {
      void c.rpush(list, String(i));
      expect(await c.blpop(list, 1)).toEqual([list, String(i)]);
    }
    expect(c.connectionPool.connections.length).toBe(before);
  });

  it('a raw BITCOUNT with a range is isolated too, and in a pipeline it costs only that pipeline', async () => {
    const c = open({ host, port });
    await c.set(p + 'raw', 'a');
    const [raw, get] = await Promise.allSettled([c.sendCommand('BITCOUNT', p + 'raw', '100', '200'), c.get(p + 'raw')]);
    expect(raw.status).toBe('rejected');
    expect(get).toEqual({ status: 'fulfilled', value: 'a' });
    const [piped, get2] = await Promise.allSettled([c.pipeline().get(p + 'raw').bitcount(p + 'raw', 100, 200).exec(), c.get(p + 'raw')]);
    expect(piped.status).toBe('rejected');
    expect(get2).toEqual({ status: 'fulfilled', value: 'a' });
  });

  it("strlen answers 0 for a missing key (or one only in another type's keyspace) on the shared connection, with nothing isolated", async () => {
    const c = open({ host, port });
    await c.set(p + 'len', 'abc');
    await c.hset(p + 'lenh', 'f', 'v');
    const before = c.nodeStats()[0]?.commands ?? 0;
    const settled = await Promise.allSettled([
      c.get(p + 'len'),
      c.strlen(p + 'len:missing'),
      c.strlen(p + 'lenh'),
      c.ping(),
      c.strlen(p + 'len'),
      c.buffers.strlen(p + 'len:missing'),
      c.sendCommand('GET', p + 'len'),
    ]);
    expect(settled).toEqual(['abc', 0, 0, true, 3, 0, 'abc'].map((value) => ({ status: 'fulfilled', value })));
    // Every one of them went over the client's shared connection (a dedicated one is not counted there).
    expect(c.nodeStats()[0]?.commands).toBe(before + 7);
    // bcount with a negative offset measures the value first: a missing key counts 0.
    expect(await c.bcount(p + 'len:missing', -8, -1)).toBe(0);
    expect(await c.bcount(p + 'len', -8, -1)).toBe(4);
    // Pipelines too, with nothing isolated.
    expect(await c.pipeline().get(p + 'len').strlen(p + 'len:missing').strlen(p + 'lenh').strlen(p + 'len').exec()).toEqual(['abc', 0, 0, 3]);
  });

  it('a raw STRLEN (sendCommand, a pipeline\'s sendCommand) is sent as given, so it stays isolated: on a missing key only its caller fails', async () => {
    const c = open({ host, port });
    await c.set(p + 'rawlen', 'abc');
    const [raw, get] = await Promise.allSettled([c.sendCommand('STRLEN', p + 'rawlen:missing'), c.get(p + 'rawlen')]);
    expect(raw.status).toBe('rejected');
    expect((raw as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
    expect(get).toEqual({ status: 'fulfilled', value: 'abc' });
    expect(await c.sendCommand('STRLEN', p + 'rawlen')).toBe(3);
    const [piped, get2] = await Promise.allSettled([c.pipeline().get(p + 'rawlen').sendCommand('STRLEN', p + 'rawlen:missing').exec(), c.get(p + 'rawlen')]);
    expect(piped.status).toBe('rejected');
    expect(get2).toEqual({ status: 'fulfilled', value: 'abc' });
  });

  it('ranges that crash whatever the value are refused before sending; a huge scan COUNT too', async () => {
    const c = open({ host, port });
    await expect(c.bitcount(p + 'bits', 5, 1)).rejects.toThrow(DataError);
    await expect(c.bitpos(p + 'bits', 1, 5, 1)).rejects.toThrow(/BITPOS: start 5 is past end 1/);
    await expect(c.xhscan(p + 'h', { count: 1e11 })).rejects.toThrow(/count must be an integer in \[1, 1000000\]/);
    expect(await c.ping()).toBe(true);
  });
});
