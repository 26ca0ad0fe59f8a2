// Lua scripting: EVAL, EVALSHA, SCRIPT LOAD/EXISTS/FLUSH, and the helper
// behind Ledis.defineCommand (EVALSHA first, EVAL when the server says NOSCRIPT).
//
// LedisDB runs scripts in one shared gopher-lua state. Two limits of the
// server (d35789e) worth knowing: `ledis.call` inside a script fails with
// "not authenticated" when the server has a password (the script's internal
// client never authenticates), and `ledis.error_reply(msg)` replies `-err`
// without the message.
import { numkeysAt } from './keys.js';
import { scriptSha } from './script-stash.js';
import { DataError, ResponseError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { describe, intIn, toBool, toFlatList, bulkReply } from './shape.js';
import type { Key, Out, Str, TableFor, Value } from './types.js';

/** What a script can return: Lua strings, integers (numbers are truncated), false/nil as null, and arrays of those. */
export type ScriptReply<S extends Str> = S | number | null | ScriptReply<S>[];

export interface ScriptCommands<S extends Str, M> {
  /** Runs `script` with `KEYS` = keys and `ARGV` = args. */
  eval(script: string, keys?: readonly Key[], args?: readonly Value[]): Out<M, ScriptReply<S>>;
  /** Runs the script loaded under `sha1`; rejects with a NOSCRIPT ResponseError if the server doesn't have it. */
  evalsha(sha1: string, keys?: readonly Key[], args?: readonly Value[]): Out<M, ScriptReply<S>>;
  /** Loads `script` without running it; its SHA1 (hex). */
  scriptLoad(script: string): Out<M, string>;
  /** Whether each SHA1 is loaded, in order. */
  scriptExists(...sha1s: (string | readonly string[])[]): Out<M, boolean[]>;
  /** Forgets every loaded script. */
  scriptFlush(): Out<M, boolean>;
}

function listOf(command: string, what: string, v: unknown): readonly unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new DataError(`${what} must be an array, got ${describe(v)}`, command);
  return v;
}

function text(command: string, what: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new DataError(`${what} must be a non-empty string, got ${describe(v)}`, command);
  return v;
}

/** EVAL script numkeys key... arg...: the declared keys. */
const scriptKeys = (args: readonly unknown[]): number[] => numkeysAt(1, args);
/** A script that declares no key may touch any. */
const noDeclaredKeys = (args: readonly unknown[]): boolean => Number(args[1]) === 0;

const evalArgs =
  (command: string, what: string) =>
  (body: string, keys?: readonly Key[], args?: readonly Value[]): unknown[] => {
    const k = listOf(command, 'keys', keys);
    return [text(command, what, body), k.length, ...k, ...listOf(command, 'args', args)];
  };

function flatStrings(command: string, list: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const v of list) {
    if (Array.isArray(v)) for (const x of v) out.push(text(command, 'sha1', x));
    else out.push(text(command, 'sha1', v));
  }
  if (out.length === 0) throw new DataError('needs at least one sha1', command);
  return out;
}

export const scriptCommands = {
  eval: { command: 'EVAL', keys: scriptKeys, allKeys: noDeclaredKeys, args: evalArgs('EVAL', 'script') },
  evalsha: { command: 'EVALSHA', keys: scriptKeys, allKeys: noDeclaredKeys, args: evalArgs('EVALSHA', 'sha1') },
  scriptLoad: { command: 'SCRIPT', reply: bulkReply, stringReply: true, args: (script: string) => ['LOAD', text('SCRIPT LOAD', 'script', script)] },
  scriptExists: {
    command: 'SCRIPT',
    args: (...sha1s: unknown[]) => ['EXISTS', ...flatStrings('SCRIPT EXISTS', sha1s)],
    reply: (r: Reply) => toFlatList(r).map(toBool),
  },
  scriptFlush: { command: 'SCRIPT', args: () => ['FLUSH'], reply: toBool },
} satisfies TableFor<ScriptCommands<Str, unknown>>;

export interface ScriptCommandOptions {
  /** The Lua source. */
  script: string;
  /**
   * How many leading arguments are keys (KEYS); the rest are ARGV. Omitted:
   * the first argument of each call says how many keys follow.
   */
  numberOfKeys?: number;
}

/** A script as a function: `(...keysThenArgs)`, or `(numberOfKeys, ...keysThenArgs)` without numberOfKeys. */
export type ScriptFunction<S extends Str> = (...args: Value[]) => Promise<ScriptReply<S>>;

export function isNoScript(err: unknown): boolean {
  return err instanceof ResponseError && err.serverMessage.startsWith('NOSCRIPT');
}

/**
 * Makes the function behind defineCommand. Each call sends EVALSHA (the
 * script's hash only); if the server answers NOSCRIPT (never loaded, or
 * after SCRIPT FLUSH or a restart) it sends EVAL with the source, which also
 * loads it for the next call.
 */
export function scriptFunction<S extends Str>(
  send: (command: string, args: unknown[]) => Promise<unknown>,
  name: string,
  options: ScriptCommandOptions,
): ScriptFunction<S> {
  const label = `defineCommand ${name}`;
  if (options === null || typeof options !== 'object') throw new DataError(`options must be { script, numberOfKeys? }, got ${describe(options)}`, label);
  const script = text(label, 'script', options.script);
  const fixed = options.numberOfKeys === undefined ? undefined : intIn(label, 'numberOfKeys', options.numberOfKeys, 0);
  const sha1 = scriptSha(script);
  return async (...args: Value[]): Promise<ScriptReply<S>> => {
    let numkeys: number;
    let rest: Value[];
    if (fixed === undefined) {
      numkeys = intIn(name, 'the number of keys (first argument)', args[0], 0, args.length - 1);
      rest = args.slice(1);
    } else {
      if (args.length < fixed) throw new DataError(`needs ${fixed} keys, got ${args.length} arguments`, name);
      numkeys = fixed;
      rest = args;
    }
    try {
      return (await send('EVALSHA', [sha1, numkeys, ...rest])) as ScriptReply<S>;
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return (await send('EVAL', [script, numkeys, ...rest])) as ScriptReply<S>;
    }
  };
}
