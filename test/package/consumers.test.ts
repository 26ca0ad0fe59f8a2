// The packed package, installed into empty folders as a user would get it,
// used from CommonJS, ES modules, a `// @ts-check` JS file and TypeScript
// under moduleResolution node16, nodenext, bundler and node10 (CommonJS):
// every one type-checks with the repository's TypeScript and runs against
// the test server. `@arethetypeswrong/cli` checks the tarball too.
import { spawnAsync } from './spawn.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT, packOnce, type Packed } from './pack.js';

let packed: Packed;
beforeAll(async () => {
  packed = await packOnce();
}, 180_000);

/** Runs a consumer file with node; it prints one JSON line of what it saw. */
async function run(file: string): Promise<Record<string, unknown>> {
  const res = await spawnAsync(process.execPath, [file], {
    cwd: path.dirname(file),
    timeout: 20_000,
    env: { ...process.env, LEDIS_HOST: inject('ledisHost'), LEDIS_PORT: String(inject('ledisPort')), NODE_OPTIONS: '' },
  });
  if (res.status !== 0) throw new Error(`${file} exited ${res.status ?? res.signal}:\n${res.stdout}\n${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

// Parsed .d.ts files (lib, @types/node) are shared by the consumer programs,
// keyed as TypeScript's own DocumentRegistry keys them: parsing @types/node
// once instead of six times keeps this file fast on a loaded machine.
const parsed = new Map<string, ts.SourceFile>();

/** Type-checks (and emits, next to the sources) a consumer project with the repo's TypeScript. */
function typecheck(dir: string, rootNames: string[], compilerOptions: ts.CompilerOptions): string[] {
  const options: ts.CompilerOptions = { strict: true, target: ts.ScriptTarget.ES2022, skipLibCheck: false, types: ['node'], outDir: dir, ...compilerOptions };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    if (!fileName.endsWith('.d.ts') || fileName.includes('node_modules/ledis/')) return getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
    const key = `${fileName}|${JSON.stringify(languageVersionOrOptions)}`;
    let file = parsed.get(key);
    if (!file) {
      file = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
      if (file) parsed.set(key, file);
    }
    return file;
  };
  const program = ts.createProgram({ rootNames: rootNames.map((f) => path.join(dir, f)), options, host });
  // The consumer's files and the package's own .d.ts files, not all of @types/node (slow).
  const checked = program.getSourceFiles().filter((f) => !f.fileName.includes('@types/node') && !program.isSourceFileDefaultLibrary(f));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
    ...program.emit().diagnostics,
  ];
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${path.basename(d.file.fileName)})` : ''));
}

function folder(name: string, type: 'module' | 'commonjs'): string {
  const dir = path.join(packed.consumer, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type }));
  return dir;
}

// One body for every TypeScript consumer: it must type-check (types are not
// `any`: the @ts-expect-error lines fail the check if they were) and run.
const TS_BODY = `
const ledis = new Ledis({ host: process.env.LEDIS_HOST!, port: Number(process.env.LEDIS_PORT) });
const key = 'pkg:ts:' + process.pid;
await ledis.set(key, 'v');
const value: string | null = await ledis.get(key);
// @ts-expect-error get() resolves to string | null, not a number
const wrong: number = await ledis.get(key);
void wrong;
const [a, n] = await ledis.pipeline().get(key).incr(key + ':n').exec();
const tuple: [string | null, number] = [a, n];
let isLedisError = false;
try {
  await ledis.incr(key);
} catch (err) {
  isLedisError = err instanceof LedisError && err instanceof ResponseError;
}
await ledis.delete(key, key + ':n');
await ledis.quit();
console.log(JSON.stringify({ value, tuple, isLedisError, defaultIsLedis: LedisDefault === Ledis }));
`;

