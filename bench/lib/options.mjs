// Command-line options of `npm run bench` and the facts about the machine.
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLIENTS } from './clients.mjs';
import { assertLoopback } from './servers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SCENARIOS = ['tcp', 'redis', 'unix', '4k', 'bulk', 'large', 'ceiling', 'cadence', 'parser'];

export function usage() {
  return `usage: npm run bench -- [options]

  --scenarios LIST    which parts to run (default: all):
                        tcp      GET/SET against LedisDB over TCP (1 MiB socket buffers)
                        redis    GET/SET against Debian's redis-server (client-side cost)
                        unix     GET/SET against LedisDB over its unix socket
                        4k       GET/SET against LedisDB left at 4 KiB socket buffers
                        bulk     ${'100k'} ZADD on one key: pipelines and Promise.all
                        large    GET of 100 KiB and 1 MiB values, strings and Buffers
                        ceiling  redis-benchmark -t set,get -c 50 -P 100 on the same server
                        cadence  what each client makes LedisDB do per command on one
                                 connection: /proc counters of both processes (bench/cadence.mjs)
                        parser   RESP parser micro-benchmarks (bench/parser.bench.mjs)
  --clients LIST      ${CLIENTS.join(',')} (default: all; unix leaves
                      out ioredis-auto and 4k runs ledis, ioredis, node-redis, unless
                      --clients is given)
  --ops LIST          get,set (default: both)
  --concurrency LIST  concurrent callers per cell, for every scenario (default: 1,10,100,1000
                      for tcp; 1,1000 for redis, unix and 4k)
  --duration S        measured seconds per cell (default: 1; 2-3 gives steadier figures)
  --warmup S          unmeasured seconds before each cell (default: 0.2; at least 1 from
                      C=1000 up, where the adaptive spread settles)
  --reps N            repetitions, interleaved; tables show median (min–max) (default: 3;
                      the 4k scenario runs once unless --reps is given)
  --connections N     N for ledis-pool, ledis-fixed, ioredis-rr and node-redis-pool, or
                      "auto" to pick 2 or 4 by a ledis-fixed probe (default: auto)
  --url URL           use this LedisDB (ledis://127.0.0.1:6380 or unix:///path) instead of starting one
  --install-redis     apt-get install redis-server redis-tools when missing
  --bulk-n N          ZADDs per bulk load (default: 100000)
  --ceiling-n N       requests per redis-benchmark test (default: 200000)
  --parser-ms MS      tinybench time per parser task (default: 150)
  --out DIR           where results go (default: bench/results)
  --update-benchmarks rewrite the generated section of BENCHMARKS.md with this run`;
}

const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);

function positive(flag, v) {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got ${v}`);
  return n;
}

export function parseArgs(argv) {
  const o = {
    scenarios: [...SCENARIOS],
    clients: [...CLIENTS],
    ops: ['get', 'set'],
    /** @type {number[] | undefined} undefined: each scenario's own list (see MATRIX in run.mjs) */
    concurrency: undefined,
    clientsGiven: false,
    repsGiven: false,
    duration: 1,
    warmup: 0.2,
    reps: 3,
    connections: /** @type {number | 'auto'} */ ('auto'),
    url: undefined,
    installRedis: false,
    bulkN: 100_000,
    ceilingN: 200_000,
    parserMs: 150,
    out: path.join(ROOT, 'bench', 'results'),
    updateBenchmarks: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--scenarios': o.scenarios = pick(flag, list(value()), SCENARIOS); break;
      case '--clients': o.clients = pick(flag, list(value()), CLIENTS); o.clientsGiven = true; break;
      case '--ops': o.ops = pick(flag, list(value()), ['get', 'set']); break;
      case '--concurrency': o.concurrency = list(value()).map((v) => Math.min(100_000, Math.floor(positive(flag, v)))); break;
      case '--duration': o.duration = Math.min(600, positive(flag, value())); break;
      case '--warmup': o.warmup = Math.min(60, Number(value()) || 0); break;
      case '--reps': o.reps = Math.min(100, Math.floor(positive(flag, value()))); o.repsGiven = true; break;
      case '--connections': { const v = value(); o.connections = v === 'auto' ? 'auto' : Math.floor(positive(flag, v)); break; }
      case '--url': o.url = checkUrl(value()); break;
      case '--install-redis': o.installRedis = true; break;
      case '--bulk-n': o.bulkN = Math.min(10_000_000, Math.floor(positive(flag, value()))); break;
      case '--ceiling-n': o.ceilingN = Math.min(100_000_000, Math.floor(positive(flag, value()))); break;
      case '--parser-ms': o.parserMs = Math.min(60_000, positive(flag, value())); break;
      case '--out': o.out = path.resolve(value()); break;
      case '--update-benchmarks': o.updateBenchmarks = true; break;
      case '-h':
      case '--help': o.help = true; break;
      default: throw new Error(`unknown option ${flag} (try --help)`);
    }
  }
  return o;
}

/** Only a loopback LedisDB (or a unix socket) may be benchmarked. */
function checkUrl(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--url: not a URL: ${url}`);
  }
  if (u.protocol === 'unix:') return url;
  if (u.protocol !== 'ledis:' && u.protocol !== 'redis:') throw new Error(`--url must be ledis://host:port or unix:///path, got ${url}`);
  assertLoopback(u.hostname.replace(/^\[|\]$/g, ''));
  return url;
}

function pick(flag, values, known) {
  for (const v of values) if (!known.includes(v)) throw new Error(`${flag}: unknown ${v} (known: ${known.join(', ')})`);
  return values;
}

export function machineInfo() {
  const cpus = os.cpus();
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  let model = cpus[0]?.model?.trim() ?? 'unknown CPU';
  try {
    // Under a container cgroup limit the CPUs visible may exceed what we may use.
    const quota = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim();
    if (!quota.startsWith('max')) model += ` (cgroup cpu.max ${quota})`;
  } catch {}
  return { cores: os.availableParallelism?.() ?? cpus.length, cpu: model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, loadAtStart: load };
}
