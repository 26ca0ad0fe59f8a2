// LedisInstrumentation: OpenTelemetry spans and database-client metrics for
// ledis, built on the driver's diagnostics channels (src/tracing.ts), not on
// patching: enable() subscribes to `ledis:command`, `ledis:batch`,
// `ledis:connect` and `ledis:connection`, disable() unsubscribes, and with
// nobody subscribed a command costs the driver one `hasSubscribers` read.
//
// It implements @opentelemetry/instrumentation's `Instrumentation` interface
// (what registerInstrumentations() calls: setTracerProvider,
// setMeterProvider, getConfig, enable, disable) with @opentelemetry/api
// alone. It does not extend that package's InstrumentationBase: the base
// class exists to hook require() and import (require-in-the-middle,
// import-in-the-middle) and patch module exports, which a channel subscriber
// does not need, and extending it would make that package and its hooks a
// runtime dependency of everyone who imports ledis/otel.
//
// Names and attributes follow the OpenTelemetry semantic conventions for
// database clients (spans: Stable; Redis-specific notes applied where LedisDB
// matches them: db.namespace is the db index, no namespace in span names,
// db.response.status_code is the error reply's prefix).
import dc from 'node:diagnostics_channel';
import type {
  Attributes,
  BatchObservableResult,
  Histogram,
  Meter,
  MeterProvider,
  ObservableUpDownCounter,
  Span,
  Tracer,
  TracerProvider,
} from '@opentelemetry/api';
import { api } from './api.js';
import {
  CHANNELS,
  type BatchTraceContext,
  type CommandTraceContext,
  type ConnectTraceContext,
  type ConnectionStateMessage,
  type ConnectionStateView,
  type ServerTraceContext,
} from '../tracing.js';
import {
  ATTR_DB_CLIENT_CONNECTION_POOL_NAME,
  ATTR_DB_CLIENT_CONNECTION_STATE,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_LEDISDB,
  DURATION_BUCKETS,
  METRIC_DB_CLIENT_CONNECTION_COUNT,
  METRIC_DB_CLIENT_CONNECTION_CREATE_TIME,
  METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS,
  METRIC_DB_CLIENT_OPERATION_DURATION,
} from './semconv.js';

/** The instrumentation scope name of every tracer and meter ledis/otel makes. */
export const INSTRUMENTATION_NAME = 'ledis/otel';
/** The instrumentation scope version: this package's version (a test keeps it equal to package.json's). */
export const INSTRUMENTATION_VERSION = '0.1.0';

/**
 * Turns a command into its `db.query.text`, or undefined for none.
 * `command` is the upper-case name as sent ("GET"); `args` are what the
 * `ledis:command` channel carries: one "?" per argument unless the client was
 * made with `traceArgs: true` (then the arguments as strings, Buffers as
 * "<Buffer N bytes>"). Never called for AUTH (its text is always "AUTH ?").
 */
export type DbStatementSerializer = (command: string, args: readonly string[]) => string | undefined;

/** What a requestHook is told about the command whose span just started. */
export interface LedisRequestHookInformation {
  /** Upper-case command name as sent. */
  command: string;
  /** As for DbStatementSerializer: "?" each unless `traceArgs: true`; AUTH's always "?". */
  args: readonly string[];
}

export interface LedisInstrumentationConfig {
  /**
   * Subscribe at construction (default true), as every OpenTelemetry JS
   * instrumentation does; with false, registerInstrumentations() or
   * enable() subscribes.
   */
  enabled?: boolean;
  /**
   * Make spans only for commands, pipelines and connects that run inside an
   * active span. Default true, as instrumentation-ioredis's (a command
   * outside any request makes no root span of its own); false makes a root
   * span for those too. Metrics are recorded either way.
   */
  requireParentSpan?: boolean;
  /**
   * Replaces the default `db.query.text` ("GET ?": the command name and one
   * "?" per argument, at most 16 of them). Return undefined for no
   * attribute. A serializer that throws gives no attribute.
   */
  dbStatementSerializer?: DbStatementSerializer;
  /** Called as a command's span starts (not for pipelines or connects); errors it throws are ignored. */
  requestHook?: (span: Span, info: LedisRequestHookInformation) => void;
  /**
   * Called before a successful command's span ends, with the reply as the
   * caller gets it; add attributes here. Errors it throws are ignored.
   */
  responseHook?: (span: Span, command: string, args: readonly string[], response: unknown) => void;
  /** The db.system.name value (default "ledisdb"; "redis" if your backend should treat LedisDB as Redis). */
  dbSystemName?: string;
  /** A span per connection attempt (first connect and each reconnect), default true. */
  traceConnect?: boolean;
}

