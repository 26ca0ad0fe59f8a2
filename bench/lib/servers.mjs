// The servers a benchmark run talks to: LedisDB over TCP (1 MiB socket
// buffers, as tests use), over its unix socket, with its default 4 KiB socket
// buffers, an existing server given by URL, and Debian's redis-server to show
// what the clients themselves cost. Loopback only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, startLedisServer } from '../../tools/server.mjs';

/** Target names, in report order, with what each one is. */
export const TARGETS = {
  ledis: 'LedisDB, TCP 127.0.0.1, 1 MiB socket buffers, memory backend',
  'ledis-unix': 'LedisDB, unix socket, memory backend',
  'ledis-4k': "LedisDB, TCP, LedisDB's default 4 KiB socket buffers, memory backend",
  redis: "Debian's redis-server, TCP 127.0.0.1, no persistence",
};

/**
 * @typedef {object} StartedTarget
 * @property {string} name
 * @property {string} description
 * @property {import('./clients.mjs').Target} target
 * @property {string[]} benchmarkArgs redis-benchmark's connection flags
 * @property {string} version
 * @property {() => Promise<void>} stop
 */

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/;

/** Throws unless `host` is a loopback address: benchmarks never load anything else. */
export function assertLoopback(host) {
  if (!LOOPBACK.test(host)) throw new Error(`refusing to benchmark ${host}: only loopback addresses (127.0.0.0/8, localhost, ::1)`);
}

/**
 * @param {string} name a key of TARGETS
 * @param {{ url?: string, installRedis?: boolean, ledisVersion: string }} opts
 * @returns {Promise<StartedTarget>}
 */
export async function startTarget(name, opts) {
  if (name === 'ledis' && opts.url) return existingLedis(opts.url, opts.ledisVersion);
  if (name === 'ledis' || name === 'ledis-4k' || name === 'ledis-unix') {
    let dir;
    const options = { quiet: true };
    if (name === 'ledis-4k') options.bufferSize = 4096;
    if (name === 'ledis-unix') {
      dir = mkdtempSync(path.join(os.tmpdir(), 'ledis-bench-'));
      options.unix = path.join(dir, 'ledis.sock');
    }
    const server = await startLedisServer(options);
    return {
      name,
      description: TARGETS[name],
      target: server.unix ? { path: server.unix, kind: 'ledis' } : { host: server.host, port: server.port, kind: 'ledis' },
      benchmarkArgs: server.unix ? ['-s', server.unix] : ['-h', server.host, '-p', String(server.port)],
      version: opts.ledisVersion,
      pid: server.pid,
      async stop() {
        await server.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (name === 'redis') return startRedis(opts.installRedis === true);
  throw new Error(`unknown target ${name} (known: ${Object.keys(TARGETS).join(', ')})`);
}

function existingLedis(url, version) {
  const u = new URL(url);
  if (u.protocol === 'unix:') {
    return { name: 'ledis', description: `LedisDB at ${url} (started elsewhere)`, target: { path: u.pathname, kind: 'ledis' }, benchmarkArgs: ['-s', u.pathname], version, stop: async () => {} };
  }
  if (u.protocol !== 'ledis:' && u.protocol !== 'redis:') throw new Error(`--url must be ledis://host:port or unix:///path, got ${url}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  assertLoopback(host);
  const port = Number(u.port || 6380);
  return { name: 'ledis', description: `LedisDB at ${host}:${port} (started elsewhere)`, target: { host, port, kind: 'ledis' }, benchmarkArgs: ['-h', host, '-p', String(port)], version, stop: async () => {} };
}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure redis-server and redis-benchmark are on PATH, installing
 * Debian's packages when allowed. Returns why not, or null when ready.
 */
export function ensureRedisTools(install) {
  if (hasCommand('redis-server') && hasCommand('redis-benchmark')) return null;
  if (!install) return 'redis-server/redis-benchmark not installed (pass --install-redis to apt-get install them)';
  if (!hasCommand('apt-get')) return 'redis tools missing and apt-get is not available';
  process.stderr.write('installing redis-server and redis-tools with apt-get...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env, timeout: 300_000 });
  if (update.status !== 0) return 'apt-get update failed';
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server', 'redis-tools'], { stdio: 'inherit', env, timeout: 300_000 });
  if (r.status !== 0) return 'apt-get install redis-server redis-tools failed';
  return hasCommand('redis-server') && hasCommand('redis-benchmark') ? null : 'redis tools still missing after apt-get';
}

async function startRedis(install) {
  const missing = ensureRedisTools(install);
  if (missing) throw new Error(missing);
  const port = await freePort();
  const version = (spawnSync('redis-server', ['--version']).stdout?.toString().match(/v=(\S+)/) ?? [])[1] ?? 'unknown';
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited early (${child.exitCode})`);
    const ok = await new Promise((r) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('redis-server did not listen within 10 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    name: 'redis',
    description: TARGETS.redis,
    target: { host: '127.0.0.1', port, kind: 'redis' },
    benchmarkArgs: ['-h', '127.0.0.1', '-p', String(port)],
    version: `redis-server ${version}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * redis-benchmark -t set,get -c 50 -P 100 against a target, with the same
 * 64-byte values; bounded by request count and a kill timer.
 * @returns {Promise<{ set: number, get: number, command: string } | { error: string }>}
 */
export async function redisBenchmark(started, { requests = 500_000, timeoutMs = 60_000, valueSize = 64 } = {}) {
  if (!hasCommand('redis-benchmark')) return { error: 'redis-benchmark not installed (pass --install-redis)' };
  const args = [...started.benchmarkArgs, '-t', 'set,get', '-c', '50', '-P', '100', '-n', String(requests), '-d', String(valueSize), '-r', '1000', '--csv'];
  const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise((r) => child.once('exit', (c, s) => r(c ?? s)));
  clearTimeout(timer);
  const rps = {};
  for (const line of out.split('\n')) {
    const m = line.match(/^"(SET|GET)","([\d.]+)"/);
    if (m) rps[m[1].toLowerCase()] = Number(m[2]);
  }
  if (rps.set === undefined || rps.get === undefined) return { error: `redis-benchmark exited ${code}: ${(err || out).trim().slice(0, 300)}` };
  return { set: rps.set, get: rps.get, command: `redis-benchmark ${args.join(' ')}` };
}
