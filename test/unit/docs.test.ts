// Facts in README.md and docs/ checked against the code, so they cannot go
// stale: the options table against the option checker's list, the CLI's
// --help texts, every relative link and its #anchor, README's size and
// shape, and the API reference against the docstrings (TypeDoc, as
// `npm run docs:api` writes it).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverHelp } from '../../src/cli/server.js';
import { help } from '../../src/cli/main.js';
import { loadHelp } from '../../src/cli/load.js';
import { exportHelp } from '../../src/cli/export.js';
import { clientOptionChecks } from '../../src/options-check.js';
// @ts-ignore -- plain ESM script, typed through JSDoc
import { helpBlock } from '../../tools/docs-api.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

/** README.md and the hand-written pages of docs/ (not the generated docs/api/). */
function pages(): string[] {
  const out = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'];
  for (const name of readdirSync(path.join(ROOT, 'docs')).sort()) if (name.endsWith('.md')) out.push(`docs/${name}`);
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'; repeats get -1, -2 ... */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    const m = /^#{1,6} (.*)$/.exec(line);
    if (m) {
      const base = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const id of line.matchAll(/<a (?:id|name)="([^"]+)"/g)) out.add(id[1]!);
  }
  return out;
}

describe('the options table (docs/options.md)', () => {
  it('names every option the constructor checks, and nothing else (but `url`, taken apart before the checks)', () => {
    const page = read('docs/options.md');
    const start = page.indexOf('| option | default | meaning |');
    expect(start, 'docs/options.md has the options table').toBeGreaterThan(0);
    const rows = page.slice(start).split('\n').slice(2);
    const names = new Set<string>();
    for (const row of rows) {
      if (!row.startsWith('|')) break;
      for (const m of row.split('|')[1]!.matchAll(/`(\w+)`/g)) names.add(m[1]!);
    }
    const checked = Object.keys(clientOptionChecks);
    expect(checked.filter((n) => !names.has(n)), 'options missing from the table').toEqual([]);
    expect([...names].filter((n) => !checked.includes(n) && n !== 'url'), 'table rows that are not options').toEqual([]);
  });
});

describe('the CLI help texts in docs/cli.md', () => {
  const cli = read('docs/cli.md');
  for (const [name, text] of [
    ['main', help],
    ['server', serverHelp],
    ['load', loadHelp],
    ['export', exportHelp],
  ] as const) {
    it(`the ${name} block is the code's text (run \`npm run docs:api\` to rewrite it)`, () => {
      const m = new RegExp(`<!-- help:${name}:start -->[\\s\\S]*?<!-- help:${name}:end -->`).exec(cli);
      expect(m, `docs/cli.md has the help:${name} markers`).not.toBeNull();
      expect(m![0]).toBe(helpBlock(name, text));
    });
  }

  it("README's and docs/cli.md's `ledis server` options are options of the command", () => {
    const flags = new Set([...serverHelp.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
    for (const f of ['README.md', 'docs/cli.md', 'docs/testing.md']) {
      for (const m of read(f).matchAll(/ledis server ([^`\n]*)/g)) {
        for (const flag of m[1]!.matchAll(/--([a-z][a-z-]*)/g)) expect(flags.has(flag[1]!), `${f}: ledis server --${flag[1]}`).toBe(true);
      }
    }
  });
});

describe('links', () => {
  it('every relative link of README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md points at a file, and every #anchor at a heading', () => {
    const broken: string[] = [];
    for (const page of pages()) {
      const text = read(page);
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1]!;
        if (/^(https?:|mailto:)/.test(link)) continue;
        const [file, anchor] = link.split('#') as [string, string | undefined];
        const target = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(file)));
        if (!existsSync(path.join(ROOT, target))) {
          broken.push(`${page}: ${link} (no ${target})`);
          continue;
        }
        if (anchor && target.endsWith('.md') && !anchors(read(target)).has(anchor)) broken.push(`${page}: ${link} (no heading #${anchor} in ${target})`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('README.md is a front door', () => {
  const readme = read('README.md');

  it('is at most about 400 lines, with install, npx ledis server, Quick start, ledis/testing, the headline and the table of contents, in that order', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(400);
    const order = ['## Install', '## A LedisDB to talk to: `npx ledis server`', '## Quick start', '## In your own tests: `ledis/testing`', '## Speed', '## Documentation'];
    const at = order.map((h) => readme.indexOf(`\n${h}\n`));
    expect(at.every((i) => i > 0), `headings: ${order.join(', ')}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('keeps the repository test command CI runs (.ci/run runs `npm test`)', () => {
    expect(read('.ci/run')).toMatch(/^npm test$/m);
    expect(readme).toMatch(/^npm test\s/m);
    expect(readme).toMatch(/^npm ci && npm run bench\s/m);
  });

  it('links every guide page of docs/ from its table of contents', () => {
    const toc = readme.slice(readme.indexOf('## Documentation'));
    const missing = readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .filter((f) => !toc.includes(`](docs/${f}`));
    expect(missing).toEqual([]);
  });
});

describe('the API reference (docs/api/)', () => {
  it('is what TypeDoc makes of the docstrings of every package.json export now (run `npm run docs:api` when this fails)', async () => {
    const res = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'tools', 'docs-api.mjs'), '--check'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(res, res.out).toMatchObject({ code: 0 });
  }, 240_000);

  it('documents every entry of package.json exports', () => {
    const api = read('docs/api/README.md');
    const pkg = JSON.parse(read('package.json')) as { name: string; exports: Record<string, unknown> };
    for (const key of Object.keys(pkg.exports)) {
      if (key === './package.json') continue;
      const entry = key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`;
      expect(api, entry).toContain(`[${entry}]`);
    }
  });
});
