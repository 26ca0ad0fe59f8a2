// Starts a real LedisDB (ledis-server) from a config file written here, on a
// loopback address, under a watchdog that stops it when the process that
// started it dies, even by SIGKILL. One home for `npx ledis server`,
// `ledis/testing`'s startServer() and this repository's tools/server.mjs.
//
// Node built-ins and ../errors.js (no imports of its own) only (see binary.ts).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { DataError } from '../errors.js';
import { distance } from '../suggest.js';
import { findLedisServer, type FindOptions } from './binary.js';

const MIB = 1024 * 1024;

/** Options of {@link startServer}; all optional. */
export interface ServerOptions {
  /** TCP port on 127.0.0.1, an integer 0 to 65535 (default, and 0: a free one). */
  port?: number;
  /** Listen on this unix socket path instead of TCP. */
  unix?: string;
  /** The server's `auth_password` (never printed; not part of `url`). */
  password?: string;
  /** Storage backend (`db_name`): 'memory' (default) or 'goleveldb'. */
  backend?: 'memory' | 'goleveldb';
  /** conn_read_buffer_size and conn_write_buffer_size in bytes (default 1 MiB; LedisDB's own default of 4 KiB makes loopback slow). */
  bufferSize?: number;
  /** PEM file paths; enables LedisDB's TLS listener on the same address. */
  tls?: { cert: string; key: string };
  /** `use_replication` (the binlog a replica needs; `-rpl`). */
  replication?: boolean;
  /** host:port of a master to replicate (implies `replication`). */
  slaveof?: string;
  /** Refuse writes. */
  readonly?: boolean;
  /** Number of databases (default 16). */
  databases?: number;
  /** Keep the data in this folder (created if missing, kept on stop); default: a temporary folder removed by stop(). */
  dataDir?: string;
  /** Do not echo the server's log to this process's stderr (default true; `output()` has it either way). */
  quiet?: boolean;
  /** The ledis-server binary; default: {@link findLedisServer} with `find`. */
  bin?: string;
  /** How to find (or build) the binary when `bin` is not given. */
  find?: FindOptions;
  /** Milliseconds to wait for the server to accept connections (default 15000). */
  startTimeout?: number;
  /** Keep this process alive while the server runs (default false: a forgotten stop() does not hang a test run; the server still ends with the process). */
  ref?: boolean;
}

/** A running server, as {@link startServer} resolves it. */
export interface RunningServer {
  /** Always '127.0.0.1' (the server listens on loopback only). */
  host: string;
  /** TCP port; 0 for a unix socket. */
  port: number;
  /** The unix socket path, when listening on one. */
  unix: string | undefined;
  /** `host:port`, or the socket path. */
  address: string;
  /** `ledis://127.0.0.1:PORT` or `unix:///path` (the password, if any, is not in it). */
  url: string;
  /** The ledis-server process id. */
  pid: number;
  /** The data folder. */
  dataDir: string;
  /** The binary that runs. */
  bin: string;
  /** Resolves when the server process has exited, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** What the server printed so far (the first 64 KiB). */
  output(): string;
  /** SIGTERM, SIGKILL after 3 s; resolves once the process is gone; removes a temporary data folder. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL at once; resolves once the process is gone (the data folder is kept, for restart tests). */
  kill(): Promise<void>;
}

