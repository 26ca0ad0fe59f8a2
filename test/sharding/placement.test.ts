// The driver's ketama placement against a real twemproxy: keys written
// through the proxy are found on the shard the ring names, and keys written
// to that shard directly are read back through the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledis } from '../../src/index.js';
import { KetamaRing, fnv1a64, ketamaPoints } from '../../src/sharding/ketama.js';
import { noNutcracker, start, type Shards } from './nutcracker.js';

const KEYS = 10_000;

/** Keys of many shapes: plain, multi-byte UTF-8, hash-tagged, empty tags, and raw bytes >= 0x80. */
function keyAt(prefix: string, i: number): string | Buffer {
  switch (i % 6) {
    case 0:
      return `${prefix}${i}`;
    case 1:
      return `${prefix}ключ-${i}-✓`;
    case 2:
      return `{${prefix}user${i % 97}}:${i}`;
    case 3:
      return `${prefix}{}${i}`;
    case 4:
      return Buffer.concat([Buffer.from(prefix), Buffer.from([0x80 + (i % 128), 0xff, 0x00, 0x7f]), Buffer.from(String(i))]);
    default:
      return `${prefix}}{x}${i}`;
  }
}

describe('fnv1a_64 and ketama point counts, as twemproxy computes them', () => {
  it('hashes like twemproxy: 32-bit FNV-1a with the 64-bit basis truncated, signed chars', () => {
    // Hand-computed with twemproxy's C semantics: basis 0x84222325, prime 0x1b3.
    expect(fnv1a64(Buffer.from(''))).toBe(0x84222325);
    let h = 0x84222325;
    h = Math.imul(h ^ 0x61, 0x1b3) >>> 0;
    expect(fnv1a64(Buffer.from('a'))).toBe(h);
    // 0xff is the char -1: every high bit set by sign extension, not 0x000000ff.
    const signed = Math.imul(0x84222325 ^ 0xffffffff, 0x1b3) >>> 0;
    expect(fnv1a64(Buffer.from([0xff]))).toBe(signed);
  });

  it('gives points in float32 like nc_ketama.c (equal weights: 160 each, except where float rounding drops 4)', () => {
    expect(ketamaPoints([1, 1])).toEqual([160, 160]);
    expect(ketamaPoints([1, 2, 1])).toEqual([120, 240, 120]);
    expect(ketamaPoints(new Array(25).fill(1))[0]).toBe(156);
  });
});

describe('ketama names', () => {
  it('any name a twemproxy config can hold places keys on every server; a name the ring cannot hold is refused', () => {
    for (const names of [['/tmp/a.sock', '/tmp/b.sock'], ['shard-b', 'a:b:c', 'constructor'], ['[::1]:6380', '127.0.0.1:6380']]) {
      const ring = new KetamaRing(names.map((name) => ({ name })));
      const seen = new Set<number>();
      for (let i = 0; i < 2000; i++) seen.add(ring.shardOf(`${i}:k`));
      expect(seen.size, names.join(',')).toBe(names.length);
    }
    expect(() => new KetamaRing([{ name: '__proto__' }, { name: 'b' }])).toThrow(/cannot be used/);
    expect(() => new KetamaRing([{ name: 'a', weight: 0 }])).toThrow(/weight/);
    expect(() => new KetamaRing([{ name: 'a' }], '{')).toThrow(/hashTag/);
  });
});

describe.skipIf(noNutcracker)('placement equals twemproxy (fnv1a_64, ketama, hash_tag "{}")', () => {
  const configs: Array<{ label: string; count: number; weights: number[]; names: string[] | boolean }> = [
    { label: 'host:port:weight, weights 1,2,1', count: 3, weights: [1, 2, 1], names: false },
    { label: 'named servers, weights 3,1', count: 2, weights: [3, 1], names: ['alpha', 'beta'] },
  ];
  for (const cfg of configs) {
    describe(cfg.label, () => {
      let shards: Shards;
      let proxy: Ledis;
      let direct: Ledis[];
      let ring: KetamaRing;
      let sharded: Ledis;
      beforeAll(async () => {
        shards = await start({ count: cfg.count, weights: cfg.weights, names: cfg.names });
        proxy = new Ledis({ port: shards.proxy!.port });
        direct = shards.servers.map((s) => new Ledis({ port: s.port }));
        ring = new KetamaRing(shards.members.map((m) => ({ name: m.name ?? `${m.host}:${m.port}`, weight: m.weight })));
        // The direct client: named servers as twemproxy's own server lines, the others as { url, weight }.
        sharded = new Ledis({
          shards: cfg.names ? shards.lines : shards.servers.map((s, i) => ({ url: s.url, weight: cfg.weights[i] })),
        });
      });
      afterAll(async () => {
        await Promise.all([proxy?.quit(), sharded?.quit(), ...(direct ?? []).map((d) => d.quit())]);
        await shards?.stop();
      });

      it(`${KEYS} keys written through twemproxy are each on the shard the ring names, and only there`, async () => {
        const keys = Array.from({ length: KEYS }, (_, i) => keyAt('p:', i));
        const write = proxy.pipeline();
        keys.forEach((k, i) => write.set(k, `v${i}`));
        await write.exec();
        const perShard = direct.map(() => 0);
        const reads = direct.map((d) => {
          const p = d.pipeline();
          keys.forEach((k) => p.get(k));
          return p.exec() as Promise<unknown[]>;
        });
        const values = await Promise.all(reads);
        let misplaced = 0;
        keys.forEach((k, i) => {
          const home = ring.shardOf(k);
          perShard[home]!++;
          values.forEach((vals, s) => {
            const expected = s === home ? `v${i}` : null;
            if (vals[i] !== expected) misplaced++;
          });
        });
        expect(misplaced).toBe(0);
        // And new Ledis({ shards }) finds every one of them.
        const read = sharded.pipeline();
        keys.forEach((k) => read.get(k));
        const viaShards = (await read.exec()) as unknown[];
        expect(viaShards.filter((v, i) => v !== `v${i}`).length).toBe(0);
        // Every shard got a share: the comparison means something.
        for (const n of perShard) expect(n).toBeGreaterThan(KEYS / 10);
      });

      it(`${KEYS} keys written by new Ledis({ shards }) are read back through twemproxy`, async () => {
        const keys = Array.from({ length: KEYS }, (_, i) => keyAt('d:', i));
        const write = sharded.pipeline();
        keys.forEach((k, i) => write.set(k, `w${i}`));
        await write.exec();
        for (let i = 0; i < KEYS; i += 97) expect(sharded.shardOf(keys[i]!)).toBe(ring.shardOf(keys[i]!));
        const read = proxy.pipeline();
        keys.forEach((k) => read.get(k));
        const values = (await read.exec()) as unknown[];
        const wrong = values.filter((v, i) => v !== `w${i}`).length;
        expect(wrong).toBe(0);
      });
    });
  }
});