describe('the packed package from a fresh install', () => {
  it('works from a CommonJS file with require(), and is the same module as import()', async () => {
    const dir = folder('cjs', 'commonjs');
    const file = path.join(dir, 'index.js');
    writeFileSync(
      file,
      `const ledis = require('ledis');
const { Ledis, LedisError, ResponseError } = ledis;
(async () => {
  const client = new Ledis({ host: process.env.LEDIS_HOST, port: Number(process.env.LEDIS_PORT) });
  const key = 'pkg:cjs:' + process.pid;
  await client.set(key, '1');
  const value = await client.get(key);
  let isLedisError = false;
  await client.set(key + ':s', 'abc');
  try { await client.incr(key + ':s'); } catch (err) { isLedisError = err instanceof LedisError && err instanceof ResponseError; }
  await client.delete(key, key + ':s');
  await client.quit();
  const esm = await import('ledis');
  console.log(JSON.stringify({
    value,
    isLedisError,
    defaultIsLedis: ledis.default === Ledis,
    sameClasses: esm.Ledis === Ledis && esm.LedisError === LedisError && esm.ResponseError === ResponseError && esm.default === Ledis,
  }));
})().catch((err) => { console.error(err); process.exit(1); });
`,
    );
    expect(await run(file)).toEqual({ value: '1', isLedisError: true, defaultIsLedis: true, sameClasses: true });
  }, 60_000);

  it('works from an ES module with import, and is the same module as require()', async () => {
    const dir = folder('esm', 'module');
    const file = path.join(dir, 'index.js');
    writeFileSync(
      file,
      `import Ledis, { Ledis as Named, LedisError, DataError } from 'ledis';
import { createRequire } from 'node:module';
const cjs = createRequire(import.meta.url)('ledis');
const client = new Ledis({ host: process.env.LEDIS_HOST, port: Number(process.env.LEDIS_PORT) });
const key = 'pkg:esm:' + process.pid;
await client.set(key, 'x');
const value = await client.get(key);
let dataError = false;
try { await client.set(key, undefined); } catch (err) { dataError = err instanceof DataError && err instanceof cjs.LedisError; }
await client.delete(key);
await client.quit();
console.log(JSON.stringify({ value, dataError, defaultIsLedis: Ledis === Named, sameClasses: cjs.Ledis === Ledis && cjs.LedisError === LedisError }));
`,
    );
    expect(await run(file)).toEqual({ value: 'x', dataError: true, defaultIsLedis: true, sameClasses: true });
  }, 60_000);

  it('type-checks and runs a // @ts-check JavaScript file', async () => {
    const dir = folder('ts-check', 'commonjs');
    writeFileSync(
      path.join(dir, 'index.js'),
      `// @ts-check
const { Ledis } = require('ledis');
/** @param {import('ledis').Ledis} client */
async function main(client) {
  const key = 'pkg:tscheck:' + process.pid;
  await client.set(key, 'v');
  /** @type {string | null} */
  const value = await client.get(key);
  // @ts-expect-error get() resolves to string | null, not a number
  /** @type {number} */ const wrong = await client.get(key);
  void wrong;
  await client.delete(key);
  await client.quit();
  console.log(JSON.stringify({ value }));
}
main(new Ledis({ host: process.env.LEDIS_HOST, port: Number(process.env.LEDIS_PORT) })).catch((err) => { console.error(err); process.exit(1); });
`,
    );
    const errors = typecheck(dir, ['index.js'], {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
    });
    expect(errors).toEqual([]);
    expect(await run(path.join(dir, 'index.js'))).toEqual({ value: 'v' });
  }, 60_000);

  const esmHeader = `import LedisDefault, { Ledis, LedisError, ResponseError } from 'ledis';\n`;
  const cases: Array<{ name: string; type: 'module' | 'commonjs'; file: string; source: string; options: ts.CompilerOptions; out: string }> = [
    { name: 'node16-esm', type: 'module', file: 'index.mts', source: esmHeader + TS_BODY, out: 'index.mjs', options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 } },
    { name: 'nodenext-esm', type: 'module', file: 'index.ts', source: esmHeader + TS_BODY, out: 'index.js', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
    { name: 'bundler', type: 'module', file: 'index.ts', source: esmHeader + TS_BODY, out: 'index.js', options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler } },
    // CommonJS TypeScript: under nodenext (a .cts file) and the classic module: commonjs.
    { name: 'nodenext-cjs', type: 'commonjs', file: 'index.cts', source: `import LedisDefault, { Ledis, LedisError, ResponseError } from 'ledis';\nasync function main() {${TS_BODY}}\nmain().catch((err) => { console.error(err); process.exit(1); });\n`, out: 'index.cjs', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
    { name: 'commonjs-node10', type: 'commonjs', file: 'index.ts', source: `import LedisDefault, { Ledis, LedisError, ResponseError } from 'ledis';\nasync function main() {${TS_BODY}}\nmain().catch((err) => { console.error(err); process.exit(1); });\n`, out: 'index.js', options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true } },
  ];
  for (const c of cases) {
    it(`type-checks and runs TypeScript (${c.name})`, async () => {
      const dir = folder(c.name, c.type);
      writeFileSync(path.join(dir, c.file), c.source);
      expect(typecheck(dir, [c.file], c.options)).toEqual([]);
      expect(await run(path.join(dir, c.out))).toEqual({ value: 'v', tuple: ['v', 1], isLedisError: true, defaultIsLedis: true });
    }, 60_000);
  }

  it('passes @arethetypeswrong/cli on the tarball (node10, node16 from CJS and ESM, bundler)', async () => {
    const attw = path.join(ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const res = await spawnAsync(process.execPath, [attw, packed.tarball, '--format', 'json'], { timeout: 60_000 });
    const report = JSON.parse(res.stdout) as { problems?: unknown[]; analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints)).toContain('.');
    expect(res.status).toBe(0);
  }, 60_000);
});

