// node-redis's scripts: `createClient({ scripts: { name: defineScript({
// SCRIPT, NUMBER_OF_KEYS, parseCommand, transformReply }) } })` makes
// `client.name(...args)`: EVALSHA, then EVAL when the server answers NOSCRIPT
// (node-redis 5's client/index.js _executeScript). node-redis 4's
// `transformArguments(...args)` form is taken too. The script runs as every
// script of the face does (src/commands/script-stash.ts: wrapped, its reply
// read from a reply key, its `redis.call` through the Redis shim).
import { scriptSha } from '../commands/script-stash.js';
import { DataError } from '../errors.js';
import type { RedisArgument } from './node-redis-commands.js';

/** What a script's parseCommand is handed (node-redis 5's CommandParser, the parts a script uses). */
export interface CommandParser {
  /** The arguments pushed so far (keys included, in order). */
  readonly redisArgs: RedisArgument[];
  /** The keys pushed so far. */
  readonly keys: RedisArgument[];
  /** The first key pushed, if any. */
  readonly firstKey: RedisArgument | undefined;
  /** Kept for transformReply (its second argument). */
  preserve: unknown;
  push(...args: RedisArgument[]): void;
  pushKey(key: RedisArgument): void;
  pushKeys(keys: RedisArgument | RedisArgument[]): void;
  /** The number of keys, then the keys. */
  pushKeysLength(keys: RedisArgument | RedisArgument[]): void;
  pushVariadic(vals: RedisArgument | RedisArgument[]): void;
  /** The number of values, then the values. */
  pushVariadicWithLength(vals: RedisArgument | RedisArgument[]): void;
  pushVariadicNumber(vals: number | number[]): void;
  /** Client-side caching hint: nothing here (LedisDB has no tracking). */
  setCachable(): void;
}

