// What `npm pack` puts in the tarball, and the package.json fields a
// registry page and a bundler read.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, packOnce, type Packed } from './pack.js';

let packed: Packed;
let pkgDir: string;
beforeAll(async () => {
  packed = await packOnce();
  pkgDir = path.join(packed.consumer, 'node_modules', 'ledis');
}, 180_000);

const REPO = 'https://github.com/ledisdb/ledis-node';

describe('the tarball', () => {
  it('holds the build, LICENSE, README and package.json, and no tests, benches, tools or sources', () => {
    const unexpected = packed.files.filter((f) => !/^(dist\/.+\.(js|d\.ts|js\.map|json)|LICENSE|README\.md|package\.json|ioredis\/package\.json|node-redis\/package\.json)$/.test(f));
    expect(unexpected).toEqual([]);
    expect(packed.files.filter((f) => /(^|\/)(test|tests|bench|tools|flamegraphs|src|\.cache)\//.test(f) || /\.test\.|\.tgz$/.test(f))).toEqual([]);
    for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json']) {
      expect(packed.files).toContain(f);
    }
  });

  it('has an MIT LICENSE matching package.json', () => {
    expect(readFileSync(path.join(pkgDir, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).license).toBe('MIT');
  });

  it('ships each source map with the sources it points to (inlined)', () => {
    const maps = packed.files.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(5);
    for (const m of maps) {
      const map = JSON.parse(readFileSync(path.join(pkgDir, m), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, m).toBe(map.sources.length);
      expect(map.sourcesContent!.every((c) => typeof c === 'string' && c.length > 0), m).toBe(true);
    }
  });

  it('has the size README records (within 25%)', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const m = /packed size: (\d+) kB/.exec(readme);
    expect(m, 'README.md states "packed size: N kB"').not.toBeNull();
    const recorded = Number(m![1]) * 1000;
    expect(packed.size).toBeGreaterThan(recorded * 0.75);
    expect(packed.size).toBeLessThan(recorded * 1.25);
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  it('names one repository in repository, homepage and bugs, has keywords and no side effects', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPO}.git` });
    expect(pkg.homepage).toBe(`${REPO}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPO}/issues` });
    expect(pkg.keywords).toEqual(expect.arrayContaining(['ledisdb', 'redis']));
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines.node).toMatch(/^>=\d+/);
  });

  it('maps import and require to files that exist, each with its own types', () => {
    const root = pkg.exports['.'];
    for (const cond of ['import', 'require'] as const) {
      expect(existsSync(path.join(pkgDir, root[cond].types)), `${cond} types`).toBe(true);
      expect(existsSync(path.join(pkgDir, root[cond].default)), `${cond} default`).toBe(true);
      expect(Object.keys(root[cond])[0], 'types come first').toBe('types');
    }
    expect(existsSync(path.join(pkgDir, pkg.main))).toBe(true);
    expect(existsSync(path.join(pkgDir, pkg.types))).toBe(true);
  });

  it("README's Install section names every runtime dependency, and counts them right", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const install = readme.slice(readme.indexOf('## Install'), readme.indexOf('\n## ', readme.indexOf('## Install') + 1));
    const deps = Object.keys(pkg.dependencies ?? {});
    for (const d of deps) expect(install, `README's Install section names ${d}`).toContain(d);
    const words = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const m = /\b(\w+) runtime dependenc/i.exec(install);
    if (m) expect(words.indexOf(m[1]!.toLowerCase()), `"${m[0]}"`).toBe(deps.length);
  });

  it("README's relative links point at files of the repository (the registry page resolves them through `repository`)", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^(https?:|mailto:|#)/.test(l));
    const missing = links.filter((l) => !existsSync(path.join(ROOT, decodeURIComponent(l.split('#')[0]!))));
    expect(missing).toEqual([]);
  });
});
