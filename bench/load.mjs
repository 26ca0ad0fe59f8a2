// `ledis load` against `redis-cli --pipe`: the same RESP file of mixed
// SET/HSET/ZADD/RPUSH lines into the same LedisDB (a fresh memory-backend
// server per run, 1 MiB socket buffers as in every benchmark here). Reports
// lines/s and the peak RSS of each loader (VmHWM from /proc, sampled until
// the process exits), and a second, larger file for ledis load alone to show
// that its peak RSS does not grow with the file.
//
// Then (issue 25 "Speed", issue 27 item 4) a 1M-line file of each single
// type against redis-cli --pipe, and 1M single-member ZADDs (HSETs, SADDs,
// RPUSHes) to one key through ledis.bulk() against ioredis' pipeline() and
// node-redis' multi().execAsPipeline() (pipelines of 100,000, awaited in
// turn). Every scenario is repeated --reps times, the loaders interleaved
// within each repetition, and the medians reported with the load average
// before and after: the machine may be shared.
//
//   npm run bench:load                       # 1,000,000 lines, then 10,000,000 for ledis load
//   node bench/load.mjs --lines 200000 --big 0 --install-redis
//   node bench/load.mjs --only bulk --items 1000000 --reps 3
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Ledis } from '../dist/index.js';
import { startLedisServer } from '../tools/server.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'dist', 'cjs', 'cli', 'bin.js');

