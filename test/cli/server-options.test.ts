// startServer() (ledis/testing, behind `ledis server`) called carelessly: junk
// option values are refused with a DataError naming the option, before a
// process is spawned, and a password never shows up in the message.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { startServer, type ServerOptions } from '../../src/testing/index.js';
import { run, tempDir } from './run.js';

// No binary is needed: every case must be refused before one is looked for.
const bin = '/nonexistent/ledis-server-never-run';

describe('startServer() option checks', () => {
  const cases: [string, unknown][] = [
    ['port', 'abc'],
    ['port', -1],
    ['port', 1.5],
    ['port', 70000],
    ['unix', 5],
    ['unix', ''],
    ['password', 12345678],
    ['backend', 'foo'],
    ['bufferSize', -5],
    ['bufferSize', '1024'],
    ['databases', 'x'],
    ['databases', 0],
    ['tls', 'yes'],
    ['tls', { cert: 'c' }],
    ['slaveof', {}],
    ['slaveof', 'nohostport'],
    ['dataDir', 7],
    ['startTimeout', 'x'],
    ['startTimeout', -1],
    ['replication', 'yes'],
    ['readonly', 1],
    ['quiet', 'no'],
    ['ref', 'yes'],
    ['bin', 42],
  ];
  it.each(cases)('%s = %j is a DataError naming the option', async (name, value) => {
    const err = await startServer({ bin, [name]: value } as ServerOptions).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(name);
  });

  it('options that are not an object, and port together with unix, are DataErrors', async () => {
    for (const opts of ['junk', 5, [], { port: 1234, unix: '/tmp/x.sock' }]) {
      const err = await startServer({ bin, ...(typeof opts === 'object' && !Array.isArray(opts) ? opts : {}) } as ServerOptions)
        .then(() => undefined, (e: unknown) => e);
      if (typeof opts === 'object' && !Array.isArray(opts)) expect(err).toBeInstanceOf(DataError);
      const err2 = await startServer(opts as ServerOptions).catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(DataError);
    }
  });

  it('a unix socket in a folder that does not exist, or on a path too long for sun_path, is a DataError before anything starts', async () => {
    const missing = (await startServer({ bin, unix: '/nonexistent-ledis-folder/s.sock' }).catch((e: unknown) => e)) as Error;
    expect(missing).toBeInstanceOf(DataError);
    expect(missing.message).toMatch(/its folder "\/nonexistent-ledis-folder" does not exist/);
    const long = (await startServer({ bin, unix: `/tmp/${'x'.repeat(120)}.sock` }).catch((e: unknown) => e)) as Error;
    expect(long).toBeInstanceOf(DataError);
    expect(long.message).toMatch(/at most 107 fit/);
  });

  it('an unknown option is a DataError naming it, with the nearest option', async () => {
    const err = (await startServer({ bin, backnd: 'memory' } as unknown as ServerOptions).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/unknown option "backnd" \(did you mean backend\?\)/);
  });

  it('a password of the wrong type is not repeated in the message', async () => {
    const err = (await startServer({ bin, password: 987654321 } as unknown as ServerOptions).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).not.toContain('987654321');
  });

  it('a data folder that is a file is a DataError naming dataDir', async () => {
    const t = tempDir('srvopt');
    try {
      const file = t.file('a-file');
      writeFileSync(file, 'x');
      const err = await startServer({ bin, dataDir: file }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toContain('dataDir');
    } finally {
      t.remove();
    }
  });

  it('`ledis server --data-dir FILE` is a usage error (exit 2) naming --data-dir', async () => {
    const t = tempDir('srvopt');
    try {
      const file = t.file('a-file');
      writeFileSync(file, 'x');
      const { code, stderr: err } = await run(['server', '--data-dir', file, '-q'], { env: { LEDIS_SERVER_BIN: bin } });
      expect(code).toBe(2);
      expect(err).toContain('--data-dir');
    } finally {
      t.remove();
    }
  });
});

describe('startServer() with a real binary', () => {
  it('port 0 means a free port, as in `ledis server --port 0` (it waited on port 0 until the start timeout)', async () => {
    // @ts-ignore -- plain ESM script, typed through JSDoc
    const { ensureLedisServer } = await import('../../tools/server.mjs');
    const srv = await startServer({ port: 0, bin: (await ensureLedisServer()) as string, startTimeout: 60_000 });
    try {
      expect(srv.port).toBeGreaterThan(0);
      expect(srv.url).toBe(`ledis://127.0.0.1:${srv.port}`);
    } finally {
      await srv.stop();
    }
  }, 90_000);
});
