import net from 'node:net';
import tls from 'node:tls';
import type { ResolvedConnectionOptions } from './options.js';

/**
 * Opens the socket the options describe (TCP, unix socket, or TLS over
 * either) and calls `onOpen` once it can carry commands: after the TLS
 * handshake for TLS, after the connect otherwise. No listeners beyond that.
 */
export function openTransport(o: ResolvedConnectionOptions, onOpen: (socket: net.Socket) => void): net.Socket {
  const common = { noDelay: true, keepAlive: o.keepAlive > 0, keepAliveInitialDelay: o.keepAlive };
  let socket: net.Socket;
  if (o.tls) {
    socket = tls.connect({
      ...common,
      ...(o.unixSocketPath ? { path: o.unixSocketPath } : { host: o.host, port: o.port }),
      servername: o.unixSocketPath || net.isIP(o.host) ? undefined : o.host,
      ...o.tls,
    });
    socket.once('secureConnect', () => onOpen(socket));
  } else {
    socket = o.unixSocketPath ? net.connect({ path: o.unixSocketPath }) : net.connect({ ...common, host: o.host, port: o.port });
    socket.once('connect', () => onOpen(socket));
  }
  return socket;
}
