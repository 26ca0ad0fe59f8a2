#!/usr/bin/env node
// `npm run server` and the LedisDB starter of the test suite, the fault
// tests and the benchmarks: a thin caller of the package's own code
// (src/testing/ and src/cli/server.ts, loaded through tools/ts-load.mjs),
// so the repository and `npx ledis server` / `ledis/testing` run one
// implementation. The repository builds the pinned LedisDB
// (tools/ledis-server/go.mod) into .cache/bin/ instead of the per-user cache,
// and never takes a ledis-server from PATH: its tests run the pinned version.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSource } from './ts-load.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_BIN = path.join(ROOT, '.cache', 'bin');

const testing = await loadSource(['testing/index.ts', 'testing/server.ts', 'testing/binary.ts', 'errors.ts', 'suggest.ts']);
const cli = await loadSource(['cli/server.ts', 'cli/flags.ts', 'suggest.ts', 'testing/server.ts', 'testing/binary.ts', 'errors.ts']);

/** @typedef {import('../src/testing/server.js').ServerOptions} ServerOptions */
/** @typedef {import('../src/testing/server.js').RunningServer} RunningServer */

/** The pseudo-version pinned in tools/ledis-server/go.mod. */
export const LEDIS_SERVER_VERSION = testing.LEDIS_SERVER_VERSION;
export const freePort = testing.freePort;

/** How the repository finds its ledis-server: the pinned build in .cache/bin (built once), nothing from PATH. */
export const REPO_FIND = Object.freeze({
  binDir: CACHE_BIN,
  usePath: false,
  goModDir: path.join(ROOT, 'tools', 'ledis-server'),
  onProgress: (/** @type {string} */ line) => process.stderr.write(`${line}\n`),
  env: { ...process.env, LEDIS_SERVER_BIN: '' },
});

/** @returns {Promise<string>} the path of the repository's pinned ledis-server, built once */
export async function ensureLedisServer() {
  return (await testing.findLedisServer(REPO_FIND)).bin;
}

/**
 * Starts the repository's pinned ledis-server (see src/testing/server.ts for
 * the options and what it resolves to). The server's log is echoed unless
 * `quiet`.
 * @param {ServerOptions} [opts]
 * @returns {Promise<RunningServer>}
 */
export async function startLedisServer(opts = {}) {
  return testing.startServer({ ...opts, quiet: opts.quiet ?? false, bin: opts.bin ?? (await ensureLedisServer()) });
}

/**
 * Builds a Go command pinned by `tools/<dir>/go.mod` into `.cache/bin/<name>`
 * unless it is there already (Toxiproxy; LedisDB goes through
 * ensureLedisServer). Builds into a temporary name and renames, so two
 * processes racing here never run a half-written binary.
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

/**
 * Stops a child process we started: SIGTERM, then SIGKILL if it is still
 * there after 3 s; resolves once it has exited (`exited` settles on 'exit').
 * @param {import('node:child_process').ChildProcess} child
 * @param {Promise<unknown>} exited
 */
export async function terminate(child, exited) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, isTTY: process.stderr.isTTY === true };
  cli.serverCommand(process.argv.slice(2), io, { find: REPO_FIND }).then(
    (/** @type {number} */ code) => {
      process.exitCode = code;
    },
    (/** @type {Error} */ err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 2;
    },
  );
}
