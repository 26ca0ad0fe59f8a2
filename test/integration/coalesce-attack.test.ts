// Coalescing (src/connection/coalesce.ts) attacked: a hostile or flaky
// server (scripted loopback peer) and a careless caller (the real server).
// Each case holds coalescing to what the same commands sent one by one give.
import dc from 'node:diagnostics_channel';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, CHANNELS, Connection, ConnectionError, DataError, Ledis, ResponseError, TimeoutError, UnexpectedReplyError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';
import { readCommands, startScriptedPeer } from '../unit/peer.js';
import { COALESCE_FROM } from '../../src/connection/coalesce.js';
import { COALESCE_EAGERLY, sendCoalescible } from '../support/coalesce.js';
import { queuedGroups, socketOf } from '../support/internals.js';

// These tests are about what a coalesced command does, so every coalescible command joins one here;
// the threshold itself (COALESCE_FROM commands in flight) has its own test in coalesce.test.ts.

const p = prefix('coalesce-atk');
const opened: Ledis<boolean>[] = [];
function open(options: ConstructorParameters<typeof Ledis>[0] = {}): Ledis {
  const c = client({ connections: 1, ...COALESCE_EAGERLY, ...(options as object) });
  opened.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(opened.map((c) => c.quit().catch(() => undefined)));
});

