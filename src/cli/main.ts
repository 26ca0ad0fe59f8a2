// The `ledis` command: `ledis load`, `ledis export`, `ledis --help`.
// main() returns the exit code and never calls process.exit, so tests (and
// programs) can run it in-process with their own streams.
import { DataError, LedisError } from '../errors.js';
import { exportCommand, exportHelp } from './export.js';
import type { CliIO } from './io.js';
import { load, loadHelp } from './load.js';

export type { CliIO } from './io.js';

export const help = `Usage: ledis <command> [options]

Commands:
  load [FILE|-]   stream commands from a file or stdin into LedisDB
                  (formats: resp, text, ndjson, csv, tsv; .gz read as gzip)
  export          write keys, values and TTLs as ndjson commands that
                  \`ledis load\` replays
  help [COMMAND]  this text, or a command's options

Run \`ledis <command> --help\` for a command's options.`;

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
    switch (command) {
      case 'load':
        return await load(rest, full);
      case 'export':
        return await exportCommand(rest, full);
      case undefined:
      case '-h':
      case '--help':
        full.stdout.write(help + '\n');
        return command === undefined ? 2 : 0;
      case 'help':
        full.stdout.write((rest[0] === 'load' ? loadHelp : rest[0] === 'export' ? exportHelp : help) + '\n');
        return 0;
      default:
        throw new DataError(`unknown command ${JSON.stringify(command)}; run ledis --help`);
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
