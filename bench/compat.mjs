#!/usr/bin/env node
// `npm run bench:compat` (`-- --face node-redis` for ledis/node-redis): what a
// compat face, ledis/ioredis by default, costs over `Ledis` (issue 23's target:
// at most 5% at GET C=1000 on one connection). Both
// clients in this process, one connection each, on one LedisDB started here,
// run the same fixed number of GETs from 1,000 concurrent callers, in
// interleaved repetitions (A B, B A, ...). Reported per repetition and as
// medians: throughput, and client CPU per GET (process.cpuUsage of this
// process; the server is another process), which a busy shared machine
// disturbs far less than throughput. The load average is printed with them.
import os from 'node:os';
import { Ledis } from '../dist/index.js';
import LedisRedis from '../dist/ioredis.js';
import { createClient } from '../dist/node-redis.js';
import { startLedisServer } from '../tools/server.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const REPS = arg('reps', 8);
const OPS = arg('ops', 300_000);
const CALLERS = arg('concurrency', 1000);
const KEYS = 1000;
/** `--op set`: SET instead of GET (ledis/ioredis's SET is SET + PERSIST: Redis's SET drops a TTL, LedisDB's keeps it). */
const OP = process.argv.includes('--op') ? process.argv[process.argv.indexOf('--op') + 1] : 'get';
const OPNAME = OP.toUpperCase();
/** `--face ioredis` (default) or `--face node-redis`. */
const FACE_ARG = process.argv.includes('--face') ? process.argv[process.argv.indexOf('--face') + 1] : 'ioredis';
if (FACE_ARG !== 'ioredis' && FACE_ARG !== 'node-redis') throw new Error(`--face: ioredis or node-redis, not ${FACE_ARG}`);
const FACE = `ledis/${FACE_ARG}`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `ops` commands from `callers` concurrent loops; throughput and client CPU µs per command. */
async function run(get, ops, callers) {
  let issued = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const loop = async (id) => {
    while (issued < ops) {
      issued++;
      await get(`bench:compat:${(id + issued) % KEYS}`);
    }
  };
  await Promise.all(Array.from({ length: callers }, (_, i) => loop(i)));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { opsPerSec: ops / wall, cpuUsPerOp: (cpu.user + cpu.system) / ops };
}

const server = await startLedisServer();
try {
  const where = { host: server.host, port: server.port };
  const ledis = new Ledis({ ...where, connections: 1, maxPending: 1_000_000 });
  const face =
    FACE_ARG === 'ioredis'
      ? new LedisRedis({ ...where, connections: 1, maxPending: 1_000_000 })
      : createClient({ socket: where, ledis: { connections: 1, maxPending: 1_000_000 } });
  await Promise.all([ledis.connect(), face.connect()]);
  await ledis.mset(Object.fromEntries(Array.from({ length: KEYS }, (_, i) => [`bench:compat:${i}`, 'x'.repeat(64)])));
  const clients = OP === 'set' ? { ledis: (k) => ledis.set(k, 'v'), [FACE]: (k) => face.set(k, 'v') } : { ledis: (k) => ledis.get(k), [FACE]: (k) => face.get(k) };
  // Warm both up (JIT, connection) before measuring.
  for (const get of Object.values(clients)) await run(get, 50_000, CALLERS);
  const results = { ledis: [], [FACE]: [] };
  const loads = [os.loadavg()[0]];
  for (let rep = 0; rep < REPS; rep++) {
    const order = rep % 2 === 0 ? ['ledis', FACE] : [FACE, 'ledis'];
    for (const name of order) {
      const r = await run(clients[name], OPS, CALLERS);
      results[name].push(r);
      console.log(`rep ${rep + 1}/${REPS} ${name.padEnd(16)} ${Math.round(r.opsPerSec).toString().padStart(7)} ${OPNAME}/s  ${r.cpuUsPerOp.toFixed(3)} µs CPU/${OPNAME}`);
    }
    loads.push(os.loadavg()[0]);
  }
  const m = (name, key) => median(results[name].map((r) => r[key]));
  const pairs = results.ledis.map((a, i) => ({ tput: results[FACE][i].opsPerSec / a.opsPerSec, cpu: results[FACE][i].cpuUsPerOp / a.cpuUsPerOp }));
  console.log(`\n${OPNAME} C=${CALLERS}, one connection each, ${OPS} ${OPNAME}s per rep, ${REPS} reps interleaved; node ${process.version}; load average (1 min) ${loads.map((l) => l.toFixed(1)).join(' ')}`);
  for (const name of ['ledis', FACE]) {
    console.log(`${name.padEnd(16)} median ${Math.round(m(name, 'opsPerSec'))} ${OPNAME}/s, ${m(name, 'cpuUsPerOp').toFixed(3)} µs client CPU/${OPNAME}`);
  }
  console.log(`${FACE} / ledis, median of per-rep ratios: throughput ${median(pairs.map((p) => p.tput)).toFixed(3)}x, client CPU per ${OPNAME} ${median(pairs.map((p) => p.cpu)).toFixed(3)}x`);
  await Promise.all([ledis.quit(), face.quit()]);
} finally {
  await server.stop();
}
