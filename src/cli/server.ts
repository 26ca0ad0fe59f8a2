// `ledis server`: a LedisDB for development, in the foreground until Ctrl-C.
// The binary comes from LEDIS_SERVER_BIN, PATH, or a one-time Go build of the
// pinned version into a per-user cache folder (src/testing/binary.ts); the
// server is started by the same code as `ledis/testing` (src/testing/server.ts).
//
// Imports only src/testing/ and Node built-ins: tools/server.mjs (the
// repository's `npm run server`) runs this file before the package is built.
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseFlags } from './flags.js';
import type { FindOptions } from '../testing/binary.js';
import { findLedisServer, LEDIS_SERVER_VERSION } from '../testing/binary.js';
import { startServer, type ServerOptions } from '../testing/server.js';
import type { CliIO } from './io.js';

/** LedisDB's own default port, and `ledis server`'s. */
export const DEFAULT_PORT = 6380;

export const serverHelp = `Usage: ledis server [options]

Runs a LedisDB server on 127.0.0.1 in the foreground for development; Ctrl-C
stops it. The ledis-server binary is LEDIS_SERVER_BIN, else ledis-server on
PATH, else LedisDB ${LEDIS_SERVER_VERSION} built once with Go
into a per-user cache folder ($LEDIS_CACHE_DIR, default ~/.cache/ledis).

Options:
      --port N             TCP port on 127.0.0.1 (default ${DEFAULT_PORT}; 0: a free one)
      --unix PATH          listen on a unix socket instead of TCP
      --password P         require AUTH P (never printed)
      --backend B          memory (default) | goleveldb
      --data-dir DIR       keep the data in DIR (default: a temporary folder,
                           removed on exit)
      --databases N        number of databases (default 16)
      --tls-cert FILE      PEM certificate: serve TLS (with --tls-key)
      --tls-key FILE       PEM private key
      --buffer-size BYTES  socket read/write buffers (default 1048576)
      --rpl                keep a binlog for replicas (use_replication)
      --slaveof HOST:PORT  replicate this master
      --readonly           refuse writes
      --build-only         find or build the binary, print its path, exit
  -q, --quiet              do not echo the server's log
      --help               this text

Exit status: 0 after Ctrl-C (or SIGTERM, or when its parent process dies),
1 when the server stops by itself, 2 for a usage error, a taken port, or when
no ledis-server can be found or built (the message lists the ways to get one).`;

const serverFlags = {
  port: { type: 'string' },
  unix: { type: 'string' },
  password: { type: 'string' },
  backend: { type: 'string' },
  'data-dir': { type: 'string' },
  databases: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'buffer-size': { type: 'string' },
  rpl: { type: 'boolean' },
  slaveof: { type: 'string' },
  readonly: { type: 'boolean' },
  'build-only': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean' },
} as const;

/** A usage error: printed as its message, exit status 2. */
class UsageError extends Error {
  code = 'ERR_PARSE_ARGS_SERVER';
}

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${name}: got ${JSON.stringify(v)}; expected an integer ${min} to ${max}`);
  return n;
}

/** The server options the command line asks for. */
export function serverOptions(argv: readonly string[]): { options: ServerOptions; buildOnly: boolean; help: boolean } {
  const { values: v, positionals } = parseFlags(argv, serverFlags);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}; run ledis server --help`);
  const options: ServerOptions = {};
  if (v.unix !== undefined && v.port !== undefined) throw new UsageError('--unix and --port exclude each other');
  if (v.unix !== undefined) options.unix = path.resolve(v.unix);
  else options.port = int('port', v.port, 0, 65535) ?? DEFAULT_PORT;
  if (options.port === 0) delete options.port;
  if (v.password !== undefined) options.password = v.password;
  if (v.backend !== undefined) {
    if (v.backend !== 'memory' && v.backend !== 'goleveldb') throw new UsageError(`--backend: got ${JSON.stringify(v.backend)}; expected memory or goleveldb`);
    options.backend = v.backend;
  }
  if (v['data-dir'] !== undefined) {
    options.dataDir = path.resolve(v['data-dir']);
    let isDir: boolean | undefined;
    try {
      isDir = statSync(options.dataDir).isDirectory();
    } catch {
      // Missing: created when the server starts.
    }
    if (isDir === false) throw new UsageError(`--data-dir: ${JSON.stringify(v['data-dir'])} exists and is not a folder`);
  }
  const databases = int('databases', v.databases, 1, 10240);
  if (databases !== undefined) options.databases = databases;
  const buffer = int('buffer-size', v['buffer-size'], 1, 1 << 30);
  if (buffer !== undefined) options.bufferSize = buffer;
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (v['tls-cert'] !== undefined && v['tls-key'] !== undefined) options.tls = { cert: path.resolve(v['tls-cert']), key: path.resolve(v['tls-key']) };
  if (v.rpl) options.replication = true;
  if (v.slaveof !== undefined) options.slaveof = v.slaveof;
  if (v.readonly) options.readonly = true;
  options.quiet = v.quiet === true;
  return { options, buildOnly: v['build-only'] === true, help: v.help === true };
}

