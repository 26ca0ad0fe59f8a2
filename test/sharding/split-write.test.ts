// A cross-shard MSET / DEL with one shard down (issue 25 point 5): the live
// shards' part IS applied, so the error says which part ran, shard by shard,
// with mayHaveRun true (it used to say "MSET was not sent", mayHaveRun false).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, Ledis, SplitWriteError } from '../../src/index.js';
import { prefix } from '../helpers.js';
import { start, type Shards } from './nutcracker.js';

describe('a write split over shards with one shard down', () => {
  let shards: Shards;
  let ledis: Ledis;
  let direct: Ledis;
  const p = prefix('splitw');
  const key = (i: number) => `${i}:${p}`;

  beforeAll(async () => {
    shards = await start({ count: 2, proxy: false });
    // Shard 1 is a port nothing listens on: its part fails unsent.
    ledis = new Ledis({ shards: [shards.servers[0]!.url, 'ledis://127.0.0.1:1'], retryStrategy: () => null, offlineTimeout: 200 });
    ledis.on('error', () => {});
    direct = new Ledis({ port: shards.servers[0]!.port });
  });
  afterAll(async () => {
    ledis?.disconnect();
    await direct?.quit();
    await shards?.stop();
  });

  it('MSET and DEL reject with mayHaveRun true and say which shard applied its part', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => key(i));
    const live = keys.filter((k) => ledis.shardOf(k) === 0);
    const down = keys.filter((k) => ledis.shardOf(k) === 1);
    expect(live.length).toBeGreaterThan(0);
    expect(down.length).toBeGreaterThan(0);
    const err = (await ledis.mset(Object.fromEntries(keys.map((k) => [k, 'v']))).catch((e: unknown) => e)) as SplitWriteError;
    expect(err).toBeInstanceOf(SplitWriteError);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.mayHaveRun).toBe(true);
    expect(err.command).toBe('MSET');
    expect(err.parts.map((x) => [x.shard, x.applied, x.keys.length])).toEqual([
      [0, true, live.length],
      [1, false, down.length],
    ]);
    expect(err.message).toMatch(/shard 0 .*applied/);
    expect(err.message).toMatch(/shard 1 .*not applied/);
    // What the error says ran did run.
    expect(await direct.mget(live)).toEqual(live.map(() => 'v'));
    const del = (await ledis.delete(...keys).catch((e: unknown) => e)) as SplitWriteError;
    expect([del.mayHaveRun, del.command, del.parts.map((x) => x.applied)]).toEqual([true, 'DEL', [true, false]]);
    expect(await direct.mget(live)).toEqual(live.map(() => null));
  });
});
