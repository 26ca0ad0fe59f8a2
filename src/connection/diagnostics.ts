// What a connection tells observers: NODE_DEBUG=ledis lines (Node's
// util.debuglog: lifecycle, reconnects, timeouts, recycled sockets) and the
// `ledis:connect` TracingChannel (one trace per connection attempt). Lives
// in the connection layer because connection.ts calls it; the command and
// pipeline channels are in src/tracing.ts.
//
// Only addresses (host:port or socket path), db numbers, command names,
// counts and error messages are written: never a password, a URL or a
// command's arguments.
import dc from 'node:diagnostics_channel';
import { debuglog } from 'node:util';

/** What these hooks read of a Connection (a structural type: connection.ts imports this file). */
export interface ObservedConnection {
  readonly address: string;
  readonly db: number;
  readonly options: { host: string; port: number; unixSocketPath?: string | undefined; commandTimeout: number; offlineTimeout: number };
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** Where a traced operation went. */
export interface ServerTraceContext {
  /** Host name or IP, or the unix socket path (OTel server.address). */
  serverAddress: string;
  /** TCP port; undefined for a unix socket (OTel server.port). */
  serverPort: number | undefined;
  /** The database number selected on the connection (OTel db.namespace). */
  database: number;
}

export interface ConnectTraceContext extends ServerTraceContext {
  /** 0 for the first connect, then the reconnect attempt number. */
  attempt: number;
  result?: unknown;
  error?: unknown;
}

export const CONNECT_CHANNEL = 'ledis:connect';
export const CONNECTION_CHANNEL = 'ledis:connection';

/** One connection as `ledis:connection` shows it: where it goes and how busy it is, read live. */
export interface ConnectionStateView extends ServerTraceContext {
  /** Commands written or waiting on this connection, not yet answered (read when accessed). */
  readonly pending: number;
}

/** A message of the `ledis:connection` channel: a connection became ready, or its ready socket closed. */
export interface ConnectionStateMessage {
  state: 'ready' | 'closed';
  /** The same object for every message of one connection (a key for a Set or Map). */
  connection: ConnectionStateView;
}

type AnyTracingChannel = { hasSubscribers?: boolean; start: dc.Channel; end: dc.Channel; asyncStart: dc.Channel; asyncEnd: dc.Channel; error: dc.Channel };

const connectChannel = dc.tracingChannel<unknown, ConnectTraceContext & object>(CONNECT_CHANNEL);
const connectionChannel = dc.channel(CONNECTION_CHANNEL);

/** Whether a TracingChannel has subscribers: its own getter from Node 20.13, else asking its five channels. */
export const subscribed: (tc: object) => boolean =
  typeof (connectChannel as AnyTracingChannel).hasSubscribers === 'boolean'
    ? (tc) => (tc as AnyTracingChannel).hasSubscribers as boolean
    : (tc) => {
        const t = tc as AnyTracingChannel;
        return t.start.hasSubscribers || t.end.hasSubscribers || t.asyncStart.hasSubscribers || t.asyncEnd.hasSubscribers || t.error.hasSubscribers;
      };

export function serverOf(conn: ObservedConnection): ServerTraceContext {
  const o = conn.options;
  return o.unixSocketPath !== undefined
    ? { serverAddress: o.unixSocketPath, serverPort: undefined, database: conn.db }
    : { serverAddress: o.host, serverPort: o.port, database: conn.db };
}

// ---- NODE_DEBUG=ledis --------------------------------------------------------

const log = debuglog('ledis');

/** Whether NODE_DEBUG names ledis (read once at startup, as util.debuglog does). */
export const debugEnabled: boolean = log.enabled;

const watched = new WeakSet<ObservedConnection>();

function watch(conn: ObservedConnection): void {
  if (watched.has(conn)) return;
  watched.add(conn);
  conn.on('connect', () => log('%s: socket connected', conn.address));
  conn.on('ready', () => log('%s: ready (db %d)', conn.address, conn.db));
  conn.on('close', () => log('%s: socket closed', conn.address));
  conn.on('reconnecting', (i: { attempt: number; delay: number; error?: Error }) =>
    log('%s: reconnecting, attempt %d in %d ms%s', conn.address, i.attempt, i.delay, i.error ? ` after: ${i.error.message}` : ''),
  );
  conn.on('end', () => log('%s: ended (no more reconnects)', conn.address));
}

/** Called when a connection destroys its socket on purpose (a timeout, a stalled or broken stream). */
export function debugRecycle(conn: ObservedConnection, error: Error): void {
  if (debugEnabled) log('%s: recycling the socket: %s', conn.address, error.message);
}

/**
 * Called when a command times out on a connection (written, or waiting for a
 * connection) with the error it is rejected with; returns that error.
 */
export function debugTimeout<E extends Error>(conn: ObservedConnection, command: string, written: boolean, error: E): E {
  if (debugEnabled) {
    const o = conn.options;
    log(
      '%s: %s timed out %s (commandTimeout %d ms, offlineTimeout %d ms)',
      conn.address,
      command,
      written ? 'waiting for its reply' : 'before it was sent',
      o.commandTimeout,
      o.offlineTimeout,
    );
  }
  return error;
}

// ---- ledis:connect -------------------------------------------------------------

/**
 * Called as a connection opens a socket (first connect and each reconnect):
 * logs it, and traces the attempt on `ledis:connect` until 'ready'
 * (asyncEnd) or until it fails (error: the reason the connection gives for
 * reconnecting or ending).
 */
export function onConnecting(conn: ObservedConnection, attempt: number): void {
  if (debugEnabled) {
    watch(conn);
    log('%s: connecting%s', conn.address, attempt > 0 ? ` (attempt ${attempt})` : '');
  }
  if (connectionChannel.hasSubscribers) watchState(conn);
  if (!subscribed(connectChannel)) return;
  const outcome = new Promise<void>((resolve, reject) => {
    const done = (): void => {
      conn.off('ready', ready);
      conn.off('reconnecting', reconnecting);
      conn.off('end', end);
    };
    const ready = (): void => {
      done();
      resolve();
    };
    const reconnecting = (info: { error: Error | undefined }): void => {
      done();
      reject(info.error ?? new Error(`connection to ${conn.address} closed before it was ready`));
    };
    const end = (): void => {
      done();
      reject(new Error(`connection to ${conn.address} ended before it was ready`));
    };
    conn.on('ready', ready);
    conn.on('reconnecting', reconnecting);
    conn.on('end', end);
  });
  connectChannel.tracePromise(() => outcome, { attempt, ...serverOf(conn) }).catch(() => undefined);
}

// ---- ledis:connection -----------------------------------------------------------

const stateWatched = new WeakSet<ObservedConnection>();

/**
 * Publishes a connection's ready and closed moments on `ledis:connection`
 * from now on (once per connection; a connection that became ready before
 * anyone subscribed is seen from its next connect on).
 */
function watchState(conn: ObservedConnection & { readonly pending?: number }): void {
  if (stateWatched.has(conn)) return;
  stateWatched.add(conn);
  const o = conn.options;
  const view: ConnectionStateView = {
    serverAddress: o.unixSocketPath ?? o.host,
    serverPort: o.unixSocketPath === undefined ? o.port : undefined,
    get database() {
      return conn.db;
    },
    get pending() {
      return conn.pending ?? 0;
    },
  };
  let open = false;
  conn.on('ready', () => {
    if (open) return;
    open = true;
    connectionChannel.publish({ state: 'ready', connection: view } satisfies ConnectionStateMessage);
  });
  conn.on('close', () => {
    if (!open) return;
    open = false;
    connectionChannel.publish({ state: 'closed', connection: view } satisfies ConnectionStateMessage);
  });
}

/** Called when the adaptive spread changes how many shared connections it uses (src/routing/spread.ts). */
export function debugSpread(address: string, from: number, to: number, why: string): void {
  if (debugEnabled) log('%s: spread %d -> %d connections (%s)', address, from, to, why);
}