// ledis/ioredis, the ioredis-shaped entry: the same checks, with code written for ioredis 5.
const IOREDIS_BODY = `
const redis = new Redis(Number(process.env.LEDIS_PORT), process.env.LEDIS_HOST!);
const key = 'pkg:io:' + process.pid;
const ok: 'OK' = await redis.set(key, 'v', 'EX', 100);
const value: string | null = await redis.get(key);
// @ts-expect-error get() resolves to string | null, not a number
const wrong: number = await redis.get(key);
void wrong;
const bytes: Buffer | null = await redis.getBuffer(key);
const pairs = await redis.pipeline().get(key).exists(key, key + ':none').exec();
let refused = false;
try {
  await redis.multi().get(key).exec();
} catch (err) {
  refused = err instanceof DataError;
}
const deleted: number = await redis.del(key);
await redis.quit();
console.log(JSON.stringify({ ok, value, bytes: bytes?.toString(), pairs, refused, deleted, defaultIsRedis: RedisDefault === Redis }));
`;

describe('ledis/ioredis from a fresh install', () => {
  const expected = { ok: 'OK', value: 'v', bytes: 'v', pairs: [[null, 'v'], [null, 1]], refused: true, deleted: 1, defaultIsRedis: true };

  it('loads from CommonJS and from ES modules, one module both ways', async () => {
    const dir = folder('ioredis-js', 'commonjs');
    writeFileSync(
      path.join(dir, 'index.js'),
      `const { Redis, DataError } = require('ledis/ioredis');
const ledis = require('ledis');
(async () => {
  const redis = new Redis(Number(process.env.LEDIS_PORT), process.env.LEDIS_HOST);
  const key = 'pkg:io:cjs:' + process.pid;
  await redis.set(key, '1', 'EX', 10);
  const value = await redis.get(key);
  await redis.del(key);
  await redis.quit();
  const esm = await import('ledis/ioredis');
  console.log(JSON.stringify({ value, same: esm.default === Redis && esm.Redis === Redis && esm.DataError === DataError && DataError === ledis.DataError }));
})().catch((err) => { console.error(err); process.exit(1); });
`,
    );
    expect(await run(path.join(dir, 'index.js'))).toEqual({ value: '1', same: true });
  }, 60_000);

  it('is a drop-in for require(\'ioredis\'): module.exports is the class, .Redis and .default are it', async () => {
    const dir = folder('ioredis-require', 'commonjs');
    writeFileSync(
      path.join(dir, 'index.js'),
      `const Redis = require('ledis/ioredis');
const { Redis: Named, DataError, ScanStream, Pipeline } = require('ledis/ioredis');
(async () => {
  const redis = new Redis(Number(process.env.LEDIS_PORT), process.env.LEDIS_HOST);
  const key = 'pkg:io:require:' + process.pid;
  await redis.set(key, '1', 'EX', 10);
  const value = await redis.get(key);
  await redis.del(key);
  const dup = redis.duplicate();
  await redis.quit();
  await dup.quit();
  const esm = await import('ledis/ioredis');
  console.log(JSON.stringify({
    value,
    isClass: typeof Redis === 'function' && redis instanceof Redis && dup instanceof Redis,
    named: Named === Redis && require('ledis/ioredis').default === Redis,
    statics: typeof DataError === 'function' && typeof ScanStream === 'function' && typeof Pipeline === 'function',
    esm: esm.default === Redis && esm.Redis === Redis && esm.DataError === DataError,
  }));
})().catch((err) => { console.error(err); process.exit(1); });
`,
    );
    expect(await run(path.join(dir, 'index.js'))).toEqual({ value: '1', isClass: true, named: true, statics: true, esm: true });
  }, 60_000);

  // CommonJS TypeScript as ioredis users write it: \`import Redis = require('ioredis')\` (the class, and a namespace of its types).
  const REQUIRE_BODY = `
async function main() {
  const redis: Redis = new Redis(Number(process.env.LEDIS_PORT), process.env.LEDIS_HOST!);
  const options: Redis.RedisOptions = { lazyConnect: true };
  const other: Redis.Redis = new Redis.Redis(Number(process.env.LEDIS_PORT), process.env.LEDIS_HOST!, options);
  const key = 'pkg:io:req:' + process.pid;
  const ok: 'OK' = await redis.set(key, 'v', 'EX', 100);
  const value: string | null = await other.get(key);
  // @ts-expect-error get() resolves to string | null, not a number
  const wrong: number = await redis.get(key);
  void wrong;
  let refused = false;
  try {
    await redis.multi().get(key).exec();
  } catch (err) {
    refused = err instanceof Redis.DataError;
  }
  const deleted: number = await redis.del(key);
  await redis.quit();
  await other.quit();
  console.log(JSON.stringify({ ok, value, refused, deleted, same: Redis.default === Redis.Redis && other instanceof Redis }));
}
main().catch((err) => { console.error(err); process.exit(1); });
`;
  const requireExpected = { ok: 'OK', value: 'v', refused: true, deleted: 1, same: true };
  for (const c of [
    { name: 'ioredis-require-nodenext', file: 'index.cts', out: 'index.cjs', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
    { name: 'ioredis-require-node10', file: 'index.ts', out: 'index.js', options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 } },
  ]) {
    it(`type-checks and runs import Redis = require('ledis/ioredis') (${c.name})`, async () => {
      const dir = folder(c.name, 'commonjs');
      writeFileSync(path.join(dir, c.file), `import Redis = require('ledis/ioredis');\n${REQUIRE_BODY}`);
      expect(typecheck(dir, [c.file], c.options)).toEqual([]);
      expect(await run(path.join(dir, c.out))).toEqual(requireExpected);
    }, 60_000);
  }

  const header = `import RedisDefault, { Redis, DataError } from 'ledis/ioredis';\n`;
  const cases: Array<{ name: string; type: 'module' | 'commonjs'; file: string; source: string; options: ts.CompilerOptions; out: string }> = [
    { name: 'ioredis-node16', type: 'module', file: 'index.mts', source: header + IOREDIS_BODY, out: 'index.mjs', options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 } },
    { name: 'ioredis-nodenext', type: 'module', file: 'index.ts', source: header + IOREDIS_BODY, out: 'index.js', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
    { name: 'ioredis-bundler', type: 'module', file: 'index.ts', source: header + IOREDIS_BODY, out: 'index.js', options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler } },
    { name: 'ioredis-node10-cjs', type: 'commonjs', file: 'index.ts', source: `${header}async function main() {${IOREDIS_BODY}}\nmain().catch((err) => { console.error(err); process.exit(1); });\n`, out: 'index.js', options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true } },
    { name: 'ioredis-nodenext-cjs', type: 'commonjs', file: 'index.cts', source: `${header}async function main() {${IOREDIS_BODY}}\nmain().catch((err) => { console.error(err); process.exit(1); });\n`, out: 'index.cjs', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
  ];
  for (const c of cases) {
    it(`type-checks and runs code written for ioredis (${c.name})`, async () => {
      const dir = folder(c.name, c.type);
      writeFileSync(path.join(dir, c.file), c.source);
      expect(typecheck(dir, [c.file], c.options)).toEqual([]);
      expect(await run(path.join(dir, c.out))).toEqual(expected);
    }, 60_000);
  }
});

