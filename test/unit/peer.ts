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
