#!/usr/bin/env node
// `npm run bench`: the end-to-end comparison of ledis with ioredis and
// node-redis on the same servers, in the same run, interleaved and repeated.
// Every client runs in its own process (bench/worker.mjs); this process only
// plans, starts servers, preloads data, shows progress and writes the report.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ledis } from '../dist/index.js';
import { MULTI, clientVersions } from './lib/clients.mjs';
import { machineInfo, parseArgs, usage } from './lib/options.mjs';
import { Progress } from './lib/progress.mjs';
import { writeCharts } from './lib/charts.mjs';
import { HEADLINE_END, HEADLINE_START, evaluateTargets, printReport, renderHeadline, renderMarkdown, updateBenchmarksMd, updateMarkedBlock } from './lib/report.mjs';
import { redisBenchmark, startTarget } from './lib/servers.mjs';
import { measure as measureCadence } from './cadence.mjs';
import { summarize } from './lib/stats.mjs';
import { Worker } from './lib/workers.mjs';
import { LEDIS_SERVER_VERSION } from '../tools/server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEYS = 1000;
const VALUE_SIZE = 64;
const LARGE = [
  { label: '100 KiB', size: 100 * 1024, key: 'bench:large:100k' },
  { label: '1 MiB', size: 1024 * 1024, key: 'bench:large:1mib' },
];
const BULK_MODES = [
  { client: 'ledis', mode: 'pipeline', label: 'ledis pipeline().zadd().exec()' },
  { client: 'ledis', mode: 'all', label: 'ledis Promise.all(zadd)' },
  { client: 'ioredis', mode: 'pipeline', label: 'ioredis pipeline().zadd().exec()' },
  { client: 'node-redis', mode: 'pipeline', label: 'node-redis multi().zAdd().execAsPipeline()' },
];

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
if (opts.help) {
  console.log(usage());
  process.exit(0);
}

/** The commit the driver was built from, marked when src/ had uncommitted changes. */
function gitDescribe() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout?.toString().trim();
  if (!head) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', 'src'], { cwd: ROOT }).stdout?.toString().trim();
  return dirty ? `${head} + uncommitted changes in src/` : head;
}

const results = {
  meta: {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: machineInfo(),
    node: process.version,
    clients: clientVersions(),
    ledisServer: LEDIS_SERVER_VERSION,
    driverCommit: gitDescribe(),
    options: opts,
    targets: {},
    notes: [],
  },
  probe: [],
  cells: [],
  bulk: [],
  large: [],
  ceiling: [],
  cadence: [],
  parser: null,
};

/** The cadence cells: one connection each, counters per 1,000 commands (bench/NOTES.md). */
const CADENCE = { clients: ['ledis', 'node-redis', 'ioredis'], ops: ['get', 'set'], cs: [100, 1000], seconds: 2, warmupMs: 500, reps: 2 };

const cellMs = (opts.duration + opts.warmup) * 1000;

/**
 * Unmeasured time before a GET/SET cell: --warmup, and at least 1 s from
 * C=1000 up, where the adaptive spread (src/routing/spread.ts) opens connections:
 * it settles within about 1 s, and the cell measures it settled. Every
 * client gets the same warm-up.
 */
const warmupMs = (c) => (c >= 1000 ? Math.max(opts.warmup, 1) : opts.warmup) * 1000;

/**
 * What each GET/SET scenario runs unless --concurrency / --clients / --reps
 * say otherwise: the full matrix where the targets are judged (LedisDB over
 * TCP), a lighter one elsewhere, so the default run stays a few minutes.
 */
const MATRIX = {
  tcp: { concurrency: [1, 10, 100, 1000], clients: null, reps: null, graceMs: 10_000 },
  // C=100 for the p99 target against node-redis; the N-connection peers only where targets are judged.
  redis: { concurrency: [1, 100, 1000], clients: ['ledis', 'ledis-plain', 'ledis-pool', 'ioredis', 'ioredis-auto', 'node-redis'], reps: null, graceMs: 10_000 },
  unix: { concurrency: [1, 1000], clients: ['ledis', 'ledis-pool', 'ioredis', 'node-redis'], reps: null, graceMs: 10_000 },
  // 4 KiB windows stall deep writes for seconds: one repetition shows it.
  '4k': { concurrency: [1, 1000], clients: ['ledis', 'ioredis', 'node-redis'], reps: 1, graceMs: 2_000 },
};

