// The `ledis` command: `ledis server`, `ledis load`, `ledis export`,
// `ledis --help`, `ledis --version`.
// main() returns the exit code and never calls process.exit, so tests (and
// programs) can run it in-process with their own streams.
import { createRequire } from 'node:module';
import { DataError, LedisError } from '../errors.js';
import { exportCommand, exportHelp } from './export.js';
import { nearest } from './flags.js';
import type { CliIO } from './io.js';
import { load, loadHelp } from './load.js';
import { serverCommand, serverHelp } from './server.js';

export type { CliIO } from './io.js';

export const help = `Usage: ledis <command> [options]

Commands:
  server          run a LedisDB on 127.0.0.1:6380 for development (Ctrl-C
                  stops it); builds the pinned LedisDB with Go once if
                  no ledis-server is installed
  load [FILE|-]   stream commands from a file or stdin into LedisDB
                  (formats: resp, text, ndjson, csv, tsv; .gz read as gzip)
  export          write keys, values and TTLs as ndjson commands that
                  \`ledis load\` replays
  help [COMMAND]  this text, or a command's options

Options:
  -h, --help      this text
  -V, --version   the version of ledis

Run \`ledis <command> --help\` for a command's options.`;

/** The package's version, read from its package.json (two folders up from dist/cjs/cli/ and from src/cli/). */
export function version(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = createRequire(__filename)(rel) as { name?: string; version?: string };
      if (pkg.name === 'ledis' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: try the next
    }
  }
  return 'unknown';
}

const COMMANDS = ['server', 'load', 'export', 'help'] as const;
const HELPS: Record<string, string> = { server: serverHelp, load: loadHelp, export: exportHelp };

/** The subcommand `word` was probably meant to be, or undefined. */
export function suggest(word: string): string | undefined {
  return nearest(word, COMMANDS);
}

/**
 * Runs the CLI with `argv` (the arguments after `ledis`) and resolves to the
 * exit code: 0 success, 1 some commands failed, 2 usage error or the server
 * could not be reached. `io` defaults to the process's streams and environment.
 */
export async function main(argv: readonly string[], io: Partial<CliIO> = {}): Promise<number> {
  const full: CliIO = {
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    isTTY: io.isTTY ?? (io.stderr === undefined && process.stderr.isTTY === true),
    interrupts: io.interrupts ?? process,
  };
  const [command, ...rest] = argv;
  try {
    // `ledis load -h` (nothing after -h): the user asks for help, as most tools read -h; for load and
    // export -h is --host (as in redis-cli), so it needs a value and we say so.
    if ((command === 'load' || command === 'export') && rest[rest.length - 1] === '-h') {
      full.stdout.write(HELPS[command] + '\n');
      full.stderr.write(`ledis: -h is --host here (as in redis-cli) and takes a value; showing --help instead\n`);
      return rest.length === 1 ? 0 : 2;
    }
    switch (command) {
      case 'server':
        return await serverCommand(rest, full);
      case 'load':
        return await load(rest, full);
      case 'export':
        return await exportCommand(rest, full);
      case undefined:
      case '-h':
      case '--help':
        full.stdout.write(help + '\n');
        return command === undefined ? 2 : 0;
      case '-V':
      case '--version':
      case 'version':
        full.stdout.write(`ledis ${version()}\n`);
        return 0;
      case 'help':
        full.stdout.write((HELPS[rest[0] ?? ''] ?? help) + '\n');
        return 0;
      default: {
        const guess = suggest(command);
        throw new DataError(`unknown command ${JSON.stringify(command)}${guess ? ` (did you mean ${guess}?)` : ''}; run ledis --help`);
      }
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    // Usage errors from parseArgs, our DataErrors, file system errors (ENOENT ...) and gzip errors (Z_DATA_ERROR): a message, no stack.
    // A LedisError (the server refused a command, the connection failed) is the user's to fix: its text is the message.
    const usage =
      e instanceof LedisError || (typeof e.code === 'string' && (e.code.startsWith('ERR_PARSE_ARGS') || /^E[A-Z]+$/.test(e.code) || e.code.startsWith('Z_')));
    full.stderr.write(`ledis: ${usage ? e.message : (e.stack ?? e.message)}\n`);
    return 2;
  }
}
