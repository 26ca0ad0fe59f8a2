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
import { debugConnecting } from './debug.js';

/** The TracingChannel names this driver publishes on. */
export const CHANNELS = {
  /** One command sent with a client method or sendCommand; context: CommandTraceContext. */
  TRACE_COMMAND: 'ledis:command',
  /** One pipeline exec()/execSettled(); context: BatchTraceContext. */
  TRACE_BATCH: 'ledis:batch',
  /** One connection attempt, first connect and every reconnect, until ready; context: ConnectTraceContext. */
  TRACE_CONNECT: 'ledis:connect',
} as const;

/** Where a traced operation went. */
export interface ServerTraceContext {
  /** Host name or IP, or the unix socket path (OTel server.address). */
  serverAddress: string;
  /** TCP port; undefined for a unix socket (OTel server.port). */
  serverPort: number | undefined;
  /** The database number selected on the connection (OTel db.namespace). */
  database: number;
}

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
  result?: unknown;
  error?: unknown;
}

export interface ConnectTraceContext extends ServerTraceContext {
  /** 0 for the first connect, then the reconnect attempt number. */
  attempt: number;
  result?: unknown;
  error?: unknown;
}

const commandChannel = dc.tracingChannel<unknown, CommandTraceContext & object>(CHANNELS.TRACE_COMMAND);
const batchChannel = dc.tracingChannel<unknown, BatchTraceContext & object>(CHANNELS.TRACE_BATCH);
const connectChannel = dc.tracingChannel<unknown, ConnectTraceContext & object>(CHANNELS.TRACE_CONNECT);

type AnyTracingChannel = { hasSubscribers?: boolean; start: dc.Channel; end: dc.Channel; asyncStart: dc.Channel; asyncEnd: dc.Channel; error: dc.Channel };
/** TracingChannel#hasSubscribers exists from Node 20.13; before that, ask the five channels. */
const subscribed: (tc: AnyTracingChannel) => boolean =
  typeof (commandChannel as AnyTracingChannel).hasSubscribers === 'boolean'
    ? (tc) => tc.hasSubscribers as boolean
    : (tc) => tc.start.hasSubscribers || tc.end.hasSubscribers || tc.asyncStart.hasSubscribers || tc.asyncEnd.hasSubscribers || tc.error.hasSubscribers;

/** Client options that make a command take the observed path. */
export interface ObserveOptions {
  traceArgs?: boolean;
  showFriendlyErrorStack?: boolean;
}

/** True when a command must take the observed path: someone subscribes to commands, or friendly stacks are on. */
export function observing(options: ObserveOptions): boolean {
  return options.showFriendlyErrorStack === true || subscribed(commandChannel as AnyTracingChannel);
}

function server(conn: Connection): ServerTraceContext {
  const o = conn.options;
  return o.unixSocketPath !== undefined
    ? { serverAddress: o.unixSocketPath, serverPort: undefined, database: conn.db }
    : { serverAddress: o.host, serverPort: o.port, database: conn.db };
}

function argText(a: unknown): string {
  if (typeof a === 'string') return a;
  if (Buffer.isBuffer(a)) return `<Buffer ${a.length} bytes>`;
  return String(a);
}

/**
 * Sends `cmd` on `conn` the observed way: inside a `ledis:command` trace when
 * someone subscribes, with the caller's stack on its error when
 * showFriendlyErrorStack is on.
 */
export function sendObserved(options: ObserveOptions, cmd: Command, conn: Connection): Promise<unknown> {
  const stack = options.showFriendlyErrorStack === true ? callerStack() : null;
  const send = (): Promise<unknown> => {
    const p = cmd.promise();
    conn.send(cmd);
    return p;
  };
  let p: Promise<unknown>;
  if (subscribed(commandChannel as AnyTracingChannel)) {
    const n = cmd.args.length;
    const secret = cmd.name === 'AUTH' || options.traceArgs !== true;
    const args = new Array<string>(n);
    for (let i = 0; i < n; i++) args[i] = secret ? '?' : argText(cmd.args[i]);
    p = commandChannel.tracePromise(send, { command: cmd.name, argCount: n, args, ...server(conn) });
  } else {
    p = send();
  }
  return stack === null ? p : p.catch((err: unknown) => Promise.reject(withCallerStack(err, stack)));
}

/** True when someone subscribes to `ledis:batch`. */
export function tracingBatches(): boolean {
  return subscribed(batchChannel as AnyTracingChannel);
}

/** Runs a pipeline's send inside a `ledis:batch` trace. */
export function traceBatch<T>(conn: Connection, size: number, fn: () => Promise<T>): Promise<T> {
  return batchChannel.tracePromise(fn, { batchMode: 'PIPELINE', batchSize: size, ...server(conn) });
}

/**
 * Called as a connection opens a socket: traces the attempt on
 * `ledis:connect` until 'ready' (asyncEnd) or until it fails (error: the
 * reason the connection gives for reconnecting or ending).
 */
export function onConnecting(conn: Connection, attempt: number): void {
  debugConnecting(conn, attempt);
  if (!subscribed(connectChannel as AnyTracingChannel)) return;
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
  connectChannel.tracePromise(() => outcome, { attempt, ...server(conn) }).catch(() => undefined);
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