/** Hooks for callers that are not the `ledis` bin (tools/server.mjs, tests). */
export interface ServerCommandHooks {
  /** How to find the binary (tools/server.mjs: the repository's .cache/bin build). */
  find?: FindOptions;
  /** Resolves when the command should stop the server (default: SIGINT or SIGTERM). */
  stopSignal?: Promise<unknown>;
}

/**
 * `ledis server [options]`: resolves to the exit code once the server has
 * stopped (0 after Ctrl-C/SIGTERM, 1 when it stopped by itself, 2 for usage
 * errors, a taken port, or no binary).
 */
export async function serverCommand(argv: readonly string[], io: CliIO, hooks: ServerCommandHooks = {}): Promise<number> {
  const { options, buildOnly, help } = serverOptions(argv);
  if (help) {
    io.stdout.write(serverHelp + '\n');
    return 0;
  }
  const progress = (line: string) => io.stderr.write(`ledis server: ${line}\n`);
  let bin: string;
  try {
    ({ bin } = await findLedisServer({ env: io.env, onProgress: progress, ...hooks.find }));
  } catch (err) {
    // No binary (the message lists the ways to get one), a wrong LEDIS_SERVER_BIN, a failed Go build.
    io.stderr.write(`ledis server: ${(err as Error).message}\n`);
    return 2;
  }
  if (buildOnly) {
    io.stdout.write(bin + '\n');
    return 0;
  }
  // Our own handlers, set before the server starts: Ctrl-C reaches the whole process group.
  let stopRequested = false;
  let onStop!: () => void;
  const stopSignal = new Promise<void>((r) => (onStop = r));
  const handler = () => {
    stopRequested = true;
    onStop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  void hooks.stopSignal?.then(handler);
  // A parent that dies without passing a signal on (npx's `npm exec` does not forward SIGTERM;
  // SIGKILL never is) would leave us, reparented, holding the port: a changed ppid means it is gone.
  const parentPid = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid !== parentPid) handler();
  }, 500);
  orphanCheck.unref();
  try {
    let server;
    try {
      server = await startServer({ ...options, bin, ref: true });
    } catch (err) {
      // A taken port or socket (2), or the server exiting early, with its output (1; the output was echoed already unless -q).
      let m = (err as Error).message;
      if (!options.quiet && m.startsWith('ledis-server exited early')) {
        const hint = m.lastIndexOf('\n(this ledis-server');
        m = `${m.slice(0, m.indexOf(':\n'))}; its output is above${hint > 0 ? m.slice(hint) : ''}`;
      }
      io.stderr.write(`ledis server: ${m}\n`);
      return / is in use: /.test(m) || (err as Error).name === 'DataError' ? 2 : 1;
    }
    const where = server.unix ? server.unix : server.address;
    io.stdout.write(
      `LedisDB listening on ${where} (${server.url}), ${options.backend ?? 'memory'} backend${options.password !== undefined ? ', password required' : ''}${options.tls ? ', TLS' : ''}, pid ${server.pid}; Ctrl-C to stop\n`,
    );
    const outcome = await Promise.race([stopSignal.then(() => 'stop' as const), server.exited.then(() => 'exited' as const)]);
    const ended = await (outcome === 'stop' ? server.stop().then(() => server.exited) : server.exited);
    await server.stop();
    if (stopRequested) {
      io.stderr.write('ledis server: stopped\n');
      return 0;
    }
    // Any exit we did not ask for is a failure, whatever its own exit code.
    io.stderr.write(`ledis server: ledis-server exited unexpectedly (${ended.code ?? ended.signal}); its output is above\n`);
    return 1;
  } finally {
    clearInterval(orphanCheck);
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
