// Replication as a client sees it: ROLE and SLAVEOF. FULLSYNC, SYNC and
// REPLCONF are the server-to-server protocol (a snapshot stream, a binlog
// stream, a replica registering its port) and have no method.
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { describe, intIn, toBool, toInt, unexpected } from './shape.js';
import type { Out, Str, TableFor } from './types.js';

export interface ReplicaInfo {
  host: string;
  port: number;
  /** The last binlog id the replica acknowledged. */
  lastLogId: number;
}

/**
 * ROLE, shaped. LedisDB parses ports as 16-bit signed integers here, so a
 * port above 32767 shows as 0 with an empty host.
 */
export type RoleReply =
  | { role: 'master'; lastLogId: number; replicas: ReplicaInfo[] }
  | { role: 'slave'; masterHost: string; masterPort: number; state: string; lastLogId: number };

export interface SlaveofOptions {
  /** With a master: discard the local data and sync from scratch instead of from the last log id. */
  restart?: boolean;
  /** Without a master (SLAVEOF NO ONE): become a read-only master. */
  readonly?: boolean;
}

export interface ReplicationCommands<S extends Str, M> {
  /** Whether the server is a master (with its replicas) or a replica (with its master and sync state). */
  role(): Out<M, RoleReply>;
  /**
   * `slaveof(host, port)` makes the server a replica of that master (the
   * server must run with replication on); `slaveof()` sends SLAVEOF NO ONE
   * and makes it a master again. LedisDB refuses master ports above 32767
   * (it parses them as int16).
   */
  slaveof(): Out<M, boolean>;
  slaveof(options: Pick<SlaveofOptions, 'readonly'>): Out<M, boolean>;
  slaveof(host: string, port: number, options?: Pick<SlaveofOptions, 'restart'>): Out<M, boolean>;
}

function parseRole(r: Reply): RoleReply {
  if (!Array.isArray(r) || r.length < 2) throw unexpected('a ROLE reply', r);
  const s = (v: Reply | undefined) => {
    if (Array.isArray(v)) throw unexpected('a ROLE field', v);
    return v === null || v === undefined ? '' : String(v);
  };
  const n = (v: Reply | undefined) => (v === undefined ? 0 : (toInt(v) ?? 0));
  if (s(r[0]) === 'master') {
    const list = Array.isArray(r[2]) ? r[2] : [];
    const replicas = list.map((item) => {
      const a = Array.isArray(item) ? item : [];
      return { host: s(a[0]), port: n(a[1]), lastLogId: n(a[2]) };
    });
    return { role: 'master', lastLogId: n(r[1]), replicas };
  }
  return { role: 'slave', masterHost: s(r[1]), masterPort: n(r[2]), state: s(r[3]), lastLogId: n(r[4]) };
}

function slaveofArgs(a?: unknown, b?: unknown, c?: unknown): unknown[] {
  if (a === undefined || (typeof a === 'object' && a !== null && b === undefined)) {
    const o = (a ?? {}) as SlaveofOptions;
    if (o.restart === true) throw new DataError('restart needs a master host and port', 'SLAVEOF');
    return o.readonly === true ? ['NO', 'ONE', 'READONLY'] : ['NO', 'ONE'];
  }
  if (typeof a !== 'string' || a === '') throw new DataError(`host must be a non-empty string, got ${describe(a)}`, 'SLAVEOF');
  const port = intIn('SLAVEOF', 'port', b, 1, 65535);
  const o = (c ?? {}) as SlaveofOptions;
  if (typeof o !== 'object' || o === null) throw new DataError(`options must be an object, got ${describe(c)}`, 'SLAVEOF');
  if (o.readonly === true) throw new DataError('readonly applies only to slaveof() without a master', 'SLAVEOF');
  return o.restart === true ? [a, port, 'RESTART'] : [a, port];
}

export const replicationCommands = {
  role: { command: 'ROLE', stringReply: true, reply: parseRole },
  slaveof: { command: 'SLAVEOF', allKeys: true, args: slaveofArgs, reply: toBool },
} satisfies TableFor<ReplicationCommands<Str, unknown>>;
