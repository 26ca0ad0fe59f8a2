// new Ledis({ shards }) against three real LedisDB servers (no proxy):
// routing by key, split-and-merge of multi-key commands, pipelines in the
// caller's order, refusals, scans over every shard, and a lost shard.
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, DataError, Ledis, PipelineError, ResponseError } from '../../src/index.js';
import { prefix } from '../helpers.js';
import { start, type Shards } from './nutcracker.js';

describe('new Ledis({ shards }) over three LedisDB servers', () => {
  let shards: Shards;
  let ledis: Ledis;
  let direct: Ledis[];
  const p = prefix('shard');
  /** Keys that vary early, so fnv1a_64 spreads them (it barely moves keys differing only at the end). */
  const key = (i: number, s = '') => `${i}:${p}${s}`;

  beforeAll(async () => {
    shards = await start({ count: 3, proxy: false });
    ledis = new Ledis({ shards: shards.servers.map((s) => s.url) });
    direct = shards.servers.map((s) => new Ledis({ port: s.port }));
  });
  afterAll(async () => {
    await Promise.all([ledis?.quit(), ...(direct ?? []).map((d) => d.quit())]);
    await shards?.stop();
  });

  it('a single-key command goes to its shard only; every shard gets keys', async () => {
    const n = 600;
    await Promise.all(Array.from({ length: n }, (_, i) => ledis.set(key(i), `v${i}`)));
    const counts = [0, 0, 0];
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const home = ledis.shardOf(key(i));
      counts[home]!++;
      const seen = await Promise.all(direct.map((d) => d.get(key(i))));
      seen.forEach((v, s) => {
        if (v !== (s === home ? `v${i}` : null)) wrong++;
      });
    }
    expect(wrong).toBe(0);
    for (const c of counts) expect(c).toBeGreaterThan(n / 10);
    expect(ledis.shardCount).toBe(3);
  });

  it('MGET, MSET, DEL and *MCLEAR spanning shards are split and merged in the caller\'s order', async () => {
    const keys = Array.from({ length: 90 }, (_, i) => key(i, 'm'));
    expect(new Set(keys.map((k) => ledis.shardOf(k))).size).toBe(3);
    const pairs: Record<string, string> = {};
    keys.forEach((k, i) => (pairs[k] = `m${i}`));
    expect(await ledis.mset(pairs)).toBe(true);
    expect(await ledis.mget([...keys, key(999, 'none')])).toEqual([...keys.map((_, i) => `m${i}`), null]);
    expect(await ledis.sendCommand('MGET', keys[5]!, keys[6]!, keys[7]!)).toEqual(['m5', 'm6', 'm7']);
    expect(await ledis.delete(...keys.slice(0, 30))).toBe(30);
    expect(await ledis.mget(keys.slice(28, 32))).toEqual([null, null, 'm30', 'm31']);
    const hashes = keys.slice(0, 12);
    await Promise.all(hashes.map((h) => ledis.hset(h, 'f', '1')));
    expect(await ledis.hmclear(...hashes)).toBe(12);
    expect(await Promise.all(hashes.map((h) => ledis.hlen(h)))).toEqual(new Array(12).fill(0));
  });

  it('a pipeline is split by shard and its results come back in the caller\'s order, with each failure in its own slot', async () => {
    const pipe = ledis.pipeline();
    const n = 3000;
    for (let i = 0; i < n; i++) pipe.set(key(i, 'p'), String(i)).incr(key(i % 17, 'pc'));
    pipe.get(key(7, 'p'));
    pipe.mget([key(1, 'p'), key(2, 'p'), key(3, 'p')]);
    let other = 2;
    while (ledis.shardOf(key(other, 's')) === ledis.shardOf(key(1, 's'))) other++;
    pipe.sinter(key(1, 's'), key(other, 's')); // keys on different shards: refused in its slot
    pipe.incr(key(1, 'p')).set(key(1, 'p'), 'x').incr(key(1, 'p')); // a server error in its slot
    const err = (await pipe.exec().catch((e: unknown) => e)) as PipelineError;
    expect(err).toBeInstanceOf(PipelineError);
    const counters = new Array<number>(17).fill(0);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      if (err.results[2 * i] !== true) wrong++;
      if (err.results[2 * i + 1] !== ++counters[i % 17]!) wrong++;
    }
    expect(wrong).toBe(0);
    expect(err.results[2 * n]).toBe('7');
    expect(err.results[2 * n + 1]).toEqual(['1', '2', '3']);
    expect(err.errors[2 * n + 2]).toBeInstanceOf(DataError);
    expect(err.errors[2 * n + 2]!.message).toContain('SINTER');
    expect(err.results[2 * n + 3]).toBe(2);
    expect(err.results[2 * n + 4]).toBe(true);
    expect(err.errors[2 * n + 5]).toBeInstanceOf(ResponseError);
    expect(err.errors.filter(Boolean).length).toBe(2);
  });

  it('commands whose keys span shards are refused with a DataError unless a hash tag keeps them on one shard', async () => {
    const a = key(1, 'x');
    let b = key(2, 'x');
    for (let i = 3; ledis.shardOf(b) === ledis.shardOf(a); i++) b = key(i, 'x');
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['SINTER', () => ledis.sinter(a, b)],
      ['SUNIONSTORE', () => ledis.sunionstore(a, b)],
      ['BITOP', () => ledis.bitop('OR', a, b)],
      ['RPOPLPUSH', () => ledis.rpoplpush(a, b)],
      ['EVAL', () => ledis.eval('return 1', [a, b])],
      ['ZUNIONSTORE', () => ledis.zunionstore(a, [a, b])],
      ['BLPOP', () => ledis.blpop([a, b], 1)],
    ];
    for (const [name, call] of cases) {
      const e = await call().then(() => null, (x: unknown) => x);
      expect(e, name).toBeInstanceOf(DataError);
      expect((e as DataError).command, name).toBe(name);
      expect((e as Error).message).toMatch(/different shards/);
    }
    // The same commands on one hash tag run on that tag's shard.
    const t = `{${p}user1}`;
    await ledis.sadd(`${t}:a`, 'x', 'y');
    await ledis.sadd(`${t}:b`, 'y');
    expect(ledis.shardOf(`${t}:a`)).toBe(ledis.shardOf(`${t}:b`));
    expect(await ledis.sinter(`${t}:a`, `${t}:b`)).toEqual(new Set(['y']));
    expect(await ledis.sunionstore(`${t}:u`, `${t}:a`, `${t}:b`)).toBe(2);
    expect(await ledis.eval('return redis.call("SCARD", KEYS[2])', [`${t}:a`, `${t}:u`])).toBe(2);
  });

  it('keyless commands are refused with a DataError naming them; shard(i) runs them on one shard', async () => {
    for (const [name, call] of [
      ['PING', () => ledis.ping()],
      ['FLUSHDB', () => ledis.flushdb()],
      ['XSCAN', () => ledis.xscan('KV')],
      ['INFO', () => ledis.info()],
      ['EVAL', () => ledis.eval('return 1')],
      ['ECHO', () => ledis.sendCommand('echo', 'hi')],
    ] as Array<[string, () => Promise<unknown>]>) {
      const e = await call().then(() => null, (x: unknown) => x);
      expect(e, name).toBeInstanceOf(DataError);
      expect((e as DataError).command).toBe(name);
    }
    expect(await ledis.shard(2).ping()).toBe(true);
    expect(() => ledis.shard(3)).toThrow(DataError);
  });

  it('scanIterator visits every shard: each key exactly once', async () => {
    const tag = `${p}scan`;
    const keys = Array.from({ length: 150 }, (_, i) => `${i}:${tag}`);
    await ledis.mset(Object.fromEntries(keys.map((k) => [k, '1'])));
    const seen: string[] = [];
    for await (const k of ledis.scanIterator({ type: 'KV', match: `.*${tag}$`, count: 20 })) seen.push(k);
    expect(seen.sort()).toEqual([...keys].sort());
    await ledis.hset(key(5, 'h'), 'a', '1');
    const fields: string[] = [];
    for await (const [f] of ledis.hscanIterator(key(5, 'h'))) fields.push(f);
    expect(fields).toEqual(['a']);
  });

  it('db(n) is the same shards on db n; events of every shard reach the sharded client', async () => {
    const db3 = ledis.db(3);
    expect(db3.shardCount).toBe(3);
    await db3.set(key(1, 'db'), 'three');
    expect(await db3.get(key(1, 'db'))).toBe('three');
    expect(await ledis.get(key(1, 'db'))).toBeNull();
    const home = direct[ledis.shardOf(key(1, 'db'))]!;
    expect(await home.db(3).get(key(1, 'db'))).toBe('three');

    const fresh = new Ledis({ shards: shards.servers.map((s) => s.url), lazyConnect: true });
    const ready: unknown[] = [];
    fresh.on('ready', () => ready.push(1));
    await fresh.connect();
    expect(ready.length).toBe(3);
    await fresh.quit();
  });

  it('db(n) of shards given as URLs with a db path (ledis://host:port/0) is on db n, not the path\'s db', async () => {
    const withPath = new Ledis({ shards: shards.servers.map((s) => `${s.url}/0`) });
    try {
      const k = key(2, 'dbpath');
      await withPath.db(4).set(k, 'four');
      const home = direct[withPath.shardOf(k)]!;
      expect(await home.get(k)).toBeNull();
      expect(await home.db(4).get(k)).toBe('four');
      expect(await withPath.get(k)).toBeNull();
      expect(await withPath.db(4).get(k)).toBe('four');
      // A quit db client is dropped from the cache, as without shards: db(4) opens new connections.
      await withPath.db(4).quit();
      expect(await withPath.db(4).get(k)).toBe('four');
    } finally {
      await withPath.quit();
    }
  });

  it('a shard may be a { master, replicas } topology or a twemproxy line (host:port:weight name)', async () => {
    const [s0, s1, s2] = shards.servers as [Shards['servers'][0], Shards['servers'][0], Shards['servers'][0]];
    const mixed = new Ledis({
      shards: [{ master: s0.url, replicas: [] }, `${s1.host}:${s1.port}:1`, { url: s2.url }],
    });
    try {
      // Names default to host:port, so placement is the URL client's.
      for (let i = 0; i < 50; i++) expect(mixed.shardOf(key(i))).toBe(ledis.shardOf(key(i)));
      expect(await mixed.get(key(10))).toBe('v10');
      expect(mixed.nodeStats().map((n) => n.role)).toEqual(['master', 'master', 'master']);
    } finally {
      await mixed.quit();
    }
    // Passwords in shard URLs and objects never show in inspect or JSON.
    const secret = new Ledis({
      shards: [`ledis://:s3cret@127.0.0.1:${s0.port}`, { master: { host: '127.0.0.1', port: s1.port, password: 's3cret' } }, `ledis://u:s3cret@127.0.0.1:${s2.port}`],
      lazyConnect: true,
    });
    const shown = `${inspect(secret)} ${JSON.stringify(secret)} ${inspect(secret.options)} ${JSON.stringify(secret.options)}`;
    expect(shown).not.toContain('s3cret');
    expect(shown).toContain('[redacted]');
    secret.disconnect();
    expect(() => new Ledis({ shards: [] })).toThrow(DataError);
    expect(() => new Ledis({ shards: ['not a shard'] })).toThrow(DataError);
    expect(() => new Ledis({ shards: [s0.url, s0.url] })).toThrow(/two shards/);
  });
});

