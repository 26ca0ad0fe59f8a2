#!/usr/bin/env node
// What OpenTelemetry costs per command: GET with C concurrent callers on one
// connection to a local LedisDB (ioredis talks to the same server), client
// CPU per GET, each case in its own process (OpenTelemetry registers
// globals, and instrumentation-ioredis must hook require before ioredis
// loads), cases interleaved round by round, medians reported.
//
//   ledis              ledis, ledis/otel not imported
//   ledis-before       (with --before DIST) another build of ledis, e.g. main before ledis/otel
//   ledis-otel         LedisInstrumentation, spans and metrics: a real SDK (NodeTracerProvider,
//                      BatchSpanProcessor, MeterProvider with a periodic reader) and no-op exporters
//   ledis-otel-spans   the same without a MeterProvider (metrics are the API's no-ops)
//   ledis-before-otel  (with --before DIST) ledis-otel with that build's ledis and ledis/otel
//                      (DIST/../cjs/otel/index.js): this build's instrumentation against an earlier one
//   ioredis            ioredis, no instrumentation
//   ioredis-otel       @opentelemetry/instrumentation-ioredis on ioredis, the same SDK (it makes spans only)
//
// In the OpenTelemetry cases every caller runs inside one active parent span
// (both instrumentations make no span without one by default).
//
// usage: npm run bench:otel -- [--rounds 5] [--seconds 2] [--callers 1000] [--before /path/to/dist/index.js] [--cases a,b]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};

if (opt('case', null) !== null) {
  await child(opt('case'), opt('host'), Number(opt('port')), Number(opt('seconds', 2)), Number(opt('callers', 1000)), opt('before', null));
} else {
  await parent();
}

// ---- one case, in its own process ------------------------------------------------

async function child(name, host, port, seconds, callers, before) {
  const require = createRequire(import.meta.url);
  const otel = name.endsWith('-otel') || name.endsWith('-otel-spans');
  const beforeCjs = before === null ? null : path.join(path.dirname(path.resolve(before)), 'cjs');
  if (otel) {
    const { metrics } = require('@opentelemetry/api');
    const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
    const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    const noSpans = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
    const noMetrics = { export: (_m, done) => done({ code: 0 }), forceFlush: async () => {}, shutdown: async () => {} };
    const tracerProvider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(noSpans, { maxQueueSize: 65536 })] });
    tracerProvider.register();
    if (!name.endsWith('-otel-spans')) {
      // The default export interval (60 s) is longer than a run: this is the recording cost.
      metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: noMetrics })] }));
    }
    const instrumentation = name.startsWith('ioredis')
      ? new (require('@opentelemetry/instrumentation-ioredis').IORedisInstrumentation)()
      : new (require(name === 'ledis-before-otel' ? path.join(beforeCjs, 'otel/index.js') : '../dist/cjs/otel/index.js').LedisInstrumentation)();
    registerInstrumentations({ instrumentations: [instrumentation] });
  }
  if (name === 'ledis-noop' || name === 'ledis-noop-als') {
    // Diagnostics: a no-op ledis:command subscriber, without / with the SDK's AsyncLocalStorage context manager.
    const noop = () => {};
    require('node:diagnostics_channel').tracingChannel('ledis:command').subscribe({ start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop });
    if (name === 'ledis-noop-als') new (require('@opentelemetry/sdk-trace-node').NodeTracerProvider)().register();
  }
  let client;
  if (name.startsWith('ioredis')) {
    const IORedis = require('ioredis'); // after registerInstrumentations: instrumentation-ioredis patches it on require
    client = new IORedis({ host, port });
  } else {
    const { Ledis } =
      name === 'ledis-before' ? await import(pathToFileURL(before).href) : name === 'ledis-before-otel' ? require(path.join(beforeCjs, 'index.js')) : require('../dist/cjs/index.js');
    client = new Ledis({ host, port, connections: 1 });
  }
  await client.set('bench:otel', 'v'.repeat(16));
  // With OpenTelemetry every caller runs inside one active span (an incoming request's, in an application):
  // instrumentation-ioredis makes no span without a parent (its requireParentSpan defaults to true), nor does ledis/otel.
  let inParent = (fn) => fn();
  if (otel) {
    const { context, trace } = require('@opentelemetry/api');
    const parent = trace.getTracer('bench').startSpan('request');
    const ctx = trace.setSpan(context.active(), parent);
    inParent = (fn) => context.with(ctx, fn);
  }
  const measure = async (secs) => {
    let ops = 0;
    let stop = false;
    const end = Date.now() + secs * 1000;
    const caller = async () => {
      while (!stop) {
        await client.get('bench:otel');
        ops++;
        if ((ops & 1023) === 0 && Date.now() >= end) stop = true;
      }
    };
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: callers }, () => inParent(caller)));
    const used = process.cpuUsage(cpu);
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    return { rate: ops / wall, cpuUs: (used.user + used.system) / ops };
  };
  await measure(Math.min(0.5, seconds)); // warm-up: JIT, span and metric storage
  const result = await measure(seconds);
  await client.quit();
  console.log(JSON.stringify(result));
  process.exit(0); // the SDK's timers (batch export, metric reader) would keep the process alive
}

