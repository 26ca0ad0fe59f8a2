// Imports point one way (protocol <- connection <- commands <- client level),
// also for types, and no file reaches itself through its imports.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** Every relative import or re-export of a file (type-only ones included), as src-relative paths. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
    out.push(path.relative(SRC, path.resolve(path.dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))));
  }
  return out;
}

/** Layer of a file: higher layers may import lower ones only. errors.ts is below everything, the CLI above index.ts. */
function layer(rel: string): number {
  if (rel === 'errors.ts') return 0;
  if (rel.startsWith('protocol/')) return 1;
  if (rel.startsWith('connection/')) return 2;
  if (rel.startsWith('commands/')) return 3;
  if (rel === 'index.ts') return 5;
  if (rel.startsWith('cli/')) return 6; // the ledis CLI: an application of the public surface
  return 4;
}

const graph = new Map(files(SRC).map((f) => [path.relative(SRC, f), imports(f)]));

describe('import layering', () => {
  it('no file imports a file of a higher layer', () => {
    const upward: string[] = [];
    for (const [from, tos] of graph) for (const to of tos) if (layer(to) > layer(from)) upward.push(`${from} -> ${to}`);
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
