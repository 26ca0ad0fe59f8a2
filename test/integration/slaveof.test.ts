import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, Ledis, type RoleReply } from '../../src/index.js';
// @ts-ignore -- plain ESM script
import { startLedisServer } from '../../tools/server.mjs';

type Server = { host: string; port: number; stop(): Promise<void> };

/** A free loopback port at or below 32767: LedisDB parses replication ports as int16. */
async function lowPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 32768 after 50 tries');
}

/** Polls `check` every 50 ms for at most `ms`. */
async function until<T>(ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let master: Server;
let replica: Server;
let m: Ledis;
let r: Ledis;

beforeAll(async () => {
  master = await startLedisServer({ quiet: true, replication: true, port: await lowPort() });
  replica = await startLedisServer({ quiet: true, replication: true });
  m = new Ledis({ host: master.host, port: master.port });
  r = new Ledis({ host: replica.host, port: replica.port });
});
afterAll(async () => {
  await Promise.all([m?.quit(), r?.quit()]);
  await Promise.all([master?.stop(), replica?.stop()]);
});

describe('ROLE and SLAVEOF', () => {
  it('role of a server with no master is master, with its last log id and no replicas', async () => {
    const role = await m.role();
    expect(role).toEqual({ role: 'master', lastLogId: expect.any(Number), replicas: [] });
  });

  it('slaveof(host, port) makes a replica that syncs, and role says so on both sides', async () => {
    await m.set('before', '1');
    expect(await r.slaveof(master.host, master.port)).toBe(true);
    const role = await until(10_000, async () => {
      const x = await r.role();
      return x.role === 'slave' && x.state === 'connected' ? x : undefined;
    });
    expect(role).toMatchObject({ role: 'slave', masterHost: master.host, masterPort: master.port, state: 'connected' });
    await m.set('after', '2');
    expect(await until(10_000, async () => (await r.get('after')) ?? undefined)).toBe('2');
    expect(await r.get('before')).toBe('1');
    const seen = await until(10_000, async () => {
      const x = (await m.role()) as Extract<RoleReply, { role: 'master' }>;
      return x.replicas.length > 0 ? x : undefined;
    });
    expect(seen.replicas).toHaveLength(1);
    expect(seen.lastLogId).toBeGreaterThan(0);
  });

  it('slaveof() sends SLAVEOF NO ONE and the replica becomes a master again', async () => {
    expect(await r.slaveof()).toBe(true);
    expect((await r.role()).role).toBe('master');
    expect(await r.set('own', 'write')).toBe(true);
  });

  it('slaveof({ readonly: true }) makes a read-only master; slaveof() lifts it', async () => {
    expect(await r.slaveof({ readonly: true })).toBe(true);
    await expect(r.set('ro', '1')).rejects.toThrow(/SET: .*read ?only/i);
    expect(await r.slaveof()).toBe(true);
    expect(await r.set('ro', '1')).toBe(true);
  });

  it('this LedisDB refuses a master port above 32767 (it parses the port as int16)', async () => {
    await expect(r.slaveof('127.0.0.1', 40000)).rejects.toThrow(/SLAVEOF: .*out of range/);
  });

  it('refuses bad arguments with a DataError naming SLAVEOF, before sending', async () => {
    await expect(r.slaveof('', 1)).rejects.toThrow(/SLAVEOF: host must be a non-empty string/);
    await expect(r.slaveof('127.0.0.1', undefined as never)).rejects.toThrow(/SLAVEOF: port/);
    await expect(r.slaveof('127.0.0.1', 0)).rejects.toThrow(DataError);
    await expect(r.slaveof({ restart: true } as never)).rejects.toThrow(/restart needs a master/);
    await expect(r.slaveof('127.0.0.1', 6380, { readonly: true } as never)).rejects.toThrow(/readonly applies only/);
  });
});
