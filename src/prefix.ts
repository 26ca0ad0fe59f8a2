// keyPrefix: ioredis's way to namespace one application's keys. Every key
// argument of every command gets the prefix, found by the command table's key
// positions (CommandSpec.keys), so a command added to the table is covered by
// marking its keys, which test/unit/key-positions.test.ts already demands.
//
// Beyond key positions:
// - XSCAN (xscan, scanIterator, and ledis-py's lxscan ...): the scan is kept
//   inside the prefix. The cursor (a key: the scan starts after it) gets the
//   prefix, the MATCH pattern (a Go regular expression, unanchored) is
//   rewritten to match only prefixed keys, and the keys and cursor of the
//   reply come back without the prefix, so paging with the returned cursor
//   works and every key returned can be passed straight to another command.
// - XLSORT / XSSORT / XZSORT: BY and GET patterns name keys (`weight_*`), so
//   they get the prefix too (GET '#', the element itself, does not).
//
// Not prefixed (documented in README): keys inside other replies (BLPOP's
// `[key, item]`), keys a Lua script builds itself (only those passed as
// `keys` are prefixed, as KEYS[i]), and FLUSHDB / FLUSHALL / XMIGRATEDB,
// which act on the whole db whatever the prefix.
import { commandKeyIndexes } from './commands/keys.js';
import type { CommandSpec, ReplyFn } from './commands/types.js';
import { DataError } from './errors.js';
import type { Reply } from './protocol/parser.js';
import { describe } from './commands/shape.js';

/** A prefix checked once, in the forms needed: text for strings, bytes for Buffers. */
export interface KeyPrefix {
  readonly text: string;
  readonly bytes: Buffer;
  /** `^` and the prefix with every regexp metacharacter escaped (Go RE2 syntax). */
  readonly anchored: string;
}

/** Checks the keyPrefix option: a non-empty string, or undefined / '' for none. */
export function makeKeyPrefix(value: unknown): KeyPrefix | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new DataError(`keyPrefix must be a string, got ${describe(value)}`);
  return { text: value, bytes: Buffer.from(value), anchored: '^' + escapeRegexp(value) };
}

/** Escapes a literal for Go's regexp (RE2): the characters of regexp.QuoteMeta. */
export function escapeRegexp(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** The prefixed form of one key argument; values the encoder would refuse are left for it to name. */
function withPrefix(prefix: KeyPrefix, key: unknown): unknown {
  if (typeof key === 'string') return prefix.text + key;
  if (Buffer.isBuffer(key)) return Buffer.concat([prefix.bytes, key]);
  if (typeof key === 'number' || typeof key === 'bigint') return prefix.text + String(key);
  return key;
}

/**
 * The arguments of `spec` with every key prefixed (a copy; `args` is not
 * changed), and the reply transform to use instead of `reply` (XSCAN's
 * strips the prefix back off), or `reply` itself.
 */
export function prefixCommand(
  prefix: KeyPrefix,
  spec: Pick<CommandSpec, 'command' | 'keys'>,
  args: readonly unknown[],
  reply: ReplyFn | null,
): { args: unknown[]; reply: ReplyFn | null } {
  const out = args.slice();
  for (const i of commandKeyIndexes(spec, args)) out[i] = withPrefix(prefix, out[i]);
  switch (spec.command) {
    case 'XSCAN':
      return { args: scanInsidePrefix(prefix, out), reply: stripScanReply(prefix, reply) };
    case 'XLSORT':
    case 'XSSORT':
    case 'XZSORT':
      prefixSortPatterns(prefix, out);
      return { args: out, reply };
    default:
      return { args: out, reply };
  }
}

/** `XSCAN type cursor [MATCH m] [COUNT n] [ASC|DESC]`, kept inside the prefix. */
function scanInsidePrefix(prefix: KeyPrefix, args: unknown[]): unknown[] {
  const cursor = args[1];
  const empty = cursor === undefined || cursor === '' || (Buffer.isBuffer(cursor) && cursor.length === 0);
  const desc = args.some((a) => typeof a === 'string' && a.toUpperCase() === 'DESC');
  // An empty cursor starts at the first key; starting after the prefix itself skips nothing (keys are never
  // empty). Descending, the empty cursor (the last key) stays: MATCH keeps the scan inside the prefix.
  if (!empty) args[1] = withPrefix(prefix, cursor);
  else if (!desc) args[1] = prefix.text;
  let matched = false;
  for (let i = 2; i + 1 < args.length; i++) {
    if (typeof args[i] === 'string' && (args[i] as string).toUpperCase() === 'MATCH') {
      args[i + 1] = prefixedPattern(prefix, args[i + 1]);
      matched = true;
      break;
    }
  }
  if (!matched) args.splice(2, 0, 'MATCH', prefix.anchored);
  return args;
}

/**
 * A user's MATCH pattern, meant for the key after the prefix, as a pattern
 * for the whole key. Unanchored, it may match anywhere after the prefix; a
 * leading `^` anchors it right after the prefix. (A `^` elsewhere, as in
 * `a|^b`, anchors at the start of the whole key and so never matches.)
 */
export function prefixedPattern(prefix: KeyPrefix, pattern: unknown): unknown {
  const text = Buffer.isBuffer(pattern) ? pattern.toString() : pattern;
  if (typeof text !== 'string') return pattern;
  if (text.startsWith('^')) return `${prefix.anchored}(?:${text.slice(1)})`;
  return `${prefix.anchored}(?s:.*?)(?:${text})`;
}

function stripScanReply(prefix: KeyPrefix, reply: ReplyFn | null): ReplyFn {
  return (r: Reply, args: readonly unknown[]) => {
    let page: Reply = r;
    if (Array.isArray(r) && r.length === 2 && Array.isArray(r[1])) {
      page = [strip(prefix, r[0] as Reply), (r[1] as Reply[]).map((k) => strip(prefix, k))];
    }
    return reply === null ? page : reply(page, args);
  };
}

/** A key from a reply without the prefix (left as it is if it lacks it). */
function strip(prefix: KeyPrefix, key: Reply): Reply {
  if (typeof key === 'string') return key.startsWith(prefix.text) ? key.slice(prefix.text.length) : key;
  if (Buffer.isBuffer(key)) return key.subarray(0, prefix.bytes.length).equals(prefix.bytes) ? key.subarray(prefix.bytes.length) : key;
  return key;
}

/** BY and GET patterns name KV keys; GET '#' is the element itself. */
function prefixSortPatterns(prefix: KeyPrefix, args: unknown[]): void {
  for (let i = 1; i + 1 < args.length; i++) {
    const word = typeof args[i] === 'string' ? (args[i] as string).toUpperCase() : '';
    if (word === 'BY' || (word === 'GET' && args[i + 1] !== '#')) args[i + 1] = withPrefix(prefix, args[i + 1]);
    if (word === 'BY' || word === 'GET' || word === 'STORE' || word === 'LIMIT') i += word === 'LIMIT' ? 2 : 1;
  }
}
