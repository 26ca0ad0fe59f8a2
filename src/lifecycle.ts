// The client's lifecycle as ioredis users read it: one `status` for the
// client, `connect()` that settles after the first attempt, `'end'` once.
import type { Connection } from './connection/connection.js';
import { ConnectionError } from './errors.js';

/**
 * `'wait'`: lazyConnect and nothing sent yet; `'connecting'`: the first
 * attempt (socket and AUTH/SELECT handshake); `'ready'`: commands flow;
 * `'reconnecting'`: lost, retrying per retryStrategy (commands wait, bounded
 * by offlineTimeout); `'closing'`: quit() is waiting for outstanding replies;
 * `'end'`: closed for good (after quit(), disconnect(), or a retryStrategy
 * that gave up). With several shared connections: ready if any is.
 */
export type LedisStatus = 'wait' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'end';

/** The status of a set of shared connections, read as one. */
export function statusOf(connections: readonly Connection[]): LedisStatus {
  let connecting = false;
  let reconnecting = false;
  let waiting = false;
  for (const c of connections) {
    switch (c.status) {
      case 'ready':
        return 'ready';
      case 'connecting':
      case 'connect':
        connecting = true;
        break;
      case 'reconnecting':
        reconnecting = true;
        break;
      case 'wait':
        waiting = true;
        break;
      default:
        break;
    }
  }
  if (connecting) return 'connecting';
  if (reconnecting) return 'reconnecting';
  return waiting ? 'wait' : 'end';
}

/**
 * Connects `conn` and settles after its first attempt: resolves when it is
 * ready, rejects when that attempt fails (refused, reset, connectTimeout, a
 * refused handshake) instead of waiting through every retry. The connection
 * keeps retrying in the background as its retryStrategy says.
 */
export function firstAttempt(conn: Connection): Promise<void> {
  if (conn.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onRetry = (info: { attempt: number; error: Error | undefined }): void => {
      conn.off('reconnecting', onRetry);
      const why = info.error ? `: ${info.error.message}` : '';
      reject(new ConnectionError(`could not connect to ${conn.address}${why} (still retrying in the background)`, { cause: info.error }));
    };
    conn.on('reconnecting', onRetry);
    conn.connect().then(
      () => {
        conn.off('reconnecting', onRetry);
        resolve();
      },
      (err: unknown) => {
        conn.off('reconnecting', onRetry);
        reject(err);
      },
    );
  });
}