describe('quit()', () => {
  it('quit() right after GETs and SETs of the same tick: each is answered', async () => {
    const ledis = open();
    await ledis.connect();
    await ledis.set(`${p}q`, 'v');
    const a = ledis.get(`${p}q`);
    const b = ledis.get(`${p}q`);
    const c = ledis.set(`${p}q2`, 'w');
    const d = ledis.set(`${p}q3`, 'x');
    const q = ledis.quit();
    const got = await Promise.allSettled([a, b, c, d]);
    await q;
    expect(got.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual(['v', 'v', true, true]);
  });
});

describe('pipeline pacing', () => {
  it('a pipeline of 10,000 GETs under maxPending 5,000 paces itself as it does uncoalesced: none refused', async () => {
    for (const coalesce of [false, true]) {
      const ledis = open({ maxPending: 5000, coalesce });
      await ledis.connect();
      const pl = ledis.pipeline();
      for (let i = 0; i < 10_000; i++) pl.get(`${p}pl${i % 7}`);
      const settled = await pl.execSettled();
      const refused = settled.filter((r) => !r.ok);
      expect({ coalesce, refused: refused.length, first: refused[0] === undefined ? null : String((refused[0] as { error: unknown }).error) }).toEqual({ coalesce, refused: 0, first: null });
    }
  });
});

const bulk = (v: string): string => `$${Buffer.byteLength(v)}\r\n${v}\r\n`;

describe('hostile server', () => {
  it('GETs and SETs issued after the server closed the stream, before the close event, go out once on the next connection, in order', async () => {
    const seen: string[][] = [];
    const store = new Map<string, string>();
    const peer = await startScriptedPeer((sock, index) => {
      seen[index] = [];
      readCommands(sock, (parts) => {
        const name = (parts[0] as string).toUpperCase();
        (seen[index] as string[]).push(parts.join(' '));
        if (index === 0) {
          if (!sock.writableEnded) sock.end('+OK\r\n');
          return;
        }
        if (name === 'MGET') sock.write(`*${parts.length - 1}\r\n` + parts.slice(1).map((k) => (store.has(k) ? bulk(store.get(k) as string) : '$-1\r\n')).join(''));
        else if (name === 'GET') sock.write(store.has(parts[1] as string) ? bulk(store.get(parts[1] as string) as string) : '$-1\r\n');
        else if (name === 'MSET' || name === 'SET') {
          for (let i = 1; i < parts.length; i += 2) store.set(parts[i] as string, parts[i + 1] as string);
          sock.write('+OK\r\n');
        } else sock.write('+OK\r\n');
      });
    });
    const c = new Connection({ host: '127.0.0.1', port: peer.port, retryStrategy: () => 10, ...COALESCE_EAGERLY });
    try {
      await c.connect();
      const socket = socketOf(c);
      let late: Promise<unknown[]> | undefined;
      socket.once('end', () => {
        setImmediate(() => {
          late = Promise.all([
            sendCoalescible(c, 'GET', 'a'),
            sendCoalescible(c, 'GET', 'b'),
            sendCoalescible(c, 'SET', 'a', '1'),
            sendCoalescible(c, 'SET', 'b', '2'),
            sendCoalescible(c, 'GET', 'a'),
            sendCoalescible(c, 'GET', 'b'),
          ]);
        });
      });
      expect(await c.sendCommand('PING')).toBe('OK');
      await new Promise<void>((resolve) => c.once('ready', () => resolve()));
      expect(await late).toEqual([null, null, 'OK', 'OK', '1', '2']);
      expect(seen[1]).toEqual(['MGET a b', 'MSET a 1 b 2', 'MGET a b']);
      expect(c.pending).toBe(0);
    } finally {
      c.disconnect();
      await peer.close();
    }
  });

  const replies: Array<[string, string, string]> = [
    ['an error reply', '-ERR nope\r\n', 'ResponseError'],
    ['an integer', ':3\r\n', 'UnexpectedReplyError'],
    ['a nil', '$-1\r\n', 'UnexpectedReplyError'],
    ['a status', '+OK\r\n', 'UnexpectedReplyError'],
    ['a nested array', '*3\r\n*1\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n', 'mixed'],
    ['an array of integers', '*3\r\n:1\r\n:2\r\n:3\r\n', 'UnexpectedReplyError'],
    ['an array with an error element', '*3\r\n$1\r\nx\r\n-ERR mid\r\n$1\r\nz\r\n', 'mixed'],
    ['a huge array', '*100000\r\n' + ':1\r\n'.repeat(100000), 'UnexpectedReplyError'],
    ['a nil array', '*-1\r\n', 'UnexpectedReplyError'],
  ];
  for (const [what, reply, kind] of replies) {
    it(`MGET answered with ${what}: each GET gets a LedisError of its own, the next command its own reply`, async () => {
      const peer = await startScriptedPeer((sock) =>
        readCommands(sock, (parts) => {
          const name = (parts[0] as string).toUpperCase();
          if (name === 'MGET') sock.write(reply);
          else sock.write(bulk('alone'));
        }),
      );
      const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY });
      try {
        await ledis.connect();
        const got = await Promise.allSettled([ledis.get('a'), ledis.get('b'), ledis.get('c')]);
        const errs = got.map((r) => (r.status === 'rejected' ? (r.reason as Error) : null));
        if (kind !== 'mixed') {
          for (const e of errs) expect(e?.constructor.name).toBe(kind);
          expect(new Set(errs).size).toBe(3);
          for (const e of errs) expect((e as { command?: string }).command).toBe('GET');
        } else {
          expect(got[0]?.status).toBe(what.includes('nested') ? 'rejected' : 'fulfilled');
          expect(got[2]).toEqual({ status: 'fulfilled', value: 'z' });
        }
        expect(await ledis.get('alone')).toBe('alone');
        // raw sendCommand GETs too
        const raw = await Promise.allSettled([ledis.sendCommand('GET', 'a'), ledis.sendCommand('GET', 'b'), ledis.sendCommand('GET', 'c')]);
        for (const r of raw) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(Error);
        expect(await ledis.get('alone')).toBe('alone');
      } finally {
        ledis.disconnect();
        await peer.close();
      }
    });
  }

  // LedisDB's MSET answers +OK or an error (server/cmd_kv.go msetCommand): anything else is not trusted.
  const msetReplies: Array<[string, string]> = [
    ['an integer 0', ':0\r\n'],
    ['an integer 1', ':1\r\n'],
    ['an array', '*2\r\n+OK\r\n+OK\r\n'],
    ['a nil', '$-1\r\n'],
    ['a status other than OK', '+QUEUED\r\n'],
  ];
  for (const [what, reply] of msetReplies) {
    it(`MSET answered with ${what}: each SET (method or raw) gets an UnexpectedReplyError of its own; the next command its own reply`, async () => {
      const peer = await startScriptedPeer((sock) =>
        readCommands(sock, (parts) => {
          const name = (parts[0] as string).toUpperCase();
          if (name === 'MSET') sock.write(reply);
          else sock.write('+OK\r\n');
        }),
      );
      const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY });
      try {
        await ledis.connect();
        const got = await Promise.allSettled([ledis.set('a', '1'), ledis.set('b', '2'), ledis.sendCommand('SET', 'c', '3'), ledis.sendCommand('SET', 'd', '4')]);
        const errs = got.map((r) => (r.status === 'rejected' ? (r.reason as Error) : r.value));
        for (const e of errs) expect(e).toBeInstanceOf(UnexpectedReplyError);
        expect(new Set(errs).size).toBe(4);
        expect(await ledis.set('alone', 'x')).toBe(true);
      } finally {
        ledis.disconnect();
        await peer.close();
      }
    });
  }
  it('MSET answered OK: each raw SET of a Buffer client gets a Buffer of its own', async () => {
    const peer = await startScriptedPeer((sock) => readCommands(sock, () => sock.write('+OK\r\n')));
    const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY, decodeResponses: false });
    try {
      await ledis.connect();
      const [a, b] = (await Promise.all([ledis.sendCommand('SET', 'a', '1'), ledis.sendCommand('SET', 'b', '2')])) as Buffer[];
      expect(String(a)).toBe('OK');
      expect(String(b)).toBe('OK');
      expect(a).not.toBe(b);
      expect(await Promise.all([ledis.set('a', '1'), ledis.set('b', '2')])).toEqual([true, true]);
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });
});

