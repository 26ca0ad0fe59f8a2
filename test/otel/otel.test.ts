// ledis/otel against the real server, with the OpenTelemetry SDK's in-memory
// span and metric exporters: spans per command, pipeline and connect, the
// database-client metrics, the hooks and options, and disable().
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { context, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionError, Ledis, ResponseError } from '../../src/index.js';
import { DURATION_BUCKETS, INSTRUMENTATION_VERSION, LedisInstrumentation, type LedisInstrumentationConfig } from '../../src/otel/index.js';
import { client, prefix, serverAddress, until } from '../helpers.js';

const { host, port } = serverAddress();
const POOL = `${host}:${port}`;

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricsOut = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
// Exported on forceFlush() only (the interval is longer than any test).
const reader = new PeriodicExportingMetricReader({ exporter: metricsOut, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  context.disable();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

let inst: LedisInstrumentation | null = null;
const cleanups: Array<() => unknown> = [];
/** An instrumentation on the test providers; root spans too unless the test says otherwise (requireParentSpan: false). */
function instrument(config: LedisInstrumentationConfig = {}): LedisInstrumentation {
  const i = new LedisInstrumentation({ requireParentSpan: false, ...config });
  i.setTracerProvider(tracerProvider);
  i.setMeterProvider(meterProvider);
  inst = i;
  return i;
}
beforeEach(() => {
  spans.reset();
  metricsOut.reset();
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
  inst?.disable();
  inst = null;
});

/** The spans finished so far that this test's clients made (other files' servers never reach this exporter). */
function finished(): ReadableSpan[] {
  return spans.getFinishedSpans();
}

/** The data points of one metric at the last collection (cumulative since the provider started). */
async function points(name: string): Promise<DataPoint<unknown>[]> {
  metricsOut.reset();
  await reader.forceFlush();
  const out: DataPoint<unknown>[] = [];
  for (const rm of metricsOut.getMetrics()) {
    for (const sm of rm.scopeMetrics) {
      if (sm.scope.name !== 'ledis/otel') continue;
      for (const m of sm.metrics) if (m.descriptor.name === name) out.push(...(m.dataPoints as DataPoint<unknown>[]));
    }
  }
  return out;
}

/** Polls `read` until it returns `want` (bounded: 10 s); returns the last value read. */
async function settle<T>(read: () => Promise<T>, want: T): Promise<T> {
  const end = Date.now() + 10_000;
  let v = await read();
  while (v !== want && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    v = await read();
  }
  return v;
}

/** db.client.connection.count of the test server's pool in one state. */
async function connections(state: 'idle' | 'used'): Promise<number> {
  return (await points('db.client.connection.count'))
    .filter((p) => p.attributes['db.client.connection.pool.name'] === POOL && p.attributes['db.client.connection.state'] === state)
    .reduce((n, p) => n + (p.value as number), 0);
}

/** Histogram count of the points matching `attrs`. */
function countOf(ps: DataPoint<unknown>[], attrs: Record<string, unknown>): number {
  return ps.filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v)).reduce((n, p) => n + (p.value as Histogram).count, 0);
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const p = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

describe('spans', () => {
  it('a command inside an active span is its CLIENT child, with the semantic-convention attributes and no argument values', async () => {
    instrument();
    const ledis = client({ db: 2 });
    cleanups.push(() => ledis.quit());
    const k = prefix('otel');
    await ledis.set(`${k}a`, 'secret-value');
    const parent = tracerProvider.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), () => ledis.get(`${k}a`));
    parent.end();
    const get = finished().find((s) => s.name === 'GET')!;
    expect(get).toBeDefined();
    expect(get.kind).toBe(SpanKind.CLIENT);
    expect(get.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(get.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(get.attributes).toEqual({
      'db.system.name': 'ledisdb',
      'db.operation.name': 'GET',
      'db.namespace': '2',
      'db.query.text': 'GET ?',
      'server.address': host,
      'server.port': port,
    });
    expect(get.status.code).toBe(SpanStatusCode.UNSET);
    expect(get.instrumentationScope).toMatchObject({ name: 'ledis/otel', version: INSTRUMENTATION_VERSION });
    const set = finished().find((s) => s.name === 'SET')!;
    expect(set.parentSpanContext).toBeUndefined(); // no active span: a root span
    expect(set.attributes['db.query.text']).toBe('SET ? ?');
    expect(JSON.stringify(finished().map((s) => s.attributes))).not.toContain('secret');
  });

  it('a pipeline gives one PIPELINE span with db.operation.batch.size, not one per command', async () => {
    instrument();
    const ledis = client();
    cleanups.push(() => ledis.quit());
    const k = prefix('otel-pipe');
    spans.reset();
    const out = await ledis.pipeline().set(`${k}a`, '1').incr(`${k}a`).get(`${k}a`).exec();
    expect(out).toHaveLength(3);
    const got = finished().filter((s) => s.name !== 'connect');
    expect(got.map((s) => s.name)).toEqual(['PIPELINE']);
    expect(got[0]!.kind).toBe(SpanKind.CLIENT);
    expect(got[0]!.attributes).toMatchObject({ 'db.operation.name': 'PIPELINE', 'db.operation.batch.size': 3, 'server.address': host, 'server.port': port, 'db.system.name': 'ledisdb' });
    expect(got[0]!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('pipelineCommandSpans: a child span per command under the PIPELINE span, sharing its timing; the failed one ERROR, and the batch ERROR', async () => {
    instrument({ pipelineCommandSpans: true });
    const ledis = client();
    cleanups.push(() => ledis.quit());
    const k = prefix('otel-pipe-children');
    await ledis.set(`${k}s`, 'not a number');
    spans.reset();
    const out = await ledis.pipeline().set(`${k}a`, '1').incr(`${k}s`).get(`${k}a`).execSettled();
    expect(out.map((r) => r.ok)).toEqual([true, false, true]);
    const got = finished().filter((s) => s.name !== 'connect');
    const batch = got.find((s) => s.name === 'PIPELINE')!;
    expect(batch.status.code).toBe(SpanStatusCode.ERROR);
    expect(batch.status.message).toMatch(/^1 of 3 commands failed, the first: /);
    expect(batch.attributes['error.type']).toBe('ERR');
    const children = got.filter((s) => s.parentSpanContext?.spanId === batch.spanContext().spanId);
    expect(children.map((s) => s.name)).toEqual(['SET', 'INCRBY', 'GET']);
    expect(children.map((s) => s.status.code)).toEqual([SpanStatusCode.UNSET, SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    for (const c of children) {
      expect([c.startTime, c.endTime]).toEqual([batch.startTime, batch.endTime]);
      expect(c.attributes).toMatchObject({ 'db.operation.name': c.name, 'server.address': host, 'server.port': port });
    }
    // Off by default.
    inst!.setConfig({ requireParentSpan: false });
    spans.reset();
    await ledis.pipeline().set(`${k}a`, '1').get(`${k}a`).exec();
    expect(finished().map((s) => s.name)).toEqual(['PIPELINE']);
  });

  it('a failing command is an ERROR span with error.type and db.response.status_code', async () => {
    instrument();
    const ledis = client();
    cleanups.push(() => ledis.quit());
    const k = prefix('otel-err');
    await ledis.set(`${k}s`, 'not a number');
    const err = await ledis.incr(`${k}s`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    const span = finished().find((s) => s.name === 'INCRBY')!;
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    expect(span.attributes['error.type']).toBe('ERR');
    expect(span.attributes['db.response.status_code']).toBe('ERR');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0]!.attributes?.['exception.type']).toBe('ResponseError');
  });

  it('a refused connection gives an ERROR connect span per attempt, and the command an ERROR span', async () => {
    instrument();
    const p = await closedPort();
    let tries = 0;
    const ledis = new Ledis({ host: '127.0.0.1', port: p, retryStrategy: () => (++tries < 2 ? 10 : null) });
    cleanups.push(() => ledis.disconnect());
    await expect(ledis.ping()).rejects.toBeInstanceOf(ConnectionError);
    const connects = finished().filter((s) => s.name === 'connect');
    expect(connects).toHaveLength(2);
    for (const c of connects) {
      expect(c.status.code).toBe(SpanStatusCode.ERROR);
      expect(c.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': p, 'db.system.name': 'ledisdb' });
    }
    // The first attempt fails with the socket's error; the last ends the connection (no more retries).
    expect(connects[0]!.attributes['error.type']).toBe('ECONNREFUSED');
    expect(connects[0]!.status.message).toMatch(/ECONNREFUSED/);
    expect(connects[1]!.status.message).toMatch(/ended before it was ready/);
    expect(connects.map((c) => c.attributes['ledis.connect.attempt'])).toEqual([0, 1]);
    const ping = finished().find((s) => s.name === 'PING')!;
    expect(ping.status.code).toBe(SpanStatusCode.ERROR);
    expect(ping.attributes['error.type']).toBe('ConnectionError');
  });

  it('a successful connect is an UNSET connect span', async () => {
    instrument();
    const ledis = client();
    cleanups.push(() => ledis.quit());
    await ledis.ping();
    const connect = finished().find((s) => s.name === 'connect')!;
    expect(connect.status.code).toBe(SpanStatusCode.UNSET);
    expect(connect.attributes).toMatchObject({ 'server.address': host, 'server.port': port, 'db.namespace': '0', 'ledis.connect.attempt': 0 });
  });

  it('requireParentSpan (the default, as instrumentation-ioredis): spans only inside an active span; metrics either way', async () => {
    const i = new LedisInstrumentation({ traceConnect: false });
    i.setTracerProvider(tracerProvider);
    i.setMeterProvider(meterProvider);
    inst = i;
    expect(i.getConfig().requireParentSpan).toBeUndefined();
    const ledis = client();
    cleanups.push(() => ledis.quit());
    const pings = async () => countOf(await points('db.client.operation.duration'), { 'db.operation.name': 'PING', 'server.port': port });
    const before = await pings();
    await ledis.ping();
    expect(finished()).toEqual([]);
    expect(await pings()).toBe(before + 1);
    const parent = tracerProvider.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), () => ledis.echo('x'));
    parent.end();
    expect(finished().map((s) => s.name)).toEqual(['ECHO', 'request']);
  });

  it('a replaced serializer and the hooks see "?" arguments unless traceArgs, and AUTH never shows', async () => {
    const seen: string[] = [];
    instrument({
      dbStatementSerializer: (cmd, args) => `${cmd} ${args.join(' ')}`,
      requestHook: (span, info) => span.setAttribute('test.request', `${info.command}/${info.args.length}`),
      responseHook: (span: Span, cmd, _args, reply) => {
        seen.push(cmd);
        span.setAttribute('test.reply', String(reply));
      },
    });
    const ledis = client({ traceArgs: true });
    cleanups.push(() => ledis.quit());
    const k = prefix('otel-ser');
    await ledis.set(`${k}a`, 'v1');
    await ledis.get(`${k}a`);
    await ledis.auth('hunter2').catch(() => undefined);
    const get = finished().find((s) => s.name === 'GET')!;
    expect(get.attributes).toMatchObject({ 'db.query.text': `GET ${k}a`, 'test.request': 'GET/1', 'test.reply': 'v1' });
    expect(seen).toContain('GET');
    const auth = finished().find((s) => s.name === 'AUTH');
    if (auth !== undefined) expect(auth.attributes['db.query.text']).toBe('AUTH ?');
    expect(JSON.stringify(finished().map((s) => [s.attributes, s.events, s.status]))).not.toContain('hunter2');

    // Without traceArgs the serializer gets "?" per argument; a throwing hook or serializer changes nothing else.
    inst!.setConfig({ requireParentSpan: false, dbStatementSerializer: (cmd, args) => `${cmd} ${args.join(' ')}`, responseHook: () => { throw new Error('hook'); } });
    const plain = client();
    cleanups.push(() => plain.quit());
    spans.reset();
    expect(await plain.get(`${k}a`)).toBe('v1');
    expect(finished().find((s) => s.name === 'GET')!.attributes['db.query.text']).toBe('GET ?');
    inst!.setConfig({ requireParentSpan: false, dbStatementSerializer: () => { throw new Error('serializer'); } });
    spans.reset();
    expect(await plain.get(`${k}a`)).toBe('v1');
    expect(finished().find((s) => s.name === 'GET')!.attributes['db.query.text']).toBeUndefined();
  });

  it('dbSystemName replaces "ledisdb"', async () => {
    instrument({ dbSystemName: 'redis' });
    const ledis = client();
    cleanups.push(() => ledis.quit());
    await ledis.ping();
    expect(finished().find((s) => s.name === 'PING')!.attributes['db.system.name']).toBe('redis');
  });
});

describe('metrics', () => {
  it('db.client.operation.duration: seconds, the recommended buckets, per operation name, with error.type on failures', async () => {
    instrument();
    const ledis = client();
    cleanups.push(() => ledis.quit());
    const k = prefix('otel-m');
    const before = await points('db.client.operation.duration');
    const base = (attrs: Record<string, unknown>) => countOf(before, attrs);
    await ledis.set(`${k}a`, 'x');
    await ledis.get(`${k}a`);
    await ledis.get(`${k}a`);
    await ledis.incr(`${k}a`).catch(() => undefined);
    await ledis.pipeline().get(`${k}a`).get(`${k}a`).exec();
    const after = await points('db.client.operation.duration');
    const server = { 'server.address': host, 'server.port': port, 'db.system.name': 'ledisdb', 'db.namespace': '0' };
    const okGet = { ...server, 'db.operation.name': 'GET' };
    expect(countOf(after, okGet) - base(okGet)).toBe(2);
    const failed = { ...server, 'db.operation.name': 'INCRBY', 'error.type': 'ERR', 'db.response.status_code': 'ERR' };
    expect(countOf(after, failed) - base(failed)).toBe(1);
    const pipe = { ...server, 'db.operation.name': 'PIPELINE', 'db.operation.batch.size': 2 };
    expect(countOf(after, pipe) - base(pipe)).toBe(1);
    const getPoint = after.find((p) => p.attributes['db.operation.name'] === 'GET' && p.attributes['server.port'] === port)!;
    expect((getPoint.value as Histogram).buckets.boundaries).toEqual([...DURATION_BUCKETS]);
    expect(getPoint.attributes['error.type']).toBeUndefined();
    expect((getPoint.value as Histogram).sum).toBeGreaterThan(0);
    expect((getPoint.value as Histogram).sum).toBeLessThan(60); // seconds, not milliseconds
  });

  it('db.client.connection.count by state, pending_requests and create_time, the spread\'s connections included', async () => {
    instrument();
    // Earlier tests' clients are closed (their sockets' close events may still be on their way).
    expect(await settle(() => connections('idle'), 0)).toBe(0);
    const create0 = countOf(await points('db.client.connection.create_time'), { 'db.client.connection.pool.name': POOL });
    // Three lanes from the start (the adaptive spread's added lanes go the same way: ready, then closed when retired).
    const ledis = client({ connections: 3, spread: 'fixed' });
    await ledis.ping();
    const k = prefix('otel-c');
    await Promise.all(Array.from({ length: 6 }, (_, i) => ledis.set(`${k}${i}`, 'x')));
    expect(await settle(() => connections('idle'), 3)).toBe(3);
    expect(await connections('used')).toBe(0);
    const create = (await points('db.client.connection.create_time')).filter((p) => p.attributes['db.client.connection.pool.name'] === POOL);
    expect(countOf(create, {}) - create0).toBe(3);
    expect((create[0]!.value as Histogram).sum).toBeGreaterThan(0);
    const pendingPoints = await points('db.client.connection.pending_requests');
    const pending = pendingPoints.find((p) => p.attributes['db.client.connection.pool.name'] === POOL);
    expect(pending?.value).toBe(0);
    await ledis.quit();
    expect(await settle(() => connections('idle'), 0)).toBe(0);
  });

  it("the adaptive spread's added connections are counted while open, and leave the count when retired", async () => {
    instrument();
    expect(await settle(() => connections('idle'), 0)).toBe(0);
    // One command per call on the wire (coalesced GETs rarely need a second lane); bounded: 10 loops, 12 s.
    const ledis = client({ connections: 3, coalesce: false });
    cleanups.push(() => ledis.quit());
    await ledis.ping();
    const pool = ledis.connectionPool;
    const k = prefix('otel-spread');
    // Sampled while the load runs, not after it: an added lane that does not pay is retired within
    // about a second, so a count read after the load can already be back at one (CI saw that).
    // A sample counts only when two or more lanes were open both before and after the read.
    const total = async () => (await connections('idle')) + (await connections('used'));
    let counted = 0;
    let stableSamples = 0;
    let loading = true;
    const sampler = (async () => {
      while (loading) {
        const before = pool.sharedList.length;
        if (before >= 2) {
          const c = await total();
          if (pool.sharedList.length >= 2) {
            stableSamples++;
            counted = Math.max(counted, c);
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const end = Date.now() + 12_000;
    for (let i = 0; i < 10 && counted < 2 && Date.now() < end; i++) {
      await Promise.all(
        Array.from({ length: 1000 }, async (_, c) => {
          for (let r = 0; r < 50; r++) await ledis.get(`${k}${c}`);
        }),
      );
    }
    loading = false;
    await sampler;
    // The count follows the lanes: what is open now is what is counted (polled: a lane may be retiring meanwhile).
    const now = async () => (await connections('idle')) + (await connections('used')) - pool.sharedList.length;
    expect(await settle(now, 0)).toBe(0);
    // The spread grew on this machine and stayed grown across several reads: its lanes were counted.
    if (stableSamples >= 3) expect(counted).toBeGreaterThanOrEqual(2);
    // Idle: the added lanes are retired (a step per second of shallow load) and leave the count.
    expect(await until(() => pool.sharedList.length === 1, 15_000)).toBe(true);
    expect(await settle(() => connections('idle'), 1)).toBe(1);
  }, 60_000);

  it('a connection with a command in flight is used, and its command pending', async () => {
    instrument();
    const ledis = client({ connections: 1 });
    cleanups.push(() => ledis.quit());
    const blocker = client({ connections: 1 });
    cleanups.push(() => blocker.quit());
    await ledis.ping();
    await blocker.ping();
    const k = prefix('otel-b');
    const popped = blocker.blpop(`${k}list`, 5); // held by the server until the push
    popped.catch(() => undefined);
    const pendingOf = async () =>
      (await points('db.client.connection.pending_requests')).filter((p) => p.attributes['db.client.connection.pool.name'] === POOL).reduce((n, p) => n + (p.value as number), 0);
    expect(await settle(pendingOf, 1)).toBe(1);
    expect(await connections('used')).toBe(1);
    await ledis.rpush(`${k}list`, 'x');
    expect(await popped).toEqual([`${k}list`, 'x']);
    expect(await settle(pendingOf, 0)).toBe(0);
  });
});

describe('enable and disable', () => {
  it('disable() stops spans and metric points; enable() brings them back', async () => {
    const i = instrument();
    const ledis = client();
    cleanups.push(() => ledis.quit());
    await ledis.ping();
    const opName = { 'db.operation.name': 'ECHO', 'server.port': port };
    const before = countOf(await points('db.client.operation.duration'), opName);
    i.disable();
    spans.reset();
    await ledis.echo('a');
    await ledis.pipeline().echo('b').echo('c').exec();
    expect(finished()).toEqual([]);
    expect(countOf(await points('db.client.operation.duration'), opName)).toBe(before);
    expect(await connections('idle')).toBe(0); // no longer counted (observed at 0)
    i.enable();
    await ledis.echo('d');
    expect(finished().map((s) => s.name)).toEqual(['ECHO']);
    expect(countOf(await points('db.client.operation.duration'), opName)).toBe(before + 1);
  });

  it('registerInstrumentations() enables it with the providers given, and its disabler turns it off', async () => {
    const i = new LedisInstrumentation({ enabled: false, requireParentSpan: false });
    inst = i;
    const ledis = client();
    cleanups.push(() => ledis.quit());
    await ledis.ping();
    expect(finished()).toEqual([]);
    const off = registerInstrumentations({ instrumentations: [i], tracerProvider, meterProvider });
    await ledis.ping();
    expect(finished().map((s) => s.name)).toEqual(['PING']);
    off();
    await ledis.ping();
    expect(finished()).toHaveLength(1);
    expect(i.getConfig().enabled).toBe(false);
  });

  it('names its version as package.json does', () => {
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(INSTRUMENTATION_VERSION).toBe(pkg.version);
  });
});
