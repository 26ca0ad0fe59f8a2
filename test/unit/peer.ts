// A scripted loopback peer for connection tests that need no LedisDB: the
// test says what to do with each accepted socket; the peer keeps track of the
// sockets so that close() ends them all.
import net from 'node:net';

export interface ScriptedPeer {
  port: number;
  /** Sockets accepted so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startScriptedPeer(onSocket: (sock: net.Socket, index: number) => void): Promise<ScriptedPeer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    onSocket(sock, peer.connections++);
  });
  const peer: ScriptedPeer = {
    port: 0,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.port = (server.address() as net.AddressInfo).port;
  return peer;
}

/** Reads RESP arrays of bulk strings from a socket; calls `onCommand` with each command's parts. */
export function readCommands(sock: net.Socket, onCommand: (parts: string[]) => void): void {
  let buf = Buffer.alloc(0);
  sock.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      let at = 0;
      const line = (): string | null => {
        const end = buf.indexOf('\r\n', at);
        if (end < 0) return null;
        const s = buf.subarray(at, end).toString();
        at = end + 2;
        return s;
      };
      const head = line();
      if (head === null || head[0] !== '*') return;
      const n = Number(head.slice(1));
      const parts: string[] = [];
      for (let i = 0; i < n; i++) {
        const len = line();
        if (len === null || buf.length < at + Number(len.slice(1)) + 2) return;
        const size = Number(len.slice(1));
        parts.push(buf.subarray(at, at + size).toString());
        at += size + 2;
      }
      buf = buf.subarray(at);
      onCommand(parts);
    }
  });
}
