// Runs the CLI's main() in-process with captured output, against a URL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** main(argv) with stdout/stderr captured, stdin from `stdin` (empty by default), no terminal. */
export async function run(argv: string[], options: { stdin?: Readable; env?: Record<string, string> } = {}): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await main(argv, { stdin: options.stdin ?? Readable.from([]), stdout, stderr, env: options.env ?? {}, isTTY: false });
  return { code, stdout: out, stderr: err };
}

/** A temporary directory, removed by the returned function. */
export function tempDir(name: string): { dir: string; file(name: string): string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ledis-${name}-`));
  return { dir, file: (f) => path.join(dir, f), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
