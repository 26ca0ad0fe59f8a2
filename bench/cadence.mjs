#!/usr/bin/env node
// `node bench/cadence.mjs`: what each client makes LedisDB do per command on
// ONE connection. Counts, not speed: the server's read/write system calls,
// voluntary context switches (its goroutines parking and waking) and CPU from
// /proc/<pid>/io, /proc/<pid>/task/*/status and /proc/<pid>/stat, and the
// client's own writes, reads, 'data' events, bytes per event and replies per
// event, all per 1,000 commands over the same window. Counts per command hold
// on a loaded machine where absolute ops/s do not.
//
//   node bench/cadence.mjs [--clients ledis,node-redis,ioredis] [--ops get,set]
//                          [--c 100,1000] [--seconds 4] [--reps 2]
//                          [--perf]     (perf stat on syscall and sched_switch tracepoints, same window)
//                          [--strace]   (also strace -c -f both processes, a separate window)
//                          [--pin]      (server on CPU 0, each client on CPU 1, with taskset)
//
// Needs `npm run build` first (it loads dist/). Loopback only; every loop is
// bounded by time and by a command count.
import { fork, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const KEYS = 1000;
const VALUE = 'v'.repeat(64);
const keyName = (i) => `bench:${String(i % KEYS).padStart(10, '0')}`;

// ---------------------------------------------------------------- child side

/** Counts 'data' events and their bytes on every socket of this process. */
function countDataEvents() {
  const counts = { events: 0, bytes: 0 };
  const emit = net.Socket.prototype.emit;
  net.Socket.prototype.emit = function (name, chunk, ...rest) {
    if (name === 'data') {
      counts.events++;
      counts.bytes += chunk.length;
    }
    return emit.call(this, name, chunk, ...rest);
  };
  return counts;
}

async function makeClient(name, port) {
  if (name.startsWith('ledis')) {
    const { Ledis } = await import('../dist/index.js');
    // `ledis*4`: four multiplexed connections.
    const connections = Number(name.split('*')[1]?.split('@')[0] ?? 1);
    const l = new Ledis({ host: '127.0.0.1', port, connections, maxPending: 1_000_000 });
    await l.connect();
    return { get: (k) => l.get(k), set: (k) => l.set(k, VALUE), close: () => l.quit() };
  }
  if (name === 'node-redis') {
    const { createClient } = require('redis');
    const c = createClient({ socket: { host: '127.0.0.1', port }, disableClientInfo: true });
    c.on('error', () => {});
    await c.connect();
    return { get: (k) => c.get(k), set: (k) => c.set(k, VALUE), close: () => c.close() };
  }
  if (name === 'ioredis') {
    const { Redis } = require('ioredis');
    const r = new Redis({ host: '127.0.0.1', port, enableAutoPipelining: true, lazyConnect: true });
    await r.connect();
    return { get: (k) => r.get(k), set: (k) => r.set(k, VALUE), close: () => r.quit() };
  }
  throw new Error(`unknown client ${name}`);
}

function procIo(pid) {
  const o = {};
  for (const line of readFileSync(`/proc/${pid}/io`, 'utf8').split('\n')) {
    const [k, v] = line.split(':');
    if (v) o[k.trim()] = Number(v);
  }
  return o;
}

/** Sums voluntary/nonvoluntary context switches over all threads, and CPU ticks. */
function procCounters(pid) {
  let vol = 0;
  let nonvol = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    let s;
    try {
      s = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
    } catch {
      continue;
    }
    vol += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0);
    nonvol += Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0);
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const io = procIo(pid);
  return { syscr: io.syscr, syscw: io.syscw, rchar: io.rchar, wchar: io.wchar, vol, nonvol, cpuTicks: Number(f[11]) + Number(f[12]) };
}

function diff(a, b) {
  const d = {};
  for (const k of Object.keys(a)) d[k] = b[k] - a[k];
  return d;
}

async function child() {
  const [, , , name, portStr] = process.argv;
  const counts = countDataEvents();
  const client = await makeClient(name, Number(portStr));
  process.send({ type: 'ready' });
  process.on('message', async (msg) => {
    if (msg.type === 'close') {
      await client.close().catch(() => {});
      process.exit(0);
    }
    if (msg.type !== 'run') return;
    const op = msg.op === 'get' ? client.get : client.set;
    const runFor = async (ms, onStart) => {
      let ops = 0;
      let stop = false;
      const maxOps = 20_000_000;
      const timer = setTimeout(() => (stop = true), ms);
      onStart?.();
      await Promise.all(
        Array.from({ length: msg.c }, async (_, i) => {
          const k = keyName(i);
          while (!stop && ops < maxOps) {
            await op(k);
            ops++;
          }
        }),
      );
      clearTimeout(timer);
      return ops;
    };
    await runFor(msg.warmupMs);
    // The parent snapshots the server's counters when told the window starts and ends.
    let before;
    let t0;
    let cpu0;
    const ops = await runFor(msg.ms, () => {
      process.send({ type: 'start' });
      before = { ...counts, ...procCounters(process.pid) };
      t0 = performance.now();
      cpu0 = process.cpuUsage();
    });
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const after = { ...counts, ...procCounters(process.pid) };
    process.send({ type: 'done', ops, elapsedMs, cpuUs: cpu.user + cpu.system, client: diff(before, after) });
  });
}

