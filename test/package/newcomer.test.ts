// A newcomer's first minutes (issue 24's "done when"), in an empty folder with
// only Node, npm and Go: `npm i <packed tarball>`, then `npx ledis server`
// and README's Quick start gives a first reply; README's vitest globalSetup
// with ledis/testing and its test file pass as written. Also: the one-time Go
// build into the per-user cache (with the Go build cache warm, as this
// suite's own server build leaves it), the message when there is no Go, a
// taken port, and no server left behind when the process that started one
// is SIGKILLed.
//
// The server binary comes from LEDIS_SERVER_BIN (the repository's pinned
// build) except in the build test, so the suite stays fast.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { extractSnippets } from './snippets.js';
import { ROOT, packOnce } from './pack.js';
import { spawnAsync } from './spawn.js';

const BIN = path.join(ROOT, '.cache', 'bin', 'ledis-server');
const VERSION = 'v0.0.0-20200510135210-d35789ec47e6';
let dir: string;
let ledisJs: string;
const started: ChildProcess[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Polls `cond` every 100 ms until it holds or `ms` pass (a bound, not a timing assertion). */
async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(100);
  }
  return cond();
}
const refuses = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

/** Resolves with the first stdout line matching `re` of a started process (or rejects when it exits first). */
function lineOf(child: ChildProcess, re: RegExp, ms = 60_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${ms} ms:\n${out}\n${err}`)), ms);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before a line matching ${re}:\n${out}\n${err}`));
    });
  });
}

/** README's TypeScript block whose first line is `first`, as JavaScript. */
function readmeBlock(first: RegExp): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = extractSnippets(readme).find((s) => first.test(s.code.split('\n')[0]!));
  if (!block) throw new Error(`README.md has no block starting with ${first}`);
  return block.code;
}

