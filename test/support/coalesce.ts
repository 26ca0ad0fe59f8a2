// Coalescing in tests: the tuning that makes every command with a coalescing
// policy join a group from the first command in flight, and a raw command on
// a bare Connection that carries its policy as the client's commands do.
import { coalescePolicy } from '../../src/commands/coalesce.js';
import { Command } from '../../src/connection/command.js';
import type { Connection } from '../../src/connection/connection.js';
import { TUNING } from '../../src/connection/options.js';
import type { Reply } from '../../src/protocol/parser.js';

/**
 * Spread into a client's or a connection's options: coalescing from the first
 * command in flight (COALESCE_FROM 0), groups of up to MAX_COALESCED, on any
 * server without asking INFO first (scripted peers too), for tests of what a
 * coalesced command does (the threshold has its own test).
 */
export const COALESCE_EAGERLY = { [TUNING]: { coalesceFrom: 0, coalesceAnyServer: true } } as const;

/**
 * `conn.sendCommand(name, ...args)` with the command's coalescing policy
 * (Connection.sendCommand knows no command, so it carries none).
 */
export function sendCoalescible(conn: Connection, name: string, ...args: unknown[]): Promise<Reply> {
  const upper = name.toUpperCase();
  const cmd = new Command(upper, args, null, false, upper, coalescePolicy(upper));
  const p = cmd.promise<Reply>();
  conn.send(cmd);
  return p;
}
