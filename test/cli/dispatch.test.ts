// The `ledis` command's dispatch: --version, "did you mean" for a mistyped
// command, `-h` (--host in load/export, as in redis-cli; alone it shows the
// help and says so), `ledis help server`, and `ledis server`'s usage errors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { suggest } from '../../src/cli/main.js';
import { serverHelp, serverOptions } from '../../src/cli/server.js';
import { loadHelp } from '../../src/cli/load.js';
import { exportHelp } from '../../src/cli/export.js';
import { run } from './run.js';

const version = (JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('ledis dispatch', () => {
  it('--version, -V and version print the package version', async () => {
    for (const arg of ['--version', '-V', 'version']) {
      expect(await run([arg])).toEqual({ code: 0, stdout: `ledis ${version}\n`, stderr: '' });
    }
  });

  it('a mistyped command gets a suggestion and exit 2; an unrelated word gets none', async () => {
    const r = await run(['lod']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ledis: unknown command "lod" (did you mean load?); run ledis --help\n');
    expect((await run(['serve'])).stderr).toContain('(did you mean server?)');
    expect((await run(['exprot'])).stderr).toContain('(did you mean export?)');
    const none = await run(['frobnicate']);
    expect(none.stderr).toBe('ledis: unknown command "frobnicate"; run ledis --help\n');
    expect(suggest('SERVER')).toBe('server');
    expect(suggest('xyz')).toBeUndefined();
  });

  it('a mistyped flag of load, export or server gets a suggestion and exit 2; an unrelated one gets none', async () => {
    const load = await run(['load', '--hots', 'x', 'file.txt']);
    expect(load.code).toBe(2);
    expect(load.stderr).toBe("ledis: Unknown option '--hots' (did you mean --host?)\n");
    expect((await run(['export', '--tpye', 'kv'])).stderr).toContain('(did you mean --type?)');
    expect((await run(['server', '--prot', '1'])).stderr).toContain('(did you mean --port?)');
    const none = await run(['server', '--frobnicate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Unknown option '--frobnicate'/);
    expect(none.stderr).not.toContain('did you mean');
  });

  it('`ledis load -h` and `ledis export -h` show the help and say -h is --host there', async () => {
    const load = await run(['load', '-h']);
    expect(load.code).toBe(0);
    expect(load.stdout).toBe(loadHelp + '\n');
    expect(load.stderr).toBe('ledis: -h is --host here (as in redis-cli) and takes a value; showing --help instead\n');
    const exp = await run(['export', '-h']);
    expect(exp.code).toBe(0);
    expect(exp.stdout).toBe(exportHelp + '\n');
    // -h after other arguments, still without its value: the help, but exit 2 (the command line was not run).
    const late = await run(['load', 'file.txt', '-h']);
    expect(late.code).toBe(2);
    expect(late.stdout).toBe(loadHelp + '\n');
  });

  it('`ledis load -h HOST` is still --host (it fails to connect to that host, not a usage error about -h)', async () => {
    const r = await run(['load', '-', '-h', '127.0.0.1', '-p', '1', '--dry-run'], {});
    expect(r.stderr).not.toContain('-h is --host');
  });

  it('`ledis help server` and `ledis server --help` print the server help; the main help lists server and --version', async () => {
    expect(await run(['help', 'server'])).toEqual({ code: 0, stdout: serverHelp + '\n', stderr: '' });
    expect(await run(['server', '--help'])).toEqual({ code: 0, stdout: serverHelp + '\n', stderr: '' });
    const main = await run(['--help']);
    expect(main.stdout).toMatch(/^ {2}server {10}run a LedisDB/m);
    expect(main.stdout).toContain('-V, --version');
  });

  it('`ledis server` refuses bad options with exit 2 before looking for a binary', async () => {
    for (const [args, message] of [
      [['--port', 'x'], '--port: got "x"; expected an integer 0 to 65535'],
      [['--port', '70000'], '--port: got "70000"'],
      [['--backend', 'rocksdb'], '--backend: got "rocksdb"; expected memory or goleveldb'],
      [['--unix', '/tmp/a.sock', '--port', '1'], '--unix and --port exclude each other'],
      [['--tls-cert', 'c.pem'], '--tls-cert and --tls-key go together'],
      [['extra'], 'unexpected argument "extra"'],
      [['--bogus'], "Unknown option '--bogus'"],
    ] as const) {
      const r = await run(['server', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
  });

  it('`ledis server` options map to startServer options: port 6380 by default, 0 for a free one, paths made absolute', () => {
    expect(serverOptions([]).options).toEqual({ port: 6380, quiet: false });
    expect(serverOptions(['--port', '0']).options).toEqual({ quiet: false });
    const o = serverOptions(['--unix', 'x.sock', '--password', 'p', '--backend', 'goleveldb', '--data-dir', 'd', '--databases', '4', '--tls-cert', 'c', '--tls-key', 'k', '-q']).options;
    expect(o).toEqual({
      unix: path.resolve('x.sock'),
      password: 'p',
      backend: 'goleveldb',
      dataDir: path.resolve('d'),
      databases: 4,
      tls: { cert: path.resolve('c'), key: path.resolve('k') },
      quiet: true,
    });
  });
});
