// bulk() joins runs of items to one key into one multi-member command
// (ZADD, HMSET, SADD, RPUSH, LPUSH; SETs into MSET with one connection).
// What must hold: the data end exactly as with one command per item (sizes
// included: LedisDB counts a member twice if a command names it twice),
// per-key order, and per-item outcomes (an item the server refuses alone
// fails alone, with the server's text; a refused group is retried item by
// item only when nothing on its keys went after it).
import { afterAll, describe, expect, it } from 'vitest';
import { bulk, ResponseError, type BulkFailure, type BulkItem } from '../../src/index.js';
import { Ledis } from '../../src/client.js';
import { client, prefix } from '../helpers.js';
import { readCommands, startScriptedPeer } from '../unit/peer.js';

const one = client({ connections: 1 });
const plain = client({ connections: 1 });
afterAll(async () => {
  await Promise.all([one.quit(), plain.quit()]);
});

/** A deterministic mix on few keys with repeated members, pushes both ways and commands that join no group. */
function* mixed(p: string, n: number): Generator<BulkItem> {
  let x = 7;
  const rnd = (m: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % m;
  };
  for (let i = 0; i < n; i++) {
    const k = rnd(5);
    switch (rnd(12)) {
      case 0:
      case 1:
        yield ['ZADD', `${p}z${k}`, rnd(1000) - 500, `m${rnd(40)}`];
        break;
      case 2:
        yield ['ZADD', `${p}z${k}`, rnd(9), `m${rnd(40)}`, rnd(9), `n${rnd(40)}`];
        break;
      case 3:
        yield ['HSET', `${p}h${k}`, `f${rnd(30)}`, `v${i}`];
        break;
      case 4:
        yield ['HMSET', `${p}h${k}`, `f${rnd(30)}`, `v${i}`, `g${rnd(5)}`, `w${i}`];
        break;
      case 5:
        yield ['SADD', `${p}s${k}`, `m${rnd(50)}`];
        break;
      case 6:
        yield ['RPUSH', `${p}l${k}`, `r${i}`, `r${i}`];
        break;
      case 7:
        yield ['LPUSH', `${p}l${k}`, `l${i}`];
        break;
      case 8:
        yield ['SET', `${p}k${rnd(20)}`, `v${i}`];
        break;
      case 9:
        yield ['ZREM', `${p}z${k}`, `m${rnd(40)}`];
        break;
      case 10:
        yield ['HDEL', `${p}h${k}`, `f${rnd(30)}`];
        break;
      default:
        yield rnd(2) === 0 ? ['DEL', `${p}k${rnd(20)}`, `${p}k${rnd(20)}`] : ['SREM', `${p}s${k}`, `m${rnd(50)}`];
    }
  }
}

async function state(c: Ledis, p: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let k = 0; k < 5; k++) {
    out.push(await c.zrange(`${p}z${k}`, 0, -1, { withscores: true }), await c.zcard(`${p}z${k}`));
    const h = await c.hgetall(`${p}h${k}`);
    out.push(Object.keys(h).sort().map((f) => [f, h[f]]), await c.hlen(`${p}h${k}`));
    out.push([...(await c.smembers(`${p}s${k}`))].sort(), await c.scard(`${p}s${k}`));
    out.push(await c.lrange(`${p}l${k}`, 0, -1), await c.llen(`${p}l${k}`));
  }
  out.push(await c.mget(Array.from({ length: 20 }, (_, i) => `${p}k${i}`)));
  return out;
}

