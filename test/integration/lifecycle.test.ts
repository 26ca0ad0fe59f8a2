// The client lifecycle ioredis users rely on: status, 'end' after quit() and
// disconnect(), connect() settling after the first attempt, duplicate(),
// `await using`, and quit() with a blocking pop outstanding.
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError, Ledis, type LedisStatus } from '../../src/index.js';
import { client, prefix, serverAddress, until } from '../helpers.js';

const p = prefix('life');
const plain = client();
afterAll(() => plain.quit());

describe('status and events', () => {
  it("goes wait → connecting → ready → closing → end, and emits 'end' once after quit()", async () => {
    const ledis = client({ lazyConnect: true });
    const seen: LedisStatus[] = [ledis.status];
    const events: string[] = [];
    for (const e of ['connect', 'ready', 'end'] as const) ledis.on(e, () => events.push(e));
    const connecting = ledis.connect();
    seen.push(ledis.status);
    await connecting;
    seen.push(ledis.status);
    expect(await ledis.set(p + 's', '1')).toBe(true);
    const quitting = ledis.quit();
    seen.push(ledis.status);
    await quitting;
    seen.push(ledis.status);
    expect(seen).toEqual(['wait', 'connecting', 'ready', 'closing', 'end']);
    expect(events).toEqual(['connect', 'ready', 'end']);
    await ledis.quit();
    expect(events.filter((e) => e === 'end')).toHaveLength(1);
    await expect(ledis.get(p + 's')).rejects.toThrow(ConnectionError);
  });

  it("emits 'end' once after disconnect(), and status is 'end' at once", async () => {
    const ledis = client();
    await ledis.ping();
    let ends = 0;
    ledis.on('end', () => ends++);
    ledis.disconnect();
    expect(ledis.status).toBe('end');
    await new Promise<void>((resolve) => ledis.once('end', () => resolve()));
    ledis.disconnect();
    await new Promise((r) => setImmediate(r));
    expect(ends).toBe(1);
  });
});

describe('connect()', () => {
  it('rejects with a ConnectionError when the first attempt fails (nothing listening), while the client keeps retrying', async () => {
    // Port 1: nothing listens there, and no other test's listener or outgoing connection can take it
    // (a freePort() number could be bound by a server another test file starts meanwhile).
    const ledis = new Ledis({ host: '127.0.0.1', port: 1, lazyConnect: true });
    try {
      const err = await ledis.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(/could not connect to 127\.0\.0\.1:\d+/);
      expect(ledis.status).toBe('reconnecting');
    } finally {
      ledis.disconnect();
    }
    expect(ledis.status).toBe('end');
  });

  it('rejects when the handshake is refused (a db the server does not have)', async () => {
    const ledis = client({ db: 99, lazyConnect: true });
    await expect(ledis.connect()).rejects.toThrow(/invalid db index 99/);
    ledis.disconnect();
  });
});

describe('duplicate()', () => {
  it('makes an independent client with the same options, and overrides', async () => {
    const base = client({ db: 2 });
    const copy = base.duplicate();
    const raw = base.duplicate({ decodeResponses: false });
    try {
      await base.set(p + 'dup', 'v');
      expect(await copy.get(p + 'dup')).toBe('v');
      expect(await raw.get(p + 'dup')).toEqual(Buffer.from('v'));
      expect(copy.connectionPool).not.toBe(base.connectionPool);
      expect(copy.options).toMatchObject({ db: 2 });
      const other = base.duplicate({ db: 0 });
      expect(await other.get(p + 'dup')).toBeNull();
      await other.quit();
      await base.quit();
      expect(await copy.get(p + 'dup')).toBe('v');
    } finally {
      await Promise.all([copy.quit(), raw.quit()]);
    }
  });

  it('of a db view gives a client on that db', async () => {
    const view = plain.db(4);
    await view.set(p + 'v4', 'four');
    const copy = view.duplicate();
    try {
      expect(await copy.get(p + 'v4')).toBe('four');
    } finally {
      await copy.quit();
    }
  });
});

describe('await using', () => {
  it('quits the client when the scope ends', async () => {
    let escaped: Ledis | undefined;
    {
      await using ledis = client();
      escaped = ledis;
      expect(await ledis.set(p + 'using', '1')).toBe(true);
    }
    expect(escaped.status).toBe('end');
    expect(await plain.get(p + 'using')).toBe('1');
  });
});

describe('quit() with a blocking pop outstanding', () => {
  it('resolves without waiting for the pop; the pop rejects (mayHaveRun); the server-side waiter outlives it (LedisDB d35789e)', async () => {
    const ledis = client();
    const key = p + 'blocked';
    const pop = ledis.blpop(key, 0).catch((e: unknown) => e);
    // The pop is on its dedicated connection once the server has it waiting; poll for up to 10 s (a bound, not
    // an expectation: 100 polls of 10 ms were about 1 s, which a loaded machine can use up).
    await until(() => ledis.connectionPool.connections.some((c) => c.blocked), 10_000);
    await ledis.quit();
    const err = await pop;
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).mayHaveRun).toBe(true);
    // Nothing was popped before quit. LedisDB's BLPOP does not notice its client left: its waiter
    // stays until its own timeout (here forever) and takes the next item pushed, which is lost.
    expect(await plain.rpush(key, 'x')).toBe(1);
    let len = 1;
    for (const end = Date.now() + 10_000; len !== 0 && Date.now() < end; ) {
      len = await plain.llen(key);
      if (len !== 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(len).toBe(0);
  });

  it('a pop with a timeout that has not fired yet: quit resolves at once and the pop rejects', async () => {
    const ledis = client();
    const key = p + 'blocked2';
    const pop = ledis.brpop(key, 1).catch((e: unknown) => e);
    await until(() => ledis.connectionPool.connections.some((c) => c.blocked), 10_000);
    await ledis.quit();
    expect(await pop).toBeInstanceOf(ConnectionError);
    expect(ledis.status).toBe('end');
  });
});

describe('constructor and status types at runtime', () => {
  it('a client made from a URL string reports its status', async () => {
    const { host, port } = serverAddress();
    const ledis = new Ledis(`ledis://${host}:${port}`);
    await ledis.ping();
    expect(ledis.status).toBe('ready');
    await ledis.quit();
  });
});
