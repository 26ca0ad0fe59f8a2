import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, ConnectionPool, DataError, Ledis, ResponseError } from '../../src/index.js';
// @ts-ignore -- plain ESM script
import { startLedisServer } from '../../tools/server.mjs';
import { client, prefix } from '../helpers.js';

// FLUSHALL, CONFIG REWRITE and the db checks need a server no other test file uses.
type Server = { host: string; port: number; dataDir: string; stop(): Promise<void> };
let server: Server;
let own: Ledis;
const shared = client();
const p = prefix('server');

beforeAll(async () => {
  server = await startLedisServer({ quiet: true });
  own = new Ledis({ host: server.host, port: server.port });
});
afterAll(async () => {
  await Promise.all([own?.quit(), shared.quit()]);
  await server?.stop();
});

describe('server commands', () => {
  it('ping, echo and info still answer', async () => {
    expect(await shared.ping()).toBe(true);
    expect(await shared.echo('hi')).toBe('hi');
    expect((await shared.info('server')).os).toBeDefined();
    expect((await shared.infoSections('server')).server).toBeDefined();
  });

  it("time returns the server's clock as [seconds, microseconds] numbers", async () => {
    const [seconds, micros] = await shared.time();
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(60);
    expect(Number.isInteger(micros) && micros >= 0 && micros < 1_000_000).toBe(true);
  });

  it('configGet knows databases and nothing else', async () => {
    expect(await shared.configGet('databases')).toEqual({ databases: '16' });
    expect(await shared.configGet('maxmemory')).toEqual({});
  });

  it('configRewrite rewrites the config file the server was started with (dropping its comments)', async () => {
    const file = path.join(server.dataDir, 'ledis.toml');
    writeFileSync(file, `# a comment ${p}\n` + readFileSync(file, 'utf8'));
    expect(await own.configRewrite()).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(p);
    expect(text).toContain(`${server.host}:${server.port}`);
  });

  it('flushdb empties only its db; flushall empties every db', async () => {
    const db1 = own.db(1);
    await own.set('a', '0');
    await db1.set('a', '1');
    await own.hset('h', 'f', 'v');
    expect(await db1.flushdb()).toBe('OK');
    expect(await db1.get('a')).toBeNull();
    expect(await own.get('a')).toBe('0');
    await db1.set('b', '1');
    expect(await own.flushall()).toBe('OK');
    expect(await own.get('a')).toBeNull();
    expect(await own.hget('h', 'f')).toBeNull();
    expect(await db1.get('b')).toBeNull();
  });

  it('refuses a non-string password and config parameter before sending', async () => {
    await expect(shared.auth(5 as never)).rejects.toThrow(/AUTH: password must be a string/);
    await expect(shared.configGet('')).rejects.toMatchObject({ name: 'DataError', command: 'CONFIG GET' });
  });
});

describe('auth', () => {
  it('authenticates the connection it is sent on; a wrong password is a ResponseError', async () => {
    const locked = await startLedisServer({ quiet: true, password: 'sesame' });
    const c = new Ledis({ host: locked.host, port: locked.port });
    try {
      await expect(c.get('x')).rejects.toThrow(/not authenticated/);
      const wrong = await c.auth('nope').catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(ResponseError);
      expect((wrong as ResponseError).serverMessage).toBe('authentication failure');
      expect(await c.auth('sesame')).toBe(true);
      expect(await c.set('x', '1')).toBe(true);
    } finally {
      await c.quit();
      await locked.stop();
    }
  });
});

describe('databases and select', () => {
  it('select resolves to a client on that db and leaves the selecting client on its own', async () => {
    const three = await own.select(3);
    expect(three).toBe(own.db(3));
    await three.set(p + 'k', 'three');
    await own.set(p + 'k', 'zero');
    expect(await own.get(p + 'k')).toBe('zero');
    expect(await three.get(p + 'k')).toBe('three');
    expect(await own.select(0)).toBe(own);
  });

  it('callers sharing the connection keep their db while another caller selects', async () => {
    await own.set(p + 'c', 'db0');
    const reads = Array.from({ length: 50 }, () => own.get(p + 'c'));
    const selecting = own.select(4).then((four) => four.set(p + 'c', 'db4'));
    const more = Array.from({ length: 50 }, () => own.get(p + 'c'));
    await selecting;
    const values = await Promise.all([...reads, ...more, own.get(p + 'c')]);
    expect(new Set(values)).toEqual(new Set(['db0']));
    expect(await own.db(4).get(p + 'c')).toBe('db4');
  });

  it('two clients on one pool: select on one changes neither', async () => {
    const pool = new ConnectionPool({ host: server.host, port: server.port });
    const a = new Ledis({ connectionPool: pool });
    const b = new Ledis({ connectionPool: pool });
    try {
      await a.set(p + 'pool', 'db0');
      const five = await a.select(5);
      await five.set(p + 'pool', 'db5');
      expect(await b.get(p + 'pool')).toBe('db0');
      expect(await a.get(p + 'pool')).toBe('db0');
      expect(await b.db(5).get(p + 'pool')).toBe('db5');
    } finally {
      await Promise.all([a.quit(), b.quit()]);
      await pool.quit();
    }
  });

  it("select rejects an index the server refuses, with the server's reason, and forgets that client", async () => {
    const err = await own.select(16).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as Error).message).toMatch(/invalid db index 16/);
    await expect(own.select(-1)).rejects.toThrow(DataError);
    await expect(own.select(1.5)).rejects.toThrow(/SELECT/);
    expect(await own.ping()).toBe(true);
  });

  it('sendCommand refuses SELECT and XSELECT, which would move every caller sharing the connection', async () => {
    await expect(own.sendCommand('select', 2)).rejects.toMatchObject({ name: 'DataError', command: 'SELECT' });
    await expect(own.sendCommand('XSELECT', 2, 'THEN', 'GET', 'x')).rejects.toThrow(DataError);
    expect(() => own.pipeline().sendCommand('SELECT', 2)).toThrow(/use ledis.db\(n\) or ledis.select\(n\)/);
    await own.set(p + 'still', 'db0');
    expect(await own.get(p + 'still')).toBe('db0');
  });

  it('sendCommand refuses QUIT, which would close the connection under every caller sharing it', async () => {
    await expect(own.sendCommand('QUIT')).rejects.toMatchObject({ name: 'DataError', command: 'QUIT' });
    await expect(own.sendCommand('quit')).rejects.toThrow(/use ledis.quit\(\)/);
    expect(() => own.pipeline().sendCommand('Quit')).toThrow(DataError);
    // Had QUIT gone out, the server would have closed the shared connection under this SET.
    await own.set(p + 'after-quit', '1');
    expect(await own.get(p + 'after-quit')).toBe('1');
  });
});
