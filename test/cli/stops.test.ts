// `ledis load` stopping early, run as the packed `ledis` command against the
// real server: Ctrl-C (the resume point and what may have run), a read error
// after progress (a truncated .gz), an --errors file that cannot be written
// (/dev/full), many failures at once without MaxListenersExceededWarning.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packOnce } from '../package/pack.js';
import { spawnAsync } from '../package/spawn.js';
import { client, prefix, serverAddress } from '../helpers.js';
import { tempDir } from './run.js';

let bin: string;
const ledis = client();
const tmp = tempDir('stops');
beforeAll(async () => {
  const packed = await packOnce();
  const pkgDir = path.join(packed.consumer, 'node_modules', 'ledis');
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  bin = path.join(pkgDir, pkg.bin.ledis as string);
}, 180_000);
afterAll(async () => {
  await ledis.quit();
  tmp.remove();
});
const url = () => `ledis://${serverAddress().host}:${serverAddress().port}`;

describe('ledis load stopping early', () => {
  it('first Ctrl-C: stops reading, lets what is in flight settle, prints the summary and the exact --skip; exit 130', async () => {
    const p = prefix('sigint');
    const child = spawn(process.execPath, [bin, 'load', '-', '--url', url()], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // 2,000 lines, then the input stays open: only Ctrl-C ends this load.
    child.stdin.write(Array.from({ length: 2000 }, (_, i) => `SET ${p}${i + 1} ${i + 1}\n`).join(''));
    let applied = false;
    for (let i = 0; i < 200 && !applied; i++) {
      applied = (await ledis.get(`${p}2000`)) === '2000';
      if (!applied) await new Promise((r) => setTimeout(r, 50));
    }
    expect(applied).toBe(true);
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await closed;
    clearTimeout(timer);
    child.stdin.destroy();
    expect(code).toBe(130);
    expect(stdout).toMatch(/2000 lines, 2000 commands, 2000 succeeded, 0 failed/);
    expect(stdout).toMatch(/resume with --skip 2000\b/);
    expect(stdout).toMatch(/interrupted \(SIGINT\)/);
    expect(stderr).toMatch(/interrupted: stopped reading/);
  }, 60_000);

  it('a truncated .gz after progress: the counts, the read error and where to resume, exit 3 (not 2)', async () => {
    const p = prefix('trunc');
    const text = Array.from({ length: 40_000 }, (_, i) => `SET ${p}${i + 1} v${i}-${'x'.repeat(i % 50)}`).join('\n') + '\n';
    const gz = gzipSync(text, { level: 1 });
    const file = tmp.file('trunc.text.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const r = await spawnAsync(process.execPath, [bin, 'load', file, '--url', url()], { timeout: 60_000 });
    expect(r.status).toBe(3);
    const m = /read error after line (\d+): unexpected end of file/.exec(r.stdout);
    expect(m).not.toBeNull();
    const last = Number(m?.[1]);
    expect(last).toBeGreaterThan(1000);
    expect(r.stdout).toMatch(new RegExp(`${last} lines, ${last} commands, ${last} succeeded, 0 failed`));
    expect(r.stdout).toContain(`resume with --skip ${last}`);
    expect(await ledis.get(`${p}${last}`)).not.toBeNull();
    expect(await ledis.get(`${p}${last + 1}`)).toBeNull();
  }, 90_000);

  it.skipIf(!existsSync('/dev/full'))(
    'an --errors file that cannot be written (/dev/full): a summary, exit 3, no unhandled rejection, no MaxListenersExceededWarning',
    async () => {
      const p = prefix('full');
      await ledis.set(`${p}s`, 'text');
      // 3,000 server-side failures arriving at once, then good lines.
      const lines = [...Array.from({ length: 3000 }, () => `INCR ${p}s`), ...Array.from({ length: 100 }, (_, i) => `SET ${p}ok${i} 1`)];
      const r = await spawnAsync(process.execPath, [bin, 'load', '-', '--url', url(), '--errors', '/dev/full'], { input: lines.join('\n') + '\n', timeout: 60_000 });
      expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|Unhandled|\n\s+at /);
      expect(r.stdout).toMatch(/cannot write \/dev\/full: .*ENOSPC/);
      expect(r.stdout).toMatch(/\d+ lines, \d+ commands, \d+ succeeded, \d+ failed/);
      expect(r.stdout).toMatch(/resume with --skip \d+/);
      expect(r.status).toBe(3);
    },
    90_000,
  );

  it('thousands of failures at once into an --errors file: every one written, no MaxListenersExceededWarning', async () => {
    const p = prefix('many');
    await ledis.set(`${p}s`, 'text');
    const errors = tmp.file('many.errors');
    const lines = Array.from({ length: 5000 }, () => `INCR ${p}s`);
    const r = await spawnAsync(process.execPath, [bin, 'load', '-', '--url', url(), '--errors', errors], { input: lines.join('\n') + '\n', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
    expect(r.status).toBe(1);
    expect(readFileSync(errors, 'utf8').split('\n').filter(Boolean)).toHaveLength(5000);
  }, 90_000);

  it('export | head ends quietly (no EPIPE)', async () => {
    const p = prefix('epipe');
    await ledis.mset(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`${p}${i}`, 'v'.repeat(100)])));
    const r = await spawnAsync('sh', ['-c', `"${process.execPath}" "${bin}" export --url ${url()} --type kv | head -n 1`], { timeout: 60_000 });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('');
  }, 90_000);
});

describe('ledis load interrupted twice', () => {
  it('second Ctrl-C exits at once and still says which lines may have run (commands the server never answered)', async () => {
    const { startScriptedPeer, readCommands } = await import('../unit/peer.js');
    // Answers in order until an APPEND of "stall", then nothing more (as a server stuck on it would): what was
    // written from there on stays in flight for ever.
    let stalled = 0;
    let received = 0;
    const peer = await startScriptedPeer((sock) =>
      readCommands(sock, (parts) => {
        received++;
        if (parts[0]?.toUpperCase() === 'APPEND' && parts[2] === 'stall') stalled++;
        if (stalled > 0) return;
        sock.write(parts[0]?.toUpperCase() === 'SET' ? '+OK\r\n' : parts[0]?.toUpperCase() === 'PING' ? '+PONG\r\n' : '+OK\r\n');
      }),
    );
    try {
      const child = spawn(process.execPath, [bin, 'load', '-', '--url', `ledis://127.0.0.1:${peer.port}`], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      child.stdin.write('SET a 1\nAPPEND b stall\nAPPEND c stall\n');
      // The three lines reach the peer before the first Ctrl-C.
      for (let i = 0; i < 800 && (stalled < 2 || received < 3); i++) await new Promise((r) => setTimeout(r, 25));
      expect(stalled).toBe(2);
      child.kill('SIGINT');
      for (let i = 0; i < 400 && !stderr.includes('interrupted'); i++) await new Promise((r) => setTimeout(r, 25));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await closed;
      clearTimeout(timer);
      expect([code, stderr]).toEqual([130, expect.stringContaining('interrupted')]);
      expect(stdout).toMatch(/\b3 commands may have run .*lines 1-3/);
      expect(stderr).toMatch(/^line 2: APPEND: may have run/m);
      expect(stdout).toMatch(/resume with --skip 3\b/);
    } finally {
      await peer.close();
    }
  }, 60_000);
});
