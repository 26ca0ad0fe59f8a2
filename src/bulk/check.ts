// The driver's own checks of one bulk item, before anything is sent: the
// same checks whether the item is sent or only validated (`dryRun`), so a
// dry run refuses exactly the items a real run would refuse client-side.
import { minArgsOf } from '../commands/arity.js';
import { commandTable, specByCommand } from '../commands/index.js';
import { refuseSharedState } from '../commands/server.js';
import type { CommandSpec } from '../commands/types.js';
import { DataError } from '../errors.js';
import { validateArgs } from '../protocol/encoder.js';

/** A command as an array: its name, then its arguments (`['ZADD', 'board', 42, 'ann']`). */
export type BulkArray = readonly unknown[];

/** A method of the command table and its arguments, shaped and checked as the method would (`{ method: 'zadd', args: ['board', { ann: 42 }] }`). */
export interface BulkMethodCall {
  method: string;
  args?: readonly unknown[];
}

/** A command by name with its arguments, sent as they are (`{ command: 'SET', args: ['k', 'v'] }`). Extra fields are kept and handed back with a failure. */
export interface BulkCommandCall {
  command: string;
  args?: readonly unknown[];
}

/**
 * One item of a bulk source. An `Error` stands for an item the source could
 * not read (a line that does not parse): it counts as failed, is reported
 * through `onError` with its index, and nothing is sent for it.
 */
export type BulkItem = BulkArray | BulkMethodCall | BulkCommandCall | Error;

/** A checked command ready to send: upper-case name, arguments and its table entry when known. */
export interface Prepared {
  /** The command as sent. */
  name: string;
  /** For a method item whose method sends another command (incr sends INCRBY), the command its failures name (INCR). */
  shown?: string;
  args: unknown[];
  spec: CommandSpec | null;
}

/** Every command name the table sends, upper case, with its entry (its keys route a command to a connection). */
const byCommand = new Map<string, CommandSpec>(specByCommand);
// Sent by client methods outside the table.
for (const name of ['SELECT', 'XSELECT', 'QUIT']) if (!byCommand.has(name)) byCommand.set(name, { command: name });

/**
 * Arity of common bulk-load commands as LedisDB checks it (server/cmd_*.go:
 * `len(args) != n` / `< n`, answered `invalid command param`), so a dry run
 * catches a short or long line; every other command is held to its measured
 * minimum (commands/arity.ts). `[min, max, step]`: argument count (without the
 * name) at least min, at most max, and (count - min) a multiple of step.
 */
const ARITY: Record<string, readonly [number, number, number]> = {
  SET: [2, 2, 1],
  SETNX: [2, 2, 1],
  SETEX: [3, 3, 1],
  GETSET: [2, 2, 1],
  APPEND: [2, 2, 1],
  MSET: [2, Infinity, 2],
  DEL: [1, Infinity, 1],
  EXPIRE: [2, 2, 1],
  EXPIREAT: [2, 2, 1],
  INCR: [1, 1, 1],
  INCRBY: [2, 2, 1],
  DECR: [1, 1, 1],
  DECRBY: [2, 2, 1],
  HSET: [3, 3, 1],
  HMSET: [3, Infinity, 2],
  HDEL: [2, Infinity, 1],
  HINCRBY: [3, 3, 1],
  HCLEAR: [1, 1, 1],
  LPUSH: [2, Infinity, 1],
  RPUSH: [2, Infinity, 1],
  LCLEAR: [1, 1, 1],
  SADD: [2, Infinity, 1],
  SREM: [2, Infinity, 1],
  SCLEAR: [1, 1, 1],
  ZADD: [3, Infinity, 2],
  ZREM: [2, Infinity, 1],
  ZINCRBY: [3, 3, 1],
  ZCLEAR: [1, 1, 1],
  HEXPIRE: [2, 2, 1],
  LEXPIRE: [2, 2, 1],
  SEXPIRE: [2, 2, 1],
  ZEXPIRE: [2, 2, 1],
  HEXPIREAT: [2, 2, 1],
  LEXPIREAT: [2, 2, 1],
  SEXPIREAT: [2, 2, 1],
  ZEXPIREAT: [2, 2, 1],
};

/** Integer arguments of those commands (0-based positions after the name; 'odd from 1' for ZADD scores). */
const INTEGER_AT: Record<string, (i: number) => boolean> = {
  ZADD: (i) => i % 2 === 1,
  SETEX: (i) => i === 1,
  INCRBY: (i) => i === 1,
  DECRBY: (i) => i === 1,
  HINCRBY: (i) => i === 2,
  ZINCRBY: (i) => i === 1,
  EXPIRE: (i) => i === 1,
  EXPIREAT: (i) => i === 1,
  HEXPIRE: (i) => i === 1,
  LEXPIRE: (i) => i === 1,
  SEXPIRE: (i) => i === 1,
  ZEXPIRE: (i) => i === 1,
  HEXPIREAT: (i) => i === 1,
  LEXPIREAT: (i) => i === 1,
  SEXPIREAT: (i) => i === 1,
  ZEXPIREAT: (i) => i === 1,
};