describe('a shard that is a master with a replica', () => {
  it("reads go where the shard's readFrom says, writes to its master; master() reads from the masters", async () => {
    // @ts-ignore -- plain ESM script
    const { startLedisServer } = await import('../../tools/server.mjs');
    const master = await startLedisServer({ replication: true, quiet: true });
    const replica = await startLedisServer({ slaveof: master.address, quiet: true });
    const other = await startLedisServer({ quiet: true });
    const ledis = new Ledis({ shards: [{ master: master.url, replicas: [replica.url], readFrom: 'replica' }, other.url] });
    const p = prefix('rpl');
    try {
      let k = `0:${p}`;
      for (let i = 1; ledis.shardOf(k) !== 0; i++) k = `${i}:${p}`;
      await ledis.set(k, 'v');
      let seen: string | null = null;
      for (let i = 0; i < 100 && seen === null; i++) {
        seen = await ledis.get(k);
        if (seen === null) await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toBe('v');
      const stats = ledis.nodeStats();
      expect(stats.map((s) => s.role)).toEqual(['master', 'replica', 'master']);
      expect(stats[1]!.commands).toBeGreaterThan(0);
      const before = stats[0]!.commands;
      expect(await ledis.master().get(k)).toBe('v');
      expect(ledis.nodeStats()[0]!.commands).toBe(before + 1);
    } finally {
      await ledis.quit();
      await Promise.all([replica.stop(), master.stop(), other.stop()]);
    }
  });
});

describe('a lost shard', () => {
  it("fails its own keys' callers with ConnectionErrors, never moves them, and leaves the other shards untouched", async () => {
    const own = await start({ count: 2, proxy: false });
    const ledis = new Ledis({ shards: own.servers.map((s) => s.url), offlineTimeout: 300 });
    ledis.on('error', () => undefined);
    const p = prefix('lost');
    try {
      const keys = Array.from({ length: 100 }, (_, i) => `${i}:${p}`);
      await Promise.all(keys.map((k) => ledis.set(k, 'ok')));
      await own.servers[0]!.kill();
      const results = await Promise.allSettled(keys.map((k) => ledis.set(k, 'again')));
      let deadFailed = 0;
      let liveOk = 0;
      results.forEach((r, i) => {
        const home = ledis.shardOf(keys[i]!);
        if (home === 0 && r.status === 'rejected' && r.reason instanceof ConnectionError) deadFailed++;
        if (home === 1 && r.status === 'fulfilled') liveOk++;
      });
      const onDead = keys.filter((k) => ledis.shardOf(k) === 0).length;
      expect(onDead).toBeGreaterThan(0);
      expect(deadFailed).toBe(onDead);
      expect(liveOk).toBe(keys.length - onDead);
      // Nothing was re-hashed onto the live shard.
      const live = new Ledis({ port: own.servers[1]!.port });
      const onLive = await live.mget(keys.filter((k) => ledis.shardOf(k) === 0));
      expect(onLive.every((v) => v === null)).toBe(true);
      await live.quit();
    } finally {
      ledis.disconnect();
      await own.stop();
    }
  });
});
