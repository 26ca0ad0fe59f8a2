#!/usr/bin/env node
// Builds (once) and starts a real LedisDB server from a config file this
// script writes. Used by `npm run server`, by the test suite's global setup,
// by the fault tests and by the benchmarks, so they all run the same server.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_BIN = path.join(ROOT, '.cache', 'bin');
const MIB = 1024 * 1024;

/** The pseudo-version pinned in tools/ledis-server/go.mod. */
export const LEDIS_SERVER_VERSION = 'v0.0.0-20200510135210-d35789ec47e6';

/**
 * Builds a Go command pinned by `tools/<dir>/go.mod` into `.cache/bin/<name>`
 * unless it is there already. Builds into a temporary name and renames, so
 * two processes racing here never run a half-written binary.
 * @param {string} name binary name
 * @param {string} dir folder under tools/ holding the go.mod
 * @param {string} pkg Go package path of the command
 * @returns {string} path of the binary
 */
export function ensureGoBinary(name, dir, pkg) {
  const bin = path.join(CACHE_BIN, name);
  if (existsSync(bin)) return bin;
  mkdirSync(CACHE_BIN, { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  process.stderr.write(`building ${name} (${pkg}) with go; this happens once...\n`);
  const started = Date.now();
  const result = spawnSync('go', ['build', '-o', tmp, pkg], {
    cwd: path.join(ROOT, 'tools', dir),
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' },
  });
  if (result.error) throw new Error(`cannot run go to build ${name}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`go build of ${pkg} failed with exit code ${result.status}`);
  renameSync(tmp, bin);
  process.stderr.write(`built ${bin} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return bin;
}

export function ensureLedisServer() {
  return ensureGoBinary('ledis-server', 'ledis-server', 'github.com/ledisdb/ledisdb/cmd/ledis-server');
}

/** @returns {Promise<number>} a loopback port that was free a moment ago */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {object} ServerOptions
 * @property {number} [port] TCP port on 127.0.0.1 (a free one when omitted)
 * @property {string} [unix] listen on this unix socket path instead of TCP
 * @property {string} [password] auth_password
 * @property {'memory' | 'goleveldb'} [backend] db_name, memory by default
 * @property {number} [bufferSize] conn_read/write_buffer_size, 1 MiB by default
 * @property {{ cert: string, key: string }} [tls] PEM file paths; enables the TLS listener
 * @property {boolean} [replication] use_replication (-rpl)
 * @property {string} [slaveof] host:port of the master
 * @property {boolean} [readonly]
 * @property {number} [databases]
 * @property {string} [dataDir] reuse this data directory (kept on stop)
 * @property {boolean} [quiet] do not forward the server's output
 */

/**
 * @typedef {object} RunningServer
 * @property {string} host
 * @property {number} port 0 for a unix socket
 * @property {string | undefined} unix
 * @property {string} address "host:port" or the socket path
 * @property {string} url ledis://... or unix://...
 * @property {number} pid
 * @property {string} dataDir
 * @property {import('node:child_process').ChildProcess} child
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL after 3 s; removes the temporary data dir
 * @property {() => Promise<void>} kill SIGKILL at once (data dir kept, for restart tests)
 */

/**
 * Writes a config file and starts ledis-server; resolves once it accepts
 * connections.
 * @param {ServerOptions} [opts]
 * @returns {Promise<RunningServer>}
 */
/**
 * Stops a child process we started: SIGTERM, then SIGKILL if it is still
 * there after 3 s; resolves once it has exited (`exited` settles on 'exit').
 */
export async function terminate(child, exited) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

export async function startLedisServer(opts = {}) {
  const bin = ensureLedisServer();
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'ledis-data-'));
  mkdirSync(dataDir, { recursive: true });
  const host = '127.0.0.1';
  const port = opts.unix ? 0 : (opts.port ?? (await freePort()));
  const addr = opts.unix ?? `${host}:${port}`;
  const buffer = opts.bufferSize ?? MIB;
  const lines = [
    `addr = ${JSON.stringify(addr)}`,
    'http_addr = ""',
    `data_dir = ${JSON.stringify(dataDir)}`,
    `db_name = ${JSON.stringify(opts.backend ?? 'memory')}`,
    `databases = ${opts.databases ?? 16}`,
    `conn_read_buffer_size = ${buffer}`,
    `conn_write_buffer_size = ${buffer}`,
    `auth_password = ${JSON.stringify(opts.password ?? '')}`,
    `use_replication = ${opts.replication || opts.slaveof ? 'true' : 'false'}`,
    `slaveof = ${JSON.stringify(opts.slaveof ?? '')}`,
    `readonly = ${opts.readonly ? 'true' : 'false'}`,
    'ttl_check_interval = 1',
  ];
  if (opts.replication || opts.slaveof) {
    lines.push('', '[replication]', `path = ${JSON.stringify(path.join(dataDir, 'rpl'))}`, 'sync = false', 'wait_sync_time = 500');
    lines.push('', '[snapshot]', `path = ${JSON.stringify(path.join(dataDir, 'snapshot'))}`, 'max_num = 1');
  }
  if (opts.tls) {
    lines.push('', '[tls]', 'enabled = true', `certificate = ${JSON.stringify(opts.tls.cert)}`, `key = ${JSON.stringify(opts.tls.key)}`);
  }
  const configPath = path.join(dataDir, 'ledis.toml');
  writeFileSync(configPath, lines.join('\n') + '\n');

  // A port or socket someone else answers on would fool the readiness probe
  // below into reporting "listening" while our server fails to bind.
  try {
    await assertAddressFree(opts.unix ? { path: opts.unix } : { host, port });
  } catch (err) {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const child = spawn(bin, ['-config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (/** @type {Buffer} */ d) => {
    if (output.length < 64 * 1024) output += d.toString();
    if (!opts.quiet) process.stderr.write(d);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));

  const cleanup = () => {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const stop = async () => {
    await terminate(child, exited);
    cleanup();
  };

  try {
    await waitForListener(opts.unix ? { path: opts.unix } : { host, port }, child, () => output);
  } catch (err) {
    await kill();
    cleanup();
    throw err;
  }
  return {
    host,
    port,
    unix: opts.unix,
    address: addr,
    url: opts.unix ? `unix://${opts.unix}` : `ledis://${host}:${port}`,
    pid: /** @type {number} */ (child.pid),
    dataDir,
    child,
    stop,
    kill,
  };
}

/**
 * Rejects when something already listens on the address: a TCP port that
 * cannot be bound on 127.0.0.1, or a unix socket path that accepts a connection.
 * @param {{ host: string, port: number } | { path: string }} target
 */
async function assertAddressFree(target) {
  if ('path' in target) {
    if (!existsSync(target.path)) return;
    const answered = await new Promise((resolve) => {
      const sock = net.connect({ path: target.path });
      sock.once('connect', () => { sock.destroy(); resolve(true); });
      sock.once('error', () => resolve(false));
    });
    if (answered) throw new Error(`unix socket ${target.path} is in use: another process listens on it; pick another path with --unix or stop that process`);
    return;
  }
  await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (/** @type {NodeJS.ErrnoException} */ err) => {
      reject(err.code === 'EADDRINUSE'
        ? new Error(`port ${target.port} on ${target.host} is in use: another process listens on it; pick another with --port or stop that process`)
        : new Error(`cannot listen on ${target.host}:${target.port}: ${err.message}`));
    });
    srv.listen({ host: target.host, port: target.port, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

/**
 * @param {net.NetConnectOpts} target
 * @param {import('node:child_process').ChildProcess} child
 * @param {() => string} output
 */
async function waitForListener(target, child, output) {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`ledis-server exited early (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    const ok = await new Promise((resolve) => {
      const sock = net.connect(target);
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) {
      // Connected: make sure it is our server that answered, not one that
      // took the address between the check above and the bind.
      await new Promise((r) => setTimeout(r, 100));
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`ledis-server exited early (${child.exitCode ?? child.signalCode}) although the address answered:\n${output()}`);
      }
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ledis-server did not accept connections within 15 s:\n${output()}`);
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {ServerOptions} */
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': opts.port = Number(value()); break;
      case '--unix': opts.unix = path.resolve(value()); break;
      case '--password': opts.password = value(); break;
      case '--backend': opts.backend = /** @type {'memory' | 'goleveldb'} */ (value()); break;
      case '--buffer-size': opts.bufferSize = Number(value()); break;
      case '--tls-cert': opts.tls = { cert: path.resolve(value()), key: opts.tls?.key ?? '' }; break;
      case '--tls-key': opts.tls = { cert: opts.tls?.cert ?? '', key: path.resolve(value()) }; break;
      case '--rpl': opts.replication = true; break;
      case '--slaveof': opts.slaveof = value(); break;
      case '--readonly': opts.readonly = true; break;
      case '--databases': opts.databases = Number(value()); break;
      case '--data-dir': opts.dataDir = path.resolve(value()); break;
      case '--build-only': break;
      case '-h':
      case '--help':
        console.log(`usage: npm run server -- [--port N] [--unix PATH] [--password P] [--backend memory|goleveldb]
       [--buffer-size BYTES] [--tls-cert FILE --tls-key FILE] [--rpl] [--slaveof HOST:PORT]
       [--readonly] [--databases N] [--data-dir DIR] [--build-only]`);
        process.exit(0);
      default:
        throw new Error(`unknown option ${flag} (try --help)`);
    }
  }
  return opts;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--build-only')) {
    console.log(ensureLedisServer());
    return;
  }
  const server = await startLedisServer(parseArgs(argv));
  console.log(`LedisDB listening on ${server.address} (${server.url}), pid ${server.pid}; Ctrl-C to stop`);
  let stopping = false;
  const shutdown = async () => {
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  server.child.once('exit', (code, signal) => {
    if (stopping) return;
    // Any exit we did not ask for is a failure, whatever its own exit code.
    console.error(`ledis-server exited unexpectedly (${code ?? signal}); see its output above`);
    process.exit(code || 1);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
