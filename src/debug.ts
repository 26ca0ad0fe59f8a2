// NODE_DEBUG=ledis: connection lifecycle, reconnects, timeouts and recycled
// sockets on stderr through Node's util.debuglog ("LEDIS <pid>: ..." lines).
// Only addresses (host:port or socket path), db numbers, counts and error
// messages are written: never a password, a URL or a command's arguments.
import { debuglog } from 'node:util';
import type { Connection } from './connection/connection.js';

const log = debuglog('ledis');

/** Whether NODE_DEBUG names ledis (read once at startup, as util.debuglog does). */
export const debugEnabled: boolean = log.enabled;

/** Writes one debug line when NODE_DEBUG includes ledis. */
export function debug(format: string, ...args: unknown[]): void {
  if (debugEnabled) log(format, ...args);
}

const watched = new WeakSet<Connection>();

/** Called when a connection opens a socket (first connect and each reconnect). */
export function debugConnecting(conn: Connection, attempt: number): void {
  if (!debugEnabled) return;
  if (!watched.has(conn)) {
    watched.add(conn);
    conn.on('connect', () => debug('%s: socket connected', conn.address));
    conn.on('ready', () => debug('%s: ready (db %d)', conn.address, conn.db));
    conn.on('close', () => debug('%s: socket closed', conn.address));
    conn.on('reconnecting', (i) => debug('%s: reconnecting, attempt %d in %d ms%s', conn.address, i.attempt, i.delay, i.error ? ` after: ${i.error.message}` : ''));
    conn.on('end', () => debug('%s: ended (no more reconnects)', conn.address));
  }
  debug('%s: connecting%s', conn.address, attempt > 0 ? ` (attempt ${attempt})` : '');
}

/** Called when a connection destroys its socket on purpose (a timeout, a stalled or broken stream). */
export function debugRecycle(conn: Connection, error: Error): void {
  if (debugEnabled) debug('%s: recycling the socket: %s', conn.address, error.message);
}

/** Called when a command times out on a connection (written, or waiting for a connection). */
export function debugTimeout(conn: Connection, command: string, written: boolean): void {
  if (debugEnabled) {
    const o = conn.options;
    debug('%s: %s timed out %s (commandTimeout %d ms, offlineTimeout %d ms)', conn.address, command, written ? 'waiting for its reply' : 'before it was sent', o.commandTimeout, o.offlineTimeout);
  }
}
