// Inputs from issue 12 (and issue 11's MATCH framing), against the real
// server: huge argument arrays, server data as object keys, non-UTF-8 scan
// cursors, AUTH on shared connections, CR/LF in a MATCH pattern, and a
// property test that round-trips random strings and Buffers.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, Ledis, ResponseError } from '../../src/index.js';
// @ts-ignore -- plain ESM script
import { startLedisServer } from '../../tools/server.mjs';
import { client, prefix } from '../helpers.js';

const ledis = client();
const raw = client({ decodeResponses: false });
const p = prefix('input');
afterAll(() => Promise.all([ledis.quit(), raw.quit()]));

describe('huge argument arrays go out whole (no spread onto the stack)', () => {
  const N = 300_000;
  const members = Array.from({ length: N }, (_, i) => `m${i}`);

  it('sadd, srem, rpush, zrem and hdel take a 300,000-element array', async () => {
    expect(await ledis.sadd(p + 'big-set', members)).toBe(N);
    expect(await ledis.srem(p + 'big-set', members)).toBe(N);
    expect(await ledis.rpush(p + 'big-list', members)).toBe(N);
    expect(await ledis.lclear(p + 'big-list')).toBe(N);
    expect(await ledis.zrem(p + 'big-z', members)).toBe(0);
    expect(await ledis.hdel(p + 'big-h', members)).toBe(0);
    expect(await ledis.mget(members.slice(0, 200_000))).toHaveLength(200_000);
  }, 60_000);

  it('pipeline().sadd takes a 300,000-element array', async () => {
    const [added] = await ledis.pipeline().sadd(p + 'big-set2', members).exec();
    expect(added).toBe(N);
    expect(await ledis.sclear(p + 'big-set2')).toBe(N);
  }, 60_000);
});

describe('objects keyed by server data have no prototype', () => {
  it('hgetall keeps a field named __proto__ (strings and Buffers), and nothing is inherited', async () => {
    const h = p + 'proto';
    await ledis.hmset(h, new Map([['__proto__', 'x'], ['constructor', 'y'], ['toString', 'z'], ['plain', 'w']]));
    const s = await ledis.hgetall(h);
    expect(Object.getPrototypeOf(s)).toBeNull();
    expect(Object.keys(s).sort()).toEqual(['__proto__', 'constructor', 'plain', 'toString']);
    expect(s['__proto__']).toBe('x');
    expect(s.constructor).toBe('y');
    const b = await raw.hgetall(h);
    expect(Object.getPrototypeOf(b)).toBeNull();
    expect(Buffer.isBuffer(b['__proto__'])).toBe(true);
    expect((b['__proto__'] as Buffer).length).toBe(1);
    expect(String(b['__proto__'])).toBe('x');
    expect(Object.keys(b)).toHaveLength(4);
    expect('hasOwnProperty' in s).toBe(false);
    await ledis.hclear(h);
  });

  it('INFO, its sections and CONFIG GET are null-prototype objects', async () => {
    // info() is ledis-py's flat mapping; infoSections() keeps the sections (issue 14).
    expect(Object.getPrototypeOf(await ledis.info())).toBeNull();
    const info = await ledis.infoSections();
    expect(Object.getPrototypeOf(info)).toBeNull();
    for (const section of Object.values(info)) expect(Object.getPrototypeOf(section)).toBeNull();
    expect(Object.getPrototypeOf(await ledis.configGet('databases'))).toBeNull();
  });
});

describe('scan cursors stay bytes whatever the reply mode', () => {
  const q = p.replace(/:$/, '') + 'ff';
  const keys = Array.from({ length: 6 }, (_, i) => Buffer.concat([Buffer.from(q), Buffer.from([0xff, 0x41 + i])]));

  it('scanIterator over 6 keys with a 0xFF byte and page size 2 yields each key once, in string and Buffer mode', async () => {
    for (const k of keys) await raw.set(k, 'v');
    try {
      const texts: string[] = [];
      for await (const k of ledis.scanIterator({ type: 'KV', match: '^' + q, count: 2 })) texts.push(k);
      expect(texts).toHaveLength(6);
      expect(texts).toEqual(keys.map((k) => k.toString()));
      const bufs: Buffer[] = [];
      for await (const k of raw.scanIterator({ type: 'KV', match: '^' + q, count: 2 })) bufs.push(k);
      expect(bufs).toEqual(keys);
    } finally {
      await raw.delete(...keys);
    }
  });

  it('paging xscan by hand in string mode, passing each cursor back, reaches every key once', async () => {
    for (const k of keys) await raw.set(k, 'v');
    try {
      let cursor = '';
      let seen = 0;
      let pages = 0;
      do {
        const [next, items] = await ledis.xscan('KV', { cursor, match: '^' + q, count: 2 });
        seen += items.length;
        cursor = next;
        pages++;
      } while (cursor !== '' && pages < 10);
      expect(seen).toBe(6);
      expect(cursor).toBe('');
    } finally {
      await raw.delete(...keys);
    }
  });
});

