// The pairs beyond GET/MGET and SET/MSET (issue 27 item 3), each exact on
// LedisDB by its source: single-key DELs as one DEL (LedisDB's DEL answers the
// number of keys it was given, ledis/t_kv.go Del), HGETs of one hash as one
// HMGET (both check key and field sizes and read each field, ledis/t_hash.go).
// Each is checked against the same commands sent one by one on the real server.
import { afterAll, describe, expect, it } from 'vitest';
import type { Ledis } from '../../src/index.js';
import { client, prefix } from '../helpers.js';
import { COALESCE_EAGERLY } from '../support/coalesce.js';

const p = prefix('pairs');
const coalesced = client({ connections: 1, ...COALESCE_EAGERLY });
const plain = client({ connections: 1, coalesce: false });
afterAll(() => Promise.all([coalesced.quit(), plain.quit()]));

/** Top-level replies read on the client's connection so far: commands on the wire (an HMGET is one). */
function wire(ledis: Ledis): number {
  return (ledis.connectionPool.sharedList[0] as unknown as { replies: number }).replies;
}

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/**
 * One round of random HGET/HSET/HDEL/DEL/SET/GET/EXISTS on a few hashes and
 * keys under `ns`, all issued in one tick; what each caller got.
 */
function round(ledis: Ledis, ns: string, seed: number): Promise<unknown[]> {
  const next = rng(seed);
  const hashes = [`${ns}h0`, `${ns}h1`, `${ns}h2`];
  const keys = [`${ns}k0`, `${ns}k1`, `${ns}k2`, `${ns}k3`, `${ns}h0`];
  const fields = ['a', 'b', 'c', 'd', 'ü'];
  const calls: Promise<unknown>[] = [];
  const settle = (q: Promise<unknown>): Promise<unknown> => q.then((v) => v, (e: Error) => `error: ${e.constructor.name}`);
  for (let i = 0; i < 1500; i++) {
    const r = next();
    const h = hashes[Math.floor(next() * hashes.length)] as string;
    const k = keys[Math.floor(next() * keys.length)] as string;
    const f = fields[Math.floor(next() * fields.length)] as string;
    if (r < 0.45) calls.push(settle(ledis.hget(h, f)));
    else if (r < 0.55) calls.push(settle(ledis.hset(h, f, `v${i}`)));
    else if (r < 0.6) calls.push(settle(ledis.hdel(h, f)));
    else if (r < 0.8) calls.push(settle(ledis.delete(k)));
    else if (r < 0.9) calls.push(settle(ledis.set(k, `s${i}`)));
    else if (r < 0.95) calls.push(settle(ledis.get(k)));
    else calls.push(settle(ledis.exists(k)));
  }
  return Promise.all(calls);
}

describe('HGET -> HMGET and DEL -> DEL, against one by one on the real server', () => {
  it('1,500 random HGET/HSET/HDEL/DEL/SET/GET/EXISTS per round in one tick: every caller gets what the same commands one by one give, and the HGETs and DELs went out grouped', async () => {
    // Connected first: commands queued while connecting go one by one.
    await Promise.all([coalesced.ping(), plain.ping()]);
    for (let r = 0; r < 5; r++) {
      const before = wire(coalesced);
      const a = await round(coalesced, `${p}c${r}:`, 77 + r);
      const sent = wire(coalesced) - before;
      const b = await round(plain, `${p}p${r}:`, 77 + r);
      expect(a).toEqual(b);
      expect(sent).toBeLessThan(1500);
    }
  });

  it('DELs of one key each answer 1, existing or not, alone or grouped (LedisDB counts the keys given)', async () => {
    await coalesced.set(`${p}d1`, 'x');
    const got = await Promise.all([coalesced.delete(`${p}d1`), coalesced.delete(`${p}d-missing`), coalesced.delete(`${p}d1`), coalesced.sendCommand('DEL', `${p}d2`)]);
    const alone = await Promise.all([plain.delete(`${p}d1`), plain.delete(`${p}d-missing`)]);
    expect(got).toEqual([1, 1, 1, 1]);
    expect(alone).toEqual([1, 1]);
    expect(await coalesced.get(`${p}d1`)).toBeNull();
  });

  it('HGETs of different hashes, or with a field the server would refuse, are not folded into one HMGET: each caller its own reply or error', async () => {
    await coalesced.hset(`${p}x`, 'f', '1');
    await coalesced.hset(`${p}y`, 'f', '2');
    const long = 'f'.repeat(1025);
    const settle = (q: Promise<unknown>): Promise<unknown> => q.then((v) => v, (e: Error) => `error: ${e.constructor.name}`);
    const a = await Promise.all([coalesced.hget(`${p}x`, 'f'), coalesced.hget(`${p}y`, 'f'), settle(coalesced.hget(`${p}x`, long)), coalesced.hget(`${p}x`, 'f')].map(settle));
    const b = await Promise.all([plain.hget(`${p}x`, 'f'), plain.hget(`${p}y`, 'f'), settle(plain.hget(`${p}x`, long)), plain.hget(`${p}x`, 'f')].map(settle));
    expect(a).toEqual(['1', '2', 'error: ResponseError', '1']);
    expect(a).toEqual(b);
  });
});
