// Every TypeScript code block in README.md and docs/**/*.md (except the
// generated docs/api/) is type-checked against the packed package, and every
// runnable one is run against the test server.
//
// How a block is marked (the fence's info string; no mark means "check and run"):
//   ```ts           type-checked, then run against the test server
//   ```ts norun     type-checked only (it needs something the test server is
//                   not: replicas at other addresses, a TLS certificate, a
//                   loop that never ends...)
//   ```ts nocheck   neither (pseudo-code, a deliberately wrong example, or an
//                   entry not merged yet; say why in the block's first line)
// Languages ts, typescript, mts and cts are extracted; js/sh/text are not.
//
// A block with no `import` statement is a fragment: it gets a hidden prelude
// that imports every value the package exports and, unless the block
// declares its own `ledis`, a client `ledis` connected to the test server.
// Anything else a fragment uses must be declared in the block.
// Each block is its own ES module (top-level await works). A block that
// connects to 127.0.0.1:6380 / localhost:6380 (LedisDB's default port) is
// sent to the test server instead. Blocks run one at a time; each must
// finish (quit its clients or not: the process is ended after the block).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT, packOnce, type Packed } from './pack.js';
import { extractSnippets, TS_LANGS, type Snippet } from './snippets.js';
import { spawnAsync } from './spawn.js';


/** README.md and every Markdown page under docs/ but the generated API reference, relative to the repository. */
export function docFiles(): string[] {
  const out = ['README.md'];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (rel !== 'docs/api') walk(rel);
      } else if (e.name.endsWith('.md')) out.push(rel);
    }
  };
  if (existsSync(path.join(ROOT, 'docs'))) walk('docs');
  return out;
}

interface DocSnippet extends Snippet {
  /** README.md, docs/cli.md ... */
  file: string;
}

const snippets: DocSnippet[] = docFiles().flatMap((file) =>
  extractSnippets(readFileSync(path.join(ROOT, file), 'utf8'))
    .filter((s) => TS_LANGS.has(s.lang) && !s.flags.has('nocheck'))
    .map((s) => ({ ...s, file })),
);
const where = (s: DocSnippet) => `${s.file} line ${s.line}`;

describe('the README extractor', () => {
  it('finds fenced blocks with their flags, indented ones and ~~~ fences, and stops at the matching fence', () => {
    const md = ['text', '```ts norun', 'const a = 1;', '```', '- item', '  ```typescript', '  const b = 2;', '  ```', '~~~~ts nocheck', '```', 'x', '~~~~', '```sh', 'ls', '```'].join('\n');
    const got = extractSnippets(md).map((s) => [s.line, s.lang, [...s.flags].join(','), s.code]);
    expect(got).toEqual([
      [2, 'ts', 'norun', 'const a = 1;\n'],
      [6, 'typescript', '', 'const b = 2;\n'],
      [9, 'ts', 'nocheck', '```\nx\n'],
      [13, 'sh', '', 'ls\n'],
    ]);
  });

  it('finds the TypeScript blocks of README.md and of docs/', () => {
    expect(snippets.filter((s) => s.file === 'README.md').length).toBeGreaterThanOrEqual(3);
    expect(snippets.filter((s) => s.file.startsWith('docs/')).length).toBeGreaterThanOrEqual(10);
  });
});

let packed: Packed;
let dir: string;
let files: Array<{ snippet: DocSnippet; src: string; out: string }>;
let diagnostics: Map<string, string[]>;