function matrix(scenario) {
  const m = MATRIX[scenario];
  return {
    concurrency: opts.concurrency ?? m.concurrency,
    clients: opts.clientsGiven || !m.clients ? opts.clients : m.clients.filter((c) => opts.clients.includes(c)),
    reps: opts.repsGiven || !m.reps ? opts.reps : m.reps,
    graceMs: m.graceMs,
  };
}

function estimateUnits() {
  let n = 0;
  for (const t of Object.keys(MATRIX)) {
    if (!opts.scenarios.includes(t)) continue;
    const m = matrix(t);
    n += opts.ops.length * m.concurrency.length * m.clients.length * m.reps;
  }
  const bulkTargets = 1 + (opts.scenarios.includes('redis') ? 1 : 0);
  if (opts.scenarios.includes('bulk')) n += bulkTargets * BULK_MODES.length * opts.reps;
  if (opts.scenarios.includes('ceiling')) n += bulkTargets * opts.reps;
  if (opts.scenarios.includes('large')) n += LARGE.length * 2 * 3 * opts.reps;
  if (opts.scenarios.includes('parser')) n += 1;
  if (opts.scenarios.includes('cadence')) n += CADENCE.clients.length * CADENCE.ops.length * CADENCE.cs.length * CADENCE.reps;
  return n;
}

const progress = new Progress(estimateUnits());

/** Writes the keys every client reads: 1000 16-byte keys of 64-byte values, and the large values. */
async function preload(started, withLarge) {
  const t = started.target;
  const ledis = new Ledis(t.path ? { unixSocketPath: t.path } : { host: t.host, port: t.port });
  let timer;
  const ready = await Promise.race([
    ledis.connect().then(() => true, () => false),
    new Promise((r) => (timer = setTimeout(() => r(false), 10_000))),
  ]);
  clearTimeout(timer);
  if (!ready) {
    ledis.disconnect();
    throw new Error(`cannot connect to ${t.path ?? `${t.host}:${t.port}`} within 10 s`);
  }
  try {
    const value = 'v'.repeat(VALUE_SIZE);
    await Promise.all(Array.from({ length: KEYS }, (_, i) => ledis.set(`bench:${String(i).padStart(10, '0')}`, value)));
    if (withLarge) {
      for (const l of LARGE) await ledis.set(l.key, asciiValue(l.size));
    }
  } finally {
    await ledis.quit();
  }
}

/** Printable ASCII (valid UTF-8, one byte per char), not one repeated byte. */
function asciiValue(size) {
  const b = Buffer.allocUnsafe(size);
  let x = 12345;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = 97 + (x % 26);
  }
  return b;
}

const workerOpts = (connections) => ({ keys: KEYS, valueSize: VALUE_SIZE, connections });

async function spawnWorkers(started, clients, connections) {
  const workers = new Map();
  for (const c of clients) workers.set(c, new Worker(c, started.target, workerOpts(connections)));
  await Promise.all([...workers.values()].map((w) => w.request({ type: 'init' }, 20_000)));
  return workers;
}

/**
 * Replaces a client process after a stalled or failed cell: its connection
 * may still hold unanswered commands, which would stall its next cell too.
 */
async function revive(workers, client, started, connections) {
  workers.get(client).kill();
  const fresh = new Worker(client, started.target, workerOpts(connections));
  workers.set(client, fresh);
  await fresh.request({ type: 'init' }, 20_000).catch(() => fresh.kill());
}

async function runCell(worker, msg) {
  // The worker bounds each step (first reply 5 s, warm-up and cell by their grace); this is the backstop.
  const timeout = msg.durationMs + msg.warmupMs + 2 * msg.graceMs + 10_000;
  try {
    return await worker.request({ type: 'cell', maxOps: 50_000_000, ...msg }, timeout);
  } catch (err) {
    return { error: err.message };
  }
}

