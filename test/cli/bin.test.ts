// The `ledis` executable as the packed package installs it (package.json
// "bin"), spawned as a user's shell would run it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packOnce } from '../package/pack.js';
import { spawnAsync } from '../package/spawn.js';
import { client, prefix, serverAddress } from '../helpers.js';

let bin: string;
beforeAll(async () => {
  const packed = await packOnce();
  const pkgDir = path.join(packed.consumer, 'node_modules', 'ledis');
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  bin = path.join(pkgDir, pkg.bin.ledis as string);
}, 180_000);

describe('the packed ledis command', () => {
  it('starts with a node shebang and --help lists the commands', async () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const r = await spawnAsync(process.execPath, [bin, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/load \[FILE\|-\]/);
    expect(r.stdout).toMatch(/export/);
  });

  it('loads ndjson from stdin and exits 1 with the failed line on stderr', async () => {
    const p = prefix('bin');
    const { host, port } = serverAddress();
    const input = [JSON.stringify(['SET', `${p}a`, 'x']), JSON.stringify(['ZADD', `${p}z`, 1.5, 'm']), JSON.stringify(['HSET', `${p}h`, 'f', 'v'])].join('\n');
    const r = await spawnAsync(process.execPath, [bin, 'load', '-', '--format', 'ndjson', '--url', `ledis://${host}:${port}`], { input });
    expect(r.stdout).toMatch(/3 lines, 2 commands, 2 succeeded, 1 failed/);
    expect(r.stderr).toMatch(/^line 2: ZADD: /m);
    expect(r.status).toBe(1);
    const ledis = client();
    expect(await ledis.hget(`${p}h`, 'f')).toBe('v');
    await ledis.quit();
  });

  it('exits 2 at once when --errors names a file it cannot create (it used to print the error and hang, connected)', async () => {
    const { host, port } = serverAddress();
    const r = await spawnAsync(process.execPath, [bin, 'load', '-', '--errors', '/nonexistent-dir/e.ndjson', '--url', `ledis://${host}:${port}`], {
      input: 'SET a 1\n',
      timeout: 20_000,
    });
    expect(r.stderr).toMatch(/ENOENT/);
    expect(r.status).toBe(2);
  }, 40_000);
});
