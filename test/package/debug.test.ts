// NODE_DEBUG=ledis (util.debuglog), seen from a child process running the
// packed package: lifecycle, reconnects, timeouts and recycled sockets are
// logged; the password (given as an option and in a URL) never is.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore -- plain ESM script, typed through JSDoc
import { startLedisServer } from '../../tools/server.mjs';
import { packOnce, type Packed } from './pack.js';
import { spawnAsync } from './spawn.js';

const PASSWORD = 'pw-Zq81-secret';
let packed: Packed;
let server: { port: number; stop: () => Promise<void> };
let script: string;

beforeAll(async () => {
  [packed, server] = await Promise.all([packOnce(), startLedisServer({ quiet: true, password: PASSWORD })]);
  script = path.join(packed.consumer, 'debug-child.cjs');
  writeFileSync(
    script,
    `const net = require('node:net');
const { Ledis } = require('ledis');
(async () => {
  const port = Number(process.env.SERVER_PORT);
  const a = Ledis.fromUrl('ledis://:' + process.env.PW + '@127.0.0.1:' + port + '/2');
  await a.set('debug:k', '1');
  await a.quit();
  const b = new Ledis({ host: '127.0.0.1', port, password: process.env.PW, db: 1 });
  await b.ping();
  await b.quit();
  // A peer that accepts and never answers: the GET times out, the stalled socket is recycled, the client reconnects.
  const silent = net.createServer((s) => s.on('error', () => {}));
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const c = new Ledis({ host: '127.0.0.1', port: silent.address().port, commandTimeout: 100, retryStrategy: (n) => (n < 2 ? 10 : null) });
  await c.get('x').catch(() => {});
  await new Promise((r) => setTimeout(r, 300));
  c.disconnect();
  silent.close();
})().catch((err) => { console.error('FAILED', err); process.exit(1); });
`,
  );
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

function runChild(nodeDebug: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, SERVER_PORT: String(server.port), PW: PASSWORD, NODE_OPTIONS: '' };
  delete env.NODE_DEBUG;
  if (nodeDebug !== undefined) env.NODE_DEBUG = nodeDebug;
  return spawnAsync(process.execPath, [script], { cwd: packed.consumer, env, timeout: 30_000 });
}

describe('NODE_DEBUG=ledis', () => {
  it('logs connects, ready with the db, timeouts, recycled sockets and reconnects, and no password', async () => {
    const res = await runChild('ledis');
    expect(res.status, res.stderr).toBe(0);
    const log = res.stderr;
    expect(log).toMatch(/^LEDIS \d+: 127\.0\.0\.1:\d+: connecting$/m);
    expect(log).toMatch(/LEDIS \d+: 127\.0\.0\.1:\d+: ready \(db 2\)/);
    expect(log).toMatch(/ready \(db 1\)/);
    expect(log).toMatch(/: GET timed out waiting for its reply \(commandTimeout 100 ms/);
    expect(log).toMatch(/: recycling the socket: connection to 127\.0\.0\.1:\d+ (stalled|made no progress)/);
    expect(log).toMatch(/: reconnecting, attempt 1 in 10 ms after: connection to .* (stalled|made no progress)/);
    expect(log).toMatch(/: connecting \(attempt 1\)/);
    expect(log).toMatch(/: socket closed/);
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain('ledis://');
  }, 60_000);

  it('logs nothing without NODE_DEBUG, or when it names other modules only', async () => {
    for (const value of [undefined, 'net,http']) {
      const res = await runChild(value);
      expect(res.status, res.stderr).toBe(0);
      expect(res.stderr).not.toContain('LEDIS');
    }
  }, 60_000);
});
