#!/usr/bin/env node
// `npm run flame`: profiles the driver's hot paths against a local LedisDB
// and writes flamegraphs/<profile>.html (clinic flame; 0x if clinic fails)
// and flamegraphs/top-frames.md (self time per function from a V8 CPU
// profile of the same run, so the note on top frames can cite numbers).
//   npm run flame [-- --seconds N] [--only get-c1000|zadd-pipeline]
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEDIS_SERVER_VERSION, startLedisServer } from '../tools/server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'flamegraphs');
const TARGET = path.join(ROOT, 'bench', 'flame-target.mjs');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const PROFILES = {
  'get-c1000': 'GET, 1000 concurrent callers on one connection, 64-byte values',
  'zadd-pipeline': '100,000 ZADD in one ledis.pipeline().zadd().exec(), repeated',
};

const argv = process.argv.slice(2);
const at = (f) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);
const seconds = Math.min(60, Number(at('--seconds') ?? 8));
const only = at('--only');
const names = Object.keys(PROFILES).filter((n) => !only || n === only);

/** Runs a command with a kill timer; resolves with its exit code. */
function run(cmd, args, env, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
    child.once('error', () => resolve('spawn-error'));
  });
}

/** clinic flame, or 0x when clinic fails; returns the tool used or null. */
async function flamegraph(name, env, tmp) {
  const dest = path.join(tmp, `clinic-${name}`);
  // NO_INSIGHT: clinic otherwise stops to ask about usage tracking.
  const code = await run(path.join(BIN, 'clinic'), ['flame', '--open=false', '--dest', dest, '--', process.execPath, TARGET, name, String(seconds)], { ...env, NO_INSIGHT: '1', NO_UPDATE_NOTIFIER: '1' }, 300_000);
  const html = code === 0 ? (safeList(dest).find((f) => f.endsWith('.clinic-flame.html')) ?? null) : null;
  if (html) {
    copyFileSync(path.join(dest, html), path.join(OUT, `${name}.html`));
    return `clinic flame ${readVersion('clinic')}`;
  }
  process.stderr.write(`clinic flame failed (${code}); trying 0x\n`);
  const dir = path.join(tmp, `0x-${name}`);
  const code0x = await run(path.join(BIN, '0x'), ['--output-dir', dir, '--', process.execPath, TARGET, name, String(seconds)], env, 300_000);
  if (code0x === 0 && safeList(dir).includes('flamegraph.html')) {
    copyFileSync(path.join(dir, 'flamegraph.html'), path.join(OUT, `${name}.html`));
    return `0x ${readVersion('0x')}`;
  }
  return null;
}

function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readVersion(pkg) {
  return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

/** Self time per function from a .cpuprofile, biggest first. */
function topFrames(profileFile, limit = 25) {
  const prof = JSON.parse(readFileSync(profileFile, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const node = byId.get(prof.samples[i]);
    const dt = prof.timeDeltas[i] ?? 0;
    const f = node.callFrame;
    if (f.functionName === '(idle)') continue;
    const file = f.url ? f.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '') : '';
    const key = `${f.functionName || '(anonymous)'}\t${file}${file ? `:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
  return { totalMs: total / 1000, rows: rows.map(([k, us]) => ({ fn: k.split('\t')[0], where: k.split('\t')[1], pct: (100 * us) / total })) };
}

async function cpuProfile(name, env, tmp) {
  const dir = path.join(tmp, `cpuprof-${name}`);
  const code = await run(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, TARGET, name, String(seconds)], env, 300_000);
  const file = safeList(dir).find((f) => f.endsWith('.cpuprofile'));
  if (code !== 0 || !file) return null;
  return topFrames(path.join(dir, file));
}

/** The commit the driver was built from, marked when src/ had uncommitted changes. */
function gitDescribe() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout?.toString().trim();
  if (!head) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', 'src'], { cwd: ROOT }).stdout?.toString().trim();
  return dirty ? `${head} + uncommitted changes in src/` : head;
}

const commit = gitDescribe();
mkdirSync(OUT, { recursive: true });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ledis-flame-'));
const server = await startLedisServer({ quiet: true });
const env = { LEDIS_URL: server.url };
const sections = [];
try {
  for (const name of names) {
    process.stderr.write(`profiling ${name} (${seconds} s)...\n`);
    const tool = await flamegraph(name, env, tmp);
    const top = await cpuProfile(name, env, tmp);
    sections.push({ name, tool, top });
    process.stderr.write(`${name}: flamegraph ${tool ? `flamegraphs/${name}.html (${tool})` : 'FAILED'}\n`);
  }
} finally {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}

const md = [
  '# Top frames (generated by `npm run flame`)',
  '',
  `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${os.availableParallelism?.() ?? os.cpus().length} cores, LedisDB ${LEDIS_SERVER_VERSION} (memory backend, 1 MiB socket buffers), ${seconds} s per profile, driver built from ${commit}. Self time of each function in a V8 CPU profile (\`node --cpu-prof\`) of a second run of the same load, idle excluded; the flamegraphs come from the clinic/0x run.`,
];
for (const s of sections) {
  md.push('', `## ${s.name}: ${PROFILES[s.name]}`, '', `Flamegraph: [${s.name}.html](${s.name}.html) (${s.tool ?? 'not produced'})`, '');
  if (!s.top) {
    md.push('CPU profile not produced.');
    continue;
  }
  md.push(`${s.top.totalMs.toFixed(0)} ms of non-idle samples.`, '', '| self % | function | where |', '| ---: | --- | --- |');
  for (const r of s.top.rows) md.push(`| ${r.pct.toFixed(1)} | \`${r.fn}\` | ${r.where} |`);
}
writeFileSync(path.join(OUT, 'top-frames.md'), md.join('\n') + '\n');
process.stderr.write(`wrote flamegraphs/top-frames.md\n`);
if (sections.some((s) => !s.tool)) process.exitCode = 1;
