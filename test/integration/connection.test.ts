import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError, Ledis, TimeoutError } from '../../src/index.js';
// @ts-ignore -- plain ESM script
import { startLedisServer } from '../../tools/server.mjs';
import { client, prefix } from '../helpers.js';

const ledis = client({ connections: 1 });
const p = prefix('conn');
afterAll(() => ledis.quit());

describe('one multiplexed connection', () => {
  it('10,000 concurrent get/set calls on one connection each resolve to their own value', async () => {
    const n = 10000;
    const sets = Array.from({ length: n }, (_, i) => ledis.set(`${p}k${i}`, `value-${i}-${'x'.repeat(i % 50)}`));
    expect((await Promise.all(sets)).every((r) => r === true)).toBe(true);
    const gets = await Promise.all(Array.from({ length: n }, (_, i) => ledis.get(`${p}k${i}`)));
    gets.forEach((v, i) => expect(v).toBe(`value-${i}-${'x'.repeat(i % 50)}`));
    expect(ledis.connectionPool.sharedList).toHaveLength(1);
  });

  it('1,000 commands issued in one tick go out in a handful of socket writes', async () => {
    await ledis.ping();
    const conn = ledis.connectionPool.shared();
    const before = conn.writeCount;
    const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) => ledis.echo(`e${i}`)));
    expect(replies[999]).toBe('e999');
    const writes = conn.writeCount - before;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(3);
  });

  it('a lone command is written at once, without waiting for a batch', async () => {
    const started = performance.now();
    await ledis.ping();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses commands past maxPending with a clear error instead of queueing without bound', async () => {
    const small = client({ maxPending: 10 });
    await small.ping();
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => small.echo(`m${i}`)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(40);
    expect(refused[0]?.reason).toBeInstanceOf(ConnectionError);
    expect(String(refused[0]?.reason.message)).toMatch(/maxPending = 10/);
    expect(await small.echo('after')).toBe('after');
    await small.quit();
  });

  it('a command timeout rejects that command only; its late reply is dropped and later commands get their own replies', async () => {
    // BLPOP holds the reply 700 ms; the client gives up at 500 ms; the GET issued at ~550 ms
    // (deadline ~1050 ms) is answered right after BLPOP's late reply at ~700 ms.
    const timed = client({ commandTimeout: 500 });
    const key = `${p}timeout`;
    await timed.set(key, 'kept');
    // GET first so a reply is read after BLPOP was issued: the stream is alive, just slow.
    // BLPOP straight on the shared connection (the client would give it a dedicated one).
    const [get, blpop] = await Promise.allSettled([
      timed.get(key),
      timed.connectionFor(false).sendCommand('BLPOP', `${p}empty-list`, '0.7'),
    ]);
    expect(get).toEqual({ status: 'fulfilled', value: 'kept' });
    expect(blpop.status).toBe('rejected');
    expect((blpop as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
    // Issued after the timeout, answered after BLPOP's late nil reply, which must not be handed to us.
    await new Promise((r) => setTimeout(r, 50));
    expect(await timed.get(key)).toBe('kept');
    expect(await timed.echo('next')).toBe('next');
    await timed.quit();
  });

  it('quit() waits for outstanding replies; commands after it are refused', async () => {
    const c = client();
    const pending = Array.from({ length: 100 }, (_, i) => c.echo(`q${i}`));
    const quitting = c.quit();
    await expect(c.echo('late')).rejects.toBeInstanceOf(ConnectionError);
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 100 }, (_, i) => `q${i}`));
    await quitting;
  });

  it('disconnect() rejects outstanding commands with ConnectionError', async () => {
    const c = client();
    await c.ping();
    const pending = Promise.allSettled(Array.from({ length: 100 }, () => c.echo('d')));
    c.disconnect();
    const results = await pending;
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
    }
  });

  it('fails a connect to a closed port with a ConnectionError when retries are off', async () => {
    const c = new Ledis({ host: '127.0.0.1', port: 1, retryStrategy: () => null });
    await expect(c.ping()).rejects.toBeInstanceOf(ConnectionError);
    c.disconnect();
  });
});

describe('servers with other settings', () => {
  it('authenticates with AUTH before any queued command, and a wrong password is a clear error', async () => {
    const server = await startLedisServer({ password: 's3cret', quiet: true });
    try {
      const good = new Ledis({ host: server.host, port: server.port, password: 's3cret' });
      expect(await good.set('k', 'v')).toBe(true);
      expect(await good.get('k')).toBe('v');
      await good.quit();

      const bad = new Ledis({ host: server.host, port: server.port, password: 'wrong' });
      const err = await bad.get('k').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(String((err as Error).message)).toMatch(/authentication failed.*authentication failure/);
      bad.disconnect();

      const none = new Ledis({ host: server.host, port: server.port });
      await expect(none.get('k')).rejects.toThrow(/not authenticated/);
      none.disconnect();
    } finally {
      await server.stop();
    }
  });

  it('selects the configured db on connect, and ledis.db(n) is a separate keyspace', async () => {
    const key = `${p}db`;
    const db2 = client({ db: 2 });
    await db2.set(key, 'in-db-2');
    expect(await ledis.get(key)).toBeNull();
    expect(await ledis.db(2).get(key)).toBe('in-db-2');
    await db2.quit();
  });

  it('talks over a unix socket', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ledis-sock-'));
    const sock = path.join(dir, 'ledis.sock');
    const server = await startLedisServer({ unix: sock, quiet: true });
    try {
      const c = new Ledis({ unixSocketPath: sock });
      expect(await c.set('u', 'unix')).toBe(true);
      expect(await c.get('u')).toBe('unix');
      await c.quit();
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('talks TLS to a TLS listener with a certificate made for the test', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ledis-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    const server = await startLedisServer({ tls: { cert, key }, quiet: true });
    try {
      const c = new Ledis({ host: server.host, port: server.port, tls: { ca: readFileSync(cert) } });
      expect(await c.set('t', 'over tls')).toBe(true);
      expect(await c.get('t')).toBe('over tls');
      await c.quit();
      const untrusting = new Ledis({ host: server.host, port: server.port, tls: {}, retryStrategy: () => null });
      await expect(untrusting.ping()).rejects.toBeInstanceOf(ConnectionError);
      untrusting.disconnect();
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