// ledis/node-redis, the node-redis-shaped entry: the same checks, with code written for node-redis 5.
const NODE_REDIS_BODY = `
const client: RedisClientType = createClient({ url: 'redis://' + process.env.LEDIS_HOST + ':' + process.env.LEDIS_PORT });
client.on('error', (err: Error) => console.error(err.message));
await client.connect();
const key = 'pkg:nr:' + process.pid;
const ok = await client.set(key, 'v', { expiration: { type: 'EX', value: 100 } });
const value: string | null = await client.get(key);
// @ts-expect-error get() resolves to string | null, not a number
const wrong: number = await client.get(key);
void wrong;
await client.hSet(key + ':h', { a: '1' });
const hash: Record<string, string> = await client.hGetAll(key + ':h');
const bytes: Buffer | null = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(key);
const pages: string[][] = [];
for await (const keys of client.scanIterator({ MATCH: key + '*', COUNT: 10 })) pages.push(keys);
let refused = false;
try {
  await client.multi().get(key).exec();
} catch (err) {
  refused = err instanceof DataError;
}
const deleted: number = await client.del([key, key + ':h']);
await client.close();
console.log(JSON.stringify({ ok, value, hash: { ...hash }, bytes: bytes?.toString(), keys: pages.flat().sort(), refused, deleted, open: client.isOpen }));
`;