/** Operations (or bytes, with `unit`) per second; a stalled cell counts what completed in its whole window. */
function rate(r, unit = 1) {
  return r.error ? NaN : (r.ops * unit) / (r.elapsedMs / 1000);
}

/** N for the N-connection clients: given, or the best of a short GET C=1000 probe of N fixed connections. */
async function chooseConnections(started) {
  if (opts.connections !== 'auto') return opts.connections;
  let best = 2;
  let bestRate = -1;
  for (const n of [2, 4]) {
    const workers = await spawnWorkers(started, ['ledis-fixed'], n);
    const w = workers.get('ledis-fixed');
    const r = await runCell(w, { op: 'get', c: 1000, durationMs: 1000, warmupMs: 200, graceMs: 5000 });
    await w.close();
    const opsPerSec = rate(r);
    results.probe.push({ connections: n, opsPerSec });
    progress.note(`probe: ledis connections: ${n} -> ${Math.round(opsPerSec)} GET/s at C=1000`);
    if (opsPerSec > bestRate) [best, bestRate] = [n, opsPerSec];
  }
  return best;
}

async function getSet(scenario, started, workers, connections) {
  const m = matrix(scenario);
  for (let rep = 0; rep < m.reps; rep++) {
    for (const op of opts.ops) {
      for (const c of m.concurrency) {
        // Rotate the client order each repetition so no client always runs first.
        const order = m.clients.map((_, i) => m.clients[(i + rep) % m.clients.length]);
        for (const client of order) {
          progress.start(`${scenario} ${op.toUpperCase()} C=${c} ${client} rep ${rep + 1}/${m.reps}`);
          const r = await runCell(workers.get(client), { op, c, durationMs: opts.duration * 1000, warmupMs: warmupMs(c), graceMs: m.graceMs });
          if (r.error || r.stalled) await revive(workers, client, started, connections);
          record(results.cells, { scenario, op, c, client }, r);
          progress.done(r.error ? `error: ${r.error}` : `${Math.round(rate(r))} ops/s${r.stalled ? ` (stalled: callers still waiting ${m.graceMs / 1000} s after the end)` : ''}`);
        }
      }
    }
  }
}

async function bulkAndCeiling(scenario, started, workers) {
  for (let rep = 0; rep < opts.reps; rep++) {
    if (opts.scenarios.includes('bulk')) {
      const order = BULK_MODES.map((_, i) => BULK_MODES[(i + rep) % BULK_MODES.length]);
      for (const m of order) {
        progress.start(`${scenario} ${opts.bulkN} ZADD ${m.label} rep ${rep + 1}/${opts.reps}`);
        let r;
        try {
          r = await workers.get(m.client).request({ type: 'bulk', mode: m.mode, n: opts.bulkN, key: `bench:zset:${m.client}`, timeoutMs: 60_000 }, 90_000);
        } catch (err) {
          r = { error: err.message };
        }
        if (r.error || r.stalled) await revive(workers, m.client, started, 1);
        record(results.bulk, { scenario, client: m.client, mode: m.mode, label: m.label, n: opts.bulkN }, r);
        progress.done(r.error ? `error: ${r.error}` : `${Math.round(rate(r))} ZADD/s`);
      }
    }
    if (opts.scenarios.includes('ceiling')) {
      progress.start(`${scenario} redis-benchmark -t set,get -c 50 -P 100 rep ${rep + 1}/${opts.reps}`);
      const r = await redisBenchmark(started, { requests: opts.ceilingN });
      const entry = results.ceiling.find((e) => e.scenario === scenario) ?? { scenario, command: r.command, reps: [] };
      if (!results.ceiling.includes(entry)) results.ceiling.push(entry);
      entry.reps.push(r);
      progress.done(r.error ? `error: ${r.error}` : `SET ${Math.round(r.set)}/s GET ${Math.round(r.get)}/s`);
    }
  }
  for (const e of results.ceiling) {
    e.set = summarize(e.reps.map((r) => r.set ?? NaN));
    e.get = summarize(e.reps.map((r) => r.get ?? NaN));
  }
}