/**
 * The watchdog: a small Node process between us and ledis-server. It starts
 * the server with the arguments it is given, reports `pid N` and `exit CODE
 * SIGNAL` on fd 3, and stops the server (SIGTERM, then SIGKILL after 3 s)
 * when its stdin reaches end of file: when we close it (stop()), or when our
 * process dies in any way, since the kernel closes our end of the pipe then.
 * Linux's PR_SET_PDEATHSIG is not reachable from Node; a pipe's end of file
 * is, on every platform. SIGINT is ignored here: Ctrl-C in a terminal
 * reaches the whole process group, and ledis-server handles its own. With
 * LEDIS_WATCHDOG_REMOVE set (the temporary data folder startServer made), it
 * removes that folder once the server has exited, so a parent that died
 * leaves no folder behind either.
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const [bin, ...args] = process.argv.slice(1);
const report = (s) => { try { fs.writeSync(3, s + '\\n'); } catch {} };
const child = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  try { child.kill('SIGTERM'); } catch {}
  setTimeout(() => { try { child.kill('SIGKILL'); } catch {} }, 3000).unref();
};
child.once('spawn', () => report('pid ' + child.pid));
child.once('error', (e) => { report('error ' + JSON.stringify(String(e.message))); process.exit(127); });
const remove = process.env.LEDIS_WATCHDOG_REMOVE;
child.once('exit', (code, signal) => {
  if (remove) { try { fs.rmSync(remove, { recursive: true, force: true }); } catch {} }
  report('exit ' + code + ' ' + signal);
  process.exit(code === null ? 1 : code);
});
process.stdin.on('data', () => {});
process.stdin.once('end', stop);
process.stdin.once('close', stop);
process.stdin.once('error', stop);
process.on('SIGINT', () => {});
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
`;

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The config file's text (TOML) for `opts`. */
function config(opts: ServerOptions, addr: string, dataDir: string): string {
  const buffer = opts.bufferSize ?? MIB;
  const replication = Boolean(opts.replication || opts.slaveof);
  const lines = [
    `addr = ${JSON.stringify(addr)}`,
    'http_addr = ""',
    `data_dir = ${JSON.stringify(dataDir)}`,
    `db_name = ${JSON.stringify(opts.backend ?? 'memory')}`,
    `databases = ${opts.databases ?? 16}`,
    `conn_read_buffer_size = ${buffer}`,
    `conn_write_buffer_size = ${buffer}`,
    `auth_password = ${JSON.stringify(opts.password ?? '')}`,
    `use_replication = ${replication}`,
    `slaveof = ${JSON.stringify(opts.slaveof ?? '')}`,
    `readonly = ${opts.readonly ? 'true' : 'false'}`,
    'ttl_check_interval = 1',
  ];
  if (replication) {
    lines.push('', '[replication]', `path = ${JSON.stringify(path.join(dataDir, 'rpl'))}`, 'sync = false', 'wait_sync_time = 500');
    lines.push('', '[snapshot]', `path = ${JSON.stringify(path.join(dataDir, 'snapshot'))}`, 'max_num = 1');
  }
  if (opts.tls) {
    lines.push('', '[tls]', 'enabled = true', `certificate = ${JSON.stringify(opts.tls.cert)}`, `key = ${JSON.stringify(opts.tls.key)}`);
  }
  return lines.join('\n') + '\n';
}

/** `what` in a message: the value for safe options, only its type for the password. */
function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? v.slice(0, 80) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/**
 * Checks startServer()'s options before anything is spawned or created:
 * a DataError naming the option for a value of the wrong type or range
 * (the password's value is never repeated, only its type).
 */
/** ServerOptions' names: any other is a DataError (a misspelled option would otherwise start a server with the default). */
const SERVER_OPTIONS: readonly string[] = ['port', 'unix', 'password', 'backend', 'bufferSize', 'tls', 'replication', 'slaveof', 'readonly', 'databases', 'dataDir', 'quiet', 'bin', 'find', 'startTimeout', 'ref'];

function checkOptions(opts: unknown): asserts opts is ServerOptions {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new DataError(`startServer(options): options must be an object; got ${shown(opts)}`);
  const o = opts as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (SERVER_OPTIONS.includes(name)) continue;
    let guess: string | undefined;
    for (const k of SERVER_OPTIONS) if (distance(name.toLowerCase(), k.toLowerCase()) <= 2) guess ??= k;
    throw new DataError(`startServer(options): unknown option ${shown(name)}${guess === undefined ? '' : ` (did you mean ${guess}?)`}; options are ${SERVER_OPTIONS.join(', ')}`);
  }
  const bad = (name: string, expected: string, secret = false) =>
    new DataError(`startServer(options): ${name} must be ${expected}; got ${secret ? `a ${o[name] === null ? 'null' : typeof o[name]}` : shown(o[name])}`);
  const int = (name: string, min: number, max: number) => {
    const v = o[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max)) throw bad(name, `an integer ${min} to ${max}`);
  };
  const str = (name: string, secret = false) => {
    const v = o[name];
    if (v !== undefined && !(typeof v === 'string' && v.length > 0 && !v.includes('\0'))) throw bad(name, 'a non-empty string without NUL', secret);
  };
  const bool = (name: string) => {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') throw bad(name, 'true or false');
  };
  int('port', 0, 65535);
  str('unix');
  if (o.port !== undefined && o.unix !== undefined) throw new DataError('startServer(options): port and unix exclude each other; give one');
  if (o.password !== undefined && typeof o.password !== 'string') throw bad('password', 'a string', true);
  if (typeof o.password === 'string' && o.password.includes('\0')) throw new DataError('startServer(options): password must not contain NUL');
  if (o.backend !== undefined && o.backend !== 'memory' && o.backend !== 'goleveldb') throw bad('backend', "'memory' or 'goleveldb'");
  int('bufferSize', 1, 1 << 30);
  if (o.tls !== undefined) {
    const t = o.tls as Record<string, unknown> | null;
    if (typeof t !== 'object' || t === null || typeof t.cert !== 'string' || typeof t.key !== 'string' || !t.cert || !t.key) throw bad('tls', '{ cert: string, key: string } (PEM file paths)');
  }
  bool('replication');
  str('slaveof');
  if (typeof o.slaveof === 'string' && !/^[^\s:]+:\d{1,5}$/.test(o.slaveof)) throw bad('slaveof', "'host:port'");
  bool('readonly');
  int('databases', 1, 10240);
  str('dataDir');
  bool('quiet');
  str('bin');
  if (o.find !== undefined && (typeof o.find !== 'object' || o.find === null)) throw bad('find', 'an object');
  int('startTimeout', 1, 2_147_483_647);
  bool('ref');
  if (typeof o.dataDir === 'string') {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(o.dataDir).isDirectory();
    } catch {
      // Missing: created below.
    }
    if (isDir === false) throw new DataError(`startServer(options): dataDir ${shown(o.dataDir)} exists and is not a folder`);
  }
}