describe('ledis/node-redis from a fresh install', () => {
  const expected = { ok: 'OK', value: 'v', hash: { a: '1' }, bytes: 'v', keys: [`pkg:nr:PID`, `pkg:nr:PID:h`], refused: true, deleted: 2, open: false };
  const withPid = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, keys: (r.keys as string[]).map((k) => k.replace(/\d+/, 'PID')) });

  it('loads from CommonJS and from ES modules, one module both ways', async () => {
    const dir = folder('node-redis-js', 'commonjs');
    writeFileSync(
      path.join(dir, 'index.js'),
      `const { createClient, DataError } = require('ledis/node-redis');
const ledis = require('ledis');
(async () => {
  const client = await createClient({ socket: { host: process.env.LEDIS_HOST, port: Number(process.env.LEDIS_PORT) } }).connect();
  const key = 'pkg:nr:cjs:' + process.pid;
  await client.set(key, '1', { EX: 10 });
  const value = await client.get(key);
  await client.del(key);
  await client.close();
  const esm = await import('ledis/node-redis');
  console.log(JSON.stringify({ value, same: esm.createClient === createClient && esm.DataError === DataError && DataError === ledis.DataError, noDefault: esm.default === undefined }));
})().catch((err) => { console.error(err); process.exit(1); });
`,
    );
    expect(await run(path.join(dir, 'index.js'))).toEqual({ value: '1', same: true, noDefault: true });
  }, 60_000);

  const header = `import { createClient, DataError, RESP_TYPES, type RedisClientType } from 'ledis/node-redis';\n`;
  const cases: Array<{ name: string; type: 'module' | 'commonjs'; file: string; source: string; options: ts.CompilerOptions; out: string }> = [
    { name: 'node-redis-node16', type: 'module', file: 'index.mts', source: header + NODE_REDIS_BODY, out: 'index.mjs', options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 } },
    { name: 'node-redis-nodenext', type: 'module', file: 'index.ts', source: header + NODE_REDIS_BODY, out: 'index.js', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
    { name: 'node-redis-bundler', type: 'module', file: 'index.ts', source: header + NODE_REDIS_BODY, out: 'index.js', options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler } },
    { name: 'node-redis-nodenext-cjs', type: 'commonjs', file: 'index.cts', source: `${header}async function main() {${NODE_REDIS_BODY}}\nmain().catch((err) => { console.error(err); process.exit(1); });\n`, out: 'index.cjs', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
  ];
  for (const c of cases) {
    it(`type-checks and runs code written for node-redis (${c.name})`, async () => {
      const dir = folder(c.name, c.type);
      writeFileSync(path.join(dir, c.file), c.source);
      expect(typecheck(dir, [c.file], c.options)).toEqual([]);
      expect(withPid(await run(path.join(dir, c.out)))).toEqual(expected);
    }, 60_000);
  }
});
