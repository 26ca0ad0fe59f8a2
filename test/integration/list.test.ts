import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ResponseError } from '../../src/index.js';
import { client, prefix, until } from '../helpers.js';

const ledis = client();
const raw = client({ decodeResponses: false });
const p = prefix('list');
afterAll(() => Promise.all([ledis.quit(), raw.quit()]));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('list commands against LedisDB', () => {
  it('rpush and lpush take values spread or as an array and answer the new length; lrange and lindex read them', async () => {
    const k = `${p}push`;
    expect(await ledis.rpush(k, 'b', 'c')).toBe(2);
    expect(await ledis.rpush(k, ['d', 'e'])).toBe(4);
    expect(await ledis.lpush(k, 'a', 1)).toBe(6);
    expect(await ledis.lrange(k, 0, -1)).toEqual(['1', 'a', 'b', 'c', 'd', 'e']);
    expect(await ledis.lrange(k, 1, 2)).toEqual(['a', 'b']);
    expect(await ledis.lindex(k, 0)).toBe('1');
    expect(await ledis.lindex(k, -1)).toBe('e');
    expect(await ledis.lindex(k, 99)).toBeNull();
    expect(await ledis.llen(k)).toBe(6);
  });

  it('lpop and rpop take from either end and answer null once the list is empty', async () => {
    const k = `${p}pop`;
    await ledis.rpush(k, 'a', 'b', 'c');
    expect(await ledis.lpop(k)).toBe('a');
    expect(await ledis.rpop(k)).toBe('c');
    expect(await ledis.rpop(k)).toBe('b');
    expect(await ledis.lpop(k)).toBeNull();
    expect(await ledis.llen(k)).toBe(0);
    expect(await ledis.lrange(k, 0, -1)).toEqual([]);
  });

  it('refuses a push with no values and non-integer indexes with a DataError before sending', async () => {
    const k = `${p}bad`;
    await expect(ledis.lpush(k)).rejects.toThrow(/LPUSH: needs at least one value/);
    await expect(ledis.rpush(k, [])).rejects.toBeInstanceOf(DataError);
    await expect(ledis.lrange(k, 0, 1.5)).rejects.toThrow(/LRANGE: end must be an integer/);
    await expect(ledis.lindex(k, '1' as never)).resolves.toBeNull();
    await expect(ledis.lindex(k, 'x' as never)).rejects.toBeInstanceOf(DataError);
    await expect(ledis.rpush(k, undefined as never)).rejects.toThrow(/RPUSH: argument 2 is undefined/);
    expect(await ledis.lkeyexists(k)).toBe(false);
  });

  it('lset replaces an item and refuses an index past the end; on a missing list LedisDB answers OK and stores nothing', async () => {
    const k = `${p}set`;
    await ledis.rpush(k, 'a', 'b');
    expect(await ledis.lset(k, -1, 'B')).toBe(true);
    expect(await ledis.lrange(k, 0, -1)).toEqual(['a', 'B']);
    await expect(ledis.lset(k, 5, 'x')).rejects.toThrow(/LSET: invalid list index/);
    expect(await ledis.lset(`${p}set-missing`, 0, 'x')).toBe(true);
    expect(await ledis.lkeyexists(`${p}set-missing`)).toBe(false);
  });

  it('ltrim keeps a range; ltrimFront and ltrimBack drop a count from either end and answer how many went', async () => {
    const k = `${p}trim`;
    await ledis.rpush(k, 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    expect(await ledis.ltrim(k, 1, -2)).toBe(true);
    expect(await ledis.lrange(k, 0, -1)).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(await ledis.ltrimFront(k, 2)).toBe(2);
    expect(await ledis.ltrimBack(k, 1)).toBe(1);
    expect(await ledis.lrange(k, 0, -1)).toEqual(['d', 'e']);
    expect(await ledis.ltrimBack(k, 10)).toBe(2);
    expect(await ledis.lkeyexists(k)).toBe(false);
    await expect(ledis.ltrimFront(k, -1)).rejects.toThrow(/LTRIM_FRONT: count must be an integer/);
  });

  it('rpoplpush moves the tail of one list to the head of another, rotates a list onto itself, and answers null when empty', async () => {
    const src = `${p}src`;
    const dst = `${p}dst`;
    await ledis.rpush(src, 'a', 'b', 'c');
    expect(await ledis.rpoplpush(src, dst)).toBe('c');
    expect(await ledis.lrange(dst, 0, -1)).toEqual(['c']);
    expect(await ledis.rpoplpush(src, src)).toBe('b');
    expect(await ledis.lrange(src, 0, -1)).toEqual(['b', 'a']);
    expect(await ledis.rpoplpush(`${p}empty`, dst)).toBeNull();
  });

  it('LPUSH foo, SET foo and HSET foo live side by side; DEL leaves the list and LCLEAR leaves the others', async () => {
    const k = `${p}foo`;
    await ledis.rpush(k, 'x', 'y');
    await ledis.set(k, 'kv');
    await ledis.hset(k, 'f', 'h');
    expect(await ledis.delete(k)).toBe(1);
    expect(await ledis.lrange(k, 0, -1)).toEqual(['x', 'y']);
    await ledis.set(k, 'kv');
    expect(await ledis.lclear(k)).toBe(2);
    expect(await ledis.lclear(k)).toBe(0);
    expect(await ledis.get(k)).toBe('kv');
    expect(await ledis.hget(k, 'f')).toBe('h');
  });

  it('lmclear clears several lists and answers the number of names given (LedisDB)', async () => {
    await ledis.rpush(`${p}m1`, 'a');
    await ledis.rpush(`${p}m2`, 'a');
    expect(await ledis.lmclear([`${p}m1`, `${p}m2`], `${p}m3`)).toBe(3);
    expect(await ledis.llen(`${p}m1`)).toBe(0);
    expect(await ledis.llen(`${p}m2`)).toBe(0);
  });

  it('lexpire, lexpireat, lttl and lpersist act on the list only; lttl of a missing list is -1', async () => {
    const k = `${p}ttl`;
    expect(await ledis.lttl(k)).toBe(-1);
    expect(await ledis.lexpire(k, 10)).toBe(false);
    await ledis.rpush(k, 'a');
    expect(await ledis.lexpire(k, 50)).toBe(true);
    expect(await ledis.lttl(k)).toBeGreaterThan(45);
    expect(await ledis.lexpireat(k, new Date(Date.now() + 200_000))).toBe(true);
    expect(await ledis.lttl(k)).toBeGreaterThan(195);
    expect(await ledis.lpersist(k)).toBe(true);
    expect(await ledis.lpersist(k)).toBe(false);
    expect(await ledis.lttl(k)).toBe(-1);
    expect(await ledis.lkeyexists(k)).toBe(true);
  });

  it('ldump returns the serialized list as a Buffer that RESTORE brings back', async () => {
    const k = `${p}dump`;
    await ledis.rpush(k, 'a', 'b');
    const dump = await ledis.ldump(k);
    expect(Buffer.isBuffer(dump)).toBe(true);
    expect(await ledis.restore(`${p}restored`, 0, dump as Buffer)).toBe(true);
    expect(await ledis.lrange(`${p}restored`, 0, -1)).toEqual(['a', 'b']);
    expect(await ledis.ldump(`${p}no-dump`)).toBeNull();
  });

  it('with decodeResponses off, items come back as Buffers', async () => {
    const k = `${p}raw`;
    await raw.rpush(k, Buffer.from([0xfe, 0xff]), 'b');
    expect(await raw.lrange(k, 0, -1)).toEqual([Buffer.from([0xfe, 0xff]), Buffer.from('b')]);
    expect(await raw.lpop(k)).toEqual(Buffer.from([0xfe, 0xff]));
  });
});

describe('blocking pops', () => {
  it('blpop answers [key, item] from the first non-empty list at once (LedisDB nests the pair; it is unwrapped)', async () => {
    const a = `${p}bl-a`;
    const b = `${p}bl-b`;
    await ledis.rpush(b, 'b1', 'b2');
    expect(await ledis.blpop([a, b], 1)).toEqual([b, 'b1']);
    expect(await ledis.brpop([a, b], 1)).toEqual([b, 'b2']);
  });

  it('blpop resolves null after a fractional-second timeout', async () => {
    const started = Date.now();
    expect(await ledis.blpop(`${p}bl-none`, 0.2)).toBeNull();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(3000);
  });

  it('a waiting blpop does not stall the shared connection, and takes an item pushed meanwhile', async () => {
    const k = `${p}bl-wait`;
    const popped = ledis.blpop(k, 5);
    let popSettled = false;
    void popped.then(
      () => (popSettled = true),
      () => (popSettled = true),
    );
    // The BLPOP is on the wire, blocking its connection (a bound on the wait, not an expectation on time).
    expect(await until(() => ledis.connectionPool.connections.some((c) => c.blocked), 5000)).toBe(true);
    expect(await ledis.ping()).toBe(true);
    // Answered while the pop still waits (queued behind it, PING would wait its 5 s and the pop would answer null
    // first); this was a 500 ms bound on PING + RPUSH, which a loaded machine can break with no stall at all.
    expect(popSettled).toBe(false);
    expect(await ledis.rpush(k, 'late')).toBe(1);
    expect(await popped).toEqual([k, 'late']);
    expect(await ledis.llen(k)).toBe(0);
  });

  it('several blocking pops wait at once, each on its own connection', async () => {
    const keys = [0, 1, 2].map((i) => `${p}bl-many${i}`);
    const pops = keys.map((k) => ledis.brpop(k, 5));
    await sleep(100);
    for (const k of keys) await ledis.rpush(k, `v-${k}`);
    expect(await Promise.all(pops)).toEqual(keys.map((k) => [k, `v-${k}`]));
  });

  it('refuses a negative or non-numeric timeout and an empty key list before sending', async () => {
    await expect(ledis.blpop(`${p}x`, -1)).rejects.toThrow(/BLPOP: timeout must be a number of seconds >= 0/);
    await expect(ledis.brpop(`${p}x`, '1' as never)).rejects.toBeInstanceOf(DataError);
    await expect(ledis.blpop([], 1)).rejects.toThrow(/BLPOP: needs at least one key/);
    await expect(ledis.brpoplpush(`${p}x`, `${p}y`, Number.NaN)).rejects.toBeInstanceOf(DataError);
  });

  it('brpoplpush resolves null after its timeout when the source stays empty', async () => {
    expect(await ledis.brpoplpush(`${p}bpl-empty`, `${p}bpl-dst`, 0.1)).toBeNull();
    expect(await ledis.llen(`${p}bpl-dst`)).toBe(0);
  });

  it('brpoplpush with an item available fails on LedisDB d35789e and the item is lost (server bug, pinned here)', async () => {
    const src = `${p}bpl-src`;
    const dst = `${p}bpl-dst2`;
    await ledis.rpush(src, 'a', 'b');
    const err = await ledis.brpoplpush(src, dst, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError).command).toBe('BRPOPLPUSH');
    expect(await ledis.lrange(src, 0, -1)).toEqual(['a']);
    expect(await ledis.lrange(dst, 0, -1)).toEqual([]);
  });
});
