// `ledis server` whose parent dies without passing a signal on: `npx ledis
// server` killed by SIGTERM (npm exec does not forward it) or SIGKILL left the
// ledis process and its LedisDB running, reparented, holding the port.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('stops its server when its parent process dies (the npx case)', async () => {
  // A parent standing in for npm exec: runs the command, forwards its stdout, then is SIGKILLed.
  const parentScript = `
    const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, [${JSON.stringify(path.join(ROOT, 'tools/server.mjs'))}, '--port', '0', '-q'], { stdio: ['ignore', 'pipe', 'inherit'] });
    c.stdout.on('data', (d) => process.stdout.write(d));
    process.stdout.write('cli ' + c.pid + '\\n');
  `;
  const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const pids = await new Promise<{ cli: number; server: number }>((resolve, reject) => {
    parent.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const cli = /cli (\d+)/.exec(out);
      const server = /pid (\d+); Ctrl-C/.exec(out);
      if (cli && server) resolve({ cli: Number(cli[1]), server: Number(server[1]) });
    });
    parent.once('exit', () => reject(new Error(`parent exited early: ${out}`)));
  });
  try {
    parent.kill('SIGKILL');
    // Bounded wait (not a timing assertion): the CLI notices within about a second.
    for (let i = 0; i < 300 && (alive(pids.cli) || alive(pids.server)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pids.server)).toBe(false);
    expect(alive(pids.cli)).toBe(false);
  } finally {
    for (const pid of [pids.cli, pids.server]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}, 60_000);
