// Every command that takes keys says where they are (CommandSpec.keys), so
// routing can keep the commands on one key in issue order over several
// connections. The classification below is read from LedisDB's
// doc/commands.md and server/cmd_*.go (d35789e): which arguments of each
// command are keys.
import { describe, expect, it } from 'vitest';
import { commandTable, specByCommand } from '../../src/commands/index.js';
import { commandKeyIndexes, firstKeyIndex } from '../../src/commands/keys.js';
import type { CommandSpec } from '../../src/commands/types.js';
// @ts-ignore -- plain ESM script
import { registeredCommands } from '../../tools/command-table.mjs';

/** LedisDB commands that name no key (server, connection, replication, whole-keyspace). */
const KEYLESS = new Set([
  'PING', 'ECHO', 'INFO', 'FLUSHDB', 'FLUSHALL', 'TIME', 'CONFIG', 'AUTH', 'ROLE', 'SLAVEOF', 'XSCAN', 'XMIGRATEDB',
  'SCRIPT', 'SELECT', 'XSELECT', 'QUIT', 'SYNC', 'FULLSYNC', 'REPLCONF', 'SHUTDOWN', 'COMMIT', 'BEGIN', 'ROLLBACK',
]);
/** Keyless commands that still read or write keys they do not name. */
const ALL_KEYS = new Set(['FLUSHDB', 'FLUSHALL', 'XSCAN', 'SLAVEOF', 'XMIGRATEDB']);

/** Arguments as sent, and which of them are keys. */
const CASES: [command: string, args: unknown[], keys: number[]][] = [
  ['GET', ['k'], [0]],
  ['INCR', ['k'], [0]],
  ['SET', ['k', 'v'], [0]],
  ['SETEX', ['k', 10, 'v'], [0]],
  ['MGET', ['a', 'b', 'c'], [0, 1, 2]],
  ['MSET', ['a', '1', 'b', '2'], [0, 2]],
  ['DEL', ['a', 'b'], [0, 1]],
  ['HMGET', ['h', 'f1', 'f2'], [0]],
  ['HMCLEAR', ['h1', 'h2'], [0, 1]],
  ['LPUSH', ['l', 'a', 'b'], [0]],
  ['RPOPLPUSH', ['src', 'dst'], [0, 1]],
  ['BLPOP', ['l1', 'l2', 5], [0, 1]],
  ['BRPOPLPUSH', ['src', 'dst', 0], [0, 1]],
  ['SINTERSTORE', ['dest', 's1', 's2'], [0, 1, 2]],
  ['SUNION', ['s1', 's2'], [0, 1]],
  ['ZUNIONSTORE', ['dest', 2, 'z1', 'z2', 'WEIGHTS', 1, 2], [0, 2, 3]],
  ['ZINTERSTORE', ['dest', 1, 'z1', 'AGGREGATE', 'MAX'], [0, 2]],
  ['BITOP', ['AND', 'dest', 'a', 'b'], [1, 2, 3]],
  ['BITCOUNT', ['k', 0, 1], [0]],
  ['EVAL', ['return 1', 2, 'k1', 'k2', 'arg'], [1 + 1, 3]],
  ['EVALSHA', ['abc', 0, 'arg'], []],
  ['XLSORT', ['l', 'BY', 'w_*', 'GET', '#', 'STORE', 'dst'], [0, 6]],
  ['XZSORT', ['z', 'LIMIT', 0, 10], [0]],
  ['XDUMP', ['KV', 'k'], [1]],
  ['XRESTORE', ['HASH', 'h', 0, Buffer.alloc(1)], [1]],
  ['XMIGRATE', ['127.0.0.1', 6380, 'KV', 'k', 0, 1000], [3]],
  ['XHSCAN', ['h', '', 'COUNT', 10], [0]],
  ['ZREVRANGE', ['z', 0, -1, 'WITHSCORES'], [0]],
];

const entries = Object.entries(commandTable) as [string, CommandSpec][];

describe('key positions in the command table', () => {
  it('every table entry of a command that takes keys marks them, and no keyless command does', () => {
    const unmarked = entries.filter(([, s]) => !KEYLESS.has(s.command) && s.keys === undefined).map(([m]) => m);
    const wrongly = entries.filter(([, s]) => KEYLESS.has(s.command) && s.keys !== undefined).map(([m]) => m);
    expect(unmarked).toEqual([]);
    expect(wrongly).toEqual([]);
  });

  it('every command LedisDB registers is classified here (a new server command needs a decision)', () => {
    const registered: { command: string }[] = registeredCommands();
    const unclassified = registered
      .map((c) => c.command.toUpperCase())
      .filter((c) => !KEYLESS.has(c) && specByCommand.get(c)?.keys === undefined);
    expect(unclassified).toEqual([]);
  });

  it('keyless commands that touch keys they do not name say so (allKeys)', () => {
    for (const [method, s] of entries) {
      if (ALL_KEYS.has(s.command)) expect(s.allKeys, method).toBe(true);
    }
  });

  it.each(CASES)('%s %j: keys at %j', (command, args, keys) => {
    const spec = specByCommand.get(command);
    expect(spec, command).toBeDefined();
    expect(commandKeyIndexes(spec!, args)).toEqual(keys);
    expect(firstKeyIndex(spec!, args)).toBe(keys.length === 0 ? -1 : keys[0]);
  });

  it("the table's argument shapers produce what the positions describe (zunionstore, eval, xlsort, bitop)", () => {
    const t = commandTable;
    const zu = t.zunionstore!.args!('dest', { z1: 1, z2: 2 }, { aggregate: 'max' });
    expect(commandKeyIndexes(t.zunionstore!, zu).map((i) => zu[i])).toEqual(['dest', 'z1', 'z2']);
    const ev = t.eval!.args!('return 1', ['k1', 'k2'], ['a1']);
    expect(commandKeyIndexes(t.eval!, ev).map((i) => ev[i])).toEqual(['k1', 'k2']);
    const so = t.xlsort!.args!('l', { by: 'w_*', get: ['#', 'STORE'], store: 'out' });
    expect(commandKeyIndexes(t.xlsort!, so).map((i) => so[i])).toEqual(['l', 'out']);
    const bo = t.bitop!.args!('or', 'dest', 'a', ['b', 'c']);
    expect(commandKeyIndexes(t.bitop!, bo).map((i) => bo[i])).toEqual(['dest', 'a', 'b', 'c']);
  });

  it('scripts without declared keys and sorts with BY/GET patterns are ordered against every key', () => {
    const allKeys = (s: CommandSpec, args: unknown[]) => (typeof s.allKeys === 'function' ? s.allKeys(args) : s.allKeys === true);
    expect(allKeys(commandTable.eval!, ['return 1', 0])).toBe(true);
    expect(allKeys(commandTable.eval!, ['return 1', 1, 'k'])).toBe(false);
    expect(allKeys(commandTable.xlsort!, ['l', 'BY', 'w_*'])).toBe(true);
    expect(allKeys(commandTable.xlsort!, ['l', 'DESC'])).toBe(false);
  });

  it("blocking commands say where their timeout is", () => {
    for (const [method, s] of entries) {
      if (s.blocking === true) expect(s.timeoutAt, method).toBe(-1);
      else expect(s.timeoutAt, method).toBeUndefined();
    }
  });
});
