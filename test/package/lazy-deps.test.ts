// Loading the packed package loads only what every client needs: hashring
// (used by `shards` alone) is required the first time a sharded client is
// made. Eagerly required, its `require('./package.json')` broke CommonJS
// consumers run by tsx on Node 20 (a `.cts` file importing ledis failed in
// Node's ESM-loader `require` before any line of the program ran).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packOnce, type Packed } from './pack.js';
import { spawnAsync } from './spawn.js';

let packed: Packed;
beforeAll(async () => {
  packed = await packOnce();
}, 180_000);

/** Whether the module cache holds a file of hashring. */
const LOADED = `Object.keys(require.cache).some((f) => f.split(path.sep).includes('hashring'))`;

const BODY = `
const before = ${LOADED};
const plain = new Ledis({ lazyConnect: true });
const afterPlain = ${LOADED};
const sharded = new Ledis({ shards: ['ledis://127.0.0.1:1', 'ledis://127.0.0.1:2'], lazyConnect: true });
const afterSharded = ${LOADED};
const placed = ['a', 'b', 'c', '{tag}x', '{tag}y'].map((k) => sharded.shardOf(k));
plain.disconnect();
sharded.disconnect();
console.log(JSON.stringify({ before, afterPlain, afterSharded, placed }));
`;

async function run(dir: string, file: string, source: string): Promise<Record<string, unknown>> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), source);
  const res = await spawnAsync(process.execPath, [file], { cwd: dir, timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } });
  if (res.status !== 0) throw new Error(`${file} exited ${res.status ?? res.signal}:\n${res.stdout}\n${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('hashring is loaded only when shards are used', () => {
  it('CommonJS: require("ledis") and a plain client leave hashring unloaded; a sharded client loads it and places keys', async () => {
    const out = await run(path.join(packed.consumer, 'lazy-cjs'), 'main.cjs', `const path = require('node:path');\nconst { Ledis } = require('ledis');\n${BODY}`);
    expect(out).toMatchObject({ before: false, afterPlain: false, afterSharded: true });
    const placed = out.placed as number[];
    expect(placed.every((i) => i === 0 || i === 1)).toBe(true);
    expect(placed[3]).toBe(placed[4]); // one hash tag, one shard
  });

  it('ES module: import of ledis leaves hashring unloaded until a sharded client is made', async () => {
    const out = await run(
      path.join(packed.consumer, 'lazy-esm'),
      'main.mjs',
      `import path from 'node:path';\nimport { createRequire } from 'node:module';\nimport { Ledis } from 'ledis';\nconst require = createRequire(import.meta.url);\n${BODY}`,
    );
    expect(out).toMatchObject({ before: false, afterPlain: false, afterSharded: true });
  });
});

describe('OpenTelemetry is loaded only by ledis/otel', () => {
  const OTEL = `Object.keys(require.cache).some((f) => f.includes(\`\${path.sep}@opentelemetry\${path.sep}\`) || f.includes(['dist', 'cjs', 'otel', ''].join(path.sep)))`;
  const USE = `
const before = ${OTEL};
const ledis = new Ledis({ lazyConnect: true, traceArgs: true });
ledis.disconnect();
const afterClient = ${OTEL};
console.log(JSON.stringify({ before, afterClient }));
`;

  it('CommonJS: require("ledis") and a client load nothing of @opentelemetry nor ledis/otel', async () => {
    const out = await run(path.join(packed.consumer, 'lazy-otel-cjs'), 'main.cjs', `const path = require('node:path');\nconst { Ledis } = require('ledis');\n${USE}`);
    expect(out).toEqual({ before: false, afterClient: false });
  });

  it('ES module: import of ledis loads nothing of @opentelemetry nor ledis/otel', async () => {
    const out = await run(
      path.join(packed.consumer, 'lazy-otel-esm'),
      'main.mjs',
      `import path from 'node:path';\nimport { createRequire } from 'node:module';\nimport { Ledis } from 'ledis';\nconst require = createRequire(import.meta.url);\n${USE}`,
    );
    expect(out).toEqual({ before: false, afterClient: false });
  });
});
