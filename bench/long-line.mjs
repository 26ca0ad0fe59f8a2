// One very long line through `ledis load` (issue 25 point 1): a 50 MB
// argument in `text` and `resp` (inline) format, which must load in time
// linear in its size, and a 200 MB line over the default --max-line (64 MiB),
// which must be that line's error, with the lines around it loaded, memory
// bounded and a summary. Reports wall time, peak RSS (VmHWM) and exit code.
//
//   npm run build && node bench/long-line.mjs [--mb 50] [--big-mb 200]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ledis } from '../dist/index.js';
import { startLedisServer } from '../tools/server.mjs';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cjs', 'cli', 'bin.js');
const arg = (name, d) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? d : Number(process.argv[i + 1]);
};
const MB = arg('--mb', 50);
const BIG = arg('--big-mb', 200);

async function writeLine(file, before, size, after) {
  const out = createWriteStream(file);
  out.write(before);
  const block = Buffer.alloc(1 << 20, 'x');
  for (let left = size; left > 0; left -= block.length) if (!out.write(left >= block.length ? block : block.subarray(0, left))) await once(out, 'drain');
  out.end(after);
  await once(out, 'finish');
}

function hwm(pid) {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function run(args) {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let peak = 0;
  const t = setInterval(() => (peak = Math.max(peak, hwm(child.pid))), 20);
  const [code] = await once(child, 'exit');
  clearInterval(t);
  return { code, s: (Date.now() - started) / 1000, peakMiB: Math.round(peak / 1024), out: out.trim().split('\n').slice(-3).join(' / ') };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'ledis-long-line-'));
const server = await startLedisServer({ quiet: true });
const c = new Ledis({ port: server.port });
try {
  const rows = [];
  const text = path.join(dir, 'long.text');
  await writeLine(text, 'SET before 1\nSET long ', MB * 1e6, '\nSET after 1\n');
  rows.push(['text, ' + MB + ' MB argument', await run(['load', text, '--port', String(server.port), '--quiet']), (await c.strlen('long')) === MB * 1e6]);
  const inline = path.join(dir, 'long.resp');
  await writeLine(inline, '*3\r\n$3\r\nSET\r\n$6\r\nbefore\r\n$1\r\n2\r\nSET long2 ', MB * 1e6, '\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n2\r\n');
  rows.push(['resp inline, ' + MB + ' MB argument', await run(['load', inline, '--port', String(server.port), '--quiet']), (await c.strlen('long2')) === MB * 1e6]);
  const big = path.join(dir, 'big.text');
  await writeLine(big, 'SET before 3\nSET big ', BIG * 1e6, '\nSET after 3\n');
  rows.push([`text, ${BIG} MB line over --max-line (64 MiB)`, await run(['load', big, '--port', String(server.port), '--quiet']), (await c.get('after')) === '3' && (await c.get('big')) === null]);
  console.log(`Run ${new Date().toISOString()}, node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  console.log('| input | wall s | peak RSS MiB | exit | as expected | output |\n| --- | --- | --- | --- | --- | --- |');
  for (const [name, r, ok] of rows) console.log(`| ${name} | ${r.s.toFixed(1)} | ${r.peakMiB} | ${r.code} | ${ok ? 'yes' : 'NO'} | ${r.out.replace(/\|/g, '/')} |`);
} finally {
  await c.quit();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
