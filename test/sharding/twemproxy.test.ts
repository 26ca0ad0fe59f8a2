// The driver through twemproxy (nutcracker) in front of real LedisDB servers:
// what the proxy forwards works as against one server, what it refuses is
// measured here and refused by the driver with a ResponseError, and a dead
// server behind it fails only its own keys' callers.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clientMethods, commandTable } from '../../src/commands/index.js';
import { ConnectionError, Ledis, ResponseError } from '../../src/index.js';
import { KetamaRing } from '../../src/sharding/ketama.js';
import { TWEMPROXY_REFUSED } from '../../src/routing/twemproxy.js';
import { prefix } from '../helpers.js';
import { noNutcracker, start, type Shards } from './nutcracker.js';
// @ts-ignore -- plain ESM script
import { registeredCommands } from '../../tools/command-table.mjs';

function encode(args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/** Sends one command on a fresh connection: the first reply line, or null when the proxy closed without one. */
function probe(port: number, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let out = '';
    const done = (v: string | null) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(out === '' ? 'timeout' : out), 3000);
    sock.on('data', (d) => {
      out += d.toString('latin1');
      if (out.includes('\r\n')) done(out);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => done(out === '' ? null : out));
    sock.write(encode(args));
  });
}

describe.skipIf(noNutcracker)('through twemproxy (nutcracker, 2 LedisDB servers)', () => {
  let shards: Shards;
  let ledis: Ledis;
  let ring: KetamaRing;
  const p = prefix('twem');

  beforeAll(async () => {
    shards = await start({ count: 2 });
    ledis = new Ledis({ port: shards.proxy!.port, proxy: 'twemproxy' });
    ring = new KetamaRing(shards.members.map((m) => ({ name: `${m.host}:${m.port}`, weight: m.weight })));
  });
  afterAll(async () => {
    ledis?.disconnect();
    await shards?.stop();
  });

  it('forwards every LedisDB command except exactly the documented list (measured: 0 to 5 arguments each)', async () => {
    const names: string[] = [...new Set<string>(registeredCommands().map((c: { command: string }) => c.command.toUpperCase()))].sort();
    expect(names.length).toBeGreaterThan(140);
    const refused: string[] = [];
    for (const name of names) {
      let answered = false;
      for (let n = 0; n <= 5 && !answered; n++) {
        const args = n === 0 ? [name] : [name, `${p}probe`, ...new Array<string>(n - 1).fill('1')];
        answered = (await probe(shards.proxy!.port, args)) !== null;
      }
      if (!answered) refused.push(name);
    }
    expect(refused).toEqual([...TWEMPROXY_REFUSED].sort());
  });

  it("a refused command rejects with a ResponseError naming it, before sending; callers sharing the connection go on", async () => {
    await ledis.set(`${p}k`, 'v');
    const others = Array.from({ length: 50 }, () => ledis.get(`${p}k`));
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['HCLEAR', () => ledis.hclear(`${p}h`)],
      ['XSCAN', () => ledis.xscan('KV')],
      ['ZMCLEAR', () => ledis.zmclear(`${p}a`, `${p}b`)],
      ['LEXPIRE', () => ledis.lexpire(`${p}l`, 10)],
      ['BITOP', () => ledis.bitop('AND', `${p}d`, `${p}a`)],
      ['INFO', () => ledis.info()],
      ['XHSCAN', () => ledis.sendCommand('xhscan', `${p}h`, '')],
    ];
    for (const [name, call] of cases) {
      const err = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(ResponseError);
      expect((err as ResponseError).command).toBe(name);
      expect((err as Error).message).toContain(name);
      expect((err as Error).message).toContain('twemproxy');
    }
    expect(() => ledis.pipeline().hclear(`${p}h`)).toThrow(ResponseError);
    expect(await Promise.all(others)).toEqual(new Array(50).fill('v'));
    // Nothing reached the proxy: the shared connection was never closed under the other callers.
    expect(ledis.nodeStats()[0]!.ready).toBe(true);
  });

  it('without proxy: "twemproxy", the proxy closes the connection on such a command: a ConnectionError, then the client reconnects', async () => {
    const plain = new Ledis({ port: shards.proxy!.port });
    try {
      await plain.set(`${p}plain`, '1');
      await expect(plain.hclear(`${p}h`)).rejects.toBeInstanceOf(ConnectionError);
      expect(await plain.get(`${p}plain`)).toBe('1');
    } finally {
      plain.disconnect();
    }
  });

  it('single-key commands of every family it forwards behave as on one server', async () => {
    const k = (s: string) => `${p}${s}`;
    // KV
    expect(await ledis.set(k('s'), 'hello')).toBe(true);
    expect(await ledis.get(k('s'))).toBe('hello');
    expect(await ledis.append(k('s'), '!')).toBe(6);
    expect(await ledis.strlen(k('s'))).toBe(6);
    expect(await ledis.getrange(k('s'), 0, 1)).toBe('he');
    expect(await ledis.setrange(k('s'), 0, 'J')).toBe(6);
    expect(await ledis.getset(k('s'), 'x')).toBe('Jello!');
    expect(await ledis.incr(k('n'))).toBe(1);
    expect(await ledis.incrby(k('n'), 41)).toBe(42);
    expect(await ledis.decrby(k('n'), 2)).toBe(40);
    expect(await ledis.decr(k('n'))).toBe(39);
    expect(await ledis.setnx(k('n'), '0')).toBe(false);
    expect(await ledis.setex(k('e'), 100, 'v')).toBe(true);
    expect(await ledis.expire(k('s'), 100)).toBe(true);
    expect(await ledis.ttl(k('s'))).toBeGreaterThan(90);
    expect(await ledis.persist(k('s'))).toBe(true);
    expect(await ledis.exists(k('s'))).toBe(true);
    // hash
    expect(await ledis.hset(k('h'), 'f', 'v')).toBe(1);
    expect(await ledis.hmset(k('h'), { a: '1', b: '2' })).toBe(true);
    expect(await ledis.hget(k('h'), 'f')).toBe('v');
    expect(await ledis.hmget(k('h'), 'a', 'b', 'zz')).toEqual(['1', '2', null]);
    expect(await ledis.hgetall(k('h'))).toEqual({ f: 'v', a: '1', b: '2' });
    expect((await ledis.hkeys(k('h'))).sort()).toEqual(['a', 'b', 'f']);
    expect(await ledis.hlen(k('h'))).toBe(3);
    expect(await ledis.hincrby(k('h'), 'a', 9)).toBe(10);
    expect(await ledis.hexists(k('h'), 'a')).toBe(true);
    expect(await ledis.hdel(k('h'), 'a')).toBe(1);
    // list
    expect(await ledis.rpush(k('l'), 'a', 'b', 'c')).toBe(3);
    expect(await ledis.lpush(k('l'), 'z')).toBe(4);
    expect(await ledis.lrange(k('l'), 0, -1)).toEqual(['z', 'a', 'b', 'c']);
    expect(await ledis.lindex(k('l'), 1)).toBe('a');
    expect(await ledis.llen(k('l'))).toBe(4);
    expect(await ledis.lset(k('l'), 0, 'y')).toBe(true);
    expect(await ledis.lpop(k('l'))).toBe('y');
    expect(await ledis.rpop(k('l'))).toBe('c');
    // set
    expect(await ledis.sadd(k('set'), 'a', 'b')).toBe(2);
    expect(await ledis.smembers(k('set'))).toEqual(new Set(['a', 'b']));
    expect(await ledis.sismember(k('set'), 'a')).toBe(true);
    expect(await ledis.scard(k('set'))).toBe(2);
    expect(await ledis.srem(k('set'), 'a')).toBe(1);
    // zset
    expect(await ledis.zadd(k('z'), 1, 'a', 2, 'b', 3, 'c')).toBe(3);
    expect(await ledis.zscore(k('z'), 'b')).toBe(2);
    expect(await ledis.zrange(k('z'), 0, -1, { withscores: true })).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(await ledis.zrangebyscore(k('z'), 2, 3)).toEqual(['b', 'c']);
    expect(await ledis.zrank(k('z'), 'c')).toBe(2);
    expect(await ledis.zincrby(k('z'), 'a', 10)).toBe(11);
    expect(await ledis.zcount(k('z'), 0, 100)).toBe(3);
    expect(await ledis.zrem(k('z'), 'a')).toBe(1);
    expect(await ledis.zcard(k('z'))).toBe(2);
    // bit
    expect(await ledis.setbit(k('bits'), 7, 1)).toBe(0);
    expect(await ledis.getbit(k('bits'), 7)).toBe(1);
    expect(await ledis.bitcount(k('bits'))).toBe(1);
    expect(await ledis.bitpos(k('bits'), 1)).toBe(7);
    // one-key scans and a one-key script
    expect((await ledis.hscan(k('h')))[1].length).toBeGreaterThan(0);
    expect(await ledis.eval('return redis.call("GET", KEYS[1])', [k('n')])).toBe('39');
  });

  it('multi-key commands on one hash tag go to that tag\'s server (SINTER, SUNIONSTORE, RPOPLPUSH, EVAL with two keys)', async () => {
    const t = `{${p}tag}`;
    await ledis.sadd(`${t}:a`, 'x', 'y');
    await ledis.sadd(`${t}:b`, 'y', 'z');
    expect(await ledis.sinter(`${t}:a`, `${t}:b`)).toEqual(new Set(['y']));
    expect(await ledis.sunionstore(`${t}:u`, `${t}:a`, `${t}:b`)).toBe(3);
    await ledis.rpush(`${t}:src`, '1');
    expect(await ledis.rpoplpush(`${t}:src`, `${t}:dst`)).toBe('1');
    expect(await ledis.eval('return redis.call("LLEN", KEYS[2])', [`${t}:src`, `${t}:dst`])).toBe(1);
  });

  it('MGET, MSET and DEL spanning both servers are split by twemproxy and merged in order', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `${i}:${p}m`);
    const homes = new Set(keys.map((k) => ring.shardOf(k)));
    expect(homes.size).toBe(2);
    const pairs: Record<string, string> = {};
    keys.forEach((k, i) => (pairs[k] = `v${i}`));
    expect(await ledis.mset(pairs)).toBe(true);
    const got = await ledis.mget([...keys, `${p}missing`]);
    expect(got).toEqual([...keys.map((_, i) => `v${i}`), null]);
    expect(await ledis.delete(...keys.slice(0, 100))).toBe(100);
    expect((await ledis.mget(keys.slice(98, 102)))).toEqual([null, null, 'v100', 'v101']);
  });

  it('pipelines and auto-batched callers get every reply in their own order', async () => {
    const n = 5000;
    const pipe = ledis.pipeline();
    for (let i = 0; i < n; i++) pipe.set(`${p}pp${i}`, String(i)).incr(`${p}pc${i % 7}`);
    const out = (await pipe.exec()) as unknown[];
    expect(out.length).toBe(2 * n);
    const counters = new Array<number>(7).fill(0);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      if (out[2 * i] !== true) wrong++;
      counters[i % 7]!++;
      if (out[2 * i + 1] !== counters[i % 7]) wrong++;
    }
    expect(wrong).toBe(0);
    const concurrent = await Promise.all(Array.from({ length: n }, (_, i) => ledis.get(`${p}pp${i}`)));
    expect(concurrent.filter((v, i) => v !== String(i)).length).toBe(0);
  });

  it("one LedisDB killed behind the proxy: its keys' callers get clear errors, the other server's keep working", async () => {
    // Its own deployment: the kill must not touch the other tests' servers.
    const own = await start({ count: 2, timeout: 1000 });
    const client = new Ledis({ port: own.proxy!.port, proxy: 'twemproxy' });
    try {
      const r = new KetamaRing(own.members.map((m) => ({ name: `${m.host}:${m.port}`, weight: m.weight })));
      // Counters first: twemproxy's fnv1a_64 barely spreads keys that differ only in their last bytes.
      const keys = Array.from({ length: 200 }, (_, i) => `${i}:${p}f`);
      await Promise.all(keys.map((k) => client.set(k, 'ok')));
      await own.servers[0]!.kill();
      const results = await Promise.allSettled(keys.map((k) => client.get(k)));
      let deadFailed = 0;
      let liveOk = 0;
      results.forEach((res, i) => {
        const home = r.shardOf(keys[i]!);
        if (home === 0) {
          if (res.status === 'rejected') {
            deadFailed++;
            // twemproxy answers for the dead server: "GET: ERR Connection refused".
            expect(res.reason).toBeInstanceOf(ResponseError);
            expect((res.reason as ResponseError).command).toBe('GET');
            expect((res.reason as Error).message).toMatch(/connection refused/i);
          }
        } else if (res.status === 'fulfilled' && res.value === 'ok') {
          liveOk++;
        }
      });
      const onDead = keys.filter((k) => r.shardOf(k) === 0).length;
      expect(onDead).toBeGreaterThan(0);
      expect(deadFailed).toBe(onDead);
      expect(liveOk).toBe(keys.length - onDead);
      // The connection to the proxy survives: later commands on live keys still work.
      const live = keys.find((k) => r.shardOf(k) === 1)!;
      expect(await client.get(live)).toBe('ok');
    } finally {
      client.disconnect();
      await own.stop();
    }
  });
});