/** A script for `createClient({ scripts })`, as node-redis's defineScript takes it. */
export interface RedisScriptConfig {
  /** The Lua source. */
  SCRIPT: string | Buffer;
  /** How many of the arguments are keys; omitted: parseCommand pushes the count itself (pushKeysLength). */
  NUMBER_OF_KEYS?: number;
  /** Accepted and unused (Redis Cluster routing). */
  FIRST_KEY_INDEX?: number | ((...args: never[]) => unknown);
  /** Accepted: LedisDB has no EVALSHA_RO; the script is sent with EVALSHA. */
  IS_READ_ONLY?: boolean;
  /** node-redis 5: pushes the call's keys and arguments. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  parseCommand?: (parser: CommandParser, ...args: any[]) => void;
  /** node-redis 4: the call's keys and arguments as a list. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  transformArguments?: (...args: any[]) => RedisArgument[];
  /** Shapes the reply; a function, or one per RESP version ({ 2: fn, 3: fn }: RESP2's is used). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  transformReply?: ((reply: any, preserve?: any, typeMapping?: any) => unknown) | { 2?: (reply: any, preserve?: any) => unknown; 3?: unknown };
}

/** The SHA1 defineScript adds. */
export interface SHA1 {
  SHA1: string;
}

/** node-redis's defineScript: the script with its SHA1 (hex). */
export function defineScript<S extends RedisScriptConfig>(script: S): S & SHA1 {
  if (script === null || typeof script !== 'object') throw new DataError('defineScript: give { SCRIPT, NUMBER_OF_KEYS?, parseCommand, transformReply? }', 'defineScript');
  if (typeof script.SCRIPT !== 'string' && !Buffer.isBuffer(script.SCRIPT)) throw new DataError('defineScript: SCRIPT must be the Lua source (a string)', 'defineScript');
  return { ...script, SHA1: scriptSha(script.SCRIPT) };
}

/** A checked script of createClient's `scripts`. */
export interface ClientScript {
  readonly name: string;
  readonly source: string | Buffer;
  readonly sha: string;
  readonly numberOfKeys: number | undefined;
  readonly build: (args: unknown[]) => { args: RedisArgument[]; preserve: unknown };
  readonly transform: ((reply: unknown, preserve: unknown) => unknown) | undefined;
}

const list = (v: RedisArgument | RedisArgument[]): RedisArgument[] => (Array.isArray(v) ? v : [v]);

/** node-redis 5's BasicCommandParser, the parts a script's parseCommand uses. */
class ArgsParser implements CommandParser {
  readonly redisArgs: RedisArgument[] = [];
  readonly keys: RedisArgument[] = [];
  preserve: unknown = undefined;
  get firstKey(): RedisArgument | undefined {
    return this.keys[0];
  }
  push(...args: RedisArgument[]): void {
    for (const a of args) this.redisArgs.push(a);
  }
  pushKey(key: RedisArgument): void {
    this.keys.push(key);
    this.redisArgs.push(key);
  }
  pushKeys(keys: RedisArgument | RedisArgument[]): void {
    for (const k of list(keys)) this.pushKey(k);
  }
  pushKeysLength(keys: RedisArgument | RedisArgument[]): void {
    this.redisArgs.push(String(list(keys).length));
    this.pushKeys(keys);
  }
  pushVariadic(vals: RedisArgument | RedisArgument[]): void {
    for (const v of list(vals)) this.redisArgs.push(v);
  }
  pushVariadicWithLength(vals: RedisArgument | RedisArgument[]): void {
    this.redisArgs.push(String(list(vals).length));
    this.pushVariadic(vals);
  }
  pushVariadicNumber(vals: number | number[]): void {
    for (const v of Array.isArray(vals) ? vals : [vals]) this.redisArgs.push(String(v));
  }
  setCachable(): void {}
}

/**
 * createClient's `scripts` option, checked: name -> script. A DataError
 * names the script and what is wrong (no SCRIPT, neither parseCommand nor
 * transformArguments, a NUMBER_OF_KEYS that is not a count, a name a method
 * of the client already has).
 */
export function readScripts(scripts: unknown, taken: (name: string) => boolean): Map<string, ClientScript> {
  const out = new Map<string, ClientScript>();
  if (scripts === undefined) return out;
  if (scripts === null || typeof scripts !== 'object' || Array.isArray(scripts)) throw new DataError('createClient: scripts must be an object of name: defineScript({ ... })');
  for (const [name, s] of Object.entries(scripts as Record<string, unknown>)) {
    const where = `createClient: scripts.${name}`;
    if (name === 'then') throw new DataError(`${where}: a script may not be named "then" (connect() resolves with the client, which would then be taken for a promise)`);
    if (taken(name)) throw new DataError(`${where}: ${JSON.stringify(name)} is a method of the client already`);
    if (s === null || typeof s !== 'object') throw new DataError(`${where} must be defineScript({ SCRIPT, NUMBER_OF_KEYS, parseCommand, transformReply })`);
    const c = s as RedisScriptConfig;
    if (typeof c.SCRIPT !== 'string' && !Buffer.isBuffer(c.SCRIPT)) throw new DataError(`${where}.SCRIPT must be the Lua source (a string)`);
    const n = c.NUMBER_OF_KEYS;
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new DataError(`${where}.NUMBER_OF_KEYS must be a whole number >= 0`);
    const parse = c.parseCommand;
    const transformArgs = c.transformArguments;
    if (typeof parse !== 'function' && typeof transformArgs !== 'function') throw new DataError(`${where} needs parseCommand(parser, ...args) (node-redis 5) or transformArguments(...args) (node-redis 4)`);
    const reply = c.transformReply;
    const transform = typeof reply === 'function' ? reply : reply !== null && typeof reply === 'object' && typeof reply[2] === 'function' ? reply[2] : undefined;
    const build =
      typeof parse === 'function'
        ? (args: unknown[]) => {
            const parser = new ArgsParser();
            parse(parser, ...args);
            return { args: parser.redisArgs, preserve: parser.preserve };
          }
        : (args: unknown[]) => ({ args: (transformArgs as (...a: unknown[]) => RedisArgument[])(...args), preserve: undefined });
    out.set(name, {
      name,
      source: c.SCRIPT,
      sha: scriptSha(c.SCRIPT),
      numberOfKeys: n,
      build,
      transform: transform as ClientScript['transform'],
    });
  }
  return out;
}

/** The arguments after EVALSHA's SHA1 / EVAL's source for one call: NUMBER_OF_KEYS (when given), then what parseCommand pushed. */
export function callArgs(script: ClientScript, args: unknown[]): { args: unknown[]; preserve: unknown } {
  let built: { args: RedisArgument[]; preserve: unknown };
  try {
    built = script.build(args);
  } catch (err) {
    throw new DataError(`its parseCommand threw: ${err instanceof Error ? err.message : String(err)}`, script.name);
  }
  if (!Array.isArray(built.args)) throw new DataError('transformArguments must return an array', script.name);
  return { args: script.numberOfKeys === undefined ? built.args : [String(script.numberOfKeys), ...built.args], preserve: built.preserve };
}
