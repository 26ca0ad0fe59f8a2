// Coalescing by default is decided by the server's `INFO server` reply. A
// hostile or changing server, scripted on loopback: the answer belongs to the
// server that gave it, so a reconnect (a failover behind one address, a
// restart as another server) asks again before a LedisDB-only pair (DEL) is
// coalesced for the new server.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../src/index.js';
import { TUNING } from '../../src/connection/options.js';
import { readCommands, startScriptedPeer, type ScriptedPeer } from './peer.js';
import { sendCoalescible } from '../support/coalesce.js';
import { socketOf } from '../support/internals.js';

let peer: ScriptedPeer | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  conn?.disconnect();
  await peer?.close();
});

function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

/**
 * Socket 0 says it is LedisDB (DEL answers the number of keys given), socket
 * 1 says it is Redis (DEL answers the keys removed: none here). Records each
 * DEL's key count per socket.
 */
async function startFailoverPeer(dels: number[][]): Promise<ScriptedPeer> {
  return startScriptedPeer((sock: net.Socket, index: number) => {
    dels[index] = [];
    readCommands(sock, (parts) => {
      const name = (parts[0] as string).toUpperCase();
      if (name === 'INFO') sock.write(bulk(index === 0 ? '# Server\r\nledisdb_version:0.6\r\n' : '# Server\r\nredis_version:7.0.0\r\n'));
      else if (name === 'DEL') {
        (dels[index] as number[]).push(parts.length - 1);
        sock.write(`:${index === 0 ? parts.length - 1 : 0}\r\n`);
      } else if (name === 'ECHO' && index === 0) sock.end('$3\r\nbye\r\n');
      else sock.write('+PONG\r\n');
    });
  });
}

describe('coalescing detection across reconnects', () => {
  it('after a reconnect to a server that is not LedisDB, DELs are not coalesced on what the old server said', async () => {
    const dels: number[][] = [];
    peer = await startFailoverPeer(dels);
    conn = new Connection({ host: '127.0.0.1', port: peer.port, retryStrategy: () => 10, [TUNING]: { coalesceFrom: 0 } });
    const c = conn;
    await c.connect();
    // First burst asks INFO (its DELs go one by one), the second coalesces on LedisDB.
    await Promise.all(['a', 'b', 'c'].map((k) => sendCoalescible(c, 'DEL', k)));
    expect(await Promise.all(['a', 'b', 'c'].map((k) => sendCoalescible(c, 'DEL', k)))).toEqual([1, 1, 1]);
    expect(Math.max(...(dels[0] as number[]))).toBe(3);
    // The server goes away; the reconnect lands on a Redis behind the same address.
    const ready = new Promise<void>((resolve) => c.once('ready', () => resolve()));
    (c as unknown as { socket: net.Socket }).socket.destroy();
    await ready;
    for (let round = 0; round < 2; round++) {
      // Redis answers 0 for each missing key: each caller must get that, not an UnexpectedReplyError for a group.
      expect(await Promise.all(['x', 'y', 'z'].map((k) => sendCoalescible(c, 'DEL', k)))).toEqual([0, 0, 0]);
    }
    expect(dels[1]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('a DEL group sealed but unwritten when the server closed is sent again as its DELs one by one to a server not known as LedisDB', async () => {
    const dels: number[][] = [];
    peer = await startFailoverPeer(dels);
    conn = new Connection({ host: '127.0.0.1', port: peer.port, retryStrategy: () => 10, [TUNING]: { coalesceFrom: 0 } });
    const c = conn;
    await c.connect();
    await Promise.all(['a', 'b', 'c'].map((k) => sendCoalescible(c, 'DEL', k)));
    expect(await Promise.all(['a', 'b', 'c'].map((k) => sendCoalescible(c, 'DEL', k)))).toEqual([1, 1, 1]);
    // The peer answers ECHO and closes (FIN). Issued between its 'end' and the socket's 'close', the DELs
    // gather into one DEL (the server was LedisDB) that is never written: it goes out after the reconnect, to a Redis.
    const socket = socketOf(c);
    let late: Promise<unknown[]> | undefined;
    socket.once('end', () => {
      setImmediate(() => {
        late = Promise.all(['x', 'y', 'z'].map((k) => sendCoalescible(c, 'DEL', k)));
      });
    });
    expect(await c.sendCommand('ECHO', 'bye')).toBe('bye');
    await new Promise<void>((resolve) => c.once('ready', () => resolve()));
    expect(late).toBeDefined();
    expect(await late).toEqual([0, 0, 0]);
    expect(dels[1]).toEqual([1, 1, 1]);
  });
});
