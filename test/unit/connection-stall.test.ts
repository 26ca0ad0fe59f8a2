// Stall detection against a scripted loopback peer (no LedisDB): a peer that
// answers the first command of each connection and then goes silent, without
// closing. The connection must time the next command out within its bound and
// recycle the socket, since nothing at all was read during that command's
// timeout.
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, TimeoutError } from '../../src/index.js';
import { startScriptedPeer, type ScriptedPeer } from './peer.js';

type Peer = ScriptedPeer;

/** Answers the first command of each connection, then stays silent without closing. */
function startSilentPeer(): Promise<Peer> {
  return startScriptedPeer((sock) => {
    let answered = false;
    sock.on('data', () => {
      if (!answered) sock.write('+PONG\r\n');
      answered = true;
    });
  });
}

let peer: Peer | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  conn?.disconnect();
  await peer?.close();
});

describe('stall detection', () => {
  it('a command issued right after a reply, on a stream that then goes silent, times out and recycles the socket', async () => {
    peer = await startSilentPeer();
    conn = new Connection({ host: '127.0.0.1', port: peer.port, commandTimeout: 100, retryStrategy: () => 10 });
    const c = conn;
    let closes = 0;
    c.on('close', () => closes++);
    // Several rounds: each issues its second command in the same tick as the first's reply,
    // so usually in the same millisecond as the last read.
    for (let round = 1; round <= 5; round++) {
      await c.connect();
      expect(await c.sendCommand('PING')).toBe('PONG');
      const started = performance.now();
      await expect(c.sendCommand('GET', 'k')).rejects.toBeInstanceOf(TimeoutError);
      expect(performance.now() - started).toBeLessThan(600);
      // Recycled by that timeout itself, not later by some other command's.
      await new Promise((r) => setTimeout(r, 50));
      expect(closes, `round ${round}`).toBe(round);
    }
    expect(peer.connections).toBeGreaterThanOrEqual(5);
  });
});