function parse(argv) {
  const o = { lines: 1_000_000, big: 10_000_000, installRedis: false, inFlight: 10000, connections: 1, keep: false, reps: 3, items: 1_000_000, only: 'all' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--lines') o.lines = Number(next());
    else if (a === '--big') o.big = Number(next());
    else if (a === '--install-redis') o.installRedis = true;
    else if (a === '--in-flight') o.inFlight = Number(next());
    else if (a === '--connections') o.connections = Number(next());
    else if (a === '--reps') o.reps = Number(next());
    else if (a === '--items') o.items = Number(next());
    else if (a === '--only') o.only = next();
    else if (a === '--help') {
      console.log('node bench/load.mjs [--lines N] [--big N (0: skip)] [--in-flight N] [--connections N] [--reps N] [--items N] [--only all|load|bulk] [--install-redis]');
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

/** The i-th command of a single-type file: the mixed file's key spread for that type, every line of it. */
function single(type, i) {
  return command(4 * i + ['SET', 'HSET', 'ZADD', 'RPUSH'].indexOf(type));
}

async function writeFile(file, lines, type = 'mixed') {
  const out = createWriteStream(file);
  let buf = '';
  for (let i = 0; i < lines; i++) {
    buf += resp(type === 'mixed' ? command(i) : single(type, i));
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
async function verify(port, lines, type = 'mixed') {
  const c = new Ledis({ port, host: '127.0.0.1' });
  try {
    if (type !== 'mixed') {
      const last = single(type, lines - 1);
      if (type === 'SET') return { ok: (await c.get(last[1])) === last[2] };
      let n = 0;
      const keys = type === 'HSET' ? 1000 : 100;
      const prefix = { HSET: 'h', ZADD: 'z', RPUSH: 'l' }[type];
      for (let k = 0; k < keys; k++) n += await (type === 'HSET' ? c.hlen(`${prefix}:${k}`) : type === 'ZADD' ? c.zcard(`${prefix}:${k}`) : c.llen(`${prefix}:${k}`));
      return { ok: n === lines, n };
    }
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

async function measure(name, file, lines, o, redisCli, type = 'mixed') {
  const server = await startLedisServer({ quiet: true });
  try {
    let r;
    if (name === 'redis-cli --pipe') {
      r = await runLoader(redisCli, ['-h', '127.0.0.1', '-p', String(server.port), '--pipe'], file);
    } else {
      r = await runLoader(process.execPath, [BIN, 'load', '-', '--format', 'resp', '--quiet', '--port', String(server.port), '--in-flight', String(o.inFlight), '--connections', String(o.connections)], file);
    }
    const v = await verify(server.port, lines, type);
    return report({ name: `${name} (${type})`, loader: name, type, lines, ...r, linesPerSec: Math.round((lines * 1000) / r.ms), complete: v.ok });
  } finally {
    await server.stop();
  }
}

const median = (xs) => {
  const v = xs.slice().sort((a, b) => a - b);
  return v.length === 0 ? NaN : v.length % 2 === 1 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** `ledis load` against `redis-cli --pipe` on the mixed file and a file of each single type, --reps times, interleaved. */
async function loadScenarios(o, dir, missing) {
  const out = [];
  for (const type of ['mixed', 'SET', 'HSET', 'ZADD', 'RPUSH']) {
    const file = path.join(dir, `${type}.resp`);
    process.stderr.write(`writing ${o.lines.toLocaleString('en')} ${type} lines...\n`);
    await writeFile(file, o.lines, type);
    const runs = { 'ledis load': [], 'redis-cli --pipe': [] };
    for (let rep = 0; rep < o.reps; rep++) {
      // Alternate who goes first.
      const order = rep % 2 === 0 ? ['ledis load', 'redis-cli --pipe'] : ['redis-cli --pipe', 'ledis load'];
      for (const name of order) {
        if (name === 'redis-cli --pipe' && missing !== null) continue;
        runs[name].push(await measure(name, file, o.lines, o, 'redis-cli', type));
      }
    }
    rmSync(file);
    const l = runs['ledis load'];
    const r = runs['redis-cli --pipe'];
    const lm = median(l.map((x) => x.linesPerSec));
    const rm = median(r.map((x) => x.linesPerSec));
    out.push({
      type,
      ledis: lm,
      ledisRss: median(l.map((x) => x.peakMiB)),
      ledisOk: l.every((x) => x.complete && x.code === 0),
      redis: rm,
      redisRss: median(r.map((x) => x.peakMiB)),
      redisExit: [...new Set(r.map((x) => x.code))].join(','),
      redisOk: r.every((x) => x.complete),
      ratio: rm > 0 ? lm / rm : NaN,
      all: `${l.map((x) => x.linesPerSec).join('/')} vs ${r.map((x) => x.linesPerSec).join('/')}`,
    });
  }
  return out;
}

/** One bulk measurement in a child process (its own heap): `--child CLIENT TYPE N PORT`; prints {ms}. */
async function child(clientName, type, n, port) {
  const key = `${type.toLowerCase()}:${clientName}`;
  const args = (i) => (type === 'ZADD' ? [i, `m${i}`] : type === 'HSET' ? [`f${i}`, `v${i}`] : type === 'SADD' ? [`m${i}`] : [`v${i}`]);
  const CHUNK = 100_000;
  let started;
  if (clientName === 'ledis bulk()') {
    const c = new Ledis({ port, host: '127.0.0.1', connections: 1 });
    await c.ping();
    started = process.hrtime.bigint();
    const s = await c.bulk(
      (function* () {
        for (let i = 0; i < n; i++) yield [type, key, ...args(i)];
      })(),
    );
    if (s.failed > 0) throw new Error(`${s.failed} failed`);
    await c.quit();
  } else if (clientName === 'ioredis pipeline()') {
    const { Redis } = await import('ioredis');
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    await r.connect();
    started = process.hrtime.bigint();
    for (let at = 0; at < n; at += CHUNK) {
      const p = r.pipeline();
      for (let i = at; i < Math.min(n, at + CHUNK); i++) p.call(type, key, ...args(i));
      await p.exec();
    }
    await r.quit();
  } else {
    const { createClient } = await import('redis');
    const c = createClient({ socket: { host: '127.0.0.1', port }, disableClientInfo: true });
    c.on('error', () => {});
    await c.connect();
    started = process.hrtime.bigint();
    for (let at = 0; at < n; at += CHUNK) {
      const m = c.multi();
      for (let i = at; i < Math.min(n, at + CHUNK); i++) m.addCommand([type, key, ...args(i).map(String)]);
      await m.execAsPipeline();
    }
    await c.close();
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const v = new Ledis({ port, host: '127.0.0.1' });
  const size = await (type === 'ZADD' ? v.zcard(key) : type === 'HSET' ? v.hlen(key) : type === 'SADD' ? v.scard(key) : v.llen(key));
  await v.quit();
  console.log(JSON.stringify({ ms, ok: size === n }));
}

/** 1M single-member commands of each type to one key: bulk() against the peers' explicit pipelines, --reps times, interleaved. */
async function bulkScenarios(o) {
  const clients = ['ledis bulk()', 'ioredis pipeline()', 'node-redis multi().execAsPipeline()'];
  const out = [];
  for (const type of ['ZADD', 'HSET', 'SADD', 'RPUSH']) {
    const runs = Object.fromEntries(clients.map((c) => [c, []]));
    for (let rep = 0; rep < o.reps; rep++) {
      const server = await startLedisServer({ quiet: true });
      try {
        const order = clients.slice(rep % clients.length).concat(clients.slice(0, rep % clients.length));
        for (const name of order) {
          const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name, type, String(o.items), String(server.port)], { encoding: 'utf8', timeout: 900_000, maxBuffer: 1 << 20 });
          const line = (r.stdout ?? '').trim().split('\n').pop();
          let res = { ms: NaN, ok: false };
          try {
            res = JSON.parse(line);
          } catch {
            process.stderr.write(`${name} ${type}: ${r.stderr?.slice(-400)}\n`);
          }
          const perSec = Math.round((o.items * 1000) / res.ms);
          process.stderr.write(`${name} ${type}: ${perSec} items/s, complete ${res.ok}\n`);
          runs[name].push({ perSec, ok: res.ok });
        }
      } finally {
        await server.stop();
      }
    }
    const med = Object.fromEntries(clients.map((c) => [c, median(runs[c].map((x) => x.perSec))]));
    const best = Math.max(med[clients[1]], med[clients[2]]);
    out.push({ type, med, ok: clients.every((c) => runs[c].every((x) => x.ok)), ratio: med[clients[0]] / best, all: clients.map((c) => runs[c].map((x) => x.perSec).join('/')).join(' vs ') });
  }
  return out;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1], argv[2], Number(argv[3]), Number(argv[4]));
  const o = parse(argv);
  const missing = ensureRedisCli(o.installRedis);
  if (missing !== null) process.stderr.write(`skipping redis-cli: ${missing}\n`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ledis-bench-load-'));
  const before = loadavg();
  const md = [];
  const versions = `node ${process.version}, ioredis ${require('ioredis/package.json').version}, node-redis ${require('redis/package.json').version}, redis-cli ${missing === null ? spawnSync('redis-cli', ['--version'], { encoding: 'utf8' }).stdout.trim() : 'missing'}`;
  md.push(`Run ${new Date().toISOString()}, ${versions}, ${os.cpus().length} CPUs; load average before ${before}.`);
  try {
    if (o.only !== 'bulk') {
      const loads = await loadScenarios(o, dir, missing);
      md.push(
        '',
        `\`ledis load --format resp --in-flight ${o.inFlight} --connections ${o.connections}\` against \`redis-cli --pipe\`, ${o.lines.toLocaleString('en')}-line files, a fresh server per run, ${o.reps} interleaved repetitions, medians (each run's lines/s listed after). Target: ledis at least 2x.`,
        '',
        '| file | ledis load lines/s | peak RSS MiB | redis-cli --pipe lines/s | peak RSS MiB | ratio | target 2x | runs (ledis vs redis-cli) |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        ...loads.map(
          (r) =>
            `| ${r.type} | ${r.ledis.toLocaleString('en')}${r.ledisOk ? '' : ' (INCOMPLETE)'} | ${r.ledisRss.toFixed(0)} | ${Number.isNaN(r.redis) ? '-' : r.redis.toLocaleString('en')}${r.redisOk ? '' : ' (incomplete)'} (exit ${r.redisExit || '-'}) | ${Number.isNaN(r.redisRss) ? '-' : r.redisRss.toFixed(0)} | ${r.ratio.toFixed(2)}x | ${r.ratio >= 2 ? 'met' : 'MISSED'} | ${r.all} |`,
        ),
      );
      if (o.big > 0) {
        const big = path.join(dir, 'big.resp');
        process.stderr.write(`writing ${o.big.toLocaleString('en')} lines...\n`);
        await writeFile(big, o.big);
        const r = await measure('ledis load', big, o.big, o);
        rmSync(big);
        md.push('', `Peak RSS flat in file size: the mixed file at ${o.big.toLocaleString('en')} lines: ${r.linesPerSec.toLocaleString('en')} lines/s, peak RSS ${r.peakMiB.toFixed(0)} MiB, complete ${r.complete}.`);
      }
    }
    if (o.only !== 'load') {
      const bulks = await bulkScenarios(o);
      md.push(
        '',
        `${o.items.toLocaleString('en')} single-member commands to one key: \`ledis.bulk()\` (one connection) against each peer's explicit pipeline (pipelines of 100,000 awaited in turn), a fresh server per repetition, ${o.reps} interleaved repetitions, medians. Target: bulk() at least 2.5x the best peer.`,
        '',
        '| command | ledis bulk() items/s | ioredis pipeline() | node-redis execAsPipeline() | ratio to the best peer | target 2.5x | runs |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...bulks.map(
          (r) =>
            `| ${r.type} | ${r.med['ledis bulk()'].toLocaleString('en')} | ${r.med['ioredis pipeline()'].toLocaleString('en')} | ${r.med['node-redis multi().execAsPipeline()'].toLocaleString('en')} | ${r.ratio.toFixed(2)}x${r.ok ? '' : ' (INCOMPLETE)'} | ${r.ratio >= 2.5 ? 'met' : 'MISSED'} | ${r.all} |`,
        ),
      );
    }
    md.push('', `Load average after: ${loadavg()}.`);
    console.log(md.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