/**
 * Starts a LedisDB server on 127.0.0.1 (a free port unless `port` is given)
 * or a unix socket, and resolves once it accepts connections. The server is
 * stopped by `stop()`, and also when this process exits or is killed (a
 * watchdog process ends it), so a test run that dies leaves nothing behind.
 * It does not keep this process alive.
 *
 * ```ts
 * import { startServer } from 'ledis/testing';
 * const srv = await startServer({ backend: 'memory' });
 * // new Ledis(srv.url) ... then:
 * await srv.stop();
 * ```
 * @throws Error when the address is in use (naming it), when the server exits
 *   early (with its output), or it does not listen within `startTimeout`;
 *   NoLedisServerError when no binary can be found or built; DataError, naming
 *   the option, for an option of the wrong type or range (before anything starts)
 */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  checkOptions(opts);
  const bin = opts.bin ?? (await findLedisServer(opts.find)).bin;
  // A port of our choosing was free a moment ago, but anything (a listener, an outgoing connection's
  // ephemeral port) may take it before ledis-server binds it: then start again on another one.
  const ours = !opts.unix && !opts.port;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(opts, bin);
    } catch (e) {
      if (!ours || attempt >= PORT_ATTEMPTS || !(e instanceof Error && inUseErrors.has(e))) throw e;
    }
  }
}

/** Tries with a free port of our choosing before giving up on "in use". */
const PORT_ATTEMPTS = 5;

async function startOn(opts: ServerOptions, bin: string): Promise<RunningServer> {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'ledis-data-'));
  mkdirSync(dataDir, { recursive: true });
  const cleanup = () => {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const host = '127.0.0.1';
  let port = 0;
  try {
    // 0, as for net.listen, asks for a free one (the readiness probe needs the real port).
    port = opts.unix ? 0 : opts.port || (await freePort());
    // A port or socket someone else answers on would fool the readiness probe
    // below into reporting "listening" while our server fails to bind.
    await assertAddressFree(opts.unix ? { path: opts.unix } : { host, port });
  } catch (err) {
    cleanup();
    throw err;
  }
  const addr = opts.unix ?? `${host}:${port}`;
  const configPath = path.join(dataDir, 'ledis.toml');
  writeFileSync(configPath, config(opts, addr, dataDir), { mode: 0o600 });

  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, bin, '-config', configPath], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', LEDIS_WATCHDOG_REMOVE: ownDir ? dataDir : '' },
  });
  const [toWatchdog, out, err, events] = watchdog.stdio as unknown as [Writable, Readable, Readable, Readable];
  toWatchdog.on('error', () => {});
  let output = '';
  const collect = (d: Buffer) => {
    if (output.length < 64 * 1024) output += d.toString('utf8');
    if (!(opts.quiet ?? true)) process.stderr.write(d);
  };
  out.on('data', collect);
  err.on('data', collect);

  let pid = 0;
  let spawnError: string | undefined;
  let resolvePid!: () => void;
  const pidKnown = new Promise<void>((r) => (resolvePid = r));
  let exitInfo: { code: number | null; signal: string | null } | undefined;
  let pending = '';
  events.on('data', (d: Buffer) => {
    pending += d.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const [kind, a, b] = line.split(' ');
      if (kind === 'pid') pid = Number(a);
      else if (kind === 'error') spawnError = line.slice(6);
      else if (kind === 'exit') exitInfo = { code: a === 'null' ? null : Number(a), signal: b === 'null' ? null : (b ?? null) };
      resolvePid();
    }
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    watchdog.once('close', (code, signal) => {
      resolvePid();
      resolve(exitInfo ?? { code, signal });
    });
  });
  watchdog.once('error', () => resolvePid());
  const alive = () => exitInfo === undefined && watchdog.exitCode === null && watchdog.signalCode === null;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (alive()) {
        toWatchdog.end();
        // The watchdog escalates to SIGKILL after 3 s; this is the backstop if the watchdog itself is gone.
        const timer = setTimeout(() => {
          signal(pid, 'SIGKILL');
          watchdog.kill('SIGKILL');
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    })());
  const kill = async () => {
    if (alive()) {
      if (pid) signal(pid, 'SIGKILL');
      else watchdog.kill('SIGKILL');
      await exited;
    }
  };

  try {
    await pidKnown;
    if (spawnError) throw new Error(`cannot start ${bin}: ${spawnError}`);
    await waitForListener(opts.unix ? { path: opts.unix } : { host, port }, alive, () => exitInfo, () => output, opts.startTimeout ?? 15000);
  } catch (e) {
    await kill();
    cleanup();
    throw e;
  }
  // Once it runs, our end of the pipes must not keep this process alive: when the process
  // ends, the watchdog sees end of file and stops the server.
  if (!opts.ref) {
    watchdog.unref();
    for (const s of [toWatchdog, out, err, events]) (s as net.Socket).unref();
  }
  return {
    host,
    port,
    unix: opts.unix,
    address: addr,
    url: opts.unix ? `unix://${opts.unix}` : `ledis://${host}:${port}`,
    pid,
    dataDir,
    bin,
    exited,
    output: () => output,
    stop,
    kill,
  };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    if (pid > 0) process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/**
 * Rejects when something already listens on the address: a TCP port that
 * cannot be bound on 127.0.0.1, or a unix socket path that accepts a connection.
 */