describe('careless caller (real server)', () => {
  it('a GET aborted after its MGET was written gets AbortError (mayHaveRun), its neighbours their values; later commands stay in step', async () => {
    const ledis = open();
    await ledis.set(`${p}ab:a`, 'A');
    await ledis.set(`${p}ab:b`, 'B');
    const ac = new AbortController();
    const a = ledis.get(`${p}ab:a`);
    const b = ledis.withOptions({ signal: ac.signal }).get(`${p}ab:b`);
    const c = ledis.get(`${p}ab:a`);
    await new Promise<void>((r) => process.nextTick(r));
    ac.abort();
    const got = await Promise.allSettled([a, b, c]);
    expect(got[0]).toEqual({ status: 'fulfilled', value: 'A' });
    expect((got[1] as PromiseRejectedResult).reason).toBeInstanceOf(AbortError);
    expect(((got[1] as PromiseRejectedResult).reason as AbortError).mayHaveRun).toBe(true);
    expect(got[2]).toEqual({ status: 'fulfilled', value: 'A' });
    expect(await ledis.get(`${p}ab:b`)).toBe('B');
  });

  it('keyPrefix pushing a key past 1024 bytes, multi-byte keys at the boundary: only the too-long one fails', async () => {
    const ledis = open({ keyPrefix: 'pp:' });
    const k1021 = 'k'.repeat(1021); // 1024 with the prefix
    const k1022 = 'k'.repeat(1022); // 1025
    const e341 = '\u20ac'.repeat(341); // 1023 bytes, +3 = 1026 with prefix
    const e340 = '\u20ac'.repeat(340); // 1020 + 3 = 1023
    const got = await Promise.allSettled([
      ledis.set(k1021, 'a'),
      ledis.set(k1022, 'b'),
      ledis.set(e341, 'c'),
      ledis.set(e340, 'd'),
      ledis.get(k1021),
      ledis.get(k1022),
      ledis.get(e341),
      ledis.get(e340),
    ]);
    const view = got.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).constructor.name));
    expect(view).toEqual([true, 'ResponseError', 'ResponseError', true, 'a', 'ResponseError', 'ResponseError', 'd']);
    await ledis.del(k1021, e340);
  });

  it('a value the encoder refuses among coalescible SETs (lone surrogate, NaN via sendCommand): only its caller fails', async () => {
    const ledis = open();
    const got = await Promise.allSettled([
      ledis.set(`${p}v1`, 'one'),
      ledis.sendCommand('SET', `${p}v2`, 'bad\ud800'),
      ledis.sendCommand('SET', `${p}v3`, Number.NaN),
      ledis.set(`${p}v4`, 4),
      ledis.set(`${p}v5`, ''),
    ]);
    const view = got.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).constructor.name));
    expect(view).toEqual([true, 'DataError', 'DataError', true, true]);
    expect(await ledis.mget(`${p}v1`, `${p}v2`, `${p}v3`, `${p}v4`, `${p}v5`)).toEqual(['one', null, null, '4', '']);
  });

  it('pipeline results match per index with GETs, SETs, STRLEN, buffers and raw GETs mixed', async () => {
    const ledis = open();
    const r = await ledis
      .pipeline()
      .set(`${p}pp1`, 'x')
      .set(`${p}pp2`, 'yy')
      .get(`${p}pp1`)
      .get(`${p}pp2`)
      .strlen(`${p}pp2`)
      .sendCommand('GET', `${p}pp1`)
      .get('k'.repeat(1025))
      .get(`${p}pp2`)
      .set(`${p}pp1`, 'z')
      .get(`${p}pp1`)
      .execSettled();
    expect(r.map((x) => (x.ok ? x.value : (x.error as Error).constructor.name))).toEqual([true, true, 'x', 'yy', 2, 'x', 'ResponseError', 'yy', true, 'z']);
  });
});

