// connect-redis 9 + express-session 1.19 + express 5, unmodified, over
// ledis/node-redis against the real LedisDB, through real HTTP on loopback:
// a session is saved, read back across requests, touched, destroyed and
// expired; the store's length/ids/all/clear work. No adapter code: the
// client is what `createClient` returns.
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from '../../src/compat/node-redis.js';
import { prefix, serverAddress } from '../helpers.js';

declare module 'express-session' {
  interface SessionData {
    n: number;
  }
}

const { host, port } = serverAddress();
const sessPrefix = `${prefix('connect-redis')}sess:`;

let client: RedisClientType;
let store: RedisStore;
let server: Server;
let base: string;

beforeAll(async () => {
  client = createClient({ url: `redis://${host}:${port}` });
  client.on('error', () => {});
  await client.connect();
  store = new RedisStore({ client, prefix: sessPrefix });
  const app = express();
  app.use(session({ store, secret: 'test secret', resave: false, saveUninitialized: false, cookie: { maxAge: 600_000 } }));
  app.get('/count', (req, res) => {
    req.session.n = (req.session.n ?? 0) + 1;
    res.json({ n: req.session.n, id: req.session.id });
  });
  app.get('/peek', (req, res) => {
    res.json({ n: req.session.n ?? null, id: req.session.id });
  });
  app.get('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await client.close();
});

/** One request; the cookie jar is the caller's `cookie` (a `name=value` string or ''). */
async function get(path: string, cookie: string): Promise<{ body: { n: number | null; id: string }; cookie: string }> {
  const res = await fetch(base + path, { headers: cookie === '' ? {} : { cookie } });
  expect(res.status).toBe(200);
  const set = res.headers.get('set-cookie');
  return { body: (await res.json()) as { n: number | null; id: string }, cookie: set === null ? cookie : (set.split(';')[0] as string) };
}

describe('express-session with connect-redis over ledis/node-redis', () => {
  it('a session is saved with its TTL, read back across requests, and updated', async () => {
    const first = await get('/count', '');
    expect(first.body.n).toBe(1);
    expect(first.cookie).toMatch(/^connect\.sid=/);
    // Saved in LedisDB as connect-redis writes it: JSON under prefix + id, with the cookie's TTL.
    const saved = JSON.parse((await client.get(sessPrefix + first.body.id)) as string) as { n: number };
    expect(saved.n).toBe(1);
    const ttl = await client.ttl(sessPrefix + first.body.id);
    expect(ttl).toBeGreaterThan(500);
    expect(ttl).toBeLessThanOrEqual(600);
    const second = await get('/count', first.cookie);
    expect(second.body).toEqual({ n: 2, id: first.body.id });
    const third = await get('/peek', first.cookie);
    expect(third.body).toEqual({ n: 2, id: first.body.id });
  });

  it('touch (an unmodified session) renews the TTL; store.touch sets it from the cookie', async () => {
    const { body, cookie } = await get('/count', '');
    const key = sessPrefix + body.id;
    await client.expire(key, 100);
    expect(await client.ttl(key)).toBeLessThanOrEqual(100);
    // express-session calls store.touch for a session read and not changed (resave: false).
    await get('/peek', cookie);
    expect(await client.ttl(key)).toBeGreaterThan(500);
    await new Promise<void>((resolve, reject) =>
      store.touch(body.id, { cookie: { expires: new Date(Date.now() + 3_000_000), originalMaxAge: 3_000_000 } } as never, (err) => (err ? reject(err) : resolve())),
    );
    expect(await client.ttl(key)).toBeGreaterThan(2_900);
  });

  it('destroy (logout) deletes the session; the old cookie starts a new one', async () => {
    const { body, cookie } = await get('/count', '');
    expect(await client.exists(sessPrefix + body.id)).toBe(1);
    await get('/logout', cookie);
    expect(await client.exists(sessPrefix + body.id)).toBe(0);
    const after = await get('/peek', cookie);
    expect(after.body.n).toBeNull();
  });

  it('a session expires with its cookie: the server drops it and get() answers null', async () => {
    const sid = 'expiring';
    // 3 s: LedisDB counts whole seconds from the start of the current one, so a key set to live s seconds
    // goes after s-1 to s+1 seconds (src/commands/translate.ts): 1 s could vanish before the first read.
    await store.set(sid, { cookie: { expires: new Date(Date.now() + 3000), originalMaxAge: 3000 }, n: 1 } as never);
    expect(await store.get(sid)).toMatchObject({ n: 1 });
    const ttl = await client.ttl(sessPrefix + sid);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3);
    // Bounded wait for the server's expiry (a 1-second checker), not a timing assertion.
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = (await store.get(sid)) === null;
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(true);
  });

  it('a session whose cookie has already expired is not saved (connect-redis destroys it)', async () => {
    await store.set('past', { cookie: { expires: new Date(Date.now() - 5000), originalMaxAge: 1 }, n: 1 } as never);
    expect(await client.exists(sessPrefix + 'past')).toBe(0);
  });

  it('length, ids, all and clear walk the store with scanIterator({ MATCH, COUNT }), mGet and del(keys)', async () => {
    // Its own prefix, so the other tests' sessions do not count.
    const own = new RedisStore({ client, prefix: `${sessPrefix}list:`, scanCount: 2 });
    const cookie = { expires: new Date(Date.now() + 600_000), originalMaxAge: 600_000 };
    for (const id of ['a', 'b', 'c', 'd', 'e']) await own.set(id, { cookie, n: id.charCodeAt(0) } as never);
    expect(await own.length()).toBe(5);
    expect(((await own.ids()) as string[]).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const all = (await own.all()) as { id: string; n: number }[];
    expect(all.map((s) => [s.id, s.n]).sort()).toEqual([['a', 97], ['b', 98], ['c', 99], ['d', 100], ['e', 101]]);
    await own.clear();
    expect(await own.length()).toBe(0);
    expect(await own.all()).toEqual([]);
    // The other store's sessions are untouched by clear (a prefix is a MATCH glob).
    expect(await store.length()).toBeGreaterThan(0);
  });
});