async function assertAddressFree(target: { host: string; port: number } | { path: string }): Promise<void> {
  if ('path' in target) {
    // sockaddr_un's sun_path holds 108 bytes with its NUL (Linux); LedisDB would exit at once with a bare bind error.
    if (Buffer.byteLength(target.path) > 107) throw new DataError(`startServer(options): unix socket path ${shown(target.path)} is ${Buffer.byteLength(target.path)} bytes; at most 107 fit (choose a shorter path)`);
    const folder = path.dirname(path.resolve(target.path));
    try {
      accessSync(folder, constants.W_OK | constants.X_OK);
    } catch {
      throw new DataError(`startServer(options): cannot create unix socket ${shown(target.path)}: its folder ${shown(folder)} ${existsSync(folder) ? 'is not writable' : 'does not exist'}`);
    }
    if (!existsSync(target.path)) return;
    const answered = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ path: target.path });
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (answered) throw new Error(`unix socket ${target.path} is in use: another process listens on it; pick another path with --unix or stop that process`);
    return;
  }
  // Something answering there (Go's listeners, for one, let a second bind with SO_REUSEADDR through on some systems).
  const answered = await new Promise<boolean>((resolve) => {
    const sock = net.connect({ host: target.host, port: target.port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
  if (answered) throw inUse(target);
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? inUse(target) : new Error(`cannot listen on ${target.host}:${target.port}: ${err.message}`));
    });
    srv.listen({ host: target.host, port: target.port, exclusive: true }, () => srv.close(() => resolve()));
  });
}

/** The errors made by inUse(), for startServer's retry. */
const inUseErrors = new WeakSet<Error>();

function inUse(target: { host: string; port: number }): Error {
  const e = new Error(`port ${target.port} on ${target.host} is in use: another process listens on it; pick another with --port or stop that process`);
  inUseErrors.add(e);
  return e;
}

async function waitForListener(
  target: net.NetConnectOpts,
  alive: () => boolean,
  exitInfo: () => { code: number | null; signal: string | null } | undefined,
  output: () => string,
  timeout: number,
): Promise<void> {
  const early = () => {
    const e = exitInfo();
    const text = output();
    // Taken between our check and the server's bind.
    if ('port' in target && /address already in use/.test(text)) return inUse({ host: String(target.host), port: Number(target.port) });
    // A ledis-server built with LedisDB's own go.mod (go-toml v1.0.1) panics reading a config file.
    const hint = /GetReadonly|nil pointer/.test(text)
      ? '\n(this ledis-server looks built with go-toml older than v1.9.4, which breaks config files: build it as `npx ledis server` does, or unset LEDIS_SERVER_BIN / remove it from PATH)'
      : '';
    return new Error(`ledis-server exited early (${e?.code ?? e?.signal ?? 'unknown'}):\n${text}${hint}`);
  };
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (!alive()) throw early();
    const ok = await new Promise<boolean>((resolve) => {
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
      if (!alive() || /address already in use/.test(output())) throw early();
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ledis-server did not accept connections within ${timeout / 1000} s:\n${output()}`);
}

