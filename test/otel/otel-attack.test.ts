// ledis/otel attacked: a hostile server (a scripted fake peer on loopback:
// garbage replies, huge error texts, connections cut mid-command and
// mid-pipeline, a server that never answers) and a careless caller (hooks,
// serializers and providers that throw, disable() with commands in flight,
// passwords). Every span must end exactly once, no exception may escape a
// channel subscriber into the driver (Node rethrows those as uncaught
// exceptions), and the connection metrics must come back to 0.
import dc from 'node:diagnostics_channel';
import type net from 'node:net';
import { context, trace, SpanStatusCode, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ledis } from '../../src/index.js';
import { LedisInstrumentation, type LedisInstrumentationConfig } from '../../src/otel/index.js';
import { readCommands, startScriptedPeer, type ScriptedPeer } from '../unit/peer.js';

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricsOut = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricsOut, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();

/** Errors Node rethrew from a channel subscriber (it does so on process.nextTick, as uncaught exceptions). */
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => {
  uncaught.push(err);
};

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  process.prependListener('uncaughtException', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  context.disable();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

const insts: LedisInstrumentation[] = [];
const clients: Ledis[] = [];
let peer: ScriptedPeer | undefined;
function instrument(config: LedisInstrumentationConfig = {}): LedisInstrumentation {
  const i = new LedisInstrumentation({ requireParentSpan: false, ...config });
  i.setTracerProvider(tracerProvider);
  i.setMeterProvider(meterProvider);
  insts.push(i);
  return i;
}
function connect(port: number, options: Record<string, unknown> = {}): Ledis {
  const c = new Ledis({ host: '127.0.0.1', port, retryStrategy: () => null, ...options });
  c.on('error', () => {});
  clients.push(c);
  return c;
}
beforeEach(() => {
  spans.reset();
  uncaught.length = 0;
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const i of insts.splice(0)) i.disable();
  await peer?.close();
  peer = undefined;
});

/** A peer that answers every command with `answer(parts, sock)` (a string written as is, or nothing). */
async function answering(answer: (parts: string[], sock: net.Socket) => string | undefined): Promise<ScriptedPeer> {
  peer = await startScriptedPeer((sock) =>
    readCommands(sock, (parts) => {
      const out = answer(parts, sock);
      if (out !== undefined && !sock.destroyed) sock.write(out);
    }),
  );
  return peer;
}

/** Lets queued I/O callbacks and nextTicks run (Node rethrows subscriber errors on nextTick). */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The spans named `name`; each must have ended once (the SDK exports a span at its first end only, and warns at a second). */
function named(name: string): ReadableSpan[] {
  return spans.getFinishedSpans().filter((s) => s.name === name);
}

async function points(name: string): Promise<DataPoint<unknown>[]> {
  metricsOut.reset();
  await reader.forceFlush();
  const out: DataPoint<unknown>[] = [];
  for (const rm of metricsOut.getMetrics())
    for (const sm of rm.scopeMetrics) if (sm.scope.name === 'ledis/otel') for (const m of sm.metrics) if (m.descriptor.name === name) out.push(...(m.dataPoints as DataPoint<unknown>[]));
  return out;
}