beforeAll(async () => {
  packed = await packOnce();
  dir = path.join(packed.consumer, 'readme');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'readme-snippets', private: true, type: 'module' }));
  // For the test file README shows beside ledis/testing (a user's own dev dependency).
  try {
    symlinkSync(path.join(ROOT, 'node_modules', 'vitest'), path.join(packed.consumer, 'node_modules', 'vitest'), 'dir');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const exported = Object.keys(await import(pathToFileURL(path.join(packed.consumer, 'node_modules', 'ledis', 'dist', 'index.js')).href)).filter((k) => k !== 'default');
  files = snippets.map((snippet) => {
    const name = `${snippet.file.replace(/\.md$/, '').replace(/[^\w]+/g, '-')}-line-${snippet.line}`;
    const fragment = !/^\s*import\s/m.test(snippet.code);
    const ownClient = /\b(?:const|let|var)\s+ledis\b/.test(snippet.code);
    const prelude = fragment
      ? `import { ${exported.join(', ')} } from 'ledis';\n` +
        (ownClient ? '' : 'const ledis = new Ledis({ host: process.env.LEDIS_HOST!, port: Number(process.env.LEDIS_PORT) });\n')
      : '';
    // The prelude is one line (or two) so reported lines stay close to the page's.
    const src = path.join(dir, `${name}.mts`);
    writeFileSync(src, `${prelude.replace(/\n(?!$)/g, ' ')}${snippet.code}export {};\n`);
    return { snippet, src, out: path.join(dir, `${name}.mjs`) };
  });
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true,
    outDir: dir,
  };
  const program = ts.createProgram({ rootNames: files.map((f) => f.src), options });
  diagnostics = new Map(files.map((f) => [f.src, []]));
  const all = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const f of files) {
    const sf = program.getSourceFile(f.src)!;
    all.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
  }
  all.push(...program.emit().diagnostics);
  for (const d of all) {
    const key = d.file?.fileName ?? files[0]!.src;
    const at = d.file && d.start !== undefined ? `line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1} of the block: ` : '';
    diagnostics.get(key)?.push(at + ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  writeFileSync(
    path.join(dir, 'redirect.cjs'),
    `// LedisDB's default port in README examples -> the test server.
const net = require('node:net');
const port = Number(process.env.LEDIS_PORT);
const loopback = new Set([undefined, '127.0.0.1', 'localhost', '::1']);
for (const name of ['connect', 'createConnection']) {
  const original = net[name];
  net[name] = function (...args) {
    const o = args[0];
    // Only loopback is ever a target: a block reaching elsewhere needs \`norun\`.
    const host = o && typeof o === 'object' ? o.host : typeof args[1] === 'string' ? args[1] : undefined;
    if (!(o && typeof o === 'object' && o.path) && !loopback.has(host)) throw new Error('README block tried to connect to ' + host + ': mark it norun');
    if (o && typeof o === 'object' && Number(o.port) === 6380 && loopback.has(o.host)) args[0] = { ...o, host: process.env.LEDIS_HOST, port };
    else if (Number(o) === 6380 && loopback.has(typeof args[1] === 'string' ? args[1] : undefined)) { args[0] = port; args[1] = process.env.LEDIS_HOST; }
    return original.apply(this, args);
  };
}
require('node:module').syncBuiltinESMExports();
`,
  );
}, 180_000);

describe('TypeScript blocks of README.md and docs/', () => {
  for (const snippet of snippets) {
    const mode = snippet.flags.has('norun') ? 'type-checks' : 'type-checks and runs';
    it(`the block at ${where(snippet)} ${mode}`, async () => {
      const f = files.find((x) => x.snippet === snippet)!;
      expect(diagnostics.get(f.src), where(snippet)).toEqual([]);
      if (snippet.flags.has('norun')) return;
      const runner = path.join(dir, `run-${path.basename(f.out)}`);
      writeFileSync(runner, `await import(${JSON.stringify(pathToFileURL(f.out).href)});\nprocess.exit(0);\n`);
      const res = await spawnAsync(process.execPath, ['--require', path.join(dir, 'redirect.cjs'), runner], {
        cwd: dir,
        timeout: 20_000,
        // ledis/testing's blocks start their own server: the repository's pinned build.
        env: { ...process.env, LEDIS_HOST: inject('ledisHost'), LEDIS_PORT: String(inject('ledisPort')), LEDIS_SERVER_BIN: path.join(ROOT, '.cache', 'bin', 'ledis-server'), NODE_OPTIONS: '' },
      });
      expect({ status: res.status, signal: res.signal }, `${where(snippet)}:\n${res.stdout}\n${res.stderr}`).toEqual({ status: 0, signal: null });
    }, 60_000);
  }
});
