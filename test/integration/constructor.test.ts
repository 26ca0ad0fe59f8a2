// `new Ledis(url)`, `new Ledis(url, options)`, `new Ledis(port, host, options)`
// reach the server they name (before, a URL string was ignored).
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, Ledis } from '../../src/index.js';
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

  it('refuses malformed forms with a DataError before connecting', () => {
    expect(() => new Ledis('http://x')).toThrow(DataError);
    expect(() => new Ledis(70000)).toThrow(/port must be an integer/);
    expect(() => new Ledis(port, host, 5 as never)).toThrow(/options must be an object/);
    expect(() => new (Ledis as unknown as new (...a: unknown[]) => Ledis)({}, {})).toThrow(DataError);
    expect(() => new Ledis(true as never)).toThrow(DataError);
  });
});
