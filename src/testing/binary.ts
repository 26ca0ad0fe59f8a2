// Where the ledis-server binary comes from: LEDIS_SERVER_BIN, `ledis-server`
// on PATH, or a build of the pinned LedisDB with Go into a per-user cache
// folder (once). One home for `npx ledis server`, `ledis/testing`, and this
// repository's own scripts and tests (tools/server.mjs calls this code).
//
// Node built-ins only: tools/server.mjs runs this file before the package is
// built (see tools/ts-load.mjs), so it imports nothing else from src/.
import { spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The LedisDB version this package is tested against: the Go pseudo-version
 * of commit d35789ec47e6 (2020-05-10) of github.com/ledisdb/ledisdb, pinned
 * in tools/ledis-server/go.mod together with go-toml v1.9.5 (LedisDB's own
 * go.mod pins go-toml v1.0.1, whose decoder makes the server panic about a
 * second after it starts from a config file).
 */
export const LEDIS_SERVER_VERSION = 'v0.0.0-20200510135210-d35789ec47e6';

/** The go-toml version our go.mod raises LedisDB's dependency to (see LEDIS_SERVER_VERSION). */
export const GO_TOML_VERSION = 'v1.9.5';

const PKG = 'github.com/ledisdb/ledisdb/cmd/ledis-server';
const EXE = process.platform === 'win32' ? 'ledis-server.exe' : 'ledis-server';

/** Thrown when no ledis-server can be found or built; its message lists the ways to get one. */
export class NoLedisServerError extends Error {
  override name = 'NoLedisServerError';
}

export interface FindOptions {
  /** Environment to read LEDIS_SERVER_BIN, PATH and the cache location from (default process.env). */
  env?: Record<string, string | undefined>;
  /**
   * Folder holding the built binary (`<binDir>/ledis-server`); default: the
   * per-user cache folder, `defaultBinDir()`.
   */
  binDir?: string;
  /** Build with Go when no binary is found (default true). */
  build?: boolean;
  /** Look on PATH (default true; this repository's tests use their own pinned build). */
  usePath?: boolean;
  /** Receives progress lines (the build's start and end, Go's own output); default: none. */
  onProgress?: (line: string) => void;
  /** Folder with the go.mod, go.sum and tools.go pinning the version (default: the package's tools/ledis-server). */
  goModDir?: string;
}

/** Where a found binary came from. */
export type BinarySource = 'LEDIS_SERVER_BIN' | 'PATH' | 'cache' | 'built';

/**
 * The per-user cache folder for the built server:
 * `$LEDIS_CACHE_DIR`, else `$XDG_CACHE_HOME/ledis` (Linux; default ~/.cache/ledis),
 * `~/Library/Caches/ledis` (macOS), `%LOCALAPPDATA%\ledis` (Windows), each
 * followed by `ledis-server-<LEDIS_SERVER_VERSION>`.
 */
export function defaultBinDir(env: Record<string, string | undefined> = process.env): string {
  let base: string;
  if (env.LEDIS_CACHE_DIR) base = env.LEDIS_CACHE_DIR;
  else if (process.platform === 'darwin') base = path.join(os.homedir(), 'Library', 'Caches', 'ledis');
  else if (process.platform === 'win32') base = path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'ledis');
  else base = path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'ledis');
  return path.join(base, `ledis-server-${LEDIS_SERVER_VERSION}`);
}

/** The package's own tools/ledis-server folder (shipped in the tarball), when this file runs from dist/cjs/testing/. */
function packagedGoModDir(): string | undefined {
  if (typeof __dirname === 'undefined') return undefined;
  const dir = path.resolve(__dirname, '..', '..', '..', 'tools', 'ledis-server');
  return existsSync(path.join(dir, 'go.mod')) ? dir : undefined;
}

function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `name` on the PATH of `env`, or undefined. */
export function onPath(name: string, env: Record<string, string | undefined>): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return undefined;
}

/**
 * The ways to get a ledis-server, as printed when none is found (exact
 * commands, with the pinned versions).
 */
