// `ledis load` against `redis-cli --pipe`: the same RESP file of mixed
// SET/HSET/ZADD/RPUSH lines into the same LedisDB (a fresh memory-backend
// server per run, 1 MiB socket buffers as in every benchmark here). Reports
// lines/s and the peak RSS of each loader (VmHWM from /proc, sampled until
// the process exits), and a second, larger file for ledis load alone to show
// that its peak RSS does not grow with the file.
//
//   npm run bench:load                       # 1,000,000 lines, then 10,000,000 for ledis load
//   node bench/load.mjs --lines 200000 --big 0 --install-redis
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Ledis } from '../dist/index.js';
import { startLedisServer } from '../tools/server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'dist', 'cjs', 'cli', 'bin.js');

function parse(argv) {
  const o = { lines: 1_000_000, big: 10_000_000, installRedis: false, inFlight: 1000, connections: 1, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--lines') o.lines = Number(next());
    else if (a === '--big') o.big = Number(next());
    else if (a === '--install-redis') o.installRedis = true;
    else if (a === '--in-flight') o.inFlight = Number(next());
    else if (a === '--connections') o.connections = Number(next());
    else if (a === '--help') {
      console.log('node bench/load.mjs [--lines N] [--big N (0: skip)] [--in-flight N] [--connections N] [--install-redis]');
      process.exit(0);
    } else throw new Error(`unknown flag ${a}`);
  }
  return o;
}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** redis-cli from Debian's redis-tools, installed with apt-get when asked (as bench/run.mjs --install-redis does). */
function ensureRedisCli(install) {
  if (hasCommand('redis-cli')) return null;
  if (!install) return 'redis-cli not installed (pass --install-redis to apt-get install redis-tools)';
  if (!hasCommand('apt-get')) return 'redis-cli missing and apt-get is not available';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env, timeout: 300_000 }).status !== 0) return 'apt-get update failed';
  if (spawnSync('apt-get', ['install', '-y', '-qq', 'redis-tools'], { stdio: 'inherit', env, timeout: 300_000 }).status !== 0) return 'apt-get install redis-tools failed';
  return hasCommand('redis-cli') ? null : 'redis-cli still missing after apt-get';
}

const resp = (args) => {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
};

/** The i-th command of the mixed file: SET, HSET, ZADD, RPUSH in turn, over 100,000 / 1,000 / 100 / 100 keys. */
function command(i) {
  switch (i % 4) {
    case 0:
      return ['SET', `k:${i % 100000}`, `value-${i}`];
    case 1:
      return ['HSET', `h:${i % 1000}`, `f:${i}`, `v${i}`];
    case 2:
      return ['ZADD', `z:${i % 100}`, String(i), `m:${i}`];
    default:
      return ['RPUSH', `l:${i % 100}`, `item-${i}`];
  }
}

async function writeFile(file, lines) {
  const out = createWriteStream(file);
  let buf = '';
  for (let i = 0; i < lines; i++) {
    buf += resp(command(i));
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/** Peak RSS (VmHWM, KiB) of a pid, or 0 once it is gone. */
function hwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs a loader with the file on stdin; wall time, exit code, peak RSS and its output. */
async function runLoader(cmd, args, file) {
  const started = process.hrtime.bigint();
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const input = createReadStream(file);
  input.pipe(child.stdin);
  child.stdin.on('error', () => {}); // redis-cli may exit before reading everything when the server closes on it
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, hwm(child.pid));
  }, 20);
  const [code] = await once(child, 'exit');
  clearInterval(timer);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { code, ms, peakMiB: peak / 1024, out: out.trim().slice(-600) };
}

/** Checks the server holds what the file wrote (the counts per type), so a loader that stopped early is caught. */
async function verify(port, lines) {
  const c = new Ledis({ port, host: '127.0.0.1' });
  try {
    let zmembers = 0;
    let llen = 0;
    for (let k = 0; k < 100; k++) {
      zmembers += await c.zcard(`z:${k}`);
      llen += await c.llen(`l:${k}`);
    }
    const want = (r) => Math.floor((lines - r + 3) / 4);
    const last = lines - 1 - ((lines - 1) % 4);
    const okSet = (await c.get(`k:${last % 100000}`)) === `value-${last}`;
    return { ok: zmembers === want(2) && llen === want(3) && okSet, zmembers, llen };
  } finally {
    await c.quit();
  }
}

/** One result row as it completes, so a long run that is stopped still reports what it measured. */
function report(r) {
  console.error(`${r.name}: ${r.lines} lines, ${r.linesPerSec} lines/s, peak RSS ${r.peakMiB.toFixed(0)} MiB, exit ${r.code}, all data there: ${r.complete}`);
  return r;
}

async function measure(name, file, lines, o, redisCli) {
  const server = await startLedisServer({ quiet: true });
  try {
    let r;
    if (name === 'redis-cli --pipe') {
      r = await runLoader(redisCli, ['-h', '127.0.0.1', '-p', String(server.port), '--pipe'], file);
    } else {
      r = await runLoader(process.execPath, [BIN, 'load', '-', '--format', 'resp', '--quiet', '--port', String(server.port), '--in-flight', String(o.inFlight), '--connections', String(o.connections)], file);
    }
    const v = await verify(server.port, lines);
    return report({ name, lines, ...r, linesPerSec: Math.round((lines * 1000) / r.ms), complete: v.ok });
  } finally {
    await server.stop();
  }
}

async function main() {
  const o = parse(process.argv.slice(2));
  const missing = ensureRedisCli(o.installRedis);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ledis-bench-load-'));
  const results = [];
  try {
    const file = path.join(dir, 'mixed.resp');
    process.stderr.write(`writing ${o.lines.toLocaleString('en')} lines...\n`);
    await writeFile(file, o.lines);
    const size = statSync(file).size;
    results.push(await measure('ledis load', file, o.lines, o));
    if (missing === null) results.push(await measure('redis-cli --pipe', file, o.lines, o, 'redis-cli'));
    else process.stderr.write(`skipping redis-cli: ${missing}\n`);
    rmSync(file);
    if (o.big > 0) {
      const big = path.join(dir, 'big.resp');
      process.stderr.write(`writing ${o.big.toLocaleString('en')} lines...\n`);
      await writeFile(big, o.big);
      results.push(await measure('ledis load', big, o.big, o));
      rmSync(big);
    }
    const rows = results.map((r) => `| ${r.name} | ${r.lines.toLocaleString('en')} | ${r.linesPerSec.toLocaleString('en')} | ${r.peakMiB.toFixed(0)} | ${r.code} | ${r.complete ? 'yes' : 'NO'} |`);
    const md = [
      `Run ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ` +
        `file of ${o.lines.toLocaleString('en')} lines: ${(size / 1024 / 1024).toFixed(1)} MiB RESP; ledis load --in-flight ${o.inFlight} --connections ${o.connections}.`,
      '',
      '| loader | lines | lines/s | peak RSS MiB | exit code | all data there |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    console.log(md);
    for (const r of results) if (r.code !== 0) console.error(`${r.name} (${r.lines} lines) exit ${r.code}: ${r.out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