beforeAll(async () => {
  const packed = await packOnce();
  dir = mkdtempSync(path.join(os.tmpdir(), 'ledis-newcomer-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'newcomer', private: true, type: 'module' }));
  const vitestVersion = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'vitest', 'package.json'), 'utf8')) as { version: string }).version;
  // What a user types (ledis, and vitest for their own suite), from the registry; npm's cache makes it quick.
  const res = await spawnAsync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', packed.tarball, `vitest@${vitestVersion}`], {
    cwd: dir,
    timeout: 240_000,
  });
  expect(res.status, `npm install:\n${res.stdout}\n${res.stderr}`).toBe(0);
  ledisJs = path.join(dir, 'node_modules', 'ledis', 'dist', 'cjs', 'cli', 'bin.js');
}, 300_000);

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a newcomer with the packed package', () => {
  it("`npx ledis server` in one terminal, README's Quick start in another: a first reply; Ctrl-C stops the server", async () => {
    // detached: its own process group, which Ctrl-C signals as a whole, as a terminal does.
    const server = spawn('npx', ['ledis', 'server', '--port', '0'], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LEDIS_SERVER_BIN: BIN },
    });
    started.push(server);
    let stderr = '';
    server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const m = await lineOf(server, /LedisDB listening on 127\.0\.0\.1:(\d+) \(ledis:\/\/127\.0\.0\.1:\d+\), memory backend, pid (\d+); Ctrl-C to stop/);
    const [port, pid] = [Number(m[1]), Number(m[2])];

    const quick = readmeBlock(/^import \{ Ledis \} from 'ledis';$/);
    expect(quick).toContain("new Ledis({ host: '127.0.0.1', port: 6380 })");
    const js = ts.transpileModule(quick.replace('port: 6380', `port: ${port}`).replace('await ledis.quit();', 'console.log(JSON.stringify([value, a, n]));\nawait ledis.quit();'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(path.join(dir, 'quickstart.mjs'), js);
    const run = await spawnAsync(process.execPath, ['quickstart.mjs'], { cwd: dir, timeout: 30_000 });
    expect({ status: run.status, stdout: run.stdout.trim() }, run.stderr).toEqual({ status: 0, stdout: '["hello","hello",1]' });

    // npx itself may die of the SIGINT (as in a terminal); `ledis server` stops the server and says so.
    process.kill(-server.pid!, 'SIGINT');
    expect(await until(() => stderr.includes('ledis server: stopped'), 15_000), stderr).toBe(true);
    expect(await until(() => !alive(pid), 10_000)).toBe(true);
    expect(await refuses(port)).toBe(true);
  }, 120_000);

  it("README's vitest globalSetup with ledis/testing and its test file pass as written, and leave no server behind", async () => {
    const proj = path.join(dir, 'suite');
    mkdirSync(proj, { recursive: true });
    writeFileSync(path.join(proj, 'vitest.global-setup.ts'), readmeBlock(/^\/\/ vitest\.global-setup\.ts/));
    writeFileSync(path.join(proj, 'greeting.test.ts'), readmeBlock(/^\/\/ greeting\.test\.ts/));
    writeFileSync(path.join(proj, 'vitest.config.mjs'), "export default { test: { globalSetup: ['./vitest.global-setup.ts'] } };\n");
    // The servers this vitest run starts inherit this mark in their environment.
    const mark = `newcomer-${process.pid}-${Date.now()}`;
    const res = await spawnAsync(path.join(dir, 'node_modules', '.bin', 'vitest'), ['run'], {
      cwd: proj,
      timeout: 120_000,
      env: { ...process.env, LEDIS_SERVER_BIN: BIN, CI: '1', NODE_OPTIONS: '', LEDIS_TEST_MARK: mark },
    });
    expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);
    expect(res.stdout).toMatch(/1 passed/);
    expect(await until(() => serverPids(mark).length === 0, 10_000), 'a ledis-server of the vitest run is still there').toBe(true);
  }, 180_000);

  it('a server started through ledis/testing stops when its parent is SIGKILLed, and when the parent just exits without stop()', async () => {
    writeFileSync(
      path.join(dir, 'parent.mjs'),
      "import { startServer } from 'ledis/testing';\n" +
        'const srv = await startServer();\n' +
        'console.log(JSON.stringify({ pid: srv.pid, port: srv.port, dataDir: srv.dataDir }));\n' +
        "if (process.argv[2] === 'stay') setInterval(() => {}, 1000);\n",
    );
    const env = { ...process.env, LEDIS_SERVER_BIN: BIN, NODE_OPTIONS: '' };
    const parent = spawn(process.execPath, ['parent.mjs', 'stay'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
    started.push(parent);
    const info = JSON.parse((await lineOf(parent, /\{.*\}\n/))[0]) as { pid: number; port: number; dataDir: string };
    expect(alive(info.pid)).toBe(true);
    expect(existsSync(info.dataDir)).toBe(true);
    expect(await refuses(info.port)).toBe(false);
    parent.kill('SIGKILL');
    expect(await until(() => !alive(info.pid), 15_000), 'the server outlived its SIGKILLed parent').toBe(true);
    expect(await refuses(info.port)).toBe(true);
    // The temporary data folder (its ledis.toml may hold a password) goes with the server.
    expect(await until(() => !existsSync(info.dataDir), 15_000), 'the data folder outlived the SIGKILLed parent').toBe(true);

    const forgetful = await spawnAsync(process.execPath, ['parent.mjs'], { cwd: dir, timeout: 30_000, env });
    expect(forgetful.status, forgetful.stderr).toBe(0);
    const { pid, dataDir } = JSON.parse(forgetful.stdout) as { pid: number; dataDir: string };
    expect(await until(() => !alive(pid), 15_000), 'the server outlived a parent that forgot stop()').toBe(true);
    expect(await until(() => !existsSync(dataDir), 15_000), 'the data folder outlived a parent that forgot stop()').toBe(true);
  }, 90_000);

  it('`ledis server` on a port a LedisDB already listens on exits 2 naming the port', async () => {
    const port = inject('ledisPort');
    const res = await spawnAsync(process.execPath, [ledisJs, 'server', '--port', String(port)], { cwd: dir, timeout: 30_000, env: { ...process.env, LEDIS_SERVER_BIN: BIN } });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    expect(res.stdout).not.toContain('listening');
  }, 60_000);

  it('without a ledis-server and without Go, `ledis server` exits 2 and prints the ways to get one', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'ledis-nopath-'));
    try {
      const res = await spawnAsync(process.execPath, [ledisJs, 'server'], {
        cwd: dir,
        timeout: 30_000,
        env: { HOME: process.env.HOME, PATH: empty, LEDIS_CACHE_DIR: path.join(empty, 'cache') },
      });
      expect(res.status).toBe(2);
      expect(res.stderr).toContain('No ledis-server found');
      expect(res.stderr).toContain(`go install github.com/ledisdb/ledisdb/cmd/ledis-server@${VERSION}`);
      expect(res.stderr).toContain(`cd ${path.join(dir, 'node_modules', 'ledis', 'tools', 'ledis-server')}`);
      expect(res.stderr).toContain('There is no official LedisDB container image');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 60_000);

  it('with Go and no ledis-server, `ledis server --build-only` builds the pinned LedisDB once into the per-user cache, with a progress line', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'ledis-usercache-'));
    try {
      const go = (await spawnAsync('go', ['env', 'GOROOT'])).stdout.trim();
      // Node, npm and Go only: no ledis-server on this PATH.
      const PATH = [path.join(go, 'bin'), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter);
      const env = { ...process.env, PATH, LEDIS_CACHE_DIR: cache, LEDIS_SERVER_BIN: '' };
      const first = await spawnAsync(process.execPath, [ledisJs, 'server', '--build-only'], { cwd: dir, timeout: 240_000, env });
      const built = path.join(cache, `ledis-server-${VERSION}`, 'ledis-server');
      expect({ status: first.status, stdout: first.stdout.trim() }, first.stderr).toEqual({ status: 0, stdout: built });
      expect(first.stderr).toMatch(new RegExp(`ledis server: building LedisDB ${VERSION} with .*go into `));
      expect(first.stderr).toMatch(/ledis server: built .* in [\d.]+ s/);
      const again = await spawnAsync(process.execPath, [ledisJs, 'server', '--build-only'], { cwd: dir, timeout: 30_000, env });
      expect({ status: again.status, stdout: again.stdout.trim(), stderr: again.stderr }).toEqual({ status: 0, stdout: built, stderr: '' });
      // The built server runs: started from its config file (the go-toml fix is in).
      const srv = spawn(process.execPath, [ledisJs, 'server', '--port', '0', '-q'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
      started.push(srv);
      const exited = new Promise<number | null>((r) => srv.once('exit', (code) => r(code)));
      await lineOf(srv, /LedisDB listening on 127\.0\.0\.1:\d+/);
      await sleep(1500); // go-toml v1.0.1's panic came about a second after start
      expect(srv.exitCode).toBeNull();
      srv.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 300_000);
});

/** Pids of running ledis-server processes whose environment holds LEDIS_TEST_MARK=mark (Linux /proc; elsewhere none). */
function serverPids(mark: string): number[] {
  const out: number[] = [];
  let names: string[] = [];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== 'ledis-server') continue;
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`LEDIS_TEST_MARK=${mark}`)) out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
