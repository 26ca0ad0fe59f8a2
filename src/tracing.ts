// node:diagnostics_channel TracingChannels for commands, pipelines and
// connects, and caller-pointing error stacks. Named and shaped like
// ioredis 5.11's and node-redis 5.12's channels (`ioredis:command`,
// `node-redis:command`, `...:batch`, `...:connect`), whose context fields map
// onto the OpenTelemetry database semantic conventions (db.operation.name,
// db.namespace, server.address, server.port, db.operation.batch.size), so
// an instrumentation written for those can subscribe here with the names
// changed.
//
// Zero cost when nobody subscribes: one `hasSubscribers` read per command.
import dc from 'node:diagnostics_channel';
import type { Connection } from './connection/connection.js';
import type { Command } from './connection/command.js';
import { CONNECT_CHANNEL, CONNECTION_CHANNEL, serverOf as server, subscribed, type ServerTraceContext } from './connection/diagnostics.js';

export type { ConnectTraceContext, ServerTraceContext, ConnectionStateMessage, ConnectionStateView } from './connection/diagnostics.js';

/** The TracingChannel names this driver publishes on. */
export const CHANNELS = {
  /** One command sent with a client method or sendCommand; context: CommandTraceContext. */
  TRACE_COMMAND: 'ledis:command',
  /** One pipeline exec()/execSettled(); context: BatchTraceContext. */
  TRACE_BATCH: 'ledis:batch',
  /** One connection attempt, first connect and every reconnect, until ready; context: ConnectTraceContext. */
  TRACE_CONNECT: CONNECT_CHANNEL,
  /**
   * A plain channel (not a TracingChannel): a connection became ready or its
   * ready socket closed; message: ConnectionStateMessage. Every connection
   * counts, the adaptive spread's added ones too (they close when retired).
   */
  CONNECTION: CONNECTION_CHANNEL,
} as const;

export interface CommandTraceContext extends ServerTraceContext {
  /** Upper-case command name as sent, e.g. "GET" (OTel db.operation.name). */
  command: string;
  /** Number of arguments after the command name. */
  argCount: number;
  /**
   * The arguments after the name, as strings, only with the client option
   * `traceArgs: true`; otherwise (and always for AUTH) each is "?".
   * Buffers appear as "<Buffer N bytes>".
   */
  args: readonly string[];
  /** Set by TracingChannel: the reply (asyncEnd) or the error (error). */
  result?: unknown;
  error?: unknown;
}

export interface BatchTraceContext extends ServerTraceContext {
  batchMode: 'PIPELINE';
  /** Number of commands in the pipeline (OTel db.operation.batch.size). */
  batchSize: number;
  /** The commands as sent (upper case: "SET", "INCRBY"), in order (each one's OTel db.operation.name). */
  commands: readonly string[];
  result?: unknown;
  error?: unknown;
}

const commandChannel = dc.tracingChannel<unknown, CommandTraceContext & object>(CHANNELS.TRACE_COMMAND);
const batchChannel = dc.tracingChannel<unknown, BatchTraceContext & object>(CHANNELS.TRACE_BATCH);

/** Client options that make a command take the observed path. */
export interface ObserveOptions {
  traceArgs?: boolean;
  showFriendlyErrorStack?: boolean;
}

/** True when a command must take the observed path: someone subscribes to commands, or friendly stacks are on. */
export function observing(options: ObserveOptions): boolean {
  return options.showFriendlyErrorStack === true || subscribed(commandChannel);
}

/** Frozen arrays of n "?" (n < 17), shared by every traced command without traceArgs. */
const HIDDEN: ReadonlyArray<readonly string[]> = Array.from({ length: 17 }, (_, n) => Object.freeze(new Array<string>(n).fill('?')));

function argText(a: unknown): string {
  if (typeof a === 'string') return a;
  if (Buffer.isBuffer(a)) return `<Buffer ${a.length} bytes>`;
  return String(a);
}

