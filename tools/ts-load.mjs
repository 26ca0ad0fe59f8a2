// Loads a few TypeScript files of src/ in plain Node, before the package is
// built: each is transpiled (types removed, nothing checked: `tsc --noEmit`
// in `npm test` checks them) with TypeScript's transpileModule into
// .cache/ts-load/<hash of the sources>/, keeping src/'s layout so their
// relative `./x.js` imports resolve, then imported. Used by tools/server.mjs
// so that `npm run server`, the test suite and the benchmarks run the very
// code the package ships (src/testing/, src/cli/server.ts): one home.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');

/**
 * Transpiles `files` (paths relative to src/, e.g. 'testing/server.ts') and
 * imports the first one.
 * @param {string[]} files
 */
export async function loadSource(files) {
  const sources = files.map((f) => [f, readFileSync(path.join(SRC, f), 'utf8')]);
  const hash = createHash('sha256');
  for (const [f, text] of sources) hash.update(`${f}\0${text}\0`);
  const dir = path.join(ROOT, '.cache', 'ts-load', hash.digest('hex').slice(0, 16));
  if (!existsSync(path.join(dir, 'package.json'))) {
    // TypeScript is loaded only when something changed (it takes a moment to load).
    const ts = (await import('typescript')).default;
    for (const [f, text] of sources) {
      const out = ts.transpileModule(text, {
        fileName: f,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false, sourceMap: false },
      });
      const file = path.join(dir, f.replace(/\.ts$/, '.js'));
      mkdirSync(path.dirname(file), { recursive: true });
      // Written under a temporary name and renamed: test workers load this at the same time.
      writeFileSync(`${file}.${process.pid}`, out.outputText);
      renameSync(`${file}.${process.pid}`, file);
    }
    writeFileSync(`${path.join(dir, 'package.json')}.${process.pid}`, '{ "type": "module" }\n');
    renameSync(`${path.join(dir, 'package.json')}.${process.pid}`, path.join(dir, 'package.json'));
  }
  return import(pathToFileURL(path.join(dir, files[0].replace(/\.ts$/, '.js'))).href);
}