const INT64 = /^-?\d{1,19}$/;

function isInteger(a: unknown): boolean {
  if (typeof a === 'number') return Number.isInteger(a);
  if (typeof a === 'bigint') return true;
  if (typeof a === 'string') return INT64.test(a);
  if (Buffer.isBuffer(a)) return a.length <= 20 && INT64.test(a.toString('latin1'));
  return false;
}

/** A command name as written (any case) that passed the name checks, with what the argument checks need. */
interface KnownName {
  upper: string;
  spec: CommandSpec;
  arity: readonly [number, number, number] | undefined;
  intAt: ((i: number) => boolean) | undefined;
}

/** Names already looked up (a load repeats a few names a million times); bounded, as a file may spell a name in many cases. */
const NAMES = new Map<string, KnownName>();
const MAX_NAMES = 512;

/** Checks a command given by name and raw arguments; throws DataError naming what is wrong. */
export function checkRaw(rawName: unknown, args: readonly unknown[]): Prepared {
  let name: string;
  if (typeof rawName === 'string') name = rawName;
  else if (Buffer.isBuffer(rawName)) name = rawName.toString('latin1');
  else throw new DataError(`the command name must be a string, got ${rawName === null ? 'null' : typeof rawName}`);
  if (name === '') throw new DataError('empty command name');
  let known = NAMES.get(name);
  if (known === undefined) {
    const upper = name.toUpperCase();
    const spec = byCommand.get(upper);
    if (spec === undefined) throw new DataError(`unknown command ${JSON.stringify(name.length > 40 ? name.slice(0, 40) + '...' : name)}`);
    const refused = refuseSharedState(upper);
    if (refused !== null) throw refused;
    if (spec.blocking === true) throw new DataError('blocks its connection; not allowed in a bulk load', upper);
    known = { upper, spec, arity: ARITY[upper], intAt: INTEGER_AT[upper] };
    if (NAMES.size < MAX_NAMES) NAMES.set(name, known);
  }
  const { upper, spec, arity, intAt } = known;
  if (arity !== undefined) {
    const [min, max, step] = arity;
    const n = args.length;
    if (n < min || n > max || (n - min) % step !== 0) {
      const want = min === max ? `${min}` : step === 1 ? `at least ${min}` : `${min}, ${min + step}, ${min + 2 * step}...`;
      throw new DataError(`wrong number of arguments: ${n}, expected ${want}`, upper);
    }
  } else if (args.length < minArgsOf(spec)) {
    throw new DataError(`wrong number of arguments: ${args.length}, expected at least ${minArgsOf(spec)}`, upper);
  }
  validateArgs(upper, args);
  if (intAt !== undefined) {
    for (let i = 0; i < args.length; i++) {
      if (intAt(i) && !isInteger(args[i])) {
        const a = args[i];
        const shown = typeof a === 'string' ? JSON.stringify(a.length > 40 ? a.slice(0, 40) + '...' : a) : String(a);
        throw new DataError(`argument ${i + 1} must be an int64 integer (LedisDB has no fractional scores or times), got ${shown}`, upper);
      }
    }
  }
  return { name: upper, args: args as unknown[], spec };
}

/** Checks one bulk item of any form; throws DataError (or the source's own Error) for an item that must not be sent. */
export function prepare(item: unknown): Prepared {
  if (item instanceof Error) throw item;
  if (Array.isArray(item)) {
    if (item.length === 0) throw new DataError('empty command');
    return checkRaw(item[0], item.slice(1));
  }
  if (item !== null && typeof item === 'object') {
    const o = item as Partial<BulkMethodCall & BulkCommandCall>;
    const args = o.args ?? [];
    if (!Array.isArray(args)) throw new DataError('args must be an array');
    if (typeof o.method === 'string') {
      const spec = Object.prototype.hasOwnProperty.call(commandTable, o.method) ? commandTable[o.method] : undefined;
      if (spec === undefined) throw new DataError(`${JSON.stringify(o.method)} is not a command method`);
      if (spec.blocking === true) throw new DataError('blocks its connection; not allowed in a bulk load', spec.name ?? spec.command);
      const shaped = spec.args === undefined ? args.slice() : spec.args(...args);
      validateArgs(spec.name ?? spec.command, shaped);
      return spec.name === undefined ? { name: spec.command, args: shaped, spec } : { name: spec.command, shown: spec.name, args: shaped, spec };
    }
    if (o.command !== undefined) return checkRaw(o.command, args);
  }
  throw new DataError('a bulk item must be an array [name, ...args], { method, args } or { command, args }');
}