describe('a hostile server', () => {
  it('an error reply of 100,000 capital letters gives a bounded error.type, not the text as a metric attribute', async () => {
    const huge = 'A'.repeat(100_000);
    const p = await answering(() => `-${huge}\r\n`);
    instrument();
    const c = connect(p.port);
    await expect(c.get('k')).rejects.toThrow();
    const [span] = named('GET');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(String(span?.attributes['error.type']).length).toBeLessThanOrEqual(64);
    const types = (await points('db.client.operation.duration')).map((d) => String(d.attributes['error.type'] ?? ''));
    expect(types.every((t) => t.length <= 64)).toBe(true);
  });

  it('garbage, a cut mid-command and a cut mid-pipeline: each span ends once with ERROR; no connection or pending request is left counted', async () => {
    let n = 0;
    const p = await answering((parts, sock) => {
      n++;
      if (parts[0] === 'GET' && parts[1] === 'garbage') return '!not resp\r\n';
      if (parts[0] === 'GET' && parts[1] === 'cut') return void sock.destroy();
      if (parts[0] === 'INCR' && n % 2 === 0) return void sock.destroy();
      return '+OK\r\n';
    });
    instrument();
    const c = connect(p.port, { retryStrategy: () => 10 });
    await expect(c.get('garbage')).rejects.toThrow();
    await expect(c.get('cut')).rejects.toThrow();
    const pl = c.pipeline();
    for (let i = 0; i < 6; i++) pl.incr('x');
    await expect(pl.exec()).rejects.toThrow();
    await turn();
    const gets = named('GET');
    expect(gets).toHaveLength(2);
    for (const s of gets) expect(s.status.code).toBe(SpanStatusCode.ERROR);
    const batches = named('PIPELINE');
    expect(batches).toHaveLength(1);
    expect(batches[0]!.status.code).toBe(SpanStatusCode.ERROR);
    c.disconnect();
    const counts = await points('db.client.connection.count');
    for (const d of counts) expect(d.value as number).toBeGreaterThanOrEqual(0);
    const pending = (await points('db.client.connection.pending_requests')).filter((d) => d.attributes['db.client.connection.pool.name'] === `127.0.0.1:${p.port}`);
    for (const d of pending) expect(d.value).toBe(0);
    expect(uncaught).toEqual([]);
  });

  it('a server that never answers: the command times out as one ERROR span (TimeoutError)', async () => {
    const p = await answering(() => undefined);
    instrument();
    const c = connect(p.port, { commandTimeout: 200 });
    await expect(c.get('k')).rejects.toThrow();
    const gets = named('GET');
    expect(gets).toHaveLength(1);
    expect(gets[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(gets[0]!.attributes['error.type']).toBe('TimeoutError');
  });

  it('quit() during a pipeline, and disconnect(): the PIPELINE span ends once, the connections leave the count', async () => {
    const p = await answering(() => '+OK\r\n');
    instrument();
    const pool = `127.0.0.1:${p.port}`;
    const a = connect(p.port);
    const b = connect(p.port);
    await Promise.all([a.ping(), b.ping()]);
    const pl = a.pipeline();
    for (let i = 0; i < 50; i++) pl.set(`k${i}`, 'v');
    const done = pl.exec().then(
      () => 'ok',
      () => 'failed',
    );
    await a.quit();
    await done;
    b.disconnect();
    await turn();
    expect(named('PIPELINE')).toHaveLength(1);
    let total = -1;
    for (const end = Date.now() + 10_000; total !== 0 && Date.now() < end; ) {
      total = (await points('db.client.connection.count'))
        .filter((d) => d.attributes['db.client.connection.pool.name'] === pool)
        .reduce((n, d) => n + (d.value as number), 0);
      if (total !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(total).toBe(0);
  });

  it('a server that accepts but never answers the handshake: the connect span ends once with ERROR', async () => {
    peer = await startScriptedPeer(() => {});
    const i = instrument();
    const c = connect(peer.port, { password: 'pw', connectTimeout: 200, offlineTimeout: 300 });
    await expect(c.get('k')).rejects.toThrow();
    c.disconnect();
    for (const end = Date.now() + 10_000; named('connect').length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    const connects = named('connect');
    expect(connects.length).toBeGreaterThanOrEqual(1);
    for (const s of connects) expect(s.status.code).toBe(SpanStatusCode.ERROR);
    i.disable();
    expect(JSON.stringify(connects.map((s) => s.attributes))).not.toContain('pw');
  });
});

describe('a careless caller', () => {
  it('disable() with a command in flight: its span still ends, once, when the reply comes', async () => {
    let release: (() => void) | undefined;
    const p = await answering((parts, sock) => {
      if (parts[0] === 'PING') return '+PONG\r\n';
      release = () => sock.write('$1\r\nv\r\n');
      return undefined;
    });
    const i = instrument();
    const c = connect(p.port);
    await c.ping();
    spans.reset();
    const reply = c.get('k');
    for (const end = Date.now() + 10_000; release === undefined && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    i.disable();
    release!();
    expect(await reply).toBe('v');
    await turn();
    expect(named('GET')).toHaveLength(1);
    // and later commands make none
    release = undefined;
    const p2 = c.get('k');
    for (const end = Date.now() + 10_000; release === undefined && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    release!();
    await p2;
    expect(named('GET')).toHaveLength(1);
  });

  it('two instances enabled: two spans per command, each ended once (they must not share their marks on the context)', async () => {
    const p = await answering((parts) => (parts[0] === 'GET' ? '$1\r\nv\r\n' : '+OK\r\n'));
    instrument();
    const second = instrument();
    const c = connect(p.port);
    await c.get('k');
    const pl = c.pipeline();
    pl.get('a').get('b');
    await pl.exec();
    await turn();
    expect(named('GET')).toHaveLength(2);
    expect(named('PIPELINE')).toHaveLength(2);
    // Both drain to 0 in flight: disable() of either leaves the driver untraced once both are off.
    second.disable();
    insts[0]!.disable();
    expect(dc.tracingChannel('ledis:command').hasSubscribers).toBe(false);
  });

  it('a tracer provider or meter that throws never breaks a command, and nothing escapes as an uncaught exception', async () => {
    const p = await answering(() => '+OK\r\n');
    const i = instrument();
    const throwing: TracerProvider = {
      getTracer: (): Tracer =>
        ({
          startSpan(): Span {
            throw new Error('startSpan boom');
          },
          startActiveSpan(): never {
            throw new Error('startActiveSpan boom');
          },
        }) as Tracer,
    };
    i.setTracerProvider(throwing);
    const c = connect(p.port);
    expect(await c.set('k', 'v')).toBe(true);
    const pl = c.pipeline();
    pl.set('a', '1').set('b', '2');
    expect(await pl.exec()).toEqual([true, true]);
    await turn();
    await turn();
    expect(uncaught).toEqual([]);
  });

  it('junk configuration: a serializer returning non-strings, hooks that are not functions, setConfig(null)', async () => {
    const p = await answering(() => '+OK\r\n');
    const i = instrument({
      dbStatementSerializer: (() => 42) as never,
      requestHook: 'no' as never,
      responseHook: 7 as never,
      dbSystemName: {} as never,
    });
    const c = connect(p.port);
    expect(await c.set('k', 'v')).toBe(true);
    const [span] = named('SET');
    expect(span).toBeDefined();
    expect(span!.attributes['db.query.text']).toBeUndefined();
    expect(span!.attributes['db.system.name']).toBe('ledisdb');
    i.setConfig(null as never);
    expect(i.getConfig().requireParentSpan).toBeUndefined();
    await context.with(trace.setSpan(context.active(), tracerProvider.getTracer('t').startSpan('parent')), () => c.set('k', 'v'));
    expect(named('SET')).toHaveLength(2);
    expect(uncaught).toEqual([]);
  });

  it('a password (option or URL) appears in no span name, attribute, event or metric attribute', async () => {
    const secret = 'hunter2-s3cret';
    const p = await answering((parts) => (parts[0] === 'AUTH' ? (parts[1] === secret ? '+OK\r\n' : "-ERR invalid password\r\n") : '+OK\r\n'));
    instrument({ dbStatementSerializer: (cmd, args) => `${cmd} ${args.join(' ')}`, traceConnect: true });
    const a = connect(p.port, { password: secret, traceArgs: true });
    await a.set('k', 'v');
    await a.sendCommand('AUTH', [secret]).catch(() => undefined);
    const b = new Ledis(`redis://:${secret}@127.0.0.1:${p.port}/0`, { retryStrategy: () => null, traceArgs: true });
    b.on('error', () => {});
    clients.push(b);
    await b.set('k', 'v');
    const bad = connect(p.port, { password: `${secret}-wrong`, traceArgs: true });
    await bad.set('k', 'v').catch(() => undefined);
    await turn();
    const text = JSON.stringify(
      spans.getFinishedSpans().map((s) => ({ n: s.name, a: s.attributes, e: s.events, st: s.status })),
    ) + JSON.stringify((await points('db.client.operation.duration')).map((d) => d.attributes));
    expect(spans.getFinishedSpans().length).toBeGreaterThan(3);
    expect(text).not.toContain(secret);
  });
});
