// Packs the package once per test run, as a user would get it: `npm pack`
// (which builds through `prepack`) into a temporary folder, then the tarball
// extracted into <dir>/consumer/node_modules/ledis. Offline: instead of
// `npm install`, the runtime dependencies (package.json's dependencies) and
// @types/node are linked from this repository's node_modules.
//
// Test files run in parallel worker processes of one vitest run; the first to
// get here packs (an atomic mkdir is the lock), the others wait for it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnAsync } from './spawn.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface Packed {
  /** The folder holding the tarball, pack.json and consumer/. */
  dir: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Packed (gzipped) size in bytes. */
  size: number;
  unpackedSize: number;
  /** Paths inside the package, as `npm pack --json` lists them. */
  files: string[];
  /** A folder whose node_modules/ holds the extracted package; consumers live in sub-folders of it. */
  consumer: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Packs once per vitest run (keyed by the vitest main process) and returns where. */
export async function packOnce(): Promise<Packed> {
  const base = path.join(os.tmpdir(), `ledis-pack-${runId()}`);
  const ready = path.join(base, 'pack.json');
  const lock = `${base}.lock`;
  let mine = false;
  try {
    mkdirSync(lock);
    mine = true;
  } catch {
    // another worker of this run is packing
  }
  if (mine) {
    removeStale();
    rmSync(base, { recursive: true, force: true });
    mkdirSync(base, { recursive: true });
    try {
      writeFileSync(ready, JSON.stringify(await pack(base)));
    } catch (err) {
      writeFileSync(path.join(base, 'failed'), String((err as Error).stack ?? err));
      throw err;
    }
  } else {
    const deadline = Date.now() + 180_000;
    while (!existsSync(ready)) {
      if (existsSync(path.join(base, 'failed'))) throw new Error(`packing failed in another worker: ${readFileSync(path.join(base, 'failed'), 'utf8')}`);
      if (Date.now() > deadline) throw new Error('timed out waiting for another worker to pack');
      await sleep(200);
    }
  }
  return JSON.parse(readFileSync(ready, 'utf8')) as Packed;
}

/**
 * The vitest run: its main process (the parent of every worker), with that
 * process's start time where /proc has it, so a reused pid never finds an
 * earlier run's tarball.
 */
function runId(): string {
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${process.ppid}-${fields[19]}`;
  } catch {
    return String(process.ppid);
  }
}

async function pack(base: string): Promise<Packed> {
  const res = await spawnAsync('npm', ['pack', '--json', '--pack-destination', base], { cwd: ROOT, timeout: 150_000 });
  if (res.status !== 0) throw new Error(`npm pack exited ${res.status ?? res.signal}:\n${res.stdout}\n${res.stderr}`);
  const out = res.stdout;
  // `npm pack --json` prints the prepack script's output before the JSON array.
  const json = JSON.parse(out.slice(out.indexOf('\n[') + 1 || out.indexOf('['))) as Array<{
    filename: string;
    size: number;
    unpackedSize: number;
    files: Array<{ path: string }>;
  }>;
  const info = json[0]!;
  const tarball = path.join(base, info.filename);
  const consumer = path.join(base, 'consumer');
  const pkgDir = path.join(consumer, 'node_modules', 'ledis');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  mkdirSync(path.join(consumer, 'node_modules', '@types'), { recursive: true });
  // Every runtime dependency of package.json (denque, hashring, ...), as an install would bring them.
  const dependencies = Object.keys((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
  for (const dep of dependencies) {
    mkdirSync(path.dirname(path.join(consumer, 'node_modules', dep)), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(consumer, 'node_modules', dep), 'dir');
  }
  symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(consumer, 'node_modules', '@types', 'node'), 'dir');
  // For the OpenTelemetry examples (README, docs/opentelemetry.md) and ledis/otel's tests: the API and the SDK packages.
  mkdirSync(path.join(consumer, 'node_modules', '@opentelemetry'), { recursive: true });
  for (const name of readdirSync(path.join(ROOT, 'node_modules', '@opentelemetry'))) {
    symlinkSync(path.join(ROOT, 'node_modules', '@opentelemetry', name), path.join(consumer, 'node_modules', '@opentelemetry', name), 'dir');
  }
  return {
    dir: base,
    tarball,
    size: info.size,
    unpackedSize: info.unpackedSize,
    files: info.files.map((f) => f.path),
    consumer,
  };
}

/** Removes pack folders of earlier runs (older than an hour) from the temp dir. */
function removeStale(): void {
  const tmp = os.tmpdir();
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith('ledis-pack-')) continue;
    const p = path.join(tmp, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
}
