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
  HrTime,
  Meter,
  MeterProvider,
  ObservableUpDownCounter,
  Context,
  Span,
  SpanOptions,
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
  /**
   * Under each PIPELINE span, a child span per command (its db.operation.name
   * as name, the server attributes, status ERROR if it failed), default
   * false. The driver writes a pipeline in one go and reads its replies as
   * they come, without a per-command start or end: every child starts and
   * ends with the pipeline, so its duration is the pipeline's, not the
   * command's. At most 1,024 children per pipeline (the batch span says how
   * many were left out). No duration points: a pipeline is one operation.
   */
  pipelineCommandSpans?: boolean;
}

/**
 * What an instrumentation keeps on a channel's context object between start
 * and asyncEnd, under its own symbols (each instance has its own: two
 * instances enabled share the context objects, and must not take each
 * other's spans).
 */
type Marks = Record<symbol, unknown>;

type TraceHandlers<C> = {
  start?: (ctx: C) => void;
  end?: (ctx: C) => void;
  asyncStart?: (ctx: C) => void;
  asyncEnd?: (ctx: C) => void;
  error?: (ctx: C) => void;
};

/**
 * One command name on one server (address, port, db): the frozen attribute
 * objects its spans start with and its duration points carry, made once and
 * reused (the SDK copies what it keeps: a span sanitizes its attributes into
 * its own object, a histogram keeps the first object of each attribute set).
 * Saves the per-command allocations and, for the histogram, an object of the
 * same key order each time.
 */
interface Operation {
  /** db.system.name, db.operation.name, db.namespace, server.address, server.port. */
  readonly attributes: Attributes;
  /** Span start options by argument count, with the default db.query.text (made on first use). */
  readonly spanOptions: (SpanOptions | undefined)[];
  /** Duration-point attributes of failures, by error.type (at most FAILURE_KINDS kept). */
  failed: Map<string, Attributes> | undefined;
}

/** Operations kept per server (command names; more are made per command, uncached). */
const MAX_OPERATIONS = 1024;
/** Servers (address, port, db) whose operations are kept. */
const MAX_SERVERS = 256;
/** error.type values whose attribute objects are kept per operation. */
const FAILURE_KINDS = 32;
/** Argument counts whose span options are kept per operation. */
const MAX_ARGC = 64;
/** Child spans per pipeline at most (pipelineCommandSpans). */
const MAX_CHILDREN = 1024;

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
      // At most 64 characters: a longer "prefix" (a hostile or broken server's) is no code, and
      // error.type is a metric attribute (each distinct value a series kept until the process ends).
      const m = /^([A-Z][A-Z0-9_]{1,63})(?: |$)/.exec(typeof text === 'string' ? text : err.message);
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

/**
 * A pipeline's first failed command's error and how many failed, read from
 * what `ledis:batch` resolves with (src/pipeline.ts's outcome: `failed`, the
 * count, and `errors`, by index); undefined when all succeeded. exec()
 * rejects then, execSettled() resolves: the batch failed either way.
 */
function batchFailure(result: unknown): { first: unknown; failed: number } | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { failed, errors } = result as { failed?: unknown; errors?: unknown };
  if (typeof failed !== 'number' || failed <= 0 || !Array.isArray(errors)) return undefined;
  for (let i = 0; i < errors.length; i++) if (errors[i] !== undefined) return { first: errors[i], failed };
  return undefined;
}

