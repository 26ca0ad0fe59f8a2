// export -> flush -> load restores every key, value and TTL of every type,
// binary keys and values included. On a server of its own: FLUSHALL.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledis } from '../../src/index.js';
// @ts-ignore -- plain ESM script
import { startLedisServer } from '../../tools/server.mjs';
import { run, tempDir } from './run.js';

type Server = { host: string; port: number; stop(): Promise<void> };
let server: Server;
let ledis: Ledis<false>;
const tmp = tempDir('export');
const url = () => `ledis://${server.host}:${server.port}/3`;

beforeAll(async () => {
  server = await startLedisServer({ quiet: true });
  ledis = new Ledis<false>({ host: server.host, port: server.port, db: 3, decodeResponses: false });
});
afterAll(async () => {
  await ledis?.quit();
  await server?.stop();
  tmp.remove();
});

const b = (s: string) => Buffer.from(s);
const binKey = Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x80]);
const binVal = Buffer.from([0xc3, 0x28, 0x00, 0xff]);

interface Snapshot {
  [k: string]: unknown;
}

/** Every key of every type with its data and TTL, keys as hex so binary keys compare. */
async function snapshot(): Promise<Snapshot> {
  const out: Snapshot = {};
  const hex = (x: Buffer) => x.toString('hex');
  for await (const k of ledis.scanIterator({ type: 'KV' })) out[`kv:${hex(k)}`] = [hex((await ledis.get(k)) as Buffer), await ledis.ttl(k)];
  for await (const k of ledis.scanIterator({ type: 'HASH' })) {
    const fields: string[] = [];
    for await (const [f, v] of ledis.hscanIterator(k)) fields.push(`${hex(f)}=${hex(v)}`);
    out[`hash:${hex(k)}`] = [fields.sort(), await ledis.httl(k)];
  }
  for await (const k of ledis.scanIterator({ type: 'LIST' })) out[`list:${hex(k)}`] = [(await ledis.lrange(k, 0, -1)).map(hex), await ledis.lttl(k)];
  for await (const k of ledis.scanIterator({ type: 'SET' })) out[`set:${hex(k)}`] = [[...(await ledis.smembers(k))].map(hex).sort(), await ledis.sttl(k)];
  for await (const k of ledis.scanIterator({ type: 'ZSET' })) {
    const pairs: string[] = [];
    for await (const [m, s] of ledis.zscanIterator(k)) pairs.push(`${hex(m)}=${String(s)}`);
    out[`zset:${hex(k)}`] = [pairs, await ledis.zttl(k)];
  }
  return out;
}

/** TTLs may tick down by a second or two between the snapshots: compare them within 3 s. */
function normalise(s: Snapshot, ttls: Map<string, number>): Snapshot {
  const out: Snapshot = {};
  for (const [k, v] of Object.entries(s)) {
    const [data, ttl] = v as [unknown, number];
    if (ttl > 0) ttls.set(k, ttl);
    out[k] = [data, ttl > 0 ? 'ttl' : ttl];
  }
  return out;
}

describe('ledis export', () => {
  it('export, flush, load: every key, value and TTL of every type comes back, binary included', async () => {
    await ledis.flushall();
    await ledis.set('plain', 'text é ü');
    await ledis.set(binKey, binVal);
    await ledis.setex('expiring', 500, 'soon');
    await ledis.set('empty', '');
    await ledis.hmset('h', { a: '1', 'b c': 'two words', e: '' });
    await ledis.hset(binKey, binVal, binKey);
    await ledis.hexpire('h', 800);
    await ledis.rpush('l', 'x', 'y', 'x', '', binVal);
    for (let i = 0; i < 250; i++) await ledis.rpush('long', `item${i}`);
    await ledis.lexpire('long', 300);
    await ledis.sadd('s', 'm1', 'm2', binVal);
    await ledis.sexpire('s', 900);
    await ledis.zadd('z', -5, 'neg', 0, 'zero', 9007199254740991, 'max', 42, binVal);
    await ledis.zexpire('z', 1000);
    const big: Record<string, number> = {};
    for (let i = 0; i < 333; i++) big[`m${i}`] = i * 3;
    await ledis.zadd('bigz', big);
    const before = await snapshot();
    expect(Object.keys(before).length).toBe(11);

    const file = tmp.file('dump.ndjson.gz');
    const exported = await run(['export', '--url', url(), '-o', file, '--batch', '50']);
    expect(exported.stderr).toMatch(/exported 11 keys \(kv 4, hash 2, list 2, set 1, zset 2\)/);
    expect(exported.code).toBe(0);

    await ledis.flushall();
    expect(Object.keys(await snapshot()).length).toBe(0);
    const loaded = await run(['load', file, '--url', url()]);
    expect(loaded.stderr).toBe('');
    expect(loaded.code).toBe(0);

    const after = await snapshot();
    const ttlsBefore = new Map<string, number>();
    const ttlsAfter = new Map<string, number>();
    expect(normalise(after, ttlsAfter)).toEqual(normalise(before, ttlsBefore));
    expect([...ttlsAfter.keys()].sort()).toEqual([...ttlsBefore.keys()].sort());
    for (const [k, t] of ttlsBefore) {
      const t2 = ttlsAfter.get(k) as number;
      expect(t2).toBeLessThanOrEqual(t);
      expect(t2).toBeGreaterThanOrEqual(t - 3);
    }

    // Loading the same export again gives the same data (each key is cleared first), not doubled lists.
    expect((await run(['load', file, '--url', url()])).code).toBe(0);
    expect(normalise(await snapshot(), new Map())).toEqual(normalise(before, new Map()));
  }, 60000);

  it('writes non-UTF-8 bytes as {"base64"} elements; --type and --match choose the keys', async () => {
    await ledis.flushall();
    await ledis.set(binKey, binVal);
    await ledis.set('user:1', 'a');
    await ledis.set('other', 'b');
    await ledis.hset('user:h', 'f', 'v');
    const file = tmp.file('some.ndjson');
    const r = await run(['export', '--url', url(), '-o', file, '--type', 'kv', '--match', '^user:']);
    expect(r.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      ['DEL', 'user:1'],
      ['SET', 'user:1', 'a'],
    ]);
    const all = tmp.file('all.ndjson');
    await run(['export', '--url', url(), '-o', all, '--type', 'kv', '--no-clear']);
    const rows = readFileSync(all, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toContainEqual(['SET', { base64: binKey.toString('base64') }, { base64: binVal.toString('base64') }]);
    expect(rows.some((row: unknown[]) => row[0] === 'DEL')).toBe(false);
    expect((await run(['export', '--url', url(), '--type', 'bitmap'])).code).toBe(2);
  });

  it("a pattern the server refuses is reported with the server's text, not a stack trace", async () => {
    const r = await run(['export', '--url', url(), '--match', '(']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error parsing regexp');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
