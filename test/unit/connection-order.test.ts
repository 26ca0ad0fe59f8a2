// Connection logic against a scripted loopback peer (no LedisDB): queue order,
// timeouts in the middle of a run, late replies dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, TimeoutError } from '../../src/index.js';
import { startScriptedPeer, type ScriptedPeer } from './peer.js';

interface Peer extends ScriptedPeer {
  /** Every request the peer has seen, as its first argument (ECHO's payload). */
  requests: string[];
}

/**
 * A peer that answers ECHO x with +x, holding back the reply to any payload
 * starting with "slow" for `slowMs`; replies always keep request order.
 */
async function startPeer(slowMs: number): Promise<Peer> {
  const requests: string[] = [];
  const peer = await startScriptedPeer((sock) => {
    let buffered = '';
    let chain = Promise.resolve();
    sock.on('data', (d) => {
      buffered += d.toString('latin1');
      // Requests are *2\r\n$4\r\nECHO\r\n$n\r\n<payload>\r\n
      for (;;) {
        const m = /^\*2\r\n\$4\r\nECHO\r\n\$(\d+)\r\n/.exec(buffered);
        if (!m) break;
        const len = Number(m[1]);
        const start = m[0].length;
        if (buffered.length < start + len + 2) break;
        const payload = buffered.slice(start, start + len);
        buffered = buffered.slice(start + len + 2);
        requests.push(payload);
        chain = chain.then(
          () => new Promise<void>((resolve) => setTimeout(resolve, payload.startsWith('slow') ? slowMs : 0)),
        ).then(() => {
          if (!sock.destroyed) sock.write(`$${len}\r\n${payload}\r\n`);
        });
      }
    });
  });
  return Object.assign(peer, { requests });
}

let peer: Peer | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  conn?.disconnect();
  await peer?.close();
});

describe('in-order resolution', () => {
  it('resolves every caller with its own reply, in order, when replies trickle in', async () => {
    peer = await startPeer(5);
    conn = new Connection({ host: '127.0.0.1', port: peer.port });
    const payloads = Array.from({ length: 300 }, (_, i) => (i % 50 === 7 ? `slow-${i}` : `fast-${i}`));
    const replies = await Promise.all(payloads.map((x) => conn!.sendCommand('ECHO', x)));
    expect(replies).toEqual(payloads);
  });

  it('a timeout in the middle of a run rejects only the timed-out commands; later replies still reach their own callers', async () => {
    peer = await startPeer(300);
    conn = new Connection({ host: '127.0.0.1', port: peer.port, commandTimeout: 200 });
    await conn.connect();
    // fast-0 and fast-1 are answered at once; slow-2 holds the stream for 300 ms,
    // so it and everything behind it (issued together) time out at 200 ms.
    const first = ['fast-0', 'fast-1', 'slow-2', 'fast-3'].map((x) => conn!.sendCommand('ECHO', x));
    const settled = await Promise.allSettled(first);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'fast-0' });
    expect(settled[1]).toEqual({ status: 'fulfilled', value: 'fast-1' });
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
    expect((settled[3] as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
    // Issued after the timeouts: the late replies to slow-2 and fast-3 arrive first and are dropped.
    const later = await Promise.all(['after-4', 'after-5'].map((x) => conn!.sendCommand('ECHO', x)));
    expect(later).toEqual(['after-4', 'after-5']);
    expect(conn.status).toBe('ready');
  });

  it('the deadline of a timed-out command is within its bound', async () => {
    peer = await startPeer(2000);
    conn = new Connection({ host: '127.0.0.1', port: peer.port, commandTimeout: 100 });
    await conn.connect();
    await conn.sendCommand('ECHO', 'warm');
    const started = performance.now();
    await expect(conn.sendCommand('ECHO', 'slow')).rejects.toBeInstanceOf(TimeoutError);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(1000);
  });
});
