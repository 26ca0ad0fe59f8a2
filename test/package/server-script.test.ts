// `npm run server` (tools/server.mjs) says why and exits non-zero when it
// cannot serve: its port is taken, or the server process exits early.
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './pack.js';
import { spawnAsync } from './spawn.js';

const SCRIPT = path.join(ROOT, 'tools', 'server.mjs');
let occupier: net.Server;
let port: number;

beforeAll(async () => {
  // Something else that answers on the port, as another server would.
  occupier = net.createServer((s) => s.end());
  await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
  port = (occupier.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => occupier.close(r));
});

describe('npm run server', () => {
  it('fails with a non-zero exit and says the port is in use when it is', async () => {
    const res = await spawnAsync(process.execPath, [SCRIPT, '--port', String(port)], { timeout: 30_000 });
    expect(res.signal).toBeNull();
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    expect(res.stdout).not.toContain('listening');
  });

  it('fails with a non-zero exit and the server output when the server exits early', async () => {
    // (A bad --backend is refused before the server starts now; a TLS key file that is not there makes the server itself exit.)
    const res = await spawnAsync(process.execPath, [SCRIPT, '--port', '0', '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'], { timeout: 30_000 });
    expect(res.signal).toBeNull();
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('ledis-server exited early');
    expect(res.stderr).toContain('/nonexistent/cert.pem');
    expect(res.stdout).not.toContain('listening');
  });
});
