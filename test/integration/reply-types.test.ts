// Declared reply types against what the pinned LedisDB really answers at the
// edges: missing keys, empty ranges, a key that exists only in another
// type's keyspace. Each call is checked twice: at compile time the guard's
// type must equal the method's declared reply type (tsc fails otherwise),
// and at run time the value must pass the guard.
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ledis } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

type Guard<T> = (v: unknown) => v is T;
type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const str: Guard<string> = (v): v is string => typeof v === 'string';
const buf: Guard<Buffer> = (v): v is Buffer => Buffer.isBuffer(v);
const num: Guard<number> = (v): v is number => typeof v === 'number';
const bool: Guard<boolean> = (v): v is boolean => typeof v === 'boolean';
const nil: Guard<null> = (v): v is null => v === null;
const or =
  <A, B>(a: Guard<A>, b: Guard<B>): Guard<A | B> =>
  (v): v is A | B =>
    a(v) || b(v);
const arrayOf =
  <A>(a: Guard<A>): Guard<A[]> =>
  (v): v is A[] =>
    Array.isArray(v) && v.every(a);
const setOf =
  <A>(a: Guard<A>): Guard<Set<A>> =>
  (v): v is Set<A> =>
    v instanceof Set && [...v].every(a);
const recordOf =
  <A>(a: Guard<A>): Guard<Record<string, A>> =>
  (v): v is Record<string, A> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(a);
const pair =
  <A, B>(a: Guard<A>, b: Guard<B>): Guard<[A, B]> =>
  (v): v is [A, B] =>
    Array.isArray(v) && v.length === 2 && a(v[0]) && b(v[1]);
const scanPage =
  <T>(item: Guard<T>): Guard<[cursor: string, items: T[]]> =>
  (v): v is [cursor: string, items: T[]] =>
    pair(str, arrayOf(item))(v);

// Fixed guards (a generic combinator inline would be inferred as Guard<unknown>).
const strOrNil = or(str, nil);
const bufOrNil = or(buf, nil);
const numOrNil = or(num, nil);
const strOrNilList = arrayOf(or(str, nil));
const strList = arrayOf(str);
const strSet = setOf(str);
const strRecord = recordOf(str);
const strPage = scanPage(str);
const pairPage = scanPage(pair(str, str));
const scoredPage = scanPage(pair(str, num));
const numPair = pair(num, num);

const ledis = client();
const p = prefix('types');
const missing = p + 'missing';
/** A key that exists only as a hash: every other type's commands see nothing there. */
const hashOnly = p + 'hash-only';
const seen: string[] = [];

/** Calls, then checks the value; `exact` only compiles when the guard's type is the declared reply type. */
async function holds<T, G>(label: string, call: Promise<T>, guard: Guard<G>, exact: NoInfer<Equals<T, G>>): Promise<void> {
  expect(exact).toBe(true);
  const value = await call;
  seen.push(label);
  expect(guard(value), `${label} answered ${inspect(value)}, which its declared type does not allow`).toBe(true);
}

beforeAll(async () => {
  await ledis.hset(hashOnly, 'f', 'v');
  await ledis.set(p + 'kv', 'abc');
  await ledis.rpush(p + 'list', 'a');
  await ledis.zadd(p + 'z', 1, 'a');
});
afterAll(async () => {
  await ledis.hclear(hashOnly);
  await ledis.delete(p + 'kv');
  await ledis.lclear(p + 'list');
  await ledis.zclear(p + 'z');
  await ledis.quit();
});

