// A hostile or broken server on a scripted loopback peer (no LedisDB): one
// ProtocolError is one 'error' event; a reply that keeps arriving past its
// command's deadline (an endless array) gets the connection recycled instead
// of swallowed forever; sendPackedCommand obeys offlineQueue like send().
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, ConnectionError, ProtocolError, TimeoutError } from '../../src/index.js';
import { startScriptedPeer, type ScriptedPeer } from './peer.js';

let peer: ScriptedPeer | undefined;
let conn: Connection | undefined;
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const t of timers) clearInterval(t);
  timers.length = 0;
  conn?.disconnect();
  await peer?.close();
});

const once = (c: Connection, event: 'close' | 'reconnecting' | 'end') => new Promise<void>((r) => c.once(event, () => r()));

describe('a hostile peer', () => {
  it('one ProtocolError is reported by one error event', async () => {
    peer = await startScriptedPeer((sock) => sock.on('data', () => sock.write('!not resp\r\n')));
    conn = new Connection({ host: '127.0.0.1', port: peer.port, retryStrategy: () => 10 });
    const errors: Error[] = [];
    conn.on('error', (e) => errors.push(e));
    await conn.connect();
    await expect(conn.sendCommand('PING')).rejects.toBeInstanceOf(ProtocolError);
    // The second goes out after the reconnect and meets the same garbage.
    await expect(conn.sendCommand('PING')).rejects.toBeInstanceOf(ProtocolError);
    // The fault was reported synchronously with the rejection; give a duplicate the chance to show.
    await new Promise((r) => setTimeout(r, 50));
    const protocol = errors.filter((e) => e instanceof ProtocolError);
    expect(protocol).toHaveLength(2); // two sockets, two faults: one event each
    expect(new Set(protocol).size).toBe(2);
  });

  it('a reply that goes on arriving past its deadline (an endless array) gets a TimeoutError and the socket recycled; the stream is not swallowed for ever', async () => {
    let streamed = 0;
    peer = await startScriptedPeer((sock, index) => {
      sock.on('data', () => {
        if (index > 0) {
          sock.write('+PONG\r\n');
          return;
        }
        sock.write('*100000000\r\n');
        const chunk = Buffer.from(':1\r\n'.repeat(4096));
        const t = setInterval(() => {
          if (sock.destroyed || streamed > 64 * 1024 * 1024) return clearInterval(t);
          sock.write(chunk);
          streamed += chunk.length;
        }, 2);
        timers.push(t);
      });
    });
    conn = new Connection({ host: '127.0.0.1', port: peer.port, commandTimeout: 50, retryStrategy: () => 5 });
    const c = conn;
    await c.connect();
    let closes = 0;
    c.on('close', () => closes++);
    const closed = once(c, 'close');
    await expect(c.sendCommand('GET', 'k')).rejects.toBeInstanceOf(TimeoutError);
    await closed;
    expect(closes).toBe(1);
    // Recycled long before the 64 MiB the peer would have sent.
    expect(streamed).toBeLessThan(64 * 1024 * 1024);
    // The replacement socket works.
    expect(await c.sendCommand('PING')).toBe('PONG');
  });

  it('an endless stream of "*1" (nesting with no end) fails its caller with a ProtocolError at the nesting limit; the other callers get ConnectionError, nobody a value', async () => {
    let sent = 0;
    peer = await startScriptedPeer((sock) => {
      sock.on('data', () => {
        const chunk = Buffer.from('*1\r\n'.repeat(16384));
        const t = setInterval(() => {
          if (sock.destroyed || sent > 64 * 1024 * 1024) return clearInterval(t);
          sock.write(chunk);
          sent += chunk.length;
        }, 1);
        timers.push(t);
      });
    });
    conn = new Connection({ host: '127.0.0.1', port: peer.port, commandTimeout: 1000, retryStrategy: () => null });
    await conn.connect();
    const heapBefore = process.memoryUsage().heapUsed;
    const [head, other] = await Promise.allSettled([conn.sendCommand('GET', 'k'), conn.sendCommand('PING')]);
    expect((head as PromiseRejectedResult).reason).toBeInstanceOf(ProtocolError);
    expect((head as PromiseRejectedResult).reason.message).toMatch(/nested deeper than 128/);
    expect(other.status).toBe('rejected');
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    // 16 MiB of this used to keep ~456 MB of heap; refused within the first chunk now.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
  });

  it('sendPackedCommand obeys offlineQueue: false like every other command', async () => {
    peer = await startScriptedPeer((sock) => sock.on('data', () => sock.write('+PONG\r\n')));
    conn = new Connection({ host: '127.0.0.1', port: peer.port, lazyConnect: true, offlineQueue: false });
    const packed = conn.packCommand('PING');
    await expect(conn.sendPackedCommand(packed)).rejects.toBeInstanceOf(ConnectionError);
    await conn.connect();
    expect(await conn.sendPackedCommand(packed)).toBe('PONG');
  });
});