/** Any configuration value as a configuration object (setConfig(null) or a string count as {}). */
function normalized(config: unknown): LedisInstrumentationConfig {
  return { enabled: true, ...(typeof config === 'object' && config !== null ? (config as LedisInstrumentationConfig) : {}) };
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
  private readonly kSpan = Symbol('ledis.otel.span');
  private readonly kStart = Symbol('ledis.otel.start');
  private readonly kOp = Symbol('ledis.otel.operation');
  private readonly kChildren = Symbol('ledis.otel.children');
  private enabled = false;
  /** Whether the end/asyncEnd handlers are subscribed: from enable() until disable() and the operations in flight then have ended. */
  private finishing = false;
  /** Operations started (a START mark set) and not yet finished. */
  private inflight = 0;
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
  /** The cached operations: server address -> port -> db -> command name (emptied when the configuration changes). */
  private operations = new Map<string, Map<number | undefined, Map<number, Map<string, Operation>>>>();
  private servers = 0;
  private systemName = DB_SYSTEM_NAME_LEDISDB;

  constructor(config: LedisInstrumentationConfig = {}) {
    this.config = normalized(config);
    this.applyConfig();
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

  /**
   * Replaces the configuration (`enabled` is read at construction and by
   * registerInstrumentations only). A value that is not an object counts as
   * {}; a hook or serializer that is not a function, or that throws, is
   * skipped for the operation at hand.
   */
  setConfig(config: LedisInstrumentationConfig = {}): void {
    this.config = normalized(config);
    this.applyConfig();
  }

  getConfig(): LedisInstrumentationConfig {
    return this.config;
  }

  private applyConfig(): void {
    const name = this.config.dbSystemName;
    this.systemName = typeof name === 'string' && name !== '' ? name : DB_SYSTEM_NAME_LEDISDB;
    this.operations = new Map();
    this.servers = 0;
  }

  /**
   * Subscribes to the driver's channels (idempotent). Every OpenTelemetry
   * instrumentation instance subscribes on its own: two instances enabled
   * make two spans per command.
   */
  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    if (!this.finishing) {
      this.finishing = true;
      dc.tracingChannel(CHANNELS.TRACE_COMMAND).subscribe(this.commandEnds as never);
      dc.tracingChannel(CHANNELS.TRACE_BATCH).subscribe(this.batchEnds as never);
      dc.tracingChannel(CHANNELS.TRACE_CONNECT).subscribe(this.connectEnds as never);
    }
    dc.tracingChannel(CHANNELS.TRACE_COMMAND).subscribe(this.commandStarts as never);
    dc.tracingChannel(CHANNELS.TRACE_BATCH).subscribe(this.batchStarts as never);
    dc.tracingChannel(CHANNELS.TRACE_CONNECT).subscribe(this.connectStarts as never);
    dc.subscribe(CHANNELS.CONNECTION, this.onConnectionState);
  }

  /**
   * Unsubscribes: no new spans or metric points from now on. Operations
   * under way still end their spans when they finish (without a duration
   * point); until the last has, the driver stays on its traced path, then
   * it is back on the untraced one.
   */
  disable(): void {
    if (!this.enabled) return;
    this.enabled = false;
    dc.tracingChannel(CHANNELS.TRACE_COMMAND).unsubscribe(this.commandStarts as never);
    dc.tracingChannel(CHANNELS.TRACE_BATCH).unsubscribe(this.batchStarts as never);
    dc.tracingChannel(CHANNELS.TRACE_CONNECT).unsubscribe(this.connectStarts as never);
    dc.unsubscribe(CHANNELS.CONNECTION, this.onConnectionState);
    // The pools seen stay until the next collection observes them at 0.
    this.open.clear();
    if (this.inflight === 0) this.stopFinishing();
  }

  private stopFinishing(): void {
    if (!this.finishing) return;
    this.finishing = false;
    dc.tracingChannel(CHANNELS.TRACE_COMMAND).unsubscribe(this.commandEnds as never);
    dc.tracingChannel(CHANNELS.TRACE_BATCH).unsubscribe(this.batchEnds as never);
    dc.tracingChannel(CHANNELS.TRACE_CONNECT).unsubscribe(this.connectEnds as never);
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
   * object). `size` is a pipeline's batch size, set when 2 or more (the
   * conventions: a batch has two or more operations, so batch.size is never 1).
   */
  private operationAttributes(name: string | undefined, where: ServerTraceContext, size = 0): Attributes {
    const a: Attributes = { [ATTR_DB_SYSTEM_NAME]: this.systemName };
    if (name !== undefined) a[ATTR_DB_OPERATION_NAME] = name;
    a[ATTR_DB_NAMESPACE] = String(where.database);
    a[ATTR_SERVER_ADDRESS] = where.serverAddress;
    if (where.serverPort !== undefined) a[ATTR_SERVER_PORT] = where.serverPort;
    if (size >= 2) a[ATTR_DB_OPERATION_BATCH_SIZE] = size;
    return a;
  }

  /** The cached Operation of a command on a server (a fresh one past the caps). */
  private operation(ctx: CommandTraceContext): Operation {
    let byPort = this.operations.get(ctx.serverAddress);
    let byDb = byPort?.get(ctx.serverPort);
    let byName = byDb?.get(ctx.database);
    let op = byName?.get(ctx.command);
    if (op !== undefined) return op;
    op = { attributes: Object.freeze(this.operationAttributes(ctx.command, ctx)), spanOptions: [], failed: undefined };
    if (byName === undefined) {
      if (this.servers >= MAX_SERVERS) return op;
      this.servers++;
      if (byPort === undefined) this.operations.set(ctx.serverAddress, (byPort = new Map()));
      if (byDb === undefined) byPort.set(ctx.serverPort, (byDb = new Map()));
      byDb.set(ctx.database, (byName = new Map()));
    }
    if (byName.size < MAX_OPERATIONS) byName.set(ctx.command, op);
    return op;
  }

  /** A command's span start options: its operation's, with db.query.text from the serializer. */
  private spanOptions(op: Operation, ctx: CommandTraceContext): SpanOptions {
    const serializer = this.config.dbStatementSerializer;
    if (serializer === undefined && ctx.command !== 'AUTH') {
      const n = ctx.argCount;
      let options = n < MAX_ARGC ? op.spanOptions[n] : undefined;
      if (options === undefined) {
        options = Object.freeze({
          kind: api.SpanKind.CLIENT,
          attributes: Object.freeze({ ...op.attributes, [ATTR_DB_QUERY_TEXT]: defaultQueryText(ctx.command, n) }),
        });
        if (n < MAX_ARGC) op.spanOptions[n] = options;
      }
      return options;
    }
    let text: unknown;
    if (ctx.command === 'AUTH') text = 'AUTH ?';
    else {
      try {
        text = serializer!(ctx.command, ctx.args);
      } catch {
        text = undefined;
      }
    }
    return {
      kind: api.SpanKind.CLIENT,
      attributes: typeof text === 'string' ? { ...op.attributes, [ATTR_DB_QUERY_TEXT]: text } : op.attributes,
    };
  }

  /** The duration-point attributes of an operation that failed with `type` (and `status`). */
  private failedAttributes(op: Operation, type: string, status: string | undefined): Attributes {
    let a = op.failed?.get(type);
    if (a !== undefined) return a;
    a = { ...op.attributes, [ATTR_ERROR_TYPE]: type };
    if (status !== undefined) a[ATTR_DB_RESPONSE_STATUS_CODE] = status;
    Object.freeze(a);
    op.failed ??= new Map();
    if (op.failed.size < FAILURE_KINDS) op.failed.set(type, a);
    return a;
  }

  /** A CLIENT span child of `active`, or undefined under requireParentSpan without a parent. */
  private startSpan(name: string, attributes: Attributes): Span | undefined {
    const active = api.context.active();
    if (this.config.requireParentSpan !== false && api.trace.getSpan(active) === undefined) return undefined;
    return this.tracer.startSpan(name, { kind: api.SpanKind.CLIENT, attributes }, active);
  }

  /** Marks an operation started (counted in flight until `take`). */
  private mark(ctx: Marks, span: Span | undefined): void {
    ctx[this.kSpan] = span;
    ctx[this.kStart] = performance.now();
    this.inflight++;
  }

  /** An operation's start time, once (undefined if it started before enable() or was taken already). */
  private take(ctx: Marks): number | undefined {
    const start = ctx[this.kStart] as number | undefined;
    if (start === undefined) return undefined;
    ctx[this.kStart] = undefined;
    this.inflight--;
    return start;
  }

  /** After an operation finished: the last one in flight after disable() unsubscribes the end handlers. */
  private settled(): void {
    if (!this.enabled && this.inflight === 0) this.stopFinishing();
  }

  /** A failed operation's span: error.type, db.response.status_code, the exception, status ERROR. */
  private static fail(span: Span, err: unknown, type: string, status: string | undefined, message: string): void {
    span.setAttribute(ATTR_ERROR_TYPE, type);
    if (status !== undefined) span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, status);
    if (err instanceof Error) span.recordException(err);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message });
  }

  // ---- ledis:command ---------------------------------------------------------
  // Every handler catches what it throws: Node rethrows a subscriber's
  // exception as an uncaught exception, which would end the application.

  private readonly commandStarts: TraceHandlers<CommandTraceContext & Marks> = {
    start: (ctx) => {
      let span: Span | undefined;
      try {
        const op = this.operation(ctx);
        ctx[this.kOp] = op;
        const active: Context = api.context.active();
        if (this.config.requireParentSpan === false || api.trace.getSpan(active) !== undefined) {
          span = this.tracer.startSpan(ctx.command, this.spanOptions(op, ctx), active);
          const hook = this.config.requestHook;
          if (hook !== undefined) {
            try {
              hook(span, { command: ctx.command, args: ctx.args });
            } catch {
              // a hook's error is the hook's
            }
          }
        }
      } catch {
        // a broken tracer: the command runs without its span
      }
      this.mark(ctx, span);
    },
  };

  private readonly commandEnds: TraceHandlers<CommandTraceContext & Marks> = {
    // A send that threw at once gets no asyncEnd: its error is already there at end.
    end: (ctx) => {
      if (ctx.error !== undefined) this.finishCommand(ctx);
    },
    asyncEnd: (ctx) => this.finishCommand(ctx),
  };

  private finishCommand(ctx: CommandTraceContext & Marks): void {
    const start = this.take(ctx);
    if (start === undefined) return;
    try {
      const seconds = (performance.now() - start) / 1000;
      const span = ctx[this.kSpan] as Span | undefined;
      const op = (ctx[this.kOp] as Operation | undefined) ?? this.operation(ctx);
      let attributes = op.attributes;
      if (ctx.error !== undefined) {
        const { type, status } = errorInfo(ctx.error);
        attributes = this.failedAttributes(op, type, status);
        if (span !== undefined) LedisInstrumentation.fail(span, ctx.error, type, status, errorMessage(ctx.error));
      } else if (span !== undefined) {
        const hook = this.config.responseHook;
        if (hook !== undefined) {
          try {
            hook(span, ctx.command, ctx.args, ctx.result);
          } catch {
            // a hook's error is the hook's
          }
        }
      }
      span?.end();
      if (this.enabled) this.duration.record(seconds, attributes);
    } catch {
      // a broken span or meter: the command's reply is not ours to hold up
    }
    this.settled();
  }

  // ---- ledis:batch -------------------------------------------------------------

  private readonly batchStarts: TraceHandlers<BatchTraceContext & Marks> = {
    start: (ctx) => {
      let span: Span | undefined;
      try {
        span = this.startSpan(ctx.batchMode, this.operationAttributes(ctx.batchMode, ctx, ctx.batchSize));
        if (span !== undefined && this.config.pipelineCommandSpans === true) ctx[this.kChildren] = this.childSpans(span, ctx);
      } catch {
        // a broken tracer: the pipeline runs without its span
      }
      this.mark(ctx, span);
    },
  };

  /** pipelineCommandSpans: a CLIENT span per command, children of the batch's span, started with it. */
  private childSpans(parent: Span, ctx: BatchTraceContext): Span[] {
    const names = Array.isArray(ctx.commands) ? ctx.commands : [];
    const n = Math.min(names.length, MAX_CHILDREN);
    if (names.length > n) parent.setAttribute('ledis.pipeline.command_spans_left_out', names.length - n);
    const within = api.trace.setSpan(api.context.active(), parent);
    // The SDK's span shows its start time (ReadableSpan): the children take it as theirs.
    const startTime = (parent as { startTime?: HrTime }).startTime;
    const children = new Array<Span>(n);
    for (let i = 0; i < n; i++) {
      const name = String(names[i]).toUpperCase();
      children[i] = this.tracer.startSpan(name, { kind: api.SpanKind.CLIENT, attributes: this.operationAttributes(name, ctx), startTime }, within);
    }
    return children;
  }

  private readonly batchEnds: TraceHandlers<BatchTraceContext & Marks> = {
    end: (ctx) => {
      if (ctx.error !== undefined) this.finishBatch(ctx);
    },
    asyncEnd: (ctx) => this.finishBatch(ctx),
  };

  private finishBatch(ctx: BatchTraceContext & Marks): void {
    const start = this.take(ctx);
    if (start === undefined) return;
    try {
      const seconds = (performance.now() - start) / 1000;
      const span = ctx[this.kSpan] as Span | undefined;
      const attributes = this.operationAttributes(ctx.batchMode, ctx, ctx.batchSize);
      let err: unknown = ctx.error;
      let message = '';
      if (err !== undefined) message = errorMessage(err);
      else {
        const failure = batchFailure(ctx.result);
        if (failure !== undefined) {
          err = failure.first;
          message = `${failure.failed} of ${ctx.batchSize} commands failed, the first: ${errorMessage(err)}`;
        }
      }
      if (err !== undefined) {
        const { type, status } = errorInfo(err);
        attributes[ATTR_ERROR_TYPE] = type;
        if (status !== undefined) attributes[ATTR_DB_RESPONSE_STATUS_CODE] = status;
        if (span !== undefined) LedisInstrumentation.fail(span, err, type, status, message);
      }
      span?.end();
      const children = ctx[this.kChildren] as Span[] | undefined;
      if (children !== undefined) {
        // The batch span's end time (an SDK span shows it) is the children's.
        const endTime = (span as { endTime?: HrTime } | undefined)?.endTime;
        ctx[this.kChildren] = undefined;
        const errors = ctx.error === undefined ? (ctx.result as { errors?: unknown } | undefined)?.errors : undefined;
        for (let i = 0; i < children.length; i++) {
          const child = children[i]!;
          const failed = ctx.error !== undefined ? ctx.error : Array.isArray(errors) ? errors[i] : undefined;
          if (failed !== undefined) {
            const info = errorInfo(failed);
            LedisInstrumentation.fail(child, failed, info.type, info.status, errorMessage(failed));
          }
          child.end(endTime);
        }
      }
      if (this.enabled) this.duration.record(seconds, attributes);
    } catch {
      // a broken span or meter
    }
    this.settled();
  }

  // ---- ledis:connect -----------------------------------------------------------

  private readonly connectStarts: TraceHandlers<ConnectTraceContext & Marks> = {
    start: (ctx) => {
      let span: Span | undefined;
      try {
        if (this.config.traceConnect !== false) {
          const attributes = this.operationAttributes(undefined, ctx);
          attributes['ledis.connect.attempt'] = ctx.attempt;
          span = this.startSpan('connect', attributes);
        }
      } catch {
        // a broken tracer
      }
      this.mark(ctx, span);
    },
  };

  private readonly connectEnds: TraceHandlers<ConnectTraceContext & Marks> = {
    asyncEnd: (ctx) => {
      const start = this.take(ctx);
      if (start === undefined) return;
      try {
        const span = ctx[this.kSpan] as Span | undefined;
        if (ctx.error !== undefined) {
          if (span !== undefined) LedisInstrumentation.fail(span, ctx.error, errorInfo(ctx.error).type, undefined, errorMessage(ctx.error));
        } else if (this.enabled) {
          this.createTime.record((performance.now() - start) / 1000, { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: poolName(ctx) });
        }
        span?.end();
      } catch {
        // a broken span or meter
      }
      this.settled();
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
