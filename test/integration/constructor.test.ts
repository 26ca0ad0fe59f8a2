// `new Ledis(url)`, `new Ledis(url, options)`, `new Ledis(port, host, options)`
// reach the server they name (before, a URL string was ignored).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { ConnectionPool, DataError, Ledis } from '../../src/index.js';
import { startLedisServer } from '../../tools/server.mjs';
import { prefix, serverAddress } from '../helpers.js';

const { host, port } = serverAddress();
const p = prefix('ctor');
const opened: Ledis[] = [];
const track = <T extends Ledis<boolean>>(c: T): T => {
  opened.push(c as unknown as Ledis);
  return c;
};
afterAll(() => Promise.all(opened.map((c) => c.quit())));

describe('constructor forms', () => {
  it('a ledis:// URL: host, port and db from the URL', async () => {
    const viaUrl = track(new Ledis(`ledis://${host}:${port}/3`));
    const db3 = track(new Ledis({ host, port, db: 3 }));
    await viaUrl.set(p + 'url', 'three');
    expect(await db3.get(p + 'url')).toBe('three');
    expect(viaUrl.options).toMatchObject({ host, port, db: 3 });
  });

  it('a URL and options: the options apply, the URL wins where both speak', async () => {
    const c = track(new Ledis(`ledis://${host}:${port}/4?commandTimeout=5000`, { db: 9, commandTimeout: 1, lazyConnect: true }));
    expect(c.options).toMatchObject({ host, port, db: 4, commandTimeout: 5000, lazyConnect: true });
    expect(await c.ping()).toBe(true);
  });

  it('a port and host and options, as ioredis takes them; a port alone with options', async () => {
    const c = track(new Ledis(port, host, { db: 5, decodeResponses: false }));
    await c.set(p + 'ph', 'v');
    expect(await c.get(p + 'ph')).toEqual(Buffer.from('v'));
    expect(await track(new Ledis({ host, port, db: 5 })).get(p + 'ph')).toBe('v');
    const d = track(new Ledis(port, { host }));
    expect(await d.ping()).toBe(true);
  });

  it("a port as a string of digits, as ioredis takes it: new Ledis('6380'), ('6380', host, options), ('6380', options)", async () => {
    const c = track(new Ledis(`${port}`, host, { db: 6 }));
    await c.set(p + 'sp', 'six');
    expect(await track(new Ledis({ host, port, db: 6 })).get(p + 'sp')).toBe('six');
    expect(c.options).toMatchObject({ host, port, db: 6 });
    const d = track(new Ledis(String(port), { host, decodeResponses: false }));
    expect(await d.ping()).toBe(true);
    expect(d.options.port).toBe(port);
    const bare = track(new Ledis(String(port)));
    expect(bare.options.port).toBe(port);
    expect(await bare.ping()).toBe(true); // the default host, localhost
    expect(track(new Ledis('06380', { lazyConnect: true })).options.port).toBe(6380);
    for (const bad of ['0', '65536', '99999999999999999999999999', '-1', '+6380', '63.80', '1e3']) {
      expect(() => new Ledis(bad, { lazyConnect: true }), bad).toThrow(DataError);
      expect(() => new Ledis(bad, { lazyConnect: true }), bad).toThrow(/port must be an integer in \[1, 65535\], got "/);
    }
    expect(() => new Ledis(`${port}`, host, 5 as never)).toThrow(/options must be an object/);
    expect(() => new (Ledis as unknown as new (...a: unknown[]) => Ledis)(String(port), { host }, {})).toThrow(DataError);
  });

  it("a unix socket path, as ioredis takes it: new Ledis('/path.sock'), with options, and ioredis's '/path.sock?db=2' query", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ledis-ctor-sock-'));
    const sock = path.join(dir, 'ledis #1.sock'); // a space and a '#' stay part of the path
    const server = await startLedisServer({ unix: sock, quiet: true });
    try {
      const plain = new Ledis(sock);
      const two = new Ledis(`${sock}?db=2&commandTimeout=3000`, { db: 9, connectTimeout: 2000 });
      expect(plain.options).toMatchObject({ unixSocketPath: sock });
      expect(two.options).toMatchObject({ unixSocketPath: sock, db: 2, commandTimeout: 3000, connectTimeout: 2000 });
      await two.set('u', 'in-2');
      expect(await plain.get('u')).toBeNull();
      expect(await plain.db(2).get('u')).toBe('in-2');
      expect(() => new Ledis(`${sock}?nosuch=1`)).toThrow(/unknown option "nosuch"/);
      expect(() => new Ledis(`${sock}?password=s3cret&nosuch=1`)).not.toThrow(/s3cret/);
      await Promise.all([plain.quit(), two.quit()]);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("{ url, ...options } (node-redis's createClient({ url })): the URL's server and db, the other options applied", async () => {
    const c = track(new Ledis({ url: `ledis://${host}:${port}/7`, decodeResponses: false, commandTimeout: 4000 }));
    await c.set(p + 'uo', 'seven');
    expect(await c.get(p + 'uo')).toEqual(Buffer.from('seven'));
    expect(await track(new Ledis({ host, port, db: 7 })).get(p + 'uo')).toBe('seven');
    expect(c.options).toMatchObject({ host, port, db: 7, commandTimeout: 4000, decodeResponses: false });
    expect('url' in c.options).toBe(false);
    // Where both speak, the URL wins, as in new Ledis(url, options), Ledis.fromUrl and node-redis.
    const both = { db: 9, commandTimeout: 1, lazyConnect: true, port: 1 };
    const viaOption = track(new Ledis({ url: `ledis://${host}:${port}/4?commandTimeout=5000`, ...both }));
    const viaArgs = track(new Ledis(`ledis://${host}:${port}/4?commandTimeout=5000`, both));
    expect(viaOption.options).toEqual(viaArgs.options);
    expect(viaOption.options).toMatchObject({ host, port, db: 4, commandTimeout: 5000, lazyConnect: true });
    expect(await viaOption.ping()).toBe(true);
    // A URL without a port keeps the options' (as the URL form does); url: undefined is no URL.
    expect(track(new Ledis({ url: 'ledis://127.0.0.1', port, lazyConnect: true })).options.port).toBe(port);
    expect(track(new Ledis({ url: undefined, host, port, lazyConnect: true })).options).toMatchObject({ host, port });
  });

  it('{ url } is checked as the URL form is, with the password redacted from every message and from the options', () => {
    const secret = 's3cret-pw';
    const msg = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        return (e as Error).message;
      }
      throw new Error('did not throw');
    };
    const bad = [
      `ledis://:${secret}@127.0.0.1:1/x`,
      `ledis://:${secret}@127.0.0.1:1/0?nosuch=1`,
      `http://:${secret}@127.0.0.1:1`,
      `ledis://127.0.0.1:1/0?password=${secret}&db=x`,
      `ledis://:${secret}%zz@127.0.0.1:1`,
    ];
    for (const url of bad) {
      const m = msg(() => new Ledis({ url, lazyConnect: true }));
      expect(m).toMatch(/invalid URL/);
      expect(m).not.toContain(secret);
    }
    expect(msg(() => new Ledis({ url: 5 as never }))).toMatch(/url must be a URL string/);
    expect(msg(() => new Ledis({ url: `ledis://:${secret}@h:1`, shards: [`ledis://h:2`] }))).toMatch(/url .*shards/);
    expect(msg(() => new Ledis({ url: `ledis://:${secret}@h:1`, master: `ledis://h:2` }))).not.toContain(secret);
    expect(msg(() => new Ledis(`ledis://h:1`, { url: `ledis://:${secret}@h:2` } as never))).toMatch(/url option cannot be combined with a URL/);
    expect(msg(() => Ledis.fromUrl(`ledis://h:1`, { url: `ledis://:${secret}@h:2` }))).toMatch(/url option cannot be combined with a URL/);
    expect(msg(() => new Ledis(6380, { url: `ledis://:${secret}@h:2` }))).toMatch(/url option cannot be combined with a URL/);
    // A ConnectionPool takes its URL through fromUrl: the unknown option says so.
    expect(msg(() => new ConnectionPool({ url: 'ledis://h:1' } as never))).toMatch(/unknown option "url" \(.*fromUrl/);
    const c = track(new Ledis({ url: `ledis://:${secret}@127.0.0.1:${port}/2`, lazyConnect: true }));
    expect(inspect(c, { depth: 5 })).not.toContain(secret);
    expect(JSON.stringify(c)).not.toContain(secret);
  });

  it('refuses malformed forms with a DataError before connecting', () => {
    expect(() => new Ledis('http://x')).toThrow(DataError);
    expect(() => new Ledis(70000)).toThrow(/port must be an integer/);
    expect(() => new Ledis(port, host, 5 as never)).toThrow(/options must be an object/);
    expect(() => new (Ledis as unknown as new (...a: unknown[]) => Ledis)({}, {})).toThrow(DataError);
    expect(() => new Ledis(true as never)).toThrow(DataError);
  });
});