describe('MATCH patterns never carry a raw CR or LF', () => {
  it("xscan('KV', { match: '(\\r\\n:42\\r\\n' }) in the same tick as get('k'): GET gets its own value, XSCAN a ResponseError", async () => {
    await ledis.set(p + 'k', 'mine');
    const [scan, get, after] = await Promise.allSettled([ledis.xscan('KV', { match: '(\r\n:42\r\n' }), ledis.get(p + 'k'), ledis.ping()]);
    expect(get).toEqual({ status: 'fulfilled', value: 'mine' });
    expect(after).toEqual({ status: 'fulfilled', value: true });
    expect(scan.status).toBe('rejected');
    expect((scan as PromiseRejectedResult).reason).toBeInstanceOf(ResponseError);
    expect(await ledis.get(p + 'k')).toBe('mine');
  });

  it('a pattern with CR or LF still matches keys holding them (sent as \\r / \\n escapes)', async () => {
    const k = p + 'line\r\nbreak';
    await ledis.set(k, 'v');
    const [, keys] = await ledis.xscan('KV', { match: '^' + p + 'line\r\nbreak$' });
    expect(keys).toEqual([k]);
    await ledis.delete(k);
  });
});

describe('AUTH on shared connections', () => {
  it("ledis.auth('wrong') fails for its caller alone; auth('right') authenticates every connection; raw AUTH is refused", async () => {
    const locked = await startLedisServer({ quiet: true, password: 'sesame' });
    const good = new Ledis({ host: locked.host, port: locked.port, password: 'sesame', connections: 2, spread: 'fixed' });
    const none = new Ledis({ host: locked.host, port: locked.port, connections: 2, spread: 'fixed' });
    try {
      expect(await good.set('a', '1')).toBe(true);
      const [wrong, get1, get2] = await Promise.allSettled([good.auth('wrong'), good.get('a'), good.get('a')]);
      expect(wrong.status).toBe('rejected');
      expect((wrong as PromiseRejectedResult).reason).toBeInstanceOf(ResponseError);
      expect([get1, get2]).toEqual([
        { status: 'fulfilled', value: '1' },
        { status: 'fulfilled', value: '1' },
      ]);
      // Every later command of every caller still works.
      expect(await Promise.all([good.get('a'), good.incr('n'), good.ping()])).toEqual(['1', 1, true]);
      await expect(good.sendCommand('AUTH', 'wrong')).rejects.toBeInstanceOf(DataError);
      expect(() => good.pipeline().sendCommand('auth', 'wrong')).toThrow(DataError);
      expect(() => good.pipeline().auth('wrong')).toThrow(DataError);

      await expect(none.get('a')).rejects.toThrow(/not authenticated/);
      await expect(none.auth('nope')).rejects.toBeInstanceOf(ResponseError);
      expect(await none.auth('sesame')).toBe(true);
      expect(await Promise.all([none.get('a'), none.get('a'), none.db(2).set('x', 'y')])).toEqual(['1', '1', true]);
      expect(JSON.stringify(none)).not.toContain('sesame');
    } finally {
      good.disconnect();
      none.disconnect();
      await locked.stop();
    }
  });
});

