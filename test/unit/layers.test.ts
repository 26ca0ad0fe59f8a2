// Imports point one way, down the layers named below (type imports, re-exports,
// side-effect imports and dynamic import() included), and no file reaches
// itself through its imports. Every file of src/ belongs to a named layer: a
// new file is placed here (and in src/README.md) before it is imported.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The relative module specifiers a file's text loads: import/export ... from, side-effect imports, import() and require(). */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const forms = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"](\.[^'"]+)['"]/gms, // import x from './x.js', import type, export ... from
    /^\s*import\s*['"](\.[^'"]+)['"]/gm, // import './x.js' (side effect only)
    /\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g, // await import('./x.js')
    /\brequire\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g, // require('./x.js')
  ];
  for (const form of forms) for (const m of text.matchAll(form)) out.push(m[1] as string);
  return out;
}

/** Every relative import of a file, as src-relative paths. */
function imports(file: string): string[] {
  return specifiers(readFileSync(file, 'utf8')).map((s) => path.relative(SRC, path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts'))));
}

const one = (...names: string[]) => (rel: string) => names.includes(rel);
const under = (dir: string) => (rel: string) => rel.startsWith(dir);

/**
 * The layers, lowest first: a file may import its own layer and those below.
 * Inside what was one "layer 4": client > sharding > routing > pool/topology >
 * pipeline > support; above the client, the compat faces, then the entries (see src/README.md for what each holds).
 */
const LAYERS: ReadonlyArray<readonly [name: string, holds: (rel: string) => boolean]> = [
  ['errors', one('errors.ts')],
  ['protocol', under('protocol/')],
  ['connection', under('connection/')],
  ['commands', under('commands/')],
  ['support', one('url.ts', 'options-check.ts', 'suggest.ts', 'prefix.ts', 'switchover.ts', 'lifecycle.ts', 'views.ts', 'tracing.ts')],
  ['pipeline', one('pipeline.ts')],
  ['pool/topology', one('pool.ts', 'topology.ts', 'auth.ts')],
  ['routing', under('routing/')],
  ['sharding', under('sharding/')],
  ['client', (rel) => one('client.ts', 'client-methods.ts', 'client-options.ts', 'mode.ts', 'client-args.ts', 'client-scripts.ts')(rel) || rel.startsWith('bulk/')],
  ['compat', under('compat/')], // ledis/ioredis and ledis/node-redis: faces over the client's Deployment
  ['index', one('index.ts')],
  ['entries', (rel) => rel.startsWith('otel/') || rel.startsWith('testing/')], // ledis/otel, ledis/testing
  ['cli', under('cli/')], // the ledis CLI: an application of the public surface
];

function layer(rel: string): number {
  return LAYERS.findIndex(([, holds]) => holds(rel));
}

const graph = new Map(files(SRC).map((f) => [path.relative(SRC, f), imports(f)]));

describe('import layering', () => {
  it('every file of src/ is in a named layer', () => {
    expect([...graph.keys()].filter((rel) => layer(rel) < 0)).toEqual([]);
  });

  it('every kind of import is seen: from, type, re-export, side effect, import(), require()', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "import './e.js';",
      "const f = await import('./f.js');",
      "const g = require('./g.js');",
      "import { h } from 'node:fs';",
    ].join('\n');
    expect(specifiers(text).sort()).toEqual(['../b.js', './a.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
  });

  it('no file imports a file of a higher layer', () => {
    const upward: string[] = [];
    for (const [from, tos] of graph) {
      for (const to of tos) if (layer(to) > layer(from)) upward.push(`${from} (${LAYERS[layer(from)]?.[0]}) -> ${to} (${LAYERS[layer(to)]?.[0]})`);
    }
    expect(upward).toEqual([]);
  });

  it('no import cycle, type imports included', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string): void => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });
});
