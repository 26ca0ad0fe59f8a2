// Coalescing by default only where the server makes a group exactly its
// commands one by one: on LedisDB. The connection asks INFO server the first
// time a command would coalesce; on another server (here Debian's
// redis-server, where GET of a hash key is WRONGTYPE but MGET gives nil for
// it) every command goes one by one unless `coalesce: true` is given.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledis, ResponseError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const p = prefix('coalesce-server');

/** 100 GETs in one tick, after 100 in flight: one of them on a hash key. What each caller got. */
async function burst(ledis: Ledis, hashKey: string, keys: string[]): Promise<unknown[]> {
  // 40 in flight first, so the GETs below find the connection past the coalescing threshold.
  const warm = Array.from({ length: 40 }, () => ledis.ping());
  const outcome = (e: unknown): unknown => (e instanceof ResponseError ? `error: ${e.serverMessage.split(' ')[0]}` : e);
  const calls = keys.map((k) => ledis.get(k).then((v) => v, outcome));
  calls.splice(50, 0, ledis.get(hashKey).then((v) => v, outcome));
  await Promise.all(warm);
  return Promise.all(calls);
}

/** Replies read on the client's connection so far: one per command on the wire (an MGET is one). */
function wireCommands(ledis: Ledis): number {
  return (ledis.connectionPool.sharedList[0] as unknown as { replies: number } | undefined)?.replies ?? 0;
}

describe('coalescing by default on LedisDB', () => {
  const ledis = client();
  afterAll(() => ledis.quit());

  it('asks INFO server once, then coalesces a burst of GETs into MGETs; each caller gets its own value (a hash key is nil on LedisDB, in MGET or alone)', async () => {
    await ledis.hset(`${p}h`, 'f', 'v');
    const keys = Array.from({ length: 100 }, (_, i) => `${p}k${i}`);
    await Promise.all(keys.map((k, i) => ledis.set(k, `v${i}`)));
    // First burst: the ask goes out, the GETs go one by one until its reply.
    await burst(ledis, `${p}h`, keys);
    const before = wireCommands(ledis);
    const got = await burst(ledis, `${p}h`, keys);
    const written = wireCommands(ledis) - before;
    const expected: unknown[] = keys.map((_, i) => `v${i}`);
    expected.splice(50, 0, null);
    expect(got).toEqual(expected);
    // 40 PINGs and 101 GETs: far fewer than 141 commands on the wire once coalescing is on.
    expect(written).toBeLessThan(141);
  });
});

const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim() !== '';

describe.skipIf(!hasRedis)('coalescing by default on redis-server (Debian)', () => {
  let child: ChildProcess;
  let port = 0;

  beforeAll(async () => {
    // The port was free a moment ago; anything may take it before redis-server binds it (then redis-server
    // exits): start again on another, a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const a = s.address() as net.AddressInfo;
          s.close(() => resolve(a.port));
        });
      });
      const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
      child = c;
      const running = () => c.exitCode === null && c.signalCode === null;
      let listening = false;
      for (let i = 0; i < 200 && running(); i++) {
        const ok = await new Promise<boolean>((r) => {
          const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), r(true)));
          s.once('error', () => r(false));
        });
        if (ok) {
          // Connected to redis-server, or to whatever took the port first (then redis-server exits at once).
          await new Promise((r) => setTimeout(r, 100));
          listening = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      if (listening && running()) return;
      c.kill('SIGKILL');
    }
    throw new Error('redis-server did not listen (5 ports tried, 10 s each at most)');
  }, 60_000);

  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('GET of a hash key is WRONGTYPE in a burst with coalescing allowed by default, as one by one; coalesce: true would turn it into nil', async () => {
    const setup = new Ledis({ port, host: '127.0.0.1' });
    await setup.sendCommand('HSET', 'h', 'f', 'v');
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k, i) => setup.set(k, `v${i}`)));
    await setup.quit();

    const expected: unknown[] = keys.map((_, i) => `v${i}`);
    expected.splice(50, 0, 'error: WRONGTYPE');

    const plain = new Ledis({ port, host: '127.0.0.1', coalesce: false, connections: 1 });
    const byDefault = new Ledis({ port, host: '127.0.0.1', connections: 1 });
    const forced = new Ledis({ port, host: '127.0.0.1', coalesce: true, connections: 1 });
    try {
      const one = await burst(plain, 'h', keys);
      expect(one[50]).toBe('error: WRONGTYPE');
      expect(one).toEqual(expected);
      for (let round = 0; round < 3; round++) {
        const before = wireCommands(byDefault);
        expect(await burst(byDefault, 'h', keys)).toEqual(expected);
        // One command on the wire per call (plus the one INFO asked in the first round).
        expect(wireCommands(byDefault) - before).toBe(141 + (round === 0 ? 1 : 0));
      }
      // What the default avoids: an MGET answers nil for the hash key on Redis.
      await burst(forced, 'h', keys);
      const coalesced = await burst(forced, 'h', keys);
      expect(coalesced[50]).toBeNull();
      // Redis's DEL answers the keys it removed, not the keys given: DELs stay one by one even with coalesce: true.
      const warm = Array.from({ length: 40 }, () => forced.ping());
      const dels = await Promise.all([...keys.slice(0, 20), 'missing1', 'missing2', ...keys.slice(0, 2)].map((k) => forced.delete(k)));
      await Promise.all(warm);
      expect(dels).toEqual([...Array<number>(20).fill(1), 0, 0, 0, 0]);
    } finally {
      await Promise.all([plain.quit(), byDefault.quit(), forced.quit()]);
    }
  });
});