// --------------------------------------------------------------- parent side

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

function once(childProc, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
    const on = (m) => {
      if (m.type !== type) return;
      clearTimeout(t);
      childProc.off('message', on);
      resolve(m);
    };
    childProc.on('message', on);
  });
}

const PERF_EVENTS = ['raw_syscalls:sys_enter', 'syscalls:sys_enter_read', 'syscalls:sys_enter_write', 'syscalls:sys_enter_writev',
  'syscalls:sys_enter_epoll_pwait', 'syscalls:sys_enter_futex', 'syscalls:sys_enter_nanosleep', 'sched:sched_switch'];

/** perf stat on syscall tracepoints of a pid (all its threads) until stop(); cheap enough to leave the cadence as it is. */
function perfStart(pid) {
  const p = spawn('perf', ['stat', '-x', ',', '-e', PERF_EVENTS.join(','), '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => p.once('exit', r));
  const killer = setTimeout(() => p.kill('SIGKILL'), 120_000);
  return async () => {
    p.kill('SIGINT');
    await exited;
    clearTimeout(killer);
    const counts = {};
    for (const line of err.split('\n')) {
      const [v, , ev] = line.split(',');
      if (ev && /^\d+$/.test(v)) counts[ev.replace(/^.*:(sys_enter_)?/, '')] = Number(v);
    }
    return counts;
  };
}

/** strace -c -f on a pid for `seconds`; returns the calls per syscall name. */
function straceStart(pid, seconds) {
  const p = spawn('timeout', ['-s', 'INT', String(seconds), 'strace', '-c', '-f', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => {
    p.once('exit', () => {
      const calls = {};
      for (const line of err.split('\n')) {
        const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:(\d+)\s+)?(\w+)\s*$/.exec(line);
        if (m && m[3] !== 'total') calls[m[3]] = { calls: Number(m[1]), errors: Number(m[2] ?? 0) };
      }
      resolve(calls);
    });
  });
}

/**
 * One cell: client `name` on one connection to `server` ({ port, pid }), C callers, `seconds` measured.
 * Returns ops, rates and the counter differences of both processes over the window.
 */
export async function measure(server, name, op, c, seconds, withStrace, withPerf, warmupMs) {
  // `ledis@mode:depth` runs ledis with LEDIS_FLUSH=mode LEDIS_FLUSH_DEPTH=depth (an A/B switch for write-path experiments, if the build has one).
  const [mode, depth] = (name.split('@')[1] ?? '').split(':');
  const env = mode ? { ...process.env, LEDIS_FLUSH: mode, LEDIS_FLUSH_DEPTH: depth ?? '' } : process.env;
  const cp = fork(SELF, ['--child', name, String(server.port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  try {
    await once(cp, 'ready', 20_000);
    if (PIN) spawnSync('taskset', ['-a', '-p', '-c', '1', String(cp.pid)], { stdio: 'ignore' });
    const done = once(cp, 'done', (seconds + 30) * 1000);
    const started = once(cp, 'start', 30_000);
    cp.send({ type: 'run', op, c, ms: seconds * 1000, warmupMs: warmupMs ?? (withStrace ? 500 : 1000) });
    await started;
    const out0 = {};
    const s0 = procCounters(server.pid);
    const perfs = withPerf ? [perfStart(server.pid), perfStart(cp.pid)] : null;
    const straces = withStrace ? Promise.all([straceStart(server.pid, seconds - 1), straceStart(cp.pid, seconds - 1)]) : null;
    const r = await done;
    const s1 = procCounters(server.pid);
    if (perfs) out0.perf = { server: await perfs[0](), client: await perfs[1]() };
    const out = { ...out0, client: name, op, c, ops: r.ops, opsPerSec: r.ops / (r.elapsedMs / 1000), clientCpuUsPerOp: r.cpuUs / r.ops, server: diff(s0, s1), clientCounters: r.client };
    if (straces) {
      const [srv, cli] = await straces;
      out.strace = { server: srv, client: cli };
    }
    return out;
  } finally {
    cp.send({ type: 'close' });
    const t = setTimeout(() => cp.kill('SIGKILL'), 5000);
    await new Promise((r) => (cp.exitCode !== null ? r() : cp.once('exit', r)));
    clearTimeout(t);
  }
}

/** --pin: the server on CPU 0 and each client on CPU 1 (taskset), so neither preempts the other. */
const PIN = process.argv.includes('--pin');

const per1k = (n, ops) => (1000 * n) / ops;
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');

/** A measured cell as a table row (see HEADER). */
export function row(r) {
  const s = r.server;
  const k = r.clientCounters;
  return [
    r.client, r.op.toUpperCase(), r.c, Math.round(r.opsPerSec),
    f1(per1k(s.syscr, r.ops)), f1(per1k(s.syscw, r.ops)), f1(per1k(s.vol, r.ops)), f1(per1k(s.nonvol, r.ops)),
    f1((s.cpuTicks * 10_000) / r.ops), // ticks are 10 ms: µs per command
    f1(per1k(k.syscw, r.ops)), f1(per1k(k.syscr, r.ops)), f1(per1k(k.events, r.ops)),
    Math.round(k.bytes / k.events), f1(r.ops / k.events), Math.round(k.wchar / Math.max(1, k.syscw)), f1(r.clientCpuUsPerOp),
  ];
}

export const HEADER = ['client', 'op', 'C', 'ops/s (loaded machine)', 'server reads /1k', 'server writes /1k', 'server vol. cs /1k', 'server invol. cs /1k', 'server CPU µs/op',
  'client writes /1k', 'client reads /1k', "client 'data' /1k", "bytes per 'data'", "replies per 'data'", 'bytes per client write', 'client CPU µs/op'];

async function parent() {
  const { startLedisServer } = await import('../tools/server.mjs');
  const clients = arg('clients', 'ledis,node-redis').split(',');
  const ops = arg('ops', 'get,set').split(',');
  const cs = arg('c', '100,1000').split(',').map(Number);
  const seconds = Number(arg('seconds', '4'));
  const reps = Number(arg('reps', '2'));
  const withStrace = process.argv.includes('--strace');
  const withPerf = process.argv.includes('--perf');
  const perfRows = [];
  if (withStrace && spawnSync('sh', ['-c', 'command -v strace']).status !== 0) throw new Error('strace not installed (apt-get install strace)');
  const server = await startLedisServer({ quiet: true });
  if (PIN) spawnSync('taskset', ['-a', '-p', '-c', '0', String(server.pid)], { stdio: 'ignore' });
  const results = [];
  try {
    const { Ledis } = await import('../dist/index.js');
    const l = new Ledis({ host: '127.0.0.1', port: server.port });
    await Promise.all(Array.from({ length: KEYS }, (_, i) => l.set(keyName(i), VALUE)));
    await l.quit();
    console.log(`| ${HEADER.join(' | ')} |`);
    console.log(`|${HEADER.map(() => ' --- ').join('|')}|`);
    for (let rep = 0; rep < reps; rep++) {
      for (const op of ops) {
        for (const c of cs) {
          for (let i = 0; i < clients.length; i++) {
            const name = clients[(i + rep) % clients.length];
            const r = await measure(server, name, op, c, seconds, false, withPerf);
            results.push(r);
            console.log(`| ${row(r).join(' | ')} |`);
            if (r.perf) perfRows.push(r);
          }
        }
      }
    }
    if (perfRows.length > 0) {
      const names = ['sys_enter', 'read', 'write', 'writev', 'epoll_pwait', 'futex', 'nanosleep', 'sched_switch'];
      const h = ['client', 'op', 'C', ...names.map((n) => `server ${n === 'sys_enter' ? 'all syscalls' : n} /1k`), ...names.map((n) => `client ${n === 'sys_enter' ? 'all syscalls' : n} /1k`)];
      console.log(`\nperf stat -e syscalls:*, sched:sched_switch over the same window, per 1,000 commands\n\n| ${h.join(' | ')} |\n|${h.map(() => ' --- ').join('|')}|`);
      for (const r of perfRows) {
        const v = (side) => names.map((n) => f1(per1k(r.perf[side][n] ?? NaN, r.ops)));
        console.log(`| ${[r.client, r.op.toUpperCase(), r.c, ...v('server'), ...v('client')].join(' | ')} |`);
      }
    }
    if (withStrace) {
      console.log('\nstrace -c -f, calls per 1,000 commands (server | client); strace slows both sides, compare counts only\n');
      for (const op of ops) {
        for (const c of cs) {
          for (const name of clients) {
            const r = await measure(server, name, op, c, Math.max(seconds, 4), true, false);
            results.push(r);
            const fmt = (calls) => Object.entries(calls).sort((a, b) => b[1].calls - a[1].calls).slice(0, 6)
              .map(([n, v]) => `${n} ${f1(per1k(v.calls, r.ops))}${v.errors ? ` (${f1(per1k(v.errors, r.ops))} err)` : ''}`).join(', ');
            console.log(`- ${name} ${op.toUpperCase()} C=${c} (${r.ops} commands under strace): server: ${fmt(r.strace.server)}; client: ${fmt(r.strace.client)}`);
          }
        }
      }
    }
  } finally {
    await server.stop();
  }
  if (arg('json', null)) (await import('node:fs')).writeFileSync(arg('json'), JSON.stringify(results, null, 2));
}

// Run only as a script (or as the forked child), not when run.mjs imports measure().
if (process.argv[1] === SELF) {
  if (process.argv[2] === '--child') await child();
  else await parent();
}