describe('bulk() groups', () => {
  it('ends with exactly the data of one command per item (sizes too), with one connection (MSET on) and with several', async () => {
    const a = prefix('grp-a');
    const b = prefix('grp-b');
    const c = prefix('grp-c');
    const many = client({ connections: 3, spread: 'fixed' });
    try {
      const ga = await bulk(one, mixed(a, 20_000));
      const gb = await bulk(plain, mixed(b, 20_000), { group: false });
      const gc = await bulk(many, mixed(c, 20_000));
      expect([ga.failed, gb.failed, gc.failed]).toEqual([0, 0, 0]);
      expect([ga.succeeded, gc.succeeded]).toEqual([20_000, 20_000]);
      const expected = await state(plain, b);
      expect(await state(one, a)).toEqual(expected);
      expect(await state(one, c)).toEqual(expected);
    } finally {
      await many.quit();
    }
  });

  it('an item the server refuses alone fails alone with the server text; its neighbours in the run load', async () => {
    const p = prefix('grp-err');
    const failures: BulkFailure[] = [];
    const items: BulkItem[] = [];
    for (let i = 0; i < 100; i++) items.push(['ZADD', `${p}z`, i, i === 40 ? 'x'.repeat(1025) : `m${i}`]);
    for (let i = 0; i < 100; i++) items.push(['SADD', `${p}s`, i === 70 ? '' : `m${i}`]);
    const r = await bulk(one, items, { onError: (f) => failures.push(f) });
    expect(r.failed).toBe(2);
    expect(failures.map((f) => [f.index, f.command, f.error instanceof ResponseError, f.mayHaveRun])).toEqual([
      [40, 'ZADD', true, false],
      [170, 'SADD', true, false],
    ]);
    expect(await one.zcard(`${p}z`)).toBe(99);
    expect(await one.scard(`${p}s`)).toBe(99);
  });

  it('1,000 single-member ZADDs to one key go as a few commands, not 1,000', async () => {
    const p = prefix('grp-count');
    let zadds = 0;
    const peer = await startScriptedPeer((sock) =>
      readCommands(sock, (parts) => {
        if (parts[0]?.toUpperCase() === 'ZADD') {
          zadds++;
          sock.write(`:${(parts.length - 2) / 2}\r\n`);
        } else sock.write('+OK\r\n');
      }),
    );
    const c = new Ledis({ port: peer.port, connections: 1 });
    try {
      const r = await bulk(c, Array.from({ length: 1000 }, (_, i): BulkItem => ['ZADD', `${p}z`, i, `m${i}`]));
      expect(r.succeeded).toBe(1000);
      expect(zadds).toBeGreaterThan(0);
      expect(zadds).toBeLessThanOrEqual(10);
    } finally {
      c.disconnect();
      await peer.close();
    }
  });

  it('a refused group is retried item by item when nothing on its key went after it, else each item fails with the group\'s error', async () => {
    // A peer that refuses every ZADD of more than one member, and answers the rest.
    const seen: string[][] = [];
    const peer = await startScriptedPeer((sock) =>
      readCommands(sock, (parts) => {
        const name = parts[0]?.toUpperCase();
        if (name === 'ZADD' || name === 'SET') seen.push(parts);
        if (name === 'ZADD' && parts.length > 4) sock.write('-ERR refused group\r\n');
        else sock.write(name === 'ZADD' ? ':1\r\n' : '+OK\r\n');
      }),
    );
    const c = new Ledis({ port: peer.port, connections: 1 });
    try {
      // Three ZADDs to one key: one group, refused, nothing after it on the key: retried one by one.
      const failures: BulkFailure[] = [];
      const r1 = await bulk(c, [['ZADD', 'k', 1, 'a'], ['ZADD', 'k', 2, 'b'], ['ZADD', 'k', 3, 'c']], { onError: (f) => failures.push(f) });
      expect([r1.succeeded, r1.failed]).toEqual([3, 0]);
      expect(seen.map((s) => s.length)).toEqual([8, 4, 4, 4]);
      // A group, then a SET on the same key sent before the group's refusal arrives: not retried (the SET would
      // come first), each item fails with the group's error and was not applied.
      seen.length = 0;
      const r2 = await bulk(c, [['ZADD', 'k', 1, 'a'], ['ZADD', 'k', 2, 'b'], ['SET', 'k', 'v']], { onError: (f) => failures.push(f) });
      expect([r2.succeeded, r2.failed]).toEqual([1, 2]);
      expect(failures.map((f) => [f.index, (f.error as ResponseError).serverMessage, f.mayHaveRun])).toEqual([
        [0, 'ERR refused group', false],
        [1, 'ERR refused group', false],
      ]);
    } finally {
      c.disconnect();
      await peer.close();
    }
  });
});
