// More node-redis consumers users are likely to have, unmodified, over
// ledis/node-redis against the real LedisDB: what works, and where the
// library needs what LedisDB cannot do, the clear error it meets.
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisStore } from 'rate-limit-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, DataError, type RedisClientType } from '../../src/compat/node-redis.js';
import { prefix, serverAddress } from '../helpers.js';

const { host, port } = serverAddress();
const p = prefix('nr-libs');
let client: RedisClientType;

beforeAll(async () => {
  client = await createClient({ url: `redis://${host}:${port}` }).connect();
});
afterAll(() => client.close());

/** An express app limited by express-rate-limit over rate-limit-redis on `c` (2 requests a minute per client). */
async function limitedApp(c: RedisClientType, keyPrefix: string, logged: unknown[]): Promise<{ server: Server; base: string; store: RedisStore }> {
  const store = new RedisStore({ sendCommand: (...args: string[]) => c.sendCommand(args), prefix: keyPrefix });
  const app = express();
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: 2,
      standardHeaders: 'draft-6',
      legacyHeaders: false,
      store,
      logger: { error: (err: unknown) => logged.push(err), warn: () => {}, info: () => {}, debug: () => {} } as never,
      validate: false,
    }),
  );
  app.get('/', (_req, res) => void res.send('ok'));
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ name: err.name, message: err.message });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, store };
}

describe('express-rate-limit 8 + rate-limit-redis 6', () => {
  // rate-limit-redis's Lua calls PTTL and SET ... PX, which LedisDB's Lua lacks: run wrapped (scriptReplies
  // 'via-key', the default), those calls go through the shim (TTL in whole seconds, SET PX rounded up to seconds).
  let app: Awaited<ReturnType<typeof limitedApp>>;
  const logged: unknown[] = [];
  beforeAll(async () => {
    app = await limitedApp(client, `${p}rl:`, logged);
  });
  afterAll(() => new Promise((r) => app.server.close(r)));

  it('limits: two requests pass, the third is refused with 429, the window is reported, resetKey lets one through again', async () => {
    const statuses: number[] = [];
    let remaining: string | null = null;
    let reset: string | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(app.base + '/');
      statuses.push(res.status);
      if (i === 0) {
        remaining = res.headers.get('ratelimit-remaining');
        reset = res.headers.get('ratelimit-reset');
      }
    }
    expect(logged).toEqual([]);
    expect(statuses).toEqual([200, 200, 429]);
    expect(remaining).toBe('1');
    // The window's end as rate-limit-redis reads it (PTTL through the shim: the TTL in seconds, times 1000).
    expect(Number(reset)).toBeGreaterThan(50);
    expect(Number(reset)).toBeLessThanOrEqual(61); // PX 60,000 as ceil(60) + 1 s (never shorter than asked)
    const keys: string[] = [];
    for await (const page of client.scanIterator({ MATCH: `${p}rl:*` })) keys.push(...page);
    expect(keys).toHaveLength(1);
    expect(await client.ttl(keys[0]!)).toBeGreaterThan(50);
    await app.store.resetKey('::ffff:127.0.0.1');
    await app.store.resetKey('127.0.0.1');
    expect((await fetch(app.base + '/')).status).toBe(200);
  });

  it("with scriptReplies 'direct' (scripts sent as they are), the store's init is refused with a DataError naming PTTL (no silent pass)", async () => {
    const direct = await createClient({ url: `redis://${host}:${port}`, ledis: { scriptReplies: 'direct' } }).connect();
    const directLogged: unknown[] = [];
    const d = await limitedApp(direct, `${p}rl-direct:`, directLogged);
    try {
      const res = await fetch(d.base + '/');
      expect(res.status).toBe(500);
      const body = (await res.json()) as { name: string; message: string };
      expect(body.name).toBe('DataError');
      expect(body.message).toMatch(/SCRIPT LOAD refused before sending.*PTTL/);
      expect(directLogged[0]).toBeInstanceOf(DataError);
      let keys = 0;
      for await (const page of client.scanIterator({ MATCH: `${p}rl-direct:*` })) keys += page.length;
      expect(keys).toBe(0);
    } finally {
      await new Promise((r) => d.server.close(r));
      await direct.close();
    }
  });
});
