// The whole command table: every family's specs, and every family's typed methods.
import { kvCommands, type KvCommands } from './kv.js';
import { serverCommands, type ServerCommands } from './server.js';
import type { CommandTable, Str } from './types.js';

export interface Commands<S extends Str, M> extends KvCommands<S, M>, ServerCommands<S, M> {}

export const commandTable: CommandTable = {
  ...kvCommands,
  ...serverCommands,
};

export type CommandName = keyof Commands<Str, unknown>;
