// The CLI as a function of the package's main entry, loaded on first use so
// that importing the driver does not load the CLI's parsers and progress bar.
import type { CliIO } from './io.js';

export type { CliIO } from './io.js';

/**
 * Runs the `ledis` command with `argv` (the words after `ledis`, e.g.
 * `['load', 'data.ndjson', '--url', 'ledis://127.0.0.1:6380/0']`) and
 * resolves to its exit code: 0 success, 1 some commands failed, 2 a usage
 * error or an unreachable server. `io` replaces the process's streams,
 * environment and terminal check; it never calls process.exit.
 */
export async function runCli(argv: readonly string[], io: Partial<CliIO> = {}): Promise<number> {
  const { main } = await import('./main.js');
  return main(argv, io);
}