describe('property: random strings and Buffers round-trip as keys, values, fields and sendCommand arguments', () => {
  // Every UTF-8 width, CR, LF, NUL, and the empty string.
  const char = fc.constantFrom('a', 'Z', '0', ' ', '\r', '\n', '\0', '$', '*', ':', 'é', 'ß', '€', '中', '😀', '𝄞', '\u2028');
  const text = fc.array(char, { maxLength: 12 }).map((cs) => cs.join(''));
  const bytes = fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a));

  it('strings: each caller in the same tick gets its own reply', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, text, text), { minLength: 1, maxLength: 8 }), async (entries) => {
        const key = (k: string, i: number) => `${p}rt:${i}:${k}`;
        // LedisDB refuses an empty hash field ("invalid hash field size"): fields get a prefix.
        entries = entries.map(([k, v, f]) => [k, v, 'f' + f]);
        // Writes, then reads of every kind in one tick.
        await Promise.all(entries.flatMap(([k, v, f], i) => [ledis.set(key(k, i), v), ledis.hset(key(k, i), f, v), ledis.sendCommand('SET', key(k, i) + ':raw', v)]));
        const reads = await Promise.all(
          entries.flatMap(([k, v, f], i) => [ledis.get(key(k, i)), ledis.hget(key(k, i), f), ledis.sendCommand('GET', key(k, i) + ':raw'), ledis.echo(v), ledis.sendCommand('ECHO', f)]),
        );
        const expected = entries.flatMap(([, v, f]) => [v, v, v, v, f]);
        expect(reads).toEqual(expected);
        await Promise.all(entries.flatMap(([k], i) => [ledis.delete(key(k, i), key(k, i) + ':raw'), ledis.hclear(key(k, i))]));
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('Buffers (any bytes): each caller in the same tick gets its own reply', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(bytes, bytes, bytes), { minLength: 1, maxLength: 8 }), async (entries) => {
        const key = (k: Buffer, i: number) => Buffer.concat([Buffer.from(`${p}rb:${i}:`), k]);
        entries = entries.map(([k, v, f]) => [k, v, Buffer.concat([Buffer.from('f'), f])]);
        await Promise.all(entries.flatMap(([k, v, f], i) => [raw.set(key(k, i), v), raw.hset(key(k, i), f, v)]));
        const reads = await Promise.all(entries.flatMap(([k, v, f], i) => [raw.get(key(k, i)), raw.hget(key(k, i), f), raw.sendCommand('ECHO', v), raw.hgetall(key(k, i))]));
        const expected = entries.flatMap(([, v, f]) => [v, v, v, Object.assign(Object.create(null), { [f.toString()]: v })]);
        expect(reads).toEqual(expected);
        await Promise.all(entries.flatMap(([k], i) => [raw.delete(key(k, i)), raw.hclear(key(k, i))]));
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('sendCommand names of ASCII (CR, LF, NUL included) are answered for their caller alone', async () => {
    const ascii = fc.array(fc.constantFrom('a', 'Z', '0', ' ', '\r', '\n', '\0', '$', '*', ':'), { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''));
    await fc.assert(
      fc.asyncProperty(ascii, text, async (name, arg) => {
        const [odd, echo, get] = await Promise.allSettled([ledis.sendCommand(name, arg), ledis.echo(arg), ledis.get(p + 'k-none')]);
        if (odd.status === 'rejected') expect(odd.reason).toBeInstanceOf(ResponseError);
        expect(echo).toEqual({ status: 'fulfilled', value: arg });
        expect(get).toEqual({ status: 'fulfilled', value: null });
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  // Failed before the encoder counted a command NAME's length in bytes ('é' sent as $1: LedisDB dropped the connection and the GET beside it).
  it('sendCommand names with any UTF-8 width are answered for their caller alone (an unknown command is a ResponseError)', async () => {
    await fc.assert(
      fc.asyncProperty(text.filter((t) => t !== ''), text, async (name, arg) => {
        const [odd, echo, get] = await Promise.allSettled([ledis.sendCommand(name, arg), ledis.echo(arg), ledis.get(p + 'k-none')]);
        if (odd.status === 'rejected') expect(odd.reason).toBeInstanceOf(ResponseError);
        expect(echo).toEqual({ status: 'fulfilled', value: arg });
        expect(get).toEqual({ status: 'fulfilled', value: null });
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('a lone surrogate, which UTF-8 cannot carry, is refused with a DataError; the callers beside it are not touched', async () => {
    const [lone, get] = await Promise.allSettled([ledis.set(p + 'lone', 'a\uD800b'), ledis.get(p + 'lone')]);
    expect(lone.status).toBe('rejected');
    expect((lone as PromiseRejectedResult).reason).toBeInstanceOf(DataError);
    expect(get).toEqual({ status: 'fulfilled', value: null });
  });
});