const SPAN = Symbol('ledis.otel.span');
const START = Symbol('ledis.otel.start');

/** What this instrumentation keeps on a channel's context object between start and asyncEnd. */
interface Marks {
  [SPAN]?: Span | undefined;
  [START]?: number | undefined;
}

type TraceHandlers<C> = {
  start?: (ctx: C) => void;
  end?: (ctx: C) => void;
  asyncStart?: (ctx: C) => void;
  asyncEnd?: (ctx: C) => void;
  error?: (ctx: C) => void;
};

/** `GET ? ?`: up to 16 "?" (a command with more says how many). */
const QMARKS: string[] = [];
for (let i = 0, s = ''; i <= 16; i++, s += ' ?') QMARKS.push(s);
/** The default texts made so far, by command name then argument count (at most 1,024 names kept). */
const QUERY_TEXTS = new Map<string, string[]>();
function defaultQueryText(command: string, argCount: number): string {
  if (argCount > 16) return `${command}${QMARKS[16]} … (${argCount} arguments)`;
  let row = QUERY_TEXTS.get(command);
  if (row === undefined) {
    if (QUERY_TEXTS.size >= 1024) return command + QMARKS[argCount];
    QUERY_TEXTS.set(command, (row = []));
  }
  return (row[argCount] ??= command + QMARKS[argCount]);
}

/**
 * error.type and db.response.status_code of a failure. A server error reply
 * (ResponseError) gives its prefix when it has one ("WRONGTYPE"), else "ERR"
 * (LedisDB's replies carry no prefix; "ERR" is RESP's generic one); any other
 * error its class name ("TimeoutError", "ConnectionError"...), a Node system
 * error its code ("ECONNREFUSED").
 */