async function largeValues(scenario, workers) {
  const clients = ['ledis', 'ioredis', 'node-redis'];
  for (let rep = 0; rep < opts.reps; rep++) {
    for (const l of LARGE) {
      for (const op of ['getString', 'getBuffer']) {
        const order = clients.map((_, i) => clients[(i + rep) % clients.length]);
        for (const client of order) {
          progress.start(`${scenario} GET ${l.label} as ${op === 'getString' ? 'string' : 'Buffer'} C=10 ${client} rep ${rep + 1}/${opts.reps}`);
          const r = await runCell(workers.get(client), { op, key: l.key, expectLength: l.size, c: 10, durationMs: opts.duration * 1000, warmupMs: opts.warmup * 1000, graceMs: 10_000 });
          record(results.large, { scenario, size: l.size, label: l.label, as: op === 'getString' ? 'string' : 'Buffer', client }, r, l.size);
          progress.done(r.error ? `error: ${r.error}` : `${(rate(r, l.size) / 1e6).toFixed(0)} MB/s`);
        }
      }
    }
  }
}

/** Adds one repetition's outcome to the matching row, creating the row on first use. */
function record(list, key, r, bytesPerOp = 0) {
  let row = list.find((x) => Object.entries(key).every(([k, v]) => x[k] === v));
  if (!row) list.push((row = { ...key, reps: [] }));
  const opsPerSec = rate(r);
  const rep = { opsPerSec, cpuUsPerOp: r.error ? NaN : r.cpuUs / r.ops, p50: r.p50, p99: r.p99, stalled: !!r.stalled, error: r.error };
  if (r.via) row.via = r.via;
  if (bytesPerOp) {
    rep.mbPerSec = (opsPerSec * bytesPerOp) / 1e6;
    rep.cpuUsPerMB = r.error ? NaN : r.cpuUs / ((r.ops * bytesPerOp) / 1e6);
  }
  row.reps.push(rep);
  for (const f of ['opsPerSec', 'cpuUsPerOp', 'p50', 'p99', 'mbPerSec', 'cpuUsPerMB']) {
    if (row.reps.some((x) => x[f] !== undefined)) row[f] = summarize(row.reps.map((x) => x[f] ?? NaN));
  }
}

/** Server and client counters per command on one connection; needs the server's pid (not with --url). */
async function cadence(started) {
  if (!started.pid) {
    results.meta.notes.push('cadence: not run (the server was started elsewhere; its /proc counters are needed)');
    return;
  }
  const server = { port: started.target.port, pid: started.pid };
  for (let rep = 0; rep < CADENCE.reps; rep++) {
    for (const op of CADENCE.ops) {
      for (const c of CADENCE.cs) {
        for (let i = 0; i < CADENCE.clients.length; i++) {
          const client = CADENCE.clients[(i + rep) % CADENCE.clients.length];
          progress.start(`cadence ${op.toUpperCase()} C=${c} ${client} rep ${rep + 1}/${CADENCE.reps}`);
          try {
            const r = await measureCadence(server, client, op, c, CADENCE.seconds, false, false, CADENCE.warmupMs);
            results.cadence.push(r);
            progress.done(`${Math.round(r.opsPerSec)} ops/s, server ${((1000 * r.server.vol) / r.ops).toFixed(1)} voluntary switches per 1,000`);
          } catch (err) {
            progress.done(`error: ${err.message}`);
          }
        }
      }
    }
  }
}

async function runParser() {
  progress.start('parser micro-benchmarks (tinybench)');
  const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'parser.bench.mjs'), '--json', '--time', String(opts.parserMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  await new Promise((r) => child.once('exit', r));
  clearTimeout(timer);
  try {
    results.parser = JSON.parse(out);
    progress.done(`${results.parser.rows.length} tasks`);
  } catch {
    results.parser = { error: 'parser benchmark produced no JSON' };
    progress.done('error');
  }
}

