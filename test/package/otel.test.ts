// The packed package's ledis/otel entry, loaded as users load it: from
// CommonJS and from an ES module, with @opentelemetry/api installed (the
// instrumentation subscribes to the driver's channels and commands still
// work) and without it (the import fails with an error naming the package to
// install; `ledis` itself is unaffected).
import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { packOnce, type Packed } from './pack.js';
import { spawnAsync } from './spawn.js';

let packed: Packed;
/** A consumer whose node_modules has ledis and its runtime dependencies but no @opentelemetry/api anywhere up its path. */
let bare: string;
beforeAll(async () => {
  packed = await packOnce();
  bare = path.join(packed.dir, 'no-otel-api');
  const lib = path.join(bare, 'node_modules', 'ledis');
  if (!existsSync(lib)) {
    // A copy, not a link: Node resolves a link to its real path, whose parents hold @opentelemetry/api.
    cpSync(path.join(packed.consumer, 'node_modules', 'ledis'), lib, { recursive: true });
    for (const dep of ['cli-progress', 'csv-parse', 'denque', 'hashring']) {
      const from = path.join(packed.consumer, 'node_modules', dep);
      if (existsSync(from)) symlinkSync(from, path.join(bare, 'node_modules', dep), 'dir');
    }
  }
}, 180_000);

async function run(dir: string, file: string, source: string): Promise<Record<string, unknown>> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), source);
  const res = await spawnAsync(process.execPath, [file], {
    cwd: dir,
    timeout: 20_000,
    env: { ...process.env, LEDIS_HOST: inject('ledisHost'), LEDIS_PORT: String(inject('ledisPort')), NODE_OPTIONS: '' },
  });
  if (res.status !== 0) throw new Error(`${file} exited ${res.status ?? res.signal}:\n${res.stdout}\n${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

// With the API: construction subscribes, a command goes through the traced path, disable() unsubscribes.
const WITH = `
const subscribed = () => dc.tracingChannel('ledis:command').hasSubscribers;
const before = subscribed();
const inst = new LedisInstrumentation();
const during = subscribed();
const ledis = new Ledis({ host: process.env.LEDIS_HOST, port: Number(process.env.LEDIS_PORT) });
const pong = await ledis.ping();
inst.disable();
const after = subscribed();
await ledis.quit();
console.log(JSON.stringify({ before, during, after, pong, name: inst.instrumentationName, enabled: inst.getConfig().enabled }));
`;
const WITH_EXPECTED = { before: false, during: true, after: false, pong: true, name: 'ledis/otel', enabled: true };

// Without the API: the import fails with the message; ledis works.
const WITHOUT = `
const ledis = new Ledis({ host: process.env.LEDIS_HOST, port: Number(process.env.LEDIS_PORT) });
const pong = await ledis.ping();
await ledis.quit();
console.log(JSON.stringify({ message: failure?.message ?? null, pong }));
`;

describe('ledis/otel with @opentelemetry/api installed', () => {
  it('CommonJS: require("ledis/otel")', async () => {
    const out = await run(
      path.join(packed.consumer, 'otel-cjs'),
      'main.cjs',
      `const dc = require('node:diagnostics_channel');\nconst { Ledis } = require('ledis');\nconst { LedisInstrumentation } = require('ledis/otel');\n(async () => {\n${WITH}\n})();`,
    );
    expect(out).toEqual(WITH_EXPECTED);
  });

  it('ES module: import from "ledis/otel"', async () => {
    const out = await run(
      path.join(packed.consumer, 'otel-esm'),
      'main.mjs',
      `import dc from 'node:diagnostics_channel';\nimport { Ledis } from 'ledis';\nimport { LedisInstrumentation } from 'ledis/otel';\n${WITH}`,
    );
    expect(out).toEqual(WITH_EXPECTED);
  });
});

describe('ledis/otel without @opentelemetry/api', () => {
  const MESSAGE = /ledis\/otel needs the package @opentelemetry\/api .*npm install @opentelemetry\/api/;

  it('CommonJS: require("ledis/otel") throws an error naming the package; require("ledis") works', async () => {
    const out = await run(
      path.join(bare, 'cjs'),
      'main.cjs',
      `const { Ledis } = require('ledis');\nlet failure;\ntry { require('ledis/otel'); } catch (err) { failure = err; }\n(async () => {\n${WITHOUT}\n})();`,
    );
    expect(out.message).toMatch(MESSAGE);
    expect(out.pong).toBe(true);
  });

  it('ES module: import("ledis/otel") rejects with that error; ledis works', async () => {
    const out = await run(
      path.join(bare, 'esm'),
      'main.mjs',
      `import { Ledis } from 'ledis';\nconst failure = await import('ledis/otel').then(() => null, (err) => err);\n${WITHOUT}`,
    );
    expect(out.message).toMatch(MESSAGE);
    expect(out.pong).toBe(true);
  });
});