function errorInfo(err: unknown): { type: string; status: string | undefined } {
  if (err instanceof Error) {
    if (err.name === 'ResponseError') {
      const text = (err as { serverMessage?: unknown }).serverMessage;
      const m = /^([A-Z][A-Z0-9_]+)(?: |$)/.exec(typeof text === 'string' ? text : err.message);
      const code = m === null ? 'ERR' : (m[1] as string);
      return { type: code, status: code };
    }
    // A system error (ECONNREFUSED, ENOTFOUND...) is better told by its code than by "Error".
    const code = (err as { code?: unknown }).code;
    if (err.name === 'Error' && typeof code === 'string' && code !== '') return { type: code, status: undefined };
    return { type: err.name || err.constructor.name || 'Error', status: undefined };
  }
  return { type: '_OTHER', status: undefined };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The pool name the conventions ask for when a pool has none: "host:port" (or the socket path). */
function poolName(where: { serverAddress: string; serverPort: number | undefined }): string {
  return where.serverPort === undefined ? where.serverAddress : `${where.serverAddress}:${where.serverPort}`;
}

/**
 * OpenTelemetry for ledis: one CLIENT span per command, one per pipeline, one
 * per connection attempt, and the database-client metrics
 * (db.client.operation.duration, db.client.connection.count,
 * db.client.connection.create_time, db.client.connection.pending_requests).
 *
 * ```ts
 * registerInstrumentations({ instrumentations: [new LedisInstrumentation()] });
 * ```
 *
 * Connections are counted from the moment they become ready after enable():
 * enable it (construct it) before making clients, as with every
 * OpenTelemetry instrumentation.
 */
export class LedisInstrumentation {
  readonly instrumentationName = INSTRUMENTATION_NAME;
  readonly instrumentationVersion = INSTRUMENTATION_VERSION;

  private config: LedisInstrumentationConfig;
  private enabled = false;
  private tracer: Tracer;
  private meter!: Meter;
  private duration!: Histogram;
  private createTime!: Histogram;
  private connectionCount!: ObservableUpDownCounter;
  private pendingRequests!: ObservableUpDownCounter;
  /** Connections ready now (seen since enable()). */
  private readonly open = new Set<ConnectionStateView>();
  /** Pools reported once: reported again (at 0) after their last connection closed, and once after disable(). */
  private readonly pools = new Set<string>();

  constructor(config: LedisInstrumentationConfig = {}) {
    this.config = { enabled: true, ...config };
    this.tracer = api.trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
    this.useMeter(api.metrics.getMeter(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION));
    if (this.config.enabled !== false) this.enable();
  }

  /** The spans go to this provider's tracer from now on (default: the global one). */
  setTracerProvider(provider: TracerProvider): void {
    this.tracer = provider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
  }

  /** The metrics go to this provider's meter from now on (default: the global one at construction). */
  setMeterProvider(provider: MeterProvider): void {
    this.meter.removeBatchObservableCallback(this.observe, [this.connectionCount, this.pendingRequests]);
    this.useMeter(provider.getMeter(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION));
  }

  /** Replaces the configuration (`enabled` is read at construction and by registerInstrumentations only). */
  setConfig(config: LedisInstrumentationConfig = {}): void {
    this.config = { enabled: true, ...config };
  }

  getConfig(): LedisInstrumentationConfig {
    return this.config;
  }

  /** Subscribes to the driver's channels (idempotent). */
  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    dc.tracingChannel(CHANNELS.TRACE_COMMAND).subscribe(this.commandHandlers as never);
    dc.tracingChannel(CHANNELS.TRACE_BATCH).subscribe(this.batchHandlers as never);
    dc.tracingChannel(CHANNELS.TRACE_CONNECT).subscribe(this.connectHandlers as never);
    dc.subscribe(CHANNELS.CONNECTION, this.onConnectionState);
  }

  /**
   * Unsubscribes: no spans or metric points from now on (operations under
   * way end without them), and the driver is back on its untraced path.
   */
  disable(): void {
    if (!this.enabled) return;
    this.enabled = false;
    dc.tracingChannel(CHANNELS.TRACE_COMMAND).unsubscribe(this.commandHandlers as never);
    dc.tracingChannel(CHANNELS.TRACE_BATCH).unsubscribe(this.batchHandlers as never);
    dc.tracingChannel(CHANNELS.TRACE_CONNECT).unsubscribe(this.connectHandlers as never);
    dc.unsubscribe(CHANNELS.CONNECTION, this.onConnectionState);
    // The pools seen stay until the next collection observes them at 0.
    this.open.clear();
  }

  private useMeter(meter: Meter): void {
    this.meter = meter;
    this.duration = meter.createHistogram(METRIC_DB_CLIENT_OPERATION_DURATION, {
      description: 'Duration of database client operations.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
    });
    this.createTime = meter.createHistogram(METRIC_DB_CLIENT_CONNECTION_CREATE_TIME, {
      description: 'The time it took to create a new connection (connect, AUTH and SELECT until ready).',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
    });
    this.connectionCount = meter.createObservableUpDownCounter(METRIC_DB_CLIENT_CONNECTION_COUNT, {
      description: 'The number of connections that are currently in state described by the state attribute.',
      unit: '{connection}',
    });
    this.pendingRequests = meter.createObservableUpDownCounter(METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS, {
      description: 'The number of commands written or waiting on an open connection, not yet answered.',
      unit: '{request}',
    });
    meter.addBatchObservableCallback(this.observe, [this.connectionCount, this.pendingRequests]);
  }

  /**
   * The common attributes of an operation's span and duration point (a new
   * object each time: the SDK keeps what it is given). `size` is a
   * pipeline's batch size, set when 2 or more (the conventions: a batch has
   * two or more operations, so batch.size is never 1).
   */
  private operationAttributes(name: string, where: ServerTraceContext, size = 0): Attributes {
    const a: Attributes = {
      [ATTR_DB_SYSTEM_NAME]: this.config.dbSystemName ?? DB_SYSTEM_NAME_LEDISDB,
      [ATTR_DB_OPERATION_NAME]: name,
      [ATTR_DB_NAMESPACE]: String(where.database),
      [ATTR_SERVER_ADDRESS]: where.serverAddress,
    };
    if (where.serverPort !== undefined) a[ATTR_SERVER_PORT] = where.serverPort;
    if (size >= 2) a[ATTR_DB_OPERATION_BATCH_SIZE] = size;
    return a;
  }

  /** A CLIENT span child of the active context, or undefined under requireParentSpan without a parent. */
  private startSpan(name: string, attributes: Attributes): Span | undefined {
    if (this.config.requireParentSpan !== false && api.trace.getSpan(api.context.active()) === undefined) return undefined;
    return this.tracer.startSpan(name, { kind: api.SpanKind.CLIENT, attributes });
  }

  private queryText(ctx: CommandTraceContext): string | undefined {
    if (ctx.command === 'AUTH') return 'AUTH ?';
    const serializer = this.config.dbStatementSerializer;
    if (serializer === undefined) return defaultQueryText(ctx.command, ctx.argCount);
    try {
      return serializer(ctx.command, ctx.args);
    } catch {
      return undefined;
    }
  }

  /** Ends an operation: error status and error.type on failure, its span ended, its duration recorded. */
  private finish(ctx: Marks & ServerTraceContext & { error?: unknown; result?: unknown }, name: string, size: number, onSuccess?: (span: Span) => void): void {
    const start = ctx[START];
    if (start === undefined) return; // started before enable(), or finished already
    ctx[START] = undefined;
    const span = ctx[SPAN];
    const attributes = this.operationAttributes(name, ctx, size);
    if (ctx.error !== undefined) {
      const { type, status } = errorInfo(ctx.error);
      attributes[ATTR_ERROR_TYPE] = type;
      if (status !== undefined) attributes[ATTR_DB_RESPONSE_STATUS_CODE] = status;
      if (span !== undefined) {
        span.setAttribute(ATTR_ERROR_TYPE, type);
        if (status !== undefined) span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, status);
        if (ctx.error instanceof Error) span.recordException(ctx.error);
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: errorMessage(ctx.error) });
      }
    } else if (span !== undefined && onSuccess !== undefined) {
      try {
        onSuccess(span);
      } catch {
        // a hook's error is the hook's
      }
    }
    span?.end();
    if (this.enabled) this.duration.record((performance.now() - start) / 1000, attributes);
  }

  // ---- ledis:command ---------------------------------------------------------

  private readonly commandHandlers: TraceHandlers<CommandTraceContext & Marks> = {
    start: (ctx) => {
      let span: Span | undefined;
      if (this.config.requireParentSpan === false || api.trace.getSpan(api.context.active()) !== undefined) {
        const attributes = this.operationAttributes(ctx.command, ctx);
        const text = this.queryText(ctx);
        if (text !== undefined) attributes[ATTR_DB_QUERY_TEXT] = text;
        span = this.tracer.startSpan(ctx.command, { kind: api.SpanKind.CLIENT, attributes });
      }
      ctx[SPAN] = span;
      const hook = this.config.requestHook;
      if (span !== undefined && hook !== undefined) {
        try {
          hook(span, { command: ctx.command, args: ctx.args });
        } catch {
          // a hook's error is the hook's
        }
      }
      ctx[START] = performance.now();
    },
    // A send that threw at once gets no asyncEnd: its error is already there at end.
    end: (ctx) => {
      if (ctx.error !== undefined) this.finish(ctx, ctx.command, 0);
    },
    asyncEnd: (ctx) => {
      const hook = this.config.responseHook;
      this.finish(ctx, ctx.command, 0, hook === undefined ? undefined : (span) => hook(span, ctx.command, ctx.args, ctx.result));
    },
  };

  // ---- ledis:batch -------------------------------------------------------------

  private readonly batchHandlers: TraceHandlers<BatchTraceContext & Marks> = {
    start: (ctx) => {
      ctx[SPAN] = this.startSpan(ctx.batchMode, this.operationAttributes(ctx.batchMode, ctx, ctx.batchSize));
      ctx[START] = performance.now();
    },
    end: (ctx) => {
      if (ctx.error !== undefined) this.finish(ctx, ctx.batchMode, ctx.batchSize);
    },
    asyncEnd: (ctx) => this.finish(ctx, ctx.batchMode, ctx.batchSize),
  };

  // ---- ledis:connect -----------------------------------------------------------

  private readonly connectHandlers: TraceHandlers<ConnectTraceContext & Marks> = {
    start: (ctx) => {
      if (this.config.traceConnect !== false) {
        const attributes = this.operationAttributes('connect', ctx);
        delete attributes[ATTR_DB_OPERATION_NAME];
        attributes['ledis.connect.attempt'] = ctx.attempt;
        ctx[SPAN] = this.startSpan('connect', attributes);
      }
      ctx[START] = performance.now();
    },
    asyncEnd: (ctx) => {
      const start = ctx[START];
      if (start === undefined) return;
      ctx[START] = undefined;
      const span = ctx[SPAN];
      if (ctx.error !== undefined) {
        const { type } = errorInfo(ctx.error);
        if (span !== undefined) {
          span.setAttribute(ATTR_ERROR_TYPE, type);
          if (ctx.error instanceof Error) span.recordException(ctx.error);
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: errorMessage(ctx.error) });
        }
      } else if (this.enabled) {
        this.createTime.record((performance.now() - start) / 1000, { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: poolName(ctx) });
      }
      span?.end();
    },
  };

  // ---- ledis:connection and the observed connection metrics ---------------------

  private readonly onConnectionState = (message: unknown): void => {
    const m = message as ConnectionStateMessage;
    if (m.state === 'ready') {
      this.open.add(m.connection);
      this.pools.add(poolName(m.connection));
    } else {
      this.open.delete(m.connection);
    }
  };

  /** db.client.connection.count (idle: nothing in flight; used: commands in flight) and pending_requests, per pool. */
  private readonly observe = (result: BatchObservableResult): void => {
    if (!this.enabled) {
      // Once at 0 after disable(), then nothing (an observed series left out keeps its last value).
      for (const pool of this.pools) {
        result.observe(this.connectionCount, 0, { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: pool, [ATTR_DB_CLIENT_CONNECTION_STATE]: 'idle' });
        result.observe(this.connectionCount, 0, { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: pool, [ATTR_DB_CLIENT_CONNECTION_STATE]: 'used' });
        result.observe(this.pendingRequests, 0, { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: pool });
      }
      this.pools.clear();
      return;
    }
    const byPool = new Map<string, { idle: number; used: number; pending: number }>();
    for (const pool of this.pools) byPool.set(pool, { idle: 0, used: 0, pending: 0 });
    for (const conn of this.open) {
      const name = poolName(conn);
      let row = byPool.get(name);
      if (row === undefined) byPool.set(name, (row = { idle: 0, used: 0, pending: 0 }));
      const pending = conn.pending;
      if (pending > 0) row.used++;
      else row.idle++;
      row.pending += pending;
    }
    for (const [pool, row] of byPool) {
      result.observe(this.connectionCount, row.idle, { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: pool, [ATTR_DB_CLIENT_CONNECTION_STATE]: 'idle' });
      result.observe(this.connectionCount, row.used, { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: pool, [ATTR_DB_CLIENT_CONNECTION_STATE]: 'used' });
      result.observe(this.pendingRequests, row.pending, { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: pool });
    }
  };
}
