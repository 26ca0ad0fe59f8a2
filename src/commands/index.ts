// The whole command table: every family's specs, and every family's typed methods.
import { kvCommands, type KvCommands } from './kv.js';
import { serverCommands, type ServerCommands } from './server.js';
import { hashCommands, type HashCommands } from './hash.js';
import { listCommands, type ListCommands } from './list.js';
import { setCommands, type SetCommands } from './set.js';
import { zsetCommands, type ZsetCommands } from './zset.js';
import { bitCommands, type BitCommands } from './bit.js';
import { scanCommands, type ScanCommands } from './scan.js';
import { sortCommands, type SortCommands } from './sort.js';
import { scriptCommands, type ScriptCommands } from './script.js';
import { replicationCommands, type ReplicationCommands } from './replication.js';
import { migrateCommands, type MigrateCommands } from './migrate.js';
import { compatCommands, type CompatCommands } from './compat.js';
import { FIRST } from './keys.js';
import type { CommandSpec, CommandTable, Str } from './types.js';

export interface Commands<S extends Str, M>
  extends KvCommands<S, M>,
    ServerCommands<S, M>,
    HashCommands<S, M>,
    ListCommands<S, M>,
    SetCommands<S, M>,
    ZsetCommands<S, M>,
    BitCommands<S, M>,
    ScanCommands<S, M>,
    SortCommands<S, M>,
    ScriptCommands<S, M>,
    ReplicationCommands<S, M>,
    MigrateCommands<S, M>,
    CompatCommands<S, M> {}

export const commandTable: CommandTable = {
  ...kvCommands,
  ...serverCommands,
  ...hashCommands,
  ...listCommands,
  ...setCommands,
  ...zsetCommands,
  ...bitCommands,
  ...scanCommands,
  ...sortCommands,
  ...scriptCommands,
  ...replicationCommands,
  ...migrateCommands,
  ...compatCommands,
};

/**
 * The table entry that describes a command by the name it is sent under
 * (upper case): what routing knows of a raw `sendCommand` or pipeline call
 * (its keys, whether it blocks). Where several methods send one command
 * (CONFIG, SCRIPT, BITOP) the first is taken: they agree on keys. INCR and
 * DECR, which the methods send as INCRBY/DECRBY, are added, and STRLEN,
 * which `strlen` reads with GET (isolated: see kv.ts).
 */
export const specByCommand: ReadonlyMap<string, CommandSpec> = (() => {
  const byName = new Map<string, CommandSpec>();
  // A method that stands for another command (incr, sent as INCRBY) is not what a raw INCRBY is: entries without a `name` first.
  for (const spec of Object.values(commandTable)) if (spec.name === undefined && !byName.has(spec.command)) byName.set(spec.command, spec);
  for (const spec of Object.values(commandTable)) if (!byName.has(spec.command)) byName.set(spec.command, spec);
  byName.set('INCR', { command: 'INCR', keys: FIRST });
  byName.set('DECR', { command: 'DECR', keys: FIRST });
  // strlen reads GET; a raw STRLEN is sent as given, and its handler crashes on a missing key (ledis/t_kv.go
  // DB.StrLen), which cannot be told client-side: it runs on a dedicated connection, costing only its caller.
  byName.set('STRLEN', { command: 'STRLEN', keys: FIRST, readonly: true, isolate: () => true });
  return byName;
})();

export type CommandName = keyof Commands<Str, unknown>;

/**
 * Ledis methods outside the table (each sends several commands, or changes
 * connections), and the commands they send: for the README's command list
 * (tools/command-table.mjs) and its coverage test.
 */
export const clientMethods: Readonly<Record<string, readonly string[]>> = {
  db: ['SELECT'],
  select: ['SELECT'],
  quit: ['QUIT'],
  bmsetbit: ['SETBIT'],
  bcount: ['BITCOUNT', 'GETRANGE', 'GET'],
  bdelete: ['EXISTS', 'DEL'],
  scanIterator: ['XSCAN'],
  hscanIterator: ['XHSCAN'],
  sscanIterator: ['XSSCAN'],
  zscanIterator: ['XZSCAN'],
  defineCommand: ['EVALSHA', 'EVAL'],
};
