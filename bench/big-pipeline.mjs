#!/usr/bin/env node
// Issue 27 item 5: N single-member ZADDs to one key in ONE explicit pipeline
// (ledis pipeline().zadd().exec(), ioredis pipeline().zadd().exec(),
// node-redis multi().zAdd().execAsPipeline()), each client in a fresh
// process per repetition so its peak RSS (VmHWM) is its own; repetitions
// interleaved, client order rotated. Starts its own LedisDB (memory backend,
// 1 MiB socket buffers, as `npm run bench`).
//
//   npm run build && node bench/big-pipeline.mjs [--n 1000000] [--reps 3] [--clients ledis,ioredis,node-redis]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startLedisServer } from '../tools/server.mjs';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? dflt : args[i + 1];
};

if (args[0] === '--child') {
  // One client, one pipeline, in this process; prints one JSON line.
  const [, client, port, n] = args;
  const N = Number(n);
  const key = `big:${client}`;
  const vmhwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
  let run, clear, close;
  if (client === 'ledis') {
    const { Ledis } = await import(process.env.LEDIS_DIST ?? '../dist/index.js');
    const l = new Ledis({ port: Number(port) });
    await l.connect();
    run = () => {
      const p = l.pipeline();
      for (let i = 0; i < N; i++) p.zadd(key, i, `m${i}`);
      return p.exec();
    };
    clear = () => l.sendCommand('ZCLEAR', key);
    close = () => l.quit();
  } else if (client === 'ioredis') {
    const { Redis } = await import('ioredis');
    const r = new Redis({ port: Number(port), lazyConnect: true });
    await r.connect();
    run = () => {
      const p = r.pipeline();
      for (let i = 0; i < N; i++) p.zadd(key, i, `m${i}`);
      return p.exec();
    };
    clear = () => r.call('ZCLEAR', key);
    close = () => r.quit();
  } else {
    const { createClient } = await import('redis');
    const c = createClient({ socket: { port: Number(port) }, disableClientInfo: true });
    await c.connect();
    run = () => {
      const m = c.multi();
      for (let i = 0; i < N; i++) m.zAdd(key, { score: i, value: `m${i}` });
      return m.execAsPipeline();
    };
    clear = () => c.sendCommand(['ZCLEAR', key]);
    close = () => c.close();
  }
  await clear();
  const before = vmhwm();
  const t0 = performance.now();
  const out = await run();
  const ms = performance.now() - t0;
  const peak = vmhwm();
  if (!Array.isArray(out) || out.length !== N) throw new Error(`${client}: ${out?.length} results, expected ${N}`);
  await clear();
  await close();
  process.stdout.write(JSON.stringify({ client, n: N, ms, opsPerSec: (N * 1000) / ms, peakRssMiB: peak, rssBeforeMiB: before }) + '\n');
  process.exit(0);
}

const N = Number(flag('n', 1_000_000));
const reps = Number(flag('reps', 3));
const clients = flag('clients', 'ledis,ioredis,node-redis').split(',');
// ledis@main=<path to another build's dist/index.js>: that build as one more client (A/B in one run).
const dists = new Map(clients.map((c) => [c, c.includes('=') ? c.split('=')[1] : undefined]));
const server = await startLedisServer({ quiet: true });
const self = fileURLToPath(import.meta.url);
const rows = [];
console.log(`${new Date().toISOString()} load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ${N} ZADDs in one pipeline, ${reps} reps`);
try {
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < clients.length; k++) {
      const client = clients[(k + rep) % clients.length];
      const dist = dists.get(client);
      const child = spawn(process.execPath, ['--max-old-space-size=4096', self, '--child', dist ? 'ledis' : client, String(server.port), String(N)], { stdio: ['ignore', 'pipe', 'inherit'], env: dist ? { ...process.env, LEDIS_DIST: dist } : process.env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const code = await new Promise((r) => child.once('exit', r));
      if (code !== 0) {
        console.log(`${client} rep ${rep + 1}: exit ${code}`);
        continue;
      }
      const r = { ...JSON.parse(out.trim()), client };
      rows.push(r);
      console.log(`${client} rep ${rep + 1}: ${Math.round(r.opsPerSec)} ZADD/s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB (before ${r.rssBeforeMiB.toFixed(0)})`);
    }
  }
} finally {
  await server.stop();
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`\nmedians (load average at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}):`);
for (const c of clients) {
  const mine = rows.filter((r) => r.client === c);
  if (mine.length === 0) continue;
  console.log(`| ${c} | ${Math.round(median(mine.map((r) => r.opsPerSec)))} ZADD/s | ${median(mine.map((r) => r.peakRssMiB)).toFixed(0)} MiB peak RSS | ${mine.length} reps |`);
}