describe('cut replies, traces, the offline queue', () => {
  it('an MGET reply cut halfway: each GET gets ConnectionError (mayHaveRun), an aborted one keeps its AbortError, nothing is re-sent; later commands work', async () => {
    const seen: string[][] = [];
    const peer = await startScriptedPeer((sock, index) => {
      seen[index] = [];
      readCommands(sock, (parts) => {
        (seen[index] as string[]).push(parts.join(' '));
        const name = (parts[0] as string).toUpperCase();
        if (index === 0 && name === 'MGET') {
          sock.write('*3\r\n$1\r\nx\r\n$1\r');
          setImmediate(() => sock.destroy());
        } else if (name === 'GET') sock.write(bulk('again'));
        else sock.write('+OK\r\n');
      });
    });
    const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY, retryStrategy: () => 5 });
    try {
      await ledis.connect();
      const ac = new AbortController();
      const a = ledis.get('a');
      const b = ledis.withOptions({ signal: ac.signal }).get('b');
      const c = ledis.get('c');
      await new Promise<void>((r) => process.nextTick(r));
      ac.abort();
      const got = await Promise.allSettled([a, b, c]);
      expect(((got[0] as PromiseRejectedResult).reason as ConnectionError).mayHaveRun).toBe(true);
      expect((got[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
      expect((got[1] as PromiseRejectedResult).reason).toBeInstanceOf(AbortError);
      expect((got[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
      expect(await ledis.get('z')).toBe('again');
      expect(seen[0]).toEqual(['MGET a b c']);
      expect(seen[1]).toEqual(['GET z']);
      const conn = ledis.connectionPool.sharedList[0];
      expect(conn?.pending).toBe(0);
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });

  it('ledis:command traces each coalesced GET and SET with its own reply', async () => {
    const events: Array<{ kind: string; ctx: Record<string, unknown> }> = [];
    const tc = dc.tracingChannel(CHANNELS.TRACE_COMMAND);
    const handlers = {
      start: (ctx: unknown) => events.push({ kind: 'start', ctx: ctx as Record<string, unknown> }),
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: (ctx: unknown) => events.push({ kind: 'asyncEnd', ctx: ctx as Record<string, unknown> }),
      error: () => undefined,
    };
    tc.subscribe(handlers);
    try {
      const ledis = open();
      await ledis.connect();
      await Promise.all([ledis.set(`${p}t1`, 'one'), ledis.set(`${p}t2`, 'two')]);
      await Promise.all([ledis.get(`${p}t1`), ledis.get(`${p}t2`), ledis.get(`${p}t1`)]);
      expect(events.filter((e) => e.kind === 'start').map((e) => e.ctx.command)).toEqual(['SET', 'SET', 'GET', 'GET', 'GET']);
      expect(events.filter((e) => e.kind === 'asyncEnd' && e.ctx.command === 'GET').map((e) => e.ctx.result)).toEqual(['one', 'two', 'one']);
      const conn = ledis.connectionPool.sharedList[0];
      expect(ledis.nodeStats()[0]?.commands).toBe(conn?.commandCount);
      expect(conn?.replyCount).toBe(conn?.commandCount);
    } finally {
      tc.unsubscribe(handlers);
    }
  });

  it('GETs issued while not connected go one by one after the connect (offline queue), answers right', async () => {
    const ledis = open({ lazyConnect: true });
    await open().set(`${p}off`, 'v');
    const got = await Promise.all([ledis.get(`${p}off`), ledis.set(`${p}off2`, 'w'), ledis.get(`${p}off2`), ledis.get(`${p}off`)]);
    expect(got).toEqual(['v', true, 'w', 'v']);
  });
});

/** A peer that answers GET with a bulk and MGET with an array whose header and values are each written `gap` ms apart; `endless` declares a huge array for MGET. */
function startDripPeer(gap: number, endless = false): ReturnType<typeof startScriptedPeer> {
  return startScriptedPeer((sock) => {
    const queue: string[] = [];
    let busy = false;
    const pump = (): void => {
      if (busy || queue.length === 0 || sock.destroyed) return;
      busy = true;
      const piece = queue.shift() as string;
      setTimeout(() => {
        busy = false;
        if (sock.destroyed) return;
        sock.write(piece);
        if (endless && piece === '$1\r\nv\r\n' && queue.length === 0) queue.push(piece);
        pump();
      }, gap);
    };
    readCommands(sock, (parts) => {
      const name = (parts[0] as string).toUpperCase();
      if (name === 'MGET') {
        queue.push(`*${endless ? 1_000_000 : parts.length - 1}\r\n`);
        for (let i = 1; i < parts.length; i++) queue.push('$1\r\nv\r\n');
      } else if (name === 'GET') queue.push('$1\r\nv\r\n');
      else queue.push('+OK\r\n');
      pump();
    });
  });
}

describe('a long MGET reply past commandTimeout', () => {
  it('values still arriving count as progress: the GETs time out, the connection is not recycled, the next command is answered on it', async () => {
    const peer = await startDripPeer(30);
    const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY, commandTimeout: 300 });
    let reconnects = 0;
    ledis.on('reconnecting', () => reconnects++);
    ledis.on('error', () => undefined);
    try {
      await ledis.connect();
      const got = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => ledis.get(`k${i}`)));
      for (const r of got) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
      // The timed-out MGET's reply is read to its end on the same connection (bounded wait).
      const conn = ledis.connectionPool.sharedList[0] as Connection;
      for (let i = 0; i < 300 && conn.pending > 0 && reconnects === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(reconnects).toBe(0);
      expect(conn.pending).toBe(0);
      expect(await ledis.sendCommand('PING')).toBe('OK');
      expect(peer.connections).toBe(1);
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });

  it('an MGET of 3 answered with an endless array is still recycled as stuck', async () => {
    const peer = await startDripPeer(10, true);
    const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY, commandTimeout: 150, retryStrategy: () => null });
    ledis.on('error', () => undefined);
    try {
      await ledis.connect();
      const ended = new Promise<void>((r) => ledis.once('end', () => r()));
      const got = await Promise.allSettled([ledis.get('a'), ledis.get('b'), ledis.get('c')]);
      for (const r of got) expect(r.status).toBe('rejected');
      await ended;
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });
});

describe('an unwritten MSET waiting for the reconnect', () => {
  // The same scenario, table-driven: SETs issued while the connection is lost gather into MSETs that wait for the
  // reconnect; some of their callers abort (as a view's signal would) once their MSET is sealed, before the close.
  const cases = [
    {
      name: 'a SET aborted while its MSET waits for the reconnect is left out of it, as an aborted SET alone would not be re-sent',
      aborted: ['b', 'e', 'f', 'g'],
      late: ['fulfilled', 'rejected', 'fulfilled'],
      resent: ['MSET a 1 d 4', 'PING'],
    },
    {
      name: 'every SET of an unwritten MSET aborted: nothing is re-sent, pending is 0',
      aborted: ['a', 'b', 'd', 'e', 'f', 'g'],
      late: ['rejected', 'rejected', 'rejected'],
      resent: ['PING'],
    },
  ];
  for (const { name, aborted, late: lateStatus, resent } of cases) {
    it(name, async () => {
      const seen: string[][] = [];
      const peer = await startScriptedPeer((sock, index) => {
        seen[index] = [];
        readCommands(sock, (parts) => {
          (seen[index] as string[]).push(parts.join(' '));
          if (index === 0) {
            if (!sock.writableEnded) sock.end('+OK\r\n');
            return;
          }
          sock.write('+OK\r\n');
        });
      });
      const c = new Connection({ host: '127.0.0.1', port: peer.port, retryStrategy: () => 10, ...COALESCE_EAGERLY });
      try {
        await c.connect();
        let late: Promise<PromiseSettledResult<unknown>[]> | undefined;
        let lone: Promise<PromiseSettledResult<unknown>[]> | undefined;
        socketOf(c).once('end', () => {
          setImmediate(() => {
            const [a, b, d, e, f, g] = ['a1', 'b2', 'd4', 'e5', 'f6', 'g7'].map((kv) => sendCoalescible(c, 'SET', kv[0] as string, kv[1] as string));
            late = Promise.allSettled([a, b, d]);
            lone = Promise.allSettled([e, f, g]);
            process.nextTick(() => {
              for (const group of queuedGroups(c)) for (const m of group.members) if (aborted.includes(m.args[0] as string)) m.reject(new Error('aborted'));
            });
          });
        });
        expect(await c.sendCommand('PING')).toBe('OK');
        await new Promise<void>((resolve) => c.once('ready', () => resolve()));
        expect((await late)?.map((r) => r.status)).toEqual(lateStatus);
        expect((await lone)?.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
        expect(await c.sendCommand('PING')).toBe('OK');
        expect(seen[1]).toEqual(resent);
        expect(c.pending).toBe(0);
      } finally {
        c.disconnect();
        await peer.close();
      }
    });
  }
});

describe('views and methods sharing one tick', () => {
  it('get, buffers.get, bget, strlen, raw GET, db(2) and a keyPrefix view issued together: each gets its own reply from its own db and key', async () => {
    const ledis = open();
    const db2 = ledis.db(2);
    await Promise.all([ledis.set(`${p}mix`, 'zero'), db2.set(`${p}mix`, 'two!'), ledis.set(`pp:${p}mix`, 'prefixed')]);
    const prefixed = open({ keyPrefix: 'pp:' });
    const got = await Promise.all([
      ledis.get(`${p}mix`),
      ledis.buffers.get(`${p}mix`).then((b) => (Buffer.isBuffer(b) ? `buf:${b.toString()}` : b)),
      ledis.bget(`${p}mix`).then((b) => (Buffer.isBuffer(b) ? `bget:${b.toString()}` : b)),
      ledis.strlen(`${p}mix`),
      ledis.sendCommand('GET', `${p}mix`),
      db2.get(`${p}mix`),
      prefixed.get(`${p}mix`),
      ledis.get(`${p}mix`),
      db2.strlen(`${p}mix`),
    ]);
    expect(got).toEqual(['zero', 'buf:zero', 'bget:zero', 4, 'zero', 'two!', 'prefixed', 'zero', 4]);
    await db2.del(`${p}mix`);
    await ledis.del(`${p}mix`, `pp:${p}mix`);
  });
});

describe('bigIntegers: error', () => {
  it('a raw GET whose part of an MGET is an integer past 2^53 rejects with a DataError, as the GET alone would; its neighbour gets its value', async () => {
    const peer = await startScriptedPeer((sock) =>
      readCommands(sock, (parts) => {
        const name = (parts[0] as string).toUpperCase();
        if (name === 'MGET') sock.write('*2\r\n:99999999999999999999\r\n$1\r\nx\r\n');
        else sock.write(':99999999999999999999\r\n');
      }),
    );
    const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY, bigIntegers: 'error' });
    try {
      await ledis.connect();
      const alone = await ledis.sendCommand('GET', 'a').catch((e: unknown) => e);
      expect(alone).toBeInstanceOf(DataError);
      const [a, b] = await Promise.allSettled([ledis.sendCommand('GET', 'a'), ledis.sendCommand('GET', 'b')]);
      expect((a as PromiseRejectedResult).reason).toBeInstanceOf(DataError);
      expect(b).toEqual({ status: 'fulfilled', value: 'x' });
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });
});

describe('a late MGET reply', () => {
  it('arriving after its GETs were aborted is read and dropped: the next command gets its own reply, on the same connection', async () => {
    const peer = await startScriptedPeer((sock) => {
      let held: string | null = null;
      readCommands(sock, (parts) => {
        const name = (parts[0] as string).toUpperCase();
        if (name === 'MGET') held = `*${parts.length - 1}\r\n` + '$4\r\nlate\r\n'.repeat(parts.length - 1);
        else if (name === 'PING') {
          sock.write((held ?? '') + '+PONG\r\n');
          held = null;
        } else sock.write('+OK\r\n');
      });
    });
    const ledis = new Ledis({ port: peer.port, host: '127.0.0.1', connections: 1, ...COALESCE_EAGERLY });
    ledis.on('error', () => undefined);
    try {
      await ledis.connect();
      const ac = new AbortController();
      const view = ledis.withOptions({ signal: ac.signal });
      const pending = Promise.allSettled([view.get('a'), view.get('b'), view.get('c')]);
      await new Promise<void>((r) => setImmediate(r));
      ac.abort();
      const got = await pending;
      for (const r of got) expect(((r as PromiseRejectedResult).reason as AbortError).mayHaveRun).toBe(true);
      expect(await ledis.sendCommand('PING')).toBe('PONG');
      expect(peer.connections).toBe(1);
      const conn = ledis.connectionPool.sharedList[0] as Connection;
      expect(conn.pending).toBe(0);
    } finally {
      ledis.disconnect();
      await peer.close();
    }
  });
});