/** What sendObserved needs of src/routing/router.ts's Router (R: its Route). */
export interface CommandRouter<R extends { readonly readonly?: boolean }> {
  send(route: R, cmd: Command): Promise<unknown>;
  connectionFor(readonly: boolean): Connection;
}

/**
 * Sends `cmd` through the router the observed way: inside a `ledis:command`
 * trace when someone subscribes, with the caller's stack on its error when
 * showFriendlyErrorStack is on.
 */
export function sendObserved<R extends { readonly readonly?: boolean }>(options: ObserveOptions, router: CommandRouter<R>, route: R, cmd: Command): Promise<unknown> {
  const stack = options.showFriendlyErrorStack === true ? callerStack() : null;
  let p: Promise<unknown>;
  if (subscribed(commandChannel)) {
    const n = cmd.args.length;
    let args: readonly string[];
    if (cmd.wire === 'AUTH' || options.traceArgs !== true) {
      args = n < HIDDEN.length ? (HIDDEN[n] as readonly string[]) : Object.freeze(new Array<string>(n).fill('?'));
    } else {
      const shown = new Array<string>(n);
      for (let i = 0; i < n; i++) shown[i] = argText(cmd.args[i]);
      args = shown;
    }
    // Every connection of the pool the command goes to has the same server and db.
    let conn: Connection | null = null;
    try {
      conn = router.connectionFor(route.readonly === true);
    } catch {
      // no connection to say where (a closed client): the command fails as it would untraced
    }
    // One object literal of a fixed shape per command (cheaper than spreading serverOf's).
    const o = conn?.options;
    const ctx: CommandTraceContext =
      conn === null || o === undefined
        ? { command: cmd.wire, argCount: n, args, serverAddress: '', serverPort: undefined, database: 0 }
        : {
            command: cmd.wire,
            argCount: n,
            args,
            serverAddress: o.unixSocketPath ?? o.host,
            serverPort: o.unixSocketPath === undefined ? o.port : undefined,
            database: conn.db,
          };
    p = commandChannel.tracePromise(() => router.send(route, cmd), ctx);
  } else {
    p = router.send(route, cmd);
  }
  return stack === null ? p : p.catch((err: unknown) => Promise.reject(withCallerStack(err, stack)));
}

/** True when someone subscribes to `ledis:batch`. */
export function tracingBatches(): boolean {
  return subscribed(batchChannel);
}

/**
 * Runs a pipeline's `send` inside a `ledis:batch` trace that ends when
 * `replies` settles; resolves when `send` does, as the untraced path would.
 */
export function traceBatch(conn: Connection, commands: readonly string[], send: () => Promise<void>, replies: Promise<unknown>): Promise<void> {
  let sent: Promise<void> = Promise.resolve();
  batchChannel
    .tracePromise(() => (sent = send()).then(() => replies), { batchMode: 'PIPELINE', batchSize: commands.length, commands, ...server(conn) })
    .catch(() => undefined);
  return sent;
}

// ---- caller-pointing stacks ------------------------------------------------

/** This package's folder (src/ or dist/cjs/): its frames are dropped from friendly stacks. */
const OWN_DIR = (() => {
  const line = new Error().stack?.split('\n')[1] ?? '';
  const m = /\(?((?:file:\/\/)?\/.*?|[A-Za-z]:\\.*?)\/[^/\\]+:\d+:\d+\)?$/.exec(line.trim());
  return m ? m[1]! : null;
})();

/** Captures the caller's frames; V8 formats them only if `.stack` is read (on failure). */
function callerStack(): { stack?: string } {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, sendObserved);
  return holder;
}

/** The error with its stack replaced by the caller's frames (this package's own frames left out). */
function withCallerStack(err: unknown, holder: { stack?: string }): unknown {
  if (!(err instanceof Error)) return err;
  const frames = (holder.stack ?? '')
    .split('\n')
    .slice(1)
    .filter((l) => OWN_DIR === null || !l.includes(`${OWN_DIR}/`));
  err.stack = `${err.name}: ${err.message}\n${frames.join('\n')}`;
  return err;
}
