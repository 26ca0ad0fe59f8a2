// The few places tests look inside production objects, in one file: each
// names what it reads and why no public API gives it. A field renamed in src/
// breaks here, at one place, with a type error.
import type net from 'node:net';
import type { Command } from '../../src/connection/command.js';
import type { Connection } from '../../src/connection/connection.js';

interface ConnectionInside {
  socket: net.Socket;
  queue: { toArray(): Command[] };
  write(cmd: Command, e: unknown): void;
}

/** The connection's current socket: tests wait for the peer's 'end' on it, which no connection event reports at that moment. */
export function socketOf(conn: Connection): net.Socket {
  return (conn as unknown as ConnectionInside).socket;
}

/** The coalesced groups (MGET/MSET) on the connection's queue, with their member commands. */
export function queuedGroups(conn: Connection): Array<{ members: Command[] }> {
  return (conn as unknown as ConnectionInside).queue.toArray().filter((c): c is Command & { members: Command[] } => Array.isArray((c as { members?: unknown }).members));
}

/** Records the wire name of every command the connection writes (what a barrier test must see gathered). */
export function recordWrites(conn: Connection, wires: string[]): void {
  const inside = conn as unknown as ConnectionInside;
  const write = inside.write.bind(conn);
  inside.write = (cmd, e) => {
    wires.push(cmd.wire);
    write(cmd, e);
  };
}
