// One benchmark client in its own process, driven over IPC by bench/run.mjs.
// A process per client keeps each library's heap, GC and JIT state apart,
// so process.cpuUsage() here is that client's cost and nobody else's; the
// process stays up across cells so its code stays warm, and cells of
// different clients interleave.
import { makeClient } from './lib/clients.mjs';
import { Histogram } from './lib/stats.mjs';

const [clientName, targetJson, optsJson] = process.argv.slice(2);
const target = JSON.parse(targetJson);
const opts = JSON.parse(optsJson ?? '{}');

/** @type {import('./lib/clients.mjs').Adapter} */
let client;

const now = () => performance.now();

/**
 * Runs `c` callers, each awaiting `op` in a loop until `ms` have passed (or
 * `maxOps` completed). Returns counts and timings; `stalled` if the callers
 * did not all finish within `graceMs` after the deadline. Latency is timed
 * on every operation below 100 callers and on every 8th of each caller from
 * 100 up, so at high rates the harness's own clock reads stay a small part
 * of the CPU measured.
 */
async function load(op, keyOf, c, ms, maxOps, graceMs, hist) {
  let ops = 0;
  let stop = false;
  const mask = c >= 100 ? 7 : 0;
  const t0 = now();
  const end = t0 + ms;
  const cpu0 = process.cpuUsage();
  const caller = async (i) => {
    const key = keyOf(i);
    let n = i;
    while (!stop && ops < maxOps) {
      if ((++n & mask) === 0) {
        const s = now();
        if (s >= end) break;
        await op(key);
        if (hist) hist.record(now() - s);
      } else {
        await op(key);
      }
      ops++;
    }
  };
  // The sampled clock reads end the loops too; the timer covers callers that see no samples for a while.
  const stopTimer = setTimeout(() => (stop = true), ms);
  const all = Promise.all(Array.from({ length: c }, (_, i) => caller(i)));
  let graceTimer;
  const stalled = await Promise.race([
    all.then(() => false),
    new Promise((r) => (graceTimer = setTimeout(() => r(true), ms + graceMs))),
  ]);
  const elapsed = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearTimeout(stopTimer);
  clearTimeout(graceTimer);
  return { ops, elapsedMs: elapsed, cpuUs: cpu.user + cpu.system, stalled };
}

const keyName = (i) => `bench:${String(i % opts.keys).padStart(10, '0')}`;

async function cell(msg) {
  const value = 'v'.repeat(opts.valueSize);
  const ops = {
    get: (k) => client.get(k),
    set: (k) => client.set(k, value),
    getString: (k) => client.getString(k),
    getBuffer: (k) => client.getBuffer(k),
    // No I/O: measures what the harness itself (loop, timing, histogram) costs per operation.
    noop: () => Promise.resolve(null),
  };
  const op = ops[msg.op];
  if (op === undefined) throw new Error(`unknown op ${msg.op}`);
  const keyOf = msg.key ? () => msg.key : keyName;
  // A check that the client really got the payload, outside the measured window.
  let sampleTimer;
  const sample = msg.op === 'set' || msg.op === 'noop' ? null : await Promise.race([
    op(keyOf(0)),
    new Promise((_, reject) => (sampleTimer = setTimeout(() => reject(new Error(`first ${msg.op} got no reply within 5 s`)), 5000))),
  ]);
  clearTimeout(sampleTimer);
  if (sample !== null && (sample?.length ?? 0) !== (msg.expectLength ?? opts.valueSize)) {
    throw new Error(`${clientName} ${msg.op} returned ${sample?.length} bytes, expected ${msg.expectLength ?? opts.valueSize}`);
  }
  if (msg.op === 'getBuffer' && !Buffer.isBuffer(sample)) throw new Error(`${clientName} getBuffer did not return a Buffer`);
  if (msg.op === 'getString' && typeof sample !== 'string') throw new Error(`${clientName} getString did not return a string`);
  if (msg.warmupMs > 0) await load(op, keyOf, msg.c, msg.warmupMs, msg.maxOps, msg.graceMs, null);
  globalThis.gc?.();
  const hist = new Histogram();
  const r = await load(op, keyOf, msg.c, msg.durationMs, msg.maxOps, msg.graceMs, hist);
  return { ...r, p50: hist.quantile(0.5), p99: hist.quantile(0.99) };
}

async function bulk(msg) {
  await client.clearZset(msg.key);
  globalThis.gc?.();
  const run = msg.mode === 'pipeline' ? client.zaddPipeline : client.zaddAll;
  const t0 = now();
  const cpu0 = process.cpuUsage();
  let timer;
  const result = await Promise.race([
    run(msg.key, msg.n),
    new Promise((r) => (timer = setTimeout(() => r('stalled'), msg.timeoutMs))),
  ]);
  clearTimeout(timer);
  const cpu = process.cpuUsage(cpu0);
  const elapsedMs = now() - t0;
  if (result === 'stalled') return { ops: 0, elapsedMs, cpuUs: cpu.user + cpu.system, stalled: true };
  if (!Array.isArray(result) || result.length !== msg.n) throw new Error(`${clientName} ${msg.mode} returned ${result?.length} results, expected ${msg.n}`);
  await client.clearZset(msg.key);
  return { ops: msg.n, elapsedMs, cpuUs: cpu.user + cpu.system, stalled: false, via: msg.mode === 'pipeline' ? client.zaddVia : 'Promise.all' };
}

process.on('message', async (msg) => {
  try {
    let result;
    if (msg.type === 'init') {
      client = await makeClient(clientName, target, opts);
      result = { ready: true };
    } else if (msg.type === 'cell') result = await cell(msg);
    else if (msg.type === 'bulk') result = await bulk(msg);
    else if (msg.type === 'close') {
      await client?.close();
      process.send({ id: msg.id, ok: true, result: {} }, () => process.exit(0));
      return;
    } else throw new Error(`unknown message ${msg.type}`);
    process.send({ id: msg.id, ok: true, result });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