describe('declared reply types hold at the edges (missing key, empty range, other keyspace)', () => {
  it('KV commands', async () => {
    const l: Ledis = ledis;
    for (const k of [missing, hashOnly]) {
      await holds(`get ${k}`, l.get(k), strOrNil, true);
      await holds(`getrange ${k}`, l.getrange(k, 0, 5), strOrNil, true);
      await holds(`mget ${k}`, l.mget([k, k]), strOrNilList, true);
      await holds(`exists ${k}`, l.exists(k), bool, true);
      await holds(`ttl ${k}`, l.ttl(k), num, true);
      await holds(`persist ${k}`, l.persist(k), bool, true);
      await holds(`expire ${k}`, l.expire(k, 10), bool, true);
      await holds(`dump ${k}`, l.dump(k), bufOrNil, true);
      await holds(`getbit ${k}`, l.getbit(k, 0), num, true);
      await holds(`bitcount ${k}`, l.bitcount(k), num, true);
      await holds(`bitpos ${k}`, l.bitpos(k, 1), num, true);
      await holds(`strlen ${k}`, l.strlen(k), num, true);
    }
    // An empty range of an existing value.
    await holds('getrange empty range', l.getrange(p + 'kv', 2, 1), strOrNil, true);
    await holds('getrange past the end', l.getrange(p + 'kv', 10, 20), strOrNil, true);
    // strlen reads GET (the server's STRLEN crashes its handler on a missing key), so it holds there too.
  });

  it('hash, list, set and zset commands', async () => {
    const l: Ledis = ledis;
    for (const k of [missing, p + 'kv']) {
      await holds(`hget ${k}`, l.hget(k, 'f'), strOrNil, true);
      await holds(`hgetall ${k}`, l.hgetall(k), strRecord, true);
      await holds(`hkeys ${k}`, l.hkeys(k), strList, true);
      await holds(`hvals ${k}`, l.hvals(k), strList, true);
      await holds(`hlen ${k}`, l.hlen(k), num, true);
      await holds(`hmget ${k}`, l.hmget(k, ['a', 'b']), strOrNilList, true);
      await holds(`hexists ${k}`, l.hexists(k, 'f'), bool, true);
      await holds(`httl ${k}`, l.httl(k), num, true);
      await holds(`hdump ${k}`, l.hdump(k), bufOrNil, true);
      await holds(`hkeyexists ${k}`, l.hkeyexists(k), bool, true);
      await holds(`lindex ${k}`, l.lindex(k, 0), strOrNil, true);
      await holds(`llen ${k}`, l.llen(k), num, true);
      await holds(`lpop ${k}`, l.lpop(k), strOrNil, true);
      await holds(`rpop ${k}`, l.rpop(k), strOrNil, true);
      await holds(`lrange ${k}`, l.lrange(k, 0, -1), strList, true);
      await holds(`ldump ${k}`, l.ldump(k), bufOrNil, true);
      await holds(`scard ${k}`, l.scard(k), num, true);
      await holds(`smembers ${k}`, l.smembers(k), strSet, true);
      await holds(`sismember ${k}`, l.sismember(k, 'a'), bool, true);
      await holds(`sunion ${k}`, l.sunion(k), strSet, true);
      await holds(`zcard ${k}`, l.zcard(k), num, true);
      await holds(`zscore ${k}`, l.zscore(k, 'a'), numOrNil, true);
      await holds(`zrank ${k}`, l.zrank(k, 'a'), numOrNil, true);
      await holds(`zrevrank ${k}`, l.zrevrank(k, 'a'), numOrNil, true);
      await holds(`zrange ${k}`, l.zrange(k, 0, -1), strList, true);
      await holds(`zrangebyscore ${k}`, l.zrangebyscore(k, 0, 10), strList, true);
      await holds(`zcount ${k}`, l.zcount(k, 0, 10), num, true);
      await holds(`zlexcount ${k}`, l.zlexcount(k, '-', '+'), num, true);
      await holds(`zrangebylex ${k}`, l.zrangebylex(k, '-', '+'), strList, true);
      await holds(`zdump ${k}`, l.zdump(k), bufOrNil, true);
    }
    // Empty ranges and missing members of existing keys.
    await holds('lindex out of range', l.lindex(p + 'list', 5), strOrNil, true);
    await holds('lrange empty range', l.lrange(p + 'list', 5, 10), strList, true);
    await holds('zscore missing member', l.zscore(p + 'z', 'nope'), numOrNil, true);
    await holds('zrank missing member', l.zrank(p + 'z', 'nope'), numOrNil, true);
    await holds('zrange empty range', l.zrange(p + 'z', 5, 10), strList, true);
    await holds('hget missing field', l.hget(hashOnly, 'nope'), strOrNil, true);
  });

  it('scans, sorts and server commands', async () => {
    const l: Ledis = ledis;
    await holds('xscan none', l.xscan('KV', { match: '^' + p + 'none' }), strPage, true);
    await holds('xhscan missing', l.xhscan(missing), pairPage, true);
    await holds('xsscan missing', l.xsscan(missing), strPage, true);
    await holds('xzscan missing', l.xzscan(missing), scoredPage, true);
    await holds('hscan missing', l.hscan(missing), pairPage, true);
    await holds('xlsort missing', l.xlsort(missing), strList, true);
    await holds('configGet unknown', l.configGet('nothing'), strRecord, true);
    await holds('time', l.time(), numPair, true);
    await holds('echo empty', l.echo(''), str, true);
    expect(seen.length).toBeGreaterThan(90);
  });
});