// ---- the driver: server, interleaved rounds, medians ------------------------------

async function parent() {
  const { startLedisServer } = await import('../tools/server.mjs');
  const rounds = Number(opt('rounds', 5));
  const seconds = Number(opt('seconds', 2));
  const callers = Number(opt('callers', 1000));
  const before = opt('before', null);
  const all = ['ledis', ...(before ? ['ledis-before'] : []), 'ledis-otel', ...(before ? ['ledis-before-otel'] : []), 'ledis-otel-spans', 'ioredis', 'ioredis-otel'];
  const cases = opt('cases', null)?.split(',') ?? all;
  const server = await startLedisServer({ quiet: true });
  try {
    await runRounds(server, rounds, seconds, callers, before, cases);
  } finally {
    // A failing case must not leave the server running.
    await server.stop();
  }
}

async function runRounds(server, rounds, seconds, callers, before, cases) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const version = (p) => JSON.parse(readFileSync(`${root}node_modules/${p}/package.json`, 'utf8')).version;
  console.log(
    `GET, ${callers} concurrent callers, one connection, ${seconds} s per run, ${rounds} interleaved rounds; node ${process.version}; ` +
      `ioredis ${version('ioredis')}, @opentelemetry/api ${version('@opentelemetry/api')}, sdk-trace-node ${version('@opentelemetry/sdk-trace-node')}, ` +
      `sdk-metrics ${version('@opentelemetry/sdk-metrics')}, instrumentation-ioredis ${version('@opentelemetry/instrumentation-ioredis')}`,
  );
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const results = {};
  const self = fileURLToPath(import.meta.url);
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so no case always runs first or last.
    const order = cases.map((_, i) => cases[(i + r) % cases.length]);
    for (const name of order) {
      const args = [self, '--case', name, '--host', server.host, '--port', String(server.port), '--seconds', String(seconds), '--callers', String(callers)];
      if (before) args.push('--before', before);
      const v = await runChild(args);
      (results[name] ??= []).push(v);
      console.log(`round ${r + 1} ${name.padEnd(16)} ${Math.round(v.rate).toLocaleString('en-US').padStart(9)} GET/s  ${v.cpuUs.toFixed(2)} µs CPU/GET`);
    }
  }
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const med = {};
  console.log('\nmedians:');
  for (const name of cases) {
    const vs = results[name];
    med[name] = { rate: median(vs.map((v) => v.rate)), cpuUs: median(vs.map((v) => v.cpuUs)) };
    console.log(`  ${name.padEnd(16)} ${Math.round(med[name].rate).toLocaleString('en-US').padStart(9)} GET/s  ${med[name].cpuUs.toFixed(2)} µs CPU/GET  (per round: ${vs.map((v) => v.cpuUs.toFixed(2)).join(', ')})`);
  }
  const added = (a, b) => (med[a] && med[b] ? `${(med[a].cpuUs - med[b].cpuUs).toFixed(2)} µs` : 'n/a');
  console.log('\nadded client CPU per GET (median minus median):');
  console.log(`  ledis/otel, spans + metrics:  ${added('ledis-otel', 'ledis')}`);
  console.log(`  ledis/otel, spans only:       ${added('ledis-otel-spans', 'ledis')}`);
  console.log(`  instrumentation-ioredis:      ${added('ioredis-otel', 'ioredis')}`);
  if (before) console.log(`  this build vs --before (not imported): ${added('ledis', 'ledis-before')}`);
  if (before) console.log(`  --before's ledis/otel, spans + metrics: ${added('ledis-before-otel', 'ledis')}`);
}

function runChild(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${args[2]} exited ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}
