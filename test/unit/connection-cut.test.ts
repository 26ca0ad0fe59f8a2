// A connection the server has closed, in the moment before the socket's
// 'close' event: commands issued then were never written, so they must wait
// for the reconnect and go out on the new connection, not be rejected as
// "written, may have run". Against a scripted loopback peer (no LedisDB).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, ConnectionError } from '../../src/index.js';
import { startScriptedPeer, type ScriptedPeer } from './peer.js';
import { socketOf } from '../support/internals.js';

interface Peer extends ScriptedPeer {
  /** Commands received per connection, in order of connection. */
  received: number[];
}

/** Answers +OK to the first command of each connection, then closes it (FIN). */
async function startOneShotPeer(): Promise<Peer> {
  const received: number[] = [];
  const peer = await startScriptedPeer((sock, index) => {
    received[index] = 0;
    sock.on('data', (d) => {
      received[index] = (received[index] ?? 0) + (d.toString('latin1').match(/\*\d+\r\n/g)?.length ?? 0);
      if (!sock.writableEnded) sock.end('+OK\r\n');
    });
  });
  return Object.assign(peer, { received });
}

let peer: Peer | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  conn?.disconnect();
  await peer?.close();
});

describe('a connection closed by the server', () => {
  it('a command issued after the server closed the stream, before the close event, goes out after the reconnect', async () => {
    peer = await startOneShotPeer();
    conn = new Connection({ host: '127.0.0.1', port: peer.port, retryStrategy: () => 10 });
    const c = conn;
    await c.connect();
    const socket = socketOf(c);
    let late: Promise<unknown> | undefined;
    let destroyedButReady = false;
    // 'end' is the server's FIN. A moment later the socket is destroyed, but until its
    // 'close' event the connection still looks ready, and a command issued then is not written.
    socket.once('end', () => {
      setImmediate(() => {
        destroyedButReady = socket.destroyed && c.status === 'ready';
        late = c.sendCommand('ECHO', 'late');
      });
    });
    expect(await c.sendCommand('PING')).toBe('OK');
    await new Promise<void>((resolve) => c.once('ready', () => resolve()));
    expect(destroyedButReady).toBe(true);
    // Unwritten, so sent on the next connection, whose one reply is +OK; never rejected as "may have run".
    await expect(late).resolves.toBe('OK');
    // The first connection saw only PING; the second got ECHO.
    expect(peer.received.slice(0, 2)).toEqual([1, 1]);
  });

  it('a command issued in that moment, when the server never comes back, is rejected after offlineTimeout, not left waiting forever', async () => {
    peer = await startOneShotPeer();
    const p = peer;
    conn = new Connection({ host: '127.0.0.1', port: p.port, retryStrategy: () => 20, offlineTimeout: 200 });
    const c = conn;
    await c.connect();
    const socket = socketOf(c);
    let late: Promise<unknown> | undefined;
    let destroyedButReady = false;
    socket.once('end', () => {
      // The server is gone for good: every reconnect is refused.
      void p.close();
      setImmediate(() => {
        destroyedButReady = socket.destroyed && c.status === 'ready';
        late = c.sendCommand('ECHO', 'late');
      });
    });
    expect(await c.sendCommand('PING')).toBe('OK');
    await new Promise<void>((resolve) => c.once('reconnecting', () => resolve()));
    expect(destroyedButReady).toBe(true);
    // Issued while ready, so it had no offline deadline; once back in the offline queue it must get one.
    const outcome = await Promise.race([
      (late as Promise<unknown>).then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
    ]);
    expect(outcome).toBeInstanceOf(ConnectionError);
    expect(String((outcome as Error).message)).toMatch(/offlineTimeout/);
  });

  it('quit() during an outage resolves once the commands waiting for a connection have given up; reconnecting stops', async () => {
    peer = await startOneShotPeer();
    conn = new Connection({ host: '127.0.0.1', port: peer.port, offlineTimeout: 200, retryStrategy: () => 20 });
    const c = conn;
    await c.connect();
    // The server goes away for good.
    await peer.close();
    peer = undefined;
    await new Promise<void>((resolve) => c.once('reconnecting', () => resolve()));
    const waiting = c.sendCommand('ECHO', 'w').catch((e: unknown) => e);
    const started = performance.now();
    let quitDone = false;
    const quitting = c.quit().then(() => {
      quitDone = true;
    });
    const err = await waiting;
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).mayHaveRun).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(quitDone).toBe(true);
    await quitting;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(c.status).toBe('end');
    expect(c.pending).toBe(0);
  });
});
