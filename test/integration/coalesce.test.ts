// Coalescing (src/connection/coalesce.ts): consecutive GETs (SETs) of one
// tick on one connection go out as one MGET (MSET). Against the real server,
// every caller must see exactly what it would have seen with the commands
// sent one by one, in issue order; a scripted peer shows what went on the
// wire and plays the hostile or silent server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, DataError, Ledis, ResponseError, TimeoutError, UnexpectedReplyError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';
import { readCommands, startScriptedPeer } from '../unit/peer.js';
import { COALESCE_FROM } from '../../src/connection/coalesce.js';
import { TUNING } from '../../src/connection/options.js';
import { COALESCE_EAGERLY, sendCoalescible } from '../support/coalesce.js';

// These tests are about what a coalesced command does, so every coalescible command joins one here;
// the threshold itself (COALESCE_FROM commands in flight) has its own test in coalesce.test.ts.

const p = prefix('coalesce');
const opened: Ledis<boolean>[] = [];
function open(options: ConstructorParameters<typeof Ledis>[0] = {}): Ledis {
  const c = client({ connections: 1, ...COALESCE_EAGERLY, ...(options as object) });
  opened.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(opened.map((c) => c.quit().catch(() => undefined)));
});

/** A tiny xorshift generator, so a failing round can be replayed from its seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('coalesced GETs and SETs against the real server', () => {
  it('2,000 random GET/SET/DEL/APPEND/INCR/STRLEN and Buffer GETs per round, issued in one tick or in bursts: every reply equals a one-by-one model of the issue order', async () => {
    const ledis = open();
    const buffers = ledis.buffers;
    for (let round = 0; round < 6; round++) {
      const next = rng(1000 + round);
      const keys = Array.from({ length: 8 }, (_, i) => `${p}m${round}:${i}`);
      const model = new Map<string, string>();
      const expected: unknown[] = [];
      const got: Promise<unknown>[] = [];
      for (let i = 0; i < 2000; i++) {
        const key = keys[Math.floor(next() * keys.length)] as string;
        const r = next();
        if (r < 0.4) {
          expected.push(model.get(key) ?? null);
          got.push(ledis.get(key));
        } else if (r < 0.7) {
          const v = `v${i}-${'é'.repeat(i % 5)}`;
          model.set(key, v);
          expected.push(true);
          got.push(ledis.set(key, v));
        } else if (r < 0.75) {
          // LedisDB's DEL answers the number of keys it was given, deleted or not (ledis/t_kv.go, Del).
          expected.push(1);
          model.delete(key);
          got.push(ledis.delete(key));
        } else if (r < 0.8) {
          const v = (model.get(key) ?? '') + 'a';
          model.set(key, v);
          expected.push(Buffer.byteLength(v));
          got.push(ledis.append(key, 'a'));
        } else if (r < 0.85) {
          const cur = model.get(key);
          if (cur !== undefined && !/^-?\d+$/.test(cur)) {
            // Not an integer: the server refuses it, and only this caller sees that.
            expected.push('error');
            got.push(ledis.incr(key).then(() => 'resolved', (e: unknown) => (e instanceof ResponseError ? 'error' : String(e))));
          } else {
            const v = String(Number(cur ?? '0') + 1);
            model.set(key, v);
            expected.push(Number(v));
            got.push(ledis.incr(key));
          }
        } else if (r < 0.92) {
          expected.push(Buffer.byteLength(model.get(key) ?? ''));
          got.push(ledis.strlen(key));
        } else {
          const v = model.get(key);
          expected.push(v === undefined ? null : `buffer:${v}`);
          got.push(buffers.get(key).then((b) => (b === null ? null : Buffer.isBuffer(b) ? `buffer:${b.toString()}` : `not a buffer: ${typeof b}`)));
        }
        // Odd rounds: bursts of random length between awaits, so coalesced runs start and end anywhere.
        if (round % 2 === 1 && next() < 0.01) await got[got.length - 1];
      }
      expect(await Promise.all(got)).toEqual(expected);
    }
    // One connection carried it all, in fewer commands than were issued.
    const conn = ledis.connectionPool.sharedList[0];
    expect(ledis.connectionPool.sharedList).toHaveLength(1);
    expect(conn?.replyCount).toBe(conn?.commandCount);
  });

  it('a GET or SET the server would refuse key by key is sent alone: only its caller gets the error', async () => {
    const ledis = open();
    await ledis.set(`${p}ok`, 'fine');
    const tooLong = 'k'.repeat(1025);
    const [a, b, c, d, e, f] = await Promise.allSettled([
      ledis.get(`${p}ok`),
      ledis.get(tooLong),
      ledis.get(`${p}ok`),
      ledis.set(`${p}ok2`, 'x'),
      ledis.set(tooLong, 'x'),
      ledis.set(`${p}ok3`, 'y'),
    ]);
    expect(a).toEqual({ status: 'fulfilled', value: 'fine' });
    expect(b.status).toBe('rejected');
    expect((b as PromiseRejectedResult).reason).toBeInstanceOf(ResponseError);
    expect(c).toEqual({ status: 'fulfilled', value: 'fine' });
    expect(d).toEqual({ status: 'fulfilled', value: true });
    expect(e.status).toBe('rejected');
    expect(f).toEqual({ status: 'fulfilled', value: true });
    // A key the encoder refuses (a lone surrogate) among coalescible ones: a DataError for it alone.
    const [g, h, i] = await Promise.allSettled([ledis.get(`${p}ok`), ledis.get(`${p}\ud800`), ledis.get(`${p}ok3`)]);
    expect(g).toEqual({ status: 'fulfilled', value: 'fine' });
    expect((h as PromiseRejectedResult).reason).toBeInstanceOf(DataError);
    expect(i).toEqual({ status: 'fulfilled', value: 'y' });
  });

  it('a SET aborted before the flush is not sent, and the others of its run are applied', async () => {
    const ledis = open();
    const ac = new AbortController();
    const a = ledis.set(`${p}ab1`, '1');
    const b = ledis.withOptions({ signal: ac.signal }).set(`${p}ab2`, '2');
    const c = ledis.set(`${p}ab3`, '3');
    ac.abort();
    const [ra, rb, rc] = await Promise.allSettled([a, b, c]);
    expect(ra).toEqual({ status: 'fulfilled', value: true });
    expect((rb as PromiseRejectedResult).reason).toBeInstanceOf(AbortError);
    expect(((rb as PromiseRejectedResult).reason as AbortError).mayHaveRun).toBe(false);
    expect(rc).toEqual({ status: 'fulfilled', value: true });
    expect(await ledis.mget(`${p}ab1`, `${p}ab2`, `${p}ab3`)).toEqual(['1', null, '3']);
  });

  it('maxPending counts every coalesced command', async () => {
    const ledis = open({ maxPending: 5 });
    await ledis.connect();
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => ledis.get(`${p}mp${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(refused).toHaveLength(7);
    for (const r of refused) expect(String(r.reason)).toMatch(/maxPending/);
  });
});

describe('the threshold (as shipped: COALESCE_FROM commands in flight)', () => {
  // As shipped: no COALESCE_EAGERLY here, only no INFO asked first (the scripted peer is no LedisDB;
  // asking has its own tests in coalesce-server.test.ts).

  it('an idle connection sends a few GETs one by one; past the threshold they go as MGETs of at most half of what is in flight', async () => {
    const seen: Array<{ name: string; keys: number }> = [];
    const peer = await startScriptedPeer((sock) =>
      readCommands(sock, (parts) => {
        const name = (parts[0] as string).toUpperCase();
        seen.push({ name, keys: parts.length - 1 });
        if (name === 'MGET') sock.write(`*${parts.length - 1}\r\n` + '$1\r\nv\r\n'.repeat(parts.length - 1));
        else sock.write('$1\r\nv\r\n');
      }),
    );
    const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, [TUNING]: { coalesceAnyServer: true } });
    try {
      await ledis.connect();
      expect(await Promise.all(Array.from({ length: 10 }, (_, i) => ledis.get(`k${i}`)))).toEqual(Array(10).fill('v'));
      expect(seen.map((c) => c.name)).toEqual(Array(10).fill('GET'));
      seen.length = 0;
      expect(await Promise.all(Array.from({ length: 100 }, (_, i) => ledis.get(`k${i}`)))).toEqual(Array(100).fill('v'));
      expect(seen.slice(0, COALESCE_FROM).every((c) => c.name === 'GET')).toBe(true);
      let inFlight = COALESCE_FROM;
      for (const c of seen.slice(COALESCE_FROM)) {
        expect(c.name).toBe('MGET');
        expect(c.keys).toBeLessThanOrEqual(Math.max(2, inFlight >> 1));
        inFlight += c.keys;
      }
      expect(seen.reduce((n, c) => n + c.keys, 0)).toBe(100);
      expect(seen.length).toBeLessThan(40);
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });

  it('across the threshold, in one tick: the lone commands before it and the MGETs/MSETs after it keep issue order on the wire, and each caller gets its own key\'s reply', async () => {
    const wire: string[] = [];
    const sizes: number[] = [];
    const peer = await startScriptedPeer((sock) =>
      readCommands(sock, (parts) => {
        const name = (parts[0] as string).toUpperCase();
        if (name === 'MGET' || name === 'GET') {
          const keys = parts.slice(1);
          for (const k of keys) wire.push(`get ${k}`);
          if (name === 'MGET') sizes.push(keys.length);
          // Each key's reply is its own name: a caller given another's reply would see it.
          const bulk = keys.map((k) => `$${Buffer.byteLength(k)}\r\n${k}\r\n`).join('');
          sock.write(name === 'MGET' ? `*${keys.length}\r\n${bulk}` : bulk);
        } else if (name === 'MSET' || name === 'SET') {
          for (let i = 1; i < parts.length; i += 2) wire.push(`set ${parts[i]}`);
          if (name === 'MSET') sizes.push((parts.length - 1) / 2);
          sock.write('+OK\r\n');
        } else sock.write('+OK\r\n');
      }),
    );
    const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, [TUNING]: { coalesceAnyServer: true } });
    try {
      await ledis.connect();
      wire.length = 0;
      const issued: string[] = [];
      const got: Promise<unknown>[] = [];
      const expected: unknown[] = [];
      // Runs of GETs and SETs of growing length, 600 commands: the threshold is crossed inside the first run.
      for (let i = 0, run = 0; i < 600; run++) {
        for (let j = 0; j <= run && i < 600; j++, i++) {
          const k = `k${i}`;
          if (run % 2 === 0) {
            issued.push(`get ${k}`);
            expected.push(k);
            got.push(ledis.get(k));
          } else {
            issued.push(`set ${k}`);
            expected.push(true);
            got.push(ledis.set(k, 'v'));
          }
        }
      }
      expect(await Promise.all(got)).toEqual(expected);
      expect(wire).toEqual(issued);
      expect(sizes.length).toBeGreaterThan(0);
      for (const n of sizes) {
        expect(n).toBeGreaterThanOrEqual(2);
        expect(n).toBeLessThanOrEqual(512);
      }
      // 3,000 GETs in one tick: the groups grow with what is in flight, up to 512 and never past it.
      wire.length = 0;
      sizes.length = 0;
      const keys = Array.from({ length: 3000 }, (_, i) => `b${i}`);
      expect(await Promise.all(keys.map((k) => ledis.get(k)))).toEqual(keys);
      expect(wire).toEqual(keys.map((k) => `get ${k}`));
      expect(sizes.reduce((a, b) => Math.max(a, b), 0)).toBe(512);
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });
});

describe('what goes on the wire, and a server that misbehaves', () => {
  it('ten GETs of one tick are one MGET; GET, SET, GET stay three commands in that order; coalesce: false sends each', async () => {
    const seen: string[] = [];
    const peer = await startScriptedPeer((sock) =>
      readCommands(sock, (parts) => {
        const name = (parts[0] as string).toUpperCase();
        seen.push(name === 'MGET' || name === 'MSET' ? `${name}(${name === 'MGET' ? parts.length - 1 : (parts.length - 1) / 2})` : name);
        if (name === 'MGET') sock.write(`*${parts.length - 1}\r\n` + '$-1\r\n'.repeat(parts.length - 1));
        else if (name === 'GET') sock.write('$-1\r\n');
        else sock.write('+OK\r\n');
      }),
    );
    const on = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY });
    const off = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY, coalesce: false });
    try {
      await Promise.all([on.connect(), off.connect()]);
      seen.length = 0;
      expect(await Promise.all(Array.from({ length: 10 }, (_, i) => on.get(`k${i}`)))).toEqual(Array(10).fill(null));
      expect(seen).toEqual(['MGET(10)']);
      seen.length = 0;
      await Promise.all([on.get('a'), on.set('a', '1'), on.get('a')]);
      expect(seen).toEqual(['GET', 'SET', 'GET']);
      seen.length = 0;
      await Promise.all([on.set('a', '1'), on.set('b', '2'), on.get('a'), on.get('b'), on.set('c', '3')]);
      expect(seen).toEqual(['MSET(2)', 'MGET(2)', 'SET']);
      seen.length = 0;
      await Promise.all(Array.from({ length: 10 }, (_, i) => off.get(`k${i}`)));
      expect(seen).toEqual(Array(10).fill('GET'));
    } finally {
      on.disconnect();
      off.disconnect();
      await peer.close();
    }
  });

  it('an MGET answered with the wrong number of values: each of its callers gets an UnexpectedReplyError, and the next command its own reply', async () => {
    const peer = await startScriptedPeer((sock) =>
      readCommands(sock, (parts) => {
        const name = (parts[0] as string).toUpperCase();
        if (name === 'MGET') sock.write('*1\r\n$3\r\nbad\r\n');
        else sock.write('$2\r\nok\r\n');
      }),
    );
    const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY });
    try {
      await ledis.connect();
      const got = await Promise.allSettled([ledis.get('a'), ledis.get('b'), ledis.get('c')]);
      for (const r of got) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UnexpectedReplyError);
      expect(await ledis.get('alone')).toBe('ok');
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });

  it('a silent server: each coalesced GET times out on its own (TimeoutError); a cut connection: each gets ConnectionError with mayHaveRun', async () => {
    const silent = await startScriptedPeer((sock) => sock.resume());
    const ledis = new Ledis({ port: silent.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY, commandTimeout: 50, retryStrategy: () => null });
    try {
      await ledis.connect();
      const got = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => ledis.get(`k${i}`)));
      for (const r of got) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
      const errors = got.map((r) => (r as PromiseRejectedResult).reason as Error);
      expect(new Set(errors).size).toBe(5);
    } finally {
      ledis.disconnect();
      await silent.close();
    }
    const cutter = await startScriptedPeer((sock) => readCommands(sock, () => sock.destroy()));
    const cut = new Ledis({ port: cutter.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY, retryStrategy: () => null });
    try {
      await cut.connect();
      const got = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => cut.set(`k${i}`, 'v')));
      for (const r of got) {
        const e = (r as PromiseRejectedResult).reason as ConnectionError;
        expect(e).toBeInstanceOf(ConnectionError);
        expect(e.mayHaveRun).toBe(true);
      }
    } finally {
      cut.disconnect();
      await cutter.close();
    }
  });
});
