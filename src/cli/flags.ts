// Flags of the CLI's subcommands: node:util's parseArgs (strict), with a
// "did you mean" for a misspelled long flag, as for a misspelled subcommand.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { distance } from '../suggest.js';

/** The word of `candidates` nearest to `word` (a prefix of two or more characters, or at most 2 edits away), or undefined. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(w) && w.length >= 2 ? 0 : distance(w, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= 2 ? best : undefined;
}

type Flags = NonNullable<ParseArgsConfig['options']>;
/** What parseArgs gives for `options` with strict and positionals. */
type Parsed<O extends Flags> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/**
 * parseArgs with `strict` and positionals; an unknown long flag's error
 * (ERR_PARSE_ARGS_UNKNOWN_OPTION, a usage error: exit 2) also names the
 * nearest known one: `Unknown option '--hots' (did you mean --host?)`.
 */
export function parseFlags<O extends Flags>(argv: readonly string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const flag = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'--([^'=]+)/.exec(e.message)?.[1] : undefined;
    const guess = flag === undefined ? undefined : nearest(flag, Object.keys(options));
    // Node's own text goes on about positionals starting with '-': not what a misspelled flag needs.
    if (guess !== undefined) e.message = `Unknown option '--${flag}' (did you mean --${guess}?)`;
    throw e;
  }
}