async function withTarget(name, fn) {
  let started;
  try {
    started = await startTarget(name, { url: opts.url, installRedis: opts.installRedis, ledisVersion: `LedisDB ${LEDIS_SERVER_VERSION}` });
  } catch (err) {
    results.meta.notes.push(`${name}: not run (${err.message})`);
    progress.note(`${name}: skipped: ${err.message}`);
    return;
  }
  results.meta.targets[name] = { description: started.description, version: started.version };
  try {
    await fn(started);
  } catch (err) {
    results.meta.notes.push(`${name}: stopped early (${err.message})`);
    progress.note(`${name}: stopped early: ${err.message}`);
  } finally {
    await started.stop();
  }
}

async function targetPhase(scenario, name, { getset, extras }) {
  await withTarget(name, async (started) => {
    await preload(started, extras && opts.scenarios.includes('large'));
    const multi = opts.clients.some((c) => MULTI.includes(c));
    const connections = multi ? (results.meta.connections ?? (await chooseConnections(started))) : 1;
    if (multi) results.meta.connections ??= connections;
    const needed = new Set(getset ? matrix(scenario).clients : []);
    if (extras) for (const c of ['ledis', 'ioredis', 'node-redis']) needed.add(c);
    const workers = await spawnWorkers(started, [...needed], connections);
    try {
      if (results.meta.harness === undefined) {
        const h = await runCell(workers.values().next().value, { op: 'noop', c: 1000, durationMs: 500, warmupMs: 100, graceMs: 2000 });
        results.meta.harness = { cpuUsPerOp: h.error ? NaN : h.cpuUs / h.ops };
      }
      if (getset) await getSet(scenario, started, workers, connections);
      if (extras) await bulkAndCeiling(scenario, started, workers);
      if (extras && name === 'ledis' && opts.scenarios.includes('large')) await largeValues(scenario, workers);
      if (name === 'ledis' && opts.scenarios.includes('cadence') && started.target.port) await cadence(started);
    } finally {
      await Promise.all([...workers.values()].map((w) => w.close()));
    }
  });
}

const has = (s) => opts.scenarios.includes(s);
const extrasOn = has('bulk') || has('ceiling') || has('large') || has('cadence');
if (has('tcp') || extrasOn) await targetPhase('tcp', 'ledis', { getset: has('tcp'), extras: extrasOn });
if (has('redis')) await targetPhase('redis', 'redis', { getset: true, extras: has('bulk') || has('ceiling') });
if (has('unix')) await targetPhase('unix', 'ledis-unix', { getset: true, extras: false });
if (has('4k')) await targetPhase('4k', 'ledis-4k', { getset: true, extras: false });
if (has('parser')) await runParser();
progress.finish();
results.meta.machine.loadAtEnd = machineInfo().loadAtStart;

results.targetsMet = evaluateTargets(results);
mkdirSync(opts.out, { recursive: true });
const stamp = results.meta.date.replace(/[:.]/g, '-');
const json = JSON.stringify(results, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
writeFileSync(path.join(opts.out, `${stamp}.json`), json);
writeFileSync(path.join(opts.out, 'latest.json'), json);
const md = renderMarkdown(results);
writeFileSync(path.join(opts.out, 'latest.md'), md);
printReport(results);
console.log(`\nwrote ${path.relative(process.cwd(), path.join(opts.out, `${stamp}.json`))} and latest.md`);
await writeCharts(results, path.join(opts.out, 'charts')).catch((err) => console.error(`charts: ${err.message}`));
if (opts.updateBenchmarks) {
  updateBenchmarksMd(path.join(ROOT, 'BENCHMARKS.md'), md);
  if (updateMarkedBlock(path.join(ROOT, 'README.md'), HEADLINE_START, HEADLINE_END, renderHeadline(results))) console.log("updated README's headline table");
  const charts = await writeCharts(results, path.join(ROOT, 'bench', 'charts')).catch((err) => (console.error(`charts: ${err.message}`), []));
  console.log(`updated the generated section of BENCHMARKS.md and ${charts.length} charts in bench/charts/`);
}
if (results.meta.notes.some((n) => n.includes('stopped early'))) process.exitCode = 1;
