#!/usr/bin/env node
// Issue 27 item 1: where a coalesced GET/SET's tail latency comes from, on ONE
// connection. C callers each await get (set) in a loop, as bench/run.mjs's
// latency scenario does, but every operation is timed (not every 8th), and
// the connection is instrumented: each MGET/MSET's size, the commands in flight
// when it was opened, and its service time (written -> its reply read). A
// coalescing policy can be swapped at run time (the CommonJS build's groupLimit
// is read through its module object), so policies run in one build, each in a
// fresh process, interleaved.
//
//   npm run build && node bench/tail-probe.mjs --op get --c 100 --policies half,off --reps 3 --seconds 2
//
// Policies: half (as shipped: pending/2, 2..512), off (coalesce: false),
// quarter (pending/4), capN (pending/2, at most N), fixedN (N whatever is in flight).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? dflt : argv[i + 1];
};

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

if (argv[0] === '--child') {
  const [, policy, port, op, cStr, secStr, dist] = argv;
  const require = createRequire(import.meta.url);
  const root = dist ?? new URL('../dist/cjs/', import.meta.url).pathname;
  const coalesce = require(`${root}/connection/coalesce.js`);
  const { Ledis } = require(`${root}/index.js`);
  const MAX = coalesce.MAX_COALESCED ?? 512;
  const m = /^(cap|fixed)(\d+)$/.exec(policy);
  if (policy === 'quarter') coalesce.groupLimit = (p) => Math.max(2, Math.min(MAX, p >> 2));
  else if (m && m[1] === 'cap') coalesce.groupLimit = (p) => Math.max(2, Math.min(Number(m[2]), p >> 1));
  else if (m && m[1] === 'fixed') coalesce.groupLimit = () => Number(m[2]);
  const ledis = new Ledis({ port: Number(port), connections: 1, maxPending: 1_000_000, ...(policy === 'off' ? { coalesce: false } : {}) });
  await ledis.connect();
  const conn = ledis.connectionPool.sharedList[0];
  const groups = [];
  const opened = [];
  const service = [];
  const write = conn.write;
  conn.write = function (cmd, e) {
    if (cmd.members !== undefined) {
      groups.push(cmd.members.length);
      const t = performance.now();
      const reply = cmd.reply;
      cmd.reply = function (v) {
        service.push(performance.now() - t);
        return reply.call(this, v);
      };
    }
    return write.call(this, cmd, e);
  };
  const join = conn.join;
  if (typeof join === 'function') {
    conn.join = function (cmd, wire) {
      if (this.group === null || !this.group.accepts(cmd, wire)) opened.push(this.pending);
      return join.call(this, cmd, wire);
    };
  }
  const C = Number(cStr);
  const ms = Number(secStr) * 1000;
  const value = 'v'.repeat(64);
  const key = (i) => `bench:${String(i % 1000).padStart(10, '0')}`;
  const call = op === 'get' ? (k) => ledis.get(k) : (k) => ledis.set(k, value);
  const runFor = async (dur, lat) => {
    let stop = false;
    let ops = 0;
    const t0 = performance.now();
    setTimeout(() => (stop = true), dur);
    await Promise.all(Array.from({ length: C }, async (_, i) => {
      const k = key(i);
      while (!stop) {
        const s = performance.now();
        await call(k);
        if (lat) lat.push(performance.now() - s);
        ops++;
      }
    }));
    return { ops, elapsed: performance.now() - t0 };
  };
  await runFor(500, null);
  groups.length = 0;
  opened.length = 0;
  service.length = 0;
  const lat = [];
  const r = await runFor(ms, lat);
  lat.sort((a, b) => a - b);
  const g = [...groups].sort((a, b) => a - b);
  const sv = [...service].sort((a, b) => a - b);
  const op_ = [...opened].sort((a, b) => a - b);
  const coalescedOps = groups.reduce((a, b) => a + b, 0);
  process.stdout.write(JSON.stringify({
    policy,
    opsPerSec: (r.ops * 1000) / r.elapsed,
    p50: quantile(lat, 0.5), p90: quantile(lat, 0.9), p99: quantile(lat, 0.99), p999: quantile(lat, 0.999), max: lat[lat.length - 1],
    groups: groups.length, shareCoalesced: coalescedOps / r.ops,
    groupP50: quantile(g, 0.5), groupP99: quantile(g, 0.99), groupMax: g[g.length - 1] ?? 0,
    pendingAtOpenP50: quantile(op_, 0.5),
    serviceP50: quantile(sv, 0.5), serviceP99: quantile(sv, 0.99),
  }) + '\n');
  await ledis.quit();
  process.exit(0);
}

const { startLedisServer } = await import('../tools/server.mjs');
const { Ledis } = await import('../dist/index.js');
const op = flag('op', 'get');
const cs = flag('c', '100').split(',').map(Number);
const policies = flag('policies', 'half,off').split(',');
const reps = Number(flag('reps', 3));
const seconds = Number(flag('seconds', 2));
const server = await startLedisServer({ quiet: true });
const pre = new Ledis({ port: server.port });
await Promise.all(Array.from({ length: 1000 }, (_, i) => pre.set(`bench:${String(i).padStart(10, '0')}`, 'v'.repeat(64))));
await pre.quit();
const self = fileURLToPath(import.meta.url);
const all = [];
console.log(`${new Date().toISOString()} load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ${op.toUpperCase()} C=${cs.join(',')} policies ${policies.join(',')}, ${reps} reps x ${seconds} s`);
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const c of cs) {
      for (let k = 0; k < policies.length; k++) {
        const [policy, dist] = policies[(k + rep) % policies.length].split('=');
        const child = spawn(process.execPath, [self, '--child', policy, String(server.port), op, String(c), String(seconds), ...(dist ? [dist] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        await new Promise((r) => child.once('exit', r));
        try {
          const r = { ...JSON.parse(out), c, label: policies[(k + rep) % policies.length], load: os.loadavg()[0] };
          all.push(r);
          console.log(`C=${c} ${r.label} rep ${rep + 1}: ${Math.round(r.opsPerSec)}/s p50 ${r.p50.toFixed(3)} p99 ${r.p99.toFixed(3)} p99.9 ${r.p999.toFixed(3)} ms; groups ${r.groups} (share ${(100 * r.shareCoalesced).toFixed(0)}%, size p50 ${r.groupP50} p99 ${r.groupP99} max ${r.groupMax}, in flight at open p50 ${r.pendingAtOpenP50}); service p50 ${r.serviceP50?.toFixed(3)} p99 ${r.serviceP99?.toFixed(3)} ms`);
        } catch {
          console.log(`C=${c} ${policies[k]} rep ${rep + 1}: no result`);
        }
      }
    }
  }
} finally {
  await server.stop();
}
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`\nmedians (load at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}):`);
console.log('| C | policy | ops/s | p50 ms | p99 ms | p99.9 ms | MGET size p50 / p99 | in flight at open p50 | service p50 / p99 ms |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const c of cs) {
  for (const p of policies) {
    const mine = all.filter((r) => r.c === c && r.label === p);
    if (mine.length === 0) continue;
    const f = (k, d = 3) => median(mine.map((r) => r[k])).toFixed(d);
    console.log(`| ${c} | ${p.split('=')[0]} | ${Math.round(median(mine.map((r) => r.opsPerSec)) / 1000)}k | ${f('p50')} | ${f('p99')} | ${f('p999')} | ${f('groupP50', 0)} / ${f('groupP99', 0)} | ${f('pendingAtOpenP50', 0)} | ${f('serviceP50')} / ${f('serviceP99')} |`);
  }
}
