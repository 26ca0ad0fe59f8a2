// ledis.bulk(): a streaming bulk load from sync and async iterables, with a
// bounded number in flight, failures by index, and a summary.
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { bulk, DataError, ResponseError, type BulkFailure, type BulkItem } from '../../src/index.js';
import { client, prefix } from '../helpers.js';
import { TUNING } from '../../src/connection/options.js';

const ledis = client();
const multi = client({ connections: 3, spread: 'fixed' });
afterAll(async () => {
  await Promise.all([ledis.quit(), multi.quit()]);
});

describe('ledis.bulk', () => {
  it('loads arrays, { command } and { method } descriptors from a sync iterable; failures by index with the server text', async () => {
    const p = prefix('bulk');
    const failures: BulkFailure[] = [];
    const items: BulkItem[] = [
      ['SET', `${p}a`, 'x'], // 0
      { command: 'HSET', args: [`${p}h`, 'f', 'v'] }, // 1
      { method: 'zadd', args: [`${p}z`, { ann: 42, bob: 7 }] }, // 2: the table's shaping
      ['INCR', `${p}a`], // 3: server error
      { method: 'zadd', args: [`${p}z`, 1.5, 'cy'] }, // 4: the table's check: fractional score
      ['NOSUCH', 'x'], // 5
      new DataError('line 7 does not parse'), // 6: the source's own unreadable item
      ['RPUSH', `${p}l`, Buffer.from([0, 255]), 3], // 7
      { method: 'blpop', args: [`${p}l`, 0] }, // 8: would block the connection
      { method: 'incr', args: [`${p}a`, 2] }, // 9: server error, sent as INCRBY, named INCR as the method is
      { method: 'decr', args: [`${p}a`, 0.5] }, // 10: the table's check, named DECR
      ['INCRBY', `${p}a`, 1], // 11: a raw INCRBY is INCRBY
    ];
    const summary = await ledis.bulk(items, { onError: (f) => failures.push(f) });
    expect(summary).toMatchObject({ lines: 12, commands: 7, succeeded: 4, failed: 8, mayHaveRun: [], stopped: false, lastIndex: 11, inFlight: 0 });
    expect(failures.map((f) => [f.index, f.command, f.error.name]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([
      [3, 'INCR', 'ResponseError'],
      [4, 'ZADD', 'DataError'],
      [5, 'NOSUCH', 'DataError'],
      [6, undefined, 'DataError'],
      [8, 'BLPOP', 'DataError'],
      [9, 'INCR', 'ResponseError'],
      [10, 'DECR', 'DataError'],
      [11, 'INCRBY', 'ResponseError'],
    ]);
    expect(failures.find((f) => f.index === 9)?.error.message).toMatch(/^INCR: /);
    expect(failures.find((f) => f.index === 10)?.error.message).toMatch(/^DECR: /);
    const server = failures.find((f) => f.index === 3);
    expect((server?.error as ResponseError).serverMessage).toMatch(/ParseInt/);
    expect(server?.item).toBe(items[3]);
    expect(await ledis.zrange(`${p}z`, 0, -1, { withscores: true })).toEqual([
      ['bob', 7],
      ['ann', 42],
    ]);
    expect(await ledis.hget(`${p}h`, 'f')).toBe('v');
    expect(await ledis.llen(`${p}l`)).toBe(2);
  });

  it('an async source is read as commands settle: never more than inFlight commands awaiting replies', async () => {
    const p = prefix('bounded');
    let read = 0;
    let settledAtRead: number[] = [];
    const summary = await ledis.bulk(
      (async function* () {
        for (let i = 0; i < 20000; i++) {
          read++;
          yield ['SET', `${p}${i % 100}`, i];
        }
      })(),
      {
        inFlight: 64,
        progressInterval: 0,
        onProgress: (pr) => {
          settledAtRead.push(pr.inFlight);
          expect(pr.inFlight).toBeLessThanOrEqual(64);
          expect(pr.lines - (pr.succeeded + pr.failed)).toBeLessThanOrEqual(64);
        },
      },
    );
    expect(read).toBe(20000);
    expect(summary).toMatchObject({ lines: 20000, commands: 20000, succeeded: 20000, failed: 0 });
    expect(settledAtRead.length).toBeGreaterThan(10);
    settledAtRead = [];
    // Issue order holds per key: the last SET of each key wins.
    expect(await ledis.get(`${p}99`)).toBe('19999');
  });

  it('with several connections, commands on one key keep their order', async () => {
    const p = prefix('order');
    const items = function* () {
      for (let i = 0; i < 3000; i++) yield ['RPUSH', `${p}${i % 7}`, i];
    };
    const summary = await multi.bulk(items(), { inFlight: 300 });
    expect(summary.succeeded).toBe(3000);
    expect(multi.connectionPool.sharedList.filter((c) => c.commandCount > 0).length).toBeGreaterThan(1);
    for (let k = 0; k < 7; k++) {
      const list = (await multi.lrange(`${p}${k}`, 0, -1)).map(Number);
      expect(list).toEqual([...list].sort((a, b) => a - b));
      expect(list.every((v) => v % 7 === k)).toBe(true);
    }
  });

  it('on an adaptive client, a deep load opens more connections; commands on one key keep their order with each other and with the client\'s own', async () => {
    const p = prefix('adaptive');
    // The load's rate jumps by more than 10% between windows on a busy machine: the baseline check is off here.
    const adaptive = client({ connections: 3, [TUNING]: { spreadSettle: Infinity } });
    try {
      let maxOpen = 1;
      const n = 150_000;
      const items = function* () {
        for (let i = 0; i < n; i++) {
          if (i % 1000 === 0) maxOpen = Math.max(maxOpen, adaptive.connectionPool.sharedList.length);
          yield ['RPUSH', `${p}${i % 7}`, i];
        }
      };
      // The client's own commands on the same keys, issued while the load runs: each sees a list in order.
      let sideWrong = 0;
      const side = (async () => {
        for (let r = 0; r < 50; r++) {
          const list = (await adaptive.lrange(`${p}${r % 7}`, -3, -1)).map(Number);
          if (list.some((v, i) => i > 0 && v < (list[i - 1] as number))) sideWrong++;
        }
      })();
      // One command per item (grouping off): this is about the spread under a deep load of single commands.
      const summary = await adaptive.bulk(items(), { inFlight: 2000, group: false });
      await side;
      expect(summary.succeeded).toBe(n);
      expect(sideWrong).toBe(0);
      expect(maxOpen).toBeGreaterThanOrEqual(2);
      for (let k = 0; k < 7; k++) {
        const list = (await adaptive.lrange(`${p}${k}`, 0, -1)).map(Number);
        expect(list.length).toBe(Math.ceil((n - k) / 7));
        expect(list.every((v, i) => i === 0 || v > (list[i - 1] as number))).toBe(true);
      }
    } finally {
      await adaptive.quit();
    }
  });

  it('stopOnError stops reading at the first failure; what was in flight still settles', async () => {
    const p = prefix('stop');
    let read = 0;
    const summary = await ledis.bulk(
      (function* () {
        for (let i = 0; i < 100000; i++) {
          read++;
          yield i === 10 ? ['ZADD', `${p}z`, 'x', 'm'] : ['SET', `${p}${i}`, i];
        }
      })(),
      { stopOnError: true, inFlight: 5 },
    );
    expect(summary.stopped).toBe(true);
    expect(summary.failed).toBe(1);
    expect(read).toBeLessThan(100);
    expect(summary.lastIndex).toBe(read - 1);
    expect(summary.succeeded + summary.failed).toBe(summary.lines);
  });

  it('an AbortSignal stops reading the source; the summary says where', async () => {
    const p = prefix('abort');
    const ac = new AbortController();
    const summary = await ledis.bulk(
      (function* () {
        for (let i = 0; i < 1_000_000; i++) {
          if (i === 3000) ac.abort();
          yield ['SET', `${p}${i % 10}`, i];
        }
      })(),
      { signal: ac.signal },
    );
    expect(summary.stopped).toBe(true);
    expect(summary.lastIndex).toBeLessThan(3000 + 256);
    expect(summary.failed).toBe(0);
  });

  it('dryRun checks without a client and sends nothing', async () => {
    const s = await bulk(null, [['SET', 'a', '1'], ['SET', 'a'], ['ZADD', 'z', '1', 'm', '2'], { method: 'hmset', args: ['h', {}] }], { dryRun: true });
    expect(s).toMatchObject({ lines: 4, commands: 1, succeeded: 1, failed: 3 });
    await expect(bulk(null, [], {})).rejects.toThrow(DataError);
  });

  it('an onError that throws stops the load and rejects after what is in flight settled; a throwing source rejects', async () => {
    const p = prefix('throw');
    await expect(
      ledis.bulk([['INCR', `${p}x`], ['SET', `${p}y`, 'not-a-number'], ['INCR', `${p}y`]], {
        onError: () => {
          throw new Error('callback failed');
        },
      }),
    ).rejects.toThrow('callback failed');
    await expect(
      ledis.bulk(
        (function* () {
          yield ['SET', `${p}z`, 1];
          throw new Error('source failed');
        })(),
      ),
    ).rejects.toThrow('source failed');
    expect(await ledis.get(`${p}z`)).toBe('1');
    await expect(ledis.bulk(42 as never)).rejects.toThrow(DataError);
  });

  it('10x more commands than the in-flight bound load with flat heap (sampled after GC at counts, not times)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const p = prefix('flat');
    const value = 'v'.repeat(200);
    const N = 200_000;
    const samples = new Map<number, number>();
    const summary = await ledis.bulk(
      (function* () {
        for (let i = 0; i < N; i++) {
          if (i === 40_000 || i === N - 1) {
            gc();
            samples.set(i, process.memoryUsage().heapUsed);
          }
          // Distinct arrays and strings per command: a loader holding them all would grow by ~N x 300 bytes.
          yield ['SET', `${p}${i % 1000}`, value + i];
        }
      })(),
      { inFlight: 1000 },
    );
    expect(summary.succeeded).toBe(N);
    const growth = (samples.get(N - 1) as number) - (samples.get(40_000) as number);
    // 160,000 commands between the samples; holding them would take > 40 MB.
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  }, 120000);
});
