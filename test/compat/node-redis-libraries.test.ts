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

describe('express-rate-limit 8 + rate-limit-redis 6', () => {
  // rate-limit-redis's Lua scripts call PTTL and SET ... PX, which LedisDB's Lua cannot run, and it takes no
  // script of one's own: it is refused, clearly, when it loads its scripts (SCRIPT LOAD), before any EVALSHA.
  let server: Server;
  let base: string;
  const logged: unknown[] = [];

  beforeAll(async () => {
    const store = new RedisStore({ sendCommand: (...args: string[]) => client.sendCommand(args), prefix: `${p}rl:` });
    const app = express();
    app.use(
      rateLimit({
        windowMs: 60_000,
        limit: 2,
        store,
        logger: { error: (err: unknown) => logged.push(err), warn: () => {}, info: () => {}, debug: () => {} } as never,
        validate: false,
      }),
    );
    app.get('/', (_req, res) => void res.send('ok'));
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ name: err.name, message: err.message });
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it("the store's init is refused with a DataError naming PTTL, and each request fails with it (no silent pass)", async () => {
    const res = await fetch(base + '/');
    expect(res.status).toBe(500);
    const body = (await res.json()) as { name: string; message: string };
    expect(body.name).toBe('DataError');
    expect(body.message).toMatch(/SCRIPT LOAD refused before sending.*PTTL/);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]).toBeInstanceOf(DataError);
    // Nothing reached the server under the limiter's keys.
    let keys = 0;
    for await (const page of client.scanIterator({ MATCH: `${p}rl:*` })) keys += page.length;
    expect(keys).toBe(0);
  });
});
