// Moving data between servers: XDUMP / XRESTORE (any type, by name) and
// XMIGRATE / XMIGRATEDB, with which a server pushes keys to another LedisDB
// itself (DUMP there, RESTORE at the target, then delete here). The target
// must not need a password: the server connects to it without one.
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { describe, intIn, oneOf, toBool, integerReply, bulkOrNullReply, statusReply } from './shape.js';
import type { Key, Out, Str, TableFor } from './types.js';

export type DataType = 'KV' | 'HASH' | 'LIST' | 'SET' | 'ZSET' | 'kv' | 'hash' | 'list' | 'set' | 'zset';
const TYPES = ['KV', 'HASH', 'LIST', 'SET', 'ZSET'] as const;
const TYPES_OR_ALL = [...TYPES, 'ALL'] as const;

export interface MigrateCommands<S extends Str, M> {
  /** The serialized value of `name` of the given type (binary), or null if it doesn't exist. */
  xdump(type: DataType, name: Key): Out<M, Buffer | null>;
  /**
   * Restores a dump under `name`, replacing what is there, with a TTL in ms
   * (0 for none). The dump carries its own type: `type` is sent but LedisDB ignores it.
   */
  xrestore(type: DataType, name: Key, ttl: number, value: Buffer): Out<M, boolean>;
  /**
   * Moves the key `name` of `type` (or of every type, with 'ALL') to db
   * `db` of the LedisDB at host:port, waiting at most `timeout` ms for it;
   * true if moved, false if there was no such key.
   */
  xmigrate(host: string, port: number, type: DataType | 'ALL' | 'all', name: Key, db: number, timeout: number): Out<M, boolean>;
  /** Moves up to `count` keys of `type` (the first in key order) to db `db` at host:port; how many moved. */
  xmigratedb(host: string, port: number, type: DataType, count: number, db: number, timeout: number): Out<M, number>;
}

function target(command: string, host: unknown, port: unknown): [string, number] {
  if (typeof host !== 'string' || host === '') throw new DataError(`host must be a non-empty string, got ${describe(host)}`, command);
  return [host, intIn(command, 'port', port, 1, 65535)];
}

export const migrateCommands = {
  xdump: {
    command: 'XDUMP',
    reply: bulkOrNullReply,
    keys: [1, 1, 1],
    readonly: true,
    bufferReply: true,
    args: (type: DataType, name: Key) => [oneOf('XDUMP', 'type', type, TYPES), name],
  },
  xrestore: {
    command: 'XRESTORE',
    keys: [1, 1, 1],
    args: (type: DataType, name: Key, ttl: number, value: Buffer) => [
      oneOf('XRESTORE', 'type', type, TYPES),
      name,
      intIn('XRESTORE', 'ttl', ttl, 0),
      value,
    ],
    reply: toBool,
  },
  xmigrate: {
    command: 'XMIGRATE',
    keys: [3, 3, 1],
    stringReply: true,
    args: (host: string, port: number, type: string, name: Key, db: number, timeout: number) => [
      ...target('XMIGRATE', host, port),
      oneOf('XMIGRATE', 'type', type, TYPES_OR_ALL),
      name,
      intIn('XMIGRATE', 'db', db, 0),
      intIn('XMIGRATE', 'timeout', timeout, 0),
    ],
    // A status: "OK" is true, another status false; any other shape an UnexpectedReplyError.
    reply: (r: Reply, args: readonly unknown[]) => statusReply(r, args) === 'OK',
  },
  xmigratedb: {
    command: 'XMIGRATEDB',
    reply: integerReply,
    allKeys: true,
    args: (host: string, port: number, type: DataType, count: number, db: number, timeout: number) => [
      ...target('XMIGRATEDB', host, port),
      oneOf('XMIGRATEDB', 'type', type, TYPES),
      intIn('XMIGRATEDB', 'count', count, 1),
      intIn('XMIGRATEDB', 'db', db, 0),
      intIn('XMIGRATEDB', 'timeout', timeout, 0),
    ],
  },
} satisfies TableFor<MigrateCommands<Str, unknown>>;
