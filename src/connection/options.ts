import type { ConnectionOptions as TlsOptions } from 'node:tls';

/** Returns the delay in ms before reconnect attempt `attempt` (1-based), or null to give up. */
export type RetryStrategy = (attempt: number, error: Error | undefined) => number | null;

export interface ConnectionOptions {
  /** Default "localhost". */
  host?: string;
  /** Default 6380 (LedisDB's port). */
  port?: number;
  /** Connect to this unix socket instead of TCP. */
  unixSocketPath?: string;
  /** TLS options (or `true` for defaults); enables TLS. */
  tls?: TlsOptions | boolean;
  /** Sent with AUTH on every (re)connect, before any queued command. */
  password?: string;
  /** Selected on every (re)connect when not 0. */
  db?: number;
  /** ms to wait for the socket (and handshake) before failing the attempt. Default 10000. */
  connectTimeout?: number;
  /**
   * ms a command may wait for its reply, counted from when it was issued; 0
   * (default) for no limit. A late reply is read and dropped. If nothing at
   * all was read from the server during that time, the connection is deemed
   * stalled and recycled.
   */
  commandTimeout?: number;
  /** ms of socket inactivity, while replies are outstanding, after which the connection is recycled. 0 = off. */
  socketTimeout?: number;
  /** Bound on commands queued (in flight plus waiting); past it new commands are refused. Default 100000. */
  maxPending?: number;
  /** ms a command issued while disconnected waits for a connection before it is rejected. Default 10000. */
  offlineTimeout?: number;
  /** Queue commands while disconnected (default true); false rejects them at once. */
  offlineQueue?: boolean;
  /** Do not connect until the first command (or `connect()`). */
  lazyConnect?: boolean;
  /** Reconnect delays; default: exponential back-off from 50 ms to 2 s with jitter, never giving up. */
  retryStrategy?: RetryStrategy;
  /** Pending output (in characters or bytes) past which a flush happens at once. Default 256 KiB. */
  flushThreshold?: number;
  /** TCP keep-alive initial delay in ms; 0 disables. Default 30000. */
  keepAlive?: number;
  /**
   * What to do with an integer reply beyond Number.MAX_SAFE_INTEGER: return a
   * bigint (default) or reject the command with a DataError.
   */
  bigIntegers?: 'bigint' | 'error';
}

export interface ResolvedConnectionOptions extends Required<Omit<ConnectionOptions, 'unixSocketPath' | 'tls' | 'password'>> {
  unixSocketPath: string | undefined;
  tls: TlsOptions | undefined;
  password: string | undefined;
}

export const defaultRetryStrategy: RetryStrategy = (attempt) => {
  const cap = Math.min(2000, 50 * 2 ** Math.min(attempt - 1, 10));
  // "Equal jitter": half fixed, half random, so a herd of clients spreads out.
  return Math.round(cap / 2 + Math.random() * (cap / 2));
};

export function resolveConnectionOptions(o: ConnectionOptions): ResolvedConnectionOptions {
  return {
    host: o.host ?? 'localhost',
    port: o.port ?? 6380,
    unixSocketPath: o.unixSocketPath,
    tls: o.tls === true ? {} : o.tls === false ? undefined : o.tls,
    password: o.password === '' ? undefined : o.password,
    db: o.db ?? 0,
    connectTimeout: o.connectTimeout ?? 10000,
    commandTimeout: o.commandTimeout ?? 0,
    socketTimeout: o.socketTimeout ?? 0,
    maxPending: o.maxPending ?? 100000,
    offlineTimeout: o.offlineTimeout ?? 10000,
    offlineQueue: o.offlineQueue ?? true,
    lazyConnect: o.lazyConnect ?? false,
    retryStrategy: o.retryStrategy ?? defaultRetryStrategy,
    flushThreshold: o.flushThreshold ?? 256 * 1024,
    keepAlive: o.keepAlive ?? 30000,
    bigIntegers: o.bigIntegers ?? 'bigint',
  };
}