describe('the twemproxy refusal list', () => {
  it("docs/sharding.md's list of methods to avoid behind twemproxy is exactly the methods that send a refused command", () => {
    const expected = new Set<string>();
    for (const [method, spec] of Object.entries(commandTable)) if (TWEMPROXY_REFUSED.has(spec.command)) expected.add(method);
    // Methods outside the table: db(n)/select(n) (SELECT) are covered by "db must be 0"; quit() works (the proxy just closes).
    for (const [method, sent] of Object.entries(clientMethods)) {
      if (method !== 'db' && method !== 'quit' && sent.some((c) => TWEMPROXY_REFUSED.has(c))) expected.add(method);
    }
    const readme = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'sharding.md'), 'utf8');
    const start = readme.indexOf('<!-- twemproxy-refused:start -->');
    const end = readme.indexOf('<!-- twemproxy-refused:end -->');
    expect(start).toBeGreaterThan(0);
    const listed = new Set([...readme.slice(start, end).matchAll(/`(\w+)`/g)].map((m) => m[1] as string));
    expect([...listed].sort()).toEqual([...expected].sort());
  });

  it('names only commands of the command table (or QUIT/replication internals)', () => {
    const sent = new Set(Object.values(commandTable).map((s) => s.command));
    const internal = new Set(['QUIT', 'SYNC', 'FULLSYNC', 'REPLCONF', 'XSELECT', 'SELECT', 'SHUTDOWN']);
    const unknown = [...TWEMPROXY_REFUSED].filter((c) => !sent.has(c) && !internal.has(c));
    expect(unknown).toEqual([]);
  });
});
