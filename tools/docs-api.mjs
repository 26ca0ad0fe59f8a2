#!/usr/bin/env node
// Writes the API reference, docs/api/, from the docstrings with TypeDoc
// (and typedoc-plugin-markdown: Markdown pages that read on GitHub and diff
// in review). The entry points are package.json "exports": each entry's
// CommonJS types file (dist/cjs/X.d.ts) names its source (src/X.ts), so an
// entry added to "exports" (ledis/otel, ...) is documented on the next run.
//
// It also rewrites the `--help` blocks of docs/cli.md from the built CLI
// (test/unit/docs.test.ts compares them with the sources).
//
//   node tools/docs-api.mjs           rewrite docs/api/ and docs/cli.md's help blocks (npm run docs:api)
//   node tools/docs-api.mjs --check   exit 1 if docs/api/ is not what the sources give now
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const API_DIR = path.join(ROOT, 'docs', 'api');

/** Entries whose require() file tools/build.mjs generates (module.exports = a class): their source. */
const GENERATED_ENTRIES = { './ioredis': 'src/compat/ioredis.ts' };

/** The source file of every package.json export that has types: `{ entry: 'ledis/testing', source: 'src/testing/index.ts' }`. */
export function entryPoints() {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const out = [];
  for (const [key, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'object' ? (target.require?.types ?? target.types) : undefined;
    if (!types) continue;
    const source = GENERATED_ENTRIES[key] ?? types.replace(/^\.\/dist\/cjs\//, 'src/').replace(/\.d\.ts$/, '.ts');
    if (!existsSync(path.join(ROOT, source))) throw new Error(`package.json exports["${key}"]: no source ${source} for ${types}`);
    out.push({ entry: key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`, source });
  }
  return out;
}

/** Runs TypeDoc into `out`. */
export async function generate(out) {
  const { Application } = await import('typedoc');
  const app = await Application.bootstrapWithPlugins({
    entryPoints: entryPoints().map((e) => path.join(ROOT, e.source)),
    entryPointStrategy: 'resolve',
    tsconfig: path.join(ROOT, 'tsconfig.build.json'),
    plugin: ['typedoc-plugin-markdown'],
    out,
    readme: 'none',
    // No source links: they carry line numbers (and a commit), so every edit anywhere would make the pages stale.
    disableSources: true,
    excludePrivate: true,
    excludeInternal: true,
    hideGenerator: true,
    githubPages: false,
    cleanOutputDir: true,
    logLevel: 'Warn',
    validation: { notExported: false, invalidLink: false, rewrittenLink: false },
    // typedoc-plugin-markdown
    entryFileName: 'README.md',
    hidePageHeader: true,
    hideBreadcrumbs: false,
  });
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the sources (errors above)');
  await app.generateOutputs(project);
}

/** Every file under dir, relative, with its text. */
function tree(dir) {
  const files = new Map();
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(path.relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return files;
}

/** The files of docs/api/ that differ from a fresh generation (added, removed or changed). */
export async function staleFiles() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ledis-api-'));
  try {
    await generate(tmp);
    const want = tree(tmp);
    const have = tree(API_DIR);
    const stale = [];
    for (const [f, text] of want) if (have.get(f) !== text) stale.push(f);
    for (const f of have.keys()) if (!want.has(f)) stale.push(f);
    return stale.sort();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The `<!-- help:NAME:start -->` ... `end -->` block of docs/cli.md, as it should read for `text`. */
export function helpBlock(name, text) {
  return `<!-- help:${name}:start -->\n\n\`\`\`text\n${text.trimEnd()}\n\`\`\`\n\n<!-- help:${name}:end -->`;
}

/** Rewrites docs/cli.md's help blocks from the built CLI (builds it first). */
function writeHelpBlocks() {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const file = path.join(ROOT, 'docs', 'cli.md');
  let text = readFileSync(file, 'utf8');
  for (const name of ['main', 'server', 'load', 'export']) {
    const args = name === 'main' ? ['--help'] : ['help', name];
    const out = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cjs', 'cli', 'bin.js'), ...args], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`ledis ${args.join(' ')} exited ${out.status}: ${out.stderr}`);
    const re = new RegExp(`<!-- help:${name}:start -->[\\s\\S]*?<!-- help:${name}:end -->`);
    if (!re.test(text)) throw new Error(`docs/cli.md has no help:${name} markers`);
    text = text.replace(re, () => helpBlock(name, out.stdout));
  }
  writeFileSync(file, text);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = await staleFiles();
    if (stale.length > 0) {
      process.stderr.write(`docs/api/ is out of date (${stale.length} files, e.g. ${stale.slice(0, 5).join(', ')}): run \`npm run docs:api\`\n`);
      process.exit(1);
    }
    process.stdout.write('docs/api/ is up to date\n');
  } else {
    writeHelpBlocks();
    await generate(API_DIR);
    process.stdout.write(`wrote ${API_DIR} from ${entryPoints().map((e) => `${e.entry} (${e.source})`).join(', ')}\n`);
  }
}