export function howToGetLedisServer(binDir = defaultBinDir(), goModDir = packagedGoModDir() ?? 'node_modules/ledis/tools/ledis-server'): string {
  return `No ledis-server found: LEDIS_SERVER_BIN is not set, there is no ledis-server on PATH,
none is built in ${binDir}, and Go is not installed (no go on PATH).

Ways to get one:
  1. Install Go 1.21 or newer (https://go.dev/dl/) and run this again: it builds
     LedisDB ${LEDIS_SERVER_VERSION} once into
     ${binDir} (about a minute).
  2. Build it yourself from this package's pin (go.mod and go.sum: LedisDB
     ${LEDIS_SERVER_VERSION} with go-toml ${GO_TOML_VERSION}):
       cd ${goModDir}
       GOFLAGS=-mod=mod go build -o "$HOME/.local/bin/ledis-server" ${PKG}
     then put it on PATH or set LEDIS_SERVER_BIN="$HOME/.local/bin/ledis-server".
  3. \`go install ${PKG}@${LEDIS_SERVER_VERSION}\`
     gives the same server but with LedisDB's own go-toml v1.0.1, which panics
     about a second after starting from a config file (how ledis starts it):
     use it only with your own command-line flags, not with \`ledis server\`.
There is no official LedisDB container image; LedisDB's repository
(https://github.com/ledisdb/ledisdb) has a Dockerfile to build one yourself.`;
}

/**
 * Finds a ledis-server binary, in this order: `LEDIS_SERVER_BIN`, `ledis-server`
 * on PATH, an earlier build in `binDir`; else builds LedisDB
 * {@link LEDIS_SERVER_VERSION} with Go into `binDir` (once: later calls find it).
 * Two processes building at once each build into a temporary name and rename,
 * so neither ever runs a half-written file.
 * @returns the binary's absolute path and where it came from
 * @throws NoLedisServerError when none is found and Go is missing (or `build: false`);
 *   an Error when LEDIS_SERVER_BIN names no executable file or the Go build fails
 */
export async function findLedisServer(options: FindOptions = {}): Promise<{ bin: string; source: BinarySource }> {
  const env = options.env ?? process.env;
  const explicit = env.LEDIS_SERVER_BIN;
  if (explicit) {
    const bin = path.resolve(explicit);
    if (!executable(bin)) throw new Error(`LEDIS_SERVER_BIN is ${JSON.stringify(explicit)}, which is not an executable file`);
    return { bin, source: 'LEDIS_SERVER_BIN' };
  }
  if (options.usePath !== false) {
    const bin = onPath(EXE, env);
    if (bin) return { bin, source: 'PATH' };
  }
  const binDir = options.binDir ?? defaultBinDir(env);
  const cached = path.join(binDir, EXE);
  if (executable(cached)) return { bin: cached, source: 'cache' };
  const go = onPath(process.platform === 'win32' ? 'go.exe' : 'go', env);
  if (options.build === false || !go) throw new NoLedisServerError(howToGetLedisServer(binDir));
  const goModDir = options.goModDir ?? packagedGoModDir();
  if (!goModDir) throw new Error('cannot build ledis-server: the go.mod pinning LedisDB (tools/ledis-server) is not found next to this package');
  await buildLedisServer({ go, goModDir, binDir, env, onProgress: options.onProgress ?? (() => {}) });
  return { bin: cached, source: 'built' };
}

/** Builds the pinned LedisDB with Go into `<binDir>/ledis-server`. */
async function buildLedisServer(o: {
  go: string;
  goModDir: string;
  binDir: string;
  env: Record<string, string | undefined>;
  onProgress: (line: string) => void;
}): Promise<void> {
  mkdirSync(o.binDir, { recursive: true });
  // The go.mod is copied to a scratch folder: the package folder may be read-only, and -mod=mod may touch go.sum.
  const work = mkdtempSync(path.join(o.binDir, 'build-'));
  const target = path.join(o.binDir, EXE);
  const tmp = `${target}.tmp-${process.pid}`;
  const started = Date.now();
  try {
    for (const f of ['go.mod', 'go.sum', 'tools.go']) copyFileSync(path.join(o.goModDir, f), path.join(work, f));
    o.onProgress(`building LedisDB ${LEDIS_SERVER_VERSION} with ${o.go} into ${o.binDir} (once; about a minute with an empty Go module cache)...`);
    const status = await new Promise<number | string>((resolve, reject) => {
      const child = spawn(o.go, ['build', '-o', tmp, PKG], {
        cwd: work,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...o.env, GOFLAGS: o.env.GOFLAGS ? `${o.env.GOFLAGS} -mod=mod` : '-mod=mod' },
      });
      const forward = (d: Buffer) => {
        for (const line of d.toString('utf8').split('\n')) if (line.trim()) o.onProgress(`  go: ${line}`);
      };
      child.stdout.on('data', forward);
      child.stderr.on('data', forward);
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
    if (status !== 0) throw new Error(`go build of ${PKG}@${LEDIS_SERVER_VERSION} failed (exit ${status}); Go's output is above`);
    renameSync(tmp, target);
    o.onProgress(`built ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(tmp, { force: true });
  }
}
