#!/usr/bin/env node
// Starts N LedisDB servers (tools/server.mjs) and, in front of them,
// twemproxy (`nutcracker`, Debian's package, installed with apt-get when
// missing) with a generated config on free loopback ports. Used by
// `npm run shards`, by the sharding tests (test/sharding) and by
// bench/shards.mjs, so they all run the same deployment.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startLedisServer, terminate } from './server.mjs';

const NUTCRACKER_PATHS = ['/usr/sbin/nutcracker', '/usr/bin/nutcracker', '/usr/local/sbin/nutcracker', '/usr/local/bin/nutcracker'];

/** @param {string} cmd */
function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** @returns {string | null} path of an installed nutcracker binary */
export function findNutcracker() {
  return which('nutcracker') ?? NUTCRACKER_PATHS.find((p) => existsSync(p)) ?? null;
}

/**
 * Finds nutcracker, or installs Debian's `nutcracker` package (apt-get update
 * once, then install) when it is missing and `install` is true.
 * @param {{ install?: boolean }} [opts]
 * @returns {{ bin: string, reason: null } | { bin: null, reason: string }}
 *   reason says why there is none (for a test's skip message)
 */
export function ensureNutcracker(opts = {}) {
  const found = findNutcracker();
  if (found !== null) return { bin: found, reason: null };
  if (opts.install === false) return { bin: null, reason: 'nutcracker (twemproxy) is not installed' };
  if (which('apt-get') === null) return { bin: null, reason: 'nutcracker (twemproxy) is not installed and apt-get is not available to install it' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { bin: null, reason: 'nutcracker (twemproxy) is not installed and apt-get needs root to install it' };
  }
  process.stderr.write('installing nutcracker (twemproxy) with apt-get...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Two processes installing at once wait for dpkg's lock instead of failing.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  const update = spawnSync('apt-get', [...lock, 'update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env, timeout: 300_000 });
  if (update.status !== 0) return { bin: null, reason: 'apt-get update failed, so nutcracker (twemproxy) could not be installed' };
  const install = spawnSync('apt-get', [...lock, 'install', '-y', '-qq', 'nutcracker'], { stdio: ['ignore', 'inherit', 'inherit'], env, timeout: 300_000 });
  if (install.status !== 0) return { bin: null, reason: 'apt-get install nutcracker failed' };
  const bin = findNutcracker();
  return bin !== null ? { bin, reason: null } : { bin: null, reason: 'nutcracker still missing after apt-get install' };
}

/**
 * @typedef {object} ProxyServer
 * @property {string} host
 * @property {number} port
 * @property {number} [weight] default 1
 * @property {string} [name] twemproxy's optional server name (then ketama hashes the name, not host:port)
 */

/**
 * @typedef {object} PoolConfig
 * @property {number} listenPort
 * @property {ProxyServer[]} servers
 * @property {string} [hash] default fnv1a_64
 * @property {string} [distribution] default ketama
 * @property {string | null} [hashTag] two characters, default "{}"; null for none
 * @property {number} [timeout] ms twemproxy waits for a server's reply, default 2000
 * @property {number} [serverConnections] connections per server, default 1
 */

/**
 * The `server` lines of a twemproxy pool: `host:port:weight` or
 * `host:port:weight name`.
 * @param {ProxyServer[]} servers
 */
export function serverLines(servers) {
  return servers.map((s) => `${s.host}:${s.port}:${s.weight ?? 1}${s.name ? ` ${s.name}` : ''}`);
}

/**
 * A twemproxy YAML config with one pool named `ledis` (redis protocol,
 * no auto-ejection: a dead server's keys fail, they never move).
 * @param {PoolConfig} cfg
 * @returns {string}
 */
export function nutcrackerConfig(cfg) {
  const lines = [
    'ledis:',
    `  listen: 127.0.0.1:${cfg.listenPort}`,
    `  hash: ${cfg.hash ?? 'fnv1a_64'}`,
    `  distribution: ${cfg.distribution ?? 'ketama'}`,
  ];
  const tag = cfg.hashTag === undefined ? '{}' : cfg.hashTag;
  if (tag !== null) lines.push(`  hash_tag: ${JSON.stringify(tag)}`);
  lines.push(
    '  redis: true',
    '  preconnect: false',
    '  auto_eject_hosts: false',
    `  timeout: ${cfg.timeout ?? 2000}`,
    `  server_connections: ${cfg.serverConnections ?? 1}`,
    '  servers:',
    ...serverLines(cfg.servers).map((l) => `    - ${l}`),
  );
  return lines.join('\n') + '\n';
}

/**
 * @typedef {object} RunningProxy
 * @property {string} host
 * @property {number} port
 * @property {string} url ledis://host:port
 * @property {number} pid
 * @property {string} configPath
 * @property {import('node:child_process').ChildProcess} child
 * @property {() => string} log nutcracker's log so far
 * @property {() => Promise<void>} stop SIGTERM, SIGKILL after 3 s; removes its temporary folder
 */

/**
 * Starts nutcracker with a generated config; resolves once it accepts connections.
 * @param {Omit<PoolConfig, 'listenPort'> & { listenPort?: number, bin?: string }} cfg
 * @returns {Promise<RunningProxy>}
 */
export async function startNutcracker(cfg) {
  // The listen and stats ports are free ports of our choosing, free a moment ago: anything may take one
  // before nutcracker binds it ("Address already in use" in its log). Then start again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNutcrackerOnce(cfg);
    } catch (err) {
      if (cfg.listenPort !== undefined || attempt >= 5 || !/Address already in use/.test(String(/** @type {Error} */ (err).message))) throw err;
    }
  }
}

/**
 * @param {Omit<PoolConfig, 'listenPort'> & { listenPort?: number, bin?: string }} cfg
 * @returns {Promise<RunningProxy>}
 */
async function startNutcrackerOnce(cfg) {
  const bin = cfg.bin ?? ensureNutcracker().bin;
  if (!bin) throw new Error(ensureNutcracker({ install: false }).reason ?? 'nutcracker missing');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nutcracker-'));
  const host = '127.0.0.1';
  const port = cfg.listenPort ?? (await freePort());
  const statsPort = await freePort();
  const configPath = path.join(dir, 'nutcracker.yml');
  const logPath = path.join(dir, 'nutcracker.log');
  writeFileSync(configPath, nutcrackerConfig({ ...cfg, listenPort: port }));
  const child = spawn(
    bin,
    ['-c', configPath, '-s', String(statsPort), '-a', host, '-p', path.join(dir, 'nutcracker.pid'), '-o', logPath, '-v', '4'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 16384) stderr += d.toString();
  });
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  const log = () => {
    try {
      return stderr + readFileSync(logPath, 'utf8').slice(-16384);
    } catch {
      return stderr;
    }
  };
  const stop = async () => {
    await terminate(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const out = log();
      await stop();
      throw new Error(`nutcracker exited early (${child.exitCode ?? child.signalCode}):\n${out}`);
    }
    const ok = await new Promise((resolve) => {
      const sock = net.connect({ host, port });
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) {
      // Connected: to nutcracker, or to whatever took the port before it could bind (then it exits, saying so).
      await new Promise((r) => setTimeout(r, 100));
      if (child.exitCode === null && child.signalCode === null && !/Address already in use/.test(log())) break;
      const out = log();
      await stop();
      throw new Error(`nutcracker could not listen:\n${out}`);
    }
    if (Date.now() > deadline) {
      const out = log();
      await stop();
      throw new Error(`nutcracker did not accept connections within 10 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, port, url: `ledis://${host}:${port}`, pid: /** @type {number} */ (child.pid), configPath, child, log, stop };
}

/**
 * @typedef {object} ShardsOptions
 * @property {number} [count] LedisDB servers, default 2
 * @property {number[]} [weights] per server, default 1 each
 * @property {string[] | boolean} [names] server names (true: shard0, shard1 ...); default none (ketama hashes host:port)
 * @property {string | null} [hashTag] default "{}"
 * @property {boolean} [proxy] start nutcracker too (default true)
 * @property {number} [timeout] twemproxy's server timeout in ms
 * @property {number} [serverConnections] twemproxy connections per server
 * @property {boolean} [quiet] do not forward the servers' output (default true)
 */

/**
 * @typedef {object} RunningShards
 * @property {import('./server.mjs').RunningServer[]} servers
 * @property {ProxyServer[]} members host, port, weight, name of each server, in config order
 * @property {string[]} lines twemproxy's `server` lines, in config order
 * @property {RunningProxy | null} proxy
 * @property {() => Promise<void>} stop stops the proxy and every server (by pid)
 */

/**
 * Starts `count` LedisDB servers and (unless `proxy: false`) nutcracker in
 * front of them with hash fnv1a_64, distribution ketama and hash_tag "{}".
 * @param {ShardsOptions} [opts]
 * @returns {Promise<RunningShards>}
 */
export async function startShards(opts = {}) {
  const count = opts.count ?? 2;
  const names = opts.names === true ? Array.from({ length: count }, (_, i) => `shard${i}`) : opts.names || null;
  /** @type {import('./server.mjs').RunningServer[]} */
  const servers = [];
  /** @type {RunningProxy | null} */
  let proxy = null;
  const stop = async () => {
    if (proxy !== null) await proxy.stop();
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    for (let i = 0; i < count; i++) servers.push(await startLedisServer({ quiet: opts.quiet ?? true }));
    const members = servers.map((s, i) => ({
      host: s.host,
      port: s.port,
      weight: opts.weights?.[i] ?? 1,
      ...(names !== null && names[i] !== undefined ? { name: names[i] } : {}),
    }));
    if (opts.proxy !== false) {
      proxy = await startNutcracker({
        servers: members,
        hashTag: opts.hashTag,
        timeout: opts.timeout,
        serverConnections: opts.serverConnections,
      });
    }
    return { servers, members, lines: serverLines(members), proxy, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--install-only')) {
    const { bin, reason } = ensureNutcracker();
    // Never fails the caller (npm pretest): the twemproxy tests skip with this message instead.
    console.log(bin ?? `skipping twemproxy: ${reason}`);
    return;
  }
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log('usage: npm run shards -- [--count N] [--weights 1,2,...] [--names] [--no-proxy] [--install-only]');
    return;
  }
  const arg = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const shards = await startShards({
    count: Number(arg('--count') ?? 2),
    weights: arg('--weights')?.split(',').map(Number),
    names: argv.includes('--names'),
    proxy: !argv.includes('--no-proxy'),
    quiet: false,
  });
  for (const line of shards.lines) console.log(`LedisDB shard ${line}`);
  if (shards.proxy) console.log(`twemproxy (nutcracker) on ${shards.proxy.url}, config ${shards.proxy.configPath}, pid ${shards.proxy.pid}`);
  console.log('Ctrl-C to stop');
  const shutdown = async () => {
    await shards.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
